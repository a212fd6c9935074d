package keyspace

import (
	"hash/maphash"
	"math/bits"
)

// Value types, as TYPE names them and as the RDB type byte groups them.
const (
	TypeString uint8 = iota
	TypeList
	TypeSet
	TypeZSet
	TypeHash
	TypeStream
)

// String value encodings, as OBJECT ENCODING names them (Redis decides at
// creation time and converts to raw on APPEND/SETRANGE/SETBIT).
const (
	EncRaw uint8 = iota
	EncEmbstr
	EncInt
)

// Entry is one key of a database. Strings are stored inline in Str; every
// other type keeps its value in Obj. Entries never move while they live, so
// a handler may hold an *Entry for the duration of a command.
//
// The fields a table walk reads (next, snap, LRU, the key's header) come
// first, so that a snapshot's walk under the lock touches one cache line
// per entry.
type Entry struct {
	next *Entry
	// snap is the epoch of the last snapshot that recorded this key (or
	// that began before the key was created); see snapshot.go.
	snap   uint16
	Type   uint8
	Enc    uint8  // string encoding; other types report theirs from Obj
	LRU    uint32 // LRU clock or LFU counter+time, as Redis's robj.lru
	Key    string
	Str    []byte // the value when Type == TypeString
	Obj    any    // the value for every other type
	Expire int64  // absolute unix time in ms; 0 when the key does not expire
}

// dictInitSize is the first bucket count, as Redis's DICT_HT_INITIAL_SIZE.
const dictInitSize = 4

// dictForceResizeRatio: while resizing is discouraged (a snapshot is being
// written, say) a table still grows once it is this many times overfull.
const dictForceResizeRatio = 5

var hashSeed = maphash.MakeSeed()

func hashKey(key string) uint64 { return maphash.String(hashSeed, key) }

// dict is a chained hash table with incremental rehashing, shaped like
// Redis's dict.c so that SCAN can keep its guarantee: a full iteration
// returns every key present for its whole duration, even while the table
// grows or shrinks, because cursors advance over the bucket index in
// reverse-binary order and both tables are visited during a rehash.
type dict struct {
	ht        [2][]*Entry
	used      [2]int
	rehashIdx int // -1 when not rehashing
}

func newDict() *dict { return &dict{rehashIdx: -1} }

func (d *dict) len() int { return d.used[0] + d.used[1] }

func (d *dict) rehashing() bool { return d.rehashIdx != -1 }

// rehashStep moves up to n buckets from the old table to the new one,
// visiting at most 10*n empty buckets, as dictRehash does.
func (d *dict) rehashStep(n int) {
	if !d.rehashing() {
		return
	}
	empty := n * 10
	for ; n > 0 && d.used[0] != 0; n-- {
		for d.ht[0][d.rehashIdx] == nil {
			d.rehashIdx++
			empty--
			if empty == 0 {
				return
			}
		}
		e := d.ht[0][d.rehashIdx]
		mask := uint64(len(d.ht[1]) - 1)
		for e != nil {
			next := e.next
			idx := hashKey(e.Key) & mask
			e.next = d.ht[1][idx]
			d.ht[1][idx] = e
			d.used[0]--
			d.used[1]++
			e = next
		}
		d.ht[0][d.rehashIdx] = nil
		d.rehashIdx++
	}
	if d.used[0] == 0 {
		d.ht[0], d.ht[1] = d.ht[1], nil
		d.used[0], d.used[1] = d.used[1], 0
		d.rehashIdx = -1
	}
}

// resize starts a rehash into a table of the smallest power of two >= size.
func (d *dict) resize(size int) {
	if d.rehashing() {
		return
	}
	n := dictInitSize
	if size > n {
		n = 1 << bits.Len(uint(size-1))
	}
	if n == len(d.ht[0]) {
		return
	}
	if d.ht[0] == nil {
		d.ht[0] = make([]*Entry, n)
		return
	}
	d.ht[1] = make([]*Entry, n)
	d.rehashIdx = 0
}

// expandIfNeeded grows the table when it is full (load factor 1), as
// _dictExpandIfNeeded does; canResize is false while a snapshot prefers the
// table to stay put, in which case only a badly overfull table grows.
func (d *dict) expandIfNeeded(canResize bool) {
	if d.rehashing() {
		return
	}
	if len(d.ht[0]) == 0 {
		d.resize(dictInitSize)
		return
	}
	if d.used[0] >= len(d.ht[0]) && (canResize || d.used[0]/len(d.ht[0]) > dictForceResizeRatio) {
		d.resize(d.used[0] + 1)
	}
}

// shrinkIfNeeded halves tables that fell under 10% fill, as htNeedsResize.
func (d *dict) shrinkIfNeeded() {
	size := len(d.ht[0])
	if d.rehashing() || size <= dictInitSize {
		return
	}
	if d.used[0]*100/size < 10 {
		d.resize(d.used[0])
	}
}

func (d *dict) find(key string) *Entry { return d.findHash(key, hashKey(key)) }

// findHash is find for a key whose hash h the caller has computed.
func (d *dict) findHash(key string, h uint64) *Entry {
	if d.len() == 0 {
		return nil
	}
	if d.rehashing() {
		d.rehashStep(1)
	}
	for t := 0; t < 2; t++ {
		tab := d.ht[t]
		if len(tab) == 0 {
			break
		}
		for e := tab[h&uint64(len(tab)-1)]; e != nil; e = e.next {
			if e.Key == key {
				return e
			}
		}
		if !d.rehashing() {
			break
		}
	}
	return nil
}

// add links a new entry; the caller has checked the key is absent.
func (d *dict) add(e *Entry, canResize bool) { d.addHash(e, hashKey(e.Key), canResize) }

// addHash is add for an entry whose key's hash h the caller has computed.
func (d *dict) addHash(e *Entry, h uint64, canResize bool) {
	if d.rehashing() {
		d.rehashStep(1)
	}
	d.expandIfNeeded(canResize)
	t := 0
	if d.rehashing() {
		t = 1
	}
	tab := d.ht[t]
	idx := h & uint64(len(tab)-1)
	e.next = tab[idx]
	tab[idx] = e
	d.used[t]++
}

// remove unlinks the entry with this key and returns it, or nil.
func (d *dict) remove(key string) *Entry {
	if d.len() == 0 {
		return nil
	}
	if d.rehashing() {
		d.rehashStep(1)
	}
	h := hashKey(key)
	for t := 0; t < 2; t++ {
		tab := d.ht[t]
		if len(tab) == 0 {
			break
		}
		idx := h & uint64(len(tab)-1)
		var prev *Entry
		for e := tab[idx]; e != nil; e = e.next {
			if e.Key == key {
				if prev == nil {
					tab[idx] = e.next
				} else {
					prev.next = e.next
				}
				e.next = nil
				d.used[t]--
				return e
			}
			prev = e
		}
		if !d.rehashing() {
			break
		}
	}
	return nil
}

// scan visits the buckets at cursor v (in both tables while rehashing) and
// returns the next cursor; 0 means the iteration is complete. This is the
// reverse-binary cursor algorithm of Redis's dictScan.
func (d *dict) scan(v uint64, fn func(e *Entry)) uint64 {
	if d.len() == 0 {
		return 0
	}
	if !d.rehashing() {
		t := d.ht[0]
		m := uint64(len(t) - 1)
		for e := t[v&m]; e != nil; {
			next := e.next
			fn(e)
			e = next
		}
		v |= ^m
		v = bits.Reverse64(v)
		v++
		return bits.Reverse64(v)
	}
	t0, t1 := d.ht[0], d.ht[1]
	if len(t0) > len(t1) {
		t0, t1 = t1, t0
	}
	m0, m1 := uint64(len(t0)-1), uint64(len(t1)-1)
	for e := t0[v&m0]; e != nil; {
		next := e.next
		fn(e)
		e = next
	}
	for {
		for e := t1[v&m1]; e != nil; {
			next := e.next
			fn(e)
			e = next
		}
		v |= ^m1
		v = bits.Reverse64(v)
		v++
		v = bits.Reverse64(v)
		if v&(m0^m1) == 0 {
			break
		}
	}
	return v
}

// randomEntry returns a random entry as dictGetFairRandomKey approximates:
// a random non-empty bucket, then a random element of its chain.
func (d *dict) randomEntry(rnd func(n uint64) uint64) *Entry {
	if d.len() == 0 {
		return nil
	}
	if d.rehashing() {
		d.rehashStep(1)
	}
	var head *Entry
	if d.rehashing() {
		s0 := uint64(len(d.ht[0]))
		s1 := uint64(len(d.ht[1]))
		for head == nil {
			// Buckets of ht[0] below rehashIdx are empty.
			h := uint64(d.rehashIdx) + rnd(s0+s1-uint64(d.rehashIdx))
			if h >= s0 {
				head = d.ht[1][h-s0]
			} else {
				head = d.ht[0][h]
			}
		}
	} else {
		s := uint64(len(d.ht[0]))
		for head == nil {
			head = d.ht[0][rnd(s)]
		}
	}
	n := uint64(0)
	for e := head; e != nil; e = e.next {
		n++
	}
	i := rnd(n)
	e := head
	for ; i > 0; i-- {
		e = e.next
	}
	return e
}

// each calls fn for every entry until fn returns false. fn must not add or
// remove entries.
func (d *dict) each(fn func(e *Entry) bool) bool {
	for t := 0; t < 2; t++ {
		for _, e := range d.ht[t] {
			for ; e != nil; e = e.next {
				if !fn(e) {
					return false
				}
			}
		}
	}
	return true
}
