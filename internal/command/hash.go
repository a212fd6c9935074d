package command

import (
	"math"
	"strconv"

	"shoal/internal/glob"
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// Hash commands, as Redis 7.0's t_hash.c behaves. The value and its two
// encodings live in types.Hash; handlers here parse, look up, call its
// API, reply, notify and propagate.

func init() {
	Register("hset", hsetCommand)
	Register("hmset", hmsetCommand)
	Register("hsetnx", hsetnxCommand)
	Register("hget", hgetCommand)
	Register("hmget", hmgetCommand)
	Register("hgetall", hgetallCommand)
	Register("hkeys", hkeysCommand)
	Register("hvals", hvalsCommand)
	Register("hdel", hdelCommand)
	Register("hlen", hlenCommand)
	Register("hstrlen", hstrlenCommand)
	Register("hexists", hexistsCommand)
	Register("hincrby", hincrbyCommand)
	Register("hincrbyfloat", hincrbyfloatCommand)
	Register("hrandfield", hrandfieldCommand)
	Register("hscan", hscanCommand)
}

// argHSET is what HINCRBYFLOAT propagates as.
var argHSET = []byte("HSET")

// hashLimits are the current listpack thresholds.
func (c *Client) hashLimits() types.HashLimits {
	return types.HashLimits{
		MaxEntries: c.Core.Limits.HashMaxListpackEntries,
		MaxValue:   c.Core.Limits.HashMaxListpackValue,
	}
}

// hashLookup finds the hash at key for reading. It writes WRONGTYPE and
// returns ok=false for another type; h is nil when the key is missing.
func (c *Client) hashLookup(key []byte) (h *types.Hash, ok bool) {
	e, ok := c.LookupType(key, keyspace.TypeHash)
	if !ok || e == nil {
		return nil, ok
	}
	return e.Obj.(*types.Hash), true
}

// hashLookupWrite finds the hash at key for writing, as lookupKeyWrite
// plus checkType; h is nil when the key is missing.
func (c *Client) hashLookupWrite(key []byte) (h *types.Hash, ok bool) {
	e := c.DB.LookupWrite(key)
	if e == nil {
		return nil, true
	}
	if e.Type != keyspace.TypeHash {
		c.Error(wrongType)
		return nil, false
	}
	return e.Obj.(*types.Hash), true
}

// hashCreate adds key holding an empty hash and sends the "new" event,
// as hashTypeLookupWriteOrCreate's dbAdd.
func (c *Client) hashCreate(key []byte) *types.Hash {
	h := types.NewHash()
	e := c.DB.Add(key, keyspace.TypeHash)
	e.Obj = h
	c.Notify(NotifyNew, "new", key)
	return h
}

// hashLookupOrCreate is hashTypeLookupWriteOrCreate.
func (c *Client) hashLookupOrCreate(key []byte) (*types.Hash, bool) {
	h, ok := c.hashLookupWrite(key)
	if ok && h == nil {
		h = c.hashCreate(key)
	}
	return h, ok
}

func hsetCommand(c *Client)  { hashSetGeneric(c, false) }
func hmsetCommand(c *Client) { hashSetGeneric(c, true) }

// hashSetGeneric is HSET key field value [field value ...], and HMSET,
// which replies OK instead of the number of new fields.
func hashSetGeneric(c *Client, hmset bool) {
	if len(c.Argv)%2 == 1 {
		if hmset {
			c.Error(rerr.HmsetArity)
		} else {
			c.Error(rerr.HsetArity)
		}
		return
	}
	key := c.Argv[1]
	h, ok := c.hashLookupOrCreate(key)
	if !ok {
		return
	}
	lim := c.hashLimits()
	var created int64
	for i := 2; i < len(c.Argv); i += 2 {
		if h.Set(c.Argv[i], c.Argv[i+1], lim) {
			created++
		}
	}
	if hmset {
		c.Simple("OK")
	} else {
		c.Int(created)
	}
	c.Modified(key, int64(len(c.Argv)-2)/2)
	c.Notify(NotifyHash, "hset", key)
}

func hsetnxCommand(c *Client) {
	key := c.Argv[1]
	h, ok := c.hashLookupOrCreate(key)
	if !ok {
		return
	}
	if h.Exists(c.Argv[2]) {
		c.Int(0)
		return
	}
	h.Set(c.Argv[2], c.Argv[3], c.hashLimits())
	c.Int(1)
	c.Modified(key, 1)
	c.Notify(NotifyHash, "hset", key)
}

func hgetCommand(c *Client) {
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.Null()
		return
	}
	var buf [20]byte
	v, found := h.Get(c.Argv[2], buf[:0])
	if !found {
		c.Null()
		return
	}
	c.Bulk(v)
}

func hmgetCommand(c *Client) {
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	c.Array(len(c.Argv) - 2)
	var buf [20]byte
	for _, f := range c.Argv[2:] {
		if h == nil {
			c.Null()
			continue
		}
		if v, found := h.Get(f, buf[:0]); found {
			c.Bulk(v)
		} else {
			c.Null()
		}
	}
}

// Parts of a pair HGETALL, HKEYS and HVALS reply with.
const (
	hashReplyKeys = 1 << iota
	hashReplyVals
)

// hashGetAll is genericHgetallCommand: both parts as a map, or one of
// them as an array.
func hashGetAll(c *Client, what int) {
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	n := 0
	if h != nil {
		n = h.Len()
	}
	if what == hashReplyKeys|hashReplyVals {
		c.Map(n)
	} else {
		c.Array(n)
	}
	if h == nil {
		return
	}
	h.Range(func(f, v []byte) bool {
		if what&hashReplyKeys != 0 {
			c.Bulk(f)
		}
		if what&hashReplyVals != 0 {
			c.Bulk(v)
		}
		return true
	})
}

func hgetallCommand(c *Client) { hashGetAll(c, hashReplyKeys|hashReplyVals) }
func hkeysCommand(c *Client)   { hashGetAll(c, hashReplyKeys) }
func hvalsCommand(c *Client)   { hashGetAll(c, hashReplyVals) }

func hdelCommand(c *Client) {
	key := c.Argv[1]
	h, ok := c.hashLookupWrite(key)
	if !ok {
		return
	}
	if h == nil {
		c.Int(0)
		return
	}
	var deleted int64
	removed := false
	for _, f := range c.Argv[2:] {
		if h.Delete(f) {
			deleted++
			if h.Len() == 0 {
				c.DB.Delete(key)
				removed = true
				break
			}
		}
	}
	if deleted > 0 {
		c.Modified(key, deleted)
		c.Notify(NotifyHash, "hdel", key)
		if removed {
			c.Notify(NotifyGeneric, "del", key)
		}
	}
	c.Int(deleted)
}

func hlenCommand(c *Client) {
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.Int(0)
		return
	}
	c.Int(int64(h.Len()))
}

func hstrlenCommand(c *Client) {
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.Int(0)
		return
	}
	var buf [20]byte
	v, _ := h.Get(c.Argv[2], buf[:0])
	c.Int(int64(len(v)))
}

func hexistsCommand(c *Client) {
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	if h != nil && h.Exists(c.Argv[2]) {
		c.Int(1)
		return
	}
	c.Int(0)
}

func hincrbyCommand(c *Client) {
	incr, ok := types.ParseInt(c.Argv[3])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	key, field := c.Argv[1], c.Argv[2]
	h, ok := c.hashLookupOrCreate(key)
	if !ok {
		return
	}
	var cur int64
	var buf [20]byte
	if v, found := h.Get(field, buf[:0]); found {
		if cur, ok = types.ParseInt(v); !ok {
			c.Error(rerr.HashValueNotInt)
			return
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur ||
		incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		c.Error(rerr.Overflow)
		return
	}
	cur += incr
	h.Set(field, strconv.AppendInt(buf[:0], cur, 10), c.hashLimits())
	c.Int(cur)
	c.Modified(key, 1)
	c.Notify(NotifyHash, "hincrby", key)
}

func hincrbyfloatCommand(c *Client) {
	switch _, err := types.IncrByFloat(nil, c.Argv[3]); err {
	case nil:
	case types.ErrNaNOrInf:
		c.Error(rerr.HashIncrNaNOrInf)
		return
	default:
		c.Error(rerr.NotFloat)
		return
	}
	key, field := c.Argv[1], c.Argv[2]
	h, ok := c.hashLookupWrite(key)
	if !ok {
		return
	}
	var cur []byte // nil: the field does not exist
	var buf [20]byte
	if h != nil {
		if v, found := h.Get(field, buf[:0]); found {
			cur = v
			if cur == nil {
				cur = emptyBytes
			}
		}
	}
	res, err := types.IncrByFloat(cur, c.Argv[3])
	switch err {
	case nil:
	case types.ErrNaNOrInf:
		c.Error(rerr.IncrNaNOrInf)
		return
	default:
		c.Error(rerr.HashValueNotFloat)
		return
	}
	if h == nil {
		h = c.hashCreate(key)
	}
	h.Set(field, res, c.hashLimits())
	c.Bulk(res)
	c.Modified(key, 1)
	c.Notify(NotifyHash, "hincrbyfloat", key)
	// Float formatting may differ between hosts: propagate the result.
	c.RewriteArgv(argHSET, key, field, res)
}

// HRANDFIELD key [count [WITHVALUES]].
func hrandfieldCommand(c *Client) {
	if len(c.Argv) >= 3 {
		hashRandWithCount(c)
		return
	}
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	if h == nil {
		c.Null()
		return
	}
	var fb, vb [20]byte
	f, _ := h.RandomPair(fb[:0], vb[:0])
	c.Bulk(f)
}

// hashRandWithCount is hrandfieldWithCountCommand: a negative count allows
// repeats, a positive one returns distinct fields.
func hashRandWithCount(c *Client) {
	l, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if l == math.MinInt64 {
		c.Error(rerr.HashRandCountRange)
		return
	}
	withValues := false
	if len(c.Argv) > 4 || len(c.Argv) == 4 && !equalFold(c.Argv[3], "withvalues") {
		c.Error(rerr.Syntax)
		return
	} else if len(c.Argv) == 4 {
		withValues = true
		if l < -math.MaxInt64/2 || l > math.MaxInt64/2 {
			c.Error(rerr.HashRandWithValues)
			return
		}
	}
	h, ok := c.hashLookup(c.Argv[1])
	if !ok {
		return
	}
	if h == nil || l == 0 {
		c.Array(0)
		return
	}
	count, unique := int(l), true
	if l < 0 {
		count, unique = int(-l), false
	}
	if unique && count > h.Len() {
		count = h.Len()
	}
	if withValues && c.Proto != 3 {
		c.Array(2 * count)
	} else {
		c.Array(count)
	}
	emit := func(f, v []byte) {
		if withValues && c.Proto == 3 {
			c.Array(2)
		}
		c.Bulk(f)
		if withValues {
			c.Bulk(v)
		}
	}
	if !unique || count == 1 {
		h.RandomPairs(count, func(f, v []byte) bool {
			emit(f, v)
			return !c.OutputLimitReached()
		})
		return
	}
	h.SampleUnique(count, emit)
}

// HSCAN key cursor [MATCH pattern] [COUNT count]. The cursor is parsed
// before the key is looked up, and options only when the key exists, as
// Redis does.
func hscanCommand(c *Client) {
	cursor, h, opts, ok := scanCollection(c, c.hashLookup)
	if !ok {
		return
	}
	count, pattern := opts.count, opts.pattern
	if !opts.usePattern {
		pattern = nil
	}
	tok := c.DeferLen()
	n := 0
	cursor = h.Scan(cursor, count, func(f, v []byte) {
		if pattern != nil && !glob.Match(pattern, f, false) {
			return
		}
		c.Bulk(f)
		c.Bulk(v)
		n += 2
	})
	scanReplyHeader(c, tok, cursor, n)
}
