package command

import (
	"strconv"

	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// List commands, as Redis 7.0's t_list.c behaves. Values are
// *types.List (a quicklist of listpack nodes); every write passes the
// current list-max-listpack-size as the node fill.

func init() {
	Register("lpush", lpushCommand)
	Register("rpush", rpushCommand)
	Register("lpushx", lpushxCommand)
	Register("rpushx", rpushxCommand)
	Register("lpop", lpopCommand)
	Register("rpop", rpopCommand)
	Register("llen", llenCommand)
	Register("lrange", lrangeCommand)
	Register("lindex", lindexCommand)
	Register("lset", lsetCommand)
	Register("linsert", linsertCommand)
	Register("lrem", lremCommand)
	Register("ltrim", ltrimCommand)
	Register("lpos", lposCommand)
	Register("lmove", lmoveCommand)
	Register("rpoplpush", rpoplpushCommand)
	Register("lmpop", lmpopCommand)
	Register("blpop", blpopCommand)
	Register("brpop", brpopCommand)
	Register("brpoplpush", brpoplpushCommand)
	Register("blmove", blmoveCommand)
	Register("blmpop", blmpopCommand)
}

// Arguments of the commands blocking list commands propagate as.
var (
	listArgLPOP      = []byte("LPOP")
	listArgRPOP      = []byte("RPOP")
	listArgLMOVE     = []byte("LMOVE")
	listArgRPOPLPUSH = []byte("RPOPLPUSH")
	listArgLEFT      = []byte("LEFT")
	listArgRIGHT     = []byte("RIGHT")
)

// listLookupWrite is lookupKeyWrite plus checkType: WRONGTYPE is written
// and ok is false when key holds another type.
func listLookupWrite(c *Client, key []byte) (e *keyspace.Entry, ok bool) {
	e = c.DB.LookupWrite(key)
	if e != nil && e.Type != keyspace.TypeList {
		c.Error(rerr.WrongType)
		return nil, false
	}
	return e, true
}

// listOf returns the list held by e.
func listOf(e *keyspace.Entry) *types.List { return e.Obj.(*types.List) }

// listCreate adds key as an empty list, with the "new" notification and
// the ready signal for clients blocked on it, as dbAdd does.
func listCreate(c *Client, key []byte) *keyspace.Entry {
	e := c.DB.Add(key, keyspace.TypeList)
	e.Obj = types.NewList()
	c.Notify(NotifyNew, "new", key)
	c.SignalKeyAsReady(key)
	return e
}

// listDeleteIfEmpty removes key when its list emptied, with the "del"
// notification after the list event already sent.
func listDeleteIfEmpty(c *Client, key []byte, l *types.List) {
	if l.Len() == 0 {
		c.DB.Delete(key)
		c.Notify(NotifyGeneric, "del", key)
	}
}

// listParseWhere parses LEFT or RIGHT; head is true for LEFT.
func listParseWhere(arg []byte) (head, ok bool) {
	switch {
	case equalFold(arg, "left"):
		return true, true
	case equalFold(arg, "right"):
		return false, true
	}
	return false, false
}

// listPopEvent is the notification of a pop from the head or the tail.
func listPopEvent(head bool) string {
	if head {
		return "lpop"
	}
	return "rpop"
}

// listPushEvent is the notification of a push at the head or the tail.
func listPushEvent(head bool) string {
	if head {
		return "lpush"
	}
	return "rpush"
}

func lpushCommand(c *Client)  { listPushGeneric(c, true, false) }
func rpushCommand(c *Client)  { listPushGeneric(c, false, false) }
func lpushxCommand(c *Client) { listPushGeneric(c, true, true) }
func rpushxCommand(c *Client) { listPushGeneric(c, false, true) }

// listPushGeneric is LPUSH, RPUSH and their X forms (only when the key
// exists), as pushGenericCommand.
func listPushGeneric(c *Client, head, xx bool) {
	key := c.Argv[1]
	e, ok := listLookupWrite(c, key)
	if !ok {
		return
	}
	if e == nil {
		if xx {
			c.Int(0)
			return
		}
		e = listCreate(c, key)
	}
	l := listOf(e)
	fill := c.Core.Limits.ListMaxListpackSize
	for _, v := range c.Argv[2:] {
		l.Push(v, head, fill)
	}
	c.Int(int64(l.Len()))
	c.Modified(key, int64(len(c.Argv)-2))
	c.Notify(NotifyList, listPushEvent(head), key)
}

func lpopCommand(c *Client) { listPopGeneric(c, true) }
func rpopCommand(c *Client) { listPopGeneric(c, false) }

// listPopGeneric is LPOP and RPOP with an optional count, as
// popGenericCommand: without a count a missing key is a null bulk, with
// one a null array, and a count of 0 on a list an empty array.
func listPopGeneric(c *Client, head bool) {
	if len(c.Argv) > 3 {
		c.Error(rerr.WrongArgs(c.Cmd.FullName()))
		return
	}
	hasCount := len(c.Argv) == 3
	count := int64(1)
	if hasCount {
		v, ok := types.ParseInt(c.Argv[2])
		if !ok || v < 0 {
			c.Error(rerr.PositiveInt)
			return
		}
		count = v
	}
	key := c.Argv[1]
	e, ok := listLookupWrite(c, key)
	if !ok {
		return
	}
	if e == nil {
		if hasCount {
			c.NullArray()
		} else {
			c.Null()
		}
		return
	}
	l := listOf(e)
	if hasCount && count == 0 {
		c.Array(0)
		return
	}
	if !hasCount {
		var buf [64]byte
		v, _ := l.Pop(head, buf[:0])
		c.Bulk(v)
	} else {
		listPopRange(c, l, head, count)
	}
	c.Notify(NotifyList, listPopEvent(head), key)
	listDeleteIfEmpty(c, key, l)
	c.Modified(key, 1)
}

// listPopRange pops up to count elements from one end of l and replies
// them as an array, returning how many it popped.
func listPopRange(c *Client, l *types.List, head bool, count int64) int {
	n := l.Len()
	if count < int64(n) {
		n = int(count)
	}
	c.Array(n)
	var buf [64]byte
	for i := 0; i < n; i++ {
		v, _ := l.Pop(head, buf[:0])
		c.Bulk(v)
	}
	return n
}

func llenCommand(c *Client) {
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	c.Int(int64(listOf(e).Len()))
}

// listParseInt parses an integer argument as getLongFromObjectOrReply,
// writing the error when it is not one.
func listParseInt(c *Client, arg []byte) (int, bool) {
	v, ok := types.ParseInt(arg)
	if !ok || v != int64(int(v)) {
		c.Error(rerr.NotInteger)
		return 0, false
	}
	return int(v), true
}

func lrangeCommand(c *Client) {
	start, ok := listParseInt(c, c.Argv[2])
	if !ok {
		return
	}
	end, ok := listParseInt(c, c.Argv[3])
	if !ok {
		return
	}
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.Array(0)
		return
	}
	l := listOf(e)
	n := l.Len()
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	if start > end || start >= n {
		c.Array(0)
		return
	}
	if end >= n {
		end = n - 1
	}
	c.Array(end - start + 1)
	it := l.Iter(start, true)
	for i := start; i <= end; i++ {
		v, _ := it.Next()
		c.Bulk(v)
	}
}

func lindexCommand(c *Client) {
	index, ok := listParseInt(c, c.Argv[2])
	if !ok {
		return
	}
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		c.Null()
		return
	}
	var buf [64]byte
	v, found := listOf(e).Index(index, buf[:0])
	if !found {
		c.Null()
		return
	}
	c.Bulk(v)
}

func lsetCommand(c *Client) {
	index, ok := listParseInt(c, c.Argv[2])
	if !ok {
		return
	}
	key := c.Argv[1]
	e, ok := listLookupWrite(c, key)
	if !ok {
		return
	}
	if e == nil {
		c.Error(rerr.NoSuchKey)
		return
	}
	if !listOf(e).Set(index, c.Argv[3]) {
		c.Error(rerr.OutOfRange)
		return
	}
	c.Simple("OK")
	c.Modified(key, 1)
	c.Notify(NotifyList, "lset", key)
}

func linsertCommand(c *Client) {
	var after bool
	switch {
	case equalFold(c.Argv[2], "after"):
		after = true
	case equalFold(c.Argv[2], "before"):
	default:
		c.Error(rerr.Syntax)
		return
	}
	key := c.Argv[1]
	e, ok := listLookupWrite(c, key)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	l := listOf(e)
	if !l.Insert(c.Argv[3], c.Argv[4], after, c.Core.Limits.ListMaxListpackSize) {
		c.Int(-1)
		return
	}
	c.Modified(key, 1)
	c.Notify(NotifyList, "linsert", key)
	c.Int(int64(l.Len()))
}

func lremCommand(c *Client) {
	count, ok := listParseInt(c, c.Argv[2])
	if !ok {
		return
	}
	key := c.Argv[1]
	e, ok := listLookupWrite(c, key)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	l := listOf(e)
	removed := l.Remove(c.Argv[3], count)
	if removed > 0 {
		c.Modified(key, int64(removed))
		c.Notify(NotifyList, "lrem", key)
		listDeleteIfEmpty(c, key, l)
	}
	c.Int(int64(removed))
}

func ltrimCommand(c *Client) {
	start, ok := listParseInt(c, c.Argv[2])
	if !ok {
		return
	}
	end, ok := listParseInt(c, c.Argv[3])
	if !ok {
		return
	}
	key := c.Argv[1]
	e, ok := listLookupWrite(c, key)
	if !ok {
		return
	}
	if e == nil {
		c.Simple("OK")
		return
	}
	l := listOf(e)
	n := l.Len()
	if start < 0 {
		start += n
	}
	if end < 0 {
		end += n
	}
	if start < 0 {
		start = 0
	}
	removed := n
	keepNone := start > end || start >= n
	if !keepNone {
		if end >= n {
			end = n - 1
		}
		removed = n - (end - start + 1)
	}
	l.Trim(start, end, keepNone)
	c.Notify(NotifyList, "ltrim", key)
	listDeleteIfEmpty(c, key, l)
	c.Modified(key, int64(removed))
	c.Simple("OK")
}

func lposCommand(c *Client) {
	rank, count, maxlen := 1, -1, 0
	for j := 3; j < len(c.Argv); j++ {
		opt := c.Argv[j]
		more := j+1 < len(c.Argv)
		switch {
		case equalFold(opt, "rank") && more:
			j++
			v, ok := listParseInt(c, c.Argv[j])
			if !ok {
				return
			}
			if v == 0 {
				c.Error(rerr.ListRankZero)
				return
			}
			rank = v
		case equalFold(opt, "count") && more:
			j++
			v, ok := types.ParseInt(c.Argv[j])
			if !ok || v < 0 || v != int64(int(v)) {
				c.Error(rerr.ListCountNegative)
				return
			}
			count = int(v)
		case equalFold(opt, "maxlen") && more:
			j++
			v, ok := types.ParseInt(c.Argv[j])
			if !ok || v < 0 || v != int64(int(v)) {
				c.Error(rerr.ListMaxlenNegative)
				return
			}
			maxlen = int(v)
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeList)
	if !ok {
		return
	}
	if e == nil {
		if count != -1 {
			c.Array(0)
		} else {
			c.Null()
		}
		return
	}
	l := listOf(e)
	if count == -1 {
		found := false
		l.Pos(c.Argv[2], rank, 1, maxlen, func(i int) {
			c.Int(int64(i))
			found = true
		})
		if !found {
			c.Null()
		}
		return
	}
	tok := c.DeferLen()
	n := 0
	l.Pos(c.Argv[2], rank, count, maxlen, func(i int) {
		c.Int(int64(i))
		n++
	})
	c.SetArrayLen(tok, n)
}

func lmoveCommand(c *Client) {
	from, ok1 := listParseWhere(c.Argv[3])
	to, ok2 := listParseWhere(c.Argv[4])
	if !ok1 || !ok2 {
		c.Error(rerr.Syntax)
		return
	}
	listMoveGeneric(c, from, to)
}

func rpoplpushCommand(c *Client) { listMoveGeneric(c, false, true) }

// listMoveGeneric is LMOVE: pop from one end of the source, push onto one
// end of the destination (possibly the same list), reply the element, as
// lmoveGenericCommand. A missing source is a null reply.
func listMoveGeneric(c *Client, from, to bool) {
	src := c.Argv[1]
	se, ok := listLookupWrite(c, src)
	if !ok {
		return
	}
	if se == nil {
		c.Null()
		return
	}
	listMove(c, se, src, c.Argv[2], from, to)
}

// listMove moves one element of the list se (key src) to dst and replies
// it; WRONGTYPE is replied instead when dst holds another type.
func listMove(c *Client, se *keyspace.Entry, src, dst []byte, from, to bool) {
	de, ok := listLookupWrite(c, dst)
	if !ok {
		return
	}
	sl := listOf(se)
	var buf [64]byte
	v, _ := sl.Pop(from, buf[:0])
	if de == nil {
		de = listCreate(c, dst)
	}
	listOf(de).Push(v, to, c.Core.Limits.ListMaxListpackSize)
	c.Modified(dst, 1)
	c.Notify(NotifyList, listPushEvent(to), dst)
	c.Bulk(v)
	c.Notify(NotifyList, listPopEvent(from), src)
	listDeleteIfEmpty(c, src, sl)
	c.Modified(src, 1)
}

// listParseMpop parses "numkeys key... LEFT|RIGHT [COUNT n]" starting at
// argv[at], as lmpopGenericCommand.
func listParseMpop(c *Client, at int) (keys [][]byte, head bool, count int64, ok bool) {
	numkeys, isInt := types.ParseInt(c.Argv[at])
	if !isInt || numkeys <= 0 {
		c.Error(rerr.ListNumKeys)
		return nil, false, 0, false
	}
	whereIdx := int64(at) + numkeys + 1
	if whereIdx >= int64(len(c.Argv)) {
		c.Error(rerr.Syntax)
		return nil, false, 0, false
	}
	head, isWhere := listParseWhere(c.Argv[whereIdx])
	if !isWhere {
		c.Error(rerr.Syntax)
		return nil, false, 0, false
	}
	count = -1
	for j := int(whereIdx) + 1; j < len(c.Argv); j++ {
		if count == -1 && equalFold(c.Argv[j], "count") && j+1 < len(c.Argv) {
			j++
			v, isInt := types.ParseInt(c.Argv[j])
			if !isInt || v <= 0 {
				c.Error(rerr.ListCount)
				return nil, false, 0, false
			}
			count = v
			continue
		}
		c.Error(rerr.Syntax)
		return nil, false, 0, false
	}
	if count == -1 {
		count = 1
	}
	return c.Argv[at+1 : whereIdx], head, count, true
}

func lmpopCommand(c *Client) {
	keys, head, count, ok := listParseMpop(c, 1)
	if !ok {
		return
	}
	if !listMpopServe(c, keys, head, count) {
		c.NullArray()
	}
}

// listMpopServe pops up to count elements from the first non-empty list
// of keys and replies [key, [elements]], propagated as LPOP/RPOP key
// count. It reports whether it replied (an element or WRONGTYPE).
func listMpopServe(c *Client, keys [][]byte, head bool, count int64) bool {
	for _, key := range c.ServeKeys(keys) {
		e, ok := listLookupWrite(c, key)
		if !ok {
			return true
		}
		if e == nil {
			continue
		}
		l := listOf(e)
		c.Array(2)
		c.Bulk(key)
		n := listPopRange(c, l, head, count)
		c.Notify(NotifyList, listPopEvent(head), key)
		listDeleteIfEmpty(c, key, l)
		c.Modified(key, int64(n))
		c.RewriteArgv(listPopArg(head), key, strconv.AppendInt(nil, int64(n), 10))
		return true
	}
	return false
}

// listPopArg is the command name a pop from head or tail propagates as.
func listPopArg(head bool) []byte {
	if head {
		return listArgLPOP
	}
	return listArgRPOP
}

// listWhereArg is LEFT or RIGHT.
func listWhereArg(head bool) []byte {
	if head {
		return listArgLEFT
	}
	return listArgRIGHT
}

func blpopCommand(c *Client) { listBPopGeneric(c, true) }
func brpopCommand(c *Client) { listBPopGeneric(c, false) }

// listBPopGeneric is BLPOP and BRPOP: pop from the first non-empty key
// and reply [key, element] (propagated as LPOP/RPOP key), or block.
func listBPopGeneric(c *Client, head bool) {
	last := len(c.Argv) - 1
	deadline, ok := c.ParseTimeout(c.Argv[last])
	if !ok {
		return
	}
	keys := c.Argv[1:last]
	for _, key := range c.ServeKeys(keys) {
		e, ok := listLookupWrite(c, key)
		if !ok {
			return
		}
		if e == nil {
			continue
		}
		l := listOf(e)
		var buf [64]byte
		v, _ := l.Pop(head, buf[:0])
		c.Array(2)
		c.Bulk(key)
		c.Bulk(v)
		c.Notify(NotifyList, listPopEvent(head), key)
		listDeleteIfEmpty(c, key, l)
		c.Modified(key, 1)
		c.RewriteArgv(listPopArg(head), key)
		return
	}
	listBlock(c, keys, deadline)
}

// listBlock blocks the client on keys, or answers a timeout at once where
// it may not block (MULTI, scripts).
func listBlock(c *Client, keys [][]byte, deadline int64) {
	if !c.CanBlock() {
		c.NullArray()
		return
	}
	c.Block(keys, deadline, keyspace.TypeList)
}

func blmpopCommand(c *Client) {
	keys, head, count, ok := listParseMpop(c, 2)
	if !ok {
		return
	}
	deadline, ok := c.ParseTimeout(c.Argv[1])
	if !ok {
		return
	}
	if listMpopServe(c, keys, head, count) {
		return
	}
	listBlock(c, keys, deadline)
}

func brpoplpushCommand(c *Client) { listBMoveGeneric(c, false, true, 3) }

func blmoveCommand(c *Client) {
	from, ok1 := listParseWhere(c.Argv[3])
	to, ok2 := listParseWhere(c.Argv[4])
	if !ok1 || !ok2 {
		c.Error(rerr.Syntax)
		return
	}
	listBMoveGeneric(c, from, to, 5)
}

// listBMoveGeneric is BLMOVE and BRPOPLPUSH (timeout at argv[timeoutAt]):
// LMOVE when the source has an element, else block; inside MULTI the
// answer is a null bulk, as blmoveGenericCommand.
func listBMoveGeneric(c *Client, from, to bool, timeoutAt int) {
	deadline, ok := c.ParseTimeout(c.Argv[timeoutAt])
	if !ok {
		return
	}
	src, dst := c.Argv[1], c.Argv[2]
	se, ok := listLookupWrite(c, src)
	if !ok {
		return
	}
	if se != nil {
		listMove(c, se, src, dst, from, to)
		if timeoutAt == 3 {
			c.RewriteArgv(listArgRPOPLPUSH, src, dst)
		} else {
			c.RewriteArgv(listArgLMOVE, src, dst, listWhereArg(from), listWhereArg(to))
		}
		return
	}
	if !c.CanBlock() {
		c.Null()
		return
	}
	c.Block(c.Argv[1:2], deadline, keyspace.TypeList)
}
