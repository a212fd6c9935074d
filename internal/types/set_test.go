package types

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"shoal/internal/encoding"
)

// setMembers returns the members of s in iteration order.
func setMembers(s *Set) []string {
	var out []string
	s.Each(func(m []byte) bool {
		out = append(out, string(m))
		return true
	})
	return out
}

func TestSetEncoding(t *testing.T) {
	tests := []struct {
		name    string
		max     int
		members []string
		enc     string
	}{
		{"ints", 512, []string{"1", "-2", "3"}, "intset"},
		{"extremes", 512, []string{"9223372036854775807", "-9223372036854775808"}, "intset"},
		{"string", 512, []string{"1", "a"}, "hashtable"},
		{"leading zero", 512, []string{"01"}, "hashtable"},
		{"minus zero", 512, []string{"-0"}, "hashtable"},
		{"plus", 512, []string{"+1"}, "hashtable"},
		{"overflow", 512, []string{"9223372036854775808"}, "hashtable"},
		{"at limit", 3, []string{"1", "2", "3"}, "intset"},
		{"over limit", 3, []string{"1", "2", "3", "4"}, "hashtable"},
		{"duplicates at limit", 3, []string{"1", "2", "3", "3", "2"}, "intset"},
		{"zero limit", 0, []string{"1"}, "hashtable"},
		{"empty string", 512, []string{""}, "hashtable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := NewSetFor([]byte(tc.members[0]))
			for _, m := range tc.members {
				s.Add([]byte(m), tc.max)
			}
			if got := s.Encoding(); got != tc.enc {
				t.Errorf("encoding %q, want %q", got, tc.enc)
			}
			for _, m := range tc.members {
				if !s.Has([]byte(m)) {
					t.Errorf("missing %q", m)
				}
			}
		})
	}
}

func TestSetNewSetFor(t *testing.T) {
	if NewSetFor([]byte("12")).Encoding() != "intset" {
		t.Error("integer first member should make an intset")
	}
	if NewSetFor([]byte("x")).Encoding() != "hashtable" {
		t.Error("string first member should make a hash table")
	}
	if NewSet().Len() != 0 || NewSet().Encoding() != "intset" {
		t.Error("NewSet should be an empty intset")
	}
}

func TestSetIntsetOrderAndWidth(t *testing.T) {
	tests := []struct {
		add   []int64
		width uint32
	}{
		{[]int64{3, 1, 2}, 2},
		{[]int64{1, 40000}, 4},
		{[]int64{1, -40000}, 4},
		{[]int64{5, math.MaxInt64}, 8},
		{[]int64{5, math.MinInt64, 7, -1}, 8},
		{[]int64{math.MinInt16, math.MaxInt16, 0}, 2},
		{[]int64{math.MinInt32, math.MaxInt32}, 4},
		{[]int64{math.MaxInt32 + 1}, 8},
	}
	for _, tc := range tests {
		s := NewSet()
		for _, v := range tc.add {
			if !s.Add([]byte(strconv.FormatInt(v, 10)), 512) {
				t.Fatalf("%v: add %d reported existing", tc.add, v)
			}
		}
		is := s.IntsetBytes()
		if err := encoding.IntsetValidate(is); err != nil {
			t.Fatalf("%v: invalid intset: %v", tc.add, err)
		}
		if w := uint32(is[0]) | uint32(is[1])<<8; w != tc.width {
			t.Errorf("%v: width %d, want %d", tc.add, w, tc.width)
		}
		want := slices.Clone(tc.add)
		slices.Sort(want)
		var wantS []string
		for _, v := range want {
			wantS = append(wantS, strconv.FormatInt(v, 10))
		}
		if got := setMembers(s); !slices.Equal(got, wantS) {
			t.Errorf("%v: members %v, want %v", tc.add, got, wantS)
		}
	}
}

func TestSetRemoveKeepsWidth(t *testing.T) {
	s := NewSet()
	s.Add([]byte("1"), 512)
	s.Add([]byte("5000000000"), 512)
	if !s.Remove([]byte("5000000000")) || s.Remove([]byte("5000000000")) {
		t.Fatal("remove reported wrongly")
	}
	if s.Remove([]byte("x")) || s.Remove([]byte("01")) {
		t.Fatal("removed a non-member")
	}
	if w := s.IntsetBytes()[0]; w != 8 {
		t.Errorf("width %d after remove, want 8 (never downgraded)", w)
	}
	if got := setMembers(s); !slices.Equal(got, []string{"1"}) {
		t.Errorf("members %v", got)
	}
}

// TestSetModel checks random operations on both encodings against a map.
func TestSetModel(t *testing.T) {
	for _, max := range []int{0, 4, 64, 512} {
		rnd := rand.New(rand.NewPCG(uint64(max), 7))
		s := NewSet()
		model := map[string]bool{}
		for i := 0; i < 20000; i++ {
			var m string
			switch rnd.IntN(4) {
			case 0:
				m = "m" + strconv.Itoa(rnd.IntN(300))
			default:
				m = strconv.Itoa(rnd.IntN(600) - 300)
			}
			switch rnd.IntN(3) {
			case 0, 1:
				if got := s.Add([]byte(m), max); got == model[m] {
					t.Fatalf("max %d op %d: Add(%q) = %v with model %v", max, i, m, got, model[m])
				}
				model[m] = true
			default:
				if got := s.Remove([]byte(m)); got != model[m] {
					t.Fatalf("max %d op %d: Remove(%q) = %v with model %v", max, i, m, got, model[m])
				}
				delete(model, m)
			}
			if s.Len() != len(model) {
				t.Fatalf("max %d op %d: Len %d, model %d", max, i, s.Len(), len(model))
			}
		}
		got := setMembers(s)
		if len(got) != len(model) {
			t.Fatalf("max %d: iterated %d members, model %d", max, len(got), len(model))
		}
		for _, m := range got {
			if !model[m] || !s.Has([]byte(m)) {
				t.Fatalf("max %d: unexpected member %q", max, m)
			}
		}
		d := s.Dup().(*Set)
		if !slices.Equal(setMembers(d), got) || d.Encoding() != s.Encoding() {
			t.Fatalf("max %d: Dup differs", max)
		}
		for m := range model {
			s.Remove([]byte(m))
		}
		if s.Len() != 0 || d.Len() != len(model) {
			t.Fatalf("max %d: Dup shares state with the original", max)
		}
		if s.MemoryUsage() <= 0 {
			t.Fatalf("max %d: MemoryUsage %d", max, s.MemoryUsage())
		}
	}
}

func TestSetRandomCoversAll(t *testing.T) {
	for _, members := range [][]string{{"1", "2", "3", "4", "5"}, {"a", "b", "c", "d", "e"}} {
		s := SetFromMembers(setBytesList(members), 512)
		rnd := rand.New(rand.NewPCG(1, 2))
		seen := map[string]int{}
		var buf [20]byte
		for i := 0; i < 5000; i++ {
			seen[string(s.Random(func(n uint64) uint64 { return rnd.Uint64N(n) }, buf[:0]))]++
		}
		for _, m := range members {
			if seen[m] < 800 || seen[m] > 1200 {
				t.Errorf("%s drawn %d times out of 5000 (distribution %v)", m, seen[m], seen)
			}
		}
	}
}

func setBytesList(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

// TestSetScanUnderGrowth checks the SSCAN guarantee: members present for
// the whole iteration are all returned, even while the table grows and
// shrinks between steps.
func TestSetScanUnderGrowth(t *testing.T) {
	s := SetFromMembers(setBytesList([]string{"x"}), 512)
	for i := 0; i < 100; i++ {
		s.Add([]byte("base"+strconv.Itoa(i)), 512)
	}
	seen := map[string]bool{}
	cursor, steps, extra := uint64(0), 0, 0
	for {
		cursor = s.Scan(cursor, func(m []byte) { seen[string(m)] = true })
		steps++
		// Grow by a lot, then shrink those back, while scanning.
		switch {
		case steps < 20:
			for j := 0; j < 300; j++ {
				s.Add([]byte("extra"+strconv.Itoa(extra)), 512)
				extra++
			}
		case steps < 40:
			for j := 0; j < extra; j++ {
				s.Remove([]byte("extra" + strconv.Itoa(j)))
			}
		}
		if cursor == 0 {
			break
		}
		if steps > 1_000_000 {
			t.Fatal("scan does not terminate")
		}
	}
	for i := 0; i < 100; i++ {
		if !seen["base"+strconv.Itoa(i)] {
			t.Errorf("base%d never returned", i)
		}
	}
	if !seen["x"] {
		t.Error("x never returned")
	}
}

func TestSetScanIntsetWhole(t *testing.T) {
	s := SetFromMembers(setBytesList([]string{"3", "1", "2"}), 512)
	var got []string
	if c := s.Scan(12345, func(m []byte) { got = append(got, string(m)) }); c != 0 {
		t.Errorf("cursor %d, want 0", c)
	}
	if !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("got %v", got)
	}
}

func TestSetFromMembersAndIntset(t *testing.T) {
	s := SetFromMembers(setBytesList([]string{"5", "1", "5", "3"}), 512)
	if s.Encoding() != "intset" || s.Len() != 3 {
		t.Fatalf("got %s len %d", s.Encoding(), s.Len())
	}
	is := s.IntsetBytes()
	r, err := SetFromIntset(is, 512)
	if err != nil || !slices.Equal(setMembers(r), []string{"1", "3", "5"}) {
		t.Fatalf("SetFromIntset: %v %v", setMembers(r), err)
	}
	r, err = SetFromIntset(is, 2)
	if err != nil || r.Encoding() != "hashtable" || r.Len() != 3 || r.IntsetBytes() != nil {
		t.Fatalf("SetFromIntset over the limit: %v %v", r.Encoding(), err)
	}
	if _, err := SetFromIntset([]byte{2, 0, 0, 0, 2, 0, 0, 0, 5, 0, 1, 0}, 512); err == nil {
		t.Fatal("unsorted intset accepted")
	}
	if _, err := SetFromIntset([]byte{1, 2}, 512); err == nil {
		t.Fatal("short intset accepted")
	}
	if got := SetFromMembers(setBytesList([]string{"a", "1"}), 512).Encoding(); got != "hashtable" {
		t.Errorf("mixed members: %s", got)
	}
	if got := SetFromMembers(setBytesList([]string{"1", "2", "3"}), 2).Encoding(); got != "hashtable" {
		t.Errorf("too many members: %s", got)
	}
}

func TestSetAddAllocs(t *testing.T) {
	s := NewSetFor([]byte("a"))
	for i := 0; i < 1000; i++ {
		s.Add([]byte("m"+strconv.Itoa(i)), 512)
	}
	m := []byte("m500")
	if n := testing.AllocsPerRun(100, func() {
		if !s.Has(m) || s.Add(m, 512) {
			t.Fatal("m500 missing")
		}
	}); n != 0 {
		t.Errorf("Has+Add of an existing member allocates %v", n)
	}
	is := NewSet()
	for i := 0; i < 100; i++ {
		is.Add([]byte(strconv.Itoa(i)), 512)
	}
	v := []byte("50")
	if n := testing.AllocsPerRun(100, func() { is.Has(v) }); n != 0 {
		t.Errorf("intset Has allocates %v", n)
	}
}
