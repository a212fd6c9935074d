package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"shoal/internal/cluster"
	"shoal/internal/cluster/bus"
	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/rerr"
)

// The cluster driver (docs/DESIGN.md, "Cluster (issue 9)"): it owns the
// bus sockets and nodes.conf, and steps internal/cluster's state machine
// under the executor lock. One goroutine accepts bus connections per
// listener; each link has a reader goroutine (frames are read and decoded
// without the lock, then stepped with it) and a writer goroutine fed by a
// queue. After every call into the state machine, clusterApply carries out
// its Ready.

// clusterPortIncr is CLUSTER_PORT_INCR: the default bus port offset.
const clusterPortIncr = 10000

// busFrameMax caps one bus frame: the largest a PUBLISH of a
// proto-max-bulk-len channel and message can be, plus the header.
const busFrameMax = 1<<30 + bus.HeaderLen

// clusterDriver is the server's cluster mode state (nil when disabled).
type clusterDriver struct {
	st   *cluster.State
	path string   // cluster-config-file, as opened (relative to dir)
	lock *os.File // the locked nodes.conf (flock)
	lns  []net.Listener

	links    map[cluster.LinkID]*busLink
	lastTick time.Time
	// bufLimitExceeded is total_cluster_links_buffer_limit_exceeded.
	bufLimitExceeded uint64
	// keyPos is the redirect check's reused key position buffer.
	keyPos []int
	// scriptQuery is the client clusterScriptCheck asks getNodeByQuery
	// about for a command a script calls.
	scriptQuery conn
	// ownsPause: the write pause in force is a manual failover's.
	ownsPause bool
}

// busLink is one bus connection (clusterLink): nc is nil while an outbound
// dial is in progress.
type busLink struct {
	id      cluster.LinkID
	nc      net.Conn
	inbound bool
	created int64 // unix ms

	mu     sync.Mutex
	cond   *sync.Cond
	queue  [][]byte
	queued int64 // bytes in queue (send-buffer-used)
	closed bool
}

// clusterBusPort is the port the bus listens on.
func clusterBusPort(cfg *config.Config) int {
	if cfg.ClusterPort != 0 {
		return cfg.ClusterPort
	}
	return cfg.Port + clusterPortIncr
}

// clusterConfig builds the state machine's configuration from the
// cluster-* directives.
func (s *Server) clusterConfig() cluster.Config {
	cfg := s.cfg
	return cluster.Config{
		NodeTimeout:           cfg.ClusterNodeTimeout,
		Port:                  cfg.Port,
		TLSPort:               cfg.TLSPort,
		TLSCluster:            cfg.TLSCluster,
		BusPort:               clusterBusPort(cfg),
		AnnounceIP:            cfg.ClusterAnnounceIP,
		AnnouncePort:          cfg.ClusterAnnouncePort,
		AnnounceTLSPort:       cfg.ClusterAnnounceTLSPort,
		AnnounceBusPort:       cfg.ClusterAnnounceBusPort,
		AnnounceHostname:      cfg.ClusterAnnounceHostname,
		PreferredEndpoint:     cluster.EndpointType(cfg.ClusterPreferredEndpointType),
		RequireFullCoverage:   cfg.ClusterRequireFullCoverage,
		AllowReplicaMigration: cfg.ClusterAllowReplicaMigration,
		MigrationBarrier:      cfg.ClusterMigrationBarrier,
		ReplicaNoFailover:     cfg.ClusterReplicaNoFailover,
		ReplicaValidityFactor: cfg.ClusterReplicaValidityFactor,
		ReplPingReplicaPeriod: int64(cfg.ReplPingReplicaPeriod),
		Rand:                  s.clusterRand,
		Keys:                  clusterKeys{s},
	}
}

// clusterKeys answers the state machine's questions about database 0.
type clusterKeys struct{ s *Server }

func (k clusterKeys) CountKeysInSlot(slot int) int { return k.s.ks.DBs[0].CountInSlot(slot) }
func (k clusterKeys) Size() int                    { return k.s.ks.DBs[0].Len() }

// clusterInit is clusterInit: lock and load nodes.conf (a new node writes
// one with a fresh ID), open the bus listeners. Called after the client
// listeners are open, before data is loaded.
func (s *Server) clusterInit() error {
	seed := uint64(time.Now().UnixNano())
	s.clusterRand = rand.New(rand.NewPCG(seed, seed^0xd1b54a32d192ed03))
	path := s.cfg.ClusterConfigFile
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("Can't open %s in order to acquire a lock: %v", path, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("Sorry, the cluster configuration file %s is already used by a different Redis Cluster node. Please make sure that different nodes use different cluster configuration files.", path)
		}
		return fmt.Errorf("Impossible to lock %s: %v", path, err)
	}
	data, err := io.ReadAll(f)
	if err != nil {
		f.Close()
		return fmt.Errorf("Unrecoverable error: can't read the cluster config file %s: %v", path, err)
	}
	st, err := cluster.Open(s.clusterConfig(), data, time.Now().UnixMilli())
	if err != nil {
		f.Close()
		return fmt.Errorf("Unrecoverable error: corrupted cluster config file %s: %v", path, err)
	}
	d := &clusterDriver{st: st, path: path, lock: f, links: make(map[cluster.LinkID]*busLink)}
	s.cl = d
	s.script.ClusterCheck = s.clusterScriptCheck
	// CONFIG SET of a cluster directive reaches the state at once (CONFIG
	// SET runs under the executor lock).
	for _, name := range []string{"cluster-node-timeout", "cluster-announce-ip", "cluster-announce-port",
		"cluster-announce-bus-port", "cluster-announce-tls-port", "cluster-announce-hostname",
		"cluster-preferred-endpoint-type", "cluster-require-full-coverage", "cluster-allow-replica-migration",
		"cluster-migration-barrier", "cluster-replica-no-failover", "cluster-replica-validity-factor",
		"repl-ping-replica-period"} {
		s.cfg.OnApply(name, func(*config.Config) error {
			d.st.SetConfig(s.clusterConfig())
			return nil
		})
	}
	if len(data) > 0 {
		s.logf(logNotice, "Node configuration loaded, I'm %.40s", st.Myself().ID)
	}
	port := clusterBusPort(s.cfg)
	if port > 65535 {
		return fmt.Errorf("Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.")
	}
	addrs := s.cfg.Bind
	if len(addrs) == 0 {
		addrs = []string{"*", "-::*"}
	}
	for _, a := range addrs {
		optional := len(a) > 0 && a[0] == '-'
		if optional {
			a = a[1:]
		}
		host, network := a, "tcp"
		if a == "*" {
			host, network = "0.0.0.0", "tcp4"
		} else if a == "::*" {
			host, network = "::", "tcp6"
		}
		ln, err := net.Listen(network, net.JoinHostPort(host, strconv.Itoa(port)))
		if err != nil {
			if optional {
				continue
			}
			return fmt.Errorf("Failed listening on port %d (tcp), aborting.", port)
		}
		d.lns = append(d.lns, ln)
	}
	s.mu.Lock()
	s.clusterApply()
	s.mu.Unlock()
	for _, ln := range d.lns {
		go s.clusterAccept(ln)
	}
	return nil
}

// clusterVerifyData is verifyClusterConfigWithData, run after the data is
// loaded: keys outside database 0 stop the start-up; a slot holding keys
// that is neither mine nor being imported is claimed when unassigned, or
// marked as importing from its owner.
func (s *Server) clusterVerifyData() error {
	// The bus is already running: hold the lock as any stepping does.
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.cl.st
	if st.Myself().IsReplica() {
		return nil
	}
	for _, db := range s.ks.DBs[1:] {
		if db.Len() != 0 {
			return errors.New("You can't have keys in a DB different than DB 0 when in Cluster mode. Exiting.")
		}
	}
	db := s.ks.DBs[0]
	for j := 0; j < clusterSlots; j++ {
		if db.CountInSlot(j) == 0 || st.SlotOwner(j) == st.Myself() || st.Importing(j) != nil {
			continue
		}
		if owner := st.SlotOwner(j); owner == nil {
			s.logf(logWarning, "I have keys for unassigned slot %d. Taking responsibility for it.", j)
			st.AddSlots([]int{j})
		} else {
			s.logf(logWarning, "I have keys for slot %d, but the slot is assigned to another node. Setting it to importing state.", j)
			st.SetSlotImporting(j, owner.ID)
		}
	}
	s.clusterApply()
	// Redis's first serverCron runs a millisecond after loading, and its
	// clusterCron is clusterUpdateState's first call, which starts the
	// writable delay: run that pass now, not at the next cron tick.
	s.clusterCron(time.Now())
	return nil
}

// clusterAccept accepts inbound bus connections until the listener closes.
func (s *Server) clusterAccept(ln net.Listener) {
	for {
		nc, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		if tc, ok := nc.(*net.TCPConn); ok {
			tc.SetNoDelay(true)
		}
		peer, _, _ := net.SplitHostPort(nc.RemoteAddr().String())
		local, _, _ := net.SplitHostPort(nc.LocalAddr().String())
		s.mu.Lock()
		if s.stopping.Load() {
			s.mu.Unlock()
			nc.Close()
			return
		}
		id := s.cl.st.Accepted(peer, local)
		l := s.cl.newLink(id, true)
		l.nc = nc
		s.clusterStartLink(l)
		s.clusterApply()
		s.mu.Unlock()
	}
}

func (d *clusterDriver) newLink(id cluster.LinkID, inbound bool) *busLink {
	l := &busLink{id: id, inbound: inbound, created: time.Now().UnixMilli()}
	l.cond = sync.NewCond(&l.mu)
	d.links[id] = l
	return l
}

// clusterStartLink starts a connected link's reader and writer.
func (s *Server) clusterStartLink(l *busLink) {
	go s.clusterWriter(l)
	go s.clusterReader(l)
}

// clusterDial connects an outbound link the state machine asked for. The
// connect timeout is the node timeout, as clusterCron's connect.
func (s *Server) clusterDial(l *busLink, ip string, port int, timeout time.Duration) {
	nc, err := net.DialTimeout("tcp", net.JoinHostPort(ip, strconv.Itoa(port)), timeout)
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.cl
	if d.links[l.id] != l || s.stopping.Load() {
		// Closed by the state machine while dialling.
		if err == nil {
			nc.Close()
		}
		return
	}
	now := time.Now().UnixMilli()
	if err != nil {
		delete(d.links, l.id)
		d.st.LinkClosed(l.id, now)
		s.clusterApply()
		return
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	local, _, _ := net.SplitHostPort(nc.LocalAddr().String())
	l.mu.Lock()
	l.nc = nc
	l.mu.Unlock()
	s.clusterStartLink(l)
	d.st.Connected(l.id, local, now)
	s.clusterApply()
}

// clusterReader reads frames from a link: each is decoded without the lock
// and stepped with it. A bad signature or a short or overlong frame closes
// the link, as clusterReadHandler; a frame that does not decode is logged
// and dropped.
func (s *Server) clusterReader(l *busLink) {
	var prefix [8]byte
	var frame bytes.Buffer
	for {
		if _, err := io.ReadFull(l.nc, prefix[:]); err != nil {
			s.clusterLinkBroken(l, "")
			return
		}
		n, err := bus.ReadFrameLen(prefix[:], busFrameMax)
		if err != nil {
			s.clusterLinkBroken(l, fmt.Sprintf("Bad message length or signature received on the Cluster bus: %v", err))
			return
		}
		frame.Reset()
		frame.Write(prefix[:])
		// Grown as bytes arrive, so a peer announcing a huge frame costs
		// only what it actually sends.
		if m, err := frame.ReadFrom(io.LimitReader(l.nc, int64(n-8))); err != nil || m != int64(n-8) {
			s.clusterLinkBroken(l, "")
			return
		}
		msg, derr := bus.Decode(frame.Bytes())
		s.mu.Lock()
		if s.cl.links[l.id] != l {
			s.mu.Unlock()
			return
		}
		t, _ := bus.FrameType(frame.Bytes())
		if derr == nil && int64(t) == s.clusterDropFilter {
			derr = errDropFilter
		}
		if derr != nil {
			s.cl.st.Discard(l.id, t, derr)
			s.clusterApply()
		} else {
			s.clusterFeedRepl()
			s.cl.st.Step(l.id, msg, time.Now().UnixMilli())
			s.clusterApply()
		}
		s.mu.Unlock()
		if frame.Cap() > 64<<10 {
			frame = bytes.Buffer{}
		}
	}
}

// errDropFilter discards a message DEBUG DROP-CLUSTER-PACKET-FILTER asks
// to drop (counted as received, as clusterProcessPacket does).
var errDropFilter = errors.New("matches the debug drop filter")

// clusterLinkBroken reports a link whose connection failed.
func (s *Server) clusterLinkBroken(l *busLink, why string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if why != "" {
		s.logf(logWarning, "%s", why)
	}
	d := s.cl
	if d.links[l.id] != l {
		return
	}
	delete(d.links, l.id)
	l.close()
	d.st.LinkClosed(l.id, time.Now().UnixMilli())
	s.clusterApply()
}

// clusterWriter writes a link's queue until the link closes.
func (s *Server) clusterWriter(l *busLink) {
	var bufs net.Buffers
	for {
		l.mu.Lock()
		for len(l.queue) == 0 && !l.closed {
			l.cond.Wait()
		}
		if l.closed {
			l.mu.Unlock()
			return
		}
		bufs = append(bufs[:0], l.queue...)
		for i := range l.queue {
			l.queue[i] = nil
		}
		l.queue = l.queue[:0]
		l.mu.Unlock()
		var n int64
		for _, b := range bufs {
			n += int64(len(b))
		}
		_, err := bufs.WriteTo(l.nc)
		l.mu.Lock()
		l.queued -= n
		l.mu.Unlock()
		if err != nil {
			s.clusterLinkBroken(l, "")
			return
		}
	}
}

// enqueue adds an encoded message to the link's send queue and reports the
// queued bytes.
func (l *busLink) enqueue(b []byte) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return 0
	}
	l.queue = append(l.queue, b)
	l.queued += int64(len(b))
	l.cond.Signal()
	return l.queued
}

// close stops the writer and closes the connection (the reader then
// fails and finds the link gone).
func (l *busLink) close() {
	l.mu.Lock()
	l.closed = true
	l.queue = nil
	l.cond.Signal()
	nc := l.nc
	l.mu.Unlock()
	if nc != nil {
		nc.Close()
	}
}

// clusterApply carries out the state machine's Ready, in its order, until
// nothing is left (closing a link over its send buffer limit reports it
// closed, which may queue more). Called with s.mu held.
func (s *Server) clusterApply() {
	for range 4 {
		rd := s.cl.st.Ready()
		if !s.clusterApplyReady(&rd) {
			return
		}
	}
}

// clusterApplyReady does what one Ready asks and reports whether a link
// was closed on the way.
func (s *Server) clusterApplyReady(rd *cluster.Ready) (more bool) {
	d := s.cl
	timeout := time.Duration(max(s.cfg.ClusterNodeTimeout, 1)) * time.Millisecond
	for _, dl := range rd.Dials {
		l := d.newLink(dl.Link, false)
		go s.clusterDial(l, dl.IP, dl.BusPort, timeout)
	}
	for _, sd := range rd.Sends {
		l := d.links[sd.Link]
		if l == nil {
			continue
		}
		if q := l.enqueue(sd.Msg); s.cfg.ClusterLinkSendbufLimit > 0 && q > s.cfg.ClusterLinkSendbufLimit {
			// clusterCron's link memory check, done as the queue grows.
			s.logf(logWarning, "Freeing cluster link(%s node, used memory: %d) due to exceeding send buffer memory limit.", linkDirection(l), q)
			d.bufLimitExceeded++
			delete(d.links, l.id)
			l.close()
			d.st.LinkClosed(l.id, time.Now().UnixMilli())
			more = true
		}
	}
	for _, id := range rd.Closes {
		if l := d.links[id]; l != nil {
			delete(d.links, id)
			l.close()
		}
	}
	for _, dv := range rd.Deliveries {
		if dv.Shard {
			s.publishShard(dv.Channel, dv.Message)
		} else {
			s.publish(dv.Channel, dv.Message)
		}
	}
	for _, slot := range rd.DeleteKeysInSlots {
		s.clusterDelKeysInSlot(slot)
	}
	if rd.MasterChanged && d.st.Myself().IsReplica() {
		// Following the new master's data is the replication driver's.
		s.clusterBecameReplica()
	}
	if rd.SaveConfig {
		if err := s.clusterSaveConfig(rd.Fsync); err != nil {
			// As clusterBeforeSleep: a node that cannot save its config
			// must not go on with a view it could lose.
			s.logf(logWarning, "Fatal: can't update cluster config file.")
			os.Exit(1)
		}
	}
	s.clusterApplyFailover(rd)
	if rd.UpdateState {
		s.clusterRedirectBlockedClients()
		s.clusterDropLostShardChannels()
	}
	for _, lg := range rd.Logs {
		s.logf(clusterLogLevel(lg.Level), "%s", lg.Text)
	}
	return more
}

func linkDirection(l *busLink) string {
	if l.inbound {
		return "from"
	}
	return "to"
}

func clusterLogLevel(l cluster.LogLevel) int {
	switch l {
	case cluster.LogDebug:
		return logDebug
	case cluster.LogVerbose:
		return logVerbose
	case cluster.LogNotice:
		return logNotice
	}
	return logWarning
}

// clusterDelKeysInSlot deletes every key of a slot another master took
// (delKeysInSlot), propagating each deletion.
func (s *Server) clusterDelKeysInSlot(slot int) {
	db := s.ks.DBs[0]
	var keys []string
	db.KeysInSlot(slot, db.CountInSlot(slot), func(k string) { keys = append(keys, k) })
	for _, k := range keys {
		kb := []byte(k)
		if db.Delete(kb) {
			db.Touched(kb)
			s.notifyKeyspaceEvent(command.NotifyGeneric, "del", kb, 0)
			s.alsoPropagate(0, [][]byte{argvDel, kb})
		}
	}
}

// clusterSaveConfig is clusterSaveConfig: nodes.conf is rewritten in
// place, as Redis does, through the descriptor that holds the start-up
// flock (the file is never replaced, so the lock stays on it). With fsync
// (CLUSTER_TODO_FSYNC_CONFIG, CLUSTER SAVECONFIG) the file is fsynced;
// without, durability against power loss is the kernel's, as Redis's
// clusterSaveConfig(0). A temp file renamed over the old one per save, as
// before, cost about 1.5 ms per CLUSTER SETSLOT on ext4 (docs/DESIGN.md,
// "The driver").
func (s *Server) clusterSaveConfig(fsync bool) error {
	d := s.cl
	if err := writeInPlace(d.lock, d.st.NodesConf(), fsync); err != nil {
		s.logf(logWarning, "Could not save the cluster config %s: %v", d.path, err)
		return err
	}
	return nil
}

// writeInPlace writes content over f from its start. A shorter content is
// padded with newlines to the old length and the file truncated only after
// the write (and the fsync), so a crash in between leaves blank lines,
// which loading skips.
func writeInPlace(f *os.File, content []byte, fsync bool) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	size := len(content)
	if old := fi.Size(); old > int64(size) {
		content = append(content, bytes.Repeat([]byte{'\n'}, int(old)-size)...)
	}
	if _, err := f.WriteAt(content, 0); err != nil {
		return err
	}
	if fsync {
		if err := f.Sync(); err != nil {
			return err
		}
	}
	if len(content) > size {
		// As Redis: a failed truncation leaves only blank lines behind.
		f.Truncate(int64(size))
	}
	return nil
}

// clusterCron runs the state machine's clock every 100 ms (clusterCron's
// run_with_period(100)): every serverCron run at hz 10, fewer at higher hz.
// Called from serverCron with s.mu held.
func (s *Server) clusterCron(now time.Time) {
	d := s.cl
	if now.Sub(d.lastTick) < 100*time.Millisecond-s.cron.period/2 {
		return
	}
	d.lastTick = now
	s.clusterFeedRepl()
	d.st.Tick(now.UnixMilli())
	s.clusterApply()
	s.clusterFollowMaster()
}

// clusterShutdown closes the bus and saves the config (clusterHandleServerShutdown).
func (s *Server) clusterShutdown() {
	d := s.cl
	if d == nil {
		return
	}
	for _, ln := range d.lns {
		ln.Close()
	}
	for id, l := range d.links {
		delete(d.links, id)
		l.close()
	}
}

// debugClusterLinkKill is DEBUG CLUSTERLINK KILL to|from|all <node-id>: the
// node's outbound and/or inbound link is closed as if it broke. An unknown
// direction gets an error and then +OK, as Redis 7.0 replies.
func (s *Server) debugClusterLinkKill(c *conn) {
	if s.cl == nil {
		c.Error(rerr.Line("ERR Debug option only available for cluster mode enabled setup!"))
		return
	}
	id := string(c.Argv[4])
	n := s.cl.st.Node(id)
	if n == nil {
		c.Error(rerr.Line("ERR Unknown node " + id))
		return
	}
	var kill []cluster.LinkID
	switch dir := strings.ToLower(string(c.Argv[3])); dir {
	case "from":
		kill = append(kill, n.InLink())
	case "to":
		kill = append(kill, n.OutLink())
	case "all":
		kill = append(kill, n.OutLink(), n.InLink())
	default:
		c.Error(rerr.Line("ERR Unknown direction " + string(c.Argv[3])))
	}
	now := time.Now().UnixMilli()
	for _, id := range kill {
		if l := s.cl.links[id]; id != 0 && l != nil {
			delete(s.cl.links, id)
			l.close()
			s.cl.st.LinkClosed(id, now)
		}
	}
	s.clusterApply()
	c.Simple("OK")
}

// clusterConnections is INFO's cluster_connections (getClusterConnectionsCount):
// two links per other known node.
func (s *Server) clusterConnections() int {
	if s.cl == nil {
		return 0
	}
	return (len(s.cl.st.Nodes()) - 1) * 2
}
