package keyspace

import (
	"sort"
	"unsafe"
)

// Dataset accounting: what the keys and values hold, kept as a running
// count as Redis's zmalloc keeps used_memory, so that INFO's used_memory
// and maxmemory see a key's bytes the moment it is written or deleted,
// never garbage waiting for the collector.
//
// Each database counts the bytes of its linked entries (EntryBytes). A
// value changes in place while a command runs, so the count cannot follow
// every append: instead every entry a command may change is noted with the
// bytes the count holds for it (a write command's lookup, a new link), and
// Settle, called after each command, adds the difference between what each
// noted entry holds now and what was counted. Unlinking an entry takes out
// what the count holds for it. Every type reports its size in O(1)
// (MemoryUsage keeps running byte counts), so a command costs one size
// computation per key it writes.

// memNote is an entry a command may be changing and the bytes counted for
// it in its database's total.
type memNote struct {
	db      *DB
	e       *Entry
	counted int64
}

// memNotesIndexAt is the number of notes past which finding an entry
// uses the index map instead of a scan (MSET of many keys, DEBUG
// POPULATE).
const memNotesIndexAt = 16

// memAcct is the keyspace's pending notes.
type memAcct struct {
	notes []memNote
	index map[*Entry]int
}

// entryHeaderBytes is an Entry's own allocation, and dictSlotBytes a
// bucket pointer of the table that holds it.
const (
	entryHeaderBytes = int64(unsafe.Sizeof(Entry{}))
	dictSlotBytes    = 8
	// expireSlotBytes is a key's share of the expires set.
	expireSlotBytes = 24
)

// sizer is implemented by every value type: its bytes, in O(1).
type sizer interface{ MemoryUsage() int }

// EntryBytes is what e takes: the entry, its key and its value, rounded
// up to the allocator's size classes as Redis's zmalloc_size reports them.
func EntryBytes(e *Entry) int64 {
	n := entryHeaderBytes + AllocSize(len(e.Key)) + AllocSize(cap(e.Str))
	if m, ok := e.Obj.(sizer); ok {
		n += int64(m.MemoryUsage())
	}
	return n
}

// sizeClasses are the Go allocator's small object sizes; larger objects
// take whole 8 KiB pages.
var sizeClasses = [...]int{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
	288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792,
	2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728,
	10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768}

// classBy8 and classBy128 map a request, in steps of 8 bytes up to 1 KiB
// and of 128 bytes up to 32 KiB, to its size class (as the runtime's own
// size_to_class8 and size_to_class128 tables), so AllocSize is a lookup.
var classBy8, classBy128 = func() (by8 [1024/8 + 1]uint16, by128 [32768/128 + 1]uint16) {
	for i := range by8 {
		by8[i] = uint16(sizeClasses[sort.SearchInts(sizeClasses[:], i*8)])
	}
	for i := range by128 {
		by128[i] = uint16(sizeClasses[sort.SearchInts(sizeClasses[:], i*128)])
	}
	return by8, by128
}()

// AllocSize is the bytes the allocator gives a request of n bytes.
func AllocSize(n int) int64 {
	switch {
	case n <= 0:
		return 0
	case n <= 1024:
		return int64(classBy8[(n+7)>>3])
	case n <= 32768:
		return int64(classBy128[(n+127)>>7])
	}
	return int64((n + 8191) &^ 8191)
}

// noteWrite records that e, linked in db, may change: db's total holds
// EntryBytes(e) for it now. An entry already noted keeps its first note.
func (ks *Keyspace) noteWrite(db *DB, e *Entry) {
	if ks.mem.find(e) < 0 {
		ks.mem.add(memNote{db: db, e: e, counted: EntryBytes(e)})
	}
}

// noteLinked records that e was just linked in db: its total holds
// nothing for it yet.
func (ks *Keyspace) noteLinked(db *DB, e *Entry) {
	if ks.mem.find(e) < 0 {
		ks.mem.add(memNote{db: db, e: e})
	}
}

// add appends a note, indexing the notes once there are many.
func (m *memAcct) add(n memNote) {
	m.notes = append(m.notes, n)
	if len(m.notes) <= memNotesIndexAt {
		return
	}
	if m.index == nil {
		m.index = make(map[*Entry]int, 2*memNotesIndexAt)
	}
	if len(m.index) == 0 {
		for i, n := range m.notes {
			m.index[n.e] = i
		}
		return
	}
	m.index[n.e] = len(m.notes) - 1
}

// find is the index of e's note, or -1. Past memNotesIndexAt notes the
// index map holds every note; below it is empty.
func (m *memAcct) find(e *Entry) int {
	if len(m.notes) > memNotesIndexAt {
		if i, ok := m.index[e]; ok {
			return i
		}
		return -1
	}
	for i := len(m.notes) - 1; i >= 0; i-- {
		if m.notes[i].e == e {
			return i
		}
	}
	return -1
}

// forget removes e from its database's total as it is unlinked: what a
// pending note counted, or its current size.
func (ks *Keyspace) forget(db *DB, e *Entry) {
	m := &ks.mem
	i := m.find(e)
	if i < 0 {
		db.bytes -= EntryBytes(e)
		return
	}
	db.bytes -= m.notes[i].counted
	indexed := len(m.notes) > memNotesIndexAt
	last := len(m.notes) - 1
	if i != last {
		m.notes[i] = m.notes[last]
		if indexed {
			m.index[m.notes[i].e] = i
		}
	}
	m.notes[last] = memNote{}
	m.notes = m.notes[:last]
	if indexed {
		delete(m.index, e)
		if len(m.notes) <= memNotesIndexAt {
			clear(m.index)
		}
	}
}

// Settle brings every database's total up to date with the entries
// changed since the last call. The dispatcher calls it after each command,
// loaders after each key.
func (ks *Keyspace) Settle() {
	m := &ks.mem
	if len(m.notes) == 0 {
		return
	}
	for i := range m.notes {
		n := &m.notes[i]
		n.db.bytes += EntryBytes(n.e) - n.counted
		*n = memNote{}
	}
	m.notes = m.notes[:0]
	if len(m.index) > 0 {
		clear(m.index)
	}
}

// EntrySlotBytes is what e's table slot and expiry record take beside
// EntryBytes.
func EntrySlotBytes(e *Entry) uint64 {
	if e.Expire != 0 {
		return dictSlotBytes + expireSlotBytes
	}
	return dictSlotBytes
}

// DataBytes is the dataset's memory: every database's entries, values and
// the tables and expiry sets that hold them. Call after Settle.
func (ks *Keyspace) DataBytes() int64 {
	var n int64
	for _, db := range ks.DBs {
		n += db.bytes + int64(db.count)*dictSlotBytes + int64(len(db.expires))*expireSlotBytes
	}
	return n
}

// Bytes is db's share of DataBytes, without its tables.
func (db *DB) Bytes() int64 { return db.bytes }
