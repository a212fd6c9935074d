package snapshot

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"sort"
	"strings"
	"sync"
	"testing"

	"shoal/internal/keyspace"
)

// textEncoder writes "db:key=value" lines, so a test can read an image back.
type textEncoder struct{}

func (textEncoder) Header(dst []byte) []byte { return append(dst, "HEADER\n"...) }

func (textEncoder) SelectDB(dst []byte, db int, size, expires uint64) []byte {
	return fmt.Appendf(dst, "DB %d\n", db)
}

func (textEncoder) Record(dst []byte, e *keyspace.Entry) ([]byte, error) {
	return fmt.Appendf(dst, "%s=%s\n", e.Key, e.Str), nil
}

// parseImage turns an image into db -> key -> value.
func parseImage(t *testing.T, img string) map[int]map[string]string {
	t.Helper()
	out := map[int]map[string]string{}
	db := -1
	for _, line := range strings.Split(strings.TrimSuffix(img, "\n"), "\n") {
		switch {
		case line == "HEADER":
		case strings.HasPrefix(line, "DB "):
			fmt.Sscanf(line, "DB %d", &db)
			if out[db] == nil {
				out[db] = map[string]string{}
			}
		default:
			k, v, _ := strings.Cut(line, "=")
			if db < 0 {
				t.Fatalf("record before SELECT: %q", line)
			}
			if _, dup := out[db][k]; dup {
				t.Fatalf("key %q recorded twice in db %d", k, db)
			}
			out[db][k] = v
		}
	}
	return out
}

func contents(ks *keyspace.Keyspace) map[int]map[string]string {
	out := map[int]map[string]string{}
	for _, db := range ks.DBs {
		db.Each(func(e *keyspace.Entry) bool {
			if out[db.ID] == nil {
				out[db.ID] = map[string]string{}
			}
			out[db.ID][e.Key] = string(e.Str)
			return true
		})
	}
	return out
}

func newKeyspace(cluster bool, seed uint64) *keyspace.Keyspace {
	r := rand.New(rand.NewPCG(seed, 1))
	return keyspace.New(4, cluster, func(n uint64) uint64 {
		if n == 0 {
			return 0
		}
		return r.Uint64N(n)
	})
}

func set(db *keyspace.DB, key, val string) {
	if e := db.LookupWrite([]byte(key)); e != nil {
		e.Str = []byte(val)
		return
	}
	e := db.Add([]byte(key), keyspace.TypeString)
	e.Str = []byte(val)
}

// TestPointInTime changes the keyspace at random between steps (writes,
// deletes, creations, FLUSHDB, SWAPDB, moves) and checks that the image is
// exactly the keyspace as it was when the snapshot began.
func TestPointInTime(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		for seed := uint64(1); seed <= 20; seed++ {
			t.Run(fmt.Sprintf("cluster=%v/seed=%d", cluster, seed), func(t *testing.T) {
				ks := newKeyspace(cluster, seed)
				r := rand.New(rand.NewPCG(seed, 2))
				for i := 0; i < 2000; i++ {
					set(ks.DBs[r.IntN(4)], fmt.Sprintf("k%d", r.IntN(3000)), fmt.Sprint(i))
				}
				want := contents(ks)
				snap := New(ks, textEncoder{})
				var img []byte
				var spare []byte
				for step := 0; ; step++ {
					done := snap.Step(1 + r.IntN(50))
					img = append(img, snap.Take(spare)...)
					img = snap.Encode(img)
					if done {
						break
					}
					for j := 0; j < 20; j++ {
						db := ks.DBs[r.IntN(4)]
						key := fmt.Sprintf("k%d", r.IntN(3500))
						switch op := r.IntN(100); {
						case op < 50:
							set(db, key, fmt.Sprintf("new%d-%d", step, j))
						case op < 85:
							db.Delete([]byte(key))
						case op < 88:
							db.Flush()
						case op < 91:
							db.Swap(ks.DBs[r.IntN(4)])
						default:
							if db.Find([]byte(key)) != nil {
								to := ks.DBs[r.IntN(4)]
								nk := fmt.Sprintf("m%d-%d", step, j)
								if to.Find([]byte(nk)) == nil {
									db.Relocate([]byte(key), to, []byte(nk))
								}
							}
						}
					}
				}
				if ks.SnapshotActive() {
					t.Fatal("hook still installed after the walk")
				}
				got := parseImage(t, string(img))
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("image differs from the keyspace at start: %d dbs vs %d", len(got), len(want))
				}
			})
		}
	}
}

// TestFrozen checks that a frozen snapshot records every key once and does
// not disturb an active background snapshot.
func TestFrozen(t *testing.T) {
	ks := newKeyspace(false, 7)
	for i := 0; i < 500; i++ {
		set(ks.DBs[i%3], fmt.Sprintf("k%d", i), fmt.Sprint(i))
	}
	want := contents(ks)
	bg := New(ks, textEncoder{})
	bg.Step(10)
	bgImg := bg.Encode(bg.Take(nil))
	frozen := NewFrozen(ks, textEncoder{})
	for !frozen.Step(100) {
	}
	if got := parseImage(t, string(frozen.Take(nil))); !reflect.DeepEqual(got, want) {
		t.Fatal("frozen image differs")
	}
	set(ks.DBs[0], "k0", "changed")
	for !bg.Step(100) {
		bgImg = bg.Encode(append(bgImg, bg.Take(nil)...))
	}
	bgImg = append(bgImg, bg.Take(nil)...)
	if got := parseImage(t, string(bgImg)); !reflect.DeepEqual(got, want) {
		t.Fatal("background image differs")
	}
	keys := make([]string, 0)
	for k := range want[0] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if len(keys) == 0 {
		t.Fatal("empty db 0")
	}
}

// TestAbort checks that an aborted snapshot removes its hook.
func TestAbort(t *testing.T) {
	ks := newKeyspace(false, 3)
	set(ks.DBs[0], "a", "1")
	s := New(ks, textEncoder{})
	s.Abort()
	if ks.SnapshotActive() {
		t.Fatal("hook still installed")
	}
	set(ks.DBs[0], "a", "2")
	if s.Take(nil) == nil {
		t.Fatal("header missing")
	}
}

// TestConcurrentEncode runs the walk as the server does: steps under a
// lock, Encode without it on another goroutine, while this one keeps
// writing, deleting, flushing and swapping under the lock (run with
// -race: a write must never reach a value Encode reads). The image is the
// keyspace as it was when the snapshot began.
func TestConcurrentEncode(t *testing.T) {
	for seed := uint64(1); seed <= 5; seed++ {
		ks := newKeyspace(false, seed)
		r := rand.New(rand.NewPCG(seed, 3))
		for i := 0; i < 20000; i++ {
			set(ks.DBs[r.IntN(4)], fmt.Sprintf("k%d", r.IntN(30000)), fmt.Sprint(i))
		}
		want := contents(ks)
		var mu sync.Mutex
		mu.Lock()
		snap := New(ks, textEncoder{})
		mu.Unlock()
		imgc := make(chan []byte)
		go func() {
			var img, spare []byte
			for {
				mu.Lock()
				done := snap.Step(64)
				buf := snap.Take(spare)
				mu.Unlock()
				buf = snap.Encode(buf)
				img = append(img, buf...)
				spare = buf
				if done {
					imgc <- img
					return
				}
			}
		}()
		var img []byte
		for i := 0; img == nil; i++ {
			mu.Lock()
			db := ks.DBs[r.IntN(4)]
			key := fmt.Sprintf("k%d", r.IntN(30000))
			switch op := r.IntN(1000); {
			case op < 600:
				// In place, as APPEND does.
				if e := db.LookupWrite([]byte(key)); e != nil {
					e.Str = append(e.Str[:0], "changed"...)
				} else {
					set(db, key, "new")
				}
			case op < 998:
				db.Delete([]byte(key))
			case op < 999:
				db.Flush()
			default:
				db.Swap(ks.DBs[r.IntN(4)])
			}
			mu.Unlock()
			select {
			case img = <-imgc:
			default:
			}
		}
		if got := parseImage(t, string(img)); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d: image differs from the keyspace at start", seed)
		}
	}
}
