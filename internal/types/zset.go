package types

import (
	"bytes"
	"errors"
	"hash/maphash"
	"math"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"unsafe"

	"shoal/internal/encoding"
)

// ZSet is a sorted set as Redis 7.0's t_zset.c keeps it: while small, one
// listpack of member, score pairs sorted by (score, member bytes); beyond
// zset-max-listpack-entries or zset-max-listpack-value, a skiplist with
// spans (rank operations in O(log n)) plus a hash table from member to
// skiplist node. Member bytes passed to callbacks alias the set's storage
// and are valid only until the callback returns or the set changes.
type ZSet struct {
	lp   []byte // listpack encoding; nil in the skiplist encoding
	zsl  zskiplist
	dict zdict
}

// ZSetLimits are the conversion thresholds of the compact encoding
// (zset-max-listpack-entries and zset-max-listpack-value).
type ZSetLimits struct {
	MaxListpackEntries int
	MaxListpackValue   int
}

// Flags of Add, as ZADD's options.
const (
	ZAddIncr = 1 << iota // add the score to the current one
	ZAddNX               // only add new members
	ZAddXX               // only update existing members
	ZAddGT               // only update when the new score is greater
	ZAddLT               // only update when the new score is less
)

// Outcomes reported by Add (zsetAdd's out flags).
const (
	ZAddOutNop     = 1 << iota // nothing done because of NX/XX/GT/LT
	ZAddOutNaN                 // the result would be NaN: nothing done
	ZAddOutAdded               // the member was added
	ZAddOutUpdated             // the member's score changed
)

// ErrZSetCorrupt reports a listpack that does not hold a valid sorted set.
var ErrZSetCorrupt = errors.New("types: corrupt sorted set listpack")

// NewZSet returns an empty sorted set in the listpack encoding.
func NewZSet() *ZSet { return &ZSet{lp: encoding.NewListpack()} }

// NewZSetSkiplist returns an empty sorted set in the skiplist encoding,
// its hash table sized for hint members (RDB loading, and results that
// Redis builds as skiplists before deciding their encoding).
func NewZSetSkiplist(hint int) *ZSet {
	z := &ZSet{}
	z.initSkiplist(hint)
	return z
}

// ZSetFromListpack adopts lp, a listpack of member, score pairs in
// order (as DUMP and RDB carry it), after checking it deeply: structure,
// an even count, valid scores, strict (score, member) order. lp is kept,
// not copied.
func ZSetFromListpack(lp []byte) (*ZSet, error) {
	if encoding.LPValidate(lp) != nil {
		return nil, ErrZSetCorrupt
	}
	z := &ZSet{lp: lp}
	var buf, prevBuf [24]byte
	var prev []byte
	prevScore := math.Inf(-1)
	first := true
	for p := encoding.LPFirst(lp); p >= 0; {
		m, sp := zlpMember(lp, p, &buf)
		if sp < 0 {
			return nil, ErrZSetCorrupt
		}
		s, ok := zlpScoreOK(lp, sp)
		if !ok {
			return nil, ErrZSetCorrupt
		}
		if !first && !zless(prevScore, prev, s, m) {
			return nil, ErrZSetCorrupt
		}
		first = false
		prev = append(prevBuf[:0], m...)
		prevScore = s
		p = encoding.LPNext(lp, sp)
	}
	return z, nil
}

// Listpack returns the raw listpack of a set in the listpack encoding
// (for DUMP and RDB), or nil in the skiplist encoding. It aliases the set.
func (z *ZSet) Listpack() []byte { return z.lp }

// Encoding is OBJECT ENCODING's name for the set.
func (z *ZSet) Encoding() string {
	if z.lp != nil {
		return "listpack"
	}
	return "skiplist"
}

// IsListpack reports whether the set uses the compact encoding.
func (z *ZSet) IsListpack() bool { return z.lp != nil }

// Len returns the number of members.
func (z *ZSet) Len() int {
	if z.lp != nil {
		return encoding.LPLen(z.lp) / 2
	}
	return z.zsl.length
}

// Dup returns a deep copy of the set (COPY).
func (z *ZSet) Dup() any {
	if z.lp != nil {
		return &ZSet{lp: append([]byte(nil), z.lp...)}
	}
	d := &ZSet{}
	d.initSkiplist(z.zsl.length)
	for n := z.zsl.header.lv(0).forward; n != nil; n = n.lv(0).forward {
		d.zslAdd(n.member, n.score)
	}
	return d
}

// MemoryUsage estimates the bytes the set occupies (MEMORY USAGE).
func (z *ZSet) MemoryUsage() int {
	if z.lp != nil {
		return 48 + cap(z.lp)
	}
	return 48 + int(unsafe.Sizeof(zslNode{})) + zslMaxLevel*16 + 8*len(z.dict.buckets) + z.dict.bytes
}

// zslNodeBytes is what a skiplist node and its member take.
func zslNodeBytes(n *zslNode) int {
	return int(unsafe.Sizeof(zslNode{})) + int(unsafe.Sizeof(zslLevel{}))*n.nlevel + len(n.member)
}

// Score returns the score of member.
func (z *ZSet) Score(member []byte) (float64, bool) {
	if z.lp != nil {
		_, sp := z.zlpFind(member)
		if sp < 0 {
			return 0, false
		}
		return zlpScore(z.lp, sp), true
	}
	n := z.dict.find(member)
	if n == nil {
		return 0, false
	}
	return n.score, true
}

// Add adds member with score or updates it, as zsetAdd: flags are ZAdd*
// options, the result is a ZAddOut* outcome and the member's score after
// the call (the incremented score with ZAddIncr). The set converts to the
// skiplist encoding when it outgrows lim. Listpack scores are stored as
// Redis's d2string writes them, so a -0 score reads back as 0 there.
func (z *ZSet) Add(member []byte, score float64, flags int, lim ZSetLimits) (out int, newScore float64) {
	if math.IsNaN(score) {
		return ZAddOutNaN, 0
	}
	incr := flags&ZAddIncr != 0
	if z.lp != nil {
		p, sp := z.zlpFind(member)
		if sp >= 0 {
			cur := zlpScore(z.lp, sp)
			if flags&ZAddNX != 0 {
				return ZAddOutNop, cur
			}
			if incr {
				score += cur
				if math.IsNaN(score) {
					return ZAddOutNaN, 0
				}
			}
			if flags&ZAddLT != 0 && score >= cur || flags&ZAddGT != 0 && score <= cur {
				return ZAddOutNop, cur
			}
			if score != cur {
				z.zlpDelete(p)
				z.zlpInsert(member, score)
				return ZAddOutUpdated, score
			}
			return 0, score
		}
		if flags&ZAddXX != 0 {
			return ZAddOutNop, 0
		}
		if z.Len()+1 > lim.MaxListpackEntries || len(member) > lim.MaxListpackValue {
			z.toSkiplist(z.Len() + 1)
		} else {
			z.zlpInsert(member, score)
			return ZAddOutAdded, score
		}
	}
	n := z.dict.find(member)
	if n != nil {
		cur := n.score
		if flags&ZAddNX != 0 {
			return ZAddOutNop, cur
		}
		if incr {
			score += cur
			if math.IsNaN(score) {
				return ZAddOutNaN, 0
			}
		}
		if flags&ZAddLT != 0 && score >= cur || flags&ZAddGT != 0 && score <= cur {
			return ZAddOutNop, cur
		}
		if score != cur {
			z.zsl.updateScore(n, score)
			return ZAddOutUpdated, score
		}
		return 0, score
	}
	if flags&ZAddXX != 0 {
		return ZAddOutNop, 0
	}
	z.zslAdd(string(member), score)
	return ZAddOutAdded, score
}

// Remove deletes member and reports whether it was there.
func (z *ZSet) Remove(member []byte) bool {
	if z.lp != nil {
		p, _ := z.zlpFind(member)
		if p < 0 {
			return false
		}
		z.zlpDelete(p)
		return true
	}
	n := z.dict.remove(member)
	if n == nil {
		return false
	}
	z.zsl.delete(n)
	return true
}

// Rank returns the 0-based rank of member, from the highest score when
// rev.
func (z *ZSet) Rank(member []byte, rev bool) (int, bool) {
	var rank int
	if z.lp != nil {
		var buf [24]byte
		found := false
		for p := encoding.LPFirst(z.lp); p >= 0; rank++ {
			m, sp := zlpMember(z.lp, p, &buf)
			if bytes.Equal(m, member) {
				found = true
				break
			}
			p = encoding.LPNext(z.lp, sp)
		}
		if !found {
			return 0, false
		}
	} else {
		n := z.dict.find(member)
		if n == nil {
			return 0, false
		}
		rank = z.zsl.rankOf(n) - 1
	}
	if rev {
		rank = z.Len() - 1 - rank
	}
	return rank, true
}

// At returns the member and score at 0-based rank i (0 <= i < Len()):
// O(log n) in a skiplist.
func (z *ZSet) At(i int) (member []byte, score float64) {
	if z.lp != nil {
		p := encoding.LPFirst(z.lp)
		for ; i > 0; i-- {
			p = encoding.LPNext(z.lp, encoding.LPNext(z.lp, p))
		}
		m, iv, isInt, sp := encoding.LPEntryAt(z.lp, p)
		if isInt {
			m = strconv.AppendInt(nil, iv, 10)
		}
		return m, zlpScore(z.lp, sp)
	}
	n, _ := z.zsl.seek(nil, nil, func(_ *zslNode, r int) bool { return r <= i+1 })
	return zunsafeBytes(n.member), n.score
}

// Each calls fn for every member in order, until it returns false.
func (z *ZSet) Each(fn func(member []byte, score float64) bool) {
	z.RangeByRank(0, z.Len()-1, false, fn)
}

// ZScoreRange is a score interval (zrangespec); Min or Max is excluded
// when MinEx or MaxEx.
type ZScoreRange struct {
	Min, Max     float64
	MinEx, MaxEx bool
}

// ParseZScoreRange parses ZRANGEBYSCORE-style bounds: "(" makes a bound
// exclusive, and the number is read as strtod reads it (leading spaces,
// "inf", overflow to infinity, the empty string as 0); NaN is refused.
func ParseZScoreRange(min, max []byte) (r ZScoreRange, ok bool) {
	if r.Min, r.MinEx, ok = zparseBound(min); !ok {
		return r, false
	}
	r.Max, r.MaxEx, ok = zparseBound(max)
	return r, ok
}

func zparseBound(b []byte) (float64, bool, bool) {
	ex := len(b) > 0 && b[0] == '('
	if ex {
		b = b[1:]
	}
	if len(b) == 0 {
		return 0, ex, true
	}
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	if f, ok := ParseFloat(b[i:]); ok {
		return f, ex, true
	}
	// strtod accepts what overflows or underflows; strconv reports it as a
	// range error with the saturated value.
	f, err := strconv.ParseFloat(string(b[i:]), 64)
	var ne *strconv.NumError
	if errors.As(err, &ne) && ne.Err == strconv.ErrRange && zplainNumber(b[i:]) {
		return f, ex, true
	}
	return 0, false, false
}

// zplainNumber reports whether b looks like a decimal number (strconv also
// knows underscores and other bases, which strtod does not).
func zplainNumber(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
			return false
		}
	}
	return true
}

func (r *ZScoreRange) gteMin(v float64) bool {
	if r.MinEx {
		return v > r.Min
	}
	return v >= r.Min
}

func (r *ZScoreRange) lteMax(v float64) bool {
	if r.MaxEx {
		return v < r.Max
	}
	return v <= r.Max
}

// Empty reports whether no score can be in the range.
func (r *ZScoreRange) Empty() bool {
	return r.Min > r.Max || r.Min == r.Max && (r.MinEx || r.MaxEx)
}

func (r *ZScoreRange) aboveMin(_ []byte, s float64, _ int) bool { return r.gteMin(s) }
func (r *ZScoreRange) belowMax(_ []byte, s float64, _ int) bool { return r.lteMax(s) }

// ZLexRange is a member interval for the BYLEX commands. MinKind and
// MaxKind are -1 for "-" (below everything), +1 for "+" (above
// everything) and 0 for a member bound (Min/Max, exclusive when
// MinEx/MaxEx).
type ZLexRange struct {
	Min, Max         []byte
	MinEx, MaxEx     bool
	MinKind, MaxKind int8
}

// ParseZLexRange parses "[x", "(x", "-" and "+" bounds. Min and Max alias
// the arguments.
func ParseZLexRange(min, max []byte) (r ZLexRange, ok bool) {
	if r.Min, r.MinEx, r.MinKind, ok = zparseLexBound(min); !ok {
		return r, false
	}
	r.Max, r.MaxEx, r.MaxKind, ok = zparseLexBound(max)
	return r, ok
}

func zparseLexBound(b []byte) ([]byte, bool, int8, bool) {
	if len(b) == 0 {
		return nil, false, 0, false
	}
	switch b[0] {
	case '+', '-':
		if len(b) != 1 {
			return nil, false, 0, false
		}
		if b[0] == '+' {
			return nil, false, 1, true
		}
		return nil, false, -1, true
	case '(':
		return b[1:], true, 0, true
	case '[':
		return b[1:], false, 0, true
	}
	return nil, false, 0, false
}

func (r *ZLexRange) gteMin(m []byte) bool {
	switch r.MinKind {
	case -1:
		return true
	case 1:
		return false
	}
	c := bytes.Compare(m, r.Min)
	return c > 0 || c == 0 && !r.MinEx
}

func (r *ZLexRange) lteMax(m []byte) bool {
	switch r.MaxKind {
	case 1:
		return true
	case -1:
		return false
	}
	c := bytes.Compare(m, r.Max)
	return c < 0 || c == 0 && !r.MaxEx
}

func (r *ZLexRange) aboveMin(m []byte, _ float64, _ int) bool { return r.gteMin(m) }
func (r *ZLexRange) belowMax(m []byte, _ float64, _ int) bool { return r.lteMax(m) }

// Empty reports whether no member can be in the range
// (zslLexValueCmp(min, max) > 0, or equal with an exclusive bound).
func (r *ZLexRange) Empty() bool {
	var c int
	switch {
	case r.MinKind == r.MaxKind && r.MinKind != 0:
		c = 0
	case r.MinKind == -1 || r.MaxKind == 1:
		c = -1
	case r.MinKind == 1 || r.MaxKind == -1:
		c = 1
	default:
		c = bytes.Compare(r.Min, r.Max)
	}
	return c > 0 || c == 0 && (r.MinEx || r.MaxEx)
}

// zrankRange is a rank interval [start, end], 0-based.
type zrankRange struct{ start, end int }

func (r *zrankRange) aboveMin(_ []byte, _ float64, rank int) bool { return rank >= r.start }
func (r *zrankRange) belowMax(_ []byte, _ float64, rank int) bool { return rank <= r.end }

// zbounds is a range's two tests on an element (member, score, 0-based
// rank), used as Redis uses them: walking forward from the first element
// not below the minimum while elements stay under the maximum, or
// backward from the last element under the maximum while they stay above
// the minimum. On a set whose members are not in lex order (mixed scores)
// the BYLEX commands then answer exactly what Redis answers.
type zbounds interface {
	aboveMin(m []byte, s float64, rank int) bool
	belowMax(m []byte, s float64, rank int) bool
}

// RangeByRank calls fn for the members of ranks start..end (0-based,
// inclusive, already clamped to the set), from the lowest score, or from
// the highest when rev (ranks then count from the highest), until fn
// returns false.
func (z *ZSet) RangeByRank(start, end int, rev bool, fn func(member []byte, score float64) bool) {
	if start > end || start < 0 {
		return
	}
	n := z.Len()
	if rev {
		start, end = n-1-end, n-1-start
	}
	z.rangeGeneric(&zrankRange{start, end}, rev, 0, -1, fn)
}

// RangeByScore calls fn for the members with scores in r, in order (from
// the highest when rev), skipping offset of them and stopping after limit
// (limit < 0: no limit) or when fn returns false.
func (z *ZSet) RangeByScore(r ZScoreRange, rev bool, offset, limit int, fn func(member []byte, score float64) bool) {
	if r.Empty() {
		return
	}
	z.rangeGeneric(&r, rev, offset, limit, fn)
}

// RangeByLex is RangeByScore for a member range. It is meant for sets
// whose scores are all equal; on mixed scores it walks as Redis does
// (from the first member not below the minimum while members stay under
// the maximum), which is exact for a listpack.
func (z *ZSet) RangeByLex(r ZLexRange, rev bool, offset, limit int, fn func(member []byte, score float64) bool) {
	if r.Empty() {
		return
	}
	z.rangeGeneric(&r, rev, offset, limit, fn)
}

// CountByScore returns the number of members with scores in r.
func (z *ZSet) CountByScore(r ZScoreRange) int {
	if r.Empty() {
		return 0
	}
	return z.countGeneric(&r)
}

// CountByLex returns the number of members in r.
func (z *ZSet) CountByLex(r ZLexRange) int {
	if r.Empty() {
		return 0
	}
	return z.countGeneric(&r)
}

// RemoveRangeByRank deletes ranks start..end (0-based, inclusive, clamped)
// and returns how many were deleted.
func (z *ZSet) RemoveRangeByRank(start, end int) int {
	if start > end || start < 0 {
		return 0
	}
	return z.removeGeneric(&zrankRange{start, end})
}

// RemoveRangeByScore deletes the members with scores in r.
func (z *ZSet) RemoveRangeByScore(r ZScoreRange) int {
	if r.Empty() {
		return 0
	}
	return z.removeGeneric(&r)
}

// RemoveRangeByLex deletes the members in r.
func (z *ZSet) RemoveRangeByLex(r ZLexRange) int {
	if r.Empty() {
		return 0
	}
	return z.removeGeneric(&r)
}

// Compact converts a skiplist set back to a listpack when it fits lim, as
// zsetConvertToListpackIfNeeded does for the results of ZUNIONSTORE and
// its relatives.
func (z *ZSet) Compact(lim ZSetLimits) {
	if z.lp != nil || z.zsl.length > lim.MaxListpackEntries {
		return
	}
	for n := z.zsl.header.lv(0).forward; n != nil; n = n.lv(0).forward {
		if len(n.member) > lim.MaxListpackValue {
			return
		}
	}
	lp := encoding.NewListpack()
	var sbuf [32]byte
	for n := z.zsl.header.lv(0).forward; n != nil; n = n.lv(0).forward {
		lp = encoding.LPSplice(lp, len(lp)-1, len(lp)-1, 0, zunsafeBytes(n.member), zscoreBytes(sbuf[:0], n.score))
	}
	*z = ZSet{lp: lp}
}

// ConvertToSkiplist switches a listpack set to the skiplist encoding.
func (z *ZSet) ConvertToSkiplist() {
	if z.lp != nil {
		z.toSkiplist(z.Len())
	}
}

// Scan visits one step of a ZSCAN from cursor and returns the next cursor
// (0 when done). A listpack set is visited whole in one step. A skiplist
// set walks its hash table with Redis's reverse-binary cursor, bucket by
// bucket, until count members were visited or 10*count buckets were
// tried, so members present for the whole scan are seen even when the
// table resizes between steps.
func (z *ZSet) Scan(cursor uint64, count int, fn func(member []byte, score float64)) uint64 {
	if z.lp != nil {
		z.Each(func(m []byte, s float64) bool {
			fn(m, s)
			return true
		})
		return 0
	}
	seen := 0
	visit := func(n *zslNode) {
		seen++
		fn(zunsafeBytes(n.member), n.score)
	}
	budget := 10 * count
	for {
		cursor = z.dict.scan(cursor, visit)
		if cursor == 0 || budget <= 0 || seen >= count {
			return cursor
		}
		budget--
	}
}

// rangeGeneric emits the elements of the range from the first (or the
// last when rev), after skipping offset of them, at most limit (limit < 0:
// all).
func (z *ZSet) rangeGeneric(b zbounds, rev bool, offset, limit int, fn func([]byte, float64) bool) {
	c, rank, ok := z.seek(b, rev)
	if !ok {
		return
	}
	var buf [24]byte
	for ; c.valid() && limit != 0; c, rank = z.step(c, rev, rank) {
		m, s := z.get(c, &buf)
		if rev && !b.aboveMin(m, s, rank) || !rev && !b.belowMax(m, s, rank) {
			return
		}
		if offset > 0 {
			offset--
			continue
		}
		if !fn(m, s) {
			return
		}
		if limit > 0 {
			limit--
		}
	}
}

// countGeneric counts as ZCOUNT and ZLEXCOUNT do: a listpack from the
// first element in range while elements stay under the maximum, a
// skiplist from the ranks of the first and the last element in range.
func (z *ZSet) countGeneric(b zbounds) int {
	first, r1, ok := z.seek(b, false)
	if !ok {
		return 0
	}
	if z.lp == nil {
		count := z.zsl.length - r1
		if _, r2, ok := z.seek(b, true); ok {
			count -= z.zsl.length - 1 - r2
		}
		return count
	}
	n := 0
	var buf [24]byte
	for c, rank := first, r1; c.valid(); c, rank = z.step(c, false, rank) {
		m, s := z.get(c, &buf)
		if !b.belowMax(m, s, rank) {
			break
		}
		n++
	}
	return n
}

// removeGeneric deletes from the first element not below the minimum
// while elements stay under the maximum.
func (z *ZSet) removeGeneric(b zbounds) int {
	if z.lp != nil {
		c, rank, ok := z.seek(b, false)
		if !ok {
			return 0
		}
		var buf [24]byte
		from, to, n := c.p, c.p, 0
		for c.valid() {
			m, s := z.get(c, &buf)
			if !b.belowMax(m, s, rank) {
				break
			}
			sp := encoding.LPNext(z.lp, c.p)
			to = encoding.LPNext(z.lp, sp)
			n++
			rank++
			c.p = to
			if to < 0 {
				to = len(z.lp) - 1
			}
		}
		if n > 0 {
			z.lp = encoding.LPSplice(z.lp, from, to, 2*n)
		}
		return n
	}
	var update [zslMaxLevel]*zslNode
	_, rank := z.zsl.seek(&update, nil, func(f *zslNode, rank int) bool {
		return !b.aboveMin(zunsafeBytes(f.member), f.score, rank-1)
	})
	n := 0
	for x := update[0].lv(0).forward; x != nil; {
		if !b.belowMax(zunsafeBytes(x.member), x.score, rank) {
			break
		}
		next := x.lv(0).forward
		z.zsl.unlink(x, &update)
		z.dict.remove(zunsafeBytes(x.member))
		n++
		rank++
		x = next
	}
	return n
}

// zcur is a position in either encoding: a skiplist node, or the listpack
// offset of a member entry (-1 past either end).
type zcur struct {
	n *zslNode
	p int
}

func (c zcur) valid() bool { return c.n != nil || c.p >= 0 }

// seek returns the first element in the range (the last when rev) and
// its 0-based rank, as zslFirstInRange/zslLastInRange and their listpack
// and lex forms: the range must overlap the set (last element not below
// the minimum, first not above the maximum), then forward the first
// element not below the minimum must be under the maximum, backward the
// last element under the maximum must be above the minimum.
func (z *ZSet) seek(b zbounds, rev bool) (zcur, int, bool) {
	none := zcur{p: -1}
	n := z.Len()
	if n == 0 {
		return none, 0, false
	}
	var buf [24]byte
	if lm, ls := z.At(n - 1); !b.aboveMin(lm, ls, n-1) {
		return none, 0, false
	}
	if fm, fs := z.At(0); !b.belowMax(fm, fs, 0) {
		return none, 0, false
	}
	if z.lp != nil {
		lp := z.lp
		if !rev {
			rank := 0
			for p := encoding.LPFirst(lp); p >= 0; rank++ {
				m, sp := zlpMember(lp, p, &buf)
				if s := zlpScore(lp, sp); b.aboveMin(m, s, rank) {
					if b.belowMax(m, s, rank) {
						return zcur{p: p}, rank, true
					}
					return none, 0, false
				}
				p = encoding.LPNext(lp, sp)
			}
			return none, 0, false
		}
		rank := n - 1
		for sp := encoding.LPLast(lp); sp >= 0; rank-- {
			p := encoding.LPPrev(lp, sp)
			m, _ := zlpMember(lp, p, &buf)
			if s := zlpScore(lp, sp); b.belowMax(m, s, rank) {
				if b.aboveMin(m, s, rank) {
					return zcur{p: p}, rank, true
				}
				return none, 0, false
			}
			sp = encoding.LPPrev(lp, p)
		}
		return none, 0, false
	}
	if !rev {
		last, rank := z.zsl.seek(nil, nil, func(f *zslNode, rank int) bool {
			return !b.aboveMin(zunsafeBytes(f.member), f.score, rank-1)
		})
		x := last.lv(0).forward
		if x == nil || !b.belowMax(zunsafeBytes(x.member), x.score, rank) {
			return none, 0, false
		}
		return zcur{n: x, p: -1}, rank, true
	}
	x, rank := z.zsl.seek(nil, nil, func(f *zslNode, rank int) bool {
		return b.belowMax(zunsafeBytes(f.member), f.score, rank-1)
	})
	if x == z.zsl.header || !b.aboveMin(zunsafeBytes(x.member), x.score, rank-1) {
		return none, 0, false
	}
	return zcur{n: x, p: -1}, rank - 1, true
}

// step moves c one element forward (backward when rev), with its rank.
func (z *ZSet) step(c zcur, rev bool, rank int) (zcur, int) {
	if rev {
		rank--
	} else {
		rank++
	}
	if z.lp == nil {
		if rev {
			c.n = c.n.backward
		} else {
			c.n = c.n.lv(0).forward
		}
		return c, rank
	}
	if rev {
		if sp := encoding.LPPrev(z.lp, c.p); sp >= 0 {
			c.p = encoding.LPPrev(z.lp, sp)
		} else {
			c.p = -1
		}
		return c, rank
	}
	if sp := encoding.LPNext(z.lp, c.p); sp >= 0 {
		c.p = encoding.LPNext(z.lp, sp)
	} else {
		c.p = -1
	}
	return c, rank
}

func (z *ZSet) get(c zcur, buf *[24]byte) ([]byte, float64) {
	if c.n != nil {
		return zunsafeBytes(c.n.member), c.n.score
	}
	m, sp := zlpMember(z.lp, c.p, buf)
	return m, zlpScore(z.lp, sp)
}

// Listpack encoding.

// zlpMember returns the member at p (an integer entry formatted into buf)
// and the offset of its score.
func zlpMember(lp []byte, p int, buf *[24]byte) ([]byte, int) {
	s, iv, isInt, next := encoding.LPEntryAt(lp, p)
	if isInt {
		s = strconv.AppendInt(buf[:0], iv, 10)
	}
	return s, next
}

func zlpScore(lp []byte, sp int) float64 {
	f, _ := zlpScoreOK(lp, sp)
	return f
}

func zlpScoreOK(lp []byte, sp int) (float64, bool) {
	s, iv, isInt, _ := encoding.LPEntryAt(lp, sp)
	if isInt {
		return float64(iv), true
	}
	f, err := strconv.ParseFloat(zunsafeString(s), 64)
	if err != nil || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

// zscoreBytes formats a score as the listpack stores it (d2string: an
// integral value within ±2^52 as an integer, so -0 becomes 0).
func zscoreBytes(dst []byte, s float64) []byte {
	if s == 0 {
		return append(dst, '0')
	}
	return AppendHumanFloat(dst, s)
}

// zlpFind returns the offsets of member's entry and of its score, -1 when
// absent.
func (z *ZSet) zlpFind(member []byte) (int, int) {
	lp := z.lp
	iv, argInt := ParseInt(member)
	for p := encoding.LPFirst(lp); p >= 0; {
		s, v, isInt, sp := encoding.LPEntryAt(lp, p)
		if isInt && argInt && v == iv || !isInt && bytes.Equal(s, member) {
			return p, sp
		}
		p = encoding.LPNext(lp, sp)
	}
	return -1, -1
}

// zlpInsert inserts a member known to be absent at its place.
func (z *ZSet) zlpInsert(member []byte, score float64) {
	lp := z.lp
	at := len(lp) - 1
	var buf [24]byte
	for p := encoding.LPFirst(lp); p >= 0; {
		m, sp := zlpMember(lp, p, &buf)
		if s := zlpScore(lp, sp); s > score || s == score && bytes.Compare(m, member) > 0 {
			at = p
			break
		}
		p = encoding.LPNext(lp, sp)
	}
	var sbuf [32]byte
	z.lp = encoding.LPSplice(lp, at, at, 0, member, zscoreBytes(sbuf[:0], score))
}

// zlpDelete removes the pair whose member entry is at p.
func (z *ZSet) zlpDelete(p int) {
	end := encoding.LPNext(z.lp, encoding.LPNext(z.lp, p))
	if end < 0 {
		end = len(z.lp) - 1
	}
	z.lp = encoding.LPSplice(z.lp, p, end, 2)
}

func (z *ZSet) toSkiplist(hint int) {
	lp := z.lp
	z.lp = nil
	z.initSkiplist(hint)
	var buf [24]byte
	for p := encoding.LPFirst(lp); p >= 0; {
		m, sp := zlpMember(lp, p, &buf)
		z.zslAdd(string(m), zlpScore(lp, sp))
		p = encoding.LPNext(lp, sp)
	}
}

// Skiplist encoding.

func (z *ZSet) initSkiplist(hint int) {
	z.zsl = zskiplist{header: newZslNode(zslMaxLevel), level: 1}
	z.dict = zdict{}
	z.dict.resize(hint)
}

// zslAdd inserts a member known to be absent.
func (z *ZSet) zslAdd(member string, score float64) {
	n := newZslNode(zslRandomLevel())
	n.member, n.score = member, score
	z.zsl.insertNode(n)
	z.dict.add(n)
}

// A node is allocated together with its levels, which follow its fields
// (zslNode1 ... zslNode4, and zslNodeMax for the rare taller nodes and the
// header), so that a search reads a node's score and links from one or two
// cache lines, as from Redis's zskiplistNode with its flexible level
// array.
type (
	zslNode1 struct {
		zslNode
		lv [1]zslLevel
	}
	zslNode2 struct {
		zslNode
		lv [2]zslLevel
	}
	zslNode3 struct {
		zslNode
		lv [3]zslLevel
	}
	zslNode4 struct {
		zslNode
		lv [4]zslLevel
	}
	zslNodeMax struct {
		zslNode
		lv [zslMaxLevel]zslLevel
	}
)

// zslLevelsOffset is where a node's levels start in its allocation.
const zslLevelsOffset = unsafe.Sizeof(zslNode{})

func newZslNode(lvl int) *zslNode {
	var n *zslNode
	switch lvl {
	case 1:
		n = &(&zslNode1{}).zslNode
	case 2:
		n = &(&zslNode2{}).zslNode
	case 3:
		n = &(&zslNode3{}).zslNode
	case 4:
		n = &(&zslNode4{}).zslNode
	default:
		n = &(&zslNodeMax{}).zslNode
	}
	n.nlevel = lvl
	return n
}

// lv is level i of n, which has more than i levels.
func (n *zslNode) lv(i int) *zslLevel {
	return (*zslLevel)(unsafe.Add(unsafe.Pointer(n), zslLevelsOffset+uintptr(i)*unsafe.Sizeof(zslLevel{})))
}

const zslMaxLevel = 32

// zslRandomLevel draws a level with P(level > k) = 1/4^k, as Redis.
func zslRandomLevel() int {
	lvl := 1
	for lvl < zslMaxLevel && rand.Uint32()&0xFFFF < 0xFFFF/4 {
		lvl++
	}
	return lvl
}

type zslLevel struct {
	forward *zslNode
	span    int
}

// zslNode is a skiplist node, always allocated with its levels (see
// newZslNode).
type zslNode struct {
	score    float64
	member   string
	backward *zslNode
	hnext    *zslNode // hash chain
	hash     uint64
	nlevel   int
}

type zskiplist struct {
	header *zslNode
	tail   *zslNode
	length int
	level  int
}

// zless orders (score, member) pairs.
func zless(s1 float64, m1 []byte, s2 float64, m2 []byte) bool {
	return s1 < s2 || s1 == s2 && bytes.Compare(m1, m2) < 0
}

// seek walks down from the top level, moving right while before(next
// node, its 1-based rank) holds; it records the last node of each level
// in update and the rank reached at each level in ranks, and returns the
// last node passed (the header when none) and its rank.
func (l *zskiplist) seek(update *[zslMaxLevel]*zslNode, ranks *[zslMaxLevel]int, before func(f *zslNode, rank int) bool) (*zslNode, int) {
	n := l.header
	rank := 0
	for i := l.level - 1; i >= 0; i-- {
		for f := n.lv(i).forward; f != nil && before(f, rank+n.lv(i).span); f = n.lv(i).forward {
			rank += n.lv(i).span
			n = f
		}
		if update != nil {
			update[i] = n
		}
		if ranks != nil {
			ranks[i] = rank
		}
	}
	return n, rank
}

// seekBefore is seek for the nodes ordered before (score, member), the
// search of every insert and delete, without seek's callback.
func (l *zskiplist) seekBefore(update *[zslMaxLevel]*zslNode, ranks *[zslMaxLevel]int, score float64, member string) {
	n := l.header
	rank := 0
	for i := l.level - 1; i >= 0; i-- {
		for {
			lv := n.lv(i)
			f := lv.forward
			if f == nil || !(f.score < score || f.score == score && f.member < member) {
				break
			}
			rank += lv.span
			n = f
		}
		update[i] = n
		if ranks != nil {
			ranks[i] = rank
		}
	}
}

func (l *zskiplist) insertNode(x *zslNode) {
	var update [zslMaxLevel]*zslNode
	var ranks [zslMaxLevel]int
	l.seekBefore(&update, &ranks, x.score, x.member)
	lvl := x.nlevel
	if lvl > l.level {
		for i := l.level; i < lvl; i++ {
			ranks[i] = 0
			update[i] = l.header
			update[i].lv(i).span = l.length
		}
		l.level = lvl
	}
	for i := 0; i < lvl; i++ {
		x.lv(i).forward = update[i].lv(i).forward
		update[i].lv(i).forward = x
		x.lv(i).span = update[i].lv(i).span - (ranks[0] - ranks[i])
		update[i].lv(i).span = ranks[0] - ranks[i] + 1
	}
	for i := lvl; i < l.level; i++ {
		update[i].lv(i).span++
	}
	if update[0] != l.header {
		x.backward = update[0]
	} else {
		x.backward = nil
	}
	if x.lv(0).forward != nil {
		x.lv(0).forward.backward = x
	} else {
		l.tail = x
	}
	l.length++
}

func (l *zskiplist) unlink(x *zslNode, update *[zslMaxLevel]*zslNode) {
	for i := 0; i < l.level; i++ {
		if update[i].lv(i).forward == x {
			update[i].lv(i).span += x.lv(i).span - 1
			update[i].lv(i).forward = x.lv(i).forward
		} else {
			update[i].lv(i).span--
		}
	}
	if x.lv(0).forward != nil {
		x.lv(0).forward.backward = x.backward
	} else {
		l.tail = x.backward
	}
	for l.level > 1 && l.header.lv(l.level-1).forward == nil {
		l.level--
	}
	l.length--
}

// delete unlinks node x.
func (l *zskiplist) delete(x *zslNode) {
	var update [zslMaxLevel]*zslNode
	l.seekBefore(&update, nil, x.score, x.member)
	l.unlink(x, &update)
}

// updateScore moves node x to its new score, in place when the order
// allows (zslUpdateScore).
func (l *zskiplist) updateScore(x *zslNode, score float64) {
	prev, next := x.backward, x.lv(0).forward
	if (prev == nil || prev.score < score || prev.score == score && prev.member < x.member) &&
		(next == nil || next.score > score || next.score == score && next.member > x.member) {
		x.score = score
		return
	}
	l.delete(x)
	x.score = score
	l.insertNode(x)
}

// rankOf returns the 1-based rank of node x.
func (l *zskiplist) rankOf(x *zslNode) int {
	score, member := x.score, x.member
	_, rank := l.seek(nil, nil, func(f *zslNode, _ int) bool {
		return f.score < score || f.score == score && f.member <= member
	})
	return rank
}

// zdict is the member → node hash table of the skiplist encoding, chained
// through the nodes, with a power-of-two bucket count so ZSCAN can use
// Redis's reverse-binary cursor.
type zdict struct {
	buckets []*zslNode
	count   int
	// bytes is what the nodes in the table take (zslNodeBytes), kept as
	// they come and go so MemoryUsage is O(1).
	bytes int
}

var zseed = maphash.MakeSeed()

func zhash(b []byte) uint64 { return maphash.Bytes(zseed, b) }

func (d *zdict) resize(n int) {
	size := 4
	for size < n {
		size <<= 1
	}
	old := d.buckets
	d.buckets = make([]*zslNode, size)
	mask := uint64(size - 1)
	for _, n := range old {
		for n != nil {
			next := n.hnext
			n.hnext = d.buckets[n.hash&mask]
			d.buckets[n.hash&mask] = n
			n = next
		}
	}
}

func (d *zdict) find(member []byte) *zslNode {
	if len(d.buckets) == 0 {
		return nil
	}
	h := zhash(member)
	for n := d.buckets[h&uint64(len(d.buckets)-1)]; n != nil; n = n.hnext {
		if n.hash == h && n.member == zunsafeString(member) {
			return n
		}
	}
	return nil
}

func (d *zdict) add(n *zslNode) {
	if d.count >= len(d.buckets) {
		d.resize(2 * (d.count + 1))
	}
	n.hash = zhash(zunsafeBytes(n.member))
	i := n.hash & uint64(len(d.buckets)-1)
	n.hnext = d.buckets[i]
	d.buckets[i] = n
	d.count++
	d.bytes += zslNodeBytes(n)
}

func (d *zdict) remove(member []byte) *zslNode {
	if len(d.buckets) == 0 {
		return nil
	}
	h := zhash(member)
	for pp := &d.buckets[h&uint64(len(d.buckets)-1)]; *pp != nil; pp = &(*pp).hnext {
		n := *pp
		if n.hash == h && n.member == zunsafeString(member) {
			*pp = n.hnext
			n.hnext = nil
			d.count--
			d.bytes -= zslNodeBytes(n)
			if len(d.buckets) > 4 && d.count*10 < len(d.buckets) {
				d.resize(d.count)
			}
			return n
		}
	}
	return nil
}

// scan visits one bucket at cursor and returns the next cursor, reversing
// the bits so that growing or shrinking the table between calls neither
// skips nor repeats whole buckets (dictScan).
func (d *zdict) scan(cursor uint64, fn func(n *zslNode)) uint64 {
	if d.count == 0 {
		return 0
	}
	mask := uint64(len(d.buckets) - 1)
	for n := d.buckets[cursor&mask]; n != nil; n = n.hnext {
		fn(n)
	}
	cursor |= ^mask
	cursor = bits.Reverse64(cursor)
	cursor++
	return bits.Reverse64(cursor)
}

func zunsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

func zunsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}
