package command

import (
	"slices"
	"strconv"

	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// Stream commands, as Redis 7.0's t_stream.c behaves. Consumer group reads
// and claims propagate as Redis does: one XCLAIM ... FORCE JUSTID LASTID per
// entry put in (or taken out of) a PEL, XGROUP SETID for a NOACK read that
// moved the group, XGROUP CREATECONSUMER for a consumer a NOACK read made.

func init() {
	Register("xadd", xaddCommand)
	Register("xrange", xrangeCommand)
	Register("xrevrange", xrevrangeCommand)
	Register("xlen", xlenCommand)
	Register("xdel", xdelCommand)
	Register("xtrim", xtrimCommand)
	Register("xread", xreadCommand)
	Register("xreadgroup", xreadgroupCommand)
	Register("xack", xackCommand)
	Register("xpending", xpendingCommand)
	Register("xclaim", xclaimCommand)
	Register("xautoclaim", xautoclaimCommand)
	Register("xsetid", xsetidCommand)
	for _, sub := range []string{"create", "setid", "destroy", "createconsumer", "delconsumer", "help"} {
		Register("xgroup|"+sub, xgroupCommand)
	}
	for _, sub := range []string{"stream", "groups", "consumers", "help"} {
		Register("xinfo|"+sub, xinfoCommand)
	}
}

// Arguments of the commands streams propagate.
var (
	streamArgXCLAIM         = []byte("XCLAIM")
	streamArgXGROUP         = []byte("XGROUP")
	streamArgSETID          = []byte("SETID")
	streamArgCREATECONSUMER = []byte("CREATECONSUMER")
	streamArgENTRIESREAD    = []byte("ENTRIESREAD")
	streamArgTIME           = []byte("TIME")
	streamArgRETRYCOUNT     = []byte("RETRYCOUNT")
	streamArgFORCE          = []byte("FORCE")
	streamArgJUSTID         = []byte("JUSTID")
	streamArgLASTID         = []byte("LASTID")
	streamArgZero           = []byte("0")
	streamArgEquals         = []byte("=")
)

// streamXReadBlockedCount is XREAD_BLOCKED_DEFAULT_COUNT: the COUNT of a
// blocked read that gave none.
const streamXReadBlockedCount = 1000

// streamOf returns the stream held by e.
func streamOf(e *keyspace.Entry) *types.Stream { return e.Obj.(*types.Stream) }

// streamParseID parses an ID argument, writing the error when it is bad.
func (c *Client) streamParseID(arg []byte, missingSeq uint64, strict bool) (types.StreamID, bool) {
	id, _, ok := types.ParseStreamID(arg, missingSeq, strict, false)
	if !ok {
		c.Error(rerr.StreamInvalidID)
	}
	return id, ok
}

// streamParseInterval parses a range bound, "(" making it exclusive
// (streamParseIntervalIDOrReply), then moves an exclusive bound inwards.
func (c *Client) streamParseInterval(arg []byte, missingSeq uint64, isStart bool) (types.StreamID, bool) {
	exclude := len(arg) > 1 && arg[0] == '('
	if !exclude {
		return c.streamParseID(arg, missingSeq, false)
	}
	id, ok := c.streamParseID(arg[1:], missingSeq, true)
	if !ok {
		return id, false
	}
	if isStart {
		if id, ok = id.Incr(); !ok {
			c.Error(rerr.StreamInvalidStart)
		}
	} else if id, ok = id.Decr(); !ok {
		c.Error(rerr.StreamInvalidEnd)
	}
	return id, ok
}

// streamParseInt parses a long long argument, writing errMsg (or the
// generic integer error when nil) when it is not one.
func (c *Client) streamParseInt(arg []byte, errMsg []byte) (int64, bool) {
	v, ok := types.ParseInt(arg)
	if !ok {
		if errMsg == nil {
			errMsg = rerr.NotInteger
		}
		c.Error(errMsg)
	}
	return v, ok
}

// streamIDArg returns id as a new argument for propagation.
func streamIDArg(id types.StreamID) []byte { return id.AppendTo(nil) }

// streamReplyID writes id as a bulk string.
func (c *Client) streamReplyID(id types.StreamID) {
	var buf [48]byte
	c.Bulk(id.AppendTo(buf[:0]))
}

// streamReplyEntry writes the entry the iterator stands on: [id, [f, v ...]].
func (c *Client) streamReplyEntry(it *types.StreamIterator, id types.StreamID, nf int) {
	c.Array(2)
	c.streamReplyID(id)
	c.Array(2 * nf)
	for ; nf > 0; nf-- {
		f, v := it.Field()
		c.Bulk(f)
		c.Bulk(v)
	}
}

// streamReplyOne writes the live entry id, reporting false (and writing
// nothing) when there is none.
func (c *Client) streamReplyOne(s *types.Stream, id types.StreamID) bool {
	it := s.Iter(id, id, false)
	got, nf, ok := it.Next()
	if ok {
		c.streamReplyEntry(&it, got, nf)
	}
	return ok
}

// streamReplyRange writes up to count (0: all) entries between start and
// end as an array, and returns how many.
func (c *Client) streamReplyRange(s *types.Stream, start, end types.StreamID, count int64, rev bool) int64 {
	tok := c.DeferLen()
	var n int64
	it := s.Iter(start, end, rev)
	for {
		id, nf, ok := it.Next()
		if !ok {
			break
		}
		c.streamReplyEntry(&it, id, nf)
		n++
		if count > 0 && n == count {
			break
		}
	}
	c.SetArrayLen(tok, int(n))
	return n
}

// --- XADD / XTRIM

// streamAddArgs are the parsed options of XADD and XTRIM.
type streamAddArgs struct {
	types.TrimArgs
	id       types.StreamID
	idGiven  bool
	seqGiven bool
	noMk     bool
	// argIdx is the index of the MAXLEN/MINID value, for the rewrite.
	argIdx int
}

// streamParseAddTrim parses XADD's (xadd) or XTRIM's options as
// streamParseAddOrTrimArgsOrReply and returns the index of XADD's ID.
func (c *Client) streamParseAddTrim(a *streamAddArgs, xadd bool) (int, bool) {
	argv := c.Argv
	i := 2
	limitGiven := false
	for ; i < len(argv); i++ {
		more := len(argv) - 1 - i
		opt := argv[i]
		switch {
		case xadd && len(opt) == 1 && opt[0] == '*':
			return i, c.streamFinishTrimArgs(a, xadd, limitGiven)
		case (equalFold(opt, "maxlen") || equalFold(opt, "minid")) && more > 0:
			if a.Strategy != types.TrimNone {
				c.Error(rerr.StreamMaxLenAndMinID)
				return 0, false
			}
			a.Approx = false
			if next := argv[i+1]; more >= 2 && len(next) == 1 && (next[0] == '~' || next[0] == '=') {
				a.Approx = next[0] == '~'
				i++
			}
			if equalFold(opt, "maxlen") {
				v, ok := c.streamParseInt(argv[i+1], nil)
				if !ok {
					return 0, false
				}
				if v < 0 {
					c.Error(rerr.StreamMaxLenNegative)
					return 0, false
				}
				a.MaxLen = v
				a.Strategy = types.TrimMaxLen
			} else {
				id, ok := c.streamParseID(argv[i+1], 0, true)
				if !ok {
					return 0, false
				}
				a.MinID = id
				a.Strategy = types.TrimMinID
			}
			i++
			a.argIdx = i
		case equalFold(opt, "limit") && more > 0:
			v, ok := c.streamParseInt(argv[i+1], nil)
			if !ok {
				return 0, false
			}
			if v < 0 {
				c.Error(rerr.StreamLimitNegative)
				return 0, false
			}
			a.Limit = v
			limitGiven = true
			i++
		case xadd && equalFold(opt, "nomkstream"):
			a.noMk = true
		case xadd:
			id, seqGiven, ok := types.ParseStreamID(opt, 0, true, true)
			if !ok {
				c.Error(rerr.StreamInvalidID)
				return 0, false
			}
			a.id, a.seqGiven, a.idGiven = id, seqGiven, true
			return i, c.streamFinishTrimArgs(a, xadd, limitGiven)
		default:
			c.Error(rerr.Syntax)
			return 0, false
		}
	}
	return i, c.streamFinishTrimArgs(a, xadd, limitGiven)
}

func (c *Client) streamFinishTrimArgs(a *streamAddArgs, xadd, limitGiven bool) bool {
	if a.Limit != 0 && a.Strategy == types.TrimNone {
		c.Error(rerr.StreamLimitNoStrategy)
		return false
	}
	if !xadd && a.Strategy == types.TrimNone {
		c.Error(rerr.StreamXTrimNoStrategy)
		return false
	}
	switch {
	case c.mustObey():
		// The master rewrote approximate trims as exact ones.
		a.Limit = 0
	case limitGiven:
		if !a.Approx {
			c.Error(rerr.StreamLimitNoApprox)
			return false
		}
	case a.Approx:
		a.Limit = 100 * int64(c.Core.Limits.StreamNodeMaxEntries)
		if a.Limit <= 0 {
			a.Limit = 10000
		}
		if a.Limit > 1000000 {
			a.Limit = 1000000
		}
	default:
		a.Limit = 0
	}
	return true
}

// streamRewriteTrim makes an approximate trim deterministic for
// propagation: "~" becomes "=" and the value the resulting length or first
// ID (streamRewriteTrimArgument). It works on argv, a copy of c.Argv.
func streamRewriteTrim(argv [][]byte, s *types.Stream, a *streamAddArgs) {
	argv[a.argIdx-1] = streamArgEquals
	if a.Strategy == types.TrimMaxLen {
		argv[a.argIdx] = strconv.AppendUint(nil, s.Len(), 10)
	} else {
		argv[a.argIdx] = streamIDArg(s.FirstEntryID())
	}
}

func xaddCommand(c *Client) {
	var a streamAddArgs
	idPos, ok := c.streamParseAddTrim(&a, true)
	if !ok {
		return
	}
	fieldPos := idPos + 1
	if n := len(c.Argv) - fieldPos; n < 2 || n%2 == 1 {
		c.Error(rerr.WrongArgs("xadd"))
		return
	}
	if a.idGiven && a.seqGiven && a.id.IsZero() {
		c.Error(rerr.StreamIDZero)
		return
	}
	key := c.Argv[1]
	e, ok := c.LookupType(key, keyspace.TypeStream)
	if !ok {
		return
	}
	if e == nil {
		if a.noMk {
			c.Null()
			return
		}
		e = c.DB.Add(key, keyspace.TypeStream)
		e.Obj = types.NewStream()
		c.Notify(NotifyNew, "new", key)
	}
	s := streamOf(e)
	if s.LastID == types.MaxStreamID {
		c.Error(rerr.StreamExhausted)
		return
	}
	id, ok := c.streamNewID(s, &a)
	if !ok {
		return
	}
	fv := c.Argv[fieldPos:]
	total := 0
	for _, b := range fv {
		total += len(b)
	}
	if total > types.StreamListpackMaxSize {
		c.Error(rerr.StreamTooLarge)
		return
	}
	lim := &c.Core.Limits
	s.Append(id, fv, lim.StreamNodeMaxBytes, lim.StreamNodeMaxEntries)
	idArg := streamIDArg(id)
	c.Bulk(idArg)
	c.Modified(key, 1)
	c.Notify(NotifyStream, "xadd", key)

	var argv [][]byte
	if a.Strategy != types.TrimNone {
		if s.Trim(&a.TrimArgs) > 0 {
			c.Notify(NotifyStream, "xtrim", key)
		}
		if a.Approx {
			argv = slices.Clone(c.Argv)
			streamRewriteTrim(argv, s, &a)
		}
	}
	if !a.idGiven || !a.seqGiven {
		if argv == nil {
			argv = slices.Clone(c.Argv)
		}
		argv[idPos] = idArg
	}
	if argv != nil {
		c.RewriteArgv(argv...)
	}
	c.SignalKeyAsReady(key)
}

// streamNewID picks the ID of a new entry as streamAppendItem does: "*"
// from the clock (never going back: last ID + 1 when the clock is behind),
// "ms-*" with the next sequence of that millisecond, or the given ID, which
// must be greater than the last.
func (c *Client) streamNewID(s *types.Stream, a *streamAddArgs) (types.StreamID, bool) {
	last := s.LastID
	var id types.StreamID
	switch {
	case !a.idGiven:
		if now := uint64(c.Now()); now > last.Ms {
			id = types.StreamID{Ms: now}
		} else {
			id, _ = last.Incr()
		}
	case a.seqGiven:
		id = a.id
	case a.id.Ms == last.Ms:
		if last.Seq == ^uint64(0) {
			c.Error(rerr.StreamIDTooSmall)
			return id, false
		}
		id = types.StreamID{Ms: last.Ms, Seq: last.Seq + 1}
	default:
		id = a.id
	}
	if id.Compare(last) <= 0 {
		c.Error(rerr.StreamIDTooSmall)
		return id, false
	}
	return id, true
}

func xtrimCommand(c *Client) {
	var a streamAddArgs
	if _, ok := c.streamParseAddTrim(&a, false); !ok {
		return
	}
	key := c.Argv[1]
	e, ok := c.LookupType(key, keyspace.TypeStream)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	s := streamOf(e)
	deleted := s.Trim(&a.TrimArgs)
	if deleted > 0 {
		c.Notify(NotifyStream, "xtrim", key)
		if a.Approx {
			argv := slices.Clone(c.Argv)
			streamRewriteTrim(argv, s, &a)
			c.RewriteArgv(argv...)
		}
		c.Modified(key, deleted)
	}
	c.Int(deleted)
}

// --- XRANGE / XREVRANGE / XLEN / XDEL

func xrangeCommand(c *Client)    { c.streamRange(false) }
func xrevrangeCommand(c *Client) { c.streamRange(true) }

func (c *Client) streamRange(rev bool) {
	startArg, endArg := c.Argv[2], c.Argv[3]
	if rev {
		startArg, endArg = endArg, startArg
	}
	start, ok := c.streamParseInterval(startArg, 0, true)
	if !ok {
		return
	}
	end, ok := c.streamParseInterval(endArg, ^uint64(0), false)
	if !ok {
		return
	}
	count := int64(-1)
	for j := 4; j < len(c.Argv); j++ {
		if equalFold(c.Argv[j], "count") && j+1 < len(c.Argv) {
			v, ok := c.streamParseInt(c.Argv[j+1], nil)
			if !ok {
				return
			}
			count = max(v, 0)
			j++
			continue
		}
		c.Error(rerr.Syntax)
		return
	}
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeStream)
	if !ok {
		return
	}
	if e == nil {
		c.Array(0)
		return
	}
	if count == 0 {
		c.NullArray()
		return
	}
	c.streamReplyRange(streamOf(e), start, end, max(count, 0), rev)
}

func xlenCommand(c *Client) {
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeStream)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	c.Int(int64(streamOf(e).Len()))
}

func xdelCommand(c *Client) {
	key := c.Argv[1]
	e, ok := c.LookupType(key, keyspace.TypeStream)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	ids := make([]types.StreamID, 0, len(c.Argv)-2)
	for _, arg := range c.Argv[2:] {
		id, ok := c.streamParseID(arg, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	deleted := streamOf(e).DeleteIDs(ids)
	if deleted > 0 {
		c.Modified(key, int64(deleted))
		c.Notify(NotifyStream, "xdel", key)
	}
	c.Int(int64(deleted))
}
