package server

import (
	"math"
	"strconv"
	"strings"

	"shoal/internal/rerr"
)

// The standalone FAILOVER command (replication.c's failoverCommand and
// updateFailoverStatus): writes are paused, the master waits until a
// replica acknowledged its whole stream, then becomes that replica's
// replica, sending PSYNC ... FAILOVER so the replica promotes itself first
// and continues the old master's history (+CONTINUE).

// Failover states (failover_state), as INFO names them.
const (
	noFailover = iota
	failoverWaitForSync
	failoverInProgress
)

var failoverStateNames = [...]string{"no-failover", "waiting-for-sync", "failover-in-progress"}

// failoverState is a FAILOVER in progress.
type failoverState struct {
	state int
	host  string // target replica, "" for any
	port  int
	force bool
	end   int64 // unix ms, 0 without TIMEOUT
	// ownsPause: the write pause is the failover's own, lifted with it.
	ownsPause bool
}

// failoverCommand is FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms].
func failoverCommand(s *Server, c *conn) {
	f := &s.repl.failover
	if s.cfg.ClusterEnabled {
		c.Error(rerr.Line("ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead."))
		return
	}
	if len(c.Argv) == 2 && strings.EqualFold(string(c.Argv[1]), "abort") {
		if f.state == noFailover {
			c.Error(rerr.Line("ERR No failover in progress."))
			return
		}
		s.abortFailover("Failover manually aborted")
		c.Simple("OK")
		return
	}
	var timeout int64
	var host string
	var port int64
	force := false
	for j := 1; j < len(c.Argv); j++ {
		a := string(c.Argv[j])
		switch {
		case strings.EqualFold(a, "timeout") && j+1 < len(c.Argv) && timeout == 0:
			v, err := strconv.ParseInt(string(c.Argv[j+1]), 10, 64)
			if err != nil {
				c.Error(rerr.NotInteger)
				return
			}
			if v <= 0 {
				c.Error(rerr.Line("ERR FAILOVER timeout must be greater than 0"))
				return
			}
			timeout = v
			j++
		case strings.EqualFold(a, "to") && j+2 < len(c.Argv) && host == "":
			v, err := strconv.ParseInt(string(c.Argv[j+2]), 10, 64)
			if err != nil {
				c.Error(rerr.NotInteger)
				return
			}
			host, port = string(c.Argv[j+1]), v
			j += 2
		case strings.EqualFold(a, "force") && !force:
			force = true
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	switch {
	case f.state != noFailover:
		c.Error(rerr.Line("ERR FAILOVER already in progress."))
		return
	case s.repl.replica.host != "":
		c.Error(rerr.Line("ERR FAILOVER is not valid when server is a replica."))
		return
	case len(s.repl.replicas) == 0:
		c.Error(rerr.Line("ERR FAILOVER requires connected replicas."))
		return
	case force && (timeout == 0 || host == ""):
		c.Error(rerr.Line("ERR FAILOVER with force option requires both a timeout and target HOST and IP."))
		return
	}
	if host != "" {
		r := s.findReplica(host, int(port))
		if r == nil {
			c.Error(rerr.Line("ERR FAILOVER target HOST and PORT is not a replica."))
			return
		}
		if r.repl.state != replicaOnline {
			c.Error(rerr.Line("ERR FAILOVER target replica is not online."))
			return
		}
		s.logf(logNotice, "FAILOVER requested to %s:%d.", host, port)
	} else {
		s.logf(logNotice, "FAILOVER requested to any replica.")
	}
	*f = failoverState{state: failoverWaitForSync, host: host, port: int(port), force: force}
	if timeout > 0 {
		f.end = s.cron.nowMs + timeout
	}
	if !s.pause.active {
		s.pause = pauseState{active: true, writeOnly: true, end: math.MaxInt64, waiting: s.pause.waiting}
		s.ks.KeepExpired = true
		f.ownsPause = true
	}
	c.Simple("OK")
}

// findReplica is the replica announcing host:port.
func (s *Server) findReplica(host string, port int) *conn {
	for _, r := range s.repl.replicas {
		if strings.EqualFold(r.replicaIP(), host) && r.repl.listeningPort == port {
			return r
		}
	}
	return nil
}

// clearFailover ends a failover, lifting its pause. Called with s.mu held.
func (s *Server) clearFailover() {
	f := &s.repl.failover
	if f.ownsPause && s.pause.active && s.pause.end == math.MaxInt64 {
		s.unpause()
	}
	*f = failoverState{}
}

// abortFailover is abortFailover: back to a master. Called with s.mu held.
func (s *Server) abortFailover(why string) {
	f := &s.repl.failover
	if f.state == noFailover {
		return
	}
	if f.host != "" {
		s.logf(logNotice, "FAILOVER to %s:%d aborted: %s", f.host, f.port, why)
	} else {
		s.logf(logNotice, "FAILOVER to any replica aborted: %s", why)
	}
	if f.state == failoverInProgress {
		s.replicationUnsetMaster()
	}
	s.clearFailover()
}

// failoverCron is updateFailoverStatus. Called with s.mu held.
func (s *Server) failoverCron() {
	f := &s.repl.failover
	if f.state != failoverWaitForSync {
		return
	}
	if f.end != 0 && f.end <= s.cron.nowMs {
		if f.force {
			s.logf(logNotice, "FAILOVER to %s:%d time out exceeded, failing over.", f.host, f.port)
			f.state = failoverInProgress
			s.replicationSetMaster(f.host, f.port)
			return
		}
		s.abortFailover("Replica never caught up before timeout")
		return
	}
	var target *conn
	if f.host != "" {
		target = s.findReplica(f.host, f.port)
	} else {
		for _, r := range s.repl.replicas {
			if r.repl.ackOff == s.repl.ids.Offset {
				target = r
				f.host, f.port = r.replicaIP(), r.repl.listeningPort
				break
			}
		}
	}
	if target != nil && target.repl.ackOff == s.repl.ids.Offset {
		f.state = failoverInProgress
		s.logf(logNotice, "Failover target %s:%d is synced, failing over.", f.host, f.port)
		s.replicationSetMaster(f.host, f.port)
	}
}

// psyncFailover handles PSYNC replid offset FAILOVER on a replica: when
// the replid is ours, become a master first, so the PSYNC continues.
// It reports false when it replied with an error.
func (s *Server) psyncFailover(c *conn) bool {
	s.logf(logWarning, "Failover request received for replid %s.", c.Argv[1])
	if s.repl.replica.host == "" {
		c.Error(rerr.Line("ERR PSYNC FAILOVER can't be sent to a master."))
		return false
	}
	if string(c.Argv[1]) != s.repl.ids.ID {
		c.Error(rerr.Line("ERR PSYNC FAILOVER replid must match my replid."))
		return false
	}
	s.replicationUnsetMaster()
	s.logf(logNotice, "MASTER MODE enabled (failover request from 'id=%d addr=%s')", c.ID, c.addr)
	return true
}

func init() {
	handle("failover", failoverCommand)
}
