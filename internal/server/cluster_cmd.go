package server

import (
	"errors"
	"os"
	"strconv"
	"strings"

	"shoal/internal/cluster"
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
		"help":                  (*Server).clusterHelp,
		"keyslot":               (*Server).clusterKeyslot,
		"countkeysinslot":       (*Server).clusterCountKeysInSlot,
		"getkeysinslot":         (*Server).clusterGetKeysInSlot,
		"info":                  (*Server).clusterInfo,
		"myid":                  (*Server).clusterMyID,
		"nodes":                 (*Server).clusterNodes,
		"slots":                 (*Server).clusterSlotsReply,
		"shards":                (*Server).clusterShards,
		"addslots":              (*Server).clusterAddDelSlots,
		"delslots":              (*Server).clusterAddDelSlots,
		"addslotsrange":         (*Server).clusterAddDelSlots,
		"delslotsrange":         (*Server).clusterAddDelSlots,
		"flushslots":            (*Server).clusterFlushSlots,
		"setslot":               (*Server).clusterSetSlot,
		"meet":                  (*Server).clusterMeet,
		"forget":                (*Server).clusterForget,
		"replicate":             (*Server).clusterReplicate,
		"replicas":              (*Server).clusterReplicas,
		"slaves":                (*Server).clusterReplicas,
		"reset":                 (*Server).clusterReset,
		"saveconfig":            (*Server).clusterSaveConfigCommand,
		"set-config-epoch":      (*Server).clusterSetConfigEpoch,
		"bumpepoch":             (*Server).clusterBumpEpoch,
		"count-failure-reports": (*Server).clusterCountFailureReports,
		"links":                 (*Server).clusterLinks,
	} {
		fn := fn
		handle("cluster|"+name, func(s *Server, c *conn) {
			if !s.cfg.ClusterEnabled {
				c.Error(rerr.ClusterDisabled)
				return
			}
			fn(s, c)
			// What the subcommand changed goes out now, as the
			// clusterBeforeSleep that follows a command in Redis.
			s.clusterApply()
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

// clusterError maps the state machine's sentinel errors to Redis's replies;
// arg is the node ID or address the command named.
func clusterError(err error, arg string) []byte {
	slot := ""
	var se *cluster.SlotError
	if errors.As(err, &se) {
		slot = strconv.Itoa(se.Slot)
	}
	var msg string
	switch {
	case errors.Is(err, cluster.ErrSlotBusy):
		msg = "Slot " + slot + " is already busy"
	case errors.Is(err, cluster.ErrSlotUnassigned):
		msg = "Slot " + slot + " is already unassigned"
	case errors.Is(err, cluster.ErrSlotRepeated):
		msg = "Slot " + slot + " specified multiple times"
	case errors.Is(err, cluster.ErrDBNotEmpty):
		msg = "DB must be empty to perform CLUSTER FLUSHSLOTS."
	case errors.Is(err, cluster.ErrSetSlotNotMaster):
		msg = "Please use SETSLOT only with masters."
	case errors.Is(err, cluster.ErrNotOwner):
		msg = "I'm not the owner of hash slot " + slot
	case errors.Is(err, cluster.ErrAlreadyOwner):
		msg = "I'm already the owner of hash slot " + slot
	case errors.Is(err, cluster.ErrDontKnowNode):
		msg = "I don't know about node " + arg
	case errors.Is(err, cluster.ErrUnknownNode):
		msg = "Unknown node " + arg
	case errors.Is(err, cluster.ErrTargetNotMaster):
		msg = "Target node is not a master"
	case errors.Is(err, cluster.ErrSlotHasKeys):
		msg = "Can't assign hashslot " + slot + " to a different node while I still hold keys for this hash slot."
	case errors.Is(err, cluster.ErrForgetMyself):
		msg = "I tried hard but I can't forget myself..."
	case errors.Is(err, cluster.ErrForgetMaster):
		msg = "Can't forget my master!"
	case errors.Is(err, cluster.ErrReplicateMyself):
		msg = "Can't replicate myself"
	case errors.Is(err, cluster.ErrReplicateReplica):
		msg = "I can only replicate a master, not a replica."
	case errors.Is(err, cluster.ErrNotEmpty):
		msg = "To set a master the node must be empty and without assigned slots."
	case errors.Is(err, cluster.ErrNotAMaster):
		msg = "The specified node is not a master"
	case errors.Is(err, cluster.ErrResetWithKeys):
		msg = "CLUSTER RESET can't be called with master nodes containing keys"
	case errors.Is(err, cluster.ErrInvalidConfigEpoch):
		msg = "Invalid config epoch specified: " + arg
	case errors.Is(err, cluster.ErrConfigEpochOthersKnown):
		msg = "The user can assign a config epoch only when the node does not know any other node."
	case errors.Is(err, cluster.ErrConfigEpochNonZero):
		msg = "Node config epoch is already non-zero"
	case errors.Is(err, cluster.ErrInvalidAddress):
		msg = "Invalid node address specified: " + arg
	default:
		msg = "Unexpected cluster error"
	}
	return rerr.Line("ERR " + msg)
}

// parseSlot is getSlotOrReply.
func parseSlot(arg []byte) (int, bool) {
	v, ok := types.ParseInt(arg)
	if !ok || v < 0 || v >= clusterSlots {
		return 0, false
	}
	return int(v), true
}

func (s *Server) clusterInfo(c *conn) {
	c.Verbatim(s.cl.st.AppendInfo(nil, s.cl.bufLimitExceeded), "txt")
}

func (s *Server) clusterMyID(c *conn) {
	c.BulkString(s.cl.st.Myself().ID)
}

func (s *Server) clusterNodes(c *conn) {
	c.Verbatim(s.cl.st.AppendNodes(nil, false), "txt")
}

// clusterSlotsReply is CLUSTER SLOTS (clusterReplyMultiBulkSlots): one
// entry per run of slots with the same owner, its master then its replicas
// that are available (not failed, replication offset known).
func (s *Server) clusterSlotsReply(c *conn) {
	st := s.cl.st
	tok := c.DeferLen()
	ranges := 0
	var n *cluster.Node
	start := 0
	for i := 0; i <= clusterSlots; i++ {
		var owner *cluster.Node
		if i < clusterSlots {
			owner = st.SlotOwner(i)
		}
		if n != nil && (i == clusterSlots || owner != n) {
			s.clusterSlotsRange(c, n, start, i-1)
			ranges++
		}
		if i < clusterSlots && owner != n {
			n, start = owner, i
		}
	}
	c.SetArrayLen(tok, ranges)
}

func (s *Server) replicaAvailable(n *cluster.Node) bool {
	if n.Has(cluster.FlagFail) {
		return false
	}
	off := n.ReplOffset
	if n == s.cl.st.Myself() {
		off = s.cl.st.ReplOffset()
	}
	return off != 0
}

func (s *Server) clusterSlotsRange(c *conn, n *cluster.Node, start, end int) {
	var avail []*cluster.Node
	for _, r := range n.Replicas() {
		if s.replicaAvailable(r) {
			avail = append(avail, r)
		}
	}
	c.Array(3 + len(avail))
	c.Int(int64(start))
	c.Int(int64(end))
	s.clusterSlotsNode(c, n)
	for _, r := range avail {
		s.clusterSlotsNode(c, r)
	}
}

// clusterSlotsNode is addNodeToNodeReply.
func (s *Server) clusterSlotsNode(c *conn, n *cluster.Node) {
	c.Array(4)
	switch s.cfg.ClusterPreferredEndpointType {
	case int(cluster.EndpointHostname):
		c.BulkString(s.cl.st.Endpoint(n))
	case int(cluster.EndpointUnknown):
		c.Null()
	default:
		c.BulkString(n.IP)
	}
	c.Int(int64(n.Port))
	c.BulkString(n.ID)
	extra := 0
	ip := s.cfg.ClusterPreferredEndpointType != int(cluster.EndpointIP)
	host := s.cfg.ClusterPreferredEndpointType != int(cluster.EndpointHostname) && n.Hostname != ""
	if ip {
		extra++
	}
	if host {
		extra++
	}
	c.Map(extra)
	if ip {
		c.BulkString("ip")
		c.BulkString(n.IP)
	}
	if host {
		c.BulkString("hostname")
		c.BulkString(n.Hostname)
	}
}

// clusterShards is CLUSTER SHARDS (clusterReplyShards): one map per master.
func (s *Server) clusterShards(c *conn) {
	st := s.cl.st
	tok := c.DeferLen()
	shards := 0
	for _, n := range st.Nodes() {
		if !n.IsMaster() {
			continue
		}
		shards++
		c.Map(2)
		c.BulkString("slots")
		ranges := cluster.SlotRanges(n.Slots())
		if n.NumSlots() == 0 {
			ranges = nil
		}
		c.Array(2 * len(ranges))
		for _, r := range ranges {
			c.Int(int64(r[0]))
			c.Int(int64(r[1]))
		}
		c.BulkString("nodes")
		c.Array(1 + len(n.Replicas()))
		s.clusterShardNode(c, n)
		for _, r := range n.Replicas() {
			s.clusterShardNode(c, r)
		}
	}
	c.SetArrayLen(tok, shards)
}

// clusterShardNode is addNodeDetailsToShardReply.
func (s *Server) clusterShardNode(c *conn, n *cluster.Node) {
	st := s.cl.st
	fields := 7
	if n.Port == 0 {
		fields--
	}
	if n.Hostname != "" {
		fields++
	}
	c.Map(fields)
	c.BulkString("id")
	c.BulkString(n.ID)
	if n.Port != 0 {
		c.BulkString("port")
		c.Int(int64(n.Port))
	}
	c.BulkString("ip")
	c.BulkString(n.IP)
	c.BulkString("endpoint")
	c.BulkString(st.Endpoint(n))
	if n.Hostname != "" {
		c.BulkString("hostname")
		c.BulkString(n.Hostname)
	}
	off := n.ReplOffset
	if n == st.Myself() {
		off = st.ReplOffset()
	}
	c.BulkString("role")
	if n.IsReplica() {
		c.BulkString("replica")
	} else {
		c.BulkString("master")
	}
	c.BulkString("replication-offset")
	c.Int(off)
	c.BulkString("health")
	switch {
	case n.Has(cluster.FlagFail):
		c.BulkString("fail")
	case n.IsReplica() && off == 0:
		c.BulkString("loading")
	default:
		c.BulkString("online")
	}
}

// clusterAddDelSlots is CLUSTER ADDSLOTS / DELSLOTS and their RANGE forms:
// every argument is parsed before any is checked against the state.
func (s *Server) clusterAddDelSlots(c *conn) {
	slots, ok := parseSlotArgs(c, c.Argv[2:], strings.HasSuffix(c.Cmd.Name, "range"))
	if !ok {
		return
	}
	var err error
	if strings.HasPrefix(c.Cmd.Name, "cluster|del") {
		err = s.cl.st.DelSlots(slots)
	} else {
		err = s.cl.st.AddSlots(slots)
	}
	if err != nil {
		c.Error(clusterError(err, ""))
		return
	}
	c.Simple("OK")
}

// parseSlotArgs parses slot arguments, one slot each or, with ranges,
// start-end pairs, into the slots they name in order; on a bad argument it
// writes Redis's error and returns false.
func parseSlotArgs(c *conn, args [][]byte, ranges bool) ([]int, bool) {
	if ranges && len(args)%2 == 1 {
		c.Error(rerr.WrongArgs(c.Cmd.Name))
		return nil, false
	}
	slots := make([]int, 0, len(args))
	for j := 0; j < len(args); j++ {
		start, ok := parseSlot(args[j])
		if !ok {
			c.Error(rerr.ClusterBadSlot)
			return nil, false
		}
		end := start
		if ranges {
			j++
			if end, ok = parseSlot(args[j]); !ok {
				c.Error(rerr.ClusterBadSlot)
				return nil, false
			}
			if start > end {
				c.Error(rerr.Line("ERR start slot number " + strconv.Itoa(start) + " is greater than end slot number " + strconv.Itoa(end)))
				return nil, false
			}
		}
		for k := start; k <= end; k++ {
			slots = append(slots, k)
		}
	}
	return slots, true
}

func (s *Server) clusterFlushSlots(c *conn) {
	if err := s.cl.st.FlushSlots(); err != nil {
		c.Error(clusterError(err, ""))
		return
	}
	c.Simple("OK")
}

// clusterSetSlot is CLUSTER SETSLOT slot IMPORTING|MIGRATING|STABLE|NODE [id].
func (s *Server) clusterSetSlot(c *conn) {
	st := s.cl.st
	if st.Myself().IsReplica() {
		c.Error(clusterError(cluster.ErrSetSlotNotMaster, ""))
		return
	}
	slot, ok := parseSlot(c.Argv[2])
	if !ok {
		c.Error(rerr.ClusterBadSlot)
		return
	}
	action := strings.ToLower(string(c.Argv[3]))
	var id string
	if len(c.Argv) == 5 {
		id = string(c.Argv[4])
	}
	var err error
	switch {
	case action == "migrating" && len(c.Argv) == 5:
		err = st.SetSlotMigrating(slot, id)
	case action == "importing" && len(c.Argv) == 5:
		err = st.SetSlotImporting(slot, id)
	case action == "stable" && len(c.Argv) == 4:
		err = st.SetSlotStable(slot)
	case action == "node" && len(c.Argv) == 5:
		err = st.SetSlotNode(slot, id)
	default:
		c.Error(rerr.Line("ERR Invalid CLUSTER SETSLOT action or number of arguments. Try CLUSTER HELP"))
		return
	}
	if err != nil {
		c.Error(clusterError(err, id))
		return
	}
	c.Simple("OK")
}

// clusterMeet is CLUSTER MEET ip port [cport].
func (s *Server) clusterMeet(c *conn) {
	if len(c.Argv) > 5 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	port, ok := types.ParseInt(c.Argv[3])
	if !ok {
		c.Error(rerr.Line("ERR Invalid TCP base port specified: " + string(c.Argv[3])))
		return
	}
	cport := port + clusterPortIncr
	if len(c.Argv) == 5 {
		if cport, ok = types.ParseInt(c.Argv[4]); !ok {
			c.Error(rerr.Line("ERR Invalid TCP bus port specified: " + string(c.Argv[4])))
			return
		}
	}
	ip := string(c.Argv[2])
	if port < 0 || port > 65535 || cport < 0 || cport > 65535 {
		c.Error(clusterError(cluster.ErrInvalidAddress, ip+":"+string(c.Argv[3])))
		return
	}
	if err := s.cl.st.Meet(ip, int(port), int(cport)); err != nil {
		c.Error(clusterError(err, ip+":"+string(c.Argv[3])))
		return
	}
	c.Simple("OK")
}

func (s *Server) clusterForget(c *conn) {
	if err := s.cl.st.Forget(string(c.Argv[2])); err != nil {
		c.Error(clusterError(err, string(c.Argv[2])))
		return
	}
	c.Simple("OK")
}

// clusterReplicate is CLUSTER REPLICATE id: the node table records the new
// role and master at once and gossips it; following the master's data is
// the replication driver's (Ready.MasterChanged).
func (s *Server) clusterReplicate(c *conn) {
	if err := s.cl.st.Replicate(string(c.Argv[2])); err != nil {
		c.Error(clusterError(err, string(c.Argv[2])))
		return
	}
	c.Simple("OK")
}

func (s *Server) clusterReplicas(c *conn) {
	rs, err := s.cl.st.Replicas(string(c.Argv[2]))
	if err != nil {
		c.Error(clusterError(err, string(c.Argv[2])))
		return
	}
	c.Array(len(rs))
	var b []byte
	for _, r := range rs {
		b = s.cl.st.AppendNodeLine(b[:0], r, false)
		c.Bulk(b)
	}
}

// clusterReset is CLUSTER RESET [HARD|SOFT].
func (s *Server) clusterReset(c *conn) {
	hard := false
	if len(c.Argv) == 3 {
		switch strings.ToLower(string(c.Argv[2])) {
		case "hard":
			hard = true
		case "soft":
		default:
			c.Error(rerr.Syntax)
			return
		}
	} else if len(c.Argv) > 3 {
		c.Error(subcommandSyntaxError(c))
		return
	}
	if s.cl.st.Myself().IsMaster() && c.DB.Len() != 0 {
		c.Error(clusterError(cluster.ErrResetWithKeys, ""))
		return
	}
	flush, err := s.cl.st.Reset(hard)
	if err != nil {
		c.Error(clusterError(err, ""))
		return
	}
	if flush {
		// A replica reset to master drops its data (emptyData).
		s.flushAll(func() {
			for _, db := range s.ks.DBs {
				db.TouchAll(nil)
				db.Flush()
			}
		})
	}
	c.Simple("OK")
}

func (s *Server) clusterSaveConfigCommand(c *conn) {
	if err := s.clusterSaveConfig(true); err != nil {
		msg := err.Error()
		var pe *os.PathError
		if errors.As(err, &pe) {
			msg = pe.Err.Error()
		}
		c.Error(rerr.Line("ERR error saving the cluster node config: " + msg))
		return
	}
	c.Simple("OK")
}

func (s *Server) clusterSetConfigEpoch(c *conn) {
	epoch, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if err := s.cl.st.SetConfigEpoch(epoch); err != nil {
		c.Error(clusterError(err, string(c.Argv[2])))
		return
	}
	c.Simple("OK")
}

func (s *Server) clusterBumpEpoch(c *conn) {
	epoch, bumped := s.cl.st.BumpEpoch()
	word := "STILL "
	if bumped {
		word = "BUMPED "
	}
	c.Simple(word + strconv.FormatUint(epoch, 10))
}

func (s *Server) clusterCountFailureReports(c *conn) {
	n, err := s.cl.st.CountFailureReports(string(c.Argv[2]))
	if err != nil {
		c.Error(clusterError(err, string(c.Argv[2])))
		return
	}
	c.Int(int64(n))
}

// clusterLinks is CLUSTER LINKS.
func (s *Server) clusterLinks(c *conn) {
	links := s.cl.st.Links()
	c.Array(len(links))
	for _, li := range links {
		var queued int64
		events := "r"
		if l := s.cl.links[li.ID]; l != nil {
			l.mu.Lock()
			queued = l.queued
			l.mu.Unlock()
			if l.nc == nil {
				events = ""
			}
		}
		if queued > 0 {
			events += "w"
		}
		c.Map(6)
		c.BulkString("direction")
		if li.Inbound {
			c.BulkString("from")
		} else {
			c.BulkString("to")
		}
		c.BulkString("node")
		c.BulkString(li.Node)
		c.BulkString("create-time")
		c.Int(li.CreateTime)
		c.BulkString("events")
		c.BulkString(events)
		c.BulkString("send-buffer-allocated")
		c.Int(queued)
		c.BulkString("send-buffer-used")
		c.Int(queued)
	}
}
