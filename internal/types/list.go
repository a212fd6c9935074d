package types

import (
	"bytes"
	"errors"
	"strconv"

	"shoal/internal/encoding"
)

// List is a list value as Redis 7.0 keeps it: a quicklist, that is a
// sequence of listpack nodes, each bounded by list-max-listpack-size (the
// fill). Redis 7.0 reports every list as "quicklist", however small; a
// small list is simply a quicklist of one node. Nodes are never merged
// back after deletions, as in 7.0.
//
// Element values are byte strings; canonical integers are stored with the
// listpack's integer encodings and read back in decimal.
type List struct {
	nodes []listNode
	count int
	// lpBytes is the listpacks' allocated bytes, kept by every change so
	// MemoryUsage is O(1).
	lpBytes int
}

// listNode is one quicklist node: a listpack and its entry count.
type listNode struct {
	lp []byte
	n  int
}

// Node-size rules of quicklist.c (_quicklistNodeAllowInsert): a negative
// fill bounds a node's bytes (-1..-5 → 4..64 KiB), a positive one its
// entries, and then only while the node stays under listSafetyLimit.
const (
	listSafetyLimit     = 8192
	listEstimateOverhd  = 8
	listLargeElement    = 1 << 30
	listFillMax         = 1 << 15
	listFillMin         = -5
	listNodeHeaderBytes = 32 // a quicklistNode, for MemoryUsage
)

// listLPFirst is the offset of a listpack's first entry (after its header)
// and listLPEnd its terminator byte.
const (
	listLPFirst = 6
	listLPEnd   = 0xFF
)

var listOptLevel = [...]int{4096, 8192, 16384, 32768, 65536}

// ErrListCorrupt reports raw nodes that do not form a valid list.
var ErrListCorrupt = errors.New("types: corrupt list nodes")

// NewList returns an empty list.
func NewList() *List { return &List{} }

// ListFromValues builds a list holding vals in order, with nodes bounded
// by fill (RESTORE of the old linked-list encodings, tests).
func ListFromValues(vals [][]byte, fill int) *List {
	l := NewList()
	for _, v := range vals {
		l.Push(v, false, fill)
	}
	return l
}

// ListFromNodes builds a list from raw listpack nodes (RESTORE of a
// quicklist-2 payload), taking ownership of them. Every node is validated;
// empty nodes are dropped.
func ListFromNodes(nodes [][]byte) (*List, error) {
	l := &List{nodes: make([]listNode, 0, len(nodes))}
	for _, lp := range nodes {
		if encoding.LPValidate(lp) != nil {
			return nil, ErrListCorrupt
		}
		n := encoding.LPLen(lp)
		if n == 0 {
			continue
		}
		l.nodes = append(l.nodes, listNode{lp: lp, n: n})
		l.lpBytes += cap(lp)
		l.count += n
	}
	return l, nil
}

// Len returns the number of elements.
func (l *List) Len() int { return l.count }

// Encoding is OBJECT ENCODING's name for a Redis 7.0 list.
func (l *List) Encoding() string { return "quicklist" }

// NodeCount returns the number of quicklist nodes.
func (l *List) NodeCount() int { return len(l.nodes) }

// Node returns the listpack of node i (0 is the head), for DUMP and RDB;
// the caller must not modify it.
func (l *List) Node(i int) []byte { return l.nodes[i].lp }

// Dup returns a deep copy (COPY).
func (l *List) Dup() any {
	d := &List{nodes: make([]listNode, len(l.nodes)), count: l.count}
	for i, nd := range l.nodes {
		d.nodes[i] = listNode{lp: append([]byte(nil), nd.lp...), n: nd.n}
		d.lpBytes += cap(d.nodes[i].lp)
	}
	return d
}

// MemoryUsage estimates the bytes the list takes: the quicklist header,
// one node header per node and the listpacks' allocated bytes.
func (l *List) MemoryUsage() int {
	return 40 + cap(l.nodes)*listNodeHeaderBytes + l.lpBytes
}

// setLP replaces nd's listpack with lp, keeping lpBytes.
func (l *List) setLP(nd *listNode, lp []byte) {
	l.lpBytes += cap(lp) - cap(nd.lp)
	nd.lp = lp
}

// listClampFill bounds fill as quicklistSetFill does.
func listClampFill(fill int) int {
	if fill > listFillMax {
		return listFillMax
	}
	if fill < listFillMin {
		return listFillMin
	}
	return fill
}

// allowInsert reports whether an element of sz bytes may join nd.
func (nd *listNode) allowInsert(fill, sz int) bool {
	if sz >= listLargeElement {
		return false
	}
	newSz := len(nd.lp) + sz + listEstimateOverhd
	fill = listClampFill(fill)
	if fill < 0 {
		return newSz <= listOptLevel[-fill-1]
	}
	return newSz <= listSafetyLimit && nd.n < fill
}

// listNewNode returns a node holding just v.
func listNewNode(v []byte) listNode {
	return listNode{lp: encoding.LPAppend(encoding.NewListpack(), v), n: 1}
}

// insertNode puts nd at node index i.
func (l *List) insertNode(i int, nd listNode) {
	l.lpBytes += cap(nd.lp)
	l.nodes = append(l.nodes, listNode{})
	copy(l.nodes[i+1:], l.nodes[i:])
	l.nodes[i] = nd
}

// removeNode drops node i.
func (l *List) removeNode(i int) {
	l.lpBytes -= cap(l.nodes[i].lp)
	if i == 0 {
		l.nodes[0] = listNode{}
		l.nodes = l.nodes[1:]
		return
	}
	copy(l.nodes[i:], l.nodes[i+1:])
	l.nodes[len(l.nodes)-1] = listNode{}
	l.nodes = l.nodes[:len(l.nodes)-1]
}

// Push adds v at the head or the tail, starting a new node when the end
// node is full for fill (list-max-listpack-size).
func (l *List) Push(v []byte, head bool, fill int) {
	l.count++
	if len(l.nodes) == 0 {
		l.insertNode(len(l.nodes), listNewNode(v))
		return
	}
	if head {
		nd := &l.nodes[0]
		if nd.allowInsert(fill, len(v)) {
			l.setLP(nd, encoding.LPInsertAt(nd.lp, listLPFirst, v))
			nd.n++
			return
		}
		l.insertNode(0, listNewNode(v))
		return
	}
	nd := &l.nodes[len(l.nodes)-1]
	if nd.allowInsert(fill, len(v)) {
		l.setLP(nd, encoding.LPAppend(nd.lp, v))
		nd.n++
		return
	}
	l.insertNode(len(l.nodes), listNewNode(v))
}

// listAppendEntry appends the decoded entry (str or ival) to dst in its
// string form.
func listAppendEntry(dst, str []byte, ival int64, isInt bool) []byte {
	if isInt {
		return strconv.AppendInt(dst, ival, 10)
	}
	return append(dst, str...)
}

// Pop removes the head or tail element and appends it to dst; ok is false
// when the list is empty.
func (l *List) Pop(head bool, dst []byte) (out []byte, ok bool) {
	if l.count == 0 {
		return dst, false
	}
	i := 0
	if !head {
		i = len(l.nodes) - 1
	}
	nd := &l.nodes[i]
	p := listLPFirst
	if !head {
		p = encoding.LPBefore(nd.lp, len(nd.lp)-1)
	}
	str, ival, isInt, _ := encoding.LPDecode(nd.lp, p)
	dst = listAppendEntry(dst, str, ival, isInt)
	l.deleteInNode(i, p, 1)
	return dst, true
}

// deleteInNode deletes n entries of node i starting at offset p, dropping
// the node when it empties. It reports whether the node was dropped.
func (l *List) deleteInNode(i, p, n int) bool {
	nd := &l.nodes[i]
	if n >= nd.n && p == listLPFirst {
		l.count -= nd.n
		l.removeNode(i)
		return true
	}
	l.setLP(nd, encoding.LPDeleteAt(nd.lp, p, n))
	if cap(nd.lp) > 2*len(nd.lp)+64 {
		// Give back what a trim or a run of pops freed, as lpDeleteRange's
		// realloc does.
		l.setLP(nd, append([]byte(nil), nd.lp...))
	}
	nd.n -= n
	l.count -= n
	return false
}

// locate returns the node holding element index (0 <= index < Len) and
// the index within that node, walking from the nearer end.
func (l *List) locate(index int) (node, within int) {
	if index < l.count/2 {
		for i := range l.nodes {
			if index < l.nodes[i].n {
				return i, index
			}
			index -= l.nodes[i].n
		}
	}
	back := l.count - 1 - index
	for i := len(l.nodes) - 1; i >= 0; i-- {
		if back < l.nodes[i].n {
			return i, l.nodes[i].n - 1 - back
		}
		back -= l.nodes[i].n
	}
	return -1, 0
}

// normIndex turns a possibly negative index into 0..Len-1; ok is false
// when it is out of range.
func (l *List) normIndex(index int) (int, bool) {
	if index < 0 {
		index += l.count
	}
	return index, index >= 0 && index < l.count
}

// Index appends element index (negative counts from the tail) to dst; ok
// is false when it is out of range (LINDEX).
func (l *List) Index(index int, dst []byte) (out []byte, ok bool) {
	index, ok = l.normIndex(index)
	if !ok {
		return dst, false
	}
	i, within := l.locate(index)
	lp := l.nodes[i].lp
	str, ival, isInt, _ := encoding.LPDecode(lp, encoding.LPSeek(lp, within))
	return listAppendEntry(dst, str, ival, isInt), true
}

// Set replaces element index (negative counts from the tail) with v; it
// returns false when the index is out of range (LSET).
func (l *List) Set(index int, v []byte) bool {
	index, ok := l.normIndex(index)
	if !ok {
		return false
	}
	i, within := l.locate(index)
	nd := &l.nodes[i]
	l.setLP(nd, encoding.LPReplaceAt(nd.lp, encoding.LPSeek(nd.lp, within), v))
	return true
}

// listMatcher compares listpack entries with one value without
// allocating, as lpCompare does.
type listMatcher struct {
	v     []byte
	iv    int64
	isInt bool
}

func newListMatcher(v []byte) listMatcher {
	iv, ok := ParseInt(v)
	return listMatcher{v: v, iv: iv, isInt: ok}
}

func (m *listMatcher) match(str []byte, ival int64, isInt bool) bool {
	if isInt {
		return m.isInt && m.iv == ival
	}
	return bytes.Equal(str, m.v)
}

// Insert puts v before (or after) the first element equal to pivot and
// reports whether pivot was found (LINSERT).
func (l *List) Insert(pivot, v []byte, after bool, fill int) bool {
	m := newListMatcher(pivot)
	for i := range l.nodes {
		lp := l.nodes[i].lp
		for p := listLPFirst; lp[p] != listLPEnd; {
			str, ival, isInt, next := encoding.LPDecode(lp, p)
			if m.match(str, ival, isInt) {
				if after {
					p = next
				}
				l.insertAt(i, p, v, fill)
				return true
			}
			p = next
		}
	}
	return false
}

// insertAt inserts v into node i before offset p (the terminator's offset
// means after its last entry). When the node is full it tries the
// neighbour at that edge, else splits the node there, as _quicklistInsert.
func (l *List) insertAt(i, p int, v []byte, fill int) {
	l.count++
	nd := &l.nodes[i]
	if nd.allowInsert(fill, len(v)) {
		l.setLP(nd, encoding.LPInsertAt(nd.lp, p, v))
		nd.n++
		return
	}
	atTail := p == len(nd.lp)-1
	atHead := p == listLPFirst
	if atTail {
		if i+1 < len(l.nodes) && l.nodes[i+1].allowInsert(fill, len(v)) {
			next := &l.nodes[i+1]
			l.setLP(next, encoding.LPInsertAt(next.lp, listLPFirst, v))
			next.n++
			return
		}
		l.insertNode(i+1, listNewNode(v))
		return
	}
	if atHead {
		if i > 0 && l.nodes[i-1].allowInsert(fill, len(v)) {
			prev := &l.nodes[i-1]
			l.setLP(prev, encoding.LPAppend(prev.lp, v))
			prev.n++
			return
		}
		l.insertNode(i, listNewNode(v))
		return
	}
	// Split node i at p: the left part keeps the entries before p.
	left := 0
	for q := listLPFirst; q < p; q = listSkipEntry(nd.lp, q) {
		left++
	}
	right := listNode{lp: append(encoding.NewListpack()[:listLPFirst], nd.lp[p:]...), n: nd.n - left}
	listFixHeader(right.lp, right.n)
	l.setLP(nd, encoding.LPDeleteAt(nd.lp, p, nd.n-left))
	nd.n = left
	if nd.allowInsert(fill, len(v)) {
		l.setLP(nd, encoding.LPAppend(nd.lp, v))
		nd.n++
		l.insertNode(i+1, right)
		return
	}
	l.insertNode(i+1, right)
	l.insertNode(i+1, listNewNode(v))
}

// listSkipEntry returns the offset after the entry at p.
func listSkipEntry(lp []byte, p int) int {
	_, _, _, next := encoding.LPDecode(lp, p)
	return next
}

// listFixHeader writes the total size and count of a listpack whose
// entries were copied in raw.
func listFixHeader(lp []byte, n int) {
	size := len(lp)
	lp[0], lp[1], lp[2], lp[3] = byte(size), byte(size>>8), byte(size>>16), byte(size>>24)
	if n > 0xFFFF {
		n = 0xFFFF
	}
	lp[4], lp[5] = byte(n), byte(n>>8)
}

// Remove deletes up to count elements equal to v (all when count is 0),
// from the head when count >= 0 and from the tail when it is negative,
// and returns how many it removed (LREM).
func (l *List) Remove(v []byte, count int) int {
	m := newListMatcher(v)
	limit := count
	if limit < 0 {
		limit = -limit
	}
	removed := 0
	if count >= 0 {
		for i := 0; i < len(l.nodes); {
			dropped := false
			for p := listLPFirst; l.nodes[i].lp[p] != listLPEnd; {
				str, ival, isInt, next := encoding.LPDecode(l.nodes[i].lp, p)
				if !m.match(str, ival, isInt) {
					p = next
					continue
				}
				removed++
				if l.deleteInNode(i, p, 1) {
					dropped = true
					break
				}
				if removed == limit {
					return removed
				}
			}
			if dropped {
				if removed == limit {
					return removed
				}
				continue
			}
			i++
		}
		return removed
	}
	for i := len(l.nodes) - 1; i >= 0; i-- {
		lp := l.nodes[i].lp
		for p := encoding.LPBefore(lp, len(lp)-1); p != -1; {
			str, ival, isInt, _ := encoding.LPDecode(lp, p)
			prev := encoding.LPBefore(lp, p)
			if m.match(str, ival, isInt) {
				removed++
				if l.deleteInNode(i, p, 1) {
					break
				}
				lp = l.nodes[i].lp
				if removed == limit {
					return removed
				}
			}
			p = prev
		}
		if removed == limit {
			return removed
		}
	}
	return removed
}

// DeleteRange deletes n elements starting at index start (0 <= start,
// start+n <= Len), as quicklistDelRange.
func (l *List) DeleteRange(start, n int) {
	if n <= 0 {
		return
	}
	i, within := l.locate(start)
	for n > 0 {
		nd := &l.nodes[i]
		k := nd.n - within
		if k > n {
			k = n
		}
		if !l.deleteInNode(i, encoding.LPSeek(nd.lp, within), k) {
			i++
		}
		n -= k
		within = 0
	}
}

// Trim keeps only the elements start..end (inclusive, already clamped to
// 0 <= start <= end < Len), or none when keepNone (LTRIM).
func (l *List) Trim(start, end int, keepNone bool) {
	if keepNone {
		l.nodes = nil
		l.count = 0
		l.lpBytes = 0
		return
	}
	l.DeleteRange(end+1, l.count-end-1)
	l.DeleteRange(0, start)
}

// ListIter walks a list's elements forwards or backwards. Values it
// returns are valid until the next call and until the list changes.
type ListIter struct {
	l       *List
	node    int
	p       int
	forward bool
	buf     [20]byte
}

// Iter returns an iterator starting at element index (0 <= index < Len,
// or any index on an empty list), going to the tail when forward, else to
// the head.
func (l *List) Iter(index int, forward bool) ListIter {
	it := ListIter{l: l, node: -1, forward: forward}
	if index < 0 || index >= l.count {
		return it
	}
	i, within := l.locate(index)
	it.node = i
	it.p = encoding.LPSeek(l.nodes[i].lp, within)
	return it
}

// Next returns the next element; ok is false past the end.
func (it *ListIter) Next() (v []byte, ok bool) {
	if it.node < 0 || it.node >= len(it.l.nodes) {
		return nil, false
	}
	lp := it.l.nodes[it.node].lp
	str, ival, isInt, next := encoding.LPDecode(lp, it.p)
	if isInt {
		v = strconv.AppendInt(it.buf[:0], ival, 10)
	} else {
		v = str
	}
	if it.forward {
		it.p = next
		if lp[next] == listLPEnd {
			it.node++
			it.p = listLPFirst
		}
	} else {
		it.p = encoding.LPBefore(lp, it.p)
		if it.p == -1 {
			it.node--
			if it.node >= 0 {
				prev := it.l.nodes[it.node].lp
				it.p = encoding.LPBefore(prev, len(prev)-1)
			}
		}
	}
	return v, true
}

// Each calls fn for every element from the head until fn returns false.
func (l *List) Each(fn func(v []byte) bool) {
	it := l.Iter(0, true)
	for {
		v, ok := it.Next()
		if !ok || !fn(v) {
			return
		}
	}
}

// Pos finds elements equal to v as LPOS does: skipping rank-1 matches
// (from the tail when rank is negative), comparing at most maxlen
// elements (0: all), and calling fn with the index of each match until
// count matches (0: all) were reported.
func (l *List) Pos(v []byte, rank, count, maxlen int, fn func(index int)) {
	m := newListMatcher(v)
	forward := rank > 0
	if rank < 0 {
		rank = -rank
	}
	start, step := 0, 1
	if !forward {
		start, step = l.count-1, -1
	}
	it := l.Iter(start, forward)
	idx := start
	found := 0
	for compared := 0; maxlen == 0 || compared < maxlen; compared++ {
		if it.node < 0 || it.node >= len(l.nodes) {
			return
		}
		lp := l.nodes[it.node].lp
		str, ival, isInt, _ := encoding.LPDecode(lp, it.p)
		if m.match(str, ival, isInt) {
			if rank > 1 {
				rank--
			} else {
				fn(idx)
				found++
				if count != 0 && found == count {
					return
				}
			}
		}
		it.Next()
		idx += step
	}
}
