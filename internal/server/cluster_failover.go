package server

import (
	"math"
	"strings"

	"shoal/internal/cluster"
	"shoal/internal/rerr"
)

// Cluster failover, the driver's half (docs/DESIGN.md, "How cluster
// failover uses it"): the state machine decides roles, elections and
// manual failovers; this file makes the replication driver follow its
// decisions and feeds back what only replication knows (the offset and the
// health of the link to the master).

func init() {
	handle("cluster|failover", func(s *Server, c *conn) {
		if !s.cfg.ClusterEnabled {
			c.Error(rerr.ClusterDisabled)
			return
		}
		s.clusterFailoverCommand(c)
		s.clusterApply()
	})
}

// clusterFailoverCommand is CLUSTER FAILOVER [FORCE|TAKEOVER].
func (s *Server) clusterFailoverCommand(c *conn) {
	mode := cluster.FailoverDefault
	switch {
	case len(c.Argv) > 3:
		c.Error(subcommandSyntaxError(c))
		return
	case len(c.Argv) == 3 && strings.EqualFold(string(c.Argv[2]), "force"):
		mode = cluster.FailoverForce
	case len(c.Argv) == 3 && strings.EqualFold(string(c.Argv[2]), "takeover"):
		mode = cluster.FailoverTakeover
	case len(c.Argv) == 3:
		c.Error(rerr.Syntax)
		return
	}
	s.clusterFeedRepl()
	if err := s.cl.st.Failover(mode); err != nil {
		var msg string
		switch err {
		case cluster.ErrFailoverNotReplica:
			msg = "ERR You should send CLUSTER FAILOVER to a replica"
		case cluster.ErrFailoverNoMaster:
			msg = "ERR I'm a replica but my master is unknown to me"
		case cluster.ErrFailoverMasterDown:
			msg = "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE"
		default:
			msg = "ERR Unexpected cluster error"
		}
		c.Error(rerr.Line(msg))
		return
	}
	c.Simple("OK")
}

// clusterFeedRepl gives the state machine the replication facts its
// headers and elections use: my offset (replicationGetSlaveOffset on a
// replica, master_repl_offset on a master) and, on a replica, whether the
// link to the master is up and since when it was last heard from or lost
// (the election's data age). Called with s.mu held before the state
// machine runs.
func (s *Server) clusterFeedRepl() {
	st := s.cl.st
	st.SetReplOffset(s.replOffset())
	rp := &s.repl.replica
	if rp.master != nil && rp.state == replConnected {
		st.SetMasterDataTime(rp.master.lastSeen)
	} else {
		since := rp.downSince
		if since == 0 {
			since = s.cron.nowMs
		}
		st.SetMasterDataTime(since)
	}
}

// clusterApplyFailover carries out the failover part of a Ready: follow
// my master (or stop following one), and the manual failover's pause of
// writes on a master. Called with s.mu held.
func (s *Server) clusterApplyFailover(rd *cluster.Ready) {
	if rd.MasterChanged {
		s.clusterFollowMaster()
	}
	if rd.UnpauseClients {
		s.clusterUnpause()
	}
	if rd.PauseClientsUntil != 0 {
		s.clusterPause(rd.PauseClientsUntil)
	}
}

// iAmMaster is Redis's iAmMaster: in cluster mode, myself's role in the
// node table (known from nodes.conf before the dataset loads and before
// the first cron starts replication), otherwise whether no master is set;
// during the start-up load, which may run before the replicaof directive
// takes effect, the directive says. A replica neither drops expired keys
// while loading nor expires keys actively: its master's DELs do. Called
// with s.mu held.
func (s *Server) iAmMaster() bool {
	if s.cl != nil {
		return s.cl.st.Myself().IsMaster()
	}
	if s.repl.replica.host != "" {
		return false
	}
	return s.cfg.MasterHost == "" || !s.load.active.Load()
}

// clusterFollowMaster points replication where the node table says: a
// master replicates nobody (replicationUnsetMaster, keeping the history as
// replid2 for PSYNC2), a replica follows its master's address
// (replicationSetMaster, as clusterSetMaster). Also run by the cron, which
// starts replication once a replica's master has an address (clusterCron's
// "replication still turned off" check). Called with s.mu held.
func (s *Server) clusterFollowMaster() {
	me := s.cl.st.Myself()
	rp := &s.repl.replica
	if me.IsMaster() {
		if rp.host != "" {
			s.replicationUnsetMaster()
			s.logf(logNotice, "MASTER MODE enabled (cluster promotion)")
		}
		return
	}
	m := me.Master()
	if m == nil || m.Has(cluster.FlagNoAddr) || m.IP == "" {
		return
	}
	port := m.Port
	if m.PPort != 0 && !s.cfg.TLSReplication {
		// A TLS cluster announces the TLS port; replication in clear
		// uses the plaintext one (getNodeDefaultReplicationPort).
		port = m.PPort
	}
	if rp.host == m.IP && rp.port == port {
		return
	}
	s.replicationSetMaster(m.IP, port)
}

// clusterPause pauses writes until the ms given (a replica asked for a
// manual failover: MFSTART), as pauseClients(PAUSE_DURING_FAILOVER, ...,
// CLIENT_PAUSE_WRITE). A stricter pause in force stays.
func (s *Server) clusterPause(until int64) {
	if !s.pause.active {
		s.pause = pauseState{active: true, writeOnly: true, end: until, waiting: s.pause.waiting}
		s.ks.KeepExpired = true
		s.cl.ownsPause = true
		return
	}
	if until > s.pause.end && s.pause.end != math.MaxInt64 {
		s.pause.end = until
	}
}

// clusterUnpause ends the manual failover's pause
// (unpauseClients(PAUSE_DURING_FAILOVER)); a CLIENT PAUSE of its own is
// left to expire.
func (s *Server) clusterUnpause() {
	if s.cl.ownsPause && s.pause.active {
		s.unpause()
	}
	s.cl.ownsPause = false
}
