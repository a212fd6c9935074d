package command

import (
	"strconv"

	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// XREAD and XREADGROUP (xreadCommand), with their blocking forms. A
// blocked read is re-executed by the server when a key it waits on is
// signalled: before blocking, "$" arguments are replaced by the IDs they
// stood for, so the retry waits for the same point of each stream, and a
// retry serves only the first stream that got past it (as Redis serves the
// one signalled key), with COUNT 1000 when none was given.

func xreadCommand(c *Client)      { c.streamRead(false) }
func xreadgroupCommand(c *Client) { c.streamRead(true) }

// streamReadArgs are the parsed options of XREAD/XREADGROUP.
type streamReadArgs struct {
	group, consumer []byte
	count           int64
	block           bool
	deadline        int64
	noack           bool
	streamsArg      int
	n               int
}

func (c *Client) streamParseRead(a *streamReadArgs, xreadgroup bool) bool {
	argv := c.Argv
	for i := 1; i < len(argv); i++ {
		more := len(argv) - i - 1
		o := argv[i]
		switch {
		case equalFold(o, "block") && more > 0:
			if c.Flags&ClientInScript != 0 {
				c.Error(rerr.StreamBlockInScript(argv[0]))
				return false
			}
			i++
			ms, ok := c.streamParseInt(argv[i], rerr.StreamTimeoutNotInt)
			if !ok {
				return false
			}
			if ms < 0 {
				c.Error(rerr.StreamTimeoutNegative)
				return false
			}
			a.block = true
			if ms > 0 {
				a.deadline = c.Now() + ms
			}
		case equalFold(o, "count") && more > 0:
			i++
			v, ok := c.streamParseInt(argv[i], nil)
			if !ok {
				return false
			}
			a.count = max(v, 0)
		case equalFold(o, "streams") && more > 0:
			a.streamsArg = i + 1
			n := len(argv) - a.streamsArg
			if n%2 != 0 {
				c.Error(rerr.StreamUnbalanced)
				return false
			}
			a.n = n / 2
			i = len(argv)
		case equalFold(o, "group") && more >= 2:
			if !xreadgroup {
				c.Error(rerr.StreamGroupOnlyGroup)
				return false
			}
			a.group, a.consumer = argv[i+1], argv[i+2]
			i += 2
		case equalFold(o, "noack"):
			if !xreadgroup {
				c.Error(rerr.StreamNoAckOnlyGroup)
				return false
			}
			a.noack = true
		default:
			c.Error(rerr.Syntax)
			return false
		}
	}
	if a.streamsArg == 0 {
		c.Error(rerr.Syntax)
		return false
	}
	if xreadgroup && a.group == nil {
		c.Error(rerr.StreamMissingGroup)
		return false
	}
	return true
}

func (c *Client) streamRead(xreadgroup bool) {
	// The read is propagated through the effects it has (XCLAIM ...), never
	// as itself.
	c.PreventPropagation()
	var a streamReadArgs
	if !c.streamParseRead(&a, xreadgroup) {
		return
	}
	retry := c.Blocking.Retrying
	keys := c.Argv[a.streamsArg : a.streamsArg+a.n]
	idArgs := c.Argv[a.streamsArg+a.n:]
	var idBuf [8]types.StreamID
	ids := idBuf[:0]
	for i, key := range keys {
		var e *keyspace.Entry
		if retry {
			// A key deleted or overwritten with another type while the
			// client waited: XREADGROUP is unblocked with an error, XREAD
			// keeps waiting for the key to come back as a stream.
			if e = c.Lookup(key); e != nil && e.Type != keyspace.TypeStream {
				e = nil
			}
			if e == nil && a.group != nil {
				c.Error(rerr.StreamKeyGone)
				return
			}
		} else {
			var ok bool
			if e, ok = c.LookupType(key, keyspace.TypeStream); !ok {
				return
			}
		}
		if a.group != nil {
			if e == nil || streamOf(e).Group(a.group) == nil {
				if retry {
					c.Error(rerr.StreamBlockedGroupGone)
				} else {
					c.Error(rerr.StreamNoGroupRead(key, a.group))
				}
				return
			}
		}
		arg := idArgs[i]
		var id types.StreamID
		switch {
		case len(arg) == 1 && arg[0] == '$':
			if xreadgroup {
				c.Error(rerr.StreamDollarInGroup)
				return
			}
			if e != nil {
				id = streamOf(e).LastID
			}
		case len(arg) == 1 && arg[0] == '>':
			if !xreadgroup {
				c.Error(rerr.StreamGreaterNoGroup)
				return
			}
			id = types.MaxStreamID
		default:
			var ok bool
			if id, ok = c.streamParseID(arg, 0, true); !ok {
				return
			}
		}
		ids = append(ids, id)
	}

	count := a.count
	if retry && count == 0 {
		count = streamXReadBlockedCount
	}
	served := 0
	tok := 0
	for i, key := range keys {
		e := c.Lookup(key)
		if e == nil || e.Type != keyspace.TypeStream {
			continue
		}
		s := streamOf(e)
		gt := ids[i]
		var g *types.StreamGroup
		serve, history := false, false
		if a.group != nil {
			g = s.Group(a.group)
			switch {
			case gt != types.MaxStreamID:
				serve, history = true, true
			case retry:
				// As serveClientsBlockedOnStreamKey: anything past the
				// group's last delivered ID.
				gt = g.LastID
				serve = g.LastID.Less(s.LastID)
			case s.Len() > 0:
				if maxID, _ := s.LastValidID(); g.LastID.Less(maxID) {
					serve = true
					gt = g.LastID
				}
			}
		} else if retry {
			serve = gt.Less(s.LastID)
		} else if s.Len() > 0 {
			maxID, _ := s.LastValidID()
			serve = gt.Less(maxID)
		}
		if !serve {
			continue
		}
		served++
		if served == 1 {
			tok = c.DeferLen()
		}
		start, ok := gt.Incr()
		if !ok {
			start = types.StreamID{}
		}
		if c.Proto != 3 {
			c.Array(2)
		}
		c.Bulk(key)
		var consumer *types.StreamConsumer
		if g != nil {
			var created bool
			consumer, created = c.streamConsumer(g, key, a.consumer)
			if created && a.noack {
				c.AlsoPropagate(streamArgXGROUP, streamArgCREATECONSUMER, key, a.group, a.consumer)
			}
		}
		if history {
			c.streamServeHistory(s, start, count, consumer)
		} else {
			c.streamServe(s, start, count, g, consumer, a.noack, key, a.group)
		}
		if g != nil {
			c.Core.Dirty++
		}
		if retry {
			break
		}
	}
	if served > 0 {
		if c.Proto == 3 {
			c.SetMapLen(tok, served)
		} else {
			c.SetArrayLen(tok, served)
		}
		return
	}
	if !a.block {
		c.NullArray()
		return
	}
	if !c.CanBlock() {
		c.NullArray()
		return
	}
	// Pin "$" to the ID it meant now, so the retry waits for the same
	// point of the stream.
	for i, arg := range idArgs {
		if len(arg) == 1 && arg[0] == '$' {
			idArgs[i] = streamIDArg(ids[i])
		}
	}
	c.Block(keys, a.deadline, keyspace.TypeStream)
}

// streamConsumer looks up (refreshing its seen time) or creates a consumer
// of g, as streamLookupConsumer + streamCreateConsumer; created reports
// the latter.
func (c *Client) streamConsumer(g *types.StreamGroup, key, name []byte) (cs *types.StreamConsumer, created bool) {
	if cs = g.Consumer(name); cs != nil {
		cs.SeenTime = c.Now()
		return cs, false
	}
	cs = g.CreateConsumer(name, c.Now())
	c.Core.Dirty++
	c.Notify(NotifyStream, "xgroup-createconsumer", key)
	return cs, true
}

// streamPropagateClaim propagates the state of nack as an idempotent
// XCLAIM (streamPropagateXCLAIM).
func (c *Client) streamPropagateClaim(key, group, idArg []byte, g *types.StreamGroup, nack *types.StreamNACK) {
	c.AlsoPropagate(streamArgXCLAIM, key, group, []byte(nack.Consumer.Name), streamArgZero, idArg,
		streamArgTIME, strconv.AppendInt(nil, nack.DeliveryTime, 10),
		streamArgRETRYCOUNT, strconv.AppendInt(nil, nack.DeliveryCount, 10),
		streamArgFORCE, streamArgJUSTID, streamArgLASTID, streamIDArg(g.LastID))
}

// streamPropagateGroupID propagates a group's last ID and read counter as
// XGROUP SETID.
func (c *Client) streamPropagateGroupID(key, group []byte, g *types.StreamGroup) {
	c.AlsoPropagate(streamArgXGROUP, streamArgSETID, key, group, streamIDArg(g.LastID),
		streamArgENTRIESREAD, strconv.AppendInt(nil, g.EntriesRead, 10))
}

// streamServe writes the entries from start on (up to count, 0: all) as
// an array, as streamReplyWithRange does with a group: the group's last ID
// and read counter advance, and unless noack each entry enters the PEL of
// consumer (taken from another consumer if it was pending there).
func (c *Client) streamServe(s *types.Stream, start types.StreamID, count int64, g *types.StreamGroup, consumer *types.StreamConsumer, noack bool, key, group []byte) {
	tok := c.DeferLen()
	var n int64
	propagateLast := false
	now := c.Now()
	it := s.Iter(start, types.MaxStreamID, false)
	for {
		id, nf, ok := it.Next()
		if !ok {
			break
		}
		if g != nil && g.LastID.Less(id) {
			if g.EntriesRead != types.InvalidEntriesRead && !s.RangeHasTombstones(&id, nil) {
				g.EntriesRead++
			} else if s.EntriesAdded > 0 {
				g.EntriesRead = s.EstimateDistance(id)
			}
			g.LastID = id
			if noack {
				propagateLast = true
			}
		}
		c.streamReplyEntry(&it, id, nf)
		if g != nil && !noack {
			nack := g.PEL.Get(id)
			if nack == nil {
				nack = &types.StreamNACK{ID: id, Consumer: consumer}
				g.PEL.Insert(nack)
				consumer.PEL.Insert(nack)
			} else {
				g.Assign(nack, consumer)
			}
			nack.DeliveryTime = now
			nack.DeliveryCount = 1
			c.streamPropagateClaim(key, group, streamIDArg(id), g, nack)
		}
		n++
		if count > 0 && n == count {
			break
		}
	}
	if propagateLast {
		c.streamPropagateGroupID(key, group, g)
	}
	c.SetArrayLen(tok, int(n))
}

// streamServeHistory writes the consumer's own pending entries from start
// on (streamReplyWithRangeFromConsumerPEL): an entry deleted since is
// written as [id, nil]; the others count one more delivery.
func (c *Client) streamServeHistory(s *types.Stream, start types.StreamID, count int64, consumer *types.StreamConsumer) {
	tok := c.DeferLen()
	var n int64
	now := c.Now()
	for nack := consumer.PEL.Seek(start); nack != nil && (count == 0 || n < count); nack = consumer.PEL.Next(nack.ID) {
		if c.streamReplyOne(s, nack.ID) {
			nack.DeliveryTime = now
			nack.DeliveryCount++
		} else {
			c.Array(2)
			c.streamReplyID(nack.ID)
			c.NullArray()
		}
		n++
	}
	c.SetArrayLen(tok, int(n))
}
