package server

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/keyspace"
	"shoal/internal/repl"
	"shoal/internal/rerr"
)

// The replica side of replication (replication.c's connectWithMaster,
// syncWithMaster, readSyncBulkPayload): the handshake and the RDB transfer
// run on a goroutine of their own; once synced, the socket becomes an
// ordinary connection on an event loop flagged ClientMaster, whose
// commands run through processCommand like any client's.

// Replica link states (REPL_STATE_*), as ROLE names them.
const (
	replNone = iota
	replConnect
	replConnecting
	replHandshake
	replTransfer
	replConnected
)

var replStateNames = [...]string{"none", "connect", "connecting", "handshake", "sync", "connected"}

// replicaSide is the state of our link to our master.
type replicaSide struct {
	host  string // "" on a master
	port  int
	state int
	// master is the connected master client.
	master *conn
	link   *replLink
	// haveHistory: our replication ID and offset describe our dataset, so
	// PSYNC may continue from them (Redis's cached master).
	haveHistory bool
	downSince   int64 // unix ms
	// masterDB is the master client's database, kept across a partial
	// resync.
	masterDB int
	// applied holds stream bytes of a MULTI being applied: they are
	// counted and relayed when EXEC completes it.
	applied []byte

	transferSize, transferRead, transferLastIO atomic.Int64
}

// replLink is one connection attempt to the master.
type replLink struct {
	host     string
	port     int
	canceled atomic.Bool
	nc       atomic.Pointer[net.Conn]
}

func (l *replLink) cancel() {
	l.canceled.Store(true)
	if nc := l.nc.Load(); nc != nil {
		(*nc).Close()
	}
}

// replicaofCommand is REPLICAOF / SLAVEOF host port | NO ONE.
func replicaofCommand(s *Server, c *conn) {
	if s.cfg.ClusterEnabled {
		c.Error(rerr.ReplicaofCluster)
		return
	}
	if s.repl.failover.state != noFailover {
		c.Error(rerr.Line("ERR REPLICAOF not allowed while failing over."))
		return
	}
	if strings.EqualFold(string(c.Argv[1]), "no") && strings.EqualFold(string(c.Argv[2]), "one") {
		if s.repl.replica.host != "" {
			s.replicationUnsetMaster()
			s.logf(logNotice, "MASTER MODE enabled (user request from 'id=%d addr=%s')", c.ID, c.addr)
		}
		c.Simple("OK")
		return
	}
	if c.Flags&command.ClientReplica != 0 {
		c.Error(rerr.Line("ERR Command is not valid when client is a replica."))
		return
	}
	port, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
	if err != nil || port < 0 || port > 65535 {
		c.Error(rerr.Line("ERR Invalid master port"))
		return
	}
	host := string(c.Argv[1])
	if s.repl.replica.host != "" && strings.EqualFold(s.repl.replica.host, host) && s.repl.replica.port == int(port) {
		s.logf(logNotice, "REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.")
		c.Simple("OK Already connected to specified master")
		return
	}
	s.replicationSetMaster(host, int(port))
	s.logf(logNotice, "REPLICAOF %s:%d enabled (user request from 'id=%d addr=%s')", host, port, c.ID, c.addr)
	c.Simple("OK")
}

// replicationSetMaster makes this server a replica of host:port (also the
// cluster's "replicate node X"). Called with s.mu held.
func (s *Server) replicationSetMaster(host string, port int) {
	rp := &s.repl.replica
	wasMaster := rp.host == ""
	s.replCancelLink()
	if m := rp.master; m != nil {
		s.killClient(m)
		s.replMasterLost(m)
	}
	rp.host, rp.port = host, port
	s.ks.Replica = true
	s.log.setRole('S')
	if wasMaster {
		// Our own history is the "cached master": if the new master was
		// our replica, PSYNC continues from it (replicationCacheMasterUsingMyself).
		rp.haveHistory = true
		rp.masterDB = 0
		if s.repl.backlog == nil {
			s.createBacklog()
		}
	}
	// Our replicas stay: they may continue with us. They are dropped
	// when our history changes (+CONTINUE with a new replid) or a full
	// sync is about to load.
	s.disconnectBlockedClients()
	rp.state = replConnect
	rp.downSince = s.cron.nowMs
	s.logf(logNotice, "Connecting to MASTER %s:%d", host, port)
	s.replConnect()
}

// replicationUnsetMaster turns this replica into a master (REPLICAOF NO
// ONE, FAILOVER, a cluster promotion). Called with s.mu held.
func (s *Server) replicationUnsetMaster() {
	rp := &s.repl.replica
	if rp.host == "" {
		return
	}
	s.replCancelLink()
	if rp.master != nil {
		m := rp.master
		s.killClient(m)
		s.replMasterLost(m)
	}
	rp.host, rp.port = "", 0
	rp.state = replNone
	rp.haveHistory = false
	rp.applied = nil
	s.ks.Replica = false
	s.log.setRole('M')
	// A new history, keeping the old one for replicas that were our
	// master's (shiftReplicationId).
	s.repl.ids.Shift(randomHex(s.rnd, repl.IDLen))
	if s.repl.backlog == nil {
		s.createBacklog()
	}
	s.repl.selDB = -1
	s.dropReplicas()
	s.repl.noReplicasSince = s.cron.nowMs
	s.logf(logNotice, "Setting secondary replication ID to %s, valid up to offset: %d. New replication ID is %s", s.repl.ids.ID2, s.repl.ids.SecondOffset, s.repl.ids.ID)
}

// disconnectBlockedClients answers every blocked client (blocking pops,
// WAIT) with -UNBLOCKED and closes it, as a master turning replica must
// not serve them from the data its new master will send
// (disconnectAllBlockedClients).
func (s *Server) disconnectBlockedClients() {
	for c := range s.blocked.clients {
		s.unparkClient(c)
		c.waitNum = 0
		c.Error(rerr.Unblocked)
		c.Flags |= command.ClientCloseAfterReply
		c.queueWrite()
	}
	s.repl.waiters = nil
}

// replCancelLink stops a handshake or transfer in progress.
func (s *Server) replCancelLink() {
	if l := s.repl.replica.link; l != nil {
		l.cancel()
		s.repl.replica.link = nil
	}
}

// replMasterLost is called when the master client goes away: its history
// stays ours, so the next PSYNC can continue. Called with s.mu held.
func (s *Server) replMasterLost(c *conn) {
	rp := &s.repl.replica
	if rp.master != c {
		return
	}
	rp.master = nil
	rp.masterDB = c.DB.ID
	rp.applied = nil
	if rp.host != "" {
		rp.state = replConnect
		rp.downSince = s.cron.nowMs
		s.logf(logNotice, "Connection with master lost.")
		s.logf(logNotice, "* Caching the disconnected master state.")
	}
}

// replConnect starts a link attempt. Called with s.mu held.
func (s *Server) replConnect() {
	rp := &s.repl.replica
	// Not while a load answers -LOADING (the start-up load, whose yields
	// let the replicaof directive and the bus in): a full sync would flush
	// under the loader. The cron connects once it is over, as Redis's
	// connectWithMaster runs only from replicationCron.
	if rp.link != nil || rp.host == "" || s.stopping.Load() || s.load.active.Load() {
		return
	}
	l := &replLink{host: rp.host, port: rp.port}
	rp.link = l
	rp.state = replConnecting
	cfg := replLinkConfig{
		auth: s.cfg.MasterAuth, user: s.cfg.MasterUser,
		port: s.cfg.Port, announceIP: s.cfg.ReplicaAnnounceIP, announcePort: s.cfg.ReplicaAnnouncePort,
		timeout:   time.Duration(s.cfg.ReplTimeout) * time.Second,
		bind:      s.cfg.BindSourceAddr,
		noDelay:   !s.cfg.ReplDisableTCPNoDelay,
		replid:    s.repl.ids.ID,
		offset:    s.repl.ids.Offset,
		continues: rp.haveHistory,
		failover:  s.repl.failover.state == failoverInProgress,
	}
	go s.replLinkRun(l, cfg)
}

// replLinkConfig is what a link attempt reads of the configuration and
// state, taken under the lock when it starts.
type replLinkConfig struct {
	auth, user   string
	port         int
	announceIP   string
	announcePort int
	timeout      time.Duration
	bind         string
	noDelay      bool
	replid       string
	offset       int64
	continues    bool
	// failover: PSYNC carries FAILOVER, so the target promotes itself.
	failover bool
}

// errRetryLater is a master that cannot sync now (-NOMASTERLINK, -LOADING).
var errRetryLater = errors.New("master not ready")

// replLinkRun is one attempt: connect, handshake, PSYNC, transfer. On
// success the socket is handed to an event loop; on failure the cron tries
// again.
func (s *Server) replLinkRun(l *replLink, cfg replLinkConfig) {
	err := s.replSyncWithMaster(l, cfg)
	if err == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repl.replica.link == l {
		s.repl.replica.link = nil
		var ne net.Error
		switch {
		case l.canceled.Load() || err == errRetryLater:
		case errors.As(err, &ne) && ne.Timeout() && s.repl.replica.state == replTransfer:
			s.logf(logWarning, "Timeout receiving bulk data from MASTER... If the problem persists try to set the 'repl-timeout' parameter in redis.conf to a larger value.")
		case errors.As(err, &ne) && ne.Timeout():
			s.logf(logWarning, "Timeout connecting to the MASTER...")
		default:
			s.logf(logWarning, "Replication with MASTER %s:%d failed: %v", l.host, l.port, err)
		}
		s.repl.replica.state = replConnect
	}
}

func (s *Server) replSyncWithMaster(l *replLink, cfg replLinkConfig) error {
	d := net.Dialer{Timeout: cfg.timeout}
	if cfg.bind != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(cfg.bind)}
	}
	addr := net.JoinHostPort(l.host, strconv.Itoa(l.port))
	nc, err := d.Dial("tcp", addr)
	if err != nil {
		return fmt.Errorf("Unable to connect to MASTER: %w", err)
	}
	l.nc.Store(&nc)
	ok := false
	defer func() {
		if !ok {
			nc.Close()
		}
	}()
	if l.canceled.Load() {
		return errRetryLater
	}
	if tc, isTCP := nc.(*net.TCPConn); isTCP {
		tc.SetNoDelay(cfg.noDelay)
	}
	s.mu.Lock()
	if s.repl.replica.link == l {
		s.repl.replica.state = replHandshake
	}
	s.mu.Unlock()
	s.logf(logNotice, "MASTER <-> REPLICA sync started")
	br := bufio.NewReaderSize(nc, 64<<10)
	cmd := func(args ...string) (string, error) {
		var b []byte
		b = append(b, '*')
		b = strconv.AppendInt(b, int64(len(args)), 10)
		b = append(b, "\r\n"...)
		for _, a := range args {
			b = append(b, '$')
			b = strconv.AppendInt(b, int64(len(a)), 10)
			b = append(b, "\r\n"...)
			b = append(b, a...)
			b = append(b, "\r\n"...)
		}
		nc.SetDeadline(time.Now().Add(cfg.timeout))
		if _, err := nc.Write(b); err != nil {
			return "", err
		}
		return readLine(br, nc, cfg.timeout)
	}
	reply, err := cmd("PING")
	if err != nil {
		return err
	}
	if reply[0] == '-' && !strings.HasPrefix(reply, "-NOAUTH") && !strings.HasPrefix(reply, "-NOPERM") && !strings.HasPrefix(reply, "-ERR operation not permitted") {
		return fmt.Errorf("Error reply to PING from master: '%s'", reply)
	}
	s.logf(logNotice, "Master replied to PING, replication can continue...")
	if cfg.auth != "" {
		args := []string{"AUTH", cfg.auth}
		if cfg.user != "" {
			args = []string{"AUTH", cfg.user, cfg.auth}
		}
		if reply, err = cmd(args...); err != nil {
			return err
		}
		if reply[0] == '-' {
			return fmt.Errorf("Unable to AUTH to MASTER: %s", reply)
		}
	}
	port := cfg.port
	if cfg.announcePort != 0 {
		port = cfg.announcePort
	}
	if reply, err = cmd("REPLCONF", "listening-port", strconv.Itoa(port)); err != nil {
		return err
	} else if reply[0] == '-' {
		s.logf(logNotice, "(Non critical) Master does not understand REPLCONF listening-port: %s", reply)
	}
	if cfg.announceIP != "" {
		if reply, err = cmd("REPLCONF", "ip-address", cfg.announceIP); err != nil {
			return err
		} else if reply[0] == '-' {
			s.logf(logNotice, "(Non critical) Master does not understand REPLCONF ip-address: %s", reply)
		}
	}
	if reply, err = cmd("REPLCONF", "capa", "eof", "capa", "psync2"); err != nil {
		return err
	} else if reply[0] == '-' {
		s.logf(logNotice, "(Non critical) Master does not understand REPLCONF capa: %s", reply)
	}
	psyncID, psyncOff := "?", "-1"
	if cfg.continues {
		psyncID, psyncOff = cfg.replid, strconv.FormatInt(cfg.offset+1, 10)
		s.logf(logNotice, "Trying a partial resynchronization (request %s:%s).", psyncID, psyncOff)
	} else {
		s.logf(logNotice, "Partial resynchronization not possible (no cached master)")
	}
	psync := []string{"PSYNC", psyncID, psyncOff}
	if cfg.failover {
		psync = append(psync, "FAILOVER")
	}
	if reply, err = cmd(psync...); err != nil {
		return err
	}
	if cfg.failover {
		// The target's answer settles the failover (syncWithMaster).
		s.mu.Lock()
		if s.repl.failover.state == failoverInProgress {
			if strings.HasPrefix(reply, "+CONTINUE") || strings.HasPrefix(reply, "+FULLRESYNC") {
				s.clearFailover()
			} else {
				s.abortFailover("Failover target rejected psync request")
				s.mu.Unlock()
				return errRetryLater
			}
		}
		s.mu.Unlock()
	}
	switch {
	case strings.HasPrefix(reply, "+CONTINUE"):
		id, err := repl.ParseContinue([]byte(reply))
		if err != nil {
			return err
		}
		s.logf(logNotice, "Successful partial resynchronization with master.")
		return s.replContinue(l, nc, br, id, &ok)
	case strings.HasPrefix(reply, "+FULLRESYNC"):
		id, off, err := repl.ParseFullResync([]byte(reply))
		if err != nil {
			return err
		}
		s.logf(logNotice, "Full resync from master: %s:%d", id, off)
		return s.replFullSync(l, nc, br, cfg, id, off, &ok)
	case strings.HasPrefix(reply, "-NOMASTERLINK") || strings.HasPrefix(reply, "-LOADING"):
		s.logf(logNotice, "Master is currently unable to PSYNC but should be in the future: %s", reply)
		return errRetryLater
	}
	return fmt.Errorf("Unexpected reply to PSYNC from master: %s", reply)
}

// readLine reads one CRLF- or LF-terminated line, skipping the empty
// lines a master sends to keep the link alive, so it is never empty.
func readLine(br *bufio.Reader, nc net.Conn, timeout time.Duration) (string, error) {
	for {
		nc.SetReadDeadline(time.Now().Add(timeout))
		line, err := br.ReadSlice('\n')
		if err != nil {
			if err == bufio.ErrBufferFull {
				return "", errors.New("line too long from master")
			}
			return "", err
		}
		if str := strings.TrimRight(string(line), "\r\n"); str != "" {
			return str, nil
		}
	}
}

// replContinue finishes a partial resync: a new master history shifts
// ours (PSYNC2), and the link becomes the master client.
func (s *Server) replContinue(l *replLink, nc net.Conn, br *bufio.Reader, id string, ok *bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.repl.replica.link != l {
		return errRetryLater
	}
	if id != "" && id != s.repl.ids.ID {
		s.repl.ids.Shift(id)
		s.logf(logNotice, "Master replication ID changed to %s", id)
		s.dropReplicas()
	}
	s.logf(logNotice, "MASTER <-> REPLICA sync: Master accepted a Partial Resynchronization.")
	if err := s.replAdoptMaster(nc, br, nil, s.repl.replica.masterDB); err != nil {
		return err
	}
	*ok = true
	return nil
}

// replAdoptMaster turns the link into the master client on an event
// loop: bytes already read past the handshake (pre, then what br holds)
// are its first input. Called with s.mu held.
func (s *Server) replAdoptMaster(nc net.Conn, br *bufio.Reader, pre []byte, dbid int) error {
	raw, err := nc.(syscall.Conn).SyscallConn()
	if err != nil {
		return err
	}
	fd := -1
	var derr error
	raw.Control(func(f uintptr) {
		r, _, e := syscall.Syscall(syscall.SYS_FCNTL, f, syscall.F_DUPFD_CLOEXEC, 0)
		if e != 0 {
			derr = e
			return
		}
		fd = int(r)
	})
	if derr != nil {
		return derr
	}
	buffered, _ := br.Peek(br.Buffered())
	leftover := append(append([]byte(nil), pre...), buffered...)
	nc.Close()
	syscall.SetNonblock(fd, true)
	l := s.loops[s.nextLoop%len(s.loops)]
	s.nextLoop++
	s.nextID++
	now := time.Now().UnixMilli()
	c := &conn{srv: s, loop: l, fd: fd, created: now, lastSeen: now}
	c.ID = s.nextID
	c.Core = s.core
	c.Conn = c
	if dbid < 0 || dbid >= len(s.ks.DBs) {
		dbid = 0
	}
	c.DB = s.ks.DBs[dbid]
	c.Proto = 2
	c.Flags = command.ClientMaster | command.ClientAuthenticated
	c.addr = net.JoinHostPort(s.repl.replica.host, strconv.Itoa(s.repl.replica.port))
	if lsa, err := syscall.Getsockname(fd); err == nil {
		lip, lport := sockaddrString(lsa)
		c.laddr = net.JoinHostPort(lip, strconv.Itoa(lport))
	}
	c.qbuf = leftover
	s.clients[c.ID] = c
	rp := &s.repl.replica
	rp.master = c
	rp.link = nil
	rp.state = replConnected
	rp.downSince = 0
	rp.applied = nil
	l.handoff = append(l.handoff, c)
	if len(leftover) > 0 {
		c.resume = true
		c.queueWrite()
	}
	l.wake()
	// Acknowledge at once: after a diskless transfer the master sends
	// nothing until it has our first ACK.
	s.replicaSendAck(c)
	return nil
}

// masterApplied runs after each command the master client executed: its
// reply is dropped (unless it is REPLCONF GETACK's ACK), and its bytes are
// counted in our offset and relayed to our backlog and replicas — within
// MULTI only once EXEC completes it (replicationFeedStreamFromMasterStream).
// Called with s.mu held.
func (s *Server) masterApplied(c *conn, replyStart int, raw []byte) {
	if !c.forceReply && len(c.B) >= replyStart {
		if c.Errored() > 0 {
			s.logf(logWarning, "== CRITICAL == This replica is sending an error to its master: '%s' after processing the command '%s'", strings.TrimSpace(string(c.B[replyStart:])), c.lastCmd)
		}
		c.B = c.B[:replyStart]
	}
	c.forceReply = false
	rp := &s.repl.replica
	if c.Flags&command.ClientMulti != 0 {
		rp.applied = append(rp.applied, raw...)
		return
	}
	if len(rp.applied) > 0 {
		rp.applied = append(rp.applied, raw...)
		raw = rp.applied
		rp.applied = rp.applied[:0]
	}
	if s.repl.backlog == nil {
		s.createBacklog()
	}
	s.feedStream(raw)
}

// replicaSendAck writes REPLCONF ACK <offset> to the master. Called with
// s.mu held.
func (s *Server) replicaSendAck(c *conn) {
	off := strconv.FormatInt(s.repl.ids.Offset, 10)
	c.B = append(c.B, "*3\r\n$8\r\nREPLCONF\r\n$3\r\nACK\r\n$"...)
	c.B = strconv.AppendInt(c.B, int64(len(off)), 10)
	c.B = append(c.B, "\r\n"...)
	c.B = append(c.B, off...)
	c.B = append(c.B, "\r\n"...)
	c.queueWrite()
}

// replicationReplicaCron is the replica half of replicationCron, once a
// second: reconnect, time the master out, acknowledge. Called with s.mu
// held.
func (s *Server) replicationReplicaCron() {
	rp := &s.repl.replica
	if rp.host == "" {
		return
	}
	switch {
	case rp.master != nil:
		m := rp.master
		if s.cron.nowMs-m.lastSeen > int64(s.cfg.ReplTimeout)*1000 {
			s.logf(logWarning, "MASTER timeout: no data nor PING received...")
			s.killClient(m)
			return
		}
		s.replicaSendAck(m)
	case rp.link == nil:
		// The link's own reads time out after repl-timeout (handshake
		// and transfer); a failed attempt is retried here.
		s.logf(logNotice, "Connecting to MASTER %s:%d", rp.host, rp.port)
		s.replConnect()
	}
}

// replicationCron runs the master and replica halves once a second.
// Called with s.mu held from serverCron.
func (s *Server) replicationCron() {
	s.failoverCron()
	if len(s.repl.replicaExpires) > 0 && s.activeExpire {
		s.expireReplicaKeys()
	}
	if s.cron.nowMs-s.repl.lastCron < 1000 && s.repl.waitStart == 0 {
		return
	}
	if s.cron.nowMs-s.repl.lastCron >= 1000 {
		s.repl.lastCron = s.cron.nowMs
		s.replicationReplicaCron()
		s.replicationMasterCron()
		return
	}
	s.maybeStartReplSync()
}

// startReplicaFromConfig applies the replicaof directive at start-up.
// Called with s.mu held, once the loops exist.
func (s *Server) startReplicaFromConfig() {
	if s.cfg.MasterHost != "" && s.repl.replica.host == "" && !s.cfg.ClusterEnabled {
		s.replicationSetMaster(s.cfg.MasterHost, s.cfg.MasterPort)
	}
}

// replicaRefusal is processCommand's replication checks, in Redis's order:
// NOREPLICAS, READONLY (before the pub/sub context check) and MASTERDOWN
// (after it); it returns the error, or nil. stale selects the second
// group. flags are the command's effective flags (a script's shebang flags
// stand for EVAL's and FCALL's own).
func (s *Server) replicaRefusal(c *conn, cmd *command.Command, flags uint64, stale bool) []byte {
	if c.Flags&command.ClientMaster != 0 {
		return nil
	}
	isWrite := flags&command.FlagWrite != 0 || (cmd.Name == "exec" && c.multi.hasWrite)
	if !stale {
		if isWrite && !s.enoughGoodReplicas() {
			return rerr.NoReplicas
		}
		if isWrite && s.readOnlyReplica() {
			return rerr.ReadOnly
		}
		return nil
	}
	if s.staleReplica() && (flags&command.FlagStale == 0 || (cmd.Name == "exec" && c.multi.denyStale())) {
		return rerr.MasterDown
	}
	return nil
}

// readOnlyReplica reports whether this server is a replica refusing its
// clients' writes (masterhost && repl_slave_ro).
func (s *Server) readOnlyReplica() bool {
	return s.repl.replica.host != "" && s.cfg.ReplicaReadOnly
}

// staleReplica reports whether this server is a replica whose link is down
// and that must not serve stale data.
func (s *Server) staleReplica() bool {
	return s.repl.replica.host != "" && s.repl.replica.state != replConnected && !s.cfg.ReplicaServeStaleData
}

func init() {
	handle("replicaof", replicaofCommand)
	handle("slaveof", replicaofCommand)
}

// replicaKey names a key a writable replica's own client gave a TTL.
type replicaKey struct {
	db  int
	key string
}

// onSetExpire tracks keys given a TTL on a replica by a client other than
// the master: the master will never send their DEL, so the replica
// expires them itself (rememberSlaveKeyWithExpire). Called with s.mu held.
func (s *Server) onSetExpire(db *keyspace.DB, e *keyspace.Entry) {
	if !s.ks.Replica || s.ks.Loading {
		return
	}
	if c := s.tracking.cur; c == nil || c.Flags&command.ClientMaster != 0 {
		return
	}
	if s.repl.replicaExpires == nil {
		s.repl.replicaExpires = make(map[replicaKey]struct{})
	}
	s.repl.replicaExpires[replicaKey{db.ID, e.Key}] = struct{}{}
}

// expireReplicaKeys deletes the tracked keys whose time has come
// (expireSlaveKeys). Called with s.mu held from the cron.
func (s *Server) expireReplicaKeys() {
	for k := range s.repl.replicaExpires {
		db := s.ks.DBs[k.db]
		e := db.FindString(k.key)
		switch {
		case e == nil || e.Expire == 0:
			delete(s.repl.replicaExpires, k)
		case e.Expire <= s.cron.nowMs:
			db.Delete([]byte(k.key))
			s.onKeyExpired(db, k.key)
			delete(s.repl.replicaExpires, k)
		}
	}
}
