package types

import (
	"encoding/binary"
	"hash/maphash"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
	"unsafe"

	"shoal/internal/encoding"
)

// The hash type, as Redis 7.0's t_hash.c: a small hash is one listpack of
// field,value pairs in insertion order; it becomes a hash table when a
// field or value is longer than hash-max-listpack-value bytes or the hash
// grows past hash-max-listpack-entries fields, and never goes back.
//
// The hash table is chained, as Redis's dict, so that HSCAN can keep the
// SCAN guarantee with a reverse-binary cursor: every field present for a
// whole scan is returned at least once, even if the table is resized
// between calls (a resize happens all at once inside one command, never
// during a scan step). Entries live in one slice of slots linked by index
// rather than as one Go object each: a field costs its slot (24 bytes),
// its bucket share (4 to 8 bytes) and one allocation holding field and
// value together.

// HashLimits are the thresholds of the listpack encoding
// (hash-max-listpack-entries and hash-max-listpack-value).
type HashLimits struct {
	MaxEntries int
	MaxValue   int
}

// Hash is a hash value: exactly one of lp (listpack encoding) and ht
// (hashtable encoding) is in use.
type Hash struct {
	lp []byte
	ht *hashTable
}

// NewHash returns an empty listpack-encoded hash.
func NewHash() *Hash { return &Hash{lp: encoding.NewListpack()} }

// NewHashTable returns an empty hashtable-encoded hash with room for hint
// fields (an RDB loader creating a large hash).
func NewHashTable(hint int) *Hash {
	return &Hash{ht: newHashTable(hint)}
}

// HashFromListpack returns a listpack-encoded hash that takes ownership of
// lp, a valid listpack of field,value pairs (RESTORE, RDB loading).
func HashFromListpack(lp []byte) *Hash { return &Hash{lp: lp} }

// Listpack returns the listpack of a listpack-encoded hash (aliasing it;
// read only), or nil for a hashtable-encoded one (DUMP).
func (h *Hash) Listpack() []byte {
	if h.ht != nil {
		return nil
	}
	return h.lp
}

// Encoding is OBJECT ENCODING's name: "listpack" or "hashtable".
func (h *Hash) Encoding() string {
	if h.ht != nil {
		return "hashtable"
	}
	return "listpack"
}

// Len returns the number of fields.
func (h *Hash) Len() int {
	if h.ht != nil {
		return h.ht.used
	}
	return encoding.LPLen(h.lp) / 2
}

// Dup returns a deep copy (COPY). Stored field/value strings are
// immutable, so the table copy shares them.
func (h *Hash) Dup() any {
	if h.ht == nil {
		return &Hash{lp: append([]byte(nil), h.lp...)}
	}
	t := *h.ht
	t.slots = append([]hashSlot(nil), h.ht.slots...)
	t.buckets = append([]uint32(nil), h.ht.buckets...)
	return &Hash{ht: &t}
}

// MemoryUsage estimates the bytes the hash holds.
func (h *Hash) MemoryUsage() int {
	const header = 16 + 24
	if h.ht == nil {
		return header + cap(h.lp)
	}
	t := h.ht
	return header + 64 + cap(t.slots)*int(unsafe.Sizeof(hashSlot{})) + cap(t.buckets)*4 + t.bytes
}

// ConvertToHashtable switches a listpack-encoded hash to the hashtable
// encoding (no-op when it already is).
func (h *Hash) ConvertToHashtable() {
	if h.ht != nil {
		return
	}
	t := newHashTable(h.Len())
	h.rangeListpack(func(f, v []byte) bool {
		t.insert(f, v)
		return true
	})
	h.ht, h.lp = t, nil
}

// FitLimits converts a listpack-encoded hash to a hash table when it holds
// more than lim.MaxEntries fields or a field or value longer than
// lim.MaxValue bytes, as Redis checks a hash loaded from RDB or RESTORE.
func (h *Hash) FitLimits(lim HashLimits) {
	if h.ht != nil {
		return
	}
	over := h.Len() > lim.MaxEntries
	if !over {
		h.rangeListpack(func(f, v []byte) bool {
			over = len(f) > lim.MaxValue || len(v) > lim.MaxValue
			return !over
		})
	}
	if over {
		h.ConvertToHashtable()
	}
}

// Get returns the value of field. An integer stored in the listpack is
// formatted into buf, so the result may alias buf, the listpack or the
// table: it is valid until the hash changes and must not be modified.
func (h *Hash) Get(field, buf []byte) (val []byte, ok bool) {
	if h.ht != nil {
		i := h.ht.find(field)
		if i < 0 {
			return nil, false
		}
		return hashKVValue(h.ht.slots[i].kv), true
	}
	_, vpos := encoding.LPFindPair(h.lp, field)
	if vpos < 0 {
		return nil, false
	}
	str, iv, isInt, _ := encoding.LPEntryAt(h.lp, vpos)
	if isInt {
		return strconv.AppendInt(buf[:0], iv, 10), true
	}
	return str, true
}

// Exists reports whether field is present.
func (h *Hash) Exists(field []byte) bool {
	if h.ht != nil {
		return h.ht.find(field) >= 0
	}
	f, _ := encoding.LPFindPair(h.lp, field)
	return f >= 0
}

// Set sets field to val and reports whether the field is new. A
// listpack-encoded hash converts to a hash table first when field or val
// is longer than lim.MaxValue, and after the insert when it holds more
// than lim.MaxEntries fields.
func (h *Hash) Set(field, val []byte, lim HashLimits) (added bool) {
	if h.ht == nil && (len(field) > lim.MaxValue || len(val) > lim.MaxValue) {
		h.ConvertToHashtable()
	}
	if h.ht != nil {
		return h.ht.set(field, val)
	}
	fpos, vpos := encoding.LPFindPair(h.lp, field)
	if fpos >= 0 {
		end := encoding.LPNext(h.lp, vpos)
		if end < 0 {
			end = len(h.lp) - 1
		}
		h.lp = hashLPReserve(h.lp, len(val)+10)
		h.lp = encoding.LPSplice(h.lp, vpos, end, 1, val)
		return false
	}
	h.lp = hashLPReserve(h.lp, len(field)+len(val)+20)
	h.lp = encoding.LPAppend(h.lp, field)
	h.lp = encoding.LPAppend(h.lp, val)
	if h.Len() > lim.MaxEntries {
		h.ConvertToHashtable()
	}
	return true
}

// Delete removes field and reports whether it was present.
func (h *Hash) Delete(field []byte) bool {
	if h.ht != nil {
		return h.ht.remove(field)
	}
	fpos, vpos := encoding.LPFindPair(h.lp, field)
	if fpos < 0 {
		return false
	}
	end := encoding.LPNext(h.lp, vpos)
	if end < 0 {
		end = len(h.lp) - 1
	}
	h.lp = encoding.LPSplice(h.lp, fpos, end, 2)
	if cap(h.lp) > 2*len(h.lp)+64 {
		h.lp = append(make([]byte, 0, len(h.lp)+len(h.lp)/8), h.lp...)
	}
	return true
}

// Range calls fn for every field and value, in insertion order for a
// listpack and slot order for a table, until fn returns false. The slices
// are valid only during the call; fn must not change the hash.
func (h *Hash) Range(fn func(field, val []byte) bool) {
	if h.ht == nil {
		h.rangeListpack(fn)
		return
	}
	for i := range h.ht.slots {
		kv := h.ht.slots[i].kv
		if kv == "" {
			continue
		}
		if !fn(hashKVField(kv), hashKVValue(kv)) {
			return
		}
	}
}

// Scan is HSCAN's step: a listpack hash is returned whole and the next
// cursor is 0; a table visits buckets from cursor in reverse-binary order
// until it has produced count elements (a field and a value count as two,
// as Redis counts them) or visited count*10 buckets, and returns the next
// cursor, 0 when the scan is complete.
func (h *Hash) Scan(cursor uint64, count int64, fn func(field, val []byte)) uint64 {
	if h.ht == nil {
		h.rangeListpack(func(f, v []byte) bool {
			fn(f, v)
			return true
		})
		return 0
	}
	var n int64
	budget := count * 10
	if count > 1<<59 {
		budget = 1 << 62
	}
	for {
		cursor = h.ht.scan(cursor, func(kv string) {
			fn(hashKVField(kv), hashKVValue(kv))
			n += 2
		})
		if cursor == 0 || budget == 0 || n >= count {
			return cursor
		}
		budget--
	}
}

// RandomPair returns a random field and its value; the hash must not be
// empty. Integers in a listpack are formatted into fbuf and vbuf.
func (h *Hash) RandomPair(fbuf, vbuf []byte) (field, val []byte) {
	if h.ht != nil {
		kv := h.ht.slots[h.ht.randomSlot()].kv
		return hashKVField(kv), hashKVValue(kv)
	}
	p := encoding.LPFirst(h.lp)
	for i := rand.IntN(h.Len()); i > 0; i-- {
		p = encoding.LPNext(h.lp, encoding.LPNext(h.lp, p))
	}
	return hashLPPair(h.lp, p, fbuf, vbuf)
}

// RandomPairs calls fn count times with a random pair each time, repeats
// allowed (HRANDFIELD with a negative count), until fn returns false; the
// hash must not be empty.
func (h *Hash) RandomPairs(count int, fn func(field, val []byte) bool) {
	if h.ht != nil {
		for ; count > 0; count-- {
			kv := h.ht.slots[h.ht.randomSlot()].kv
			if !fn(hashKVField(kv), hashKVValue(kv)) {
				return
			}
		}
		return
	}
	offs := make([]int, 0, h.Len())
	for p := encoding.LPFirst(h.lp); p >= 0; p = encoding.LPNext(h.lp, encoding.LPNext(h.lp, p)) {
		offs = append(offs, p)
	}
	var fb, vb [20]byte
	for ; count > 0; count-- {
		if !fn(hashLPPair(h.lp, offs[rand.IntN(len(offs))], fb[:0], vb[:0])) {
			return
		}
	}
}

// SampleUnique calls fn for count distinct random pairs (HRANDFIELD with a
// positive count). count >= Len returns every pair in Range order; a
// listpack returns its sample in listpack order, as Redis 7.0 does; a
// table returns it in random order.
func (h *Hash) SampleUnique(count int, fn func(field, val []byte)) {
	n := h.Len()
	if count >= n {
		h.Range(func(f, v []byte) bool {
			fn(f, v)
			return true
		})
		return
	}
	if h.ht == nil {
		// Selection sampling: each pair is taken with probability
		// needed/remaining, which picks a uniform subset in order.
		need, left := count, n
		h.rangeListpack(func(f, v []byte) bool {
			if rand.IntN(left) < need {
				fn(f, v)
				need--
			}
			left--
			return need > 0
		})
		return
	}
	t := h.ht
	if count*3 > n {
		live := make([]uint32, 0, n)
		for i := range t.slots {
			if t.slots[i].kv != "" {
				live = append(live, uint32(i))
			}
		}
		for i := 0; i < count; i++ {
			j := i + rand.IntN(len(live)-i)
			live[i], live[j] = live[j], live[i]
			kv := t.slots[live[i]].kv
			fn(hashKVField(kv), hashKVValue(kv))
		}
		return
	}
	seen := make(map[int]struct{}, count)
	for len(seen) < count {
		i := t.randomSlot()
		if _, dup := seen[i]; dup {
			continue
		}
		seen[i] = struct{}{}
		kv := t.slots[i].kv
		fn(hashKVField(kv), hashKVValue(kv))
	}
}

// rangeListpack walks the pairs of the listpack encoding.
func (h *Hash) rangeListpack(fn func(field, val []byte) bool) {
	var fb, vb [20]byte
	it := encoding.NewLPIter(h.lp)
	for {
		fs, fi, fint, ok := it.Next()
		if !ok {
			return
		}
		vs, vi, vint, _ := it.Next()
		if fint {
			fs = strconv.AppendInt(fb[:0], fi, 10)
		}
		if vint {
			vs = strconv.AppendInt(vb[:0], vi, 10)
		}
		if !fn(fs, vs) {
			return
		}
	}
}

// hashLPPair decodes the pair whose field entry is at offset p.
func hashLPPair(lp []byte, p int, fbuf, vbuf []byte) (field, val []byte) {
	fs, fi, fint, next := encoding.LPEntryAt(lp, p)
	vs, vi, vint, _ := encoding.LPEntryAt(lp, next)
	if fint {
		fs = strconv.AppendInt(fbuf[:0], fi, 10)
	}
	if vint {
		vs = strconv.AppendInt(vbuf[:0], vi, 10)
	}
	return fs, vs
}

// hashLPReserve makes room for extra more bytes in lp, growing it by an
// eighth rather than doubling, so that many small hashes stay tight.
func hashLPReserve(lp []byte, extra int) []byte {
	need := len(lp) + extra
	if need <= cap(lp) {
		return lp
	}
	n := make([]byte, len(lp), need+need/8)
	copy(n, lp)
	return n
}

// hashSeed seeds the field hash function of every table.
var hashSeed = maphash.MakeSeed()

func hashOf(field []byte) uint32 { return uint32(maphash.Bytes(hashSeed, field)) }

// hashSlot is one field of a table: kv holds the field's length as a
// uvarint, the field and the value ("" marks a free slot); next is the
// 1-based index of the next slot of the bucket chain (or of the free
// list), 0 at the end; hash is the field's hash, kept for resizing.
type hashSlot struct {
	kv   string
	next uint32
	hash uint32
}

// hashTable is the hashtable encoding: a chained table whose chains link
// slots by index. Its bucket count is a power of two, doubled when the
// fields outnumber the buckets and shrunk when they fill less than a
// tenth, as Redis's dict; slots freed by deletes are reused, and the slot
// slice is compacted when more than half of it is free.
type hashTable struct {
	slots   []hashSlot
	buckets []uint32
	free    uint32 // 1-based head of the free slot list
	used    int
	bytes   int // sum of len(kv) over live slots
}

// hashTableMinSize is the smallest bucket count (DICT_HT_INITIAL_SIZE).
const hashTableMinSize = 4

func newHashTable(hint int) *hashTable {
	return &hashTable{
		slots:   make([]hashSlot, 0, hint),
		buckets: make([]uint32, hashTableSize(hint)),
	}
}

// hashTableSize is the bucket count for n fields: the smallest power of two
// at least n, and at least hashTableMinSize.
func hashTableSize(n int) int {
	if n <= hashTableMinSize {
		return hashTableMinSize
	}
	return 1 << bits.Len(uint(n-1))
}

// hashKVField returns the field part of a slot's kv, as read-only bytes.
func hashKVField(kv string) []byte {
	n, w := binary.Uvarint(hashStrBytes(kv))
	return hashStrBytes(kv[w : w+int(n)])
}

// hashKVValue returns the value part of a slot's kv, as read-only bytes.
func hashKVValue(kv string) []byte {
	n, w := binary.Uvarint(hashStrBytes(kv))
	return hashStrBytes(kv[w+int(n):])
}

// hashStrBytes views s as bytes without copying; the bytes must not be
// modified.
func hashStrBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

// hashMakeKV packs field and value into one allocation.
func hashMakeKV(field, val []byte) string {
	var hdr [binary.MaxVarintLen64]byte
	h := binary.PutUvarint(hdr[:], uint64(len(field)))
	var b strings.Builder
	b.Grow(h + len(field) + len(val))
	b.Write(hdr[:h])
	b.Write(field)
	b.Write(val)
	return b.String()
}

// find returns the slot index of field, or -1.
func (t *hashTable) find(field []byte) int {
	hv := hashOf(field)
	for i := t.buckets[hv&uint32(len(t.buckets)-1)]; i != 0; {
		s := &t.slots[i-1]
		if s.hash == hv && string(hashKVField(s.kv)) == string(field) {
			return int(i - 1)
		}
		i = s.next
	}
	return -1
}

// set stores field=val and reports whether the field is new.
func (t *hashTable) set(field, val []byte) bool {
	if i := t.find(field); i >= 0 {
		s := &t.slots[i]
		t.bytes -= len(s.kv)
		s.kv = hashMakeKV(field, val)
		t.bytes += len(s.kv)
		return false
	}
	t.insert(field, val)
	return true
}

// insert adds field=val, which must not be present.
func (t *hashTable) insert(field, val []byte) {
	if t.used >= len(t.buckets) {
		t.rehash(hashTableSize(t.used + 1))
	}
	hv := hashOf(field)
	kv := hashMakeKV(field, val)
	var i uint32
	if t.free != 0 {
		i = t.free
		t.free = t.slots[i-1].next
	} else {
		t.slots = append(t.slots, hashSlot{})
		i = uint32(len(t.slots))
	}
	b := hv & uint32(len(t.buckets)-1)
	t.slots[i-1] = hashSlot{kv: kv, next: t.buckets[b], hash: hv}
	t.buckets[b] = i
	t.used++
	t.bytes += len(kv)
}

// remove deletes field and reports whether it was present.
func (t *hashTable) remove(field []byte) bool {
	hv := hashOf(field)
	b := hv & uint32(len(t.buckets)-1)
	link := &t.buckets[b]
	for i := *link; i != 0; i = *link {
		s := &t.slots[i-1]
		if s.hash == hv && string(hashKVField(s.kv)) == string(field) {
			*link = s.next
			t.bytes -= len(s.kv)
			*s = hashSlot{next: t.free}
			t.free = i
			t.used--
			t.shrinkIfNeeded()
			return true
		}
		link = &s.next
	}
	return false
}

// shrinkIfNeeded compacts the slots when more than half are free, and
// shrinks the buckets when less than a tenth are used.
func (t *hashTable) shrinkIfNeeded() {
	if len(t.slots) >= 64 && t.used < len(t.slots)/2 {
		live := make([]hashSlot, 0, t.used+t.used/8)
		for _, s := range t.slots {
			if s.kv != "" {
				live = append(live, hashSlot{kv: s.kv, hash: s.hash})
			}
		}
		t.slots, t.free = live, 0
		t.rehash(len(t.buckets))
	}
	if len(t.buckets) > hashTableMinSize && t.used*10 < len(t.buckets) {
		t.rehash(hashTableSize(t.used))
	}
}

// rehash rebuilds the bucket array with size buckets. Free slots are
// skipped, so their next links (the free list) stay as they are.
func (t *hashTable) rehash(size int) {
	if cap(t.buckets) >= size && len(t.buckets) == size {
		clear(t.buckets)
	} else {
		t.buckets = make([]uint32, size)
	}
	mask := uint32(size - 1)
	for i := range t.slots {
		s := &t.slots[i]
		if s.kv == "" {
			continue
		}
		b := s.hash & mask
		s.next = t.buckets[b]
		t.buckets[b] = uint32(i + 1)
	}
}

// randomSlot returns the index of a uniformly random live slot; the table
// must not be empty. At least half of the slots are live once there are
// 64 of them, so few draws are needed.
func (t *hashTable) randomSlot() int {
	for {
		i := rand.IntN(len(t.slots))
		if t.slots[i].kv != "" {
			return i
		}
	}
}

// scan visits the chain of bucket v's and returns the next cursor in
// reverse-binary order (Redis's dictScan on a table that is not
// rehashing).
func (t *hashTable) scan(v uint64, fn func(kv string)) uint64 {
	if t.used == 0 {
		return 0
	}
	m := uint64(len(t.buckets) - 1)
	for i := t.buckets[v&m]; i != 0; {
		s := &t.slots[i-1]
		fn(s.kv)
		i = s.next
	}
	v |= ^m
	v = bits.Reverse64(v)
	v++
	return bits.Reverse64(v)
}
