package server

import (
	"errors"
	"math"
	"os"
	"sort"
	"strings"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/rerr"
)

func init() {
	handle("config|get", configGetCommand)
	handle("config|set", configSetCommand)
	handle("config|resetstat", configResetstatCommand)
	handle("config|rewrite", configRewriteCommand)
	handle("config|help", configHelpCommand)
	handle("command", commandCommand)
	handle("command|count", commandCountCommand)
	handle("command|info", commandInfoCommand)
	handle("command|docs", commandDocsCommand)
	handle("command|list", commandListCommand)
	handle("command|getkeys", commandGetkeysCommand)
	handle("command|getkeysandflags", commandGetkeysCommand)
	handle("command|help", commandHelpCommand)
	handle("time", timeCommand)
	handle("lastsave", lastsaveCommand)
	handle("shutdown", shutdownCommand)
	handle("save", saveCommand)
	handle("bgsave", bgsaveCommand)
	handle("bgrewriteaof", bgrewriteaofCommand)
}

// applyLimits copies the configuration values handlers read on every call
// into the core, and the ones the server reads into its own fields. It runs
// at start-up and after every CONFIG SET.
func (s *Server) applyLimits() {
	cfg := s.cfg
	s.obufMinLimit = math.MaxInt64
	for _, lim := range cfg.ClientOutputBufferLimit {
		for _, v := range []int64{lim.Hard, lim.Soft} {
			if v > 0 && v < s.obufMinLimit {
				s.obufMinLimit = v
			}
		}
	}
	l := &s.core.Limits
	l.ProtoMaxBulkLen = cfg.ProtoMaxBulkLen
	l.HashMaxListpackEntries = int(cfg.HashMaxListpackEntries)
	l.HashMaxListpackValue = int(cfg.HashMaxListpackValue)
	l.ListMaxListpackSize = cfg.ListMaxListpackSize
	l.ListCompressDepth = cfg.ListCompressDepth
	l.SetMaxIntsetEntries = int(cfg.SetMaxIntsetEntries)
	l.ZSetMaxListpackEntries = int(cfg.ZsetMaxListpackEntries)
	l.ZSetMaxListpackValue = int(cfg.ZsetMaxListpackValue)
	l.StreamNodeMaxBytes = int(cfg.StreamNodeMaxBytes)
	l.StreamNodeMaxEntries = int(cfg.StreamNodeMaxEntries)
	l.HLLSparseMaxBytes = int(cfg.HLLSparseMaxBytes)
	l.LFULogFactor = cfg.LFULogFactor
	l.LFUDecayTime = cfg.LFUDecayTime
	lruOrLFU := cfg.MaxmemoryPolicy != config.PolicyNoEviction && cfg.MaxmemoryPolicy != config.PolicyAllkeysRandom &&
		cfg.MaxmemoryPolicy != config.PolicyVolatileRandom && cfg.MaxmemoryPolicy != config.PolicyVolatileTTL
	l.SharedIntegers = !(cfg.MaxMemory > 0 && lruOrLFU)
	l.LFU = s.lfuPolicy()
	l.LazyUserDel, l.LazyUserFlush = cfg.LazyfreeLazyUserDel, cfg.LazyfreeLazyUserFlush
	l.LazyExpire = cfg.LazyfreeLazyExpire
	s.pubsub.notifyFlags = cfg.NotifyKeyspaceEvents
	s.slowlog.slowerThan = cfg.SlowlogLogSlowerThan
	s.slowlog.maxLen = int(cfg.SlowlogMaxLen)
	if len(s.slowlog.entries) > s.slowlog.maxLen {
		s.slowlog.entries = s.slowlog.entries[:s.slowlog.maxLen]
	}
	s.cron.setHz(cfg.Hz)
	s.applyWatchdogPeriod()
	s.log.level.Store(int64(cfg.Loglevel))
	s.applyMaxmemory()
}

func configGetCommand(s *Server, c *conn) {
	// Names already in the reply, lower-cased: a parameter named twice, or
	// by a name and a pattern, appears once, under the first spelling.
	seen := map[string]bool{}
	var pairs [][2]string
	for _, p := range c.Argv[2:] {
		exact := !strings.ContainsAny(string(p), "[*?")
		for _, kv := range s.cfg.Get(string(p)) {
			if exact {
				// A plain name is answered under the spelling given.
				kv[0] = string(p)
			}
			key := strings.ToLower(kv[0])
			if !seen[key] {
				seen[key] = true
				pairs = append(pairs, kv)
			}
			if exact {
				break
			}
		}
	}
	c.Map(len(pairs))
	for _, kv := range pairs {
		c.BulkString(kv[0])
		c.BulkString(kv[1])
	}
}

func configSetCommand(s *Server, c *conn) {
	if len(c.Argv)%2 != 0 {
		c.Error(rerr.Syntax)
		return
	}
	pairs := make([][2]string, 0, (len(c.Argv)-2)/2)
	for i := 2; i < len(c.Argv); i += 2 {
		pairs = append(pairs, [2]string{string(c.Argv[i]), string(c.Argv[i+1])})
		if config.Sensitive(string(c.Argv[i])) {
			c.Redact(i + 1)
		}
	}
	if err := s.cfg.SetAs(pairs, c.isLocal(), s.load.active.Load() || s.load.async.Load()); err != nil {
		c.Error(rerr.Line(err.Error()))
		return
	}
	s.applyLimits()
	if s.cl != nil {
		// cluster-* directives (node timeout, failover and migration
		// settings, announced addresses) take effect at once.
		s.cl.st.SetConfig(s.clusterConfig())
		s.clusterApply()
	}
	c.Simple("OK")
}

// isLocal reports whether c connects from this machine (islocalClient): a
// unix socket or a loopback address.
func (c *conn) isLocal() bool { return c.unix || isLocalAddr(c.addr) }

func isLocalAddr(addr string) bool {
	return strings.HasPrefix(addr, "127.") || strings.HasPrefix(addr, "[::1]") || strings.HasPrefix(addr, "::1")
}

func configResetstatCommand(s *Server, c *conn) {
	s.resetStats()
	c.Simple("OK")
}

// resetStats is CONFIG RESETSTAT: counters, command stats, error stats.
func (s *Server) resetStats() {
	s.stats = stats{jobsAtReset: s.rdb.jobs}
	s.cevict.evicted = 0
	s.core.LazyFreed = 0
	s.ks.Hits, s.ks.Misses = 0, 0
	s.core.ErrorStats = make(map[string]int64)
	s.core.TotalErrors = 0
	for _, cmd := range command.All() {
		resetCommandStats(cmd)
	}
	resetLatencyHistograms()
}

func resetCommandStats(cmd *command.Command) {
	cmd.Calls, cmd.Usec, cmd.RejectedCalls, cmd.FailedCalls = 0, 0, 0, 0
	for _, sub := range cmd.Sub {
		resetCommandStats(sub)
	}
}

func configRewriteCommand(s *Server, c *conn) {
	if err := s.cfg.Rewrite(); err != nil {
		if errors.Is(err, config.ErrNoConfigFile) {
			c.Error(rerr.Line("ERR The server is running without a config file"))
			return
		}
		s.logf(logWarning, "CONFIG REWRITE failed: %v", err)
		c.Error(rerr.Line("ERR Rewriting config file: " + errText(err)))
		return
	}
	s.logf(logNotice, "CONFIG REWRITE executed with success.")
	c.Simple("OK")
}

// errText is the OS-level reason of err, as strerror would print it.
func errText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

func configHelpCommand(s *Server, c *conn) {
	replyHelp(c, "CONFIG", []string{
		"GET <pattern>",
		"    Return parameters matching the glob-like <pattern> and their values.",
		"SET <directive> <value>",
		"    Set the configuration <directive> to <value>.",
		"RESETSTAT",
		"    Reset statistics reported by the INFO command.",
		"REWRITE",
		"    Rewrite the configuration file.",
	})
}

func commandCommand(s *Server, c *conn) {
	all := command.All()
	c.Array(len(all))
	for _, cmd := range all {
		command.AppendCommandInfo(&c.Writer, cmd.Spec)
	}
}

func commandCountCommand(s *Server, c *conn) { c.Int(int64(len(command.All()))) }

// lookupCommandPath finds "get" or "config|get" style names.
func lookupCommandPath(name []byte) *command.Command {
	if i := strings.IndexByte(string(name), '|'); i >= 0 {
		parent := command.Lookup(name[:i])
		if parent == nil || parent.Sub == nil {
			return nil
		}
		return parent.LookupSub(name[i+1:])
	}
	return command.Lookup(name)
}

func commandInfoCommand(s *Server, c *conn) {
	if len(c.Argv) == 2 {
		commandCommand(s, c)
		return
	}
	c.Array(len(c.Argv) - 2)
	for _, name := range c.Argv[2:] {
		if cmd := lookupCommandPath(name); cmd != nil {
			command.AppendCommandInfo(&c.Writer, cmd.Spec)
		} else {
			c.Null()
		}
	}
}

func commandDocsCommand(s *Server, c *conn) {
	var list []*command.Command
	if len(c.Argv) == 2 {
		list = command.All()
	} else {
		for _, name := range c.Argv[2:] {
			if cmd := lookupCommandPath(name); cmd != nil {
				list = append(list, cmd)
			}
		}
	}
	c.Map(len(list))
	for _, cmd := range list {
		c.BulkString(cmd.Name)
		command.AppendCommandDocs(&c.Writer, cmd.Spec)
	}
}

func commandListCommand(s *Server, c *conn) {
	var names []string
	var filter func(cmd *command.Command) bool
	if len(c.Argv) > 2 {
		if len(c.Argv) != 5 || !strings.EqualFold(string(c.Argv[2]), "filterby") {
			c.Error(rerr.Syntax)
			return
		}
		arg := string(c.Argv[4])
		switch strings.ToLower(string(c.Argv[3])) {
		case "module":
			filter = func(*command.Command) bool { return false }
		case "aclcat":
			filter = func(cmd *command.Command) bool {
				for _, cat := range cmd.ACLCategories {
					if strings.EqualFold(strings.TrimPrefix(cat, "@"), arg) {
						return true
					}
				}
				return false
			}
		case "pattern":
			filter = func(cmd *command.Command) bool { return globMatchFold(arg, cmd.Name) }
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	var walk func(cmd *command.Command)
	walk = func(cmd *command.Command) {
		if filter == nil || filter(cmd) {
			names = append(names, cmd.Name)
		}
		for _, sub := range cmd.Sub {
			walk(sub)
		}
	}
	for _, cmd := range command.All() {
		walk(cmd)
	}
	sort.Strings(names)
	c.Array(len(names))
	for _, n := range names {
		c.BulkString(n)
	}
}

func commandGetkeysCommand(s *Server, c *conn) {
	withFlags := c.Cmd.Name == "command|getkeysandflags"
	args := c.Argv[2:]
	cmd := command.Lookup(args[0])
	if cmd != nil && cmd.Sub != nil && len(args) > 1 {
		cmd = cmd.LookupSub(args[1])
	}
	if cmd == nil {
		c.Error(rerr.Line("ERR Invalid command specified"))
		return
	}
	if err := cmd.Spec.CheckGetKeys(len(args)); err != nil {
		c.Error(rerr.Line(getkeysError(err)))
		return
	}
	keys, err := cmd.Spec.KeysAndFlags(args, nil)
	if err != nil {
		c.Error(rerr.Line(getkeysError(err)))
		return
	}
	if withFlags {
		command.AppendKeysAndFlags(&c.Writer, args, keys)
		return
	}
	c.Array(len(keys))
	for _, k := range keys {
		c.Bulk(args[k.Pos])
	}
}

func getkeysError(err error) string {
	switch {
	case errors.Is(err, command.ErrInvalidCommand):
		return "ERR Invalid command specified"
	case errors.Is(err, command.ErrNoKeyArguments):
		return "ERR The command has no key arguments"
	case errors.Is(err, command.ErrInvalidArgCount):
		return "ERR Invalid number of arguments specified for command"
	}
	return "ERR Invalid arguments specified for command"
}

func commandHelpCommand(s *Server, c *conn) {
	replyHelp(c, "COMMAND", []string{
		"(no subcommand)",
		"    Return details about all Redis commands.",
		"COUNT",
		"    Return the total number of commands in this Redis server.",
		"LIST",
		"    Return a list of all commands in this Redis server.",
		"INFO [<command-name> ...]",
		"    Return details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"DOCS [<command-name> ...]",
		"    Return documentation details about multiple Redis commands.",
		"    If no command names are given, documentation details for all",
		"    commands are returned.",
		"GETKEYS <full-command>",
		"    Return the keys from a full Redis command.",
		"GETKEYSANDFLAGS <full-command>",
		"    Return the keys and the access flags from a full Redis command.",
	})
}

func timeCommand(s *Server, c *conn) {
	now := time.Now()
	c.Array(2)
	c.BulkInt(now.Unix())
	c.BulkInt(int64(now.Nanosecond() / 1000))
}

func lastsaveCommand(s *Server, c *conn) { c.Int(s.lastSave) }

// shutdownCommand is SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. Without
// NOW, a master with lagging replicas first waits for them up to
// shutdown-timeout seconds, the client blocked meanwhile (shutdown.go).
func shutdownCommand(s *Server, c *conn) {
	var flags shutdownFlags
	abort := false
	for _, a := range c.Argv[1:] {
		switch strings.ToLower(string(a)) {
		case "nosave":
			flags.nosave = true
		case "save":
			flags.save = true
		case "now":
			flags.now = true
		case "force":
			flags.force = true
		case "abort":
			abort = true
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	if (abort && flags != shutdownFlags{}) || (flags.save && flags.nosave) {
		c.Error(rerr.Syntax)
		return
	}
	if abort {
		if !s.abortShutdown() {
			c.Error(rerr.Line("ERR No shutdown in progress."))
			return
		}
		c.Simple("OK")
		return
	}
	if !flags.now && c.Flags&(command.ClientInExec|command.ClientMulti|command.ClientInScript) != 0 {
		c.Error(rerr.Line("ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client"))
		return
	}
	if s.script.timedOut && !flags.nosave {
		// Only SHUTDOWN NOSAVE may stop a server whose script is busy.
		c.Error(s.busyReply())
		return
	}
	// Blocked until the server exits, or answered with an error if the
	// shutdown fails or is aborted (blockClient(c, BLOCKED_SHUTDOWN)).
	c.Flags |= command.ClientBlocked
	s.shutdown.blocked = append(s.shutdown.blocked, c)
	s.prepareForShutdown(flags)
}

// shutdownFlags are SHUTDOWN's options.
type shutdownFlags struct {
	save, nosave, now, force bool
}

// finishShutdown does what persistence needs before exiting, as
// finishShutdown: log the replicas still lagging, stop the background job,
// flush and fsync the AOF, and save the RDB when save points are
// configured (or SAVE was given). An error means the server must keep
// running (unless FORCE). Called with s.mu held.
func (s *Server) finishShutdown(flags shutdownFlags) error {
	s.logLaggingReplicas()
	if j := s.rdb.job; j != nil && j.kind == jobAOF && s.aof.state == aofWaitRewrite {
		// The first rewrite of an AOF turned on at runtime is the only
		// copy of the dataset it will have.
		if !flags.force {
			s.logf(logWarning, "Writing initial AOF, can't exit.")
			return errInitialAOF
		}
		s.logf(logWarning, "Writing initial AOF. Exit anyway.")
	}
	if j := s.rdb.job; j != nil {
		if j.kind == jobRDB {
			s.logf(logWarning, "There is a child saving an .rdb. Killing it!")
		} else {
			s.logf(logWarning, "There is a child rewriting the AOF. Killing it!")
		}
		s.killJob(j.kind)
		os.Remove(j.tmp)
	}
	if s.aof.state != aofOff {
		s.logf(logNotice, "Calling fsync() on the AOF file.")
		s.flushAOF(true)
		if s.aof.file != nil {
			fdatasync(s.aof.file)
		}
	}
	if (len(s.cfg.Save) > 0 && !flags.nosave) || flags.save {
		s.logf(logNotice, "Saving the final RDB snapshot before exiting.")
		if err := s.rdbSave(); err != nil {
			if !flags.force {
				s.logf(logWarning, "Error trying to save the DB, can't exit.")
				return err
			}
			s.logf(logWarning, "Error trying to save the DB. Exit anyway.")
		}
	}
	if s.aof.file != nil {
		s.aof.file.Close()
		s.aof.file = nil
	}
	return nil
}
