package server

import (
	"bytes"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/rerr"
	"shoal/internal/scripting"
)

// Scripting's server side (eval.c, script.c): EVAL*, SCRIPT, the fake
// client scripts call commands through, the checks of scriptCall, BUSY
// and SCRIPT KILL. The Lua engine itself is internal/scripting.

var (
	errNotBusy     = rerr.Line("NOTBUSY No scripts in execution right now.")
	errUnkillable  = rerr.Line("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.")
	errBusyFunc    = rerr.Line("BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.")
	errKeysGreater = rerr.Line("ERR Number of keys can't be greater than number of args")
	errKeysNeg     = rerr.Line("ERR Number of keys can't be negative")
	errFlushOpt    = rerr.Line("ERR SCRIPT FLUSH only support SYNC|ASYNC option")
	errNoCluster   = rerr.Line("ERR Can not run script on cluster, 'no-cluster' flag is set.")
	errROScript    = rerr.Line("ERR Can not execute a script with write flag using *_ro command.")
	errScriptOOM   = rerr.Line("OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'")
	errScriptStale = rerr.Line("MASTERDOWN Link with MASTER is down, replica-serve-stale-data is set to 'no' and 'allow-stale' flag is not set on the script.")

	errScriptReadOnlyReplica = rerr.Line("READONLY Can not run script with write flag on readonly replica")
)

// Script-level refusals of a command a script calls (scriptCall), quoted
// in the error table without their code.
const (
	refUnknown  = "Unknown Redis command called from script"
	refArity    = "Wrong number of args calling Redis command from script"
	refNoScript = "This Redis command is not allowed from script"
	refROScript = "Write commands are not allowed from read-only scripts."
	refOOM      = "-OOM command not allowed when used memory > 'maxmemory'."
	refStale    = "Can not execute the command on a stale replica"
	msgKilled   = "ERR Script killed by user with SCRIPT KILL..."
)

// scriptState is the running script and the engines.
type scriptState struct {
	eval *scripting.Engine
	fn   *scripting.Functions
	// lua is the fake client scripts call commands through.
	lua *conn
	// run and caller are the running script and who called it.
	run    *scripting.Run
	runBuf scripting.Run
	// byteArena and argvArena hold the copies of propagated argv.
	byteArena []byte
	argvArena [][]byte
	caller    *conn
	// timedOut: the script ran past busy-reply-threshold; other clients
	// get BUSY. busy mirrors it for goroutines without the lock (cron).
	timedOut bool
	busy     atomic.Bool
	// allowDenied is DEBUG SET-DISABLE-DENY-SCRIPTS: scripts may call
	// noscript commands (script_disable_deny_script).
	allowDenied bool
	// oom is the OOM state before the script's command (Redis's
	// pre_command_oom_state).
	oom bool
	// ClusterCheck, when set (cluster mode), checks a command a script
	// calls as Redis's scriptVerifyClusterState: every key in one slot
	// served here (and the same slot as the script's previous keys unless
	// allowCrossSlot). It returns the refusal text, or "" to run it.
	ClusterCheck func(caller *conn, cmd *command.Command, argv [][]byte, r *scripting.Run, allowCrossSlot bool) string
}

func init() {
	handle("eval", func(s *Server, c *conn) { s.evalGeneric(c, false, false) })
	handle("eval_ro", func(s *Server, c *conn) { s.evalGeneric(c, false, true) })
	handle("evalsha", func(s *Server, c *conn) { s.evalGeneric(c, true, false) })
	handle("evalsha_ro", func(s *Server, c *conn) { s.evalGeneric(c, true, true) })
	handle("script|load", scriptLoadCommand)
	handle("script|exists", scriptExistsCommand)
	handle("script|flush", scriptFlushCommand)
	handle("script|kill", func(s *Server, c *conn) { s.scriptKill(c, true) })
	handle("script|help", scriptHelpCommand)
	handle("script|debug", scriptDebugCommand)
}

// scripting returns the script state, making the engines on first use.
func (s *Server) scripting() *scriptState {
	st := &s.script
	if st.eval == nil {
		h := scriptHost{s}
		st.eval = scripting.New(h)
		st.fn = scripting.NewFunctions(h)
		lc := &conn{srv: s, fd: -1}
		lc.Core = s.core
		lc.Conn = lc
		lc.DB = s.ks.DBs[0]
		lc.Proto = 2
		lc.Flags = command.ClientLua | command.ClientInScript | command.ClientAuthenticated
		st.lua = lc
	}
	return st
}

// scriptHost is the server as the engines see it.
type scriptHost struct{ s *Server }

func (h scriptHost) Log(level int, msg string) { h.s.logf(level, "%s", msg) }

// KnownCommand is redis.acl_check_cmd's lookup.
func (h scriptHost) KnownCommand(argv [][]byte) bool { return lookupArgv(argv) != nil }

func lookupArgv(argv [][]byte) *command.Command {
	cmd := command.Lookup(argv[0])
	if cmd != nil && cmd.Sub != nil && len(argv) > 1 {
		return cmd.LookupSub(argv[1])
	}
	return cmd
}

// Call runs one command for the running script: Redis's scriptCall, its
// checks in order, then call() as for a client, propagation included
// unless redis.set_repl turned it off.
func (h scriptHost) Call(r *scripting.Run, argv [][]byte) ([]byte, string) {
	s := h.s
	st := &s.script
	lc := st.lua
	cmd := command.Lookup(argv[0])
	if cmd != nil && cmd.Sub != nil && len(argv) > 1 {
		cmd = cmd.LookupSub(argv[1])
	}
	if cmd == nil {
		return nil, s.scriptRefuse(nil, refUnknown)
	}
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity {
		return nil, s.scriptRefuse(cmd, refArity)
	}
	if cmd.Has(command.FlagNoScript) && !st.allowDenied {
		return nil, s.scriptRefuse(cmd, refNoScript)
	}
	write := cmd.Has(command.FlagWrite)
	if s.staleReplica() && !cmd.Has(command.FlagStale) {
		return nil, s.scriptRefuse(cmd, refStale)
	}
	if r.ReadOnly && (write || s.mayReplicate(cmd, argv)) {
		return nil, s.scriptRefuse(cmd, refROScript)
	}
	if write && !r.WriteDirty {
		if s.readOnlyReplica() && st.caller.Flags&command.ClientMaster == 0 && !s.ks.Loading {
			return nil, s.scriptRefuse(cmd, "-"+string(rerr.ReadOnly[1:len(rerr.ReadOnly)-2]))
		}
		if e := s.diskErrorReply(); e != nil {
			return nil, s.scriptRefuse(cmd, "-"+string(e[1:len(e)-2]))
		}
		if !s.enoughGoodReplicas() {
			return nil, s.scriptRefuse(cmd, "-"+string(rerr.NoReplicas[1:len(rerr.NoReplicas)-2]))
		}
	}
	if r.Flags&scripting.FlagAllowOOM == 0 || r.Flags&scripting.FlagEvalCompat != 0 {
		if s.cfg.MaxMemory > 0 && !r.WriteDirty && st.oom && cmd.Has(command.FlagDenyOOM) {
			return nil, s.scriptRefuse(cmd, refOOM)
		}
	}
	if write {
		r.WriteDirty = true
	}
	if st.ClusterCheck != nil {
		allowCross := r.Flags&(scripting.FlagEvalCompat|scripting.FlagAllowCrossSlot) != 0
		if msg := st.ClusterCheck(st.caller, cmd, argv, r, allowCross); msg != "" {
			return nil, s.scriptRefuse(cmd, msg)
		}
	}
	lc.Argv, lc.Cmd = argv, cmd
	lc.B = lc.B[:0]
	lc.Proto = r.Resp
	mark := len(s.prop.ops)
	s.call(lc, cmd)
	if r.Repl != scripting.ReplAll {
		s.filterScriptPropagation(mark, r.Repl)
	}
	for i := mark; i < len(s.prop.ops); i++ {
		// The engine reuses its argument buffers for the next call; what
		// waits to be propagated at the end of the script keeps a copy.
		s.prop.ops[i].argv = st.keepArgv(s.prop.ops[i].argv)
	}
	lc.Argv = nil
	return lc.B, ""
}

// filterScriptPropagation applies redis.set_repl's targets to the effects
// queued since mark: without the AOF bit they skip the AOF, without the
// replica bit they skip replicas, without both they are dropped.
func (s *Server) filterScriptPropagation(mark, targets int) {
	kept := mark
	for i := mark; i < len(s.prop.ops); i++ {
		op := s.prop.ops[i]
		s.prop.ops[i] = propOp{}
		switch {
		case targets&scripting.ReplReplica == 0 && op.replOnly,
			targets&scripting.ReplAOF == 0 && op.aofOnly,
			targets == 0:
			continue
		case targets == scripting.ReplAOF:
			op.aofOnly = true
		case targets == scripting.ReplReplica:
			op.replOnly = true
		}
		s.prop.ops[kept] = op
		kept++
	}
	s.prop.ops = s.prop.ops[:kept]
}

// scriptRefuse counts a refusal as Redis's afterErrorReply +
// incrCommandStatsOnError(REJECTED) and returns its text.
func (s *Server) scriptRefuse(cmd *command.Command, text string) string {
	lc := s.script.lua
	if strings.HasPrefix(text, "-") {
		lc.Error(rerr.Line(text[1:]))
	} else {
		lc.Error(rerr.Line("ERR " + text))
	}
	lc.B = lc.B[:0]
	if cmd != nil {
		cmd.RejectedCalls++
	}
	return text
}

// scriptCommandFlags are the flags the gauntlet applies to EVAL*/FCALL*
// called with argv: a script's shebang flags replace the command's
// (evalGetCommandFlags, fcallGetCommandFlags).
func (s *Server) scriptCommandFlags(argv [][]byte, cmd *command.Command) uint64 {
	flags, _ := s.scriptDeclaredFlags(argv, cmd)
	return flags
}

// scriptDeclaredFlags is scriptCommandFlags, also reporting whether the
// script declared flags (a shebang), which then say whether it may
// replicate; otherwise the command's own flags are returned.
func (s *Server) scriptDeclaredFlags(argv [][]byte, cmd *command.Command) (uint64, bool) {
	var flags uint64
	switch cmd.Name {
	case "eval", "eval_ro":
		if !bytes.HasPrefix(argv[1], []byte("#!")) {
			// No shebang (and no SHA1 to compute).
			return evalCompatFlags(cmd), false
		}
		f, _, errText := scripting.ExtractShebang(argv[1])
		if errText != "" {
			return cmd.Flags, false
		}
		flags = f
		if st := &s.script; st.eval != nil {
			if sc := st.eval.Script(scripting.SHA1Hex(argv[1])); sc != nil {
				flags = sc.Flags
			}
		}
	case "evalsha", "evalsha_ro":
		st := &s.script
		if len(argv[1]) != 40 || st.eval == nil {
			return cmd.Flags, false
		}
		sc := st.scriptBySHA(argv[1])
		if sc == nil {
			return cmd.Flags, false
		}
		flags = sc.Flags
	case "fcall", "fcall_ro":
		st := &s.script
		if st.fn == nil {
			return cmd.Flags, false
		}
		f := st.fn.Function(string(argv[1]))
		if f == nil {
			return cmd.Flags, false
		}
		flags = f.Flags
	default:
		return cmd.Flags, false
	}
	if flags&scripting.FlagEvalCompat != 0 {
		return evalCompatFlags(cmd), false
	}
	out := cmd.Flags &^ (command.FlagStale | command.FlagDenyOOM | command.FlagWrite | command.FlagMayReplicate)
	if flags&(scripting.FlagAllowOOM|scripting.FlagNoWrites) == 0 {
		out |= command.FlagDenyOOM
	}
	if flags&scripting.FlagNoWrites == 0 {
		out |= command.FlagWrite
	}
	if flags&scripting.FlagAllowStale != 0 {
		out |= command.FlagStale
	}
	return out, true
}

// scriptBySHA returns the cached script whose SHA1 is the 40 hex digits
// sha, in either case, or nil; it does not allocate (EVALSHA looks its
// script up twice, for the gauntlet's flags and to run it).
func (st *scriptState) scriptBySHA(sha []byte) *scripting.Script {
	var lower [40]byte
	for i, b := range sha {
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		lower[i] = b
	}
	return st.eval.ScriptBytes(lower[:])
}

// evalCompatFlags are the flags of a script without a shebang: EVAL's own
// but stale. redis-server 7.0.15 answers MASTERDOWN to such a script on a
// stale replica (unit/scripting "allow-stale shebang flag") though EVAL's
// table entry has the stale flag; an EVALSHA it cannot resolve keeps it.
func evalCompatFlags(cmd *command.Command) uint64 {
	return cmd.Flags &^ command.FlagStale
}

// evalGeneric is EVAL, EVALSHA and their _RO forms (evalGenericCommand).
func (s *Server) evalGeneric(c *conn, sha, ro bool) {
	st := s.scripting()
	if len(s.monitors) > 0 {
		// The script's commands show after it, as evalCommand feeds
		// monitors itself.
		s.feedMonitors(c)
	}
	if sha && len(c.Argv[1]) != 40 {
		c.Error(rerr.NoScript)
		return
	}
	numkeys, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
	if err != nil {
		c.Error(rerr.NotInteger)
		return
	}
	if numkeys > int64(len(c.Argv)-3) {
		c.Error(errKeysGreater)
		return
	}
	if numkeys < 0 {
		c.Error(errKeysNeg)
		return
	}
	var script *scripting.Script
	var name string
	if sha {
		if script = st.scriptBySHA(c.Argv[1]); script == nil {
			c.Error(rerr.NoScript)
			return
		}
		name = script.SHA
	} else {
		var errText string
		name, script, errText = st.eval.Create(c.Argv[1])
		if errText != "" {
			c.Error(rerr.Line(errText))
			return
		}
	}
	run := s.prepareScriptRun(c, name, script.Flags, ro, true)
	if run == nil {
		return
	}
	keys := c.Argv[3 : 3+numkeys]
	args := c.Argv[3+numkeys:]
	s.runScript(c, run, func() ([]byte, bool) {
		return st.eval.Eval(&c.Writer, run, script, keys, args)
	})
}

// prepareScriptRun is scriptPrepareForRun: the checks a script's flags
// call for before it starts, and its run state. nil when refused.
func (s *Server) prepareScriptRun(c *conn, name string, flags uint64, ro, eval bool) *scripting.Run {
	if flags&scripting.FlagEvalCompat == 0 {
		if flags&scripting.FlagNoCluster != 0 && s.cfg.ClusterEnabled {
			c.Error(errNoCluster)
			return nil
		}
		obey := c.Flags&command.ClientMaster != 0 || s.ks.Loading
		if s.staleReplica() && flags&scripting.FlagAllowStale == 0 {
			c.Error(errScriptStale)
			return nil
		}
		if flags&scripting.FlagNoWrites == 0 {
			if s.readOnlyReplica() && !obey {
				c.Error(errScriptReadOnlyReplica)
				return nil
			}
			if e := s.diskErrorReply(); e != nil && !obey {
				msg := string(e[1 : len(e)-2])
				if strings.HasPrefix(msg, "MISCONF Redis is configured to save RDB") {
					c.Error(rerr.Line("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts."))
				} else {
					c.Error(rerr.Line("MISCONF Redis is configured to persist data to AOF, but it's currently unable to persist to disk. Writable scripts are blocked. Use 'no-writes' flag for read only scripts. AOF error: " + strings.TrimPrefix(msg, "MISCONF Errors writing to the AOF file: ")))
				}
				return nil
			}
			if ro {
				c.Error(errROScript)
				return nil
			}
			if s.repl.replica.host == "" && !s.enoughGoodReplicas() {
				c.Error(rerr.NoReplicas)
				return nil
			}
		}
		if s.script.oom && s.cfg.MaxMemory > 0 && flags&(scripting.FlagAllowOOM|scripting.FlagNoWrites) == 0 {
			c.Error(errScriptOOM)
			return nil
		}
	}
	// Scripts do not nest (EVAL and FCALL are noscript): one Run is reused.
	run := &s.script.runBuf
	*run = scripting.Run{Name: name, Eval: eval, Flags: flags, Resp: 2, Repl: scripting.ReplAll, Slot: s.scriptDeclaredSlot(c), Start: nanotime()}
	if ro || (flags&scripting.FlagEvalCompat == 0 && flags&scripting.FlagNoWrites != 0) {
		run.ReadOnly = true
	}
	return run
}

// runScript runs a prepared script for c and replies: body runs it and
// returns its error reply, if any.
func (s *Server) runScript(c *conn, run *scripting.Run, body func() ([]byte, bool)) {
	st := &s.script
	st.lua.DB = c.DB
	st.run, st.caller = run, c
	if len(s.prop.ops) == 0 {
		st.byteArena = st.byteArena[:0]
		clear(st.argvArena)
		st.argvArena = st.argvArena[:0]
	}
	errLine, counted := body()
	if st.timedOut {
		s.exitScriptTimedOut()
	}
	st.run, st.caller = nil, nil
	if errLine != nil {
		if counted {
			c.Error(errLine)
		} else {
			c.ErrorNoStats(errLine)
		}
	}
	// The script's commands propagated themselves; the script does not
	// (preventCommandPropagation).
	c.PreventPropagation()
}

// Interrupt is called by the engines between Lua instructions (every
// 100000, as Redis's count hook). Past busy-reply-threshold the server
// serves other clients (BUSY, SCRIPT KILL...) while the script runs, as
// Redis's processEventsWhileBlocked. Called with s.mu held.
func (h scriptHost) Interrupt(r *scripting.Run) {
	s := h.s
	st := &s.script
	if st.run != r || s.cfg.BusyReplyThreshold <= 0 || s.ks.Loading {
		// Replaying the AOF (at start-up the lock may not even be held)
		// nothing else is served.
		return
	}
	elapsed := time.Duration(nanotime() - r.Start)
	if elapsed < time.Duration(s.cfg.BusyReplyThreshold)*time.Millisecond {
		return
	}
	if !st.timedOut {
		killCmd := "SCRIPT KILL"
		if !r.Eval {
			killCmd = "FUNCTION KILL"
		}
		s.logf(logWarning, "Slow script detected: still in execution after %d milliseconds. You can try killing the script using the %s command. Script name is: %s.", elapsed.Milliseconds(), killCmd, r.Name)
		st.timedOut = true
		st.busy.Store(true)
		if l := s.curLoop; l != nil {
			// The caller's pipeline may still be in the loop's read
			// buffer: the reads done meanwhile get a buffer of their own.
			l.readBuf = make([]byte, len(l.readBuf))
		}
	}
	s.processEventsWhileBlocked()
	if s.stopping.Load() {
		// SHUTDOWN NOSAVE while the script ran: no new client gets in,
		// and the script stops (Redis exits on the spot).
		s.closeListeners()
		st.eval.Kill(msgKilled)
		st.fn.Kill(msgKilled)
	}
}

// processEventsWhileBlocked lets other clients in while a timed-out
// script runs: the lock is released, the script's own loop polls its
// sockets once (the caller's connection is not read), and other loops may
// run their clients' commands, which processCommand answers with BUSY.
// Called with s.mu held; the script's time snapshot and clock survive.
func (s *Server) processEventsWhileBlocked() {
	l := s.curLoop
	now, clock, depth := s.ks.Now, s.clock, s.prop.depth
	caller := s.script.caller
	s.mu.Unlock()
	if l != nil {
		var events [64]syscall.EpollEvent
		n := epollPoll(l.epfd, events[:])
		for i := 0; i < n; i++ {
			if caller != nil && int(events[i].Fd) == caller.fd && caller.loop == l {
				continue
			}
			l.handleEvent(&events[i])
		}
		l.flushPending()
	}
	s.mu.Lock()
	s.curLoop = l
	s.ks.Now, s.clock, s.prop.depth = now, clock, depth
}

// exitScriptTimedOut ends BUSY mode when the script finishes.
func (s *Server) exitScriptTimedOut() {
	st := &s.script
	st.timedOut = false
	st.busy.Store(false)
	if c := st.caller; c != nil && c.loop != nil && !c.closed {
		// Input that arrived for the caller meanwhile is read now.
		c.resume = true
		c.queueWrite()
	}
}

// busyReply is the BUSY error other clients get while a script runs
// (slowevalerr / slowscripterr).
func (s *Server) busyReply() []byte {
	if r := s.script.run; r != nil && !r.Eval {
		return errBusyFunc
	}
	return rerr.Busy
}

// scriptKill is SCRIPT KILL (eval) and FUNCTION KILL (scriptKill).
func (s *Server) scriptKill(c *conn, eval bool) {
	st := &s.script
	r := st.run
	switch {
	case r == nil:
		c.Error(errNotBusy)
	case r.WriteDirty:
		c.Error(errUnkillable)
	case eval && !r.Eval:
		c.Error(errBusyFunc)
	case !eval && r.Eval:
		c.Error(rerr.Busy)
	default:
		s.logf(logWarning, "Lua script killed by user with SCRIPT KILL.")
		if r.Eval {
			st.eval.Kill(msgKilled)
		} else {
			st.fn.Kill(msgKilled)
		}
		c.Simple("OK")
	}
}

func scriptLoadCommand(s *Server, c *conn) {
	sha, _, errText := s.scripting().eval.Create(c.Argv[2])
	if errText != "" {
		c.Error(rerr.Line(errText))
		return
	}
	c.BulkString(sha)
}

func scriptExistsCommand(s *Server, c *conn) {
	eng := s.scripting().eval
	c.Array(len(c.Argv) - 2)
	for _, a := range c.Argv[2:] {
		if eng.Script(string(a)) != nil {
			c.Int(1)
		} else {
			c.Int(0)
		}
	}
}

func scriptFlushCommand(s *Server, c *conn) {
	if len(c.Argv) > 3 || (len(c.Argv) == 3 && !strings.EqualFold(string(c.Argv[2]), "sync") && !strings.EqualFold(string(c.Argv[2]), "async")) {
		c.Error(errFlushOpt)
		return
	}
	s.scripting().eval.Flush()
	c.Simple("OK")
}

// scriptDebugCommand: Shoal has no Lua debugger (LDB); SCRIPT DEBUG NO is
// accepted, YES and SYNC are refused.
func scriptDebugCommand(s *Server, c *conn) {
	switch strings.ToLower(string(c.Argv[2])) {
	case "no":
		c.Simple("OK")
	case "yes", "sync":
		c.Error(rerr.Line("ERR SCRIPT DEBUG is not supported by this server"))
	default:
		c.Error(rerr.Line("ERR Use SCRIPT DEBUG YES/SYNC/NO"))
	}
}

var scriptHelp = []string{
	"DEBUG (YES|SYNC|NO)",
	"    Set the debug mode for subsequent scripts executed.",
	"EXISTS <sha1> [<sha1> ...]",
	"    Return information about the existence of the scripts in the script cache.",
	"FLUSH [ASYNC|SYNC]",
	"    Flush the Lua scripts cache. Very dangerous on replicas.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the scripts cache.",
	"    * SYNC: Synchronously flush the scripts cache.",
	"KILL",
	"    Kill the currently executing Lua script.",
	"LOAD <script>",
	"    Load a script into the scripts cache without executing it.",
}

func scriptHelpCommand(s *Server, c *conn) { replyHelp(c, "SCRIPT", scriptHelp) }

// infoScriptMemory writes INFO memory's scripting fields, as Redis 7.0
// lists them.
func (s *Server) infoScriptMemory(b *strings.Builder) {
	st := s.scripting()
	vmEval := uint64(st.eval.Memory())
	vmFuncs := uint64(st.fn.Memory())
	libs, funcs := st.fn.Count()
	scriptsEval := uint64(st.eval.ScriptsMem)
	field(b, "used_memory_lua", vmEval)
	field(b, "used_memory_vm_eval", vmEval)
	field(b, "used_memory_lua_human", humanBytes(vmEval))
	field(b, "used_memory_scripts_eval", scriptsEval)
	field(b, "number_of_cached_scripts", st.eval.Len())
	field(b, "number_of_functions", funcs)
	field(b, "number_of_libraries", libs)
	field(b, "used_memory_vm_functions", vmFuncs)
	field(b, "used_memory_vm_total", vmEval+vmFuncs)
	field(b, "used_memory_vm_total_human", humanBytes(vmEval+vmFuncs))
	field(b, "used_memory_functions", uint64(0))
	field(b, "used_memory_scripts", scriptsEval)
	field(b, "used_memory_scripts_human", humanBytes(scriptsEval))
}

// keepArgv copies argv into the script's arenas. They are reset when a
// script starts with nothing left to propagate, so a copy lives until its
// command has been propagated; growing an arena leaves earlier copies in
// the old array, untouched.
func (st *scriptState) keepArgv(argv [][]byte) [][]byte {
	start := len(st.argvArena)
	for _, a := range argv {
		if cap(st.byteArena)-len(st.byteArena) < len(a) {
			st.byteArena = make([]byte, 0, max(4096, 2*len(a)))
		}
		st.byteArena = append(st.byteArena, a...)
		st.argvArena = append(st.argvArena, st.byteArena[len(st.byteArena)-len(a):len(st.byteArena):len(st.byteArena)])
	}
	return st.argvArena[start:len(st.argvArena):len(st.argvArena)]
}

// isROScriptCommand reports EVAL_RO, EVALSHA_RO and FCALL_RO, read-only
// commands whose keys are tracked only through the commands they run.
func isROScriptCommand(cmd *command.Command) bool {
	switch cmd.Name {
	case "eval_ro", "evalsha_ro", "fcall_ro":
		return true
	}
	return false
}
