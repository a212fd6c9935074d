package server

import (
	"strconv"
	"strings"

	"shoal/internal/command"
	"shoal/internal/rerr"
)

func init() {
	handle("ping", pingCommand)
	handle("echo", echoCommand)
	handle("quit", quitCommand)
	handle("reset", resetCommand)
	handle("hello", helloCommand)
	handle("auth", authCommand)
	handle("client|id", func(s *Server, c *conn) { c.Int(c.ID) })
	handle("client|setname", clientSetnameCommand)
	handle("client|getname", clientGetnameCommand)
	handle("client|list", clientListCommand)
	handle("client|info", clientInfoCommand)
	handle("client|kill", clientKillCommand)
	handle("client|pause", clientPauseCommand)
	handle("client|unpause", clientUnpauseCommand)
	handle("client|reply", clientReplyCommand)
	handle("client|no-evict", clientNoEvictCommand)
	handle("client|unblock", clientUnblockCommand)
	handle("client|help", clientHelpCommand)
}

var (
	errNoProto       = rerr.Line("NOPROTO unsupported protocol version")
	errAuthNoPass    = rerr.Line("ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?")
	errClientName    = rerr.Line("ERR Client names cannot contain spaces, newlines or special characters.")
	errNoSuchClient  = rerr.Line("ERR No such client")
	errProtoNotInt   = rerr.Line("ERR Protocol version is not an integer or out of range")
	errUnblockReason = rerr.Line("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR")
)

func pingCommand(s *Server, c *conn) {
	if len(c.Argv) > 2 {
		c.Error(rerr.WrongArgs("ping"))
		return
	}
	if c.Proto == 2 && c.Flags&command.ClientPubSub != 0 {
		c.Array(2)
		c.BulkString("pong")
		if len(c.Argv) == 2 {
			c.Bulk(c.Argv[1])
		} else {
			c.BulkString("")
		}
		return
	}
	if len(c.Argv) == 2 {
		c.Bulk(c.Argv[1])
		return
	}
	c.Simple("PONG")
}

func echoCommand(s *Server, c *conn) { c.Bulk(c.Argv[1]) }

func quitCommand(s *Server, c *conn) {
	c.Simple("OK")
	c.Flags |= command.ClientCloseAfterReply
}

// resetCommand is RESET: the connection goes back to its state right after
// connecting (resetCommand in networking.c).
func resetCommand(s *Server, c *conn) {
	if c.Flags&command.ClientMulti != 0 {
		c.discardTransaction()
	}
	c.Watch.Unwatch()
	if c.Flags&command.ClientMonitor != 0 {
		s.monitorRemove(c)
		c.Flags &^= command.ClientMonitor
	}
	s.pubsubUnsubscribeAll(c)
	s.trackingDisable(c)
	c.Flags &^= command.ClientReplyOff | command.ClientReplySkipNext | command.ClientReplySkip | command.ClientNoEvict | command.ClientAsking | command.ClientReadOnly
	c.DB = s.ks.DBs[0]
	c.Name = ""
	c.Proto = 2
	if s.cfg.RequirePass != "" {
		c.Flags &^= command.ClientAuthenticated
	}
	c.Simple("RESET")
}

func (s *Server) checkPassword(user, pass []byte) bool {
	if string(user) != "default" {
		return false
	}
	if s.cfg.RequirePass == "" {
		return true
	}
	return string(pass) == s.cfg.RequirePass
}

func authCommand(s *Server, c *conn) {
	if len(c.Argv) > 3 {
		c.Error(rerr.Syntax)
		return
	}
	user, pass := []byte("default"), c.Argv[1]
	c.Redact(1)
	if len(c.Argv) == 3 {
		user, pass = c.Argv[1], c.Argv[2]
		c.Redact(2)
	} else if s.cfg.RequirePass == "" {
		c.Error(errAuthNoPass)
		return
	}
	if !s.checkPassword(user, pass) {
		c.Error(rerr.WrongPass)
		return
	}
	c.Flags |= command.ClientAuthenticated
	c.Simple("OK")
}

// helloCommand is HELLO [protover [AUTH user pass] [SETNAME name]].
func helloCommand(s *Server, c *conn) {
	ver := int64(0)
	i := 1
	if len(c.Argv) >= 2 {
		v, err := strconv.ParseInt(string(c.Argv[1]), 10, 64)
		if err != nil {
			c.Error(errProtoNotInt)
			return
		}
		if v < 2 || v > 3 {
			c.Error(errNoProto)
			return
		}
		ver = v
		i = 2
	}
	var name []byte
	setName := false
	for ; i < len(c.Argv); i++ {
		more := len(c.Argv) - i - 1
		opt := strings.ToLower(string(c.Argv[i]))
		switch {
		case opt == "auth" && more >= 2:
			c.Redact(i + 1)
			c.Redact(i + 2)
			if !s.checkPassword(c.Argv[i+1], c.Argv[i+2]) {
				c.Error(rerr.WrongPass)
				return
			}
			c.Flags |= command.ClientAuthenticated
			i += 2
		case opt == "setname" && more >= 1:
			name = c.Argv[i+1]
			setName = true
			i++
		default:
			c.Error(rerr.Line("ERR Syntax error in HELLO option '" + string(c.Argv[i]) + "'"))
			return
		}
	}
	if c.Flags&command.ClientAuthenticated == 0 {
		c.Error(rerr.Line("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time"))
		return
	}
	if setName {
		if !validClientName(name) {
			c.Error(errClientName)
			return
		}
		c.Name = string(name)
	}
	if ver != 0 {
		c.Proto = int(ver)
	}
	c.Map(7)
	c.BulkString("server")
	c.BulkString("redis")
	c.BulkString("version")
	c.BulkString(redisVersion)
	c.BulkString("proto")
	c.Int(int64(c.Proto))
	c.BulkString("id")
	c.Int(c.ID)
	c.BulkString("mode")
	if s.cfg.ClusterEnabled {
		c.BulkString("cluster")
	} else {
		c.BulkString("standalone")
	}
	c.BulkString("role")
	c.BulkString(s.roleName())
	c.BulkString("modules")
	c.Array(0)
}

// redisVersion is the Redis version Shoal answers as; clients gate
// features on it.
const redisVersion = "7.0.15"

func (s *Server) roleName() string {
	if s.repl.replica.host != "" {
		return "replica"
	}
	return "master"
}

func validClientName(name []byte) bool {
	for _, ch := range name {
		if ch < '!' || ch > '~' {
			return false
		}
	}
	return true
}

func clientSetnameCommand(s *Server, c *conn) {
	if !validClientName(c.Argv[2]) {
		c.Error(errClientName)
		return
	}
	c.Name = string(c.Argv[2])
	c.Simple("OK")
}

func clientGetnameCommand(s *Server, c *conn) {
	if c.Name == "" {
		c.Null()
		return
	}
	c.BulkString(c.Name)
}

// clientType is the CLIENT LIST / KILL TYPE class of a client.
func clientType(c *conn) string {
	switch {
	case c.Flags&command.ClientMaster != 0:
		return "master"
	case c.Flags&command.ClientReplica != 0 && c.Flags&command.ClientMonitor == 0:
		return "replica"
	case c.Flags&command.ClientPubSub != 0:
		return "pubsub"
	}
	return "normal"
}

func parseClientType(b []byte) (string, bool) {
	switch strings.ToLower(string(b)) {
	case "normal":
		return "normal", true
	case "master":
		return "master", true
	case "replica", "slave":
		return "replica", true
	case "pubsub":
		return "pubsub", true
	}
	return "", false
}

// appendClientInfo writes one CLIENT LIST line, in Redis 7.0's field order.
func (s *Server) appendClientInfo(b []byte, c *conn) []byte {
	now := s.cron.commandTime()
	flags := ""
	if c.Flags&command.ClientMaster != 0 {
		flags += "M"
	}
	if c.Flags&command.ClientPubSub != 0 {
		flags += "P"
	}
	if c.Flags&command.ClientMulti != 0 {
		flags += "x"
	}
	if c.Flags&command.ClientBlocked != 0 {
		flags += "b"
	}
	flags += trackingListFlags(c)
	if c.Flags&command.ClientDirtyExec != 0 {
		flags += "d"
	}
	if c.Flags&command.ClientCloseAfterReply != 0 {
		flags += "c"
	}
	if c.unix {
		flags += "U"
	}
	if c.Flags&command.ClientReadOnly != 0 {
		flags += "r"
	}
	if c.Flags&command.ClientNoEvict != 0 {
		flags += "e"
	}
	if c.Flags&command.ClientReplica != 0 {
		flags += "S"
	}
	if c.Flags&command.ClientMonitor != 0 {
		flags += "O"
	}
	if c.Watch.Dirty {
		flags += "d"
	}
	if flags == "" {
		flags = "N"
	}
	multi := -1
	if c.Flags&command.ClientMulti != 0 {
		multi = len(c.multi.queue)
	}
	lastCmd := c.lastCmd
	if c.Cmd != nil {
		lastCmd = c.Cmd.Name
	}
	if lastCmd == "" {
		lastCmd = "NULL"
	}
	omem := len(c.B) + int(c.obufPending.Load())
	totMem := c.totMem()
	if c.repl != nil {
		// A replica's share of the replication buffer.
		stream := s.replicaStreamMemory(c)
		omem += int(stream)
		totMem += stream
	}
	b = append(b, "id="...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, " addr="...)
	b = append(b, c.addr...)
	b = append(b, " laddr="...)
	b = append(b, c.laddr...)
	b = append(b, " fd="...)
	b = strconv.AppendInt(b, int64(c.fd), 10)
	b = append(b, " name="...)
	b = append(b, c.Name...)
	b = append(b, " age="...)
	b = strconv.AppendInt(b, (now-c.created)/1000, 10)
	b = append(b, " idle="...)
	b = strconv.AppendInt(b, (now-c.lastSeen)/1000, 10)
	b = append(b, " flags="...)
	b = append(b, flags...)
	b = append(b, " db="...)
	b = strconv.AppendInt(b, int64(c.DB.ID), 10)
	b = append(b, " sub="...)
	b = strconv.AppendInt(b, int64(len(c.pubsub.channels)), 10)
	b = append(b, " psub="...)
	b = strconv.AppendInt(b, int64(len(c.pubsub.patterns)), 10)
	b = append(b, " ssub="...)
	b = strconv.AppendInt(b, int64(len(c.pubsub.shard)), 10)
	b = append(b, " multi="...)
	b = strconv.AppendInt(b, int64(multi), 10)
	qbuf, qfree := c.queryBuf()
	b = append(b, " qbuf="...)
	b = strconv.AppendInt(b, int64(qbuf), 10)
	b = append(b, " qbuf-free="...)
	b = strconv.AppendInt(b, int64(qfree), 10)
	b = append(b, " argv-mem="...)
	argvMem := 0
	for _, a := range c.Argv {
		argvMem += len(a)
	}
	b = strconv.AppendInt(b, int64(argvMem), 10)
	b = append(b, " multi-mem=0 rbs="...)
	b = strconv.AppendInt(b, int64(cap(c.B)), 10)
	b = append(b, " rbp="...)
	b = strconv.AppendInt(b, int64(cap(c.B)), 10)
	b = append(b, " obl="...)
	b = strconv.AppendInt(b, int64(len(c.B)), 10)
	b = append(b, " oll=0 omem="...)
	b = strconv.AppendInt(b, int64(omem), 10)
	b = append(b, " tot-mem="...)
	b = strconv.AppendInt(b, totMem, 10)
	b = append(b, " events=r"...)
	if c.wantWrite.Load() {
		b = append(b, 'w')
	}
	b = append(b, " cmd="...)
	b = append(b, lastCmd...)
	b = append(b, " user=default redir="...)
	b = strconv.AppendInt(b, trackingRedirect(c), 10)
	b = append(b, " resp="...)
	b = strconv.AppendInt(b, int64(c.Proto), 10)
	return append(b, '\n')
}

func clientListCommand(s *Server, c *conn) {
	var typ string
	var ids map[int64]bool
	for i := 2; i < len(c.Argv); i++ {
		opt := strings.ToLower(string(c.Argv[i]))
		switch {
		case opt == "type" && i+1 < len(c.Argv):
			t, ok := parseClientType(c.Argv[i+1])
			if !ok {
				c.Error(rerr.Line("ERR Unknown client type '" + string(c.Argv[i+1]) + "'"))
				return
			}
			typ = t
			i++
		case opt == "id" && i+1 < len(c.Argv):
			ids = make(map[int64]bool)
			for i++; i < len(c.Argv); i++ {
				id, err := strconv.ParseInt(string(c.Argv[i]), 10, 64)
				if err != nil {
					c.Error(rerr.Line("ERR Invalid client ID"))
					return
				}
				ids[id] = true
			}
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	var out []byte
	for _, cl := range s.sortedClients() {
		if typ != "" && clientType(cl) != typ {
			continue
		}
		if ids != nil && !ids[cl.ID] {
			continue
		}
		out = s.appendClientInfo(out, cl)
	}
	c.Verbatim(out, "txt")
}

func clientInfoCommand(s *Server, c *conn) {
	c.Verbatim(s.appendClientInfo(nil, c), "txt")
}

// sortedClients lists clients by id, as Redis's client list is ordered.
func (s *Server) sortedClients() []*conn {
	out := make([]*conn, 0, len(s.clients))
	for _, cl := range s.clients {
		out = append(out, cl)
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].ID < out[j-1].ID; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

func clientKillCommand(s *Server, c *conn) {
	if len(c.Argv) == 3 {
		for _, cl := range s.clients {
			if cl.addr == string(c.Argv[2]) {
				s.killClientBy(cl, c)
				c.Simple("OK")
				return
			}
		}
		c.Error(errNoSuchClient)
		return
	}
	if len(c.Argv)%2 != 0 {
		c.Error(rerr.Syntax)
		return
	}
	var id int64
	var addr, laddr, typ string
	skipMe := true
	var maxAge int64
	for i := 2; i < len(c.Argv); i += 2 {
		val := c.Argv[i+1]
		switch strings.ToLower(string(c.Argv[i])) {
		case "id":
			v, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil || v <= 0 {
				c.Error(rerr.Line("ERR client-id should be greater than 0"))
				return
			}
			id = v
		case "type":
			t, ok := parseClientType(val)
			if !ok {
				c.Error(rerr.Line("ERR Unknown client type '" + string(val) + "'"))
				return
			}
			typ = t
		case "addr":
			addr = string(val)
		case "laddr":
			laddr = string(val)
		case "user":
			// Only the default user exists, and every client is it.
			if string(val) != "default" {
				c.Error(rerr.Line("ERR No such user '" + string(val) + "'"))
				return
			}
		case "skipme":
			switch strings.ToLower(string(val)) {
			case "yes":
				skipMe = true
			case "no":
				skipMe = false
			default:
				c.Error(rerr.Syntax)
				return
			}
		case "maxage":
			v, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil || v <= 0 {
				c.Error(rerr.Syntax)
				return
			}
			maxAge = v
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	killed := 0
	now := s.cron.commandTime()
	for _, cl := range s.sortedClients() {
		if (id != 0 && cl.ID != id) || (addr != "" && cl.addr != addr) || (laddr != "" && cl.laddr != laddr) ||
			(typ != "" && clientType(cl) != typ) ||
			(skipMe && cl == c) || (maxAge != 0 && (now-cl.created)/1000 < maxAge) {
			continue
		}
		s.killClientBy(cl, c)
		killed++
	}
	c.Int(int64(killed))
}

// killClientBy is CLIENT KILL's close: the calling client itself goes after
// this command's reply, any other at once.
func (s *Server) killClientBy(cl, caller *conn) {
	if cl == caller {
		cl.Flags |= command.ClientCloseAfterReply
		return
	}
	s.killClient(cl)
}

// killClient schedules cl to be closed by its loop as soon as possible,
// without waiting for its pending output (Redis's freeClientAsync).
func (s *Server) killClient(cl *conn) {
	cl.Flags |= command.ClientCloseASAP
	cl.queueWrite()
	// Our master's link counts as lost now, as freeClient's
	// replicationCacheMaster (the cluster's election measures the
	// replica's data age from here).
	if s.repl.replica.master == cl {
		s.replMasterLost(cl)
	}
}

func clientReplyCommand(s *Server, c *conn) {
	switch strings.ToLower(string(c.Argv[2])) {
	case "on":
		// Also cancels a SKIP set by the command before, whose flag has
		// already moved on to this one.
		c.Flags &^= command.ClientReplyOff | command.ClientReplySkipNext | command.ClientReplySkip
		c.Simple("OK")
	case "off":
		c.Flags |= command.ClientReplyOff
	case "skip":
		if c.Flags&command.ClientReplyOff == 0 {
			c.Flags |= command.ClientReplySkipNext
		}
	default:
		c.Error(rerr.Syntax)
	}
}

func clientNoEvictCommand(s *Server, c *conn) {
	switch strings.ToLower(string(c.Argv[2])) {
	case "on":
		c.Flags |= command.ClientNoEvict
	case "off":
		c.Flags &^= command.ClientNoEvict
	default:
		c.Error(rerr.Syntax)
		return
	}
	c.Simple("OK")
}

func clientUnblockCommand(s *Server, c *conn) {
	if len(c.Argv) > 4 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	id, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
	if err != nil {
		c.Error(rerr.NotInteger)
		return
	}
	asError := false
	if len(c.Argv) == 4 {
		switch strings.ToLower(string(c.Argv[3])) {
		case "timeout":
		case "error":
			asError = true
		default:
			c.Error(errUnblockReason)
			return
		}
	}
	target := s.clients[id]
	if target == nil || target.Flags&command.ClientBlocked == 0 {
		c.Int(0)
		return
	}
	// Redis 7.0 counts the blocked command as failed either way
	// (updateStatsOnUnblock with had_errors set in clientCommand).
	target.block.cmd.FailedCalls++
	if asError {
		s.unparkClient(target)
		target.Error(command.UnblockedError())
		target.queueWrite()
		s.resumeInput(target)
	} else {
		s.unblockWithTimeout(target)
	}
	c.Int(1)
}

func clientHelpCommand(s *Server, c *conn) {
	replyHelp(c, "CLIENT", []string{
		"CACHING (YES|NO)",
		"    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.",
		"GETREDIR",
		"    Return the client ID we are redirecting to when tracking is enabled.",
		"GETNAME",
		"    Return the name of the current connection.",
		"ID",
		"    Return the ID of the current connection.",
		"INFO",
		"    Return information about the current client connection.",
		"KILL <ip:port>",
		"    Kill connection made from <ip:port>.",
		"KILL <option> <value> [<option> <value> [...]]",
		"    Kill connections. Options are:",
		"    * ADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made from the specified address",
		"    * LADDR (<ip:port>|<unixsocket>:0)",
		"      Kill connections made to specified local address",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Kill connections by type.",
		"    * USER <username>",
		"      Kill connections authenticated by <username>.",
		"    * SKIPME (YES|NO)",
		"      Skip killing current connection (default: yes).",
		"LIST [options ...]",
		"    Return information about client connections. Options:",
		"    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
		"      Return clients of specified type.",
		"UNPAUSE",
		"    Stop the current client pause, resuming traffic.",
		"PAUSE <timeout> [WRITE|ALL]",
		"    Suspend all, or just write, clients for <timeout> milliseconds.",
		"REPLY (ON|OFF|SKIP)",
		"    Control the replies sent to the current connection.",
		"SETNAME <name>",
		"    Assign the name <name> to the current connection.",
		"UNBLOCK <clientid> [TIMEOUT|ERROR]",
		"    Unblock the specified blocked client.",
		"TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]",
		"         [OPTIN] [OPTOUT] [NOLOOP]",
		"    Control server assisted client side caching.",
		"TRACKINGINFO",
		"    Report tracking status for the current connection.",
		"NO-EVICT (ON|OFF)",
		"    Protect current client connection from eviction.",
	})
}
