package server

import (
	"shoal/internal/command"
	"shoal/internal/config"
)

func init() { config.RenameCommand = command.Rename }

// handle registers a server-level command handler: one that needs the
// connection or server state beyond the keyspace.
func handle(name string, fn func(s *Server, c *conn)) {
	command.Register(name, func(cl *command.Client) {
		c := cl.Conn.(*conn)
		fn(c.srv, c)
	})
}
