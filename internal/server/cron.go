package server

import (
	"time"

	"shoal/internal/command"
)

// cronState drives serverCron: loop 0 wakes at least hz times a second and
// runs the periodic jobs (active expiry, client timeouts, table resizing).
type cronState struct {
	srv    *Server
	nowMs  int64
	next   time.Time
	period time.Duration
	clock  uint32
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
	cr.period = time.Second / time.Duration(hz)
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
	if len(s.blocked.clients) > 0 {
		s.mu.Lock()
		if d := s.nearestBlockDeadline(); d != 0 {
			if t := time.UnixMilli(d); t.Before(next) {
				next = t
			}
		}
		s.mu.Unlock()
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

// cronIfDue runs serverCron when its period elapsed.
func (s *Server) cronIfDue() {
	now := time.Now()
	if now.Before(s.cron.next) {
		if len(s.blocked.clients) > 0 {
			s.mu.Lock()
			s.cron.nowMs = now.UnixMilli()
			s.blockedTimeouts()
			s.mu.Unlock()
		}
		return
	}
	s.cron.next = now.Add(s.cron.period)
	s.mu.Lock()
	s.curLoop = s.loops[0]
	s.clock.sync()
	s.serverCron(now)
	s.curLoop = nil
	s.mu.Unlock()
}

// serverCron is the periodic work. Called with s.mu held.
func (s *Server) serverCron(now time.Time) {
	s.cron.nowMs = now.UnixMilli()
	s.ks.Now = s.cron.nowMs
	s.cron.clock = uint32(now.Unix()) & lruClockMax
	if s.activeExpire && !s.pause.active {
		s.ks.ExpireCycle(25)
	}
	if elapsed := s.cron.nowMs - s.cron.lastOpsTime; elapsed >= 1000 {
		s.cron.opsPerSec = (s.stats.totalCommands - s.cron.lastOps) * 1000 / elapsed
		s.cron.lastOps = s.stats.totalCommands
		s.cron.lastOpsTime = s.cron.nowMs
	}
	for _, db := range s.ks.DBs {
		db.ShrinkTables()
		db.RehashStep(100)
	}
	s.clientsCron()
	s.maybeReleaseMemory()
	s.blockedTimeouts()
	s.pauseCron()
	s.saveCron(now)
}

// lruClockMax is the 24-bit LRU clock's range, as Redis's LRU_CLOCK_MAX.
const lruClockMax = 1<<24 - 1

// clientsCron closes idle clients past `timeout`.
func (s *Server) clientsCron() {
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
