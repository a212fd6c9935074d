package server

import (
	"shoal/internal/resp"
	"strconv"
	"time"

	"shoal/internal/command"
	"shoal/internal/rerr"
)

func init() {
	handle("monitor", monitorCommand)
	handle("slowlog|get", slowlogGetCommand)
	handle("slowlog|len", slowlogLenCommand)
	handle("slowlog|reset", slowlogResetCommand)
	handle("slowlog|help", slowlogHelpCommand)
}

func monitorCommand(s *Server, c *conn) {
	if c.Flags&command.ClientMulti != 0 {
		return
	}
	if c.Flags&command.ClientMonitor != 0 {
		return
	}
	c.Flags |= command.ClientMonitor
	s.monitors = append(s.monitors, c)
	c.Simple("OK")
}

func (s *Server) monitorRemove(c *conn) {
	if c.Flags&command.ClientMonitor != 0 {
		s.monitors = removeConn(s.monitors, c)
	}
}

// redactedArg replaces a password argument in MONITOR and SLOWLOG.
var redactedArg = []byte("(redacted)")

// feedMonitors sends the command to MONITOR clients, formatted as
// replicationFeedMonitors: +<time> [<db> <addr>] "arg" ...
// A blocked command re-executed when its key is ready was shown when it
// first arrived, so its retry is not shown again.
func (s *Server) feedMonitors(c *conn) {
	if c.Blocking.Retrying {
		return
	}
	now := time.Now()
	line := make([]byte, 0, 128)
	line = append(line, '+')
	line = strconv.AppendInt(line, now.Unix(), 10)
	line = append(line, '.')
	us := now.Nanosecond() / 1000
	line = append(line, byte('0'+us/100000), byte('0'+us/10000%10), byte('0'+us/1000%10), byte('0'+us/100%10), byte('0'+us/10%10), byte('0'+us%10))
	line = append(line, " ["...)
	line = strconv.AppendInt(line, int64(c.DB.ID), 10)
	line = append(line, ' ')
	switch {
	case c.Flags&command.ClientLua != 0:
		line = append(line, "lua"...)
	case c.Flags&command.ClientMaster != 0:
		line = append(line, "master"...)
	case c.unix:
		// A unix socket client shows its socket's path, as Redis does.
		line = append(line, "unix:"...)
		line = append(line, c.srv.cfg.UnixSocket...)
	default:
		line = append(line, c.addr...)
	}
	line = append(line, ']')
	for i, a := range c.Argv {
		line = append(line, ' ')
		if c.Redacted(i) {
			a = redactedArg
		}
		line = resp.AppendRepr(line, a)
	}
	line = append(line, '\r', '\n')
	for _, m := range s.monitors {
		m.Raw(line)
		m.queueWrite()
	}
}

// slowlogEntry is one SLOWLOG record.
type slowlogEntry struct {
	id       int64
	time     int64 // unix seconds
	duration int64 // microseconds
	argv     [][]byte
	addr     string
	name     string
}

// slowlog holds the most recent slow commands, newest first.
type slowlog struct {
	entries []slowlogEntry
	nextID  int64
	// slowerThan is slowlog-log-slower-than in µs (negative disables).
	slowerThan int64
	maxLen     int
}

const (
	slowlogMaxArgc   = 32
	slowlogMaxArgLen = 128
)

// slowlogPush records the command if it ran for longer than the threshold.
// A command that blocks is logged when it is served, not when it parks (nor
// when it times out), as Redis does.
func (s *Server) slowlogPush(c *conn, dur time.Duration) {
	sl := &s.slowlog
	if sl.slowerThan < 0 || c.Cmd.Has(command.FlagSkipSlowlog) {
		return
	}
	if c.Flags&command.ClientBlocked != 0 && (!c.Blocking.Retrying || c.Blocking.StillBlocked) {
		return
	}
	us := dur.Microseconds()
	if us < sl.slowerThan {
		return
	}
	argc := len(c.Argv)
	n := argc
	if n > slowlogMaxArgc {
		n = slowlogMaxArgc
	}
	argv := make([][]byte, n)
	for i := 0; i < n; i++ {
		if i == n-1 && argc > n {
			argv[i] = []byte("... (" + strconv.Itoa(argc-n+1) + " more arguments)")
			break
		}
		a := c.Argv[i]
		if c.Redacted(i) {
			a = redactedArg
		}
		if len(a) > slowlogMaxArgLen {
			argv[i] = []byte(string(a[:slowlogMaxArgLen]) + "... (" + strconv.Itoa(len(a)-slowlogMaxArgLen) + " more bytes)")
		} else {
			argv[i] = append([]byte(nil), a...)
		}
	}
	e := slowlogEntry{id: sl.nextID, time: time.Now().Unix(), duration: us, argv: argv, addr: c.addr, name: c.Name}
	sl.nextID++
	sl.entries = append([]slowlogEntry{e}, sl.entries...)
	if len(sl.entries) > sl.maxLen {
		sl.entries = sl.entries[:sl.maxLen]
	}
}

func slowlogGetCommand(s *Server, c *conn) {
	count := int64(10)
	if len(c.Argv) == 3 {
		n, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
		if err != nil || n < -1 {
			c.Error(rerr.Line("ERR count should be greater than or equal to -1"))
			return
		}
		if n == -1 {
			n = int64(len(s.slowlog.entries))
		}
		count = n
	} else if len(c.Argv) > 3 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	if count > int64(len(s.slowlog.entries)) {
		count = int64(len(s.slowlog.entries))
	}
	c.Array(int(count))
	for _, e := range s.slowlog.entries[:count] {
		c.Array(6)
		c.Int(e.id)
		c.Int(e.time)
		c.Int(e.duration)
		c.Array(len(e.argv))
		for _, a := range e.argv {
			c.Bulk(a)
		}
		c.BulkString(e.addr)
		c.BulkString(e.name)
	}
}

func slowlogLenCommand(s *Server, c *conn) { c.Int(int64(len(s.slowlog.entries))) }

func slowlogResetCommand(s *Server, c *conn) {
	s.slowlog.entries = nil
	c.Simple("OK")
}

func slowlogHelpCommand(s *Server, c *conn) {
	replyHelp(c, "SLOWLOG", []string{
		"GET [<count>]",
		"    Return top <count> entries from the slowlog (default: 10, -1 mean all).",
		"    Entries are made of:",
		"    id, timestamp, time in microseconds, arguments array, client IP and port,",
		"    client name",
		"LEN",
		"    Return the length of the slowlog.",
		"RESET",
		"    Reset the slowlog.",
	})
}
