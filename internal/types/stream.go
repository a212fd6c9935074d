package types

import (
	"encoding/binary"
	"math"
	"slices"
	"strconv"

	"shoal/internal/encoding"
)

// Streams, as Redis 7.0's t_stream.c keeps them: entries live in nodes
// that are Redis-format listpacks (the bytes RDB and DUMP store), each
// keyed by its master ID, the ID of the first entry ever inserted in it.
// A node starts with a master entry
//
//	count | deleted | num-fields | field_1 ... field_N | 0
//
// followed by the entries, each
//
//	flags | ms-diff | seq-diff | [num-fields | field_1] value_1 ... | lp-count
//
// where the fields are omitted when they equal the master entry's
// (flag SAMEFIELDS), IDs are deltas from the master ID and lp-count lets the
// node be walked backwards. Deleted entries stay in place with the DELETED
// flag until their whole node is emptied. Nodes are kept in a slice sorted
// by master ID, so a stream of a million entries costs one allocation per
// node, not per entry.

// Stream entry flags, as STREAM_ITEM_FLAG_*.
const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

// StreamListpackMaxSize is STREAM_LISTPACK_MAX_SIZE: the node size cap when
// stream-node-max-bytes is 0 or larger, and the largest total size of one
// entry's fields and values.
const StreamListpackMaxSize = 1 << 30

// streamPrealloc is STREAM_LISTPACK_MAX_PRE_ALLOCATE: the capacity a new
// node starts with.
const streamPrealloc = 4096

// StreamID is an entry ID: milliseconds and sequence number.
type StreamID struct {
	Ms, Seq uint64
}

// MaxStreamID is the largest ID, "+" in a range.
var MaxStreamID = StreamID{math.MaxUint64, math.MaxUint64}

// Compare returns -1, 0 or 1 as id is smaller than, equal to or greater
// than o.
func (id StreamID) Compare(o StreamID) int {
	switch {
	case id.Ms < o.Ms:
		return -1
	case id.Ms > o.Ms:
		return 1
	case id.Seq < o.Seq:
		return -1
	case id.Seq > o.Seq:
		return 1
	}
	return 0
}

// Less reports whether id sorts before o.
func (id StreamID) Less(o StreamID) bool { return id.Compare(o) < 0 }

// IsZero reports whether id is 0-0.
func (id StreamID) IsZero() bool { return id.Ms == 0 && id.Seq == 0 }

// Incr returns the next ID (streamIncrID); ok is false past the maximum.
func (id StreamID) Incr() (StreamID, bool) {
	if id.Seq == math.MaxUint64 {
		if id.Ms == math.MaxUint64 {
			return StreamID{}, false
		}
		return StreamID{id.Ms + 1, 0}, true
	}
	return StreamID{id.Ms, id.Seq + 1}, true
}

// Decr returns the previous ID (streamDecrID); ok is false before 0-0.
func (id StreamID) Decr() (StreamID, bool) {
	if id.Seq == 0 {
		if id.Ms == 0 {
			return StreamID{}, false
		}
		return StreamID{id.Ms - 1, math.MaxUint64}, true
	}
	return StreamID{id.Ms, id.Seq - 1}, true
}

// AppendTo appends "ms-seq" to dst.
func (id StreamID) AppendTo(dst []byte) []byte {
	dst = strconv.AppendUint(dst, id.Ms, 10)
	dst = append(dst, '-')
	return strconv.AppendUint(dst, id.Seq, 10)
}

// String is "ms-seq".
func (id StreamID) String() string { return string(id.AppendTo(nil)) }

// Key returns the 128-bit big-endian form Redis uses as radix-tree key (and
// RDB stores before each node), which sorts as the IDs do.
func (id StreamID) Key() [16]byte {
	var k [16]byte
	binary.BigEndian.PutUint64(k[:8], id.Ms)
	binary.BigEndian.PutUint64(k[8:], id.Seq)
	return k
}

// StreamIDFromKey decodes a 128-bit big-endian ID.
func StreamIDFromKey(k []byte) StreamID {
	return StreamID{binary.BigEndian.Uint64(k[:8]), binary.BigEndian.Uint64(k[8:16])}
}

// ParseStreamID parses an ID argument as streamGenericParseIDOrReply: "-"
// and "+" (unless strict), "ms" (the sequence is missingSeq) and "ms-seq",
// where each part is read as string2ull reads it. With allowSeqStar the
// form "ms-*" is accepted and seqGiven reports whether the sequence was
// given.
func ParseStreamID(b []byte, missingSeq uint64, strict, allowSeqStar bool) (id StreamID, seqGiven, ok bool) {
	if len(b) > 127 {
		return id, false, false
	}
	// Redis reads the argument as a C string.
	for i, c := range b {
		if c == 0 {
			b = b[:i]
			break
		}
	}
	if len(b) == 1 && (b[0] == '-' || b[0] == '+') {
		if strict {
			return id, false, false
		}
		if b[0] == '-' {
			return StreamID{}, true, true
		}
		return MaxStreamID, true, true
	}
	dash := -1
	for i, c := range b {
		if c == '-' {
			dash = i
			break
		}
	}
	if dash < 0 {
		ms, ok := parseStreamUint(b)
		return StreamID{ms, missingSeq}, true, ok
	}
	ms, ok := parseStreamUint(b[:dash])
	if !ok {
		return id, false, false
	}
	rest := b[dash+1:]
	if allowSeqStar && len(rest) == 1 && rest[0] == '*' {
		return StreamID{ms, 0}, false, true
	}
	seq, ok := parseStreamUint(rest)
	return StreamID{ms, seq}, true, ok
}

// parseStreamUint is Redis's string2ull: a canonical int64 must not be
// negative; anything else goes through strtoull (leading spaces, a sign,
// leading zeros, and a '-' that wraps modulo 2^64 are all accepted).
func parseStreamUint(b []byte) (uint64, bool) {
	if v, ok := ParseInt(b); ok {
		return uint64(v), v >= 0
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	if i == len(b) {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(c-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// streamNode is one listpack of entries and its master ID.
type streamNode struct {
	master StreamID
	lp     []byte
}

// Stream is a stream value: its entries and its consumer groups.
type Stream struct {
	nodes  []streamNode
	length uint64

	// LastID is the last ID ever generated (last_id).
	LastID StreamID
	// FirstID is the first live entry's ID, 0-0 when empty (first_id).
	FirstID StreamID
	// MaxDeletedID is the largest ID removed by XDEL (max_deleted_entry_id).
	MaxDeletedID StreamID
	// EntriesAdded counts every entry ever added (entries_added).
	EntriesAdded uint64

	groups []*StreamGroup // sorted by name

	// lpBytes is the nodes' allocated listpack bytes, kept by every change
	// so MemoryUsage needs no walk over the nodes.
	lpBytes int
}

// setLP replaces n's listpack with lp, keeping lpBytes.
func (s *Stream) setLP(n *streamNode, lp []byte) {
	s.lpBytes += cap(lp) - cap(n.lp)
	n.lp = lp
}

// NewStream returns an empty stream.
func NewStream() *Stream { return &Stream{} }

// Len is the number of live entries.
func (s *Stream) Len() uint64 { return s.length }

// NodeCount is the number of listpack nodes (XINFO's radix-tree-keys).
func (s *Stream) NodeCount() int { return len(s.nodes) }

// Encoding is OBJECT ENCODING's name.
func (s *Stream) Encoding() string { return "stream" }

// lpInt reads the integer entry at p (converting a string form, as
// lpGetInteger does) and returns the offset of the next entry, or -1.
func lpInt(lp []byte, p int) (int64, int) {
	str, v, isInt, next := encoding.LPEntryAt(lp, p)
	if !isInt {
		v, _ = ParseInt(str)
	}
	return v, next
}

// lpSkip returns the offset n entries after p (-1 past the end).
func lpSkip(lp []byte, p, n int) int {
	for ; n > 0 && p >= 0; n-- {
		p = encoding.LPNext(lp, p)
	}
	return p
}

// lpEntryEnd is the offset just after the entry at p (its backlen
// included).
func lpEntryEnd(lp []byte, p int) int {
	if next := encoding.LPNext(lp, p); next >= 0 {
		return next
	}
	return len(lp) - 1
}

// lpReplaceInt replaces the integer entry at p with v, as lpReplaceInteger.
func lpReplaceInt(lp []byte, p int, v int64) []byte {
	var scratch [24]byte
	tmp := encoding.LPAppendInt(append(scratch[:0], 7, 0, 0, 0, 0, 0, 0xFF), v)
	enc := tmp[6 : len(tmp)-1]
	end := lpEntryEnd(lp, p)
	if end-p == len(enc) {
		copy(lp[p:], enc)
		return lp
	}
	lp = slices.Replace(lp, p, end, enc...)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	return lp
}

// nodeInfo is what the master entry of a node says.
type nodeInfo struct {
	count, deleted int64
	fields         int // master field count
	fieldsPos      int // offset of the first master field (or the terminator)
	first          int // offset of the first entry's flags, -1 if none
}

func parseNode(lp []byte) nodeInfo {
	var ni nodeInfo
	p := encoding.LPFirst(lp)
	ni.count, p = lpInt(lp, p)
	ni.deleted, p = lpInt(lp, p)
	var nf int64
	nf, p = lpInt(lp, p)
	ni.fields = int(nf)
	ni.fieldsPos = p
	p = lpSkip(lp, p, ni.fields) // now at the master terminator
	ni.first = encoding.LPNext(lp, p)
	return ni
}

// lpEnt is one decoded entry of a node.
type lpEnt struct {
	flags  int64
	id     StreamID
	nf     int // field count
	body   int // offset of the first value (SAMEFIELDS) or field
	next   int // offset of the next entry's flags, -1 at the end
	flagsP int // offset of the flags
}

func (e *lpEnt) same() bool    { return e.flags&streamFlagSameFields != 0 }
func (e *lpEnt) deleted() bool { return e.flags&streamFlagDeleted != 0 }

// decodeEntry decodes the entry whose flags are at p.
func decodeEntry(lp []byte, p int, master StreamID, ni *nodeInfo) lpEnt {
	e := lpEnt{flagsP: p}
	e.flags, p = lpInt(lp, p)
	var d int64
	d, p = lpInt(lp, p)
	e.id.Ms = master.Ms + uint64(d)
	d, p = lpInt(lp, p)
	e.id.Seq = master.Seq + uint64(d)
	if e.same() {
		e.nf = ni.fields
		e.body = p
		p = lpSkip(lp, p, e.nf)
	} else {
		var nf int64
		nf, p = lpInt(lp, p)
		e.nf = int(nf)
		e.body = p
		p = lpSkip(lp, p, 2*e.nf)
	}
	e.next = encoding.LPNext(lp, p) // skip lp-count
	return e
}

// prevEntry returns the offset of the flags of the entry before the one
// whose flags are at p, or -1 when p is the first entry.
func prevEntry(lp []byte, p int) int {
	q := encoding.LPPrev(lp, p) // previous lp-count, or the master terminator
	n, _ := lpInt(lp, q)
	if n == 0 {
		return -1
	}
	for ; n > 0; n-- {
		q = encoding.LPPrev(lp, q)
	}
	return q
}

// lastEntry returns the offset of the flags of the last entry of lp.
func lastEntry(lp []byte) int {
	return prevEntry(lp, len(lp)-1)
}

// seekNode returns the index of the last node whose master ID is <= id,
// or -1 when every node starts after id.
func (s *Stream) seekNode(id StreamID) int {
	i, found := slices.BinarySearchFunc(s.nodes, id, func(n streamNode, id StreamID) int {
		return n.master.Compare(id)
	})
	if found {
		return i
	}
	return i - 1
}

// Append adds an entry with ID id (which the caller made greater than
// LastID) and the field-value pairs fv, as streamAppendItem: into the last
// node unless it already holds maxBytes bytes or maxEntries entries (0:
// unlimited), else into a new node whose master entry takes fv's fields.
func (s *Stream) Append(id StreamID, fv [][]byte, maxBytes, maxEntries int) {
	numFields := len(fv) / 2
	total := 0
	for _, b := range fv {
		total += len(b)
	}
	var n *streamNode
	if len(s.nodes) > 0 {
		n = &s.nodes[len(s.nodes)-1]
		limit := maxBytes
		if limit <= 0 || limit > StreamListpackMaxSize {
			limit = StreamListpackMaxSize
		}
		full := len(n.lp)+total >= limit
		if !full && maxEntries > 0 {
			ni := parseNode(n.lp)
			full = ni.count+ni.deleted >= int64(maxEntries)
		}
		if full {
			// Seal the node at its exact size, as lpShrinkToFit.
			if cap(n.lp) > len(n.lp) {
				s.setLP(n, append([]byte(nil), n.lp...))
			}
			n = nil
		}
	}
	flags := int64(0)
	if n == nil {
		// Preallocate as Redis does (STREAM_LISTPACK_MAX_PRE_ALLOCATE), so a
		// node grows in place until it is sealed.
		prealloc := streamPrealloc
		if maxBytes > 0 && maxBytes < prealloc {
			prealloc = maxBytes
		}
		lp := append(make([]byte, 0, prealloc), encoding.NewListpack()...)
		lp = encoding.LPAppendInt(lp, 1)
		lp = encoding.LPAppendInt(lp, 0)
		lp = encoding.LPAppendInt(lp, int64(numFields))
		for i := 0; i < numFields; i++ {
			lp = encoding.LPAppend(lp, fv[2*i])
		}
		lp = encoding.LPAppendInt(lp, 0)
		s.nodes = append(s.nodes, streamNode{master: id, lp: lp})
		s.lpBytes += cap(lp)
		n = &s.nodes[len(s.nodes)-1]
		flags = streamFlagSameFields
	} else {
		p := encoding.LPFirst(n.lp)
		count, _ := lpInt(n.lp, p)
		s.setLP(n, lpReplaceInt(n.lp, p, count+1))
		ni := parseNode(n.lp)
		if ni.fields == numFields {
			q := ni.fieldsPos
			same := true
			for i := 0; i < numFields; i++ {
				str, v, isInt, next := encoding.LPEntryAt(n.lp, q)
				if !lpEqual(str, v, isInt, fv[2*i]) {
					same = false
					break
				}
				q = next
			}
			if same {
				flags = streamFlagSameFields
			}
		}
	}
	lp := n.lp
	lp = encoding.LPAppendInt(lp, flags)
	lp = encoding.LPAppendInt(lp, int64(id.Ms-n.master.Ms))
	lp = encoding.LPAppendInt(lp, int64(id.Seq-n.master.Seq))
	lpCount := int64(numFields + 3)
	if flags&streamFlagSameFields == 0 {
		lp = encoding.LPAppendInt(lp, int64(numFields))
		lpCount += int64(numFields + 1)
	}
	for i := 0; i < numFields; i++ {
		if flags&streamFlagSameFields == 0 {
			lp = encoding.LPAppend(lp, fv[2*i])
		}
		lp = encoding.LPAppend(lp, fv[2*i+1])
	}
	s.setLP(n, encoding.LPAppendInt(lp, lpCount))
	s.length++
	s.EntriesAdded++
	s.LastID = id
	if s.length == 1 {
		s.FirstID = id
	}
}

// lpEqual reports whether a listpack element equals b byte for byte.
func lpEqual(str []byte, v int64, isInt bool, b []byte) bool {
	if !isInt {
		return string(str) == string(b)
	}
	var buf [24]byte
	return string(strconv.AppendInt(buf[:0], v, 10)) == string(b)
}

// StreamIterator walks the live entries of a stream between two IDs,
// forwards or backwards. Build one with Iter; it must not outlive a change
// of the stream.
type StreamIterator struct {
	s          *Stream
	start, end StreamID
	rev        bool
	started    bool
	done       bool
	// tombstones makes Next return deleted entries too.
	tombstones bool

	ni     int
	lp     []byte
	master StreamID
	info   nodeInfo
	p      int

	cur    lpEnt
	fp, vp int
	fbuf   [24]byte
	vbuf   [24]byte
}

// Iter returns an iterator over the entries with start <= ID <= end.
func (s *Stream) Iter(start, end StreamID, rev bool) StreamIterator {
	return StreamIterator{s: s, start: start, end: end, rev: rev}
}

// Next moves to the next entry and returns its ID and field count.
func (it *StreamIterator) Next() (id StreamID, numFields int, ok bool) {
	for !it.done {
		if it.lp == nil && !it.loadNode() {
			it.done = true
			break
		}
		if it.p < 0 {
			it.lp = nil
			continue
		}
		e := decodeEntry(it.lp, it.p, it.master, &it.info)
		if it.rev {
			it.p = prevEntry(it.lp, it.p)
			if e.id.Less(it.start) {
				it.done = true
				break
			}
			if it.end.Less(e.id) {
				continue
			}
		} else {
			it.p = e.next
			if it.end.Less(e.id) {
				it.done = true
				break
			}
			if e.id.Less(it.start) {
				continue
			}
		}
		if e.deleted() && !it.tombstones {
			continue
		}
		it.cur = e
		it.vp = e.body
		it.fp = it.info.fieldsPos
		return e.id, e.nf, true
	}
	return StreamID{}, 0, false
}

// loadNode moves to the next node in the direction of the walk.
func (it *StreamIterator) loadNode() bool {
	nodes := it.s.nodes
	if !it.started {
		it.started = true
		if it.end.Less(it.start) {
			return false
		}
		if it.rev {
			it.ni = it.s.seekNode(it.end)
		} else {
			it.ni = max(it.s.seekNode(it.start), 0)
		}
	} else if it.rev {
		it.ni--
	} else {
		it.ni++
	}
	if it.ni < 0 || it.ni >= len(nodes) {
		return false
	}
	n := &nodes[it.ni]
	it.lp = n.lp
	it.master = n.master
	it.info = parseNode(n.lp)
	if it.rev {
		it.p = lastEntry(n.lp)
	} else {
		it.p = it.info.first
	}
	return true
}

// Field returns the next field-value pair of the current entry. The slices
// alias the stream or the iterator and are valid until the next call.
func (it *StreamIterator) Field() (field, value []byte) {
	lp := it.lp
	var next int
	if it.cur.same() {
		field, next = lpBytes(lp, it.fp, it.fbuf[:0])
		it.fp = next
	} else {
		field, next = lpBytes(lp, it.vp, it.fbuf[:0])
		it.vp = next
	}
	value, it.vp = lpBytes(lp, it.vp, it.vbuf[:0])
	return field, value
}

// lpBytes returns the element at p as bytes (integers formatted into buf)
// and the offset of the next element.
func lpBytes(lp []byte, p int, buf []byte) ([]byte, int) {
	str, v, isInt, next := encoding.LPEntryAt(lp, p)
	if isInt {
		return strconv.AppendInt(buf, v, 10), next
	}
	return str, next
}

// EntryExists reports whether a live entry has ID id.
func (s *Stream) EntryExists(id StreamID) bool {
	it := s.Iter(id, id, false)
	_, _, ok := it.Next()
	return ok
}

// LastValidID is the ID of the last live entry (streamLastValidID); ok is
// false when the stream is empty.
func (s *Stream) LastValidID() (StreamID, bool) {
	it := s.Iter(StreamID{}, MaxStreamID, true)
	id, _, ok := it.Next()
	return id, ok
}

// edgeID is streamGetEdgeID: the first or last entry, tombstones included
// unless skipTombstones; with no entry, the maximum ID for first and 0-0
// for last.
func (s *Stream) edgeID(first, skipTombstones bool) StreamID {
	it := s.Iter(StreamID{}, MaxStreamID, !first)
	it.tombstones = !skipTombstones
	if id, _, ok := it.Next(); ok {
		return id
	}
	if first {
		return MaxStreamID
	}
	return StreamID{}
}

// FirstEntryID is the ID of the first entry of the first node, deleted or
// not (what XADD/XTRIM propagate as the MINID of an approximate trim).
func (s *Stream) FirstEntryID() StreamID { return s.edgeID(true, false) }

// Delete removes the live entry id, as streamDeleteItem: the entry is
// flagged deleted, and its node dropped once it holds no live entry. It
// reports whether the entry existed. FirstID and MaxDeletedID are the
// caller's to update (XDEL does, through DeleteIDs).
func (s *Stream) Delete(id StreamID) bool {
	i := s.seekNode(id)
	if i < 0 {
		return false
	}
	n := &s.nodes[i]
	info := parseNode(n.lp)
	for p := info.first; p >= 0; {
		e := decodeEntry(n.lp, p, n.master, &info)
		if c := e.id.Compare(id); c > 0 {
			return false
		} else if c < 0 || e.deleted() {
			p = e.next
			continue
		}
		s.length--
		if info.count == 1 {
			s.lpBytes -= cap(n.lp)
			s.nodes = slices.Delete(s.nodes, i, i+1)
			return true
		}
		s.setLP(n, lpReplaceInt(n.lp, p, e.flags|streamFlagDeleted))
		q := encoding.LPFirst(n.lp)
		s.setLP(n, lpReplaceInt(n.lp, q, info.count-1))
		q = encoding.LPNext(n.lp, q)
		s.setLP(n, lpReplaceInt(n.lp, q, info.deleted+1))
		return true
	}
	return false
}

// DeleteIDs is XDEL: it deletes each ID in turn and keeps FirstID and
// MaxDeletedID as Redis does, returning how many entries were deleted.
func (s *Stream) DeleteIDs(ids []StreamID) int {
	deleted := 0
	firstGone := false
	for _, id := range ids {
		if !s.Delete(id) {
			continue
		}
		if id == s.FirstID {
			firstGone = true
		}
		if s.MaxDeletedID.Less(id) {
			s.MaxDeletedID = id
		}
		deleted++
	}
	if deleted > 0 {
		if s.length == 0 {
			s.FirstID = StreamID{}
		} else if firstGone {
			s.FirstID = s.edgeID(true, true)
		}
	}
	return deleted
}

// Trim strategies of XADD and XTRIM.
const (
	TrimNone = iota
	TrimMaxLen
	TrimMinID
)

// TrimArgs are the parsed trimming options of XADD/XTRIM.
type TrimArgs struct {
	Strategy int
	// Approx is the "~" form: only whole nodes are removed.
	Approx bool
	// Limit caps the entries removed (0: no cap).
	Limit  int64
	MaxLen int64
	MinID  StreamID
}

// Trim removes the oldest entries as streamTrim does and returns how many
// were removed: whole nodes while they fit the strategy and the limit,
// then (unless approximate) entries of the next node one by one.
func (s *Stream) Trim(a *TrimArgs) int64 {
	if a.Strategy == TrimNone {
		return 0
	}
	maxlen := uint64(a.MaxLen)
	var deleted int64
	for len(s.nodes) > 0 {
		if a.Strategy == TrimMaxLen && s.length <= maxlen {
			break
		}
		n := &s.nodes[0]
		info := parseNode(n.lp)
		entries := info.count
		if a.Limit != 0 && deleted+entries > a.Limit {
			break
		}
		var remove bool
		if a.Strategy == TrimMaxLen {
			remove = s.length-uint64(entries) >= maxlen
		} else {
			last := decodeEntry(n.lp, lastEntry(n.lp), n.master, &info).id
			remove = last.Less(a.MinID)
		}
		if remove {
			s.lpBytes -= cap(n.lp)
			s.nodes = slices.Delete(s.nodes, 0, 1)
			s.length -= uint64(entries)
			deleted += entries
			continue
		}
		if a.Approx {
			break
		}
		var fromNode int64
		for p := info.first; p >= 0; {
			e := decodeEntry(n.lp, p, n.master, &info)
			if a.Strategy == TrimMaxLen {
				if s.length <= maxlen {
					break
				}
			} else if !e.id.Less(a.MinID) {
				break
			}
			if !e.deleted() {
				// Same-size in place: flags are one byte either way.
				s.setLP(n, lpReplaceInt(n.lp, p, e.flags|streamFlagDeleted))
				fromNode++
				s.length--
			}
			p = e.next
		}
		deleted += fromNode
		q := encoding.LPFirst(n.lp)
		s.setLP(n, lpReplaceInt(n.lp, q, entries-fromNode))
		q = encoding.LPNext(n.lp, q)
		s.setLP(n, lpReplaceInt(n.lp, q, info.deleted+fromNode))
		break
	}
	if s.length == 0 {
		s.FirstID = StreamID{}
	} else if deleted > 0 {
		s.FirstID = s.edgeID(true, true)
	}
	return deleted
}

// RangeHasTombstones is streamRangeHasTombstones: whether an entry between
// start and end (nil: open) may have been deleted.
func (s *Stream) RangeHasTombstones(start, end *StreamID) bool {
	if s.length == 0 || s.MaxDeletedID.IsZero() {
		return false
	}
	if s.MaxDeletedID.Less(s.FirstID) {
		return false
	}
	lo, hi := StreamID{}, MaxStreamID
	if start != nil {
		lo = *start
	}
	if end != nil {
		hi = *end
	}
	return !s.MaxDeletedID.Less(lo) && !hi.Less(s.MaxDeletedID)
}

// InvalidEntriesRead is SCG_INVALID_ENTRIES_READ: a group's read counter
// that is not known.
const InvalidEntriesRead = -1

// EstimateDistance is streamEstimateDistanceFromFirstEverEntry: the logical
// read counter of id, or InvalidEntriesRead when it cannot be known.
func (s *Stream) EstimateDistance(id StreamID) int64 {
	if s.EntriesAdded == 0 {
		return 0
	}
	if s.length == 0 && id.Compare(s.LastID) < 1 {
		return int64(s.EntriesAdded)
	}
	switch id.Compare(s.LastID) {
	case 0:
		return int64(s.EntriesAdded)
	case 1:
		return InvalidEntriesRead
	}
	if s.MaxDeletedID.IsZero() || s.MaxDeletedID.Less(s.FirstID) {
		switch id.Compare(s.FirstID) {
		case -1:
			return int64(s.EntriesAdded - s.length)
		case 0:
			return int64(s.EntriesAdded - s.length + 1)
		}
	}
	return InvalidEntriesRead
}

// Lag is a group's lag as XINFO reports it (streamReplyWithCGLag); ok is
// false when it cannot be known (a null reply).
func (s *Stream) Lag(g *StreamGroup) (lag int64, ok bool) {
	if s.EntriesAdded == 0 {
		return 0, true
	}
	if g.EntriesRead != InvalidEntriesRead && !s.RangeHasTombstones(&g.LastID, nil) {
		return int64(s.EntriesAdded) - g.EntriesRead, true
	}
	if read := s.EstimateDistance(g.LastID); read != InvalidEntriesRead {
		return int64(s.EntriesAdded) - read, true
	}
	return 0, false
}

// EachNode calls fn for every node in order with its master ID and its
// listpack, in the layout RDB and DUMP store (RDB_TYPE_STREAM_LISTPACKS);
// fn must not keep or change lp.
func (s *Stream) EachNode(fn func(master StreamID, lp []byte) bool) {
	for _, n := range s.nodes {
		if !fn(n.master, n.lp) {
			return
		}
	}
}

// LoadNode appends a node read from RDB or DUMP: master IDs must ascend
// and lp must be a valid stream listpack (the loader validates it). The
// caller sets LastID, FirstID, MaxDeletedID and EntriesAdded from the
// payload; the length grows by the node's live count.
func (s *Stream) LoadNode(master StreamID, lp []byte) {
	s.nodes = append(s.nodes, streamNode{master: master, lp: lp})
	s.lpBytes += cap(lp)
	s.length += uint64(parseNode(lp).count)
}

// MemoryUsage estimates the bytes the stream holds.
func (s *Stream) MemoryUsage() int {
	n := 96 + cap(s.nodes)*40 + s.lpBytes
	for _, g := range s.groups {
		n += g.memoryUsage()
	}
	return n
}

// Dup returns a deep copy (COPY).
func (s *Stream) Dup() any {
	d := &Stream{
		nodes:        make([]streamNode, len(s.nodes)),
		length:       s.length,
		LastID:       s.LastID,
		FirstID:      s.FirstID,
		MaxDeletedID: s.MaxDeletedID,
		EntriesAdded: s.EntriesAdded,
	}
	for i, n := range s.nodes {
		d.nodes[i] = streamNode{master: n.master, lp: append([]byte(nil), n.lp...)}
		d.lpBytes += cap(d.nodes[i].lp)
	}
	for _, g := range s.groups {
		d.groups = append(d.groups, g.dup())
	}
	return d
}
