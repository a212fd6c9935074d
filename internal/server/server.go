package server

import (
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/keyspace"
)

// Server is one shoal-server process's state.
type Server struct {
	// mu is the executor lock: every command, and every change to state a
	// command can see, runs while holding it (docs/DESIGN.md).
	mu sync.Mutex

	cfg   *config.Config
	core  *command.Core
	ks    *keyspace.Keyspace
	loops []*loop

	// inExec is set while EXEC runs its queue (server.in_exec): a
	// background rewrite asked for then is only scheduled.
	inExec bool
	// shutdownASAP is the signal (SIGTERM, SIGINT) that asked for a
	// shutdown the cron has yet to perform, or 0 (shutdown_asap).
	shutdownASAP atomic.Int32
	// shutdown is a shutdown waiting for replicas (shutdown.go).
	shutdown shutdownState

	// loopsMu orders Serve's publication of loops with Shutdown, which
	// cannot take mu (SHUTDOWN calls it with mu held).
	loopsMu sync.Mutex
	// curLoop is the loop currently holding mu (nil for other goroutines).
	curLoop *loop

	// listeners is the set loop 0 watches (listen.go); replaced whole
	// under mu, read without it.
	listeners atomic.Pointer[listenerSet]
	nextLoop  int
	nextID    int64
	clients   map[int64]*conn
	runID     string
	started   time.Time

	stopping atomic.Bool
	wg       sync.WaitGroup
	done     chan struct{}

	stats stats
	cron  cronState
	// watchdog is the software watchdog (watchdog-period).
	watchdog watchdog
	pubsub   pubsubServer
	blocked  blockedServer
	pause    pauseState
	// tracking is client-side caching's table (tracking.go).
	tracking trackingState

	monitors []*conn
	slowlog  slowlog
	latency  latencyState // the latency monitor (latency.go)
	evict    evictState
	// cevict is client eviction, maxmemory-clients (clienteviction.go).
	cevict clientEviction
	// memRelease returns memory to the OS when idle (memrelease.go).
	memRelease memRelease
	mem        memState
	// lastSave is the unix time of the last successful save (LASTSAVE).
	lastSave int64
	// obufMinLimit is the smallest output buffer limit of any class: a
	// reply buffer under it needs no limit check after a command.
	obufMinLimit int64

	// rdb, aof and load are the persistence state (rdbsave.go, aof.go,
	// load.go).
	rdb  rdbState
	aof  aofState
	load loadState
	prop propState
	// script is the Lua engines and the running script (scripting.go).
	script scriptState
	// repl is replication, master and replica sides (repl_master.go,
	// repl_replica.go).
	repl replState
	// clock is the last time reading taken under the lock: the start of
	// the next command (see call).
	clock cmdClock
	// cl is cluster mode's driver, nil when cluster-enabled is no
	// (cluster.go); clusterRand is its source of randomness.
	cl          *clusterDriver
	clusterRand *rand.Rand
	// clusterDropFilter is the bus message type DEBUG
	// DROP-CLUSTER-PACKET-FILTER drops on receipt (-1: none).
	clusterDropFilter int64
	// migrate is MIGRATE's connection cache (cluster_migrate.go).
	migrate migrateCache
	// activeExpire is false after DEBUG SET-ACTIVE-EXPIRE 0.
	activeExpire bool

	log *logger
	rnd *rand.Rand

	// supervised is the supervision in effect (supervise.go).
	supervised int
}

// New makes a server from its configuration; Listen and Serve start it.
func New(cfg *config.Config) *Server {
	seed := uint64(time.Now().UnixNano())
	s := &Server{
		cfg:     cfg,
		clients: make(map[int64]*conn),
		done:    make(chan struct{}),
		started: time.Now(),
		rnd:     rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
	}
	s.runID = randomHex(s.rnd, 40)
	s.clusterDropFilter = -1
	s.log = newLogger(cfg.LogFile, cfg.Loglevel)
	s.ks = keyspace.New(cfg.Databases, cfg.ClusterEnabled, func(n uint64) uint64 {
		if n == 0 {
			return 0
		}
		return s.rnd.Uint64N(n)
	})
	s.core = command.NewCore(s.ks)
	s.core.Owner = s
	s.applyLimits()
	s.ks.OnExpire = s.onKeyExpired
	s.ks.Touch = s.touch
	s.ks.OnDelete = func(db *keyspace.DB, key string) {
		if len(s.blocked.byKey) > 0 {
			s.signalKeyAsReady(db, []byte(key))
		}
	}
	s.ks.OnFlush = s.onFlush
	s.ks.OnMiss = func(db *keyspace.DB, key []byte) {
		s.notifyKeyspaceEvent(command.NotifyKeyMiss, "keymiss", key, db.ID)
	}
	s.ks.LRUClock = s.newKeyClock
	s.initRepl()
	s.lastSave = time.Now().Unix()
	s.rdb.lastBgsaveOK = true
	s.rdb.lastBgsaveSecs = -1
	s.aof.lastRewriteOK = true
	s.aof.lastRewriteSecs = -1
	s.aof.selDB = -1
	s.core.FlushAll = s.flushAll
	s.core.CheckOutputLimit = func(cl *command.Client) {
		if c, ok := cl.Conn.(*conn); ok && int64(len(c.B))+c.obufPending.Load() >= s.obufMinLimit {
			s.checkOutputLimit(c)
		}
	}
	cfg.OnApply("maxmemory", func(*config.Config) error {
		s.startEvictionTimeProc()
		return nil
	})
	cfg.OnApply("appendonly", func(c *config.Config) error {
		switch {
		case c.AppendOnly && s.aof.state == aofOff:
			return s.startAppendOnly()
		case !c.AppendOnly && s.aof.state != aofOff:
			s.stopAppendOnly()
		}
		return nil
	})
	s.startBio()
	s.clock.sync()
	s.activeExpire = true
	s.cron.clock = uint32(time.Now().Unix()) & lruClockMax
	s.core.Notify = s.notifyKeyspaceEvent
	s.core.LogVerbose = func(msg string) { s.logf(logVerbose, "%s", msg) }
	s.core.KeyReady = s.signalKeyAsReady
	s.core.DBsSwapped = s.signalSwappedDBs
	s.pubsub.init()
	s.blocked.init()
	s.registerListenHooks()
	return s
}

func randomHex(r *rand.Rand, n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[r.IntN(16)]
	}
	return string(b)
}

// Serve runs the event loops until Shutdown; it returns when they stopped.
func (s *Server) Serve() error {
	n := s.cfg.IOThreads
	if n < 1 {
		n = 1
	}
	loops := make([]*loop, 0, n)
	for i := 0; i < n; i++ {
		l, err := newLoop(s, i)
		if err != nil {
			return err
		}
		loops = append(loops, l)
	}
	// Publish the loops to Shutdown, which may run on another goroutine
	// at any time; one that came first finds them woken here.
	s.loopsMu.Lock()
	s.loops = loops
	if s.stopping.Load() {
		wakeLoops(loops)
	}
	s.loopsMu.Unlock()
	for _, fd := range s.listenerFDs() {
		if err := s.loops[0].watch(fd, syscall.EPOLLIN); err != nil {
			return err
		}
	}
	s.mu.Lock()
	// Under the lock: the start-up loader may already be running commands
	// (call sets the cron's clock).
	s.cron.init(s)
	s.startReplicaFromConfig()
	s.mu.Unlock()
	for _, l := range s.loops {
		s.wg.Add(1)
		go l.run(&s.wg)
	}
	s.wg.Wait()
	s.closeListeners()
	s.mu.Lock()
	s.clusterShutdown()
	s.mu.Unlock()
	close(s.done)
	return nil
}

// Shutdown stops the loops; Serve returns once they have closed their
// connections.
func (s *Server) Shutdown() {
	if s.stopping.Swap(true) {
		return
	}
	s.loopsMu.Lock()
	wakeLoops(s.loops)
	s.loopsMu.Unlock()
}

// wakeLoops writes the loops' eventfds directly: Shutdown may run with mu
// held (SHUTDOWN) or without (signals), and a spurious wake-up is harmless.
func wakeLoops(loops []*loop) {
	one := []byte{1, 0, 0, 0, 0, 0, 0, 0}
	for _, l := range loops {
		syscall.Write(l.evfd, one)
	}
}

// acceptAll accepts every pending connection on listener fd (loop 0).
func (s *Server) acceptAll(lfd int) {
	for {
		fd, sa, err := syscall.Accept4(lfd, syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC)
		if err != nil {
			if err != syscall.EAGAIN && err != syscall.EINTR && err != syscall.ECONNABORTED {
				s.logf(logWarning, "Accepting client connection: %v", err)
			}
			return
		}
		// TCP options do not apply to a Unix socket's clients.
		_, unix := sa.(*syscall.SockaddrUnix)
		if !unix {
			syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_NODELAY, 1)
		}
		// The configuration is read under the lock: CONFIG SET may be
		// changing it on another loop.
		s.mu.Lock()
		if !unix && s.cfg.TCPKeepAlive > 0 {
			setKeepAlive(fd, s.cfg.TCPKeepAlive)
		}
		if !unix && s.cfg.SocketMarkID != 0 {
			setSocketMark(fd, s.cfg.SocketMarkID)
		}
		s.acceptConn(fd, sa)
		s.mu.Unlock()
	}
}

func setKeepAlive(fd, interval int) {
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_KEEPALIVE, 1)
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPIDLE, interval)
	iv := interval / 3
	if iv == 0 {
		iv = 1
	}
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPINTVL, iv)
	syscall.SetsockoptInt(fd, syscall.IPPROTO_TCP, syscall.TCP_KEEPCNT, 3)
}

func sockaddrString(sa syscall.Sockaddr) (ip string, port int) {
	switch a := sa.(type) {
	case *syscall.SockaddrInet4:
		return net.IP(a.Addr[:]).String(), a.Port
	case *syscall.SockaddrInet6:
		return net.IP(a.Addr[:]).String(), a.Port
	}
	return "?", 0
}

// acceptConn registers a new client. Called with s.mu held, from loop 0.
// A client of the Unix socket (sa a *SockaddrUnix) is never refused by
// protected mode, as Redis only checks TCP clients.
func (s *Server) acceptConn(fd int, sa syscall.Sockaddr) {
	_, unix := sa.(*syscall.SockaddrUnix)
	ip, port := sockaddrString(sa)
	if int64(len(s.clients)) >= s.cfg.MaxClients {
		syscall.Write(fd, []byte("-ERR max number of clients reached\r\n"))
		syscall.Close(fd)
		s.stats.rejectedConns++
		return
	}
	if msg := s.protectedModeRefusal(ip); msg != nil && !unix {
		syscall.Write(fd, msg)
		syscall.Close(fd)
		s.stats.rejectedConns++
		return
	}
	l := s.loops[s.nextLoop%len(s.loops)]
	s.nextLoop++
	s.nextID++
	now := time.Now().UnixMilli()
	c := &conn{srv: s, loop: l, fd: fd, created: now, lastSeen: now}
	c.ID = s.nextID
	c.Core = s.core
	c.Conn = c
	c.DB = s.ks.DBs[0]
	c.Proto = 2
	c.rd.MaxBulkLen = s.cfg.ProtoMaxBulkLen
	if unix {
		c.unix = true
		c.addr = unixAddr(s.cfg.UnixSocket)
		c.laddr = c.addr
	} else {
		c.addr = net.JoinHostPort(ip, strconv.Itoa(port))
		if lsa, err := syscall.Getsockname(fd); err == nil {
			lip, lport := sockaddrString(lsa)
			c.laddr = net.JoinHostPort(lip, strconv.Itoa(lport))
		}
	}
	if s.cfg.RequirePass == "" {
		c.Flags |= command.ClientAuthenticated
	}
	s.clients[c.ID] = c
	s.stats.totalConns++
	if l == s.loops[0] {
		l.conns[fd] = c
		if err := l.watch(fd, syscall.EPOLLIN); err != nil {
			delete(l.conns, fd)
			delete(s.clients, c.ID)
			syscall.Close(fd)
		}
		return
	}
	l.handoff = append(l.handoff, c)
	l.wake()
}

// protectedModeRefusal returns Redis's explanatory error when protected
// mode must refuse a client that is not local, or nil. As Redis 7.0, whose
// default bind is explicit, the bind addresses do not matter, and local
// means exactly 127.0.0.1 or ::1 (islocalClient).
func (s *Server) protectedModeRefusal(ip string) []byte {
	if !s.cfg.ProtectedMode || s.cfg.RequirePass != "" || ip == "127.0.0.1" || ip == "::1" {
		return nil
	}
	return protectedModeError
}

var protectedModeError = []byte("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user. In this mode connections are only accepted from the loopback interface. If you want to connect from external computers to Redis you may adopt one of the following solutions: 1) Just disable protected mode sending the command 'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from the same host the server is running, however MAKE SURE Redis is not publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) Alternatively you can just disable the protected mode by editing the Redis configuration file, and setting the protected mode option to 'no', and then restarting the server. 3) If you started the server manually just for testing, restart it with the '--protected-mode no' option. 4) Set up an authentication password for the default user. NOTE: You only need to do one of the above things in order for the server to start accepting connections from the outside.\r\n")

// freeClient unlinks and closes c. Called with s.mu held, from c's loop.
func (s *Server) freeClient(c *conn) {
	if c.closed {
		return
	}
	s.unlinkClient(c)
	// Its buffers leave used_memory as it closes (its share of the
	// clients' total), and a big reply's trail of smaller copies is
	// collected soon.
	freed := cap(c.B) + cap(c.qbuf) + c.wcap
	c.B = nil
	if freed >= clientFreeCollect {
		s.collectSoon()
	}
	c.close()
}

// clientFreeCollect is the buffer size of a freed client above which a
// background collection runs (collectSoon).
const clientFreeCollect = 64 << 10

// unlinkClient removes c from every server table. Called with s.mu held.
func (s *Server) unlinkClient(c *conn) {
	delete(s.clients, c.ID)
	c.Watch.Unwatch()
	s.pubsubUnsubscribeAll(c)
	s.unblockOnFree(c)
	s.monitorRemove(c)
	s.trackingDisable(c)
	if c.Flags&command.ClientReplica != 0 && c.repl != nil {
		s.replicaGone(c)
	}
	if c.Flags&command.ClientMaster != 0 {
		s.replMasterLost(c)
	}
}

// onKeyExpired propagates the deletion of an expired key and notifies.
func (s *Server) onKeyExpired(db *keyspace.DB, key string) {
	s.stats.expiredKeys++
	kb := []byte(key)
	db.Touched(kb)
	s.notifyKeyspaceEvent(command.NotifyExpired, "expired", kb, db.ID)
	del := argvDel
	if s.cfg.LazyfreeLazyExpire {
		del = argvUnlink
	}
	s.alsoPropagate(db.ID, [][]byte{del, kb})
}

func (s *Server) cfgQueryBufLimit() int64 { return s.cfg.ClientQueryBufferLimit }

// Logf writes a log line at notice level.
func (s *Server) Logf(format string, args ...any) { s.logf(logNotice, format, args...) }

func (s *Server) logf(level int, format string, args ...any) { s.log.printf(level, format, args...) }

var pid = os.Getpid()
