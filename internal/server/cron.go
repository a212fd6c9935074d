package server

import (
	"time"

	"shoal/internal/command"
	"shoal/internal/keyspace"
)

// cronState drives serverCron: loop 0 wakes at least hz times a second and
// runs the periodic jobs (active expiry, client timeouts, table resizing).
type cronState struct {
	srv    *Server
	nowMs  int64
	next   time.Time
	period time.Duration
	// hz is the effective frequency (server.hz): the configured hz, raised
	// by dynamic-hz while many clients are connected.
	hz    int
	clock uint32
	// expire is active expiry's state between cycles.
	expire keyspace.ExpireState
	// cycleStart is when the running active expire cycle began.
	cycleStart time.Time
	// opsPerSec is instantaneous_ops_per_sec, sampled every cron run.
	opsPerSec   int64
	lastOpsTime int64
	lastOps     int64
}

// setHz changes the cron period (CONFIG SET hz).
func (cr *cronState) setHz(hz int) {
	if hz < 1 {
		hz = 1
	}
	if hz > 500 {
		hz = 500
	}
	cr.hz = hz
	cr.period = time.Second / time.Duration(hz)
}

// Dynamic hz, as serverCron: with dynamic-hz, the frequency doubles from the
// configured one while each tick would serve more than maxClientsPerTick
// clients, up to maxHz, so client timeouts and the other per-client cron
// work stay cheap per run.
const (
	maxClientsPerTick = 200 // MAX_CLIENTS_PER_CLOCK_TICK
	maxHz             = 500 // CONFIG_MAX_HZ
)

// effectiveHz is the hz serverCron runs at for the configured hz and the
// number of connected clients.
func effectiveHz(configured int, dynamic bool, clients int) int {
	hz := min(max(configured, 1), maxHz)
	if !dynamic {
		return hz
	}
	for clients/hz > maxClientsPerTick {
		hz *= 2
		if hz > maxHz {
			return maxHz
		}
	}
	return hz
}

// expireElapsedUs is the time the running active expire cycle has taken.
func (cr *cronState) expireElapsedUs() int64 {
	return time.Since(cr.cycleStart).Microseconds()
}

func (cr *cronState) init(s *Server) {
	cr.srv = s
	cr.setHz(s.cfg.Hz)
	cr.next = time.Now().Add(cr.period)
	cr.nowMs = time.Now().UnixMilli()
}

// cronTimeout is loop 0's epoll_wait timeout in ms.
func (s *Server) cronTimeout() int {
	next := s.cron.next
	if s.blocked.count.Load() > 0 {
		s.mu.Lock()
		if d := s.nearestBlockDeadline(); d != 0 {
			if t := time.UnixMilli(d); t.Before(next) {
				next = t
			}
		}
		s.mu.Unlock()
	}
	if s.evict.procRunning.Load() {
		return 0
	}
	d := time.Until(next)
	if d <= 0 {
		return 0
	}
	return int(d/time.Millisecond) + 1
}

// commandTime is the time snapshot of the command about to run, in ms.
func (cr *cronState) commandTime() int64 {
	cr.nowMs = time.Now().UnixMilli()
	return cr.nowMs
}

// cronIfDue runs serverCron when its period elapsed; not while the
// dataset loads, as Redis runs only whileBlockedCron then.
func (s *Server) cronIfDue() {
	if s.load.active.Load() || s.script.busy.Load() {
		// Not while the dataset loads (Redis runs only whileBlockedCron
		// then), nor under a timed-out script: nothing may change under it.
		// The next run moves a period on all the same, so that loop 0
		// waits in epoll instead of polling it with a zero timeout: a
		// spinning loop took one of two cores from the loader.
		if now := time.Now(); !now.Before(s.cron.next) {
			s.cron.next = now.Add(s.cron.period)
		}
		return
	}
	if s.evict.procRunning.Load() {
		s.mu.Lock()
		s.evictionTimeProc()
		s.handleClientsBlockedOnKeys()
		s.mu.Unlock()
	}
	now := time.Now()
	if now.Before(s.cron.next) {
		if s.blocked.count.Load() > 0 {
			s.mu.Lock()
			s.cron.nowMs = now.UnixMilli()
			s.blockedTimeouts()
			s.mu.Unlock()
		}
		return
	}
	s.mu.Lock()
	s.cron.next = now.Add(s.cron.period)
	s.curLoop = s.loops[0]
	s.clock.sync()
	s.serverCron(now)
	s.curLoop = nil
	s.mu.Unlock()
}

// serverCron is the periodic work. Called with s.mu held.
func (s *Server) serverCron(now time.Time) {
	s.armWatchdog()
	s.cron.nowMs = now.UnixMilli()
	s.ks.Now = s.cron.nowMs
	s.cron.clock = uint32(now.Unix()) & lruClockMax
	if hz := effectiveHz(s.cfg.Hz, s.cfg.DynamicHz, len(s.clients)); hz != s.cron.hz {
		s.cron.setHz(hz)
		s.cron.next = now.Add(s.cron.period)
	}
	if s.core.Debug.PauseCron {
		return
	}
	if s.shutdownCron(); s.stopping.Load() {
		return
	}
	expireStart := s.latencyStart()
	// Only a master expires actively (databasesCron's iAmMaster): a
	// cluster replica restarted from nodes.conf keeps its keys until its
	// master's DELs, though replication starts at a later cron.
	if s.activeExpire && !s.pause.active && s.iAmMaster() {
		s.cron.cycleStart = now
		s.ks.ExpireCycle(&s.cron.expire, keyspace.NewExpireEffort(s.cfg.ActiveExpireEffort, s.cron.hz), s.cron.expireElapsedUs)
	}
	s.latencyEnd("expire-cycle", expireStart)
	if elapsed := s.cron.nowMs - s.cron.lastOpsTime; elapsed >= 1000 {
		s.cron.opsPerSec = (s.stats.totalCommands - s.cron.lastOps) * 1000 / elapsed
		s.cron.lastOps = s.stats.totalCommands
		s.cron.lastOpsTime = s.cron.nowMs
		s.migrateCron(now)
	}
	// Tables keep still while a snapshot walks them, as Redis's while it
	// has a child (updateDictResizePolicy, databasesCron).
	s.ks.CanResize = s.rdb.job == nil
	for _, db := range s.ks.DBs {
		if s.rdb.job != nil {
			break
		}
		db.ShrinkTables()
		if s.cfg.ActiveRehashing {
			db.RehashStep(100)
		}
	}
	if s.cl != nil {
		s.clusterCron(now)
	}
	s.clientsCron()
	s.maybeReleaseMemory()
	s.blockedTimeouts()
	s.pauseCron()
	s.saveCron(now)
	// Keys the expire cycle deleted may unblock XREADGROUP clients
	// (handleClientsBlockedOnKeys in beforeSleep).
	s.handleClientsBlockedOnKeys()
	s.replicationCron()
}

// Query buffer resizing thresholds (PROTO_RESIZE_THRESHOLD and the 4 KB
// of waste below which clientsCronResizeQueryBuffer leaves a buffer alone).
const (
	qbufResizeThreshold = 32 * 1024
	qbufMinWaste        = 4 * 1024
)

// clientsCronResizeQueryBuffer trims a client's private query buffer as
// Redis does: to its content after 2 s idle (nothing at all when empty),
// and, for a buffer over 32 KB more than twice the peak input since the
// last pass, down to that peak. The peak then restarts from what is
// pending now. A client reads into its loop's shared buffer and keeps a
// private one only for input it could not process yet, so an idle client
// has no query buffer of its own.
func (s *Server) clientsCronResizeQueryBuffer(c *conn) {
	size, used := cap(c.qbuf), len(c.qbuf)
	if size-used > qbufMinWaste {
		switch {
		case s.cron.nowMs-c.lastSeen > 2000:
			c.qbufResize, c.qbufResizeTo = true, 0
			c.queueWrite()
			// The trimmed buffers are garbage now: let the idle release
			// return them (maybeReleaseMemory) a few ticks from now.
			s.memRelease.idleTicks = 0
			s.memRelease.trimmed += size
		case size > qbufResizeThreshold && size/2 > c.qbufPeak:
			c.qbufResize, c.qbufResizeTo = true, max(used, c.qbufPeak, c.rd.Need()+used)
			c.queueWrite()
		}
	}
	c.qbufPeak = used
}

// lruClockMax is the 24-bit LRU clock's range, as Redis's LRU_CLOCK_MAX.
const lruClockMax = 1<<24 - 1

// clientsCron closes idle clients past `timeout`.
func (s *Server) clientsCron() {
	// A client over its soft output limit is closed once the limit's time
	// has passed even if nothing more is written to it
	// (closeClientOnOutputBufferLimitReached in clientsCron).
	for _, c := range s.clients {
		if c.obufSoftSince != 0 {
			s.checkOutputLimit(c)
		}
		s.clientsCronResizeQueryBuffer(c)
	}
	if s.cfg.Timeout <= 0 {
		return
	}
	limit := int64(s.cfg.Timeout) * 1000
	for _, c := range s.clients {
		if c.Flags&(command.ClientMaster|command.ClientReplica|command.ClientBlocked|command.ClientPubSub) != 0 {
			continue
		}
		if s.cron.nowMs-c.lastSeen > limit {
			c.Flags |= command.ClientCloseASAP
			c.queueWrite()
		}
	}
}
