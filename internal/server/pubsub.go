package server

import (
	"sort"
	"strings"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/glob"
	"shoal/internal/rerr"
)

// pubsubServer holds the channel and pattern subscription tables. Lists
// keep subscription order so delivery order is deterministic.
type pubsubServer struct {
	channels map[string][]*conn
	patterns map[string][]*conn
	// patternOrder lists patterns in the order they were first subscribed.
	patternOrder []string
	shard        map[string][]*conn
	// keyspace notification classes enabled (notify-keyspace-events).
	notifyFlags int
}

// pubsubState is one client's subscriptions, in subscription order.
type pubsubState struct {
	channels []string
	patterns []string
	shard    []string
}

func (p *pubsubServer) init() {
	p.channels = make(map[string][]*conn)
	p.patterns = make(map[string][]*conn)
	p.shard = make(map[string][]*conn)
}

func init() {
	handle("subscribe", subscribeCommand)
	handle("unsubscribe", unsubscribeCommand)
	handle("psubscribe", psubscribeCommand)
	handle("punsubscribe", punsubscribeCommand)
	handle("ssubscribe", ssubscribeCommand)
	handle("sunsubscribe", sunsubscribeCommand)
	handle("publish", publishCommand)
	handle("spublish", spublishCommand)
	handle("pubsub|channels", pubsubChannelsCommand)
	handle("pubsub|numsub", pubsubNumsubCommand)
	handle("pubsub|numpat", pubsubNumpatCommand)
	handle("pubsub|shardchannels", pubsubShardChannelsCommand)
	handle("pubsub|shardnumsub", pubsubShardNumsubCommand)
	handle("pubsub|help", pubsubHelpCommand)
}

func (c *conn) subscriptions() int { return len(c.pubsub.channels) + len(c.pubsub.patterns) }

func (c *conn) updatePubSubFlag() {
	if c.subscriptions()+len(c.pubsub.shard) > 0 {
		c.Flags |= command.ClientPubSub
	} else {
		c.Flags &^= command.ClientPubSub
	}
}

// pubsubReply writes a subscribe-family confirmation: a push in RESP3.
// It survives CLIENT REPLY OFF|SKIP, as in Redis.
func (c *conn) pubsubReply(kind string, name []byte, count int) {
	start := len(c.B)
	c.Push(3)
	c.BulkString(kind)
	if name == nil {
		c.Null()
	} else {
		c.Bulk(name)
	}
	c.Int(int64(count))
	c.markPush(start)
}

func indexOf(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

func removeConn(list []*conn, c *conn) []*conn {
	for i, x := range list {
		if x == c {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func subscribeCommand(s *Server, c *conn) {
	for _, ch := range c.Argv[1:] {
		name := string(ch)
		if indexOf(c.pubsub.channels, name) < 0 {
			c.pubsub.channels = append(c.pubsub.channels, name)
			s.pubsub.channels[name] = append(s.pubsub.channels[name], c)
		}
		c.updatePubSubFlag()
		c.pubsubReply("subscribe", ch, c.subscriptions())
	}
}

func (s *Server) unsubscribeChannel(c *conn, name string, notify bool) {
	if i := indexOf(c.pubsub.channels, name); i >= 0 {
		c.pubsub.channels = append(c.pubsub.channels[:i], c.pubsub.channels[i+1:]...)
		if l := removeConn(s.pubsub.channels[name], c); len(l) == 0 {
			delete(s.pubsub.channels, name)
		} else {
			s.pubsub.channels[name] = l
		}
	}
	c.updatePubSubFlag()
	if notify {
		c.pubsubReply("unsubscribe", []byte(name), c.subscriptions())
	}
}

func unsubscribeCommand(s *Server, c *conn) {
	if len(c.Argv) == 1 {
		if len(c.pubsub.channels) == 0 {
			c.pubsubReply("unsubscribe", nil, c.subscriptions())
			return
		}
		for _, name := range append([]string(nil), c.pubsub.channels...) {
			s.unsubscribeChannel(c, name, true)
		}
		return
	}
	for _, ch := range c.Argv[1:] {
		s.unsubscribeChannel(c, string(ch), true)
	}
}

func psubscribeCommand(s *Server, c *conn) {
	for _, p := range c.Argv[1:] {
		name := string(p)
		if indexOf(c.pubsub.patterns, name) < 0 {
			c.pubsub.patterns = append(c.pubsub.patterns, name)
			if len(s.pubsub.patterns[name]) == 0 {
				s.pubsub.patternOrder = append(s.pubsub.patternOrder, name)
			}
			s.pubsub.patterns[name] = append(s.pubsub.patterns[name], c)
		}
		c.updatePubSubFlag()
		c.pubsubReply("psubscribe", p, c.subscriptions())
	}
}

func (s *Server) unsubscribePattern(c *conn, name string, notify bool) {
	if i := indexOf(c.pubsub.patterns, name); i >= 0 {
		c.pubsub.patterns = append(c.pubsub.patterns[:i], c.pubsub.patterns[i+1:]...)
		if l := removeConn(s.pubsub.patterns[name], c); len(l) == 0 {
			delete(s.pubsub.patterns, name)
			if j := indexOf(s.pubsub.patternOrder, name); j >= 0 {
				s.pubsub.patternOrder = append(s.pubsub.patternOrder[:j], s.pubsub.patternOrder[j+1:]...)
			}
		} else {
			s.pubsub.patterns[name] = l
		}
	}
	c.updatePubSubFlag()
	if notify {
		c.pubsubReply("punsubscribe", []byte(name), c.subscriptions())
	}
}

func punsubscribeCommand(s *Server, c *conn) {
	if len(c.Argv) == 1 {
		if len(c.pubsub.patterns) == 0 {
			c.pubsubReply("punsubscribe", nil, c.subscriptions())
			return
		}
		for _, name := range append([]string(nil), c.pubsub.patterns...) {
			s.unsubscribePattern(c, name, true)
		}
		return
	}
	for _, p := range c.Argv[1:] {
		s.unsubscribePattern(c, string(p), true)
	}
}

func ssubscribeCommand(s *Server, c *conn) {
	if !s.checkShardChannels(c) {
		return
	}
	for _, ch := range c.Argv[1:] {
		name := string(ch)
		if indexOf(c.pubsub.shard, name) < 0 {
			c.pubsub.shard = append(c.pubsub.shard, name)
			s.pubsub.shard[name] = append(s.pubsub.shard[name], c)
		}
		c.updatePubSubFlag()
		c.pubsubReply("ssubscribe", ch, len(c.pubsub.shard))
	}
}

// checkShardChannels is where cluster mode checks that every shard channel
// hashes to one slot served here; standalone servers accept all.
func (s *Server) checkShardChannels(c *conn) bool { return true }

func (s *Server) unsubscribeShard(c *conn, name string, notify bool) {
	if i := indexOf(c.pubsub.shard, name); i >= 0 {
		c.pubsub.shard = append(c.pubsub.shard[:i], c.pubsub.shard[i+1:]...)
		if l := removeConn(s.pubsub.shard[name], c); len(l) == 0 {
			delete(s.pubsub.shard, name)
		} else {
			s.pubsub.shard[name] = l
		}
	}
	c.updatePubSubFlag()
	if notify {
		c.pubsubReply("sunsubscribe", []byte(name), len(c.pubsub.shard))
	}
}

func sunsubscribeCommand(s *Server, c *conn) {
	if len(c.Argv) == 1 {
		if len(c.pubsub.shard) == 0 {
			c.pubsubReply("sunsubscribe", nil, 0)
			return
		}
		for _, name := range append([]string(nil), c.pubsub.shard...) {
			s.unsubscribeShard(c, name, true)
		}
		return
	}
	for _, ch := range c.Argv[1:] {
		s.unsubscribeShard(c, string(ch), true)
	}
}

// pubsubUnsubscribeAll drops every subscription of a client being freed.
func (s *Server) pubsubUnsubscribeAll(c *conn) {
	for _, name := range append([]string(nil), c.pubsub.channels...) {
		s.unsubscribeChannel(c, name, false)
	}
	for _, name := range append([]string(nil), c.pubsub.patterns...) {
		s.unsubscribePattern(c, name, false)
	}
	for _, name := range append([]string(nil), c.pubsub.shard...) {
		s.unsubscribeShard(c, name, false)
	}
}

// publish delivers message to channel subscribers and matching patterns
// and returns the number of receivers. Clients being closed (killed, or
// over their output buffer limit) receive and count nothing, so their
// buffers stop growing before their loop frees them.
func (s *Server) publish(channel, message []byte) int {
	n := 0
	for _, c := range s.pubsub.channels[string(channel)] {
		if c.Flags&command.ClientCloseASAP != 0 {
			continue
		}
		start := len(c.B)
		c.Push(3)
		c.BulkString("message")
		c.Bulk(channel)
		c.Bulk(message)
		c.markPush(start)
		s.afterPush(c)
		n++
	}
	for _, p := range s.pubsub.patternOrder {
		if !glob.Match([]byte(p), channel, false) {
			continue
		}
		for _, c := range s.pubsub.patterns[p] {
			if c.Flags&command.ClientCloseASAP != 0 {
				continue
			}
			start := len(c.B)
			c.Push(4)
			c.BulkString("pmessage")
			c.BulkString(p)
			c.Bulk(channel)
			c.Bulk(message)
			c.markPush(start)
			s.afterPush(c)
			n++
		}
	}
	s.stats.pubsubMsgs++
	return n
}

func (s *Server) publishShard(channel, message []byte) int {
	n := 0
	for _, c := range s.pubsub.shard[string(channel)] {
		if c.Flags&command.ClientCloseASAP != 0 {
			continue
		}
		start := len(c.B)
		c.Push(3)
		c.BulkString("smessage")
		c.Bulk(channel)
		c.Bulk(message)
		c.markPush(start)
		s.afterPush(c)
		n++
	}
	return n
}

// afterPush schedules the write and enforces the pubsub output buffer
// limit (client-output-buffer-limit pubsub): a subscriber that does not
// read is disconnected instead of growing memory without bound.
func (s *Server) afterPush(c *conn) {
	c.queueWrite()
	s.checkOutputLimit(c)
}

func publishCommand(s *Server, c *conn) {
	n := s.publish(c.Argv[1], c.Argv[2])
	if s.cfg.ClusterEnabled {
		s.clusterPropagatePublish(c.Argv[1], c.Argv[2])
	} else {
		// Replicas' subscribers get it too (forceCommandPropagation).
		s.alsoPropagateRepl(c.DB.ID, c.Argv)
	}
	c.Int(int64(n))
}

// clusterPropagatePublish forwards PUBLISH to every node over the bus in
// cluster mode; standalone servers have nobody to tell.
func (s *Server) clusterPropagatePublish(channel, message []byte) {
	if s.cl != nil {
		s.cl.st.Publish(channel, message, false)
		s.clusterApply()
	}
}

func spublishCommand(s *Server, c *conn) {
	n := s.publishShard(c.Argv[1], c.Argv[2])
	if s.cl != nil {
		// SPUBLISH reaches the rest of the shard (my master and replicas).
		s.cl.st.Publish(c.Argv[1], c.Argv[2], true)
		s.clusterApply()
	}
	c.Int(int64(n))
}

func channelList(m map[string][]*conn, pattern []byte) []string {
	var out []string
	for name := range m {
		if pattern == nil || glob.Match(pattern, []byte(name), false) {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

func pubsubChannelsCommand(s *Server, c *conn) {
	if len(c.Argv) > 3 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	var pat []byte
	if len(c.Argv) > 2 {
		pat = c.Argv[2]
	}
	list := channelList(s.pubsub.channels, pat)
	c.Array(len(list))
	for _, name := range list {
		c.BulkString(name)
	}
}

func pubsubShardChannelsCommand(s *Server, c *conn) {
	if len(c.Argv) > 3 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	var pat []byte
	if len(c.Argv) > 2 {
		pat = c.Argv[2]
	}
	list := channelList(s.pubsub.shard, pat)
	c.Array(len(list))
	for _, name := range list {
		c.BulkString(name)
	}
}

func pubsubNumsubCommand(s *Server, c *conn) {
	c.Map(len(c.Argv) - 2)
	for _, ch := range c.Argv[2:] {
		c.Bulk(ch)
		c.Int(int64(len(s.pubsub.channels[string(ch)])))
	}
}

func pubsubShardNumsubCommand(s *Server, c *conn) {
	c.Map(len(c.Argv) - 2)
	for _, ch := range c.Argv[2:] {
		c.Bulk(ch)
		c.Int(int64(len(s.pubsub.shard[string(ch)])))
	}
}

func pubsubNumpatCommand(s *Server, c *conn) { c.Int(int64(len(s.pubsub.patterns))) }

func pubsubHelpCommand(s *Server, c *conn) {
	replyHelp(c, "PUBSUB", []string{
		"CHANNELS [<pattern>]",
		"    Return the currently active channels matching a <pattern> (default: '*').",
		"NUMPAT",
		"    Return number of subscriptions to patterns.",
		"NUMSUB [<channel> ...]",
		"    Return the number of subscribers for the specified channels, excluding",
		"    pattern subscriptions(default: no channels).",
		"SHARDCHANNELS [<pattern>]",
		"    Return the currently active shard level channels matching a <pattern> (default: '*').",
		"SHARDNUMSUB [<shardchannel> ...]",
		"    Return the number of subscribers for the specified shard level channel(s)",
	})
}

// subcommandSyntaxError is Redis's addReplySubcommandSyntaxError: the
// subcommand exists but its arguments do not fit.
func subcommandSyntaxError(c *conn) []byte {
	sub := c.Argv[1]
	if len(sub) > 128 {
		sub = sub[:128]
	}
	parent := c.Cmd.Name
	if i := strings.IndexByte(parent, '|'); i >= 0 {
		parent = parent[:i]
	}
	return rerr.Line("ERR unknown subcommand or wrong number of arguments for '" + string(sub) + "'. Try " + strings.ToUpper(parent) + " HELP.")
}

// replyHelp writes a HELP reply as Redis's addReplyHelp: a header line,
// the given lines, and the trailing HELP line, as status strings.
func replyHelp(c *conn, name string, lines []string) {
	c.Array(len(lines) + 3)
	c.Simple(name + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:")
	for _, l := range lines {
		c.Simple(l)
	}
	c.Simple("HELP")
	c.Simple("    Prints this help.")
}

// notifyKeyspaceEvent publishes __keyspace@db__:key and __keyevent@db__:event
// messages when the class is enabled (notify.c).
func (s *Server) notifyKeyspaceEvent(class int, event string, key []byte, dbid int) {
	flags := s.pubsub.notifyFlags
	if flags&class == 0 {
		return
	}
	var buf [64]byte
	if flags&command.NotifyKeyspace != 0 {
		ch := append(buf[:0], "__keyspace@"...)
		ch = appendInt(ch, dbid)
		ch = append(ch, "__:"...)
		ch = append(ch, key...)
		s.publish(ch, []byte(event))
	}
	if flags&command.NotifyKeyevent != 0 {
		ch := append(buf[:0], "__keyevent@"...)
		ch = appendInt(ch, dbid)
		ch = append(ch, "__:"...)
		ch = append(ch, event...)
		s.publish(ch, key)
	}
}

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// checkOutputLimit closes a client whose pending output passed its class's
// client-output-buffer-limit: the hard limit at once, the soft limit when
// exceeded for longer than its seconds.
func (s *Server) checkOutputLimit(c *conn) {
	class := config.ClientNormal
	switch {
	case c.Flags&command.ClientReplica != 0:
		class = config.ClientReplica
	case c.Flags&command.ClientPubSub != 0:
		class = config.ClientPubSub
	}
	lim := s.cfg.ClientOutputBufferLimit[class]
	used := int64(len(c.B)) + c.obufPending.Load()
	hardLimit := lim.Hard
	if c.repl != nil {
		// A replica's output is its share of the replication buffer (its
		// RDB goes out under flow control, as Redis sends it beside the
		// output buffer); a hard limit below repl-backlog-size would
		// drop a replica right after a partial resync the backlog
		// allowed, so that size is the least it can be
		// (checkClientOutputBufferLimits).
		used = s.replicaStreamMemory(c)
		if hardLimit > 0 && hardLimit < s.cfg.ReplBacklogSize {
			hardLimit = s.cfg.ReplBacklogSize
		}
	}
	now := s.cron.nowMs
	hard := hardLimit > 0 && used >= hardLimit
	soft := false
	if lim.Soft > 0 && used >= lim.Soft {
		if c.obufSoftSince == 0 {
			c.obufSoftSince = now
		} else if now-c.obufSoftSince >= lim.SoftSeconds*1000 {
			soft = true
		}
	} else {
		c.obufSoftSince = 0
	}
	if (hard || soft) && c.Flags&command.ClientCloseASAP == 0 {
		s.logf(logWarning, "Client id=%d addr=%s scheduled to be closed ASAP for overcoming of output buffer limits.", c.ID, c.addr)
		c.B = c.B[:0]
		s.killClient(c)
	}
}
