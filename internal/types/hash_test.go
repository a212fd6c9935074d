package types

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"shoal/internal/encoding"
)

var hashDefaultLimits = HashLimits{MaxEntries: 128, MaxValue: 64}

// hashContents returns h as a map, checking Len and field uniqueness.
func hashContents(t *testing.T, h *Hash) map[string]string {
	t.Helper()
	m := map[string]string{}
	h.Range(func(f, v []byte) bool {
		if _, dup := m[string(f)]; dup {
			t.Fatalf("field %q seen twice", f)
		}
		m[string(f)] = string(v)
		return true
	})
	if len(m) != h.Len() {
		t.Fatalf("Len %d, Range saw %d", h.Len(), len(m))
	}
	return m
}

func TestHashEncodingAndConversion(t *testing.T) {
	long := string(make([]byte, 65))
	tests := []struct {
		name  string
		lim   HashLimits
		pairs []string
		want  string
	}{
		{"empty stays listpack", hashDefaultLimits, nil, "listpack"},
		{"small", hashDefaultLimits, []string{"a", "1", "b", "2"}, "listpack"},
		{"long value", hashDefaultLimits, []string{"a", long}, "hashtable"},
		{"long field", hashDefaultLimits, []string{long, "v"}, "hashtable"},
		{"value at limit", hashDefaultLimits, []string{"a", long[:64]}, "listpack"},
		{"entries at limit", HashLimits{2, 64}, []string{"a", "1", "b", "2"}, "listpack"},
		{"entries past limit", HashLimits{2, 64}, []string{"a", "1", "b", "2", "c", "3"}, "hashtable"},
		{"overwrites do not count", HashLimits{1, 64}, []string{"a", "1", "a", "2", "a", "3"}, "listpack"},
		{"zero entries", HashLimits{0, 64}, []string{"a", "1"}, "hashtable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHash()
			want := map[string]string{}
			for i := 0; i < len(tc.pairs); i += 2 {
				h.Set([]byte(tc.pairs[i]), []byte(tc.pairs[i+1]), tc.lim)
				want[tc.pairs[i]] = tc.pairs[i+1]
			}
			if got := h.Encoding(); got != tc.want {
				t.Fatalf("encoding %s, want %s", got, tc.want)
			}
			if got := hashContents(t, h); !maps.Equal(got, want) {
				t.Fatalf("contents %v, want %v", got, want)
			}
		})
	}
}

func TestHashListpackOrderAndIntegers(t *testing.T) {
	h := NewHash()
	pairs := []string{"b", "2", "1", "one", "-5", "x", "007", "9223372036854775807", "a", "-9223372036854775808", "", ""}
	for i := 0; i < len(pairs); i += 2 {
		if !h.Set([]byte(pairs[i]), []byte(pairs[i+1]), hashDefaultLimits) {
			t.Fatalf("Set %q: not new", pairs[i])
		}
	}
	if h.Set([]byte("1"), []byte("uno"), hashDefaultLimits) {
		t.Fatal("overwrite reported new")
	}
	pairs[3] = "uno"
	var got []string
	h.Range(func(f, v []byte) bool {
		got = append(got, string(f), string(v))
		return true
	})
	if !slices.Equal(got, pairs) {
		t.Fatalf("order %q, want %q", got, pairs)
	}
	if err := encoding.LPValidate(h.Listpack()); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(pairs); i += 2 {
		var buf [20]byte
		v, ok := h.Get([]byte(pairs[i]), buf[:0])
		if !ok || string(v) != pairs[i+1] {
			t.Fatalf("Get %q = %q %v", pairs[i], v, ok)
		}
	}
	if h.Exists([]byte("01")) || h.Exists([]byte("7")) {
		t.Fatal("non-canonical integer matched an integer field")
	}
}

// TestHashRandomOps applies random operations to hashes under several
// thresholds and compares them with a map after each step.
func TestHashRandomOps(t *testing.T) {
	for _, lim := range []HashLimits{{128, 64}, {4, 64}, {16, 3}, {0, 64}} {
		t.Run(fmt.Sprintf("%d-%d", lim.MaxEntries, lim.MaxValue), func(t *testing.T) {
			rnd := rand.New(rand.NewPCG(1, uint64(lim.MaxEntries)))
			h := NewHash()
			model := map[string]string{}
			for step := 0; step < 20000; step++ {
				f := strconv.Itoa(rnd.IntN(300))
				if rnd.IntN(3) == 0 {
					f = "f" + f
				}
				switch rnd.IntN(4) {
				case 0, 1:
					v := strconv.Itoa(rnd.IntN(1000))
					if rnd.IntN(2) == 0 {
						v = "v" + v
					}
					_, had := model[f]
					if h.Set([]byte(f), []byte(v), lim) == had {
						t.Fatalf("step %d: Set %q new mismatch", step, f)
					}
					model[f] = v
				case 2:
					_, had := model[f]
					if h.Delete([]byte(f)) != had {
						t.Fatalf("step %d: Delete %q mismatch", step, f)
					}
					delete(model, f)
				case 3:
					var buf [20]byte
					v, ok := h.Get([]byte(f), buf[:0])
					mv, had := model[f]
					if ok != had || string(v) != mv {
						t.Fatalf("step %d: Get %q = %q %v, want %q %v", step, f, v, ok, mv, had)
					}
				}
				if h.Len() != len(model) {
					t.Fatalf("step %d: Len %d want %d", step, h.Len(), len(model))
				}
			}
			if got := hashContents(t, h); !maps.Equal(got, model) {
				t.Fatal("final contents differ")
			}
			d := h.Dup().(*Hash)
			d.Set([]byte("dup-only"), []byte("x"), lim)
			if h.Exists([]byte("dup-only")) {
				t.Fatal("Dup shares state")
			}
			if h.ht == nil {
				if err := encoding.LPValidate(h.lp); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestHashScanGuarantee checks HSCAN's guarantee on a table: fields
// present for the whole scan are all returned, while fields are added
// and removed (growing and shrinking the table) between steps.
func TestHashScanGuarantee(t *testing.T) {
	for _, grow := range []bool{true, false} {
		t.Run(fmt.Sprintf("grow=%v", grow), func(t *testing.T) {
			h := NewHashTable(0)
			n := 5000
			if !grow {
				for i := 0; i < 60000; i++ {
					h.Set([]byte("tmp"+strconv.Itoa(i)), []byte("x"), hashDefaultLimits)
				}
			}
			for i := 0; i < n; i++ {
				h.Set([]byte("stay"+strconv.Itoa(i)), []byte("v"), hashDefaultLimits)
			}
			seen := map[string]bool{}
			cursor, next, steps := uint64(0), 0, 0
			for {
				cursor = h.Scan(cursor, 10, func(f, _ []byte) { seen[string(f)] = true })
				steps++
				if grow {
					for j := 0; j < 3; j++ {
						h.Set([]byte("new"+strconv.Itoa(next)), []byte("x"), hashDefaultLimits)
						next++
					}
				} else {
					for j := 0; j < 50 && next < 60000; j++ {
						h.Delete([]byte("tmp" + strconv.Itoa(next)))
						next++
					}
				}
				if cursor == 0 {
					break
				}
			}
			for i := 0; i < n; i++ {
				if !seen["stay"+strconv.Itoa(i)] {
					t.Fatalf("stay%d never returned (%d steps)", i, steps)
				}
			}
		})
	}
}

func TestHashScanListpackWhole(t *testing.T) {
	h := NewHash()
	for i := 0; i < 20; i++ {
		h.Set([]byte(strconv.Itoa(i)), []byte("v"), hashDefaultLimits)
	}
	n := 0
	if c := h.Scan(77, 1, func(_, _ []byte) { n++ }); c != 0 || n != 20 {
		t.Fatalf("cursor %d, %d pairs", c, n)
	}
}

func TestHashRandom(t *testing.T) {
	for _, lim := range []HashLimits{hashDefaultLimits, {0, 64}} {
		h := NewHash()
		for i := 0; i < 10; i++ {
			h.Set([]byte("f"+strconv.Itoa(i)), []byte("v"+strconv.Itoa(i)), lim)
		}
		name := h.Encoding()
		check := func(f, v []byte) {
			if "v"+string(f[1:]) != string(v) {
				t.Fatalf("%s: pair %q %q", name, f, v)
			}
		}
		counts := map[string]int{}
		for i := 0; i < 10000; i++ {
			var fb, vb [20]byte
			f, v := h.RandomPair(fb[:0], vb[:0])
			check(f, v)
			counts[string(f)]++
		}
		h.RandomPairs(10000, func(f, v []byte) bool {
			check(f, v)
			counts[string(f)]++
			return true
		})
		for f, n := range counts {
			if n < 1500 || n > 2500 {
				t.Fatalf("%s: %s drawn %d times of 20000", name, f, n)
			}
		}
		for _, count := range []int{1, 2, 3, 4, 9, 10, 15} {
			seen := map[string]bool{}
			h.SampleUnique(count, func(f, v []byte) {
				check(f, v)
				if seen[string(f)] {
					t.Fatalf("%s: %q repeated", name, f)
				}
				seen[string(f)] = true
			})
			if want := min(count, 10); len(seen) != want {
				t.Fatalf("%s: SampleUnique(%d) gave %d", name, count, len(seen))
			}
		}
		// Every field is picked about equally by unique samples too.
		counts = map[string]int{}
		for i := 0; i < 5000; i++ {
			h.SampleUnique(2, func(f, _ []byte) { counts[string(f)]++ })
		}
		for f, n := range counts {
			if n < 700 || n > 1300 {
				t.Fatalf("%s: SampleUnique picked %s %d times of 10000", name, f, n)
			}
		}
	}
}

func TestHashFitLimits(t *testing.T) {
	tests := []struct {
		name  string
		pairs []string
		lim   HashLimits
		want  string
	}{
		{"fits", []string{"a", "1", "b", "2"}, HashLimits{2, 3}, "listpack"},
		{"too many", []string{"a", "1", "b", "2"}, HashLimits{1, 3}, "hashtable"},
		{"long value", []string{"a", "1", "b", "2222"}, HashLimits{2, 3}, "hashtable"},
		{"long integer field", []string{"12345", "1"}, HashLimits{2, 3}, "hashtable"},
	}
	for _, tc := range tests {
		lp := encoding.NewListpack()
		for _, p := range tc.pairs {
			lp = encoding.LPAppend(lp, []byte(p))
		}
		h := HashFromListpack(lp)
		h.FitLimits(tc.lim)
		if h.Encoding() != tc.want {
			t.Errorf("%s: %s, want %s", tc.name, h.Encoding(), tc.want)
		}
		if h.Len() != len(tc.pairs)/2 {
			t.Errorf("%s: Len %d", tc.name, h.Len())
		}
	}
}

func TestHashListpackShrinksOnDelete(t *testing.T) {
	h := NewHash()
	for i := 0; i < 100; i++ {
		h.Set([]byte("field"+strconv.Itoa(i)), []byte("some value"), hashDefaultLimits)
	}
	for i := 0; i < 99; i++ {
		h.Delete([]byte("field" + strconv.Itoa(i)))
	}
	if cap(h.lp) > 2*len(h.lp)+64 {
		t.Fatalf("listpack of %d bytes keeps %d", len(h.lp), cap(h.lp))
	}
	if err := encoding.LPValidate(h.lp); err != nil {
		t.Fatal(err)
	}
}

func TestHashDeleteShrinks(t *testing.T) {
	h := NewHashTable(0)
	for i := 0; i < 10000; i++ {
		h.Set([]byte(strconv.Itoa(i)), []byte("v"), hashDefaultLimits)
	}
	for i := 0; i < 9990; i++ {
		h.Delete([]byte(strconv.Itoa(i)))
	}
	if len(h.ht.buckets) > 64 || len(h.ht.slots) > 64 {
		t.Fatalf("buckets %d slots %d after deletes", len(h.ht.buckets), len(h.ht.slots))
	}
	got := hashContents(t, h)
	for i := 9990; i < 10000; i++ {
		if got[strconv.Itoa(i)] != "v" {
			t.Fatalf("lost %d", i)
		}
	}
}

// hashHeap returns the live heap after a collection.
func hashHeap() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestHashMemory reports the cost of a field in a large table and of a
// small listpack hash; Redis 7.0 uses about 72 bytes per field for the
// large case ("field:N" = "value:N", 1,000,000 fields).
func TestHashMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("memory measurement")
	}
	const n = 1_000_000
	before := hashHeap()
	h := NewHash()
	for i := 0; i < n; i++ {
		s := strconv.Itoa(i)
		h.Set([]byte("field:"+s), []byte("value:"+s), hashDefaultLimits)
	}
	per := float64(hashHeap()-before) / n
	t.Logf("hashtable: %.1f bytes/field", per)
	if per > 72*1.3 {
		t.Errorf("hashtable costs %.1f bytes/field", per)
	}
	runtime.KeepAlive(h)

	const small = 100_000
	hs := make([]*Hash, small)
	before = hashHeap()
	for i := range hs {
		hs[i] = NewHash()
		for j := 0; j < 10; j++ {
			hs[i].Set([]byte("field"+strconv.Itoa(j)), []byte("value"+strconv.Itoa(i)), hashDefaultLimits)
		}
		if hs[i].Encoding() != "listpack" {
			t.Fatal("small hash is not a listpack")
		}
	}
	t.Logf("10-field listpack hash: %.1f bytes", float64(hashHeap()-before)/small)
	runtime.KeepAlive(hs)
}

func BenchmarkHashSetListpack(b *testing.B) {
	fields := make([][]byte, 100)
	for i := range fields {
		fields[i] = []byte("field" + strconv.Itoa(i))
	}
	val := []byte("value")
	h := NewHash()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		h.Set(fields[i%100], val, hashDefaultLimits)
	}
}

func BenchmarkHashGetTable(b *testing.B) {
	h := NewHashTable(0)
	fields := make([][]byte, 100000)
	for i := range fields {
		fields[i] = []byte("field" + strconv.Itoa(i))
		h.Set(fields[i], []byte("v"), hashDefaultLimits)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		var buf [20]byte
		h.Get(fields[i%len(fields)], buf[:0])
	}
}
