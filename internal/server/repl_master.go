package server

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/encoding"
	"shoal/internal/persist/aof"
	"shoal/internal/persist/rdb"
	"shoal/internal/persist/snapshot"
	"shoal/internal/repl"
	"shoal/internal/rerr"
)

// The master side of replication (replication.c): SYNC/PSYNC, REPLCONF,
// feeding the stream to the backlog and the replicas, full syncs over a
// fork-less snapshot, WAIT and min-replicas-to-write (docs/DESIGN.md,
// "Replication").

// Replica states (SLAVE_STATE_*), as INFO names them.
const (
	replicaWaitBgsaveStart = iota + 1
	replicaWaitBgsaveEnd
	replicaSendBulk
	replicaOnline
)

var replicaStateNames = [...]string{"", "wait_bgsave", "wait_bgsave", "send_bulk", "online"}

// replicaConn is what the master keeps about one replica's connection.
type replicaConn struct {
	state         int
	listeningPort int
	announceIP    string
	capaEOF       bool
	capaPSync2    bool
	// psync: it asked with PSYNC, so it is told +FULLRESYNC.
	psync bool
	// job is the full sync it is attached to.
	job     *replSync
	ackOff  int64
	ackTime int64 // unix ms of the last ACK
	// reader is the replica's place in the shared replication buffer: from
	// the start of its snapshot (or its PSYNC offset) on, the stream waits
	// there until the RDB has been sent (and, after a diskless transfer,
	// until its first ACK: waitAck).
	reader  repl.Reader
	waitAck bool
	// drained is signalled by the loop each time the connection's output
	// has been fully written: the RDB sender waits on it.
	drained chan struct{}
}

// replState is the server's replication state, master and replica sides.
type replState struct {
	ids repl.IDs
	// backlog is the shared replication buffer, which holds the backlog
	// and every replica's unsent stream (nil: no backlog).
	backlog *repl.Buffer
	selDB   int // database of the last SELECT in the stream; -1 forces one
	// scratch is reused to encode each propagated command.
	scratch []byte

	replicas []*conn
	// noReplicasSince is when the last replica left (repl-backlog-ttl).
	noReplicasSince int64
	goodReplicas    int
	// cronLoops counts replication cron runs (one a second): replicas are
	// pinged when it is a multiple of repl-ping-replica-period, as
	// replication_cron_loops.
	cronLoops int64
	lastCron  int64
	// waitStart is when the first replica of the coming diskless sync
	// arrived (repl-diskless-sync-delay).
	waitStart int64
	// getAck: a WAIT in this pass wants REPLCONF GETACK sent to replicas.
	getAck  bool
	waiters []*conn

	syncFull, syncPartialOK, syncPartialErr int64

	failover failoverState
	// replicaExpires are the keys a writable replica expires itself.
	replicaExpires map[replicaKey]struct{}

	replica replicaSide
}

// replChunk bounds the RDB bytes queued to one replica at a time: the
// sender waits for the socket to drain below it (flow control keeps the
// master's memory bounded whatever the replica's speed).
const replChunk = 1 << 20

// initRepl sets up the replication IDs. Called from New.
func (s *Server) initRepl() {
	s.repl.ids = repl.NewIDs(randomHex(s.rnd, repl.IDLen))
	s.repl.selDB = -1
	s.repl.noReplicasSince = time.Now().UnixMilli()
	s.ks.OnSetExpire = s.onSetExpire
	good := func(*config.Config) error {
		s.refreshGoodReplicas()
		return nil
	}
	s.cfg.OnApply("min-replicas-to-write", good)
	s.cfg.OnApply("min-replicas-max-lag", good)
	s.cfg.OnApply("repl-backlog-size", func(c *config.Config) error {
		// CONFIG SET below the least backlog sets the least
		// (resizeReplicationBacklog).
		c.ReplBacklogSize = max(c.ReplBacklogSize, repl.MinSize)
		if s.repl.backlog != nil {
			s.repl.backlog.SetSize(c.ReplBacklogSize)
		}
		return nil
	})
}

// feedReplicas appends a propagated command to the stream: backlog and
// replicas (replicationFeedSlaves). A replica proxies its master's stream
// instead (masterApplied), so it feeds nothing here. Called with s.mu held.
func (s *Server) feedReplicas(dbid int, argv [][]byte) {
	r := &s.repl
	if r.backlog == nil || r.replica.host != "" {
		return
	}
	buf := r.scratch[:0]
	if dbid != r.selDB && dbid >= 0 {
		buf = aof.AppendSelect(buf, dbid)
		r.selDB = dbid
	}
	buf = aof.AppendCommand(buf, argv)
	s.feedStream(buf)
	if cap(buf) <= 64<<10 {
		r.scratch = buf
	}
}

// feedStream adds raw stream bytes to the shared replication buffer: the
// offset moves on, and every online replica is woken to write its share
// (feedReplicationBuffer). The stream is copied once whatever the number
// of replicas. Called with s.mu held.
func (s *Server) feedStream(p []byte) {
	r := &s.repl
	if r.backlog == nil {
		return
	}
	r.ids.Offset += int64(len(p))
	grew := r.backlog.Feed(p)
	for _, c := range r.replicas {
		rc := c.repl
		if !rc.reader.Attached() {
			// Waiting for a snapshot: it gets the stream from the start
			// of the one it will be given.
			continue
		}
		if rc.state == replicaOnline && !rc.waitAck {
			c.queueWrite()
		}
		if grew {
			// As Redis, the limit is checked when a block is added.
			s.checkOutputLimit(c)
		}
	}
}

// replicaStreamMemory is what c's unsent stream holds of the shared
// buffer (getClientOutputBufferMemoryUsage for a replica): the blocks from
// the one its next byte is in to the last. Called with s.mu held.
func (s *Server) replicaStreamMemory(c *conn) int64 {
	if c.repl == nil || s.repl.backlog == nil {
		return 0
	}
	s.settleReplica(c)
	return s.repl.backlog.Memory(&c.repl.reader)
}

// settleReplica moves c's reader past what its loop has written since the
// last call (the loop writes the shared blocks without the lock, and
// counts). Called with s.mu held.
func (s *Server) settleReplica(c *conn) {
	if n := c.rsent.Swap(0); n > 0 && c.repl.reader.Attached() && s.repl.backlog != nil {
		s.repl.backlog.Advance(&c.repl.reader, n)
	}
}

// replStreamHandOver bounds the stream bytes handed to a replica's loop
// at a time: a replica far behind is given its backlog in steps.
const replStreamHandOver = 4 << 20

// takeStream hands c's loop the stream it has not been sent, as slices of
// the shared blocks, to write after its other output. Called with s.mu
// held, on c's loop.
func (c *conn) takeStream() {
	s := c.srv
	s.settleReplica(c)
	clear(c.rsegs)
	c.rsegs, c.rsegIdx, c.rsegPos, c.rmore = c.rsegs[:0], 0, 0, false
	rc := c.repl
	b := s.repl.backlog
	if b == nil || rc.state != replicaOnline || rc.waitAck || !rc.reader.Attached() {
		return
	}
	c.rsegs = b.AppendSegments(c.rsegs, &rc.reader, replStreamHandOver)
	c.rmore = b.Pending(&rc.reader) > replStreamHandOver
}

// replicaBuffers is the part of the shared replication buffer beyond
// repl-backlog-size, which counts as the replicas' (mem_clients_slaves)
// and which eviction leaves out (freeMemoryGetNotCountedMemory). Called
// with s.mu held.
func (s *Server) replicaBuffers() int64 {
	if s.repl.backlog == nil || len(s.repl.replicas) == 0 {
		return 0
	}
	return max(s.repl.backlog.Mem()-s.cfg.ReplBacklogSize, 0)
}

// backlogMemory is the part of the shared buffer that counts as the
// backlog's (mem_replication_backlog): all of it up to
// repl-backlog-size, or all of it without replicas.
func (s *Server) backlogMemory() int64 {
	if s.repl.backlog == nil {
		return 0
	}
	return s.repl.backlog.Mem() - s.replicaBuffers()
}

// replNotCountedForEvict is the shared buffer beyond repl-backlog-size
// and its blocks' overhead, replicas or not: a backlog that a dropped slow
// replica left long shrinks by incremental trims, and must not make
// eviction run meanwhile (freeMemoryGetNotCountedMemory).
func (s *Server) replNotCountedForEvict() int64 {
	if s.repl.backlog == nil {
		return 0
	}
	counted := s.cfg.ReplBacklogSize + (s.cfg.ReplBacklogSize/repl.MinBlock+1)*repl.BlockOverhead
	return max(s.repl.backlog.Mem()-counted, 0)
}

// replBufferMemory is the whole shared buffer
// (mem_total_replication_buffers).
func (s *Server) replBufferMemory() int64 {
	if s.repl.backlog == nil {
		return 0
	}
	return s.repl.backlog.Mem()
}

// replicaConnOf returns c's replica record, creating it (REPLCONF comes
// before SYNC).
func replicaConnOf(c *conn) *replicaConn {
	if c.repl == nil {
		c.repl = &replicaConn{drained: make(chan struct{}, 1)}
	}
	return c.repl
}

// replconfCommand is REPLCONF option value ...
func replconfCommand(s *Server, c *conn) {
	if len(c.Argv)%2 == 0 {
		c.Error(rerr.Syntax)
		return
	}
	for j := 1; j < len(c.Argv); j += 2 {
		opt, val := strings.ToLower(string(c.Argv[j])), c.Argv[j+1]
		switch opt {
		case "listening-port":
			port, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				c.Error(rerr.NotInteger)
				return
			}
			replicaConnOf(c).listeningPort = int(port)
		case "ip-address":
			if len(val) >= 46 {
				c.Error(rerr.Line(fmt.Sprintf("ERR REPLCONF ip-address provided by replica instance is too long: %d bytes", len(val))))
				return
			}
			replicaConnOf(c).announceIP = string(val)
		case "capa":
			switch strings.ToLower(string(val)) {
			case "eof":
				replicaConnOf(c).capaEOF = true
			case "psync2":
				replicaConnOf(c).capaPSync2 = true
			}
		case "ack":
			if c.Flags&command.ClientReplica == 0 {
				return
			}
			off, err := strconv.ParseInt(string(val), 10, 64)
			if err != nil {
				return
			}
			rc := c.repl
			if off > rc.ackOff {
				rc.ackOff = off
			}
			rc.ackTime = s.cron.nowMs
			if rc.waitAck && rc.state == replicaOnline {
				s.replicaStartStream(c)
			}
			s.processWaiters()
			s.failoverCron()
			return
		case "getack":
			if s.repl.replica.host != "" && c.Flags&command.ClientMaster != 0 {
				s.replicaSendAck(c)
				c.forceReply = true
			}
			return
		case "rdb-only", "rdb-filter-only":
		default:
			c.Error(rerr.Line("ERR Unrecognized REPLCONF option: " + string(c.Argv[j])))
			return
		}
	}
	c.Simple("OK")
}

// replicaReplied drops a replica whose command produced a reply: the link
// carries the stream, never replies (logInvalidUseAndFreeClientAsync).
// Called with s.mu held.
func (s *Server) replicaReplied(c *conn, replyStart int) {
	name := "<unknown>"
	if c.Cmd != nil {
		name = c.Cmd.FullName()
	}
	if c.Errored() > 0 {
		s.logf(logWarning, "== CRITICAL == This master is sending an error to its replica: '%s' after processing the command '%s'", strings.TrimSpace(strings.TrimPrefix(string(c.B[replyStart:]), "-")), name)
	}
	c.B = c.B[:replyStart]
	s.logf(logWarning, "Replica generated a reply to command '%s', disconnecting it: %s", name, strings.TrimSuffix(string(s.appendClientInfo(nil, c)), "\n"))
	s.killClient(c)
}

// replicaKeyspaceRefusal is processCommand's "Replica can't interact with
// the keyspace": a replica's link may not read or write keys (it is
// exempt from client pauses).
func (s *Server) replicaKeyspaceRefusal(c *conn, cmd *command.Command) []byte {
	if c.Flags&command.ClientReplica != 0 && (cmd.Has(command.FlagWrite) || cmd.Has(command.FlagReadOnly) || s.mayReplicate(cmd, c.Argv)) {
		return rerr.ReplicaKeyspace
	}
	return nil
}

// syncCommand is SYNC and PSYNC replid offset.
func syncCommand(s *Server, c *conn) {
	if c.Flags&command.ClientReplica != 0 {
		return
	}
	if len(c.Argv) > 3 && strings.EqualFold(string(c.Argv[0]), "psync") && strings.EqualFold(string(c.Argv[3]), "failover") {
		if !s.psyncFailover(c) {
			return
		}
	}
	if s.repl.failover.state != noFailover {
		c.Error(rerr.Line("-NOMASTERLINK Can't SYNC while failing over"))
		return
	}
	if s.repl.replica.host != "" && s.repl.replica.state != replConnected {
		c.Error(rerr.NoMasterLink)
		return
	}
	if len(c.B) > 0 || c.obufPending.Load() > 0 {
		c.Error(rerr.SyncPendingOutput)
		return
	}
	psync := strings.EqualFold(string(c.Argv[0]), "psync")
	if psync {
		if _, err := strconv.ParseInt(string(c.Argv[2]), 10, 64); err != nil {
			s.logf(logWarning, "Replica %s asks for synchronization but with a wrong offset", s.replicaName(c))
			c.Error(rerr.NotInteger)
			return
		}
	}
	rc := replicaConnOf(c)
	s.logf(logNotice, "Replica %s asks for synchronization", s.replicaName(c))
	if psync {
		if s.tryPartialResync(c) {
			return
		}
		if string(c.Argv[1]) != "?" {
			s.repl.syncPartialErr++
		}
	} else {
		// SYNC: an old replica without PSYNC, never sent +FULLRESYNC.
		rc.capaPSync2 = false
		rc.capaEOF = false
	}
	s.repl.syncFull++
	c.Flags |= command.ClientReplica
	if s.cfg.ReplDisableTCPNoDelay && !c.unix {
		syscall.SetsockoptInt(c.fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 0)
	}
	rc.state = replicaWaitBgsaveStart
	rc.psync = psync
	s.addReplica(c)
	if s.repl.backlog == nil {
		// A new history starts with the first replica (syncCommand).
		s.repl.ids = repl.NewIDs(randomHex(s.rnd, repl.IDLen))
		s.repl.ids.Offset = 0
		s.createBacklog()
	}
	if job := s.rdb.job; job != nil && job.repl != nil && !job.repl.diskless && !job.repl.sending {
		// A disk sync is being written: share it (copyReplicaOutputBuffer).
		for _, o := range s.repl.replicas {
			if o != c && o.repl.state == replicaWaitBgsaveEnd && o.repl.job == job.repl {
				s.attachToSync(c, job.repl)
				s.repl.backlog.Share(&rc.reader, &o.repl.reader)
				s.logf(logNotice, "Waiting for end of BGSAVE for SYNC")
				return
			}
		}
	}
	if s.rdb.job == nil {
		if s.cfg.ReplDisklessSync && rc.capaEOF && s.cfg.ReplDisklessSyncDelay > 0 {
			if s.repl.waitStart == 0 {
				s.repl.waitStart = s.cron.nowMs
			}
			s.logf(logNotice, "Delay next BGSAVE for diskless SYNC")
			return
		}
		s.startReplSync()
		return
	}
	s.logf(logNotice, "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC")
}

// replicaName is how logs name a replica: ip:listening-port.
func (s *Server) replicaName(c *conn) string {
	ip := c.addr
	if h, _, ok := strings.Cut(c.addr, ":"); ok {
		ip = h
	}
	if c.repl != nil && c.repl.announceIP != "" {
		ip = c.repl.announceIP
	}
	port := 0
	if c.repl != nil {
		port = c.repl.listeningPort
	}
	return ip + ":" + strconv.Itoa(port)
}

// replicaIP is the address INFO and ROLE report for a replica.
func (c *conn) replicaIP() string {
	if c.repl != nil && c.repl.announceIP != "" {
		return c.repl.announceIP
	}
	host := c.addr
	if i := strings.LastIndexByte(host, ':'); i >= 0 {
		host = host[:i]
	}
	return strings.Trim(host, "[]")
}

func (s *Server) addReplica(c *conn) {
	s.repl.replicas = append(s.repl.replicas, c)
}

// createBacklog makes the backlog for a new history. Replicas still
// listed (being dropped) lose their place in the old one. Called with s.mu
// held.
func (s *Server) createBacklog() {
	s.repl.backlog = repl.NewBuffer(s.cfg.ReplBacklogSize, s.repl.ids.Offset)
	s.repl.selDB = -1
	for _, c := range s.repl.replicas {
		c.repl.reader = repl.Reader{}
		c.rsent.Store(0)
	}
}

// tryPartialResync is masterTryPartialResynchronization: +CONTINUE and the
// backlog from the replica's offset, or false for a full sync.
func (s *Server) tryPartialResync(c *conn) bool {
	r := &s.repl
	id := string(c.Argv[1])
	off, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
	if err != nil {
		return false
	}
	if !r.ids.CanContinue(id, off, r.backlog) {
		if id != r.ids.ID && id != r.ids.ID2 {
			if id != "?" {
				s.logf(logNotice, "Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '%s', my replication IDs are '%s' and '%s')", id, r.ids.ID, r.ids.ID2)
			} else {
				s.logf(logNotice, "Full resync requested by replica %s", s.replicaName(c))
			}
		} else {
			s.logf(logNotice, "Unable to partial resync with replica %s for lack of backlog (Replica request was: %d).", s.replicaName(c), off)
		}
		return false
	}
	rc := c.repl
	c.Flags |= command.ClientReplica
	rc.state = replicaOnline
	rc.ackTime = s.cron.nowMs
	if rc.capaPSync2 {
		c.B = append(c.B, "+CONTINUE "+r.ids.ID+"\r\n"...)
	} else {
		c.B = append(c.B, "+CONTINUE\r\n"...)
	}
	r.backlog.Attach(&rc.reader, off)
	c.queueWrite()
	s.addReplica(c)
	r.syncPartialOK++
	s.logf(logNotice, "Partial resynchronization request from %s accepted. Sending %d bytes of backlog starting from offset %d.", s.replicaName(c), r.ids.Offset-off+1, off)
	s.refreshGoodReplicas()
	return true
}

// replSync is one full-sync snapshot job and the replicas it serves.
type replSync struct {
	diskless bool
	// sending: the disk file is complete and being sent; replicas arriving
	// now wait for the next job.
	sending bool
	targets []*conn
	mark    []byte // diskless EOF mark
	// startOff is master_repl_offset when the snapshot began: the stream
	// its replicas get starts after it.
	startOff int64
}

// attachToSync makes c a target of the running sync. Called with s.mu held.
func (s *Server) attachToSync(c *conn, rs *replSync) {
	rc := c.repl
	rc.state = replicaWaitBgsaveEnd
	rc.job = rs
	rs.targets = append(rs.targets, c)
	s.repl.backlog.AttachAtEnd(&rc.reader)
	if rc.psync {
		c.B = append(c.B, "+FULLRESYNC "+s.repl.ids.ID+" "+strconv.FormatInt(rs.startOff, 10)+"\r\n"...)
		c.queueWrite()
	}
}

// startReplSync starts a full-sync job for every replica waiting for one
// (startBgsaveForReplication): diskless when enabled and every one of them
// reads an EOF-marked payload, to dbfilename otherwise. Called with s.mu
// held and no job running.
func (s *Server) startReplSync() {
	var waiting []*conn
	eof := true
	for _, c := range s.repl.replicas {
		if c.repl.state == replicaWaitBgsaveStart && !c.closed {
			waiting = append(waiting, c)
			eof = eof && c.repl.capaEOF
		}
	}
	s.repl.waitStart = 0
	if len(waiting) == 0 {
		return
	}
	rs := &replSync{diskless: s.cfg.ReplDisklessSync && eof, startOff: s.repl.ids.Offset}
	// The stream after the snapshot starts with a SELECT.
	s.repl.selDB = -1
	for _, c := range waiting {
		s.attachToSync(c, rs)
	}
	job := &bgJob{kind: jobRDB, repl: rs}
	job.snap = snapshot.New(s.ks, s.rdbEncoder(false))
	s.rdb.lastBgsaveTry = time.Now().Unix()
	if rs.diskless {
		rs.mark = []byte(randomHex(s.rnd, repl.EOFMarkLen))
		s.logf(logNotice, "Starting BGSAVE for SYNC with target: replicas sockets")
		job.start = time.Now()
		job.dirty = s.core.Dirty
		s.rdb.job = job
		go s.disklessSync(job, s.cfg.BgsaveCPUList, s.cfg.RDBChecksum)
		return
	}
	s.logf(logNotice, "Starting BGSAVE for SYNC with target: disk")
	s.rdb.saves++
	job.tmp = fmt.Sprintf("temp-bg-%d-%d.rdb", pid, s.nextJobID())
	job.done = (*Server).replDiskSyncDone
	s.logf(logNotice, "Background saving started")
	s.startJob(job, true, s.cfg.RDBChecksum, s.cfg.RDBSaveIncrementalFsync)
}

// replDiskSyncDone is the end of a disk sync's save: as a BGSAVE it
// becomes dbfilename, then each replica is sent the file. Called with s.mu
// held.
func (s *Server) replDiskSyncDone(job *bgJob, err error) {
	s.bgsaveDone(job, err)
	rs := job.repl
	rs.sending = true
	if err != nil {
		s.failSync(rs, "BGSAVE failed")
		return
	}
	for _, c := range rs.targets {
		if c.closed || c.repl.state != replicaWaitBgsaveEnd {
			continue
		}
		f, err := os.Open(s.cfg.DBFilename)
		if err != nil {
			s.logf(logWarning, "SYNC failed. Can't open/stat DB after BGSAVE: %v", err)
			s.killClient(c)
			continue
		}
		c.repl.state = replicaSendBulk
		go s.sendBulk(c, f)
	}
}

// failSync drops the replicas of a failed sync; they reconnect.
func (s *Server) failSync(rs *replSync, why string) {
	for _, c := range rs.targets {
		if !c.closed && c.repl.state != replicaOnline {
			s.logf(logWarning, "SYNC failed. %s", why)
			s.killClient(c)
		}
	}
}

// sendBulk sends a disk sync's file to one replica, then its pending
// stream (sendBulkToSlave). Runs on its own goroutine, without s.mu.
func (s *Server) sendBulk(c *conn, f *os.File) {
	defer f.Close()
	// The replica goes online in the same hold of the lock that queues
	// the file's last bytes, so no write falls between the two.
	online := func() {
		c.repl.state = replicaOnline
		s.replicaStartStream(c)
		s.logf(logNotice, "Synchronization with replica %s succeeded", s.replicaName(c))
	}
	st, err := f.Stat()
	if err == nil {
		size := st.Size()
		pre := []byte("$" + strconv.FormatInt(size, 10) + "\r\n")
		if size == 0 {
			s.replSend(c, pre, online)
			return
		}
		if !s.replSend(c, pre, nil) {
			return
		}
		buf := make([]byte, replChunk)
		var sent int64
		for sent < size {
			n, readErr := io.ReadFull(f, buf[:min(int64(len(buf)), size-sent)])
			if readErr != nil {
				err = readErr
				break
			}
			sent += int64(n)
			var done func()
			if sent == size {
				done = online
			}
			if !s.replSend(c, buf[:n], done) {
				return
			}
		}
	}
	if err != nil {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.logf(logWarning, "Read error sending DB to replica: %v", err)
		s.killClient(c)
	}
}

// replicaStartStream puts a replica online: its pending stream follows the
// RDB and it is fed directly from now on (replicaStartCommandStream).
// Called with s.mu held.
func (s *Server) replicaStartStream(c *conn) {
	rc := c.repl
	rc.waitAck = false
	rc.ackTime = s.cron.nowMs
	rc.job = nil
	c.queueWrite()
	s.refreshGoodReplicas()
}

// replSend queues p on c's output in chunks, waiting while more than
// replChunk is unsent; done, if set, runs under s.mu right after the last
// chunk is queued. It reports false once c is gone. Called without s.mu.
func (s *Server) replSend(c *conn, p []byte, done func()) bool {
	var stalled time.Time
	for len(p) > 0 {
		s.mu.Lock()
		if c.closed || c.Flags&command.ClientCloseASAP != 0 {
			s.mu.Unlock()
			return false
		}
		if int64(len(c.B))+c.obufPending.Load() < replChunk {
			n := min(len(p), replChunk)
			c.B = append(c.B, p[:n]...)
			p = p[n:]
			c.queueWrite()
			if len(p) == 0 && done != nil {
				done()
			}
			s.mu.Unlock()
			stalled = time.Time{}
			continue
		}
		if stalled.IsZero() {
			stalled = time.Now()
		} else if time.Since(stalled) > time.Duration(s.cfg.ReplTimeout)*time.Second {
			// A replica that reads nothing for repl-timeout during its
			// transfer is dropped ("timedout replica (full sync)").
			s.logf(logWarning, "Disconnecting timedout replica (full sync): %s", s.replicaName(c))
			s.killClient(c)
			s.mu.Unlock()
			return false
		}
		s.mu.Unlock()
		select {
		case <-c.repl.drained:
		case <-time.After(100 * time.Millisecond):
		}
	}
	return true
}

// disklessSync streams a snapshot to its replicas' sockets, framed by an
// EOF mark (rdbSaveToSlavesSockets), as fast as the slowest one reads.
// Runs on its own goroutine; job is s.rdb.job.
func (s *Server) disklessSync(job *bgJob, cpus string, checksum bool) {
	rs := job.repl
	snap := job.snap
	pinJobThread(cpus)
	var crc uint64
	var spare []byte
	first := true
	var err error
	for {
		s.mu.Lock()
		if job.canceled.Load() {
			snap.Abort()
			s.mu.Unlock()
			err = errJobCanceled
			break
		}
		before := snap.Keys()
		// Under rdb-key-save-delay each key goes out before the next
		// key's delay, as the fork child's writes do: tests watch a
		// replica receive and load a slow transfer progressively.
		step := snapshotStepKeys
		if s.cfg.RDBKeySaveDelay != 0 {
			step = 1
		}
		done := snap.Step(step)
		buf := snap.Take(spare)
		if encErr := snap.Err(); encErr != nil {
			snap.Abort()
			s.mu.Unlock()
			err = encErr
			break
		}
		targets := append([]*conn(nil), rs.targets...)
		perKey := keyDelay(s.cfg.RDBKeySaveDelay)
		s.mu.Unlock()
		// The keys the step claimed are encoded without the lock.
		buf = snap.Encode(buf)
		if done {
			if err = snap.Err(); err != nil {
				break
			}
		}
		delay := perKey * time.Duration(snap.Keys()-before)
		// rdb-key-save-delay: tests keep a transfer running this way.
		for delay > 0 && !job.canceled.Load() {
			d := min(delay, 10*time.Millisecond)
			time.Sleep(d)
			delay -= d
		}
		if checksum {
			crc = encoding.CRC64(crc, buf)
		}
		if done {
			buf = rdb.AppendEOF(buf, crc, checksum)
			buf = append(buf, rs.mark...)
		}
		out := buf
		if first {
			out = append([]byte("$EOF:"+string(rs.mark)+"\r\n"), buf...)
			first = false
		}
		alive := 0
		for _, c := range targets {
			if s.replSend(c, out, nil) {
				alive++
			}
		}
		if alive == 0 {
			s.mu.Lock()
			snap.Abort()
			s.mu.Unlock()
			s.logf(logWarning, "Diskless rdb transfer, last replica dropped, killing fork child.")
			err = errJobCanceled
			break
		}
		spare = buf[:0]
		if done {
			break
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.rdb.job == job {
		s.rdb.job = nil
	}
	s.rdb.lastBgsaveSecs = int64(time.Since(job.start).Seconds())
	if err != nil {
		s.logf(logWarning, "Background transfer error: %v", err)
		s.failSync(rs, "Diskless transfer failed")
	} else {
		up := 0
		for _, c := range rs.targets {
			if !c.closed && c.Flags&command.ClientCloseASAP == 0 {
				up++
			}
		}
		s.logf(logNotice, "Diskless rdb transfer, done reading from pipe, %d replicas still up.", up)
		s.logf(logNotice, "Background RDB transfer terminated with success")
		for _, c := range rs.targets {
			if c.closed || c.repl.state != replicaWaitBgsaveEnd {
				continue
			}
			// Online once it acknowledges: nothing may follow the mark
			// until the replica has loaded (repl_start_cmd_stream_on_ack).
			c.repl.state = replicaOnline
			c.repl.waitAck = true
			s.logf(logNotice, "Streamed RDB transfer with replica %s succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming", s.replicaName(c))
		}
	}
	s.startScheduledJobs()
}

// replicaGone forgets a replica that is being freed. Called with s.mu held.
func (s *Server) replicaGone(c *conn) {
	r := &s.repl
	for i, o := range r.replicas {
		if o == c {
			r.replicas = append(r.replicas[:i], r.replicas[i+1:]...)
			break
		}
	}
	if job := s.rdb.job; job != nil && job.repl != nil {
		rs := job.repl
		for i, o := range rs.targets {
			if o == c {
				rs.targets = append(rs.targets[:i], rs.targets[i+1:]...)
				break
			}
		}
		// A disk sync nobody waits for any more is stopped, unless save
		// points want the file anyway (freeClient's killRDBChild).
		if !rs.diskless && !rs.sending && c.repl.state == replicaWaitBgsaveEnd && len(s.cfg.Save) == 0 && !s.anyOtherWaitingRDB(c) {
			s.killJob(jobRDB)
		}
	}
	if r.backlog != nil {
		r.backlog.Detach(&c.repl.reader)
	}
	if len(r.replicas) == 0 {
		r.noReplicasSince = s.cron.nowMs
	}
	s.logf(logNotice, "Connection with replica %s lost.", s.replicaName(c))
	s.refreshGoodReplicas()
}

// anyOtherWaitingRDB reports whether a replica other than c waits for the
// running snapshot (anyOtherSlaveWaitRdb).
func (s *Server) anyOtherWaitingRDB(c *conn) bool {
	for _, o := range s.repl.replicas {
		if o != c && o.repl.state == replicaWaitBgsaveEnd {
			return true
		}
	}
	return false
}

// replicaDrained is called by c's loop, without the lock, when c's output
// has been written: an RDB sender waiting for room may go on.
func (c *conn) replicaDrained() {
	select {
	case c.repl.drained <- struct{}{}:
	default:
	}
}

// dropReplicas closes every replica (disconnectSlaves): they reconnect and
// learn the new history. Called with s.mu held.
func (s *Server) dropReplicas() {
	for _, c := range append([]*conn(nil), s.repl.replicas...) {
		s.killClient(c)
	}
}

// refreshGoodReplicas counts the replicas lagging at most
// min-replicas-max-lag (refreshGoodSlavesCount).
func (s *Server) refreshGoodReplicas() {
	if s.cfg.MinReplicasToWrite == 0 || s.cfg.MinReplicasMaxLag == 0 {
		return
	}
	good := 0
	for _, c := range s.repl.replicas {
		if c.repl.state == replicaOnline && !c.repl.waitAck && (s.cron.nowMs-c.repl.ackTime)/1000 <= int64(s.cfg.MinReplicasMaxLag) {
			good++
		}
	}
	s.repl.goodReplicas = good
}

// enoughGoodReplicas is checkGoodReplicasStatus.
func (s *Server) enoughGoodReplicas() bool {
	return s.repl.replica.host != "" || s.cfg.MinReplicasToWrite == 0 || s.cfg.MinReplicasMaxLag == 0 ||
		s.repl.goodReplicas >= s.cfg.MinReplicasToWrite
}

// replicationMasterCron is the master half of replicationCron, run once a
// second. Called with s.mu held.
func (s *Server) replicationMasterCron() {
	r := &s.repl
	now := s.cron.nowMs
	// Ping replicas so they can time us out; a replica relays its
	// master's pings instead.
	// Not while writes are paused: the offset must stay still for a
	// failover waiting for a replica to catch up.
	if r.replica.host == "" && len(r.replicas) > 0 && !s.pause.active && r.cronLoops%int64(max(s.cfg.ReplPingReplicaPeriod, 1)) == 0 {
		s.feedReplicas(r.selDB, [][]byte{[]byte("PING")})
	}
	r.cronLoops++
	for _, c := range r.replicas {
		rc := c.repl
		// An idle replica's loop has written its stream: let go of the
		// blocks it passed.
		s.settleReplica(c)
		if rc.state == replicaWaitBgsaveStart || (rc.state == replicaWaitBgsaveEnd && rc.job != nil && !rc.job.diskless) {
			// Keep a replica waiting for its snapshot from timing out.
			c.B = append(c.B, '\n')
			c.queueWrite()
		}
		// A SYNC replica (before PSYNC) sends no ACKs: it never times out.
		if rc.state == replicaOnline && !rc.waitAck && rc.psync && now-rc.ackTime > int64(s.cfg.ReplTimeout)*1000 {
			s.logf(logWarning, "Disconnecting timedout replica (streaming sync): %s", s.replicaName(c))
			s.killClient(c)
		}
	}
	if r.replica.host == "" && len(r.replicas) == 0 && r.backlog != nil && s.cfg.ReplBacklogTTL > 0 &&
		now-r.noReplicasSince > s.cfg.ReplBacklogTTL*1000 {
		r.ids = repl.NewIDs(randomHex(s.rnd, repl.IDLen))
		r.backlog = nil
		s.logf(logNotice, "Replication backlog freed after %d seconds without connected replicas.", s.cfg.ReplBacklogTTL)
	}
	s.maybeStartReplSync()
	s.refreshGoodReplicas()
}

// maybeStartReplSync starts the sync replicas wait for, once no job runs
// and, for a diskless one, repl-diskless-sync-delay passed or
// repl-diskless-sync-max-replicas arrived. Called with s.mu held.
func (s *Server) maybeStartReplSync() {
	if s.rdb.job != nil {
		return
	}
	waiting, eof := 0, true
	for _, c := range s.repl.replicas {
		if c.repl.state == replicaWaitBgsaveStart {
			waiting++
			eof = eof && c.repl.capaEOF
		}
	}
	if waiting == 0 {
		return
	}
	if s.cfg.ReplDisklessSync && eof {
		if s.repl.waitStart == 0 {
			s.repl.waitStart = s.cron.nowMs
		}
		max := s.cfg.ReplDisklessSyncMaxReplicas
		if s.cron.nowMs-s.repl.waitStart < int64(s.cfg.ReplDisklessSyncDelay)*1000 && (max == 0 || waiting < max) {
			return
		}
	}
	s.startReplSync()
}

// waitCommand is WAIT numreplicas timeout.
func waitCommand(s *Server, c *conn) {
	if s.repl.replica.host != "" {
		c.Error(rerr.WaitOnReplica)
		return
	}
	num, err := strconv.ParseInt(string(c.Argv[1]), 10, 64)
	if err != nil {
		c.Error(rerr.NotInteger)
		return
	}
	timeout, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
	if err != nil {
		c.Error(rerr.TimeoutNotInteger)
		return
	}
	if timeout < 0 {
		c.Error(rerr.TimeoutNegative)
		return
	}
	off := c.woff
	acked := s.replicasAcked(off)
	if int64(acked) >= num || c.Flags&(command.ClientInExec|command.ClientMulti|command.ClientInScript) != 0 {
		c.Int(int64(acked))
		return
	}
	c.waitOff, c.waitNum = off, num
	c.Flags |= command.ClientBlocked
	if timeout > 0 {
		c.Blocking.Deadline = s.cron.nowMs + timeout
	}
	s.repl.waiters = append(s.repl.waiters, c)
	s.repl.getAck = true
}

// replicasAcked counts the replicas that acknowledged offset off.
func (s *Server) replicasAcked(off int64) int {
	n := 0
	for _, c := range s.repl.replicas {
		if c.repl.state == replicaOnline && c.repl.ackOff >= off {
			n++
		}
	}
	return n
}

// processWaiters answers WAITs whose replicas have acknowledged
// (processClientsWaitingReplicas). Called with s.mu held.
func (s *Server) processWaiters() {
	w := s.repl.waiters[:0]
	for _, c := range s.repl.waiters {
		if c.closed || c.waitNum == 0 {
			continue
		}
		if n := s.replicasAcked(c.waitOff); int64(n) >= c.waitNum {
			s.unparkClient(c)
			c.waitNum = 0
			c.Int(int64(n))
			c.queueWrite()
			s.resumeInput(c)
			continue
		}
		w = append(w, c)
	}
	s.repl.waiters = w
}

// waitTimedOut answers a WAIT whose time is up with the replicas that
// acknowledged so far. Called with s.mu held, after unparkClient.
func (s *Server) waitTimedOut(c *conn) {
	n := s.replicasAcked(c.waitOff)
	c.waitNum = 0
	c.Int(int64(n))
}

// replBeforeReplies sends REPLCONF GETACK * once per pass when a WAIT
// asked for it, and trims the backlog. Called with s.mu held.
func (s *Server) replBeforeReplies() {
	if s.repl.getAck && !s.pause.active {
		s.repl.getAck = false
		s.sendGetAck()
	}
	if s.repl.backlog != nil {
		// What replicas have let go of goes, a few blocks per pass, ten
		// times the pace of a feed's trim (beforeSleep).
		s.repl.backlog.Trim(10 * repl.TrimBlocksPerCall)
	}
}

// sendGetAck puts REPLCONF GETACK * in the stream: every replica answers
// with its offset (sendGetackToReplicas).
func (s *Server) sendGetAck() {
	s.feedReplicas(-1, [][]byte{[]byte("REPLCONF"), []byte("GETACK"), []byte("*")})
}

// replOffset is the replication offset the cluster's bus advertises: the
// offset applied from the master on a replica, master_repl_offset on a
// master.
func (s *Server) replOffset() int64 {
	if rp := &s.repl.replica; rp.host != "" && rp.state == replTransfer {
		// A full sync has no master client yet and the cached one is
		// gone: replicationGetSlaveOffset answers 0, which the cluster
		// reads as "loading" (CLUSTER SLOTS hides such a replica,
		// CLUSTER SHARDS shows health loading).
		return 0
	}
	return s.repl.ids.Offset
}

// roleCommand is ROLE.
func roleCommand(s *Server, c *conn) {
	r := &s.repl
	if r.replica.host == "" {
		c.Array(3)
		c.BulkString("master")
		c.Int(r.ids.Offset)
		n := 0
		for _, o := range r.replicas {
			if o.repl.state == replicaOnline {
				n++
			}
		}
		c.Array(n)
		for _, o := range r.replicas {
			if o.repl.state != replicaOnline {
				continue
			}
			c.Array(3)
			c.BulkString(o.replicaIP())
			c.BulkString(strconv.Itoa(o.repl.listeningPort))
			c.BulkString(strconv.FormatInt(o.repl.ackOff, 10))
		}
		return
	}
	c.Array(5)
	c.BulkString("slave")
	c.BulkString(r.replica.host)
	c.Int(int64(r.replica.port))
	c.BulkString(replStateNames[r.replica.state])
	if r.replica.master != nil || r.replica.haveHistory {
		c.Int(r.ids.Offset)
	} else {
		c.Int(-1)
	}
}

// infoReplication is INFO's replication section, field for field as Redis
// 7.0's genRedisInfoString.
func (s *Server) infoReplication(b *strings.Builder) {
	r := &s.repl
	rp := &r.replica
	if rp.host == "" {
		field(b, "role", "master")
	} else {
		field(b, "role", "slave")
		field(b, "master_host", rp.host)
		field(b, "master_port", rp.port)
		status := "down"
		if rp.state == replConnected {
			status = "up"
		}
		field(b, "master_link_status", status)
		lastIO := int64(-1)
		if rp.master != nil {
			lastIO = (s.cron.nowMs - rp.master.lastSeen) / 1000
		}
		field(b, "master_last_io_seconds_ago", lastIO)
		syncing := 0
		if rp.state == replTransfer {
			syncing = 1
		}
		field(b, "master_sync_in_progress", syncing)
		off := int64(1)
		if rp.master != nil || rp.haveHistory {
			off = r.ids.Offset
		}
		field(b, "slave_read_repl_offset", off)
		field(b, "slave_repl_offset", off)
		if rp.state == replTransfer {
			size, read := rp.transferSize.Load(), rp.transferRead.Load()
			perc := 0.0
			if size > 0 {
				perc = float64(read) / float64(size) * 100
			}
			field(b, "master_sync_total_bytes", size)
			field(b, "master_sync_read_bytes", read)
			field(b, "master_sync_left_bytes", size-read)
			field(b, "master_sync_perc", strconv.FormatFloat(perc, 'f', 2, 64))
			field(b, "master_sync_last_io_seconds_ago", (s.cron.nowMs-rp.transferLastIO.Load())/1000)
		}
		if rp.state != replConnected {
			down := int64(-1)
			if rp.downSince != 0 {
				down = (s.cron.nowMs - rp.downSince) / 1000
			}
			field(b, "master_link_down_since_seconds", down)
		}
		field(b, "slave_priority", s.cfg.ReplicaPriority)
		field(b, "slave_read_only", boolInt(s.cfg.ReplicaReadOnly))
		field(b, "replica_announced", boolInt(s.cfg.ReplicaAnnounced))
	}
	field(b, "connected_slaves", len(r.replicas))
	if s.cfg.MinReplicasToWrite > 0 && s.cfg.MinReplicasMaxLag > 0 {
		field(b, "min_slaves_good_slaves", r.goodReplicas)
	}
	for i, c := range r.replicas {
		rc := c.repl
		lag := int64(0)
		if rc.state == replicaOnline {
			lag = (s.cron.nowMs - rc.ackTime) / 1000
		}
		fmt.Fprintf(b, "slave%d:ip=%s,port=%d,state=%s,offset=%d,lag=%d\r\n", i, c.replicaIP(), rc.listeningPort, replicaStateNames[rc.state], rc.ackOff, lag)
	}
	field(b, "master_failover_state", failoverStateNames[r.failover.state])
	field(b, "master_replid", r.ids.ID)
	field(b, "master_replid2", r.ids.ID2)
	field(b, "master_repl_offset", r.ids.Offset)
	field(b, "second_repl_offset", r.ids.SecondOffset)
	if r.backlog != nil {
		field(b, "repl_backlog_active", 1)
		field(b, "repl_backlog_size", s.cfg.ReplBacklogSize)
		field(b, "repl_backlog_first_byte_offset", r.backlog.FirstByte())
		field(b, "repl_backlog_histlen", r.backlog.Histlen())
	} else {
		field(b, "repl_backlog_active", 0)
		field(b, "repl_backlog_size", s.cfg.ReplBacklogSize)
		field(b, "repl_backlog_first_byte_offset", 0)
		field(b, "repl_backlog_histlen", 0)
	}
}

func init() {
	handle("sync", syncCommand)
	handle("psync", syncCommand)
	handle("replconf", replconfCommand)
	handle("wait", waitCommand)
	handle("role", roleCommand)
}
