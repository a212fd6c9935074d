package command

import (
	"math"
	"sort"
	"strconv"

	"shoal/internal/glob"
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// Sorted set commands, as Redis 7.0's t_zset.c behaves.

func init() {
	Register("zadd", zaddCommand)
	Register("zincrby", zincrbyCommand)
	Register("zrem", zremCommand)
	Register("zcard", zcardCommand)
	Register("zscore", zscoreCommand)
	Register("zmscore", zmscoreCommand)
	Register("zrank", zrankCommand)
	Register("zrevrank", zrevrankCommand)
	Register("zcount", zcountCommand)
	Register("zlexcount", zlexcountCommand)
	Register("zrange", zrangeCommand)
	Register("zrangestore", zrangestoreCommand)
	Register("zrevrange", zrevrangeCommand)
	Register("zrangebyscore", zrangebyscoreCommand)
	Register("zrevrangebyscore", zrevrangebyscoreCommand)
	Register("zrangebylex", zrangebylexCommand)
	Register("zrevrangebylex", zrevrangebylexCommand)
	Register("zremrangebyrank", zremrangebyrankCommand)
	Register("zremrangebyscore", zremrangebyscoreCommand)
	Register("zremrangebylex", zremrangebylexCommand)
	Register("zpopmin", zpopminCommand)
	Register("zpopmax", zpopmaxCommand)
	Register("bzpopmin", bzpopminCommand)
	Register("bzpopmax", bzpopmaxCommand)
	Register("zmpop", zmpopCommand)
	Register("bzmpop", bzmpopCommand)
	Register("zrandmember", zrandmemberCommand)
	Register("zunion", zunionCommand)
	Register("zinter", zinterCommand)
	Register("zdiff", zdiffCommand)
	Register("zunionstore", zunionstoreCommand)
	Register("zinterstore", zinterstoreCommand)
	Register("zdiffstore", zdiffstoreCommand)
	Register("zintercard", zintercardCommand)
	Register("zscan", zscanCommand)
}

var (
	zsetArgZPOPMIN = []byte("ZPOPMIN")
	zsetArgZPOPMAX = []byte("ZPOPMAX")
)

func (c *Client) zsetLimits() types.ZSetLimits {
	return types.ZSetLimits{
		MaxListpackEntries: c.Core.Limits.ZSetMaxListpackEntries,
		MaxListpackValue:   c.Core.Limits.ZSetMaxListpackValue,
	}
}

// zsetLookup returns the entry and sorted set at key (nil when absent),
// looked up for writing or reading. For a key of another type it writes
// WRONGTYPE and returns ok=false.
func zsetLookup(c *Client, key []byte, write bool) (*keyspace.Entry, *types.ZSet, bool) {
	e := lookupKey(c, c.DB, key, write, true)
	if e == nil {
		return nil, nil, true
	}
	if e.Type != keyspace.TypeZSet {
		c.Error(rerr.WrongType)
		return nil, nil, false
	}
	return e, e.Obj.(*types.ZSet), true
}

// zsetCreate adds key holding z, as dbAdd (signalKeyAsReady and "new").
func zsetCreate(c *Client, key []byte, z *types.ZSet) {
	e := c.DB.Add(key, keyspace.TypeZSet)
	e.Obj = z
	added(c, c.DB, key)
}

// zsetStore stores result at dst as setKey does (another type replaced,
// TTL cleared); an empty result deletes dst instead. It replies the
// cardinality and sends event.
func zsetStore(c *Client, dst []byte, result *types.ZSet, event string) {
	n := 0
	if result != nil {
		n = result.Len()
	}
	if n == 0 {
		c.Int(0)
		if c.DB.Delete(dst) {
			c.Modified(dst, 1)
			c.Notify(NotifyGeneric, "del", dst)
		}
		return
	}
	if e := lookupKey(c, c.DB, dst, true, true); e == nil {
		zsetCreate(c, dst, result)
	} else {
		e.Type = keyspace.TypeZSet
		e.Obj = result
		e.Str = nil
		e.Enc = 0
		c.DB.Persist(e)
	}
	c.Modified(dst, 1)
	c.Int(int64(n))
	c.Notify(NotifyZSet, event, dst)
}

// zsetDeleteIfEmpty removes key when its set was emptied and reports it.
func zsetDeleteIfEmpty(c *Client, key []byte, z *types.ZSet) bool {
	if z.Len() != 0 {
		return false
	}
	c.DB.Delete(key)
	return true
}

// zsetReplyPair writes one member with its score when withScores: a
// two-element array in RESP3 (nested), flat in RESP2.
func zsetReplyPair(c *Client, m []byte, s float64, withScores bool) {
	if withScores && c.Proto == 3 {
		c.Array(2)
	}
	c.Bulk(m)
	if withScores {
		c.Double(s)
	}
}

// zsetReplyLen is the array length of n members, doubled for scores in RESP2.
func zsetReplyLen(c *Client, n int, withScores bool) int {
	if withScores && c.Proto != 3 {
		return 2 * n
	}
	return n
}

// ZADD key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]
func zaddCommand(c *Client) { zsetAddGeneric(c, 0) }

// ZINCRBY key increment member: ZADD INCR, options loop included, as Redis
// shares the code.
func zincrbyCommand(c *Client) { zsetAddGeneric(c, types.ZAddIncr) }

func zsetAddGeneric(c *Client, flags int) {
	argv := c.Argv
	key := argv[1]
	ch := false
	scoreIdx := 2
loop:
	for ; scoreIdx < len(argv); scoreIdx++ {
		opt := argv[scoreIdx]
		switch {
		case equalFold(opt, "nx"):
			flags |= types.ZAddNX
		case equalFold(opt, "xx"):
			flags |= types.ZAddXX
		case equalFold(opt, "ch"):
			ch = true
		case equalFold(opt, "incr"):
			flags |= types.ZAddIncr
		case equalFold(opt, "gt"):
			flags |= types.ZAddGT
		case equalFold(opt, "lt"):
			flags |= types.ZAddLT
		default:
			break loop
		}
	}
	elements := len(argv) - scoreIdx
	if elements%2 != 0 || elements == 0 {
		c.Error(rerr.Syntax)
		return
	}
	elements /= 2
	incr := flags&types.ZAddIncr != 0
	nx, xx := flags&types.ZAddNX != 0, flags&types.ZAddXX != 0
	gt, lt := flags&types.ZAddGT != 0, flags&types.ZAddLT != 0
	if nx && xx {
		c.Error(rerr.ZAddXXAndNX)
		return
	}
	if gt && nx || lt && nx || gt && lt {
		c.Error(rerr.ZAddGTLTNX)
		return
	}
	if incr && elements > 1 {
		c.Error(rerr.ZAddIncrPair)
		return
	}
	var scoreBuf [8]float64
	scores := scoreBuf[:0]
	for j := 0; j < elements; j++ {
		s, ok := types.ParseFloat(argv[scoreIdx+2*j])
		if !ok {
			c.Error(rerr.NotFloat)
			return
		}
		scores = append(scores, s)
	}
	_, z, ok := zsetLookup(c, key, true)
	if !ok {
		return
	}
	var added, updated, processed int
	var score float64
	if z == nil && xx {
		zsetAddReply(c, incr, ch, processed, added, updated, score)
		return
	}
	if z == nil {
		z = types.NewZSet()
		zsetCreate(c, key, z)
	}
	lim := c.zsetLimits()
	for j := 0; j < elements; j++ {
		out, ns := z.Add(argv[scoreIdx+2*j+1], scores[j], flags, lim)
		if out&types.ZAddOutNaN != 0 {
			c.Error(rerr.ZScoreNaN)
			zsetAddNotify(c, key, incr, added, updated)
			return
		}
		if out&types.ZAddOutAdded != 0 {
			added++
		}
		if out&types.ZAddOutUpdated != 0 {
			updated++
		}
		if out&types.ZAddOutNop == 0 {
			processed++
		}
		score = ns
	}
	zsetAddReply(c, incr, ch, processed, added, updated, score)
	zsetAddNotify(c, key, incr, added, updated)
}

func zsetAddReply(c *Client, incr, ch bool, processed, added, updated int, score float64) {
	switch {
	case incr && processed > 0:
		c.Double(score)
	case incr:
		c.Null()
	case ch:
		c.Int(int64(added + updated))
	default:
		c.Int(int64(added))
	}
}

func zsetAddNotify(c *Client, key []byte, incr bool, added, updated int) {
	if added+updated == 0 {
		return
	}
	c.Modified(key, int64(added+updated))
	if incr {
		c.Notify(NotifyZSet, "zincr", key)
	} else {
		c.Notify(NotifyZSet, "zadd", key)
	}
}

// ZREM key member [member ...]
func zremCommand(c *Client) {
	key := c.Argv[1]
	_, z, ok := zsetLookup(c, key, true)
	if !ok {
		return
	}
	if z == nil {
		c.Int(0)
		return
	}
	deleted := 0
	removed := false
	for _, m := range c.Argv[2:] {
		if z.Remove(m) {
			deleted++
			if removed = zsetDeleteIfEmpty(c, key, z); removed {
				break
			}
		}
	}
	if deleted > 0 {
		c.Notify(NotifyZSet, "zrem", key)
		if removed {
			c.Notify(NotifyGeneric, "del", key)
		}
		c.Modified(key, int64(deleted))
	}
	c.Int(int64(deleted))
}

// ZCARD key
func zcardCommand(c *Client) {
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Int(0)
		return
	}
	c.Int(int64(z.Len()))
}

// ZSCORE key member
func zscoreCommand(c *Client) {
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Null()
		return
	}
	if s, found := z.Score(c.Argv[2]); found {
		c.Double(s)
	} else {
		c.Null()
	}
}

// ZMSCORE key member [member ...]
func zmscoreCommand(c *Client) {
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	c.Array(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		if z == nil {
			c.Null()
			continue
		}
		if s, found := z.Score(m); found {
			c.Double(s)
		} else {
			c.Null()
		}
	}
}

func zrankCommand(c *Client)    { zsetRankGeneric(c, false) }
func zrevrankCommand(c *Client) { zsetRankGeneric(c, true) }

// zsetRankGeneric is ZRANK and ZREVRANK key member.
func zsetRankGeneric(c *Client, rev bool) {
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Null()
		return
	}
	if r, found := z.Rank(c.Argv[2], rev); found {
		c.Int(int64(r))
	} else {
		c.Null()
	}
}

// ZCOUNT key min max
func zcountCommand(c *Client) {
	r, ok := types.ParseZScoreRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(rerr.ZMinMaxNotFloat)
		return
	}
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Int(0)
		return
	}
	c.Int(int64(z.CountByScore(r)))
}

// ZLEXCOUNT key min max
func zlexcountCommand(c *Client) {
	r, ok := types.ParseZLexRange(c.Argv[2], c.Argv[3])
	if !ok {
		c.Error(rerr.ZMinMaxNotLex)
		return
	}
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Int(0)
		return
	}
	c.Int(int64(z.CountByLex(r)))
}

// Range kinds and directions of zsetRangeGeneric (zrange_type and
// zrange_direction).
const (
	zsetRangeAuto = iota
	zsetRangeRank
	zsetRangeScore
	zsetRangeLex
)

const (
	zsetDirAuto = iota
	zsetDirForward
	zsetDirReverse
)

func zrangeCommand(c *Client) { zsetRangeGeneric(c, 1, false, zsetRangeAuto, zsetDirAuto) }
func zrangestoreCommand(c *Client) {
	zsetRangeGeneric(c, 2, true, zsetRangeAuto, zsetDirAuto)
}
func zrevrangeCommand(c *Client) { zsetRangeGeneric(c, 1, false, zsetRangeRank, zsetDirReverse) }
func zrangebyscoreCommand(c *Client) {
	zsetRangeGeneric(c, 1, false, zsetRangeScore, zsetDirForward)
}
func zrevrangebyscoreCommand(c *Client) {
	zsetRangeGeneric(c, 1, false, zsetRangeScore, zsetDirReverse)
}
func zrangebylexCommand(c *Client) { zsetRangeGeneric(c, 1, false, zsetRangeLex, zsetDirForward) }
func zrevrangebylexCommand(c *Client) {
	zsetRangeGeneric(c, 1, false, zsetRangeLex, zsetDirReverse)
}

// zsetParseLong parses a C long argument (getLongFromObjectOrReply).
func zsetParseLong(c *Client, arg []byte) (int64, bool) {
	v, ok := types.ParseInt(arg)
	if !ok {
		c.Error(rerr.NotInteger)
	}
	return v, ok
}

// zsetRangeGeneric is zrangeGenericCommand: the key is argv[argStart],
// the bounds follow it, then the options; store writes the result to
// argv[1] (ZRANGESTORE).
func zsetRangeGeneric(c *Client, argStart int, store bool, kind, dir int) {
	argv := c.Argv
	key := argv[argStart]
	minIdx, maxIdx := argStart+1, argStart+2
	withScores := false
	var offset, limit int64 = 0, -1
	for j := argStart + 3; j < len(argv); j++ {
		left := len(argv) - j - 1
		opt := argv[j]
		switch {
		case !store && equalFold(opt, "withscores"):
			withScores = true
		case equalFold(opt, "limit") && left >= 2:
			var ok bool
			if offset, ok = zsetParseLong(c, argv[j+1]); !ok {
				return
			}
			if limit, ok = zsetParseLong(c, argv[j+2]); !ok {
				return
			}
			j += 2
		case dir == zsetDirAuto && equalFold(opt, "rev"):
			dir = zsetDirReverse
		case kind == zsetRangeAuto && equalFold(opt, "bylex"):
			kind = zsetRangeLex
		case kind == zsetRangeAuto && equalFold(opt, "byscore"):
			kind = zsetRangeScore
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	if dir == zsetDirAuto {
		dir = zsetDirForward
	}
	if kind == zsetRangeAuto {
		kind = zsetRangeRank
	}
	if limit != -1 && kind == zsetRangeRank {
		c.Error(rerr.ZLimitNeedsBy)
		return
	}
	if withScores && kind == zsetRangeLex {
		c.Error(rerr.ZWithscoresBylex)
		return
	}
	rev := dir == zsetDirReverse
	if rev && kind != zsetRangeRank {
		minIdx, maxIdx = maxIdx, minIdx
	}
	var start, end int64
	var sr types.ZScoreRange
	var lr types.ZLexRange
	switch kind {
	case zsetRangeRank:
		var ok bool
		if start, ok = zsetParseLong(c, argv[minIdx]); !ok {
			return
		}
		if end, ok = zsetParseLong(c, argv[maxIdx]); !ok {
			return
		}
	case zsetRangeScore:
		var ok bool
		if sr, ok = types.ParseZScoreRange(argv[minIdx], argv[maxIdx]); !ok {
			c.Error(rerr.ZMinMaxNotFloat)
			return
		}
	case zsetRangeLex:
		var ok bool
		if lr, ok = types.ParseZLexRange(argv[minIdx], argv[maxIdx]); !ok {
			c.Error(rerr.ZMinMaxNotLex)
			return
		}
	}
	_, z, ok := zsetLookup(c, key, false)
	if !ok {
		return
	}
	var dst *types.ZSet
	var tok, n int
	var emit func(m []byte, s float64) bool
	if store {
		// As zsetTypeCreate with the known length of a rank range: a
		// result longer than the listpack limit starts as a skiplist (so
		// a -0 score stays -0); score and lex ranges start as listpacks.
		dst = types.NewZSet()
		lim := c.zsetLimits()
		if z != nil && kind == zsetRangeRank && zsetRankLen(start, end, int64(z.Len())) > int64(lim.MaxListpackEntries) {
			dst = types.NewZSetSkiplist(0)
		}
		emit = func(m []byte, s float64) bool {
			dst.Add(m, s, 0, lim)
			return true
		}
	} else {
		if z == nil {
			c.Array(0)
			return
		}
		tok = c.DeferLen()
		emit = func(m []byte, s float64) bool {
			zsetReplyPair(c, m, s, withScores)
			n++
			return true
		}
	}
	if z != nil {
		switch kind {
		case zsetRangeRank:
			llen := int64(z.Len())
			if start < 0 {
				start += llen
			}
			if end < 0 {
				end += llen
			}
			if start < 0 {
				start = 0
			}
			if start <= end && start < llen {
				if end >= llen {
					end = llen - 1
				}
				z.RangeByRank(int(start), int(end), rev, emit)
			}
		case zsetRangeScore, zsetRangeLex:
			if offset < 0 || offset > 0 && offset >= int64(z.Len()) {
				break
			}
			if limit < -1 {
				limit = -1
			}
			if kind == zsetRangeScore {
				z.RangeByScore(sr, rev, int(offset), int(limit), emit)
			} else {
				z.RangeByLex(lr, rev, int(offset), int(limit), emit)
			}
		}
	}
	if store {
		zsetStore(c, argv[1], dst, "zrangestore")
		return
	}
	c.SetArrayLen(tok, zsetReplyLen(c, n, withScores))
}

// zsetRankLen is the length of the rank range start..end in a set of
// llen members, after Redis's index normalisation.
func zsetRankLen(start, end, llen int64) int64 {
	if start < 0 {
		start += llen
	}
	if end < 0 {
		end += llen
	}
	start = max(start, 0)
	if start > end || start >= llen {
		return 0
	}
	return min(end, llen-1) - start + 1
}

func zremrangebyrankCommand(c *Client)  { zsetRemRangeGeneric(c, zsetRangeRank) }
func zremrangebyscoreCommand(c *Client) { zsetRemRangeGeneric(c, zsetRangeScore) }
func zremrangebylexCommand(c *Client)   { zsetRemRangeGeneric(c, zsetRangeLex) }

// zsetRemRangeGeneric is zremrangeGenericCommand.
func zsetRemRangeGeneric(c *Client, kind int) {
	key := c.Argv[1]
	var start, end int64
	var sr types.ZScoreRange
	var lr types.ZLexRange
	var ok bool
	switch kind {
	case zsetRangeRank:
		if start, ok = zsetParseLong(c, c.Argv[2]); !ok {
			return
		}
		if end, ok = zsetParseLong(c, c.Argv[3]); !ok {
			return
		}
	case zsetRangeScore:
		if sr, ok = types.ParseZScoreRange(c.Argv[2], c.Argv[3]); !ok {
			c.Error(rerr.ZMinMaxNotFloat)
			return
		}
	case zsetRangeLex:
		if lr, ok = types.ParseZLexRange(c.Argv[2], c.Argv[3]); !ok {
			c.Error(rerr.ZMinMaxNotLex)
			return
		}
	}
	_, z, ok := zsetLookup(c, key, true)
	if !ok {
		return
	}
	if z == nil {
		c.Int(0)
		return
	}
	var deleted int
	var event string
	switch kind {
	case zsetRangeRank:
		llen := int64(z.Len())
		if start < 0 {
			start += llen
		}
		if end < 0 {
			end += llen
		}
		if start < 0 {
			start = 0
		}
		if start > end || start >= llen {
			c.Int(0)
			return
		}
		if end >= llen {
			end = llen - 1
		}
		deleted = z.RemoveRangeByRank(int(start), int(end))
		event = "zremrangebyrank"
	case zsetRangeScore:
		deleted = z.RemoveRangeByScore(sr)
		event = "zremrangebyscore"
	default:
		deleted = z.RemoveRangeByLex(lr)
		event = "zremrangebylex"
	}
	if deleted > 0 {
		removed := zsetDeleteIfEmpty(c, key, z)
		c.Modified(key, int64(deleted))
		c.Notify(NotifyZSet, event, key)
		if removed {
			c.Notify(NotifyGeneric, "del", key)
		}
	}
	c.Int(int64(deleted))
}

func zpopminCommand(c *Client) { zsetPopCommand(c, false) }
func zpopmaxCommand(c *Client) { zsetPopCommand(c, true) }

// zsetPopCommand is ZPOPMIN/ZPOPMAX key [count].
func zsetPopCommand(c *Client, max bool) {
	count := int64(-1)
	if len(c.Argv) == 3 {
		v, ok := types.ParseInt(c.Argv[2])
		if !ok || v < 0 {
			c.Error(rerr.PositiveInt)
			return
		}
		count = v
	}
	zsetPopGeneric(c, c.Argv[1:2], max, false, count, count != -1 && c.Proto == 3, false)
}

// zsetPopGeneric is genericZpopCommand: pop up to count (-1: one, plain)
// members from the first non-empty key of keys. emitKey names the key in
// the reply (blocking pops, ZMPOP); nested gives each pair its own array;
// nilWhenEmpty answers a null array rather than an empty one. It returns
// the key popped from, nil when none.
func zsetPopGeneric(c *Client, keys [][]byte, max, emitKey bool, count int64, nested, nilWhenEmpty bool) (popKey []byte, popped int) {
	var z *types.ZSet
	var key []byte
	for _, k := range keys {
		_, zz, ok := zsetLookup(c, k, true)
		if !ok {
			return nil, 0
		}
		if zz != nil {
			z, key = zz, k
			break
		}
	}
	if z == nil {
		if nilWhenEmpty {
			c.NullArray()
		} else {
			c.Array(0)
		}
		return nil, 0
	}
	if count == 0 {
		c.Array(0)
		return nil, 0
	}
	if count == -1 {
		count = 1
	}
	n := int(min(count, int64(z.Len())))
	switch {
	case !nested && !emitKey:
		c.Array(2 * n)
	case nested && !emitKey:
		c.Array(n)
	case !nested && emitKey:
		c.Array(2*n + 1)
		c.Bulk(key)
	default:
		c.Array(2)
		c.Bulk(key)
		c.Array(n)
	}
	event := "zpopmin"
	if max {
		event = "zpopmax"
	}
	var buf []byte
	for i := 0; i < n; i++ {
		rank := 0
		if max {
			rank = z.Len() - 1
		}
		m, s := z.At(rank)
		if nested {
			c.Array(2)
		}
		c.Bulk(m)
		c.Double(s)
		buf = append(buf[:0], m...)
		z.Remove(buf)
		if i == 0 {
			c.Notify(NotifyZSet, event, key)
			c.Modified(key, 0)
		}
		c.Core.Dirty++
	}
	if zsetDeleteIfEmpty(c, key, z) {
		c.Notify(NotifyGeneric, "del", key)
	}
	return key, n
}

func bzpopminCommand(c *Client) { zsetBlockingPop(c, false) }
func bzpopmaxCommand(c *Client) { zsetBlockingPop(c, true) }

// zsetBlockingPop is BZPOPMIN/BZPOPMAX key [key ...] timeout.
func zsetBlockingPop(c *Client, max bool) {
	deadline, ok := c.ParseTimeout(c.Argv[len(c.Argv)-1])
	if !ok {
		return
	}
	zsetBlockingGeneric(c, c.Argv[1:len(c.Argv)-1], max, -1, false, deadline)
}

// zsetBlockingGeneric is blockingGenericZpopCommand: serve from the first
// non-empty key (checking every key's type up to it) and propagate as
// ZPOPMIN/ZPOPMAX, or block.
func zsetBlockingGeneric(c *Client, keys [][]byte, max bool, count int64, nested bool, deadline int64) {
	for _, k := range c.ServeKeys(keys) {
		_, z, ok := zsetLookup(c, k, true)
		if !ok {
			return
		}
		if z == nil {
			continue
		}
		_, popped := zsetPopGeneric(c, [][]byte{k}, max, true, count, nested, false)
		name := zsetArgZPOPMIN
		if max {
			name = zsetArgZPOPMAX
		}
		if count == -1 {
			c.RewriteArgv(name, k)
		} else {
			// The count actually popped, as blockingGenericZpopCommand.
			c.RewriteArgv(name, k, []byte(strconv.Itoa(popped)))
		}
		return
	}
	if !c.CanBlock() {
		c.NullArray()
		return
	}
	c.Block(keys, deadline, keyspace.TypeZSet)
}

func zmpopCommand(c *Client)  { zsetMPopGeneric(c, 1, false) }
func bzmpopCommand(c *Client) { zsetMPopGeneric(c, 2, true) }

// zsetMPopGeneric is zmpopGenericCommand: [timeout] numkeys key [key ...]
// MIN|MAX [COUNT count].
func zsetMPopGeneric(c *Client, numkeysIdx int, block bool) {
	argv := c.Argv
	var deadline int64
	if block {
		var ok bool
		if deadline, ok = c.ParseTimeout(argv[1]); !ok {
			return
		}
	}
	numkeys, ok := types.ParseInt(argv[numkeysIdx])
	if !ok || numkeys < 1 {
		c.Error(rerr.ZNumkeysPositive)
		return
	}
	if numkeys >= int64(len(argv)-numkeysIdx-1) {
		c.Error(rerr.Syntax)
		return
	}
	whereIdx := numkeysIdx + int(numkeys) + 1
	var max bool
	switch {
	case equalFold(argv[whereIdx], "min"):
	case equalFold(argv[whereIdx], "max"):
		max = true
	default:
		c.Error(rerr.Syntax)
		return
	}
	count := int64(-1)
	for j := whereIdx + 1; j < len(argv); j++ {
		if count == -1 && equalFold(argv[j], "count") && j+1 < len(argv) {
			j++
			v, ok := types.ParseInt(argv[j])
			if !ok || v < 1 {
				c.Error(rerr.ZCountPositive)
				return
			}
			count = v
			continue
		}
		c.Error(rerr.Syntax)
		return
	}
	if count == -1 {
		count = 1
	}
	keys := argv[numkeysIdx+1 : whereIdx]
	if block {
		zsetBlockingGeneric(c, keys, max, count, true, deadline)
		return
	}
	key, popped := zsetPopGeneric(c, keys, max, true, count, true, true)
	if key != nil {
		name := zsetArgZPOPMIN
		if max {
			name = zsetArgZPOPMAX
		}
		// The count actually popped, as genericZpopCommand.
		c.RewriteArgv(name, key, []byte(strconv.Itoa(popped)))
	}
}

// ZRANDMEMBER key [count [WITHSCORES]]
func zrandmemberCommand(c *Client) {
	argv := c.Argv
	if len(argv) >= 3 {
		l, ok := types.ParseInt(argv[2])
		if !ok {
			c.Error(rerr.NotInteger)
			return
		}
		if l == math.MinInt64 {
			c.Error(rerr.ZRandCountRange)
			return
		}
		withScores := false
		if len(argv) > 4 || len(argv) == 4 && !equalFold(argv[3], "withscores") {
			c.Error(rerr.Syntax)
			return
		} else if len(argv) == 4 {
			withScores = true
			if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
				c.Error(rerr.ZRandWithScores)
				return
			}
		}
		zsetRandWithCount(c, l, withScores)
		return
	}
	_, z, ok := zsetLookup(c, argv[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Null()
		return
	}
	m, _ := z.At(int(c.Core.KS.Rand(uint64(z.Len()))))
	c.Bulk(m)
}

func zsetRandWithCount(c *Client, l int64, withScores bool) {
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if z == nil || l == 0 {
		c.Array(0)
		return
	}
	rnd := c.Core.KS.Rand
	size := z.Len()
	if l < 0 || l == 1 {
		count := l
		if count < 0 {
			count = -count
		}
		c.Array(zsetReplyLen(c, int(count), withScores))
		if z.IsListpack() && count > 1 {
			// Decode the listpack once rather than walking it per pick.
			pairs := make([]zsetPair, 0, size)
			z.Each(func(m []byte, s float64) bool {
				pairs = append(pairs, zsetPair{string(m), s})
				return true
			})
			for ; count > 0 && !c.OutputLimitReached(); count-- {
				p := pairs[rnd(uint64(size))]
				zsetReplyPair(c, zsetBytes(p.m), p.s, withScores)
			}
			return
		}
		for ; count > 0 && !c.OutputLimitReached(); count-- {
			m, s := z.At(int(rnd(uint64(size))))
			zsetReplyPair(c, m, s, withScores)
		}
		return
	}
	if l >= int64(size) {
		// The whole set, from the highest score, as Redis 7.0 replies.
		c.Array(zsetReplyLen(c, size, withScores))
		z.RangeByRank(0, size-1, true, func(m []byte, s float64) bool {
			zsetReplyPair(c, m, s, withScores)
			return true
		})
		return
	}
	// Distinct ranks: a partial Fisher-Yates shuffle over a sparse index.
	count := int(l)
	swapped := make(map[int]int, count)
	at := func(i int) int {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	c.Array(zsetReplyLen(c, count, withScores))
	for i := 0; i < count; i++ {
		j := i + int(rnd(uint64(size-i)))
		ri, rj := at(i), at(j)
		swapped[i], swapped[j] = rj, ri
		m, s := z.At(rj)
		zsetReplyPair(c, m, s, withScores)
	}
}

// Set operations of ZUNION, ZINTER, ZDIFF and their STORE forms.
const (
	zsetOpUnion = iota
	zsetOpInter
	zsetOpDiff
)

const (
	zsetAggrSum = iota
	zsetAggrMin
	zsetAggrMax
)

// zsetPlainSet is what the set operations need of a plain set input
// (scored 1.0), implemented by types.Set.
type zsetPlainSet interface {
	Len() int
	Has(m []byte) bool
	Each(fn func(m []byte) bool)
}

// zsetSource is one input of a set operation: a sorted set, a plain set,
// or nothing (a missing key).
type zsetSource struct {
	z      *types.ZSet
	s      zsetPlainSet
	weight float64
}

func (src *zsetSource) length() int {
	switch {
	case src.z != nil:
		return src.z.Len()
	case src.s != nil:
		return src.s.Len()
	}
	return 0
}

func (src *zsetSource) each(fn func(m []byte, s float64) bool) {
	switch {
	case src.z != nil:
		src.z.Each(fn)
	case src.s != nil:
		src.s.Each(func(m []byte) bool { return fn(m, 1) })
	}
}

func (src *zsetSource) find(m []byte) (float64, bool) {
	switch {
	case src.z != nil:
		return src.z.Score(m)
	case src.s != nil:
		return 1, src.s.Has(m)
	}
	return 0, false
}

func zsetAggregate(target *float64, v float64, aggr int) {
	switch aggr {
	case zsetAggrSum:
		*target += v
		if math.IsNaN(*target) {
			*target = 0
		}
	case zsetAggrMin:
		if v < *target {
			*target = v
		}
	case zsetAggrMax:
		if v > *target {
			*target = v
		}
	}
}

func zunionCommand(c *Client) { zsetSetOpGeneric(c, nil, 1, zsetOpUnion, false) }
func zinterCommand(c *Client) { zsetSetOpGeneric(c, nil, 1, zsetOpInter, false) }
func zdiffCommand(c *Client)  { zsetSetOpGeneric(c, nil, 1, zsetOpDiff, false) }
func zunionstoreCommand(c *Client) {
	zsetSetOpGeneric(c, c.Argv[1], 2, zsetOpUnion, false)
}
func zinterstoreCommand(c *Client) {
	zsetSetOpGeneric(c, c.Argv[1], 2, zsetOpInter, false)
}
func zdiffstoreCommand(c *Client) {
	zsetSetOpGeneric(c, c.Argv[1], 2, zsetOpDiff, false)
}
func zintercardCommand(c *Client) { zsetSetOpGeneric(c, nil, 1, zsetOpInter, true) }

// zsetPair is a member and its score in a set operation's result.
type zsetPair struct {
	m string
	s float64
}

// zsetSetOpGeneric is zunionInterDiffGenericCommand.
func zsetSetOpGeneric(c *Client, dst []byte, numkeysIdx int, op int, cardOnly bool) {
	argv := c.Argv
	setnum, ok := zsetParseLong(c, argv[numkeysIdx])
	if !ok {
		return
	}
	if setnum < 1 {
		c.Error(rerr.ZNeedsInputKey(c.Cmd.FullName()))
		return
	}
	if setnum > int64(len(argv)-numkeysIdx-1) {
		c.Error(rerr.Syntax)
		return
	}
	srcs := make([]zsetSource, setnum)
	j := numkeysIdx + 1
	for i := range srcs {
		e := lookupKey(c, c.DB, argv[j], dst != nil, true)
		j++
		srcs[i].weight = 1
		if e == nil {
			continue
		}
		switch e.Type {
		case keyspace.TypeZSet:
			srcs[i].z = e.Obj.(*types.ZSet)
		case keyspace.TypeSet:
			s, isSet := e.Obj.(zsetPlainSet)
			if !isSet {
				c.Error(rerr.WrongType)
				return
			}
			srcs[i].s = s
		default:
			c.Error(rerr.WrongType)
			return
		}
	}
	aggr := zsetAggrSum
	withScores := false
	var limit int64
	for j < len(argv) {
		remaining := len(argv) - j
		opt := argv[j]
		switch {
		case op != zsetOpDiff && !cardOnly && remaining >= int(setnum)+1 && equalFold(opt, "weights"):
			j++
			for i := range srcs {
				w, ok := types.ParseFloat(argv[j])
				if !ok {
					c.Error(rerr.ZWeightNotFloat)
					return
				}
				srcs[i].weight = w
				j++
			}
		case op != zsetOpDiff && !cardOnly && remaining >= 2 && equalFold(opt, "aggregate"):
			switch a := argv[j+1]; {
			case equalFold(a, "sum"):
				aggr = zsetAggrSum
			case equalFold(a, "min"):
				aggr = zsetAggrMin
			case equalFold(a, "max"):
				aggr = zsetAggrMax
			default:
				c.Error(rerr.Syntax)
				return
			}
			j += 2
		case dst == nil && !cardOnly && equalFold(opt, "withscores"):
			withScores = true
			j++
		case cardOnly && remaining >= 2 && equalFold(opt, "limit"):
			v, ok := types.ParseInt(argv[j+1])
			if !ok || v < 0 {
				c.Error(rerr.ZLimitNegative)
				return
			}
			limit = v
			j += 2
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	if op != zsetOpDiff {
		sort.SliceStable(srcs, func(a, b int) bool { return srcs[a].length() < srcs[b].length() })
	}
	var result []zsetPair
	cardinality := int64(0)
	switch op {
	case zsetOpUnion:
		acc := make(map[string]float64)
		var order []string
		for i := range srcs {
			w := srcs[i].weight
			srcs[i].each(func(m []byte, s float64) bool {
				score := w * s
				if math.IsNaN(score) {
					score = 0
				}
				if cur, found := acc[string(m)]; found {
					zsetAggregate(&cur, score, aggr)
					acc[string(m)] = cur
				} else {
					k := string(m)
					acc[k] = score
					order = append(order, k)
				}
				return true
			})
		}
		result = make([]zsetPair, 0, len(order))
		for _, k := range order {
			result = append(result, zsetPair{k, acc[k]})
		}
	case zsetOpInter:
		if srcs[0].length() == 0 {
			break
		}
		srcs[0].each(func(m []byte, s float64) bool {
			score := srcs[0].weight * s
			if math.IsNaN(score) {
				score = 0
			}
			for k := 1; k < len(srcs); k++ {
				v, found := srcs[k].find(m)
				if !found {
					return true
				}
				zsetAggregate(&score, v*srcs[k].weight, aggr)
			}
			if cardOnly {
				cardinality++
				return limit == 0 || cardinality < limit
			}
			result = append(result, zsetPair{string(m), score})
			return true
		})
	case zsetOpDiff:
		srcs[0].each(func(m []byte, s float64) bool {
			for k := 1; k < len(srcs); k++ {
				if _, found := srcs[k].find(m); found {
					return true
				}
			}
			result = append(result, zsetPair{string(m), s})
			return true
		})
	}
	if cardOnly {
		c.Int(cardinality)
		return
	}
	sort.Slice(result, func(a, b int) bool {
		x, y := result[a], result[b]
		return x.s < y.s || x.s == y.s && x.m < y.m
	})
	if dst != nil {
		var z *types.ZSet
		if len(result) > 0 {
			// Built as a skiplist, then made a listpack if it fits
			// (zsetConvertToListpackIfNeeded).
			z = types.NewZSetSkiplist(len(result))
			lim := c.zsetLimits()
			for _, p := range result {
				z.Add(zsetBytes(p.m), p.s, 0, lim)
			}
			z.Compact(lim)
		}
		event := [...]string{"zunionstore", "zinterstore", "zdiffstore"}[op]
		zsetStore(c, dst, z, event)
		return
	}
	c.Array(zsetReplyLen(c, len(result), withScores))
	for _, p := range result {
		zsetReplyPair(c, zsetBytes(p.m), p.s, withScores)
	}
}

// zsetBytes views a string as bytes for calls that only read them.
func zsetBytes(s string) []byte { return []byte(s) }

// ZSCAN key cursor [MATCH pattern] [COUNT count]
func zscanCommand(c *Client) {
	cursor, z, opts, ok := scanCollection(c, func(key []byte) (*types.ZSet, bool) {
		_, z, ok := zsetLookup(c, key, false)
		return z, ok
	})
	if !ok {
		return
	}
	count, pattern, usePattern := opts.count, opts.pattern, opts.usePattern
	tok := c.DeferLen()
	n := 0
	var sbuf [32]byte
	// Redis counts member and score against COUNT.
	next := z.Scan(cursor, int((count+1)/2), func(m []byte, s float64) {
		if usePattern && !glob.Match(pattern, m, false) {
			return
		}
		c.Bulk(m)
		c.Bulk(resp.AppendDouble(sbuf[:0], s))
		n += 2
	})
	scanReplyHeader(c, tok, next, n)
}
