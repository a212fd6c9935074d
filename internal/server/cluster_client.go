package server

import (
	"bytes"
	"strconv"

	"shoal/internal/cluster"
	"shoal/internal/command"
	"shoal/internal/encoding"
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

// Redirection codes of getNodeByQuery (CLUSTER_REDIR_*).
const (
	redirNone = iota
	redirCrossSlot
	redirUnstable
	redirAsk
	redirMoved
	redirDownState
	redirDownROState
	redirDownUnbound
)

// isShardPubSub reports SSUBSCRIBE, SUNSUBSCRIBE and SPUBLISH, whose
// channels route like keys.
func isShardPubSub(cmd *command.Command) bool {
	switch cmd.Name {
	case "ssubscribe", "sunsubscribe", "spublish":
		return true
	}
	return false
}

// clusterKeys appends to dst the argv positions routing cmd: its keys, or a
// sharded pub/sub command's channels (their key specs are not_key, but
// Redis 7.0 routes them by its legacy key range).
func (s *Server) clusterKeyPositions(cmd *command.Command, argv [][]byte, dst []int) []int {
	if isShardPubSub(cmd) {
		dst = dst[:0]
		last := len(argv) - 1
		if cmd.Name == "spublish" {
			last = 1
		}
		for i := 1; i <= last; i++ {
			dst = append(dst, i)
		}
		return dst
	}
	pos, _ := cmd.KeyPositions(argv, dst)
	return pos
}

// clusterRedirect is processCommand's cluster step: it answers with a
// redirection or cluster error and returns true when the command must not
// run here. Commands from our master, and commands without key arguments
// other than EXEC, are never redirected.
func (s *Server) clusterRedirect(c *conn, cmd *command.Command) bool {
	if c.Flags&command.ClientMaster != 0 {
		return false
	}
	if cmd.Name != "exec" && !cmd.HasKeys() && !cmd.Has(command.FlagMovableKeys) && !isShardPubSub(cmd) {
		return false
	}
	n, slot, code := s.getNodeByQuery(c, cmd)
	if code == redirNone && n == s.cl.st.Myself() {
		return false
	}
	if cmd.Name == "exec" {
		c.discardTransaction()
	} else if c.Flags&command.ClientMulti != 0 {
		c.Flags |= command.ClientDirtyExec
	}
	cmd.RejectedCalls++
	c.Error(s.clusterRedirectError(n, slot, code))
	return true
}

// clusterRedirectError is clusterRedirectClient's reply.
func (s *Server) clusterRedirectError(n *cluster.Node, slot, code int) []byte {
	switch code {
	case redirCrossSlot:
		return rerr.CrossSlot
	case redirUnstable:
		return rerr.TryAgain
	case redirDownState:
		return rerr.ClusterDown
	case redirDownROState:
		return rerr.ClusterDownRO
	case redirDownUnbound:
		return rerr.ClusterDownUnbound
	}
	kind := "MOVED "
	if code == redirAsk {
		kind = "ASK "
	}
	return rerr.Line(kind + strconv.Itoa(slot) + " " + s.cl.st.Endpoint(n) + ":" + strconv.Itoa(n.Port))
}

// getNodeByQuery is cluster.c's getNodeByQuery: the node that can serve
// the command (myself, or where to redirect) and the redirection code.
func (s *Server) getNodeByQuery(c *conn, cmd *command.Command) (n *cluster.Node, slot, code int) {
	st := s.cl.st
	myself := st.Myself()
	var one [1]queuedCommand
	cmds := one[:]
	if cmd.Name == "exec" {
		if c.Flags&command.ClientMulti == 0 {
			return myself, 0, redirNone
		}
		cmds = c.multi.queue
	} else {
		one[0] = queuedCommand{cmd: cmd, argv: c.Argv}
	}
	pubsubShard := isShardPubSub(cmd)
	var firstKey []byte
	var migrating, importing, multipleKeys bool
	missing, existing := 0, 0
	db := s.ks.DBs[0]
	for _, qc := range cmds {
		s.cl.keyPos = s.clusterKeyPositions(qc.cmd, qc.argv, s.cl.keyPos)
		for _, p := range s.cl.keyPos {
			key := qc.argv[p]
			thisSlot := encoding.KeyHashSlot(key)
			if firstKey == nil {
				firstKey, slot = key, thisSlot
				n = st.SlotOwner(slot)
				if n == nil {
					return nil, slot, redirDownUnbound
				}
				if n == myself && st.Migrating(slot) != nil {
					migrating = true
				} else if st.Importing(slot) != nil {
					importing = true
				}
			} else if !bytes.Equal(firstKey, key) {
				if slot != thisSlot {
					return nil, slot, redirCrossSlot
				}
				multipleKeys = true
			}
			if (migrating || importing) && !pubsubShard {
				if c.Flags&command.ClientInExec == 0 {
					// Expiry is judged at this command's time, which
					// call() has not taken yet.
					s.ks.Now = s.clock.nowMs()
				}
				if e := db.Find(key); e == nil || db.Expired(e) {
					missing++
				} else {
					existing++
				}
			}
		}
	}
	if n == nil {
		return myself, 0, redirNone
	}
	// A script's shebang flags stand for EVAL's and FCALL's own
	// (getCommandFlags): a script that may write is a write.
	flags := cmd.Flags
	if cmd.Has(command.FlagNoScript) && cmd.Has(command.FlagSkipMonitor) {
		flags = s.scriptCommandFlags(c.Argv, cmd)
	}
	isWrite := flags&command.FlagWrite != 0 || (cmd.Name == "exec" && c.multi.hasWrite)
	if !st.OK() {
		switch {
		case pubsubShard:
			if !s.cfg.ClusterAllowPubsubshardWhenDown {
				return nil, slot, redirDownState
			}
		case !s.cfg.ClusterAllowReadsWhenDown:
			return nil, slot, redirDownState
		case isWrite:
			return nil, slot, redirDownROState
		}
	}
	if (migrating || importing) && cmd.Name == "migrate" {
		return myself, slot, redirNone
	}
	if migrating && missing > 0 {
		if existing > 0 {
			return nil, slot, redirUnstable
		}
		return st.Migrating(slot), slot, redirAsk
	}
	if importing && (c.Flags&command.ClientAsking != 0 || cmd.Has(command.FlagAsking)) {
		if multipleKeys && missing > 0 {
			return nil, slot, redirUnstable
		}
		return myself, slot, redirNone
	}
	if (c.Flags&command.ClientReadOnly != 0 || pubsubShard) && !isWrite &&
		myself.IsReplica() && myself.Master() == n {
		return myself, slot, redirNone
	}
	if n != myself {
		return n, slot, redirMoved
	}
	return n, slot, redirNone
}

// clusterRedirectBlockedClients answers blocked clients whose keys are no
// longer served here (clusterRedirectBlockedClientIfNeeded): every one
// when the cluster is down, else those whose slot (all keys share the first
// one's) is unbound, or bound elsewhere and not being imported here.
func (s *Server) clusterRedirectBlockedClients() {
	st := s.cl.st
	myself := st.Myself()
	for c := range s.blocked.clients {
		var e []byte
		switch {
		case !st.OK():
			e = rerr.ClusterDown
		case len(c.Blocking.Keys) > 0:
			slot := encoding.KeyHashSlot(c.Blocking.Keys[0])
			n := st.SlotOwner(slot)
			if c.Flags&command.ClientReadOnly != 0 && c.block.cmd != nil && !c.block.cmd.Has(command.FlagWrite) &&
				myself.IsReplica() && myself.Master() == n {
				n = myself
			}
			if n != myself && st.Importing(slot) == nil {
				if n == nil {
					e = rerr.ClusterDownUnbound
				} else {
					e = s.clusterRedirectError(n, slot, redirMoved)
				}
			}
		}
		if e != nil {
			s.unparkClient(c)
			c.Error(e)
			c.queueWrite()
			s.resumeInput(c)
		}
	}
}

// clusterDropLostShardChannels unsubscribes every client from the shard
// channels of slots my shard no longer serves, with a sunsubscribe
// message each (removeChannelsInSlot when a slot is deleted).
func (s *Server) clusterDropLostShardChannels() {
	if len(s.pubsub.shard) == 0 {
		return
	}
	st := s.cl.st
	myself := st.Myself()
	for name, subs := range s.pubsub.shard {
		owner := st.SlotOwner(encoding.KeyHashSlotString(name))
		if owner != nil && (owner == myself || owner == myself.Master()) {
			continue
		}
		for _, c := range append([]*conn(nil), subs...) {
			s.unsubscribeShard(c, name, true)
			c.queueWrite()
		}
	}
}

// clusterBecameReplica answers every blocked client when the node table
// makes me a replica (CLUSTER REPLICATE, a slot loss with replica
// migration): Redis's replicationSetMaster runs disconnectAllBlockedClients,
// and the connection closes after the reply.
func (s *Server) clusterBecameReplica() {
	for c := range s.blocked.clients {
		s.unparkClient(c)
		c.Error(rerr.UnblockedRoleChange)
		c.Flags |= command.ClientCloseAfterReply
		c.queueWrite()
	}
}
