package server

import (
	"shoal/internal/command"
	"shoal/internal/rerr"
)

// ASKING, READONLY and READWRITE (cluster.c): per-connection flags the
// redirect check reads.

func init() {
	handle("asking", (*Server).askingCommand)
	handle("readonly", (*Server).readonlyCommand)
	handle("readwrite", (*Server).readwriteCommand)
}

func (s *Server) askingCommand(c *conn) {
	if !s.cfg.ClusterEnabled {
		c.Error(rerr.ClusterDisabled)
		return
	}
	c.Flags |= command.ClientAsking
	c.Simple("OK")
}

func (s *Server) readonlyCommand(c *conn) {
	if !s.cfg.ClusterEnabled {
		c.Error(rerr.ClusterDisabled)
		return
	}
	c.Flags |= command.ClientReadOnly
	c.Simple("OK")
}

func (s *Server) readwriteCommand(c *conn) {
	if !s.cfg.ClusterEnabled {
		c.Error(rerr.ClusterDisabled)
		return
	}
	c.Flags &^= command.ClientReadOnly
	c.Simple("OK")
}
