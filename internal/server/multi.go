package server

import (
	"shoal/internal/command"
	"shoal/internal/rerr"
)

// multiState is a client's MULTI queue (multi.c).
type multiState struct {
	queue []queuedCommand
	// denyOOM: a queued command may grow memory, so EXEC obeys maxmemory.
	denyOOM bool
	// hasWrite: a queued command writes, so EXEC obeys MISCONF.
	hasWrite bool
	// staleDenied: a queued command may not run on a replica whose link
	// is down (EXEC's cmd_inv_flags & CMD_STALE).
	staleDenied bool
	// bytes is the memory the queue holds, for client eviction
	// (multiStateMemOverhead: the arguments plus a slot per argument).
	bytes int64
}

// denyStale reports whether a queued command may not run on a replica
// whose link is down.
func (m *multiState) denyStale() bool { return m.staleDenied }

// has reports whether a queued command has flag (EXEC's cmd_flags).
func (m *multiState) has(flag uint64) bool {
	for _, q := range m.queue {
		if q.cmd.Has(flag) {
			return true
		}
	}
	return false
}

type queuedCommand struct {
	cmd  *command.Command
	argv [][]byte
}

func init() {
	handle("multi", multiCommand)
	handle("exec", execCommand)
	handle("discard", discardCommand)
	handle("watch", watchCommand)
	handle("unwatch", unwatchCommand)
}

// queueMultiCommand copies the command into the MULTI queue (the argv
// points into the read buffer) and replies QUEUED. flags are the
// command's effective flags (a script's shebang flags for EVAL and FCALL),
// which EXEC's checks add up as Redis's mstate.cmd_flags.
func (s *Server) queueMultiCommand(c *conn, flags uint64) {
	if c.Flags&command.ClientDirtyExec == 0 {
		argv := make([][]byte, len(c.Argv))
		for i, a := range c.Argv {
			argv[i] = append([]byte(nil), a...)
			c.multi.bytes += int64(len(a)) + argvSlotSize
		}
		c.multi.bytes += queuedCommandSize
		c.multi.queue = append(c.multi.queue, queuedCommand{cmd: c.Cmd, argv: argv})
		if flags&command.FlagDenyOOM != 0 {
			c.multi.denyOOM = true
		}
		if flags&command.FlagWrite != 0 {
			c.multi.hasWrite = true
		}
		if flags&command.FlagStale == 0 {
			c.multi.staleDenied = true
		}
	}
	c.Simple("QUEUED")
}

func multiCommand(s *Server, c *conn) {
	if c.Flags&command.ClientMulti != 0 {
		c.Error(rerr.MultiNested)
		return
	}
	c.Flags |= command.ClientMulti
	c.Simple("OK")
}

func (c *conn) discardTransaction() {
	c.multi = multiState{}
	c.Flags &^= command.ClientMulti | command.ClientDirtyExec
	c.Watch.Unwatch()
}

func discardCommand(s *Server, c *conn) {
	if c.Flags&command.ClientMulti == 0 {
		c.Error(rerr.DiscardNoMulti)
		return
	}
	c.discardTransaction()
	c.Simple("OK")
}

func execCommand(s *Server, c *conn) {
	if c.Flags&command.ClientMulti == 0 {
		c.Error(rerr.ExecWithoutMult)
		return
	}
	if c.Flags&command.ClientDirtyExec != 0 {
		c.discardTransaction()
		c.Error(rerr.ExecAbort)
		return
	}
	if c.Watch.Dirty || c.Watch.ExpiredSinceWatch() {
		c.discardTransaction()
		c.NullArray()
		return
	}
	queue := c.multi.queue
	c.multi = multiState{}
	c.Flags &^= command.ClientMulti
	c.Watch.Unwatch()
	c.Array(len(queue))
	savedArgv, savedCmd := c.Argv, c.Cmd
	c.Flags |= command.ClientInExec
	s.inExec = true
	for _, q := range queue {
		c.Argv, c.Cmd = q.argv, q.cmd
		s.call(c, q.cmd)
	}
	s.inExec = false
	c.Flags &^= command.ClientInExec
	c.Argv, c.Cmd = savedArgv, savedCmd
	// The queued commands' errors and extra propagation were accounted to
	// them by their own calls: EXEC itself failed nothing and adds nothing.
	c.ResetCommandState()
}

func watchCommand(s *Server, c *conn) {
	if c.Flags&command.ClientMulti != 0 {
		c.Error(rerr.WatchInMulti)
		return
	}
	for _, k := range c.Argv[1:] {
		c.DB.Watch(&c.Watch, k)
	}
	c.Simple("OK")
}

func unwatchCommand(s *Server, c *conn) {
	c.Watch.Unwatch()
	c.Simple("OK")
}
