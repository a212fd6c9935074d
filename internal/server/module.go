package server

import (
	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/rerr"
)

// MODULE: Shoal has no module loader (Redis modules are C shared objects
// built against Redis's own internals). MODULE LIST answers, as a Redis
// without modules, an empty array, which is what tools and client libraries
// probe for; LOAD, LOADEX and UNLOAD are refused as Redis 7.0 refuses them
// under enable-module-command (protectedReject), and where the directive
// allows them a load fails as a load of a bad library fails in Redis.

func init() {
	handle("module|help", moduleHelpCommand)
	handle("module|list", moduleListCommand)
	handle("module|load", moduleLoadCommand)
	handle("module|loadex", moduleLoadCommand)
	handle("module|unload", moduleUnloadCommand)
}

func moduleHelpCommand(s *Server, c *conn) {
	replyHelp(c, "MODULE", []string{
		"LIST",
		"    Return a list of loaded modules.",
		"LOAD <path> [<arg> ...]",
		"    Load a module library from <path>, passing to it any optional arguments.",
		"LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
		"    Load a module library from <path>, while passing it module configurations and optional arguments.",
		"UNLOAD <name>",
		"    Unload a module.",
	})
}

func moduleListCommand(s *Server, c *conn) { c.Array(0) }

func moduleLoadCommand(s *Server, c *conn) {
	s.logf(logWarning, "Module %s failed to load: Shoal does not load Redis modules", c.Argv[2])
	c.Error(rerr.ModuleLoad)
}

func moduleUnloadCommand(s *Server, c *conn) { c.Error(rerr.ModuleUnloadNone) }

// protectedCommands are the commands Redis 7.0 flags CMD_PROTECTED, each
// with the directive that enables it and the reply refusing it.
var protectedCommands = map[string]struct {
	setting func(*config.Config) int
	reject  []byte
}{
	"debug":         {func(c *config.Config) int { return c.EnableDebugCommand }, rerr.DebugNotAllowed},
	"module|load":   {func(c *config.Config) int { return c.EnableModuleCommand }, rerr.ModuleNotAllowed},
	"module|loadex": {func(c *config.Config) int { return c.EnableModuleCommand }, rerr.ModuleNotAllowed},
	"module|unload": {func(c *config.Config) int { return c.EnableModuleCommand }, rerr.ModuleNotAllowed},
}

// protectedReject is the reply refusing a protected command the
// configuration does not allow from c (allowProtectedAction), or nil.
func (s *Server) protectedReject(c *conn, cmd *command.Command) []byte {
	p := protectedCommands[cmd.Name]
	switch p.setting(s.cfg) {
	case config.EnableYes:
		return nil
	case config.EnableLocal:
		if c.isLocal() {
			return nil
		}
	}
	return p.reject
}
