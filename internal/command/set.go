package command

import (
	"math"
	"slices"

	"shoal/internal/glob"
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// Set commands, as Redis 7.0's t_set.c behaves. Values are *types.Set.

func init() {
	Register("sadd", saddCommand)
	Register("srem", sremCommand)
	Register("smove", smoveCommand)
	Register("sismember", sismemberCommand)
	Register("smismember", smismemberCommand)
	Register("scard", scardCommand)
	Register("spop", spopCommand)
	Register("srandmember", srandmemberCommand)
	Register("smembers", sinterCommand)
	Register("sinter", sinterCommand)
	Register("sintercard", sintercardCommand)
	Register("sinterstore", sinterstoreCommand)
	Register("sunion", sunionCommand)
	Register("sunionstore", sunionstoreCommand)
	Register("sdiff", sdiffCommand)
	Register("sdiffstore", sdiffstoreCommand)
	Register("sscan", sscanCommand)
}

var setsArgSREM = []byte("SREM")

// setsLookup returns the entry and set at key (nil when absent), looked up
// for writing or reading as lookupKeyWrite/lookupKeyRead. For a key of
// another type it writes WRONGTYPE and returns ok=false.
func setsLookup(c *Client, key []byte, write bool) (*keyspace.Entry, *types.Set, bool) {
	e := lookupKey(c, c.DB, key, write, true)
	if e == nil {
		return nil, nil, true
	}
	if e.Type != keyspace.TypeSet {
		c.Error(rerr.WrongType)
		return nil, nil, false
	}
	return e, e.Obj.(*types.Set), true
}

// setsCreate adds key holding s, as dbAdd (signalKeyAsReady and the "new"
// notification).
func setsCreate(c *Client, key []byte, s *types.Set) {
	e := c.DB.Add(key, keyspace.TypeSet)
	e.Obj = s
	added(c, c.DB, key)
}

// setsDeleteEmptied removes key, whose set a command emptied, and sends
// the "del" notification.
func setsDeleteEmptied(c *Client, key []byte) {
	c.DB.Delete(key)
	c.Notify(NotifyGeneric, "del", key)
}

func (c *Client) setsMaxIntset() int { return c.Core.Limits.SetMaxIntsetEntries }

func saddCommand(c *Client) {
	key := c.Argv[1]
	e, s, ok := setsLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil {
		s = types.NewSetFor(c.Argv[2])
		setsCreate(c, key, s)
	}
	max := c.setsMaxIntset()
	n := 0
	for _, m := range c.Argv[2:] {
		if s.Add(m, max) {
			n++
		}
	}
	if n > 0 {
		c.Modified(key, int64(n))
		c.Notify(NotifySet, "sadd", key)
	}
	c.Int(int64(n))
}

func sremCommand(c *Client) {
	key := c.Argv[1]
	e, s, ok := setsLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	n, emptied := 0, false
	for _, m := range c.Argv[2:] {
		if s.Remove(m) {
			n++
			if s.Len() == 0 {
				c.DB.Delete(key)
				emptied = true
				break
			}
		}
	}
	if n > 0 {
		c.Modified(key, int64(n))
		c.Notify(NotifySet, "srem", key)
		if emptied {
			c.Notify(NotifyGeneric, "del", key)
		}
	}
	c.Int(int64(n))
}

func smoveCommand(c *Client) {
	src, dst, m := c.Argv[1], c.Argv[2], c.Argv[3]
	se := lookupKey(c, c.DB, src, true, true)
	de := lookupKey(c, c.DB, dst, true, true)
	if se == nil {
		c.Int(0)
		return
	}
	if se.Type != keyspace.TypeSet || de != nil && de.Type != keyspace.TypeSet {
		c.Error(rerr.WrongType)
		return
	}
	ss := se.Obj.(*types.Set)
	if se == de {
		c.Int(setsBool(ss.Has(m)))
		return
	}
	if !ss.Remove(m) {
		c.Int(0)
		return
	}
	c.Notify(NotifySet, "srem", src)
	if ss.Len() == 0 {
		setsDeleteEmptied(c, src)
	}
	var ds *types.Set
	if de == nil {
		ds = types.NewSetFor(m)
		setsCreate(c, dst, ds)
	} else {
		ds = de.Obj.(*types.Set)
	}
	c.Modified(src, 1)
	if ds.Add(m, c.setsMaxIntset()) {
		c.Modified(dst, 1)
		c.Notify(NotifySet, "sadd", dst)
	}
	c.Int(1)
}

func setsBool(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func sismemberCommand(c *Client) {
	_, s, ok := setsLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	c.Int(setsBool(s != nil && s.Has(c.Argv[2])))
}

func smismemberCommand(c *Client) {
	_, s, ok := setsLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	c.Array(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		c.Int(setsBool(s != nil && s.Has(m)))
	}
}

func scardCommand(c *Client) {
	_, s, ok := setsLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if s == nil {
		c.Int(0)
		return
	}
	c.Int(int64(s.Len()))
}

// setsReplyAll replies every member of s as a set, in its iteration order.
func setsReplyAll(c *Client, s *types.Set) {
	c.Set(s.Len())
	s.Each(func(m []byte) bool {
		c.Bulk(m)
		return true
	})
}

// spopMoveStrategyMul is SPOP_MOVE_STRATEGY_MUL: SPOP with a count builds
// a new set from the members it keeps when they are few compared to the
// popped ones.
const spopMoveStrategyMul = 5

func spopCommand(c *Client) {
	if len(c.Argv) > 3 {
		c.Error(rerr.Syntax)
		return
	}
	if len(c.Argv) == 3 {
		spopWithCount(c)
		return
	}
	key := c.Argv[1]
	e, s, ok := setsLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil {
		c.Null()
		return
	}
	var buf [20]byte
	m := append([]byte(nil), s.Random(c.Core.KS.Rand, buf[:0])...)
	s.Remove(m)
	c.Notify(NotifySet, "spop", key)
	// Propagated as the SREM of the member popped, as Redis does.
	c.RewriteArgv(setsArgSREM, key, m)
	c.Bulk(m)
	if s.Len() == 0 {
		setsDeleteEmptied(c, key)
	}
	c.Modified(key, 1)
}

func spopWithCount(c *Client) {
	key := c.Argv[1]
	v, ok := types.ParseInt(c.Argv[2])
	if !ok || v < 0 {
		c.Error(rerr.PositiveInt)
		return
	}
	e, s, ok := setsLookup(c, key, true)
	if !ok {
		return
	}
	if e == nil || v == 0 {
		c.Set(0)
		return
	}
	count := uint64(v)
	size := uint64(s.Len())
	c.Notify(NotifySet, "spop", key)
	if count >= size {
		// The whole set goes: the reply is SUNION of the key, and the
		// effect propagates as DEL.
		setsReplyAll(c, setsUnion(c, []*types.Set{s}))
		setsDeleteEmptied(c, key)
		c.RewriteArgv(argDEL, key)
		c.Modified(key, int64(size))
		return
	}
	c.Set(int(count))
	rnd := c.Core.KS.Rand
	var buf [20]byte
	propagate := func(m []byte) {
		c.Bulk(m)
		c.AlsoPropagate(setsArgSREM, key, append([]byte(nil), m...))
	}
	remaining := size - count
	if remaining*spopMoveStrategyMul > count {
		for i := uint64(0); i < count; i++ {
			m := s.Random(rnd, buf[:0])
			propagate(m)
			s.Remove(m)
		}
	} else {
		// Few members stay: move them to a new set, reply the rest.
		max := c.setsMaxIntset()
		var kept *types.Set
		for i := uint64(0); i < remaining; i++ {
			m := s.Random(rnd, buf[:0])
			if kept == nil {
				kept = types.NewSetFor(m)
			}
			kept.Add(m, max)
			s.Remove(m)
		}
		s.Each(func(m []byte) bool {
			propagate(m)
			return true
		})
		e.Obj = kept
	}
	c.PreventPropagation()
	c.Modified(key, int64(count))
}

// srandmemberSubStrategyMul is SRANDMEMBER_SUB_STRATEGY_MUL: SRANDMEMBER
// with a count close to the size copies the set and removes random members
// instead of picking random ones.
const srandmemberSubStrategyMul = 3

func srandmemberCommand(c *Client) {
	if len(c.Argv) > 3 {
		c.Error(rerr.Syntax)
		return
	}
	if len(c.Argv) == 3 {
		srandmemberWithCount(c)
		return
	}
	_, s, ok := setsLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if s == nil {
		c.Null()
		return
	}
	var buf [20]byte
	c.Bulk(s.Random(c.Core.KS.Rand, buf[:0]))
}

func srandmemberWithCount(c *Client) {
	v, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if v == math.MinInt64 {
		c.Error(rerr.SRandMemberRange)
		return
	}
	uniq := v >= 0
	count := uint64(v)
	if !uniq {
		count = uint64(-v)
	}
	_, s, ok := setsLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if s == nil || count == 0 {
		c.Array(0)
		return
	}
	rnd := c.Core.KS.Rand
	var buf [20]byte
	size := uint64(s.Len())
	switch {
	case !uniq || count == 1:
		// Independent draws, repetitions allowed.
		c.Array(int(count))
		for ; count > 0; count-- {
			c.Bulk(s.Random(rnd, buf[:0]))
			if c.OutputLimitReached() {
				break
			}
		}
	case count >= size:
		c.Array(int(size))
		s.Each(func(m []byte) bool {
			c.Bulk(m)
			return true
		})
	case count*srandmemberSubStrategyMul > size:
		// Copy the members and drop random ones down to count.
		all := make([][]byte, 0, size)
		s.Each(func(m []byte) bool {
			all = append(all, append([]byte(nil), m...))
			return true
		})
		for uint64(len(all)) > count {
			i := rnd(uint64(len(all)))
			all[i] = all[len(all)-1]
			all = all[:len(all)-1]
		}
		c.Array(len(all))
		for _, m := range all {
			c.Bulk(m)
		}
	default:
		// Draw random members until count distinct ones are found.
		seen := make(map[string]struct{}, count)
		c.Array(int(count))
		for uint64(len(seen)) < count {
			m := s.Random(rnd, buf[:0])
			if _, dup := seen[string(m)]; dup {
				continue
			}
			seen[string(m)] = struct{}{}
			c.Bulk(m)
		}
	}
}

// setsLoad looks up the source sets of SINTER, SUNION and SDIFF: a missing
// key is a nil set; any key of another type is WRONGTYPE (ok=false).
func setsLoad(c *Client, keys [][]byte) (sets []*types.Set, missing int, ok bool) {
	sets = make([]*types.Set, len(keys))
	for i, k := range keys {
		_, s, ok := setsLookup(c, k, false)
		if !ok {
			return nil, 0, false
		}
		if s == nil {
			missing++
		}
		sets[i] = s
	}
	return sets, missing, true
}

// setsStore stores result at dst for the STORE variants, as setKey: a
// value of another type is replaced and the TTL cleared; an empty result
// deletes dst instead. It replies the cardinality.
func setsStore(c *Client, dst []byte, result *types.Set, event string) {
	if result.Len() == 0 {
		c.Int(0)
		setsDeleteDst(c, dst)
		return
	}
	if e := lookupKey(c, c.DB, dst, true, true); e == nil {
		setsCreate(c, dst, result)
	} else {
		e.Type = keyspace.TypeSet
		e.Obj = result
		e.Str = nil
		e.Enc = 0
		c.DB.Persist(e)
	}
	c.Modified(dst, 1)
	c.Int(int64(result.Len()))
	c.Notify(NotifySet, event, dst)
}

// setsDeleteDst deletes the destination of an empty STORE result.
func setsDeleteDst(c *Client, dst []byte) {
	if c.DB.Delete(dst) {
		c.Modified(dst, 1)
		c.Notify(NotifyGeneric, "del", dst)
	}
}

// sinterGeneric is SINTER, SMEMBERS, SINTERSTORE (dst set) and SINTERCARD
// (cardOnly, stopping at limit when it is not 0).
func sinterGeneric(c *Client, keys [][]byte, dst []byte, cardOnly bool, limit int64) {
	sets, missing, ok := setsLoad(c, keys)
	if !ok {
		return
	}
	if missing > 0 {
		switch {
		case dst != nil:
			setsDeleteDst(c, dst)
			c.Int(0)
		case cardOnly:
			c.Int(0)
		default:
			c.Set(0)
		}
		return
	}
	// Smallest set first: its members are the candidates.
	slices.SortStableFunc(sets, func(a, b *types.Set) int { return a.Len() - b.Len() })
	var result *types.Set
	tok := 0
	if dst != nil {
		result = types.NewSet()
	} else if !cardOnly {
		tok = c.DeferLen()
	}
	max := c.setsMaxIntset()
	var n int64
	sets[0].Each(func(m []byte) bool {
		for _, s := range sets[1:] {
			if s != sets[0] && !s.Has(m) {
				return true
			}
		}
		n++
		switch {
		case cardOnly:
			return limit == 0 || n < limit
		case dst != nil:
			result.Add(m, max)
		default:
			c.Bulk(m)
		}
		return true
	})
	switch {
	case cardOnly:
		c.Int(n)
	case dst != nil:
		setsStore(c, dst, result, "sinterstore")
	default:
		c.SetSetLen(tok, int(n))
	}
}

func sinterCommand(c *Client) { sinterGeneric(c, c.Argv[1:], nil, false, 0) }

func sinterstoreCommand(c *Client) { sinterGeneric(c, c.Argv[2:], c.Argv[1], false, 0) }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
func sintercardCommand(c *Client) {
	numkeys, ok := types.ParseInt(c.Argv[1])
	if !ok || numkeys < 1 {
		c.Error(rerr.SInterCardNumKeys)
		return
	}
	if numkeys > int64(len(c.Argv)-2) {
		c.Error(rerr.SInterCardTooManyKeys)
		return
	}
	var limit int64
	for j := 2 + int(numkeys); j < len(c.Argv); j++ {
		if !equalFold(c.Argv[j], "limit") || j+1 >= len(c.Argv) {
			c.Error(rerr.Syntax)
			return
		}
		j++
		v, ok := types.ParseInt(c.Argv[j])
		if !ok || v < 0 {
			c.Error(rerr.SInterCardLimit)
			return
		}
		limit = v
	}
	sinterGeneric(c, c.Argv[2:2+numkeys], nil, true, limit)
}

// setsUnion is the union of sets (nil ones are empty), built as Redis
// builds it: an intset that converts as members require.
func setsUnion(c *Client, sets []*types.Set) *types.Set {
	max := c.setsMaxIntset()
	result := types.NewSet()
	for _, s := range sets {
		if s == nil {
			continue
		}
		s.Each(func(m []byte) bool {
			result.Add(m, max)
			return true
		})
	}
	return result
}

// setsDiff is the first set minus the others, using the algorithm Redis
// would pick, since it decides the encoding of the result: algorithm 1
// adds the members of the first set found in no other, algorithm 2 adds
// the whole first set then removes the others' members.
func setsDiff(c *Client, sets []*types.Set) *types.Set {
	max := c.setsMaxIntset()
	result := types.NewSet()
	first := sets[0]
	if first == nil {
		return result
	}
	var work1, work2 int
	for _, s := range sets[1:] {
		if s == first {
			return result
		}
	}
	for _, s := range sets {
		if s != nil {
			work1 += first.Len()
			work2 += s.Len()
		}
	}
	if work1/2 <= work2 {
		first.Each(func(m []byte) bool {
			for _, s := range sets[1:] {
				if s != nil && s.Has(m) {
					return true
				}
			}
			result.Add(m, max)
			return true
		})
		return result
	}
	for i, s := range sets {
		if s == nil {
			continue
		}
		s.Each(func(m []byte) bool {
			if i == 0 {
				result.Add(m, max)
			} else {
				result.Remove(m)
			}
			return result.Len() > 0 || i == 0
		})
		if result.Len() == 0 {
			break
		}
	}
	return result
}

// sunionDiffGeneric is SUNION, SDIFF and their STORE variants (dst set).
func sunionDiffGeneric(c *Client, keys [][]byte, dst []byte, diff bool) {
	sets, _, ok := setsLoad(c, keys)
	if !ok {
		return
	}
	var result *types.Set
	event := "sunionstore"
	if diff {
		result = setsDiff(c, sets)
		event = "sdiffstore"
	} else {
		result = setsUnion(c, sets)
	}
	if dst != nil {
		setsStore(c, dst, result, event)
		return
	}
	setsReplyAll(c, result)
}

func sunionCommand(c *Client) { sunionDiffGeneric(c, c.Argv[1:], nil, false) }

func sunionstoreCommand(c *Client) { sunionDiffGeneric(c, c.Argv[2:], c.Argv[1], false) }

func sdiffCommand(c *Client) { sunionDiffGeneric(c, c.Argv[1:], nil, true) }

func sdiffstoreCommand(c *Client) { sunionDiffGeneric(c, c.Argv[2:], c.Argv[1], true) }

// SSCAN key cursor [MATCH pattern] [COUNT count]. Members are written into
// the reply while the table is walked; the header is inserted after.
func sscanCommand(c *Client) {
	cursor, s, opts, ok := scanCollection(c, func(key []byte) (*types.Set, bool) {
		_, s, ok := setsLookup(c, key, false)
		return s, ok
	})
	if !ok {
		return
	}
	count, pattern, usePattern := opts.count, opts.pattern, opts.usePattern
	tok := c.DeferLen()
	visited, n := int64(0), 0
	emit := func(m []byte) {
		visited++
		if usePattern && !glob.Match(pattern, m, false) {
			return
		}
		c.Bulk(m)
		n++
	}
	budget := count * 10
	if count > math.MaxInt64/10 {
		budget = math.MaxInt64
	}
	for {
		cursor = s.Scan(cursor, emit)
		if cursor == 0 || budget == 0 || visited >= count {
			break
		}
		budget--
	}
	scanReplyHeader(c, tok, cursor, n)
}
