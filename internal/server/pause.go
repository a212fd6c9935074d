package server

import (
	"strconv"
	"strings"

	"shoal/internal/command"
	"shoal/internal/rerr"
)

// pauseState is CLIENT PAUSE: until end, commands of the paused kind wait
// in their clients' query buffers.
type pauseState struct {
	active    bool
	writeOnly bool
	end       int64 // unix ms
	waiting   []*conn
}

// pauseBlocks reports whether argv must wait for the pause to end.
func (s *Server) pauseBlocks(c *conn, argv [][]byte) bool {
	if c.Flags&(command.ClientMaster|command.ClientReplica) != 0 {
		return false
	}
	if !s.pause.writeOnly {
		return true
	}
	cmd := command.Lookup(argv[0])
	if cmd == nil {
		return false
	}
	if s.mayReplicate(cmd, argv) {
		return true
	}
	if cmd.Name == "exec" {
		for _, q := range c.multi.queue {
			if s.mayReplicate(q.cmd, q.argv) {
				return true
			}
		}
	}
	return false
}

// mayReplicate reports whether a command called with argv can add to the
// replication stream: writes, and the commands Redis marks MAY_REPLICATE.
// COMMAND INFO does not show that flag, so specs taken from it lack it;
// the commands that carry it in Redis 7.0 are listed here. A script that
// declares its flags replaces them: one without no-writes is a write, one
// with it replicates nothing (scriptFlagsToCmdFlags).
func (s *Server) mayReplicate(cmd *command.Command, argv [][]byte) bool {
	if cmd.Has(command.FlagNoScript) && cmd.Has(command.FlagSkipMonitor) && len(argv) > 1 {
		if flags, declared := s.scriptDeclaredFlags(argv, cmd); declared {
			return flags&command.FlagWrite != 0
		}
	}
	if cmd.Has(command.FlagWrite) || cmd.Has(command.FlagMayReplicate) {
		return true
	}
	switch cmd.Name {
	case "pfcount", "publish", "spublish", "eval", "evalsha", "fcall":
		return true
	}
	return false
}

func (s *Server) postpone(c *conn) {
	if !c.postponed {
		c.postponed = true
		s.pause.waiting = append(s.pause.waiting, c)
	}
}

// postponedClients counts the clients waiting for the pause to end, which
// Redis reports among its blocked clients.
func (s *Server) postponedClients() int {
	n := 0
	for _, c := range s.pause.waiting {
		if !c.closed {
			n++
		}
	}
	return n
}

func (s *Server) unpause() {
	s.pause.active = false
	s.ks.KeepExpired = false
	for _, c := range s.pause.waiting {
		c.postponed = false
		if !c.closed {
			c.resume = true
			c.queueWrite()
		}
	}
	s.pause.waiting = nil
}

func (s *Server) pauseCron() {
	if s.pause.active && s.cron.nowMs >= s.pause.end {
		s.unpause()
	}
}

// clientPauseCommand is CLIENT PAUSE timeout [WRITE|ALL].
func clientPauseCommand(s *Server, c *conn) {
	if len(c.Argv) > 4 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	ms, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
	if err != nil {
		c.Error(rerr.Line("ERR timeout is not an integer or out of range"))
		return
	}
	if ms < 0 {
		c.Error(rerr.Line("ERR timeout is negative"))
		return
	}
	writeOnly := false
	if len(c.Argv) == 4 {
		switch strings.ToLower(string(c.Argv[3])) {
		case "write":
			writeOnly = true
		case "all":
		default:
			c.Error(rerr.Line("ERR CLIENT PAUSE mode must be WRITE or ALL"))
			return
		}
	}
	end := s.cron.commandTime() + ms
	// A stricter pause (ALL over WRITE) or a later end wins, as Redis.
	if s.pause.active {
		if s.pause.writeOnly && !writeOnly {
			s.pause.writeOnly = false
		}
		if end > s.pause.end {
			s.pause.end = end
		}
	} else {
		s.pause = pauseState{active: true, writeOnly: writeOnly, end: end, waiting: s.pause.waiting}
	}
	// Paused writes include the DELs of expired keys: they read as
	// missing but stay until the pause ends (expireIfNeeded).
	s.ks.KeepExpired = true
	c.Simple("OK")
}

func clientUnpauseCommand(s *Server, c *conn) {
	if s.pause.active {
		s.unpause()
	}
	c.Simple("OK")
}
