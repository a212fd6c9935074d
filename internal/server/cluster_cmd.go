package server

import (
	"shoal/internal/encoding"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// CLUSTER subcommands (cluster.c's clusterCommand). Every one answers
// "cluster support disabled" on a node started without cluster-enabled,
// HELP included, as Redis 7.0 does.

// clusterSlots is CLUSTER_SLOTS.
const clusterSlots = 16384

func init() {
	for name, fn := range map[string]func(*Server, *conn){
		"help":            (*Server).clusterHelp,
		"keyslot":         (*Server).clusterKeyslot,
		"countkeysinslot": (*Server).clusterCountKeysInSlot,
		"getkeysinslot":   (*Server).clusterGetKeysInSlot,
	} {
		fn := fn
		handle("cluster|"+name, func(s *Server, c *conn) {
			if !s.cfg.ClusterEnabled {
				c.Error(rerr.ClusterDisabled)
				return
			}
			fn(s, c)
		})
	}
}

func (s *Server) clusterHelp(c *conn) {
	replyHelp(c, "CLUSTER", []string{
		"ADDSLOTS <slot> [<slot> ...]",
		"    Assign slots to current node.",
		"ADDSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
		"    Assign slots which are between <start-slot> and <end-slot> to current node.",
		"BUMPEPOCH",
		"    Advance the cluster config epoch.",
		"COUNT-FAILURE-REPORTS <node-id>",
		"    Return number of failure reports for <node-id>.",
		"COUNTKEYSINSLOT <slot>",
		"    Return the number of keys in <slot>.",
		"DELSLOTS <slot> [<slot> ...]",
		"    Delete slots information from current node.",
		"DELSLOTSRANGE <start slot> <end slot> [<start slot> <end slot> ...]",
		"    Delete slots information which are between <start-slot> and <end-slot> from current node.",
		"FAILOVER [FORCE|TAKEOVER]",
		"    Promote current replica node to being a master.",
		"FORGET <node-id>",
		"    Remove a node from the cluster.",
		"GETKEYSINSLOT <slot> <count>",
		"    Return key names stored by current node in a slot.",
		"FLUSHSLOTS",
		"    Delete current node own slots information.",
		"INFO",
		"    Return information about the cluster.",
		"KEYSLOT <key>",
		"    Return the hash slot for <key>.",
		"MEET <ip> <port> [<bus-port>]",
		"    Connect nodes into a working cluster.",
		"MYID",
		"    Return the node id.",
		"NODES",
		"    Return cluster configuration seen by node. Output format:",
		"    <id> <ip:port> <flags> <master> <pings> <pongs> <epoch> <link> <slot> ...",
		"REPLICATE <node-id>",
		"    Configure current node as replica to <node-id>.",
		"RESET [HARD|SOFT]",
		"    Reset current node (default: soft).",
		"SET-CONFIG-EPOCH <epoch>",
		"    Set config epoch of current node.",
		"SETSLOT <slot> (IMPORTING <node-id>|MIGRATING <node-id>|STABLE|NODE <node-id>)",
		"    Set slot state.",
		"REPLICAS <node-id>",
		"    Return <node-id> replicas.",
		"SAVECONFIG",
		"    Force saving cluster configuration on disk.",
		"SLOTS",
		"    Return information about slots range mappings. Each range is made of:",
		"    start, end, master and replicas IP addresses, ports and ids",
		"SHARDS",
		"    Return information about slot range mappings and the nodes associated with them.",
		"LINKS",
		"    Return information about all network links between this node and its peers.",
		"    Output format is an array where each array element is a map containing attributes of a link",
	})
}

func (s *Server) clusterKeyslot(c *conn) {
	c.Int(int64(encoding.KeyHashSlot(c.Argv[2])))
}

func (s *Server) clusterCountKeysInSlot(c *conn) {
	slot, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if slot < 0 || slot >= clusterSlots {
		c.Error(rerr.ClusterInvalidSlot)
		return
	}
	c.Int(int64(s.ks.DBs[0].CountInSlot(int(slot))))
}

func (s *Server) clusterGetKeysInSlot(c *conn) {
	slot, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	max, ok := types.ParseInt(c.Argv[3])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if slot < 0 || slot >= clusterSlots || max < 0 {
		c.Error(rerr.ClusterInvalidSlotOrCount)
		return
	}
	db := s.ks.DBs[0]
	n := min(int64(db.CountInSlot(int(slot))), max)
	c.Array(int(n))
	db.KeysInSlot(int(slot), int(n), func(key string) { c.BulkString(key) })
}
