package server

import (
	"strings"
	"time"

	"shoal/internal/command"
	"shoal/internal/rerr"
)

// processCommand is the validation gauntlet of Redis's processCommand, in
// the same order so that error precedence matches: lookup, arity, auth,
// transaction rules, pub/sub context, then queue (MULTI) or call.
// Called with s.mu held.
func (s *Server) processCommand(c *conn) {
	argv := c.Argv
	c.lastSeen = s.cron.nowMs
	c.Cmd = nil
	cmd := command.Lookup(argv[0])
	if cmd == nil {
		s.rejectCommand(c, rerr.UnknownCommand(argv[0], argv[1:]))
		return
	}
	if cmd.Sub != nil && len(argv) > 1 {
		sub := cmd.LookupSub(argv[1])
		if sub == nil {
			s.rejectCommand(c, rerr.UnknownSubcommand(argv[1], cmd.Name))
			return
		}
		cmd = sub
	}
	c.Cmd = cmd
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity {
		s.rejectCommand(c, rerr.WrongArgs(cmd.Name))
		return
	}
	c.Cmd = cmd
	if cmd.Has(command.FlagProtected) {
		if e := s.protectedReject(c, cmd); e != nil {
			s.rejectCommand(c, e)
			return
		}
	}
	if c.Flags&command.ClientAuthenticated == 0 && !cmd.Has(command.FlagNoAuth) {
		s.rejectCommand(c, rerr.NoAuth)
		return
	}
	if c.Flags&command.ClientMulti != 0 && cmd.Has(command.FlagNoMulti) {
		s.rejectCommand(c, rerr.Line("ERR Command not allowed inside a transaction"))
		return
	}
	if s.cl != nil && s.clusterRedirect(c, cmd) {
		return
	}
	if s.cfg.MaxmemoryClients != 0 && s.evictBeforeCommand(c) {
		// Evicted for its memory, this command included: it does not run.
		return
	}
	// A script's shebang flags stand for EVAL's and FCALL's own.
	flags := cmd.Flags
	if cmd.Has(command.FlagNoScript) && cmd.Has(command.FlagSkipMonitor) {
		flags = s.scriptCommandFlags(c.Argv, cmd)
	}
	if s.cfg.MaxMemory > 0 && c.Flags&command.ClientMaster == 0 && !s.script.timedOut {
		ok := s.performEvictions()
		s.script.oom = !ok
		denyOOM := flags&command.FlagDenyOOM != 0 || (cmd.Name == "exec" && c.multi.denyOOM)
		if !ok && denyOOM {
			s.rejectCommand(c, rerr.OOM)
			return
		}
	}
	if s.rdbOrAOFTrouble() && (flags&command.FlagWrite != 0 || cmd.Name == "ping" || (cmd.Name == "exec" && c.multi.hasWrite)) {
		if e := s.diskErrorReply(); e != nil && c.Flags&command.ClientMaster == 0 {
			s.rejectCommand(c, e)
			return
		}
	}
	if e := s.replicaRefusal(c, cmd, flags, false); e != nil {
		s.rejectCommand(c, e)
		return
	}
	if c.Proto == 2 && c.Flags&command.ClientPubSub != 0 && !allowedInPubSub(cmd) {
		s.rejectCommand(c, rerr.Line("ERR Can't execute '"+cmd.Name+"': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context"))
		return
	}
	if e := s.replicaRefusal(c, cmd, flags, true); e != nil {
		s.rejectCommand(c, e)
		return
	}
	if c.Flags&command.ClientReplica != 0 {
		if e := s.replicaKeyspaceRefusal(c, cmd); e != nil {
			s.rejectCommand(c, e)
			return
		}
	}
	if s.load.active.Load() && !cmd.Has(command.FlagLoading) {
		s.rejectCommand(c, rerr.Loading)
		return
	}
	if s.load.async.Load() && (cmd.Has(command.FlagNoAsyncLoading) || (cmd.Name == "exec" && c.multi.has(command.FlagNoAsyncLoading))) {
		s.rejectCommand(c, rerr.Loading)
		return
	}
	if s.script.timedOut && !cmd.Has(command.FlagAllowBusy) {
		s.rejectCommand(c, s.busyReply())
		return
	}
	if c.Flags&command.ClientMulti != 0 && !isMultiControl(cmd) {
		s.queueMultiCommand(c, flags)
		return
	}
	s.call(c, cmd)
	if !s.script.timedOut {
		// Keys a busy script made ready are served after it.
		s.handleClientsBlockedOnKeys()
	}
}

// rejectCommand replies with an error before execution and, inside MULTI,
// makes EXEC fail (flagTransaction).
func (s *Server) rejectCommand(c *conn, e []byte) {
	if c.Cmd != nil {
		c.Cmd.RejectedCalls++
	}
	if c.Cmd != nil && c.Cmd.Name == "exec" {
		// EXEC itself refused: the transaction is discarded, and the
		// reason is quoted without its ERR prefix (execCommandAbort).
		msg := strings.TrimPrefix(string(e[1:len(e)-2]), "ERR ")
		c.discardTransaction()
		c.Error(rerr.Line("EXECABORT Transaction discarded because of: " + msg))
		return
	}
	if c.Flags&command.ClientMulti != 0 {
		c.Flags |= command.ClientDirtyExec
	}
	c.Error(e)
}

func allowedInPubSub(cmd *command.Command) bool {
	switch cmd.Name {
	case "ping", "subscribe", "unsubscribe", "psubscribe", "punsubscribe", "ssubscribe", "sunsubscribe", "quit", "reset":
		return true
	}
	return false
}

func isMultiControl(cmd *command.Command) bool {
	switch cmd.Name {
	case "exec", "discard", "multi", "watch", "quit", "reset":
		return true
	}
	return false
}

// call executes one command and does the bookkeeping around it: time
// snapshot, stats, MONITOR, slowlog and propagation, as Redis's call().
func (s *Server) call(c *conn, cmd *command.Command) {
	if c.Flags&(command.ClientInExec|command.ClientLua) == 0 {
		s.ks.Now = s.clock.nowMs()
		s.cron.nowMs = s.ks.Now
	}
	c.ResetCommandState()
	s.prop.depth++
	if c.Flags&command.ClientLua == 0 {
		// A script's commands act for its caller (NOLOOP).
		s.tracking.cur = c
	}
	s.ks.ReadCommand = cmd.Has(command.FlagReadOnly)
	s.ks.MasterApplying = c.Flags&command.ClientMaster != 0
	dirty := s.core.Dirty
	// One clock reading per command: the end of this one is the start of
	// the next (time.Now showed up at 8% of a SET profile when read twice).
	cmd.Proc(&c.Client)
	s.ks.Settle()
	durNs := s.clock.tick()
	if int64(len(c.B))+c.obufPending.Load() >= s.obufMinLimit {
		// A reply over the client's output buffer limit closes it before
		// any of it is sent (asyncCloseClientOnOutputBufferLimitReached).
		s.checkOutputLimit(c)
	}
	s.ks.ReadCommand = false
	s.ks.MasterApplying = false
	if s.tracking.table != nil {
		s.trackingAfterCall(c, cmd)
	}
	dur := time.Duration(durNs)
	if s.ks.Loading {
		// Replaying the AOF: no stats, MONITOR, slowlog or propagation, as
		// Redis's isAOFLoadingContext.
		s.prop.depth--
		return
	}
	// After the command, as Redis 7.0: EXEC shows after what it ran, a
	// SELECT shows the new database, a monitor's own RESET is not echoed.
	if len(s.monitors) > 0 && !cmd.Has(command.FlagSkipMonitor) && !cmd.Has(command.FlagAdmin) {
		s.feedMonitors(c)
	}
	if c.Flags&command.ClientBlocked != 0 && c.block.cmd == nil {
		s.parkClient(c)
	}
	cmd.Calls++
	cmd.Usec += dur.Microseconds()
	if c.Errored() > 0 {
		cmd.FailedCalls++
	}
	s.stats.totalCommands++
	s.slowlogPush(c, dur)
	s.latencyAfterCall(cmd, durNs)
	s.latencyTrack(c, cmd, durNs)
	// EXEC is never propagated itself: what its commands propagate is
	// wrapped in MULTI/EXEC by flushPropagation.
	own, extra := c.Propagation()
	if own != nil && cmd.Name != "exec" && (s.core.Dirty > dirty || c.PropagationForced()) {
		s.alsoPropagate(c.DB.ID, own)
	}
	for _, argv := range extra {
		s.alsoPropagate(c.DB.ID, argv)
	}
	c.lastCmd = cmd.Name
	if s.prop.depth--; s.prop.depth == 0 && len(s.prop.ops) > 0 {
		s.flushPropagation(cmd)
		c.woff = s.repl.ids.Offset
	}
}
