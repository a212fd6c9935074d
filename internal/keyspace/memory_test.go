package keyspace

import (
	"fmt"
	"testing"
)

// walkBytes is what a database's count must equal after Settle: the sum
// of EntryBytes over its entries.
func walkBytes(db *DB) int64 {
	var n int64
	db.Each(func(e *Entry) bool {
		n += EntryBytes(e)
		return true
	})
	return n
}

func TestAllocSize(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want int64
	}{{0, 0}, {1, 8}, {8, 8}, {9, 16}, {100, 112}, {32768, 32768}, {32769, 40960}, {100000, 106496}} {
		if got := AllocSize(tc.n); got != tc.want {
			t.Errorf("AllocSize(%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// TestDatasetAccounting runs writes as commands make them (a write lookup
// or a new link, a change in place, Settle) and checks every database's
// count against a walk of its entries.
func TestDatasetAccounting(t *testing.T) {
	ks := New(2, false, nil)
	db, other := ks.DBs[0], ks.DBs[1]
	check := func(step string) {
		t.Helper()
		ks.Settle()
		for _, d := range ks.DBs {
			if got, want := d.Bytes(), walkBytes(d); got != want {
				t.Fatalf("%s: db%d counts %d, entries take %d", step, d.ID, got, want)
			}
		}
	}
	set := func(key string, size int) {
		e := db.Lookup([]byte(key))
		if e == nil {
			e = db.Add([]byte(key), TypeString)
		}
		e.Str = make([]byte, size)
	}
	set("a", 10)
	check("new key")
	set("a", 1000)
	check("grown in place")
	set("a", 3)
	check("shrunk in place")

	// One command writing many keys, some twice, past the notes' index.
	for i := 0; i < 100; i++ {
		set(fmt.Sprint("k", i%40), i)
	}
	check("many keys in one command")

	// A key changed and then deleted in the same command.
	set("a", 5000)
	db.Delete([]byte("a"))
	check("changed then deleted")
	for i := 0; i < 30; i++ {
		set(fmt.Sprint("k", i), 2000)
		if i%2 == 0 {
			db.Delete([]byte(fmt.Sprint("k", i)))
		}
	}
	check("changed then deleted, indexed")

	// MOVE and RENAME carry the entry's bytes with it.
	db.Relocate([]byte("k1"), other, []byte("moved"))
	db.Relocate([]byte("k3"), db, []byte("renamed-with-a-longer-key"))
	check("relocated")

	db.Swap(other)
	check("swapped")
	db.Flush()
	other.Flush()
	check("flushed")
	if n := ks.DataBytes(); n != 0 {
		t.Fatalf("DataBytes after FLUSHALL = %d, want 0", n)
	}
}

// TestReadOnlyLookupsAreNotNoted checks that a read-only command's lookups
// cost no note.
func TestReadOnlyLookupsAreNotNoted(t *testing.T) {
	ks := New(1, false, nil)
	db := ks.DBs[0]
	db.Add([]byte("k"), TypeString).Str = []byte("v")
	ks.Settle()
	ks.ReadCommand = true
	db.Lookup([]byte("k"))
	ks.ReadCommand = false
	if len(ks.mem.notes) != 0 {
		t.Fatalf("read-only lookup left %d notes", len(ks.mem.notes))
	}
}

// TestAllocSizeMatchesClasses checks the lookup tables against the size
// class list for every small size.
func TestAllocSizeMatchesClasses(t *testing.T) {
	c := 0
	for n := 1; n <= 32768; n++ {
		for sizeClasses[c] < n {
			c++
		}
		if got := AllocSize(n); got != int64(sizeClasses[c]) {
			t.Fatalf("AllocSize(%d) = %d, want %d", n, got, sizeClasses[c])
		}
	}
}

// BenchmarkWriteAccounting is what the accounting adds to a write command:
// the note at its lookup and the Settle after it (compare with
// BenchmarkReadLookup, the same lookup by a read-only command).
func BenchmarkWriteAccounting(b *testing.B) {
	ks := New(1, false, nil)
	db := ks.DBs[0]
	key := []byte("key:000123")
	db.Add(key, TypeString).Str = make([]byte, 16)
	ks.Settle()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e := db.Lookup(key)
		e.Str = e.Str[:16]
		ks.Settle()
	}
}

func BenchmarkReadLookup(b *testing.B) {
	ks := New(1, false, nil)
	db := ks.DBs[0]
	key := []byte("key:000123")
	db.Add(key, TypeString).Str = make([]byte, 16)
	ks.Settle()
	ks.ReadCommand = true
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		e := db.Lookup(key)
		e.Str = e.Str[:16]
	}
}
