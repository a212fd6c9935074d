package server

import "shoal/internal/command"

// Propagation, as Redis 7.0's call()/alsoPropagate/propagatePendingCommands:
// what one top-level command makes the AOF and replicas execute — its own
// (possibly rewritten) argv, extra commands, the DELs of keys it found
// expired, and for EXEC every queued command — is collected while it runs
// and written when it returns, wrapped in MULTI/EXEC when there is more than
// one, so a replica or an AOF replay applies it atomically.

// propState is the propagation collected for the running top-level call.
type propState struct {
	depth int // nesting of call() (EXEC runs its commands through call)
	ops   []propOp
}

type propOp struct {
	dbid int
	argv [][]byte
	// replOnly: for replicas, not the AOF (PUBLISH, as PROPAGATE_REPL).
	replOnly bool
	// aofOnly: for the AOF, not replicas (a script's command after
	// redis.set_repl(redis.REPL_AOF), as PROPAGATE_AOF).
	aofOnly bool
}

var (
	argvMulti  = [][]byte{[]byte("MULTI")}
	argvExec   = [][]byte{[]byte("EXEC")}
	argvDel    = []byte("DEL")
	argvUnlink = []byte("UNLINK")
)

// alsoPropagate queues argv for the running command, or propagates it at
// once outside any command (active expiry, eviction).
func (s *Server) alsoPropagate(dbid int, argv [][]byte) {
	if s.prop.depth == 0 {
		s.propagate(dbid, argv)
		return
	}
	s.prop.ops = append(s.prop.ops, propOp{dbid: dbid, argv: argv})
}

// alsoPropagateRepl queues argv for replicas only, as Redis's
// forceCommandPropagation(c, PROPAGATE_REPL) for PUBLISH. Called with
// s.mu held, inside a command.
func (s *Server) alsoPropagateRepl(dbid int, argv [][]byte) {
	s.prop.ops = append(s.prop.ops, propOp{dbid: dbid, argv: argv, replOnly: true})
}

// flushPropagation writes what the top-level command cmd collected. Commands
// that may lazily expire arbitrary keys (SCAN, RANDOMKEY) propagate their
// DELs unwrapped, as CMD_TOUCHES_ARBITRARY_KEYS.
func (s *Server) flushPropagation(cmd *command.Command) {
	ops := s.prop.ops
	wrap := len(ops) > 1 && cmd.Name != "scan" && cmd.Name != "randomkey"
	if wrap {
		// MULTI takes the first command's database, so its SELECT comes
		// first; EXEC the last one's, so none is added before it.
		s.propagate(ops[0].dbid, argvMulti)
	}
	last := ops[len(ops)-1].dbid
	for i := range ops {
		switch {
		case ops[i].replOnly:
			s.feedReplicas(ops[i].dbid, ops[i].argv)
		case ops[i].aofOnly:
			s.propagateAOF(ops[i].dbid, ops[i].argv)
		default:
			s.propagate(ops[i].dbid, ops[i].argv)
		}
		ops[i] = propOp{}
	}
	if wrap {
		s.propagate(last, argvExec)
	}
	s.prop.ops = ops[:0]
}

// propagate feeds a write to the AOF and replicas, in execution order.
// Nothing is propagated while the dataset is being loaded.
func (s *Server) propagate(dbid int, argv [][]byte) {
	if s.ks.Loading {
		return
	}
	s.stats.propagated++
	if s.aof.state != aofOff {
		s.feedAOF(dbid, argv)
	}
	s.feedReplicas(dbid, argv)
}

// propagateAOF feeds a write to the AOF only.
func (s *Server) propagateAOF(dbid int, argv [][]byte) {
	if s.ks.Loading {
		return
	}
	s.stats.propagated++
	if s.aof.state != aofOff {
		s.feedAOF(dbid, argv)
	}
}

// beforeReplies runs before a loop writes a pass's replies (Redis's
// beforeSleep): BCAST invalidations go out, and the AOF must have what the
// replies acknowledge, fsynced under appendfsync always.
func (s *Server) beforeReplies() {
	s.replBeforeReplies()
	if s.tracking.table != nil {
		s.trackingBeforeReplies()
	}
	if s.aof.file != nil && (len(s.aof.buf) > 0 || s.aof.unsynced) {
		s.flushAOF(false)
	}
}
