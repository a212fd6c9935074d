package command

import (
	"math"
	"strconv"

	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// String commands, as Redis 7.0's t_string.c behaves.

func init() {
	Register("get", getCommand)
	Register("set", setCommand)
	Register("setnx", setnxCommand)
	Register("setex", setexCommand)
	Register("psetex", psetexCommand)
	Register("getset", getsetCommand)
	Register("getex", getexCommand)
	Register("getdel", getdelCommand)
	Register("mget", mgetCommand)
	Register("mset", msetCommand)
	Register("msetnx", msetnxCommand)
	Register("append", appendCommand)
	Register("strlen", strlenCommand)
	Register("getrange", getrangeCommand)
	Register("substr", getrangeCommand)
	Register("setrange", setrangeCommand)
	Register("incr", incrCommand)
	Register("decr", decrCommand)
	Register("incrby", incrbyCommand)
	Register("decrby", decrbyCommand)
	Register("incrbyfloat", incrbyfloatCommand)
	Register("lcs", lcsCommand)
}

// Arguments of rewritten commands for propagation.
var (
	argSET       = []byte("SET")
	argDEL       = []byte("DEL")
	argUNLINK    = []byte("UNLINK")
	argPXAT      = []byte("PXAT")
	argKEEPTTL   = []byte("KEEPTTL")
	argPEXPIREAT = []byte("PEXPIREAT")
	argPERSIST   = []byte("PERSIST")
	emptyBytes   = []byte{}
)

// embstrMax is OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const embstrMax = 44

// stringEnc is the encoding Redis's tryObjectEncoding gives a string value
// stored by SET and its relatives: int for a canonical integer of at most
// 20 bytes, embstr up to 44 bytes, raw beyond.
func stringEnc(v []byte) uint8 {
	if len(v) <= 20 {
		if _, ok := types.ParseInt(v); ok {
			return keyspace.EncInt
		}
	}
	if len(v) <= embstrMax {
		return keyspace.EncEmbstr
	}
	return keyspace.EncRaw
}

// storeBytes copies v into e.Str, reusing its capacity unless that would
// keep a much larger buffer alive (argv bytes live in a reused read buffer
// and must never be stored directly).
func storeBytes(e *keyspace.Entry, v []byte) {
	if cap(e.Str) >= len(v) && cap(e.Str) <= 2*len(v)+64 {
		e.Str = append(e.Str[:0], v...)
		return
	}
	e.Str = append(make([]byte, 0, len(v)), v...)
}

// addKey creates key as an empty string and sends the "new" notification,
// as dbAdd does.
func (c *Client) addKey(key []byte) *keyspace.Entry {
	e := c.DB.Add(key, keyspace.TypeString)
	c.Notify(NotifyNew, "new", key)
	return e
}

// setKey stores val at key, whose current live entry is e (nil when
// absent), as Redis's setKey: a value of another type is replaced, and the
// TTL is cleared unless keepTTL. It counts one change.
func (c *Client) setKey(e *keyspace.Entry, key, val []byte, keepTTL bool) *keyspace.Entry {
	if e == nil {
		e = c.addKey(key)
	} else {
		if e.Type != keyspace.TypeString {
			e.Type = keyspace.TypeString
			e.Obj = nil
			e.Str = nil
			// A stream replaced by a string answers its XREADGROUP waiters.
			c.SignalKeyAsReady(key)
		}
		if !keepTTL {
			c.DB.Persist(e)
		}
	}
	storeBytes(e, val)
	e.Enc = stringEnc(val)
	c.Modified(key, 1)
	return e
}

// getGeneric replies the string at key, or nil; it writes WRONGTYPE and
// returns false for another type (getGenericCommand).
func (c *Client) getGeneric(key []byte) (*keyspace.Entry, bool) {
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return nil, false
	}
	if e == nil {
		c.Null()
		return nil, true
	}
	c.Bulk(e.Str)
	return e, true
}

func getCommand(c *Client) { c.getGeneric(c.Argv[1]) }

// Option flags of SET and GETEX (parseExtendedStringArgumentsOrReply).
const (
	optNX = 1 << iota
	optXX
	optGET
	optKeepTTL
	optPersist
	optEX
	optPX
	optEXAT
	optPXAT
)

const optExpire = optEX | optPX | optEXAT | optPXAT

// parseStringOptions parses the options of SET (isSet) or GETEX from
// argv[from:]. Options may repeat; conflicting ones are a syntax error.
// The expire value is only returned, not checked.
func (c *Client) parseStringOptions(from int, isSet bool) (flags int, expire []byte, ok bool) {
	argv := c.Argv
	for j := from; j < len(argv); j++ {
		opt := argv[j]
		hasNext := j+1 < len(argv)
		timeFlag := 0
		switch {
		case isSet && equalFold(opt, "nx") && flags&optXX == 0:
			flags |= optNX
		case isSet && equalFold(opt, "xx") && flags&optNX == 0:
			flags |= optXX
		case isSet && equalFold(opt, "get"):
			flags |= optGET
		case isSet && equalFold(opt, "keepttl") && flags&(optPersist|optExpire) == 0:
			flags |= optKeepTTL
		case !isSet && equalFold(opt, "persist") && flags&(optKeepTTL|optExpire) == 0:
			flags |= optPersist
		case equalFold(opt, "ex"):
			timeFlag = optEX
		case equalFold(opt, "px"):
			timeFlag = optPX
		case equalFold(opt, "exat"):
			timeFlag = optEXAT
		case equalFold(opt, "pxat"):
			timeFlag = optPXAT
		default:
			c.Error(rerr.Syntax)
			return 0, nil, false
		}
		if timeFlag == 0 {
			continue
		}
		// A time option may repeat itself but excludes the others.
		if !hasNext || flags&(optKeepTTL|optPersist|optExpire&^timeFlag) != 0 {
			c.Error(rerr.Syntax)
			return 0, nil, false
		}
		flags |= timeFlag
		expire = argv[j+1]
		j++
	}
	return flags, expire, true
}

// expireMillis turns an expire argument into an absolute unix time in ms,
// as getExpireMillisecondsOrReply: non-positive values and overflow are
// errInvalid.
func (c *Client) expireMillis(arg []byte, flags int, errInvalid []byte) (int64, bool) {
	v, ok := types.ParseInt(arg)
	if !ok {
		c.Error(rerr.NotInteger)
		return 0, false
	}
	seconds := flags&(optEX|optEXAT) != 0
	if v <= 0 || seconds && v > math.MaxInt64/1000 {
		c.Error(errInvalid)
		return 0, false
	}
	if seconds {
		v *= 1000
	}
	if flags&(optEX|optPX) != 0 {
		v += c.Now() // wraps on overflow, caught below as in Redis
	}
	if v <= 0 {
		c.Error(errInvalid)
		return 0, false
	}
	return v, true
}

// setGeneric is setGenericCommand: key, val and the parsed options; okReply
// and abortReply are what SETNX answers instead of +OK and nil.
func (c *Client) setGeneric(flags int, key, val, expire []byte, errInvalid []byte, okReply, abortReply []byte) {
	var when int64
	if flags&optExpire != 0 {
		var ok bool
		if when, ok = c.expireMillis(expire, flags, errInvalid); !ok {
			return
		}
	}
	var e *keyspace.Entry
	if flags&optGET != 0 {
		var ok bool
		if e, ok = c.getGeneric(key); !ok {
			return
		}
	} else {
		e = c.DB.Lookup(key)
	}
	if flags&optNX != 0 && e != nil || flags&optXX != 0 && e == nil {
		if flags&optGET == 0 {
			if abortReply != nil {
				c.Raw(abortReply)
			} else {
				c.Null()
			}
		}
		return
	}
	e = c.setKey(e, key, val, flags&optKeepTTL != 0)
	c.Notify(NotifyString, "set", key)
	if flags&optExpire != 0 {
		c.DB.SetExpire(e, when)
		// Any TTL is propagated as SET key value PXAT ms (NX/XX/GET go
		// with it, since the outcome is decided here), as Redis 7.0.
		c.RewriteArgv(argSET, key, val, argPXAT, strconv.AppendInt(nil, when, 10))
		c.Notify(NotifyGeneric, "expire", key)
	} else if flags&optGET != 0 {
		c.rewriteWithoutGet()
	}
	if flags&optGET == 0 {
		if okReply != nil {
			c.Raw(okReply)
		} else {
			c.Simple("OK")
		}
	}
}

// rewriteWithoutGet propagates SET without its GET options, which
// replicas do not need.
func (c *Client) rewriteWithoutGet() {
	argv := make([][]byte, 0, len(c.Argv))
	for j, a := range c.Argv {
		if j >= 3 && equalFold(a, "get") {
			continue
		}
		argv = append(argv, a)
	}
	c.RewriteArgv(argv...)
}

var (
	replyOne  = []byte(":1\r\n")
	replyZero = []byte(":0\r\n")
)

func setCommand(c *Client) {
	flags, expire, ok := c.parseStringOptions(3, true)
	if !ok {
		return
	}
	c.setGeneric(flags, c.Argv[1], c.Argv[2], expire, rerr.InvalidExpire, nil, nil)
}

func setnxCommand(c *Client) {
	c.setGeneric(optNX, c.Argv[1], c.Argv[2], nil, nil, replyOne, replyZero)
}

func setexCommand(c *Client) {
	c.setGeneric(optEX, c.Argv[1], c.Argv[3], c.Argv[2], rerr.InvalidExpireSetex, nil, nil)
}

func psetexCommand(c *Client) {
	c.setGeneric(optPX, c.Argv[1], c.Argv[3], c.Argv[2], rerr.InvalidExpirePsetex, nil, nil)
}

func getsetCommand(c *Client) {
	key, val := c.Argv[1], c.Argv[2]
	e, ok := c.getGeneric(key)
	if !ok {
		return
	}
	c.setKey(e, key, val, false)
	c.Notify(NotifyString, "set", key)
	c.RewriteArgv(argSET, key, val)
}

func getexCommand(c *Client) {
	key := c.Argv[1]
	flags, expire, ok := c.parseStringOptions(2, false)
	if !ok {
		return
	}
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		c.Null()
		return
	}
	var when int64
	if flags&optExpire != 0 {
		if when, ok = c.expireMillis(expire, flags, rerr.InvalidExpireGetex); !ok {
			return
		}
	}
	c.Bulk(e.Str)
	switch {
	case flags&(optEXAT|optPXAT) != 0 && c.alreadyExpired(when):
		// An absolute time already past deletes the key.
		c.DB.Delete(key)
		c.RewriteArgv(c.expiredDeleteArgv(key)...)
		c.Modified(key, 1)
		c.Notify(NotifyGeneric, "del", key)
	case flags&optExpire != 0:
		c.DB.SetExpire(e, when)
		// Propagated as PEXPIREAT whatever form the TTL took.
		c.RewriteArgv(argPEXPIREAT, key, strconv.AppendInt(nil, when, 10))
		c.Modified(key, 1)
		c.Notify(NotifyGeneric, "expire", key)
	case flags&optPersist != 0:
		if c.DB.Persist(e) {
			c.RewriteArgv(argPERSIST, key)
			c.Modified(key, 1)
			c.Notify(NotifyGeneric, "persist", key)
		}
	}
}

func getdelCommand(c *Client) {
	key := c.Argv[1]
	e, ok := c.getGeneric(key)
	if !ok || e == nil {
		return
	}
	c.DB.Delete(key)
	c.RewriteArgv(argDEL, key)
	c.Modified(key, 1)
	c.Notify(NotifyGeneric, "del", key)
}

func mgetCommand(c *Client) {
	c.Array(len(c.Argv) - 1)
	for _, key := range c.Argv[1:] {
		e := c.DB.Lookup(key)
		if e == nil || e.Type != keyspace.TypeString {
			c.Null()
			continue
		}
		c.Bulk(e.Str)
	}
}

func msetCommand(c *Client) { msetGeneric(c, "mset", false) }

func msetnxCommand(c *Client) { msetGeneric(c, "msetnx", true) }

func msetGeneric(c *Client, name string, nx bool) {
	argv := c.Argv
	if len(argv)%2 == 0 {
		c.Error(rerr.WrongArgs(name))
		return
	}
	if nx {
		for j := 1; j < len(argv); j += 2 {
			if c.DB.Lookup(argv[j]) != nil {
				c.Raw(replyZero)
				return
			}
		}
	}
	for j := 1; j < len(argv); j += 2 {
		c.setKey(c.DB.Lookup(argv[j]), argv[j], argv[j+1], false)
		c.Notify(NotifyString, "set", argv[j])
	}
	if nx {
		c.Raw(replyOne)
	} else {
		c.Simple("OK")
	}
}

// mustObey reports whether this client's commands must be applied as they
// come, limits and option checks waived (mustObeyClient): the master link,
// or the AOF being replayed (the only client that runs while loading).
func (c *Client) mustObey() bool { return c.Flags&ClientMaster != 0 || c.Core.KS.Loading }

// checkStringLength reports whether a string of size+add bytes is allowed,
// writing the error when it is not.
func (c *Client) checkStringLength(size, add int64) bool {
	if c.mustObey() {
		return true
	}
	if lim := c.Core.Limits.ProtoMaxBulkLen; size > lim || add > lim-size {
		c.Error(rerr.StringTooLong)
		return false
	}
	return true
}

func appendCommand(c *Client) {
	key, val := c.Argv[1], c.Argv[2]
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		e = c.addKey(key)
		storeBytes(e, val)
		e.Enc = stringEnc(val)
	} else {
		if !c.checkStringLength(int64(len(e.Str)), int64(len(val))) {
			return
		}
		e.Str = append(e.Str, val...)
		e.Enc = keyspace.EncRaw
	}
	c.Modified(key, 1)
	c.Notify(NotifyString, "append", key)
	c.Int(int64(len(e.Str)))
}

func strlenCommand(c *Client) {
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	c.Int(int64(len(e.Str)))
}

var emptyBulk = []byte("$0\r\n\r\n")

func getrangeCommand(c *Client) {
	start, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	end, ok := types.ParseInt(c.Argv[3])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil || start < 0 && end < 0 && start > end {
		c.Raw(emptyBulk)
		return
	}
	n := int64(len(e.Str))
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	start, end = max(start, 0), max(end, 0)
	if end >= n {
		end = n - 1
	}
	if start > end || n == 0 {
		c.Raw(emptyBulk)
		return
	}
	c.Bulk(e.Str[start : end+1])
}

func setrangeCommand(c *Client) {
	key, val := c.Argv[1], c.Argv[3]
	off, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if off < 0 {
		c.Error(rerr.OffsetOutOfRange)
		return
	}
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return
	}
	if len(val) == 0 {
		if e == nil {
			c.Int(0)
		} else {
			c.Int(int64(len(e.Str)))
		}
		return
	}
	if !c.checkStringLength(off, int64(len(val))) {
		return
	}
	if e == nil {
		e = c.addKey(key)
	}
	e.Enc = keyspace.EncRaw
	if need := int(off) + len(val); need > len(e.Str) {
		e.Str = append(e.Str, make([]byte, need-len(e.Str))...)
	}
	copy(e.Str[off:], val)
	c.Modified(key, 1)
	c.Notify(NotifyString, "setrange", key)
	c.Int(int64(len(e.Str)))
}

// incrDecr adds incr to the integer at key (incrDecrCommand); the TTL is
// kept.
func incrDecr(c *Client, incr int64) {
	key := c.Argv[1]
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return
	}
	var cur int64
	if e != nil {
		if cur, ok = types.ParseInt(e.Str); !ok {
			c.Error(rerr.NotInteger)
			return
		}
	}
	if incr < 0 && cur < 0 && incr < math.MinInt64-cur || incr > 0 && cur > 0 && incr > math.MaxInt64-cur {
		c.Error(rerr.Overflow)
		return
	}
	n := cur + incr
	if e == nil {
		e = c.addKey(key)
	}
	e.Str = strconv.AppendInt(e.Str[:0], n, 10)
	e.Enc = keyspace.EncInt
	c.Modified(key, 1)
	c.Notify(NotifyString, "incrby", key)
	c.Int(n)
}

func incrCommand(c *Client) { incrDecr(c, 1) }

func decrCommand(c *Client) { incrDecr(c, -1) }

func incrbyCommand(c *Client) {
	incr, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	incrDecr(c, incr)
}

func decrbyCommand(c *Client) {
	decr, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if decr == math.MinInt64 {
		c.Error(rerr.DecrOverflow)
		return
	}
	incrDecr(c, -decr)
}

func incrbyfloatCommand(c *Client) {
	key := c.Argv[1]
	e, ok := c.LookupType(key, keyspace.TypeString)
	if !ok {
		return
	}
	var cur []byte // nil: the key does not exist
	if e != nil {
		cur = e.Str
		if cur == nil {
			cur = emptyBytes
		}
	}
	res, err := types.IncrByFloat(cur, c.Argv[2])
	switch err {
	case nil:
	case types.ErrNaNOrInf:
		c.Error(rerr.IncrNaNOrInf)
		return
	default:
		c.Error(rerr.NotFloat)
		return
	}
	if e == nil {
		e = c.addKey(key)
	}
	storeBytes(e, res)
	// createStringObjectFromLongDouble never makes an int encoding.
	e.Enc = keyspace.EncEmbstr
	if len(res) > embstrMax {
		e.Enc = keyspace.EncRaw
	}
	c.Modified(key, 1)
	c.Notify(NotifyString, "incrbyfloat", key)
	c.Bulk(res)
	// Float formatting may differ between hosts: propagate the result.
	c.RewriteArgv(argSET, key, res, argKEEPTTL)
}

func lcsCommand(c *Client) {
	ea, eb := c.DB.Lookup(c.Argv[1]), c.DB.Lookup(c.Argv[2])
	if ea != nil && ea.Type != keyspace.TypeString || eb != nil && eb.Type != keyspace.TypeString {
		c.Error(rerr.LCSWrongType)
		return
	}
	var a, b []byte
	if ea != nil {
		a = ea.Str
	}
	if eb != nil {
		b = eb.Str
	}
	var getLen, getIdx, withLen bool
	var minLen int64
	for j := 3; j < len(c.Argv); j++ {
		opt := c.Argv[j]
		switch {
		case equalFold(opt, "idx"):
			getIdx = true
		case equalFold(opt, "len"):
			getLen = true
		case equalFold(opt, "withmatchlen"):
			withLen = true
		case equalFold(opt, "minmatchlen") && j+1 < len(c.Argv):
			v, ok := types.ParseInt(c.Argv[j+1])
			if !ok {
				c.Error(rerr.NotInteger)
				return
			}
			minLen = max(v, 0)
			j++
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	if getIdx && getLen {
		c.Error(rerr.LCSIdxAndLen)
		return
	}
	if types.LCSTableBytes(len(a), len(b)) > uint64(c.Core.Limits.ProtoMaxBulkLen) {
		c.Error(rerr.LCSTooMuchMemory)
		return
	}
	n, seq, matches := types.LCS(a, b, !getLen && !getIdx, getIdx)
	switch {
	case getLen:
		c.Int(int64(n))
	case !getIdx:
		c.Bulk(seq)
	default:
		c.Map(2)
		c.BulkString("matches")
		tok := c.DeferLen()
		count := 0
		for _, m := range matches {
			if minLen != 0 && int64(m.Len()) < minLen {
				continue
			}
			count++
			if withLen {
				c.Array(3)
			} else {
				c.Array(2)
			}
			c.Array(2)
			c.Int(int64(m.AStart))
			c.Int(int64(m.AEnd))
			c.Array(2)
			c.Int(int64(m.BStart))
			c.Int(int64(m.BEnd))
			if withLen {
				c.Int(int64(m.Len()))
			}
		}
		c.SetArrayLen(tok, count)
		c.BulkString("len")
		c.Int(int64(n))
	}
}
