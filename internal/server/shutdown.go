package server

import (
	"errors"
	"math"
	"syscall"

	"shoal/internal/command"
	"shoal/internal/rerr"
)

// Shutting down with lagging replicas (Redis 7.0's shutdown-timeout): a
// SHUTDOWN without NOW, or SIGTERM/SIGINT, on a master whose replicas have
// not all acknowledged master_repl_offset pauses writes, asks them for an
// ACK (REPLCONF GETACK) and lets the cron finish the shutdown once they
// all have, or shutdown-timeout seconds have passed. SHUTDOWN clients
// stay blocked meanwhile; SHUTDOWN ABORT, or a failure to save, cancels
// it and answers them with an error.

// shutdownState is a shutdown under way.
type shutdownState struct {
	// deadline is when the wait for replicas ends (unix ms); 0 when no
	// shutdown is under way (isShutdownInitiated).
	deadline int64
	flags    shutdownFlags
	// blocked are the clients whose SHUTDOWN waits for the outcome.
	blocked []*conn
	// pause is the client pause before the shutdown's own.
	pause pauseState
}

// errInitialAOF is finishShutdown's refusal to exit while an AOF turned
// on at runtime has no base yet.
var errInitialAOF = errors.New("writing initial AOF")

// shutdownReplyError is what blocked SHUTDOWN clients get when the
// shutdown fails or is aborted.
var shutdownReplyError = rerr.Line("ERR Errors trying to SHUTDOWN. Check logs.")

// prepareForShutdown starts a shutdown (prepareForShutdown): at once, or,
// with lagging replicas and shutdown-timeout set and no NOW, after they
// catch up. The server stops (Shutdown) once it is done; a failure keeps
// it serving. Called with s.mu held.
func (s *Server) prepareForShutdown(flags shutdownFlags) {
	sh := &s.shutdown
	if sh.deadline != 0 {
		// One is under way: its outcome answers this client too.
		return
	}
	if s.load.active.Load() {
		// Never save a half-loaded dataset.
		flags.save, flags.nosave = false, true
	}
	sh.flags = flags
	s.logf(logWarning, "User requested shutdown...")
	if !flags.now && s.cfg.ShutdownTimeout != 0 && !s.replicasInSync() {
		sh.deadline = s.cron.nowMs + int64(s.cfg.ShutdownTimeout)*1000
		if !s.pause.active {
			s.sendGetAck()
		}
		sh.pause = s.pause
		if s.pause.active {
			s.pause.end = math.MaxInt64
		} else {
			s.pause = pauseState{active: true, writeOnly: true, end: math.MaxInt64, waiting: s.pause.waiting}
			s.ks.KeepExpired = true
		}
		s.logf(logNotice, "Waiting for replicas before shutting down.")
		return
	}
	s.completeShutdown()
}

// replicasInSync reports whether every replica acknowledged
// master_repl_offset (isReadyToShutdown).
func (s *Server) replicasInSync() bool {
	for _, c := range s.repl.replicas {
		if c.repl.ackOff != s.repl.ids.Offset {
			return false
		}
	}
	return true
}

// logLaggingReplicas logs each replica behind master_repl_offset and how
// many are in sync, as finishShutdown.
func (s *Server) logLaggingReplicas() {
	lagging := 0
	for _, c := range s.repl.replicas {
		rc := c.repl
		if rc.ackOff == s.repl.ids.Offset {
			continue
		}
		lagging++
		lag := int64(0)
		if rc.state == replicaOnline {
			lag = (s.cron.nowMs - rc.ackTime) / 1000
		}
		s.logf(logWarning, "Lagging replica %s reported offset %d behind master, lag=%d, state=%s.",
			s.replicaName(c), s.repl.ids.Offset-rc.ackOff, lag, replicaStateNames[rc.state])
	}
	if n := len(s.repl.replicas); n > 0 {
		s.logf(logNotice, "%d of %d replicas are in sync when shutting down.", n-lagging, n)
	}
}

// completeShutdown persists what must be and stops the server, or, on a
// failure, cancels the shutdown. Called with s.mu held.
func (s *Server) completeShutdown() {
	if err := s.finishShutdown(s.shutdown.flags); err != nil {
		s.logf(logWarning, "Errors trying to shut down the server. Check the logs for more information.")
		s.cancelShutdown()
		return
	}
	s.Shutdown()
}

// cancelShutdown ends a shutdown that will not happen: blocked SHUTDOWN
// clients get an error and the pause lifts (cancelShutdown). Called with
// s.mu held.
func (s *Server) cancelShutdown() {
	sh := &s.shutdown
	if sh.deadline != 0 {
		if sh.pause.active {
			s.pause.end = sh.pause.end
		} else if s.pause.active {
			s.unpause()
		}
	}
	sh.deadline = 0
	sh.flags = shutdownFlags{}
	sh.pause = pauseState{}
	s.shutdownASAP.Store(0)
	for _, c := range sh.blocked {
		if c.closed || c.Flags&command.ClientBlocked == 0 {
			continue
		}
		s.unparkClient(c)
		c.Error(shutdownReplyError)
		c.queueWrite()
		s.resumeInput(c)
	}
	clear(sh.blocked)
	sh.blocked = sh.blocked[:0]
}

// abortShutdown is SHUTDOWN ABORT: it cancels a shutdown under way or one
// a signal asked for that the cron has not started. It reports false when
// there is neither.
func (s *Server) abortShutdown() bool {
	switch {
	case s.shutdown.deadline != 0:
		s.cancelShutdown()
	case s.shutdownASAP.Load() != 0:
		s.shutdownASAP.Store(0)
	default:
		return false
	}
	s.logf(logNotice, "Shutdown manually aborted.")
	return true
}

// shutdownCron is serverCron's shutdown step: a signal's shutdown starts,
// and one waiting for replicas finishes once they caught up or its time
// is up. Called with s.mu held.
func (s *Server) shutdownCron() {
	switch {
	case s.shutdown.deadline != 0:
		if s.cron.nowMs >= s.shutdown.deadline || s.replicasInSync() {
			s.completeShutdown()
		}
	case s.shutdownASAP.Load() != 0:
		s.prepareForShutdown(signalShutdownFlags(s.cfg, syscall.Signal(s.shutdownASAP.Load())))
	}
}

// shutdownInMs is INFO's shutdown_in_milliseconds, or -1 when no shutdown
// waits for replicas.
func (s *Server) shutdownInMs() int64 {
	if s.shutdown.deadline == 0 {
		return -1
	}
	return s.shutdown.deadline - s.cron.nowMs
}
