package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// XINFO STREAM / GROUPS / CONSUMERS / HELP, as xinfoCommand.

var streamXInfoHelp = []string{
	"XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"CONSUMERS <key> <groupname>",
	"    Show consumers of <groupname>.",
	"GROUPS <key>",
	"    Show the stream consumer groups.",
	"STREAM <key> [FULL [COUNT <count>]",
	"    Show information about the stream.",
	"HELP",
	"    Prints this help.",
}

func xinfoCommand(c *Client) {
	argv := c.Argv
	opt := argv[1]
	if equalFold(opt, "help") {
		if len(argv) != 2 {
			c.Error(rerr.StreamSubcommandSyntax(opt, "xinfo"))
			return
		}
		c.streamHelp(streamXInfoHelp)
		return
	}
	if len(argv) < 3 {
		c.Error(rerr.StreamSubcommandSyntax(opt, "xinfo"))
		return
	}
	key := argv[2]
	e, ok := c.LookupType(key, keyspace.TypeStream)
	if !ok {
		return
	}
	if e == nil {
		c.Error(rerr.NoSuchKey)
		return
	}
	s := streamOf(e)
	switch {
	case equalFold(opt, "consumers") && len(argv) == 4:
		g := s.Group(argv[3])
		if g == nil {
			c.Error(rerr.StreamNoGroupForKey(argv[3], key))
			return
		}
		now := c.Now()
		c.Array(len(g.Consumers()))
		for _, cs := range g.Consumers() {
			c.Map(3)
			c.BulkString("name")
			c.BulkString(cs.Name)
			c.BulkString("pending")
			c.Int(int64(cs.PEL.Len()))
			c.BulkString("idle")
			c.Int(max(now-cs.SeenTime, 0))
		}
	case equalFold(opt, "groups") && len(argv) == 3:
		c.Array(len(s.Groups()))
		for _, g := range s.Groups() {
			c.Map(6)
			c.BulkString("name")
			c.BulkString(g.Name)
			c.BulkString("consumers")
			c.Int(int64(len(g.Consumers())))
			c.BulkString("pending")
			c.Int(int64(g.PEL.Len()))
			c.BulkString("last-delivered-id")
			c.streamReplyID(g.LastID)
			c.streamReplyEntriesRead(g)
			c.streamReplyLag(s, g)
		}
	case equalFold(opt, "stream"):
		c.streamInfoStream(s)
	default:
		c.Error(rerr.StreamSubcommandSyntax(opt, "xinfo"))
	}
}

func (c *Client) streamReplyEntriesRead(g *types.StreamGroup) {
	c.BulkString("entries-read")
	if g.EntriesRead != types.InvalidEntriesRead {
		c.Int(g.EntriesRead)
	} else {
		c.Null()
	}
}

func (c *Client) streamReplyLag(s *types.Stream, g *types.StreamGroup) {
	c.BulkString("lag")
	if lag, ok := s.Lag(g); ok {
		c.Int(lag)
	} else {
		c.Null()
	}
}

// streamInfoStream is xinfoReplyWithStreamInfo.
func (c *Client) streamInfoStream(s *types.Stream) {
	opts := c.Argv[3:]
	full := len(opts) > 0
	count := int64(10)
	if full {
		if len(opts) != 1 && len(opts) != 3 || !equalFold(opts[0], "full") ||
			len(opts) == 3 && !equalFold(opts[1], "count") {
			c.Error(rerr.StreamSubcommandSyntax(c.Argv[1], "xinfo"))
			return
		}
		if len(opts) == 3 {
			v, ok := c.streamParseInt(opts[2], nil)
			if !ok {
				return
			}
			count = v
			if count < 0 {
				count = 10
			}
		}
	}
	if full {
		c.Map(9)
	} else {
		c.Map(10)
	}
	c.BulkString("length")
	c.Int(int64(s.Len()))
	c.BulkString("radix-tree-keys")
	c.Int(int64(s.NodeCount()))
	c.BulkString("radix-tree-nodes")
	c.Int(int64(s.RaxNodes()))
	c.BulkString("last-generated-id")
	c.streamReplyID(s.LastID)
	c.BulkString("max-deleted-entry-id")
	c.streamReplyID(s.MaxDeletedID)
	c.BulkString("entries-added")
	c.Int(int64(s.EntriesAdded))
	c.BulkString("recorded-first-entry-id")
	c.streamReplyID(s.FirstID)
	if !full {
		c.BulkString("groups")
		c.Int(int64(len(s.Groups())))
		c.BulkString("first-entry")
		if !c.streamReplyEdge(s, false) {
			c.Null()
		}
		c.BulkString("last-entry")
		if !c.streamReplyEdge(s, true) {
			c.Null()
		}
		return
	}
	c.BulkString("entries")
	c.streamReplyRange(s, types.StreamID{}, types.MaxStreamID, count, false)
	c.BulkString("groups")
	c.Array(len(s.Groups()))
	for _, g := range s.Groups() {
		c.Map(7)
		c.BulkString("name")
		c.BulkString(g.Name)
		c.BulkString("last-delivered-id")
		c.streamReplyID(g.LastID)
		c.streamReplyEntriesRead(g)
		c.streamReplyLag(s, g)
		c.BulkString("pel-count")
		c.Int(int64(g.PEL.Len()))
		c.BulkString("pending")
		tok := c.DeferLen()
		n := int64(0)
		for nack := g.PEL.First(); nack != nil && (count == 0 || n < count); nack = g.PEL.Next(nack.ID) {
			c.Array(4)
			c.streamReplyID(nack.ID)
			c.BulkString(nack.Consumer.Name)
			c.Int(nack.DeliveryTime)
			c.Int(nack.DeliveryCount)
			n++
		}
		c.SetArrayLen(tok, int(n))
		c.BulkString("consumers")
		c.Array(len(g.Consumers()))
		for _, cs := range g.Consumers() {
			c.Map(4)
			c.BulkString("name")
			c.BulkString(cs.Name)
			c.BulkString("seen-time")
			c.Int(cs.SeenTime)
			c.BulkString("pel-count")
			c.Int(int64(cs.PEL.Len()))
			c.BulkString("pending")
			tok := c.DeferLen()
			n := int64(0)
			for nack := cs.PEL.First(); nack != nil && (count == 0 || n < count); nack = cs.PEL.Next(nack.ID) {
				c.Array(3)
				c.streamReplyID(nack.ID)
				c.Int(nack.DeliveryTime)
				c.Int(nack.DeliveryCount)
				n++
			}
			c.SetArrayLen(tok, int(n))
		}
	}
}

// streamReplyEdge writes the first (or last) live entry, reporting false
// when the stream is empty.
func (c *Client) streamReplyEdge(s *types.Stream, last bool) bool {
	it := s.Iter(types.StreamID{}, types.MaxStreamID, last)
	id, nf, ok := it.Next()
	if ok {
		c.streamReplyEntry(&it, id, nf)
	}
	return ok
}
