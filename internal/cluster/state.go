package cluster

import (
	"encoding/hex"
	"fmt"
	"math/rand/v2"

	"shoal/internal/cluster/bus"
)

// Timing constants of cluster.c.
const (
	failReportValidityMult = 2    // CLUSTER_FAIL_REPORT_VALIDITY_MULT
	failUndoTimeMult       = 2    // CLUSTER_FAIL_UNDO_TIME_MULT
	maxRejoinDelay         = 5000 // CLUSTER_MAX_REJOIN_DELAY
	minRejoinDelay         = 500  // CLUSTER_MIN_REJOIN_DELAY
	writableDelay          = 2000 // CLUSTER_WRITABLE_DELAY
	blacklistTTL           = 60   // CLUSTER_BLACKLIST_TTL, seconds
	mfTimeout              = 5000 // CLUSTER_MF_TIMEOUT
	mfPauseMult            = 2    // CLUSTER_MF_PAUSE_MULT
	slaveMigrationDelay    = 5000 // CLUSTER_SLAVE_MIGRATION_DELAY
)

// NumSlots is the number of hash slots.
const NumSlots = bus.Slots

// EndpointType is cluster-preferred-endpoint-type.
type EndpointType int

// Endpoint types.
const (
	EndpointIP EndpointType = iota
	EndpointHostname
	EndpointUnknown
)

// Keys is what the state machine asks of the keyspace (database 0).
type Keys interface {
	CountKeysInSlot(slot int) int
	Size() int
}

// Config is the cluster's configuration, from the cluster-* directives.
type Config struct {
	NodeTimeout int64 // cluster-node-timeout, ms

	Port       int  // port
	TLSPort    int  // tls-port
	TLSCluster bool // tls-cluster
	BusPort    int  // the bus port listened on (cluster-port, or port+10000)

	AnnounceIP       string // cluster-announce-ip
	AnnouncePort     int    // cluster-announce-port
	AnnounceTLSPort  int    // cluster-announce-tls-port
	AnnounceBusPort  int    // cluster-announce-bus-port
	AnnounceHostname string // cluster-announce-hostname

	PreferredEndpoint     EndpointType // cluster-preferred-endpoint-type
	RequireFullCoverage   bool         // cluster-require-full-coverage
	AllowReplicaMigration bool         // cluster-allow-replica-migration
	MigrationBarrier      int          // cluster-migration-barrier
	ReplicaNoFailover     bool         // cluster-replica-no-failover
	ReplicaValidityFactor int          // cluster-replica-validity-factor
	ReplPingReplicaPeriod int64        // repl-ping-replica-period, seconds

	Rand *rand.Rand // node IDs, gossip choice, election delays
	Keys Keys       // nil: no keys anywhere
}

// LinkID names a bus connection. IDs are never reused.
type LinkID uint64

type link struct {
	id         LinkID
	node       *Node
	inbound    bool
	connected  bool
	createTime int64
	peerIP     string
	localIP    string
}

// LinkInfo describes a link for CLUSTER LINKS.
type LinkInfo struct {
	ID         LinkID
	Node       string
	Inbound    bool
	CreateTime int64
}

// Dial asks the driver to connect an outbound link to IP:BusPort, then call
// Connected (or LinkClosed if the connection fails).
type Dial struct {
	Link    LinkID
	IP      string
	BusPort int
}

// Send is one encoded message to write on a link. Msg may be shared by
// several Sends (broadcasts) and must not be modified. A Send to a link
// still connecting is queued until it connects; one to a link already
// closed is dropped.
type Send struct {
	Link LinkID
	Msg  []byte
}

// Delivery is a PUBLISH (Shard false) or PUBLISHSHARD received from a peer,
// to be delivered to local subscribers.
type Delivery struct {
	Channel []byte
	Message []byte
	Shard   bool
}

// LogLevel is the level of a log line (Redis's LL_*).
type LogLevel int

// Log levels.
const (
	LogDebug LogLevel = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Log is one log line.
type Log struct {
	Level LogLevel
	Text  string
}

// Ready is what the driver must do after a call, in this order: dial, send,
// close, deliver, run the effects (DeleteKeysInSlots, MasterChanged), save
// nodes.conf (SaveConfig, with fsync if Fsync), re-check blocked clients if
// UpdateState, and log.
type Ready struct {
	Dials      []Dial
	Sends      []Send
	Closes     []LinkID
	Deliveries []Delivery
	// DeleteKeysInSlots: slots another master took from us while we still
	// held keys there (clusterUpdateSlotsConfigWith's dirty slots).
	DeleteKeysInSlots []int
	// RemoveShardChannelsInSlots: slots that left my shard; local
	// subscribers of shard channels hashing there are unsubscribed
	// (removeChannelsInSlot). Ascending.
	RemoveShardChannelsInSlots []int
	// MasterChanged: my role or my master changed; the replication driver
	// follows Myself().Master() (nil: stop replicating).
	MasterChanged bool
	// PauseClientsUntil: a manual failover asks this master to pause
	// writes until that ms (0: no change); UnpauseClients ends the pause.
	PauseClientsUntil int64
	UnpauseClients    bool
	SaveConfig        bool // CLUSTER_TODO_SAVE_CONFIG
	Fsync             bool // CLUSTER_TODO_FSYNC_CONFIG
	UpdateState       bool // slot ownership or cluster_state may have changed
	Logs              []Log
}

// State is the cluster state machine. It is not safe for concurrent use: the
// driver calls it under the executor lock.
type State struct {
	cfg    Config
	rnd    *rand.Rand
	now    int64
	myself *Node

	nodes map[string]*Node
	order []*Node // node-table order: creation order, for deterministic iteration

	currentEpoch  uint64
	lastVoteEpoch uint64

	slots            [NumSlots]*Node
	migratingTo      [NumSlots]*Node
	importingFrom    [NumSlots]*Node
	ownerNotClaiming bus.Bitmap

	blacklist map[string]int64 // id -> expiry, unix seconds

	links    map[LinkID]*link
	nextLink LinkID

	ok                 bool // cluster_state
	size               int  // masters serving slots, as of the last state update
	firstCallTime      int64
	amongMinoritySince int64
	pfailNodes         int // PFAIL nodes counted by the last cron
	iteration          int64

	replOffset  int64  // my replication offset (SetReplOffset)
	announcedIP string // the cluster-announce-ip last applied

	statsSent [bus.NumTypes]uint64
	statsRecv [bus.NumTypes]uint64

	channelSlots      bus.Bitmap // slots whose shard channels must go
	channelSlotsDirty bool

	todoUpdateState bool
	fo              failoverState
	rd              Ready
}

func (s *State) logf(l LogLevel, format string, args ...any) {
	s.rd.Logs = append(s.rd.Logs, Log{Level: l, Text: fmt.Sprintf(format, args...)})
}

func (s *State) save(fsync bool) {
	s.rd.SaveConfig = true
	if fsync {
		s.rd.Fsync = true
	}
}

func (s *State) updateStateLater() { s.todoUpdateState = true }

// Open creates the state from the contents of nodes.conf (nil or empty: a
// new node with a fresh ID, whose config Ready asks to save). A corrupt file
// is a *ConfigError naming the line. A node loaded as a replica replicates
// Myself().Master(): the driver starts replication from it after Open.
func Open(cfg Config, nodesConf []byte, nowMs int64) (*State, error) {
	if cfg.Rand == nil {
		return nil, fmt.Errorf("cluster: Config.Rand is required")
	}
	s := &State{
		cfg:       cfg,
		rnd:       cfg.Rand,
		now:       nowMs,
		nodes:     make(map[string]*Node),
		blacklist: make(map[string]int64),
		links:     make(map[LinkID]*link),
		// clusterInit starts cluster_size at 1; a master keeps it until
		// its first state update after the writable delay.
		size: 1,
	}
	s.fo.reset()
	if len(nodesConf) == 0 || isBlank(nodesConf) {
		s.myself = s.newNode(s.randomID(), FlagMyself|FlagMaster)
		s.addNode(s.myself)
		s.logf(LogNotice, "No cluster configuration found, I'm %s", s.myself.ID)
		s.save(true)
	} else if err := s.loadConfig(nodesConf); err != nil {
		return nil, err
	}
	s.myself.Hostname = cfg.AnnounceHostname
	s.updateMyselfPorts()
	return s, nil
}

func isBlank(b []byte) bool {
	for _, c := range b {
		if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
			return false
		}
	}
	return true
}

// SetConfig applies a changed configuration (CONFIG SET of a cluster-*
// directive); announced ports and hostname take effect at once.
func (s *State) SetConfig(cfg Config) {
	if cfg.Rand == nil {
		cfg.Rand = s.cfg.Rand
	}
	s.cfg = cfg
	s.rnd = cfg.Rand
	s.updateMyselfPorts()
	s.myself.Hostname = cfg.AnnounceHostname
}

// Config returns the configuration in use.
func (s *State) Config() Config { return s.cfg }

// announcedPorts is deriveAnnouncedPorts.
func (s *State) announcedPorts() (port, pport, cport int) {
	c := &s.cfg
	port, cport = c.Port, c.BusPort
	if c.TLSCluster {
		port, pport = c.TLSPort, c.Port
		if c.AnnounceTLSPort != 0 {
			port = c.AnnounceTLSPort
		}
		if c.AnnouncePort != 0 {
			pport = c.AnnouncePort
		}
	} else if c.AnnouncePort != 0 {
		port = c.AnnouncePort
	}
	if c.AnnounceBusPort != 0 {
		cport = c.AnnounceBusPort
	}
	return
}

// updateMyselfPorts applies the announced ports and IP, and NOFAILOVER from
// cluster-replica-no-failover (clusterUpdateMyselfFlags).
// An announce-ip that changes replaces my IP; one that is removed clears
// it, so that the next MEET tells me my address (clusterUpdateMyselfIp).
func (s *State) updateMyselfPorts() {
	me := s.myself
	old := me.Flags
	if s.cfg.ReplicaNoFailover {
		me.Flags |= FlagNoFailover
	} else {
		me.Flags &^= FlagNoFailover
	}
	if me.Flags != old {
		s.save(false)
		s.updateStateLater()
	}
	me.Port, me.PPort, me.CPort = s.announcedPorts()
	if ip := s.cfg.AnnounceIP; ip != s.announcedIP {
		s.announcedIP = ip
		if len(ip) > bus.IPLen-1 {
			ip = ip[:bus.IPLen-1]
		}
		me.IP = ip
	}
}

func (s *State) randomID() string {
	var b [20]byte
	for {
		for i := range b {
			b[i] = byte(s.rnd.UintN(256))
		}
		id := hex.EncodeToString(b[:])
		if s.nodes[id] == nil {
			return id
		}
	}
}

// ValidID reports whether id is a well-formed node ID (verifyClusterNodeId).
func ValidID(id string) bool {
	if len(id) != bus.NameLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

func (s *State) newNode(id string, flags uint16) *Node {
	return &Node{ID: id, Flags: flags, CreateTime: s.now, ReplOffset: 0}
}

func (s *State) addNode(n *Node) {
	s.nodes[n.ID] = n
	s.order = append(s.order, n)
}

// delNode is clusterDelNode + freeClusterNode.
func (s *State) delNode(n *Node) {
	for j := 0; j < NumSlots; j++ {
		if s.importingFrom[j] == n {
			s.importingFrom[j] = nil
		}
		if s.migratingTo[j] == n {
			s.migratingTo[j] = nil
		}
		if s.slots[j] == n {
			s.delSlot(j)
		}
	}
	for _, o := range s.order {
		if o != n {
			o.delFailureReport(n)
		}
	}
	for _, r := range n.replicas {
		r.master = nil
	}
	if n.IsReplica() && n.master != nil {
		n.master.removeReplica(n)
	}
	if n.link != nil {
		s.freeLink(n.link)
	}
	if n.inLink != nil {
		s.freeLink(n.inLink)
	}
	delete(s.nodes, n.ID)
	for i, o := range s.order {
		if o == n {
			s.order = append(s.order[:i], s.order[i+1:]...)
			break
		}
	}
}

func (s *State) renameNode(n *Node, id string) {
	s.logf(LogDebug, "Renaming node %s into %s", n.ID, id)
	delete(s.nodes, n.ID)
	n.ID = id
	s.nodes[id] = n
}

// Link management.

func (s *State) newLink(n *Node, inbound bool) *link {
	s.nextLink++
	l := &link{id: s.nextLink, node: n, inbound: inbound, createTime: s.now}
	s.links[l.id] = l
	return l
}

// freeLink is freeClusterLink: forget the link and ask the driver to close it.
func (s *State) freeLink(l *link) {
	if _, ok := s.links[l.id]; !ok {
		return
	}
	delete(s.links, l.id)
	s.rd.Closes = append(s.rd.Closes, l.id)
	s.unbindLink(l)
}

func (s *State) unbindLink(l *link) {
	if n := l.node; n != nil {
		if n.link == l {
			n.link = nil
		} else if n.inLink == l {
			n.inLink = nil
		}
	}
}

// Accepted registers an inbound bus connection and returns its link. It is
// bound to a node when a message identifies its sender.
func (s *State) Accepted(peerIP, localIP string) LinkID {
	l := s.newLink(nil, true)
	l.connected = true
	l.peerIP, l.localIP = peerIP, localIP
	return l.id
}

// Connected reports that an outbound link asked for by a Dial is up; the
// first PING (or MEET) goes out on it, as clusterLinkConnectHandler.
func (s *State) Connected(id LinkID, localIP string, nowMs int64) {
	s.now = nowMs
	l := s.links[id]
	if l == nil {
		// The node was deleted while its link was connecting.
		s.rd.Closes = append(s.rd.Closes, id)
		return
	}
	if l.inbound || l.node == nil {
		return
	}
	l.connected = true
	l.localIP = localIP
	n := l.node
	old := n.PingSent
	typ := bus.Ping
	if n.Flags&FlagMeet != 0 {
		typ = bus.Meet
	}
	s.sendPing(l, typ)
	if old != 0 {
		n.PingSent = old
	}
	n.Flags &^= FlagMeet
	s.logf(LogDebug, "Connecting with Node %s at %s:%d", n.ID, n.IP, n.CPort)
}

// LinkClosed reports that a link is gone: the connection failed, was closed
// by the peer, or broke. Links the state asked to close need not be
// reported (unknown links are ignored).
func (s *State) LinkClosed(id LinkID, nowMs int64) {
	s.now = nowMs
	l := s.links[id]
	if l == nil {
		return
	}
	delete(s.links, id)
	if !l.inbound && !l.connected && l.node != nil && l.node.PingSent == 0 {
		// A failed connect counts as a pending ping so that a node that
		// cannot be reached times out (clusterCron on a connect error).
		l.node.PingSent = nowMs
	}
	s.unbindLink(l)
}

// Links lists the live links for CLUSTER LINKS: per node in node-table
// order, outbound then inbound.
func (s *State) Links() []LinkInfo {
	var out []LinkInfo
	for _, n := range s.order {
		for _, l := range []*link{n.link, n.inLink} {
			if l != nil {
				out = append(out, LinkInfo{ID: l.id, Node: n.ID, Inbound: l.inbound, CreateTime: l.createTime})
			}
		}
	}
	return out
}

// Ready returns what the driver must do and resets it. It runs the pending
// cluster-state update first (clusterBeforeSleep).
func (s *State) Ready() Ready {
	s.beforeSleep()
	if s.todoUpdateState {
		s.todoUpdateState = false
		s.updateState()
		s.rd.UpdateState = true
	}
	if s.channelSlotsDirty {
		for j := 0; j < NumSlots; j++ {
			if s.channelSlots.Has(j) {
				s.rd.RemoveShardChannelsInSlots = append(s.rd.RemoveShardChannelsInSlots, j)
			}
		}
		s.channelSlots = bus.Bitmap{}
		s.channelSlotsDirty = false
	}
	rd := s.rd
	s.rd = Ready{}
	return rd
}

// Sending.

func (s *State) buildHeader(t bus.Type) *bus.Message {
	me := s.myself
	m := &bus.Message{}
	m.Ver = bus.Version
	m.Type = t
	m.Sender = bus.NameOf(me.ID)
	m.MyIP = s.cfg.AnnounceIP
	port, pport, cport := s.announcedPorts()
	m.Port, m.PPort, m.CPort = uint16(port), uint16(pport), uint16(cport)
	master := me
	if me.IsReplica() && me.master != nil {
		master = me.master
	}
	m.MySlots = master.slots
	m.ConfigEpoch = master.ConfigEpoch
	if me.master != nil {
		m.SlaveOf = bus.NameOf(me.master.ID)
	}
	m.Flags = me.Flags
	if !s.ok {
		m.State = 1
	}
	m.CurrentEpoch = s.currentEpoch
	m.Offset = uint64(s.replOffset)
	if me.IsMaster() && s.fo.mfEnd != 0 {
		m.MFlags |= bus.MFlagPaused
	}
	return m
}

func (s *State) encode(m *bus.Message) []byte {
	return bus.Append(make([]byte, 0, bus.Len(m)), m)
}

func (s *State) sendRaw(l *link, t bus.Type, b []byte) {
	if l == nil {
		return
	}
	s.rd.Sends = append(s.rd.Sends, Send{Link: l.id, Msg: b})
	if t < bus.NumTypes {
		s.statsSent[t]++
	}
}

func (s *State) send(l *link, m *bus.Message) {
	if l == nil {
		return
	}
	s.sendRaw(l, m.Type, s.encode(m))
}

// broadcast is clusterBroadcastMessage.
func (s *State) broadcast(m *bus.Message) {
	var b []byte
	for _, n := range s.order {
		if n.link == nil || n.Flags&(FlagMyself|FlagHandshake) != 0 {
			continue
		}
		if b == nil {
			b = s.encode(m)
		}
		s.sendRaw(n.link, m.Type, b)
	}
}

func (s *State) gossipEntry(n *Node) bus.Gossip {
	return bus.Gossip{
		Name:         bus.NameOf(n.ID),
		PingSent:     uint32(n.PingSent / 1000),
		PongReceived: uint32(n.PongReceived / 1000),
		IP:           n.IP,
		Port:         uint16(n.Port),
		CPort:        uint16(n.CPort),
		Flags:        n.Flags,
		PPort:        uint16(n.PPort),
	}
}

// sendPing is clusterSendPing: a PING, PONG or MEET with the gossip section
// chosen as Redis chooses it.
func (s *State) sendPing(l *link, t bus.Type) { s.sendPingAbout(l, t, nil) }

// sendPingAbout is sendPing whose gossip section starts with about (when it
// is not the receiver and could be gossiped at all).
func (s *State) sendPingAbout(l *link, t bus.Type, about *Node) {
	if l == nil {
		return
	}
	fresh := len(s.order) - 2
	wanted := len(s.order) / 10
	if wanted < 3 {
		wanted = 3
	}
	if wanted > fresh {
		wanted = fresh
	}
	pfailWanted := s.pfailNodes
	if l.node != nil && t == bus.Ping {
		l.node.PingSent = s.now
	}
	m := s.buildHeader(t)
	in := make(map[*Node]bool, wanted)
	if about != nil && about != l.node && about != s.myself && fresh > 0 && wanted > 0 &&
		about.Flags&(FlagHandshake|FlagNoAddr|FlagPFail) == 0 {
		in[about] = true
		m.Gossip = append(m.Gossip, s.gossipEntry(about))
		fresh--
	}
	for iter := wanted * 3; fresh > 0 && len(m.Gossip) < wanted && iter > 0; iter-- {
		n := s.order[s.rnd.IntN(len(s.order))]
		if n == s.myself || n.Flags&FlagPFail != 0 {
			continue
		}
		if n.Flags&(FlagHandshake|FlagNoAddr) != 0 || (n.link == nil && n.numSlots == 0) {
			fresh--
			continue
		}
		if in[n] {
			continue
		}
		in[n] = true
		m.Gossip = append(m.Gossip, s.gossipEntry(n))
		fresh--
	}
	if pfailWanted > 0 {
		for _, n := range s.order {
			if n.Flags&(FlagHandshake|FlagNoAddr) != 0 || n.Flags&FlagPFail == 0 {
				continue
			}
			m.Gossip = append(m.Gossip, s.gossipEntry(n))
			pfailWanted--
			if pfailWanted == 0 {
				break
			}
		}
	}
	m.Hostname = s.myself.Hostname
	s.send(l, m)
}

// announcePeers is how many other nodes hear of a node whose handshake with
// us has just completed (announceNewNode).
const announcePeers = 3

// announceNewNode runs when our handshake with l's node completes. Not in
// Redis, where the new node and the others hear of the change only with
// the next random ping, up to a second later: the new node gets a PING at
// once (our slots, and gossip; its PONG, from a now known sender, gives us
// its slots), and up to announcePeers other nodes a PING that gossips about
// it, so that they start their own handshakes with it. A new cluster then
// agrees within a few round trips instead of a few seconds.
func (s *State) announceNewNode(l *link) {
	n := l.node
	if _, alive := s.links[l.id]; !alive || n == nil || n.link != l {
		return // the rest of the message freed the link or the node
	}
	s.sendPing(l, bus.Ping)
	var peers []*Node
	for _, p := range s.order {
		if p != s.myself && p != n && p.link != nil && p.Flags&FlagHandshake == 0 {
			peers = append(peers, p)
		}
	}
	for k := 0; k < announcePeers && len(peers) > 0; k++ {
		i := s.rnd.IntN(len(peers))
		s.sendPingAbout(peers[i].link, bus.Ping, n)
		peers[i] = peers[len(peers)-1]
		peers = peers[:len(peers)-1]
	}
}

// Broadcast targets of broadcastPong.
const (
	pongAll         = 0
	pongLocalSlaves = 1
)

// broadcastPong is clusterBroadcastPong.
func (s *State) broadcastPong(target int) {
	for _, n := range s.order {
		if n.link == nil || n == s.myself || n.Flags&FlagHandshake != 0 {
			continue
		}
		if target == pongLocalSlaves {
			local := n.IsReplica() && n.master != nil && (n.master == s.myself || n.master == s.myself.master)
			if !local {
				continue
			}
		}
		s.sendPing(n.link, bus.Pong)
	}
}

func (s *State) sendFail(id string) {
	m := s.buildHeader(bus.Fail)
	m.FailNode = bus.NameOf(id)
	s.broadcast(m)
}

// sendUpdate is clusterSendUpdate: n's config, minus the slots it no longer claims.
func (s *State) sendUpdate(l *link, n *Node) {
	if l == nil {
		return
	}
	m := s.buildHeader(bus.Update)
	m.UpdateNode = bus.NameOf(n.ID)
	m.UpdateConfigEpoch = n.ConfigEpoch
	m.UpdateSlots = n.slots
	for i := range m.UpdateSlots {
		m.UpdateSlots[i] &^= s.ownerNotClaiming[i]
	}
	s.send(l, m)
}

// Publish queues the bus side of PUBLISH (shard false: to every node) or
// SPUBLISH (shard true: to the other nodes of my shard).
func (s *State) Publish(channel, message []byte, shard bool) {
	t := bus.Publish
	if shard {
		t = bus.PublishShard
	}
	m := s.buildHeader(t)
	m.Channel, m.Payload = channel, message
	if !shard {
		s.broadcast(m)
		return
	}
	master := s.myself
	if s.myself.IsReplica() {
		master = s.myself.master
	}
	if master == nil {
		return
	}
	b := s.encode(m)
	for _, n := range append([]*Node{master}, master.replicas...) {
		if n != s.myself && n.link != nil {
			s.sendRaw(n.link, t, b)
		}
	}
}

// SetReplOffset records my replication offset, sent in every header
// (master: master_repl_offset; replica: its processed offset).
func (s *State) SetReplOffset(off int64) { s.replOffset = off }
