package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// Consumer group commands: XGROUP, XSETID, XACK, XPENDING, XCLAIM and
// XAUTOCLAIM. As in Redis, group changes count as dirty but do not
// invalidate WATCH (no signalModifiedKey), except XGROUP CREATE MKSTREAM.

var streamXGroupHelp = []string{
	"XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CREATE <key> <groupname> <id|$> [option]",
	"    Create a new consumer group. Options are:",
	"    * MKSTREAM",
	"      Create the empty stream if it does not exist.",
	"    * ENTRIESREAD entries_read",
	"      Set the group's entries_read counter (internal use).",
	"CREATECONSUMER <key> <groupname> <consumer>",
	"    Create a new consumer in the specified group.",
	"DELCONSUMER <key> <groupname> <consumer>",
	"    Remove the specified consumer.",
	"DESTROY <key> <groupname>",
	"    Remove the specified group.",
	"SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
	"    Set the current group ID and entries_read counter.",
	"HELP",
	"    Prints this help.",
}

// streamHelp writes a HELP reply.
func (c *Client) streamHelp(lines []string) {
	c.Array(len(lines))
	for _, l := range lines {
		c.Simple(l)
	}
}

// xgroupCommand serves every XGROUP subcommand, as xgroupCommand.
func xgroupCommand(c *Client) {
	argv := c.Argv
	opt := argv[1]
	var s *types.Stream
	var g *types.StreamGroup
	var grp []byte
	mkstream := false
	entriesRead := int64(types.InvalidEntriesRead)
	isCreate := equalFold(opt, "create")
	isSetID := equalFold(opt, "setid")
	if len(argv) >= 4 {
		for i := 5; i < len(argv); {
			switch {
			case isCreate && equalFold(argv[i], "mkstream"):
				mkstream = true
				i++
			case (isCreate || isSetID) && equalFold(argv[i], "entriesread") && i+1 < len(argv):
				v, ok := c.streamParseInt(argv[i+1], nil)
				if !ok {
					return
				}
				if v < 0 && v != types.InvalidEntriesRead {
					c.Error(rerr.StreamEntriesRead)
					return
				}
				entriesRead = v
				i += 2
			default:
				c.Error(rerr.StreamSubcommandSyntax(opt, "xgroup"))
				return
			}
		}
		e, ok := c.LookupType(argv[2], keyspace.TypeStream)
		if !ok {
			return
		}
		if e != nil {
			s = streamOf(e)
		}
		grp = argv[3]
		if !mkstream {
			if s == nil {
				c.Error(rerr.StreamXGroupNoKey)
				return
			}
			if g = s.Group(grp); g == nil && (isSetID || equalFold(opt, "createconsumer") || equalFold(opt, "delconsumer")) {
				c.Error(rerr.StreamNoGroupForKey(grp, argv[2]))
				return
			}
		}
	}
	key := func() []byte { return argv[2] }
	switch {
	case len(argv) == 2 && equalFold(opt, "help"):
		c.streamHelp(streamXGroupHelp)
	case isCreate && len(argv) >= 5 && len(argv) <= 8:
		var id types.StreamID
		if len(argv[4]) == 1 && argv[4][0] == '$' {
			if s != nil {
				id = s.LastID
			}
		} else {
			var ok bool
			if id, ok = c.streamParseID(argv[4], 0, true); !ok {
				return
			}
		}
		if s == nil {
			e := c.DB.Add(key(), keyspace.TypeStream)
			s = types.NewStream()
			e.Obj = s
			c.Notify(NotifyNew, "new", key())
			c.Modified(key(), 0)
		}
		if s.CreateGroup(grp, id, entriesRead) == nil {
			c.Error(rerr.StreamBusyGroup)
			return
		}
		c.Simple("OK")
		c.Core.Dirty++
		c.Notify(NotifyStream, "xgroup-create", key())
	case isSetID && (len(argv) == 5 || len(argv) == 7):
		id := s.LastID
		if !(len(argv[4]) == 1 && argv[4][0] == '$') {
			var ok bool
			if id, ok = c.streamParseID(argv[4], 0, false); !ok {
				return
			}
		}
		g.LastID = id
		g.EntriesRead = entriesRead
		c.Simple("OK")
		c.Core.Dirty++
		c.Notify(NotifyStream, "xgroup-setid", key())
	case equalFold(opt, "destroy") && len(argv) == 4:
		if g == nil {
			c.Int(0)
			return
		}
		s.DestroyGroup(grp)
		c.Int(1)
		c.Core.Dirty++
		c.Notify(NotifyStream, "xgroup-destroy", key())
		// Blocked XREADGROUP clients of the group get -NOGROUP.
		c.SignalKeyAsReady(key())
	case equalFold(opt, "createconsumer") && len(argv) == 5:
		if g.Consumer(argv[4]) != nil {
			c.Int(0)
			return
		}
		g.CreateConsumer(argv[4], c.Now())
		c.Core.Dirty++
		c.Notify(NotifyStream, "xgroup-createconsumer", key())
		c.Int(1)
	case equalFold(opt, "delconsumer") && len(argv) == 5:
		cs := g.Consumer(argv[4])
		if cs == nil {
			c.Int(0)
			return
		}
		pending := cs.PEL.Len()
		g.DeleteConsumer(cs)
		c.Core.Dirty++
		c.Notify(NotifyStream, "xgroup-delconsumer", key())
		c.Int(int64(pending))
	default:
		c.Error(rerr.StreamSubcommandSyntax(opt, "xgroup"))
	}
}

func xsetidCommand(c *Client) {
	argv := c.Argv
	id, ok := c.streamParseID(argv[2], 0, true)
	if !ok {
		return
	}
	entriesAdded := int64(-1)
	var maxDel types.StreamID
	for i := 3; i < len(argv); i += 2 {
		more := len(argv) - 1 - i
		switch {
		case equalFold(argv[i], "entriesadded") && more > 0:
			v, ok := c.streamParseInt(argv[i+1], nil)
			if !ok {
				return
			}
			if v < 0 {
				c.Error(rerr.StreamEntriesAddedNeg)
				return
			}
			entriesAdded = v
		case equalFold(argv[i], "maxdeletedid") && more > 0:
			if maxDel, ok = c.streamParseID(argv[i+1], 0, true); !ok {
				return
			}
			if id.Less(maxDel) {
				c.Error(rerr.StreamSetIDMaxDeleted)
				return
			}
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	e, ok := c.LookupType(argv[1], keyspace.TypeStream)
	if !ok {
		return
	}
	if e == nil {
		c.Error(rerr.NoSuchKey)
		return
	}
	s := streamOf(e)
	if s.Len() > 0 {
		if maxID, _ := s.LastValidID(); id.Less(maxID) {
			c.Error(rerr.StreamSetIDTooSmall)
			return
		}
		if entriesAdded != -1 && s.Len() > uint64(entriesAdded) {
			c.Error(rerr.StreamSetIDAdded)
			return
		}
	}
	s.LastID = id
	if entriesAdded != -1 {
		s.EntriesAdded = uint64(entriesAdded)
	}
	if !maxDel.IsZero() {
		s.MaxDeletedID = maxDel
	}
	c.Simple("OK")
	c.Core.Dirty++
	c.Notify(NotifyStream, "xsetid", argv[1])
}

func xackCommand(c *Client) {
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeStream)
	if !ok {
		return
	}
	var g *types.StreamGroup
	if e != nil {
		g = streamOf(e).Group(c.Argv[2])
	}
	if g == nil {
		c.Int(0)
		return
	}
	ids := make([]types.StreamID, 0, len(c.Argv)-3)
	for _, arg := range c.Argv[3:] {
		id, ok := c.streamParseID(arg, 0, true)
		if !ok {
			return
		}
		ids = append(ids, id)
	}
	acked := 0
	for _, id := range ids {
		if g.Ack(id) {
			acked++
			c.Core.Dirty++
		}
	}
	c.Int(int64(acked))
}

// streamGroupOrError returns the stream at argv[1] and its group argv[2],
// writing NOGROUP (or WRONGTYPE) when either is missing.
func (c *Client) streamGroupOrError() (*types.Stream, *types.StreamGroup, bool) {
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeStream)
	if !ok {
		return nil, nil, false
	}
	if e != nil {
		s := streamOf(e)
		if g := s.Group(c.Argv[2]); g != nil {
			return s, g, true
		}
	}
	c.Error(rerr.StreamNoKeyOrGroup(c.Argv[1], c.Argv[2]))
	return nil, nil, false
}

func xpendingCommand(c *Client) {
	argv := c.Argv
	justInfo := len(argv) == 3
	if len(argv) != 3 && (len(argv) < 6 || len(argv) > 9) {
		c.Error(rerr.Syntax)
		return
	}
	var start, end types.StreamID
	var count, minIdle int64
	var consumerName []byte
	if len(argv) >= 6 {
		si := 3
		if equalFold(argv[3], "idle") {
			v, ok := c.streamParseInt(argv[4], nil)
			if !ok {
				return
			}
			minIdle = v
			if len(argv) < 8 {
				c.Error(rerr.Syntax)
				return
			}
			si += 2
		}
		v, ok := c.streamParseInt(argv[si+2], nil)
		if !ok {
			return
		}
		count = max(v, 0)
		if start, ok = c.streamParseInterval(argv[si], 0, true); !ok {
			return
		}
		if end, ok = c.streamParseInterval(argv[si+1], ^uint64(0), false); !ok {
			return
		}
		if si+3 < len(argv) {
			consumerName = argv[si+3]
		}
	}
	_, g, ok := c.streamGroupOrError()
	if !ok {
		return
	}
	if justInfo {
		c.Array(4)
		c.Int(int64(g.PEL.Len()))
		if g.PEL.Len() == 0 {
			c.Null()
			c.Null()
			c.NullArray()
			return
		}
		c.streamReplyID(g.PEL.First().ID)
		c.streamReplyID(g.PEL.Last().ID)
		tok := c.DeferLen()
		n := 0
		for _, cs := range g.Consumers() {
			if cs.PEL.Len() == 0 {
				continue
			}
			c.Array(2)
			c.BulkString(cs.Name)
			c.BulkInt(int64(cs.PEL.Len()))
			n++
		}
		c.SetArrayLen(tok, n)
		return
	}
	pel := &g.PEL
	if consumerName != nil {
		cs := g.Consumer(consumerName)
		if cs == nil {
			c.Array(0)
			return
		}
		pel = &cs.PEL
	}
	now := c.Now()
	tok := c.DeferLen()
	n := 0
	for nack := pel.Seek(start); count > 0 && nack != nil && !end.Less(nack.ID); nack = pel.Next(nack.ID) {
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		n++
		count--
		c.Array(4)
		c.streamReplyID(nack.ID)
		c.BulkString(nack.Consumer.Name)
		c.Int(max(now-nack.DeliveryTime, 0))
		c.Int(nack.DeliveryCount)
	}
	c.SetArrayLen(tok, n)
}

func xclaimCommand(c *Client) {
	argv := c.Argv
	s, g, ok := c.streamGroupOrError()
	if !ok {
		return
	}
	minIdle, ok := c.streamParseInt(argv[4], rerr.StreamClaimMinIdle)
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	j := 5
	ids := make([]types.StreamID, 0, len(argv)-5)
	for ; j < len(argv); j++ {
		id, _, ok := types.ParseStreamID(argv[j], 0, true, false)
		if !ok {
			break
		}
		ids = append(ids, id)
	}
	lastIDArg := j - 1
	now := c.Now()
	retryCount := int64(-1)
	deliveryTime := int64(-1)
	force, justID := false, false
	var lastID types.StreamID
	for ; j < len(argv); j++ {
		more := len(argv) - 1 - j
		opt := argv[j]
		switch {
		case equalFold(opt, "force"):
			force = true
		case equalFold(opt, "justid"):
			justID = true
		case equalFold(opt, "idle") && more > 0:
			j++
			v, ok := c.streamParseInt(argv[j], rerr.StreamClaimIdle)
			if !ok {
				return
			}
			deliveryTime = now - v
		case equalFold(opt, "time") && more > 0:
			j++
			v, ok := c.streamParseInt(argv[j], rerr.StreamClaimTime)
			if !ok {
				return
			}
			deliveryTime = v
		case equalFold(opt, "retrycount") && more > 0:
			j++
			v, ok := c.streamParseInt(argv[j], rerr.StreamClaimRetry)
			if !ok {
				return
			}
			retryCount = v
		case equalFold(opt, "lastid") && more > 0:
			j++
			if lastID, ok = c.streamParseID(argv[j], 0, true); !ok {
				return
			}
		default:
			c.Error(rerr.StreamClaimUnknownOption(opt))
			return
		}
	}
	c.PreventPropagation()
	propagateLast := false
	if g.LastID.Less(lastID) {
		g.LastID = lastID
		propagateLast = true
	}
	if deliveryTime == -1 || deliveryTime < 0 || deliveryTime > now {
		deliveryTime = now
	}
	key, group := argv[1], argv[2]
	var consumer *types.StreamConsumer
	tok := c.DeferLen()
	n := 0
	for k := 5; k <= lastIDArg; k++ {
		id := ids[k-5]
		nack := g.PEL.Get(id)
		if !s.EntryExists(id) {
			if nack != nil {
				c.streamPropagateClaim(key, group, argv[k], g, nack)
				propagateLast = false
				c.Core.Dirty++
				g.Ack(id)
			}
			continue
		}
		if force && nack == nil {
			nack = &types.StreamNACK{ID: id}
			g.PEL.Insert(nack)
		}
		if nack == nil {
			continue
		}
		if nack.Consumer != nil && minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if consumer == nil {
			consumer, _ = c.streamConsumer(g, key, argv[3])
		}
		g.Assign(nack, consumer)
		nack.DeliveryTime = deliveryTime
		if retryCount >= 0 {
			nack.DeliveryCount = retryCount
		} else if !justID {
			nack.DeliveryCount++
		}
		if justID {
			c.streamReplyID(id)
		} else {
			c.streamReplyOne(s, id)
		}
		n++
		c.streamPropagateClaim(key, group, argv[k], g, nack)
		propagateLast = false
		c.Core.Dirty++
	}
	if propagateLast {
		c.streamPropagateGroupID(key, group, g)
		c.Core.Dirty++
	}
	c.SetArrayLen(tok, n)
}

// streamAutoclaimMaxCount is LONG_MAX / max(sizeof(streamID), attempts
// factor): XAUTOCLAIM's largest COUNT.
const streamAutoclaimMaxCount = (1<<63 - 1) / 16

// streamAutoclaimAllocCap stands for the allocation failure Redis reports
// when the COUNT*16 bytes it reserves for deleted IDs cannot be had: a
// COUNT needing more than 64 GiB is refused.
const streamAutoclaimAllocCap = (64 << 30) / 16

func xautoclaimCommand(c *Client) {
	argv := c.Argv
	minIdle, ok := c.streamParseInt(argv[4], rerr.StreamAutoclaimMinIdle)
	if !ok {
		return
	}
	minIdle = max(minIdle, 0)
	start, ok := c.streamParseInterval(argv[5], 0, true)
	if !ok {
		return
	}
	count := int64(100)
	justID := false
	for j := 6; j < len(argv); j++ {
		more := len(argv) - 1 - j
		switch {
		case equalFold(argv[j], "count") && more > 0:
			v, ok := types.ParseInt(argv[j+1])
			if !ok || v < 1 || v > streamAutoclaimMaxCount {
				c.Error(rerr.StreamAutoclaimCount)
				return
			}
			count = v
			j++
		case equalFold(argv[j], "justid"):
			justID = true
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	s, g, ok := c.streamGroupOrError()
	if !ok {
		return
	}
	if count > streamAutoclaimAllocCap {
		c.Error(rerr.StreamAutoclaimOOM)
		return
	}
	c.PreventPropagation()
	key, group := argv[1], argv[2]
	attempts := count * 10
	now := c.Now()
	var consumer *types.StreamConsumer
	var claimed, deleted []types.StreamID
	cursor, more := start, true
	for more && attempts > 0 && count > 0 {
		attempts--
		nack := g.PEL.Seek(cursor)
		if nack == nil {
			more = false
			break
		}
		id := nack.ID
		cursor, more = id.Incr()
		if !s.EntryExists(id) {
			c.streamPropagateClaim(key, group, streamIDArg(id), g, nack)
			c.Core.Dirty++
			g.Ack(id)
			deleted = append(deleted, id)
			count--
			continue
		}
		if minIdle != 0 && now-nack.DeliveryTime < minIdle {
			continue
		}
		if consumer == nil {
			consumer, _ = c.streamConsumer(g, key, argv[3])
		}
		g.Assign(nack, consumer)
		nack.DeliveryTime = now
		if !justID {
			nack.DeliveryCount++
		}
		claimed = append(claimed, id)
		count--
		c.streamPropagateClaim(key, group, streamIDArg(id), g, nack)
		c.Core.Dirty++
	}
	var next types.StreamID
	if more {
		if nack := g.PEL.Seek(cursor); nack != nil {
			next = nack.ID
		}
	}
	c.Array(3)
	c.streamReplyID(next)
	c.Array(len(claimed))
	for _, id := range claimed {
		if justID {
			c.streamReplyID(id)
		} else {
			c.streamReplyOne(s, id)
		}
	}
	c.Array(len(deleted))
	for _, id := range deleted {
		c.streamReplyID(id)
	}
}
