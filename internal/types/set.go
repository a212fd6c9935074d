package types

import (
	"encoding/binary"
	"hash/maphash"
	"math"
	"math/bits"
	"strconv"
	"unsafe"

	"shoal/internal/encoding"
)

// Set is a Redis set value, as Redis 7.0's t_set.c keeps it: an intset
// (one sorted byte slice of integers) while every member is an integer in
// string2ll form and there are at most set-max-intset-entries of them, and
// a hash table otherwise. A set never converts back to an intset, except
// when it is rebuilt (SPOP's keep-the-rest strategy, STORE results, loads).
//
// Members handed to callbacks and returned by Random are views valid until
// the set is next modified; they must not be written to.
type Set struct {
	is []byte   // the intset when ht is nil
	ht *setDict // the hash table encoding
}

// NewSet returns an empty set encoded as an intset, as createIntsetObject
// (the destination of SINTERSTORE, SUNIONSTORE and SDIFFSTORE).
func NewSet() *Set {
	return &Set{is: encoding.IntsetFromSorted(nil, nil)}
}

// NewSetFor returns an empty set able to hold first, as setTypeCreate: an
// intset when first is an integer, else a hash table.
func NewSetFor(first []byte) *Set {
	if _, ok := ParseInt(first); ok {
		return NewSet()
	}
	return &Set{ht: newSetDict(0)}
}

// SetFromMembers builds a set from members as an RDB load of a plain set
// does: an intset while the members allow it and there are at most
// maxIntset of them, else a hash table. Duplicates are ignored.
func SetFromMembers(members [][]byte, maxIntset int) *Set {
	var s *Set
	if len(members) > maxIntset {
		s = &Set{ht: newSetDict(len(members))}
	} else {
		s = NewSet()
	}
	for _, m := range members {
		s.Add(m, maxIntset)
	}
	return s
}

// SetFromIntset builds a set from the bytes of a serialized intset (an RDB
// or DUMP payload), converting it to a hash table when it holds more than
// maxIntset values. The bytes are validated and copied.
func SetFromIntset(is []byte, maxIntset int) (*Set, error) {
	if err := encoding.IntsetValidate(is); err != nil {
		return nil, err
	}
	s := &Set{is: append([]byte(nil), is...)}
	if s.Len() > maxIntset {
		s.convert(s.Len())
	}
	return s, nil
}

// IntsetBytes returns the intset of an intset-encoded set (for DUMP and
// RDB), or nil for a hash table. The caller must not modify it.
func (s *Set) IntsetBytes() []byte {
	if s.ht != nil {
		return nil
	}
	return s.is
}

// IsIntset reports whether the set is intset-encoded.
func (s *Set) IsIntset() bool { return s.ht == nil }

// Encoding is OBJECT ENCODING's name for the set.
func (s *Set) Encoding() string {
	if s.ht == nil {
		return "intset"
	}
	return "hashtable"
}

// Len is the number of members.
func (s *Set) Len() int {
	if s.ht == nil {
		return encoding.IntsetLen(s.is)
	}
	return len(s.ht.ents)
}

// Dup returns a deep copy (COPY).
func (s *Set) Dup() any {
	if s.ht == nil {
		return &Set{is: append([]byte(nil), s.is...)}
	}
	return &Set{ht: s.ht.dup()}
}

// MemoryUsage estimates the bytes the set occupies.
func (s *Set) MemoryUsage() int {
	const header = int(unsafe.Sizeof(Set{}))
	if s.ht == nil {
		return header + cap(s.is)
	}
	return header + s.ht.memoryUsage()
}

// Has reports whether m is a member.
func (s *Set) Has(m []byte) bool {
	if s.ht == nil {
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		_, found := setIntsetSearch(s.is, v)
		return found
	}
	return s.ht.find(m, maphash.Bytes(setHashSeed, m)) >= 0
}

// Add adds m and reports whether it was new, as setTypeAdd: an intset
// becomes a hash table when m is not an integer or when it grows past
// maxIntset values.
func (s *Set) Add(m []byte, maxIntset int) bool {
	if s.ht == nil {
		if v, ok := ParseInt(m); ok {
			var added bool
			s.is, added = setIntsetAdd(s.is, v)
			if added && s.Len() > maxIntset {
				s.convert(s.Len())
			}
			return added
		}
		s.convert(s.Len() + 1)
	}
	return s.ht.add(m)
}

// Remove deletes m and reports whether it was a member. A hash table
// shrinks when it falls under 10% fill, as htNeedsResize.
func (s *Set) Remove(m []byte) bool {
	if s.ht == nil {
		v, ok := ParseInt(m)
		if !ok {
			return false
		}
		var removed bool
		s.is, removed = setIntsetRemove(s.is, v)
		return removed
	}
	return s.ht.remove(m)
}

// convert turns an intset into a hash table sized for n members.
func (s *Set) convert(n int) {
	d := newSetDict(n)
	var buf [20]byte
	for i, l := 0, encoding.IntsetLen(s.is); i < l; i++ {
		d.add(strconv.AppendInt(buf[:0], encoding.IntsetAt(s.is, i), 10))
	}
	s.is = nil
	s.ht = d
}

// Each calls fn for every member until fn returns false: in ascending
// integer order for an intset, in table order for a hash table. The set
// must not be modified during the walk.
func (s *Set) Each(fn func(m []byte) bool) {
	if s.ht == nil {
		var buf [20]byte
		for i, l := 0, encoding.IntsetLen(s.is); i < l; i++ {
			if !fn(strconv.AppendInt(buf[:0], encoding.IntsetAt(s.is, i), 10)) {
				return
			}
		}
		return
	}
	for i := range s.ht.ents {
		if !fn(setBytes(s.ht.ents[i].m)) {
			return
		}
	}
}

// Random returns a uniformly chosen member of a non-empty set; rnd(n)
// returns a random number in [0, n). buf is scratch space the member of an
// intset is formatted into.
func (s *Set) Random(rnd func(n uint64) uint64, buf []byte) []byte {
	n := uint64(s.Len())
	i := int(rnd(n))
	if s.ht == nil {
		return strconv.AppendInt(buf[:0], encoding.IntsetAt(s.is, i), 10)
	}
	return setBytes(s.ht.ents[i].m)
}

// Scan visits one step of an SSCAN iteration from cursor and returns the
// next cursor, 0 when the iteration is complete. An intset is visited
// whole in one step. For a hash table the reverse-binary cursor of Redis's
// dictScan guarantees that every member present for the whole iteration
// is returned, even when the table grows or shrinks between steps. The
// set must not be modified from fn.
func (s *Set) Scan(cursor uint64, fn func(m []byte)) uint64 {
	if s.ht == nil {
		s.Each(func(m []byte) bool { fn(m); return true })
		return 0
	}
	return s.ht.scan(cursor, fn)
}

// setBytes views a member string as bytes without copying; the bytes must
// not be written to.
func setBytes(m string) []byte {
	return unsafe.Slice(unsafe.StringData(m), len(m))
}

// --- intset operations (the layout is internal/encoding's) ---

const setIntsetHeader = 8

// setIntsetWidth returns the bytes per value an intset needs for v.
func setIntsetWidth(v int64) int {
	switch {
	case v < math.MinInt32 || v > math.MaxInt32:
		return 8
	case v < math.MinInt16 || v > math.MaxInt16:
		return 4
	}
	return 2
}

// setIntsetSearch returns the position of v in is, or where it would be
// inserted, and whether it is present.
func setIntsetSearch(is []byte, v int64) (int, bool) {
	n := encoding.IntsetLen(is)
	if n == 0 {
		return 0, false
	}
	enc := int(binary.LittleEndian.Uint32(is))
	if setIntsetWidth(v) > enc {
		if v < 0 {
			return 0, false
		}
		return n, false
	}
	lo, hi := 0, n
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		cur := encoding.IntsetAt(is, mid)
		switch {
		case cur == v:
			return mid, true
		case cur < v:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return lo, false
}

// setIntsetPut writes v at position i of is with width enc.
func setIntsetPut(is []byte, enc, i int, v int64) {
	p := is[setIntsetHeader+i*enc:]
	switch enc {
	case 2:
		binary.LittleEndian.PutUint16(p, uint16(v))
	case 4:
		binary.LittleEndian.PutUint32(p, uint32(v))
	default:
		binary.LittleEndian.PutUint64(p, uint64(v))
	}
}

// setIntsetAdd inserts v, upgrading the width when v needs a wider one.
func setIntsetAdd(is []byte, v int64) ([]byte, bool) {
	enc := int(binary.LittleEndian.Uint32(is))
	n := encoding.IntsetLen(is)
	if w := setIntsetWidth(v); w > enc {
		// A value that needs a wider encoding is below or above every
		// value present: re-encode and put it at an end.
		out := make([]byte, setIntsetHeader+(n+1)*w)
		binary.LittleEndian.PutUint32(out, uint32(w))
		binary.LittleEndian.PutUint32(out[4:], uint32(n+1))
		off := 0
		if v < 0 {
			setIntsetPut(out, w, 0, v)
			off = 1
		} else {
			setIntsetPut(out, w, n, v)
		}
		for i := 0; i < n; i++ {
			setIntsetPut(out, w, i+off, encoding.IntsetAt(is, i))
		}
		return out, true
	}
	pos, found := setIntsetSearch(is, v)
	if found {
		return is, false
	}
	for k := 0; k < enc; k++ {
		is = append(is, 0)
	}
	start := setIntsetHeader + pos*enc
	copy(is[start+enc:], is[start:len(is)-enc])
	setIntsetPut(is, enc, pos, v)
	binary.LittleEndian.PutUint32(is[4:], uint32(n+1))
	return is, true
}

// setIntsetRemove deletes v; the width never shrinks, as in Redis.
func setIntsetRemove(is []byte, v int64) ([]byte, bool) {
	pos, found := setIntsetSearch(is, v)
	if !found {
		return is, false
	}
	enc := int(binary.LittleEndian.Uint32(is))
	n := encoding.IntsetLen(is)
	start := setIntsetHeader + pos*enc
	copy(is[start:], is[start+enc:])
	is = is[:len(is)-enc]
	binary.LittleEndian.PutUint32(is[4:], uint32(n-1))
	return is, true
}

// --- hash table encoding ---

var setHashSeed = maphash.MakeSeed()

// setDictInitSize is DICT_HT_INITIAL_SIZE.
const setDictInitSize = 4

// setEntry is one member of a hash-table set.
type setEntry struct {
	m    string
	h    uint64
	next int32 // index+1 of the next entry of the bucket's chain, 0 at the end
}

// setDict is a chained hash table whose entries live densely in one slice
// (a removal moves the last entry into the hole), so a uniform random
// member costs O(1) and the garbage collector sees one pointer per member,
// the string. Buckets are a power of two and are walked by SSCAN in
// reverse-binary cursor order, as Redis's dictScan. The table is resized
// at once when it fills up (load factor 1) or falls under 10% fill.
type setDict struct {
	ents    []setEntry
	buckets []int32 // index+1 of the first entry of each chain
	bytes   int     // total length of the members
}

func newSetDict(n int) *setDict {
	d := &setDict{ents: make([]setEntry, 0, n)}
	d.rebuild(setDictSizeFor(n))
	return d
}

// setDictSizeFor is the bucket count for n members: the smallest power of
// two >= n, at least setDictInitSize, as _dictNextExp.
func setDictSizeFor(n int) int {
	if n <= setDictInitSize {
		return setDictInitSize
	}
	return 1 << bits.Len(uint(n-1))
}

// rebuild relinks every entry into size buckets.
func (d *setDict) rebuild(size int) {
	if cap(d.buckets) >= size && cap(d.buckets) <= 2*size {
		d.buckets = d.buckets[:size]
		clear(d.buckets)
	} else {
		d.buckets = make([]int32, size)
	}
	mask := uint64(size - 1)
	for i := range d.ents {
		b := d.ents[i].h & mask
		d.ents[i].next = d.buckets[b]
		d.buckets[b] = int32(i + 1)
	}
}

func (d *setDict) find(m []byte, h uint64) int {
	for i := d.buckets[h&uint64(len(d.buckets)-1)]; i != 0; i = d.ents[i-1].next {
		e := &d.ents[i-1]
		if e.h == h && e.m == string(m) {
			return int(i - 1)
		}
	}
	return -1
}

func (d *setDict) add(m []byte) bool {
	h := maphash.Bytes(setHashSeed, m)
	if d.find(m, h) >= 0 {
		return false
	}
	if len(d.ents) >= len(d.buckets) {
		d.rebuild(setDictSizeFor(len(d.ents) + 1))
	}
	b := h & uint64(len(d.buckets)-1)
	d.ents = append(d.ents, setEntry{m: string(m), h: h, next: d.buckets[b]})
	d.buckets[b] = int32(len(d.ents))
	d.bytes += len(m)
	return true
}

// unlinkRef replaces the reference to entry index+1 in its chain by repl.
func (d *setDict) unlinkRef(idx int, repl int32) {
	ref := &d.buckets[d.ents[idx].h&uint64(len(d.buckets)-1)]
	for *ref != int32(idx+1) {
		ref = &d.ents[*ref-1].next
	}
	*ref = repl
}

func (d *setDict) remove(m []byte) bool {
	i := d.find(m, maphash.Bytes(setHashSeed, m))
	if i < 0 {
		return false
	}
	d.unlinkRef(i, d.ents[i].next)
	d.bytes -= len(d.ents[i].m)
	last := len(d.ents) - 1
	if i != last {
		d.unlinkRef(last, int32(i+1))
		d.ents[i] = d.ents[last]
	}
	d.ents[last] = setEntry{}
	d.ents = d.ents[:last]
	if size := len(d.buckets); size > setDictInitSize && len(d.ents)*100/size < 10 {
		d.rebuild(setDictSizeFor(len(d.ents)))
		if cap(d.ents) > 4*len(d.ents)+setDictInitSize {
			d.ents = append(make([]setEntry, 0, 2*len(d.ents)), d.ents...)
		}
	}
	return true
}

func (d *setDict) dup() *setDict {
	return &setDict{
		ents:    append([]setEntry(nil), d.ents...),
		buckets: append([]int32(nil), d.buckets...),
		bytes:   d.bytes,
	}
}

func (d *setDict) memoryUsage() int {
	const ent = int(unsafe.Sizeof(setEntry{}))
	return int(unsafe.Sizeof(*d)) + cap(d.ents)*ent + cap(d.buckets)*4 + d.bytes
}

// scan visits the bucket at cursor v and returns the next cursor in
// reverse-binary order.
func (d *setDict) scan(v uint64, fn func(m []byte)) uint64 {
	if len(d.ents) == 0 {
		return 0
	}
	mask := uint64(len(d.buckets) - 1)
	for i := d.buckets[v&mask]; i != 0; i = d.ents[i-1].next {
		fn(setBytes(d.ents[i-1].m))
	}
	v |= ^mask
	v = bits.Reverse64(v)
	v++
	return bits.Reverse64(v)
}
