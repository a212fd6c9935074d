package server

import (
	"math"
	"runtime/debug"
	"sync/atomic"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/keyspace"
)

// Eviction (evict.c). It compares used_memory (usedMemory, info.go), a
// running count of the dataset and the clients' buffers, with maxmemory,
// as Redis compares zmalloc's count. The runtime's memory limit is set to
// twice maxmemory so that the garbage of evicted and overwritten values is
// collected before the process's resident memory strays far from the
// limit, without the collector running non-stop (a limit equal to
// maxmemory, with live data held at maxmemory by eviction, made the GC
// run continuously and writes 5x slower).

// evictState is eviction's state between calls.
type evictState struct {
	// procRunning is set while eviction continues from loop 0 after a
	// call ran out of its time budget (Redis's isEvictionProcRunning);
	// loop 0 reads it without the lock to decide whether to sleep.
	procRunning atomic.Bool
}

// evictResult is performEvictions's outcome, as Redis's EVICT_OK,
// EVICT_RUNNING and EVICT_FAIL.
type evictResult int

const (
	evictOK evictResult = iota
	evictRunning
	evictFail
)

// evictionTimeLimit is how long one performEvictions call may evict for,
// from maxmemory-eviction-tenacity as Redis's evictionTimeLimitUs: 50us per
// step up to 10 (500us at the default), then 15% more per step, and no
// limit at 100.
func evictionTimeLimit(tenacity int) time.Duration {
	switch {
	case tenacity <= 10:
		return time.Duration(50*max(tenacity, 0)) * time.Microsecond
	case tenacity < 100:
		return time.Duration(500*math.Pow(1.15, float64(tenacity-10))) * time.Microsecond
	}
	return math.MaxInt64
}

// applyMaxmemory tells the runtime about maxmemory.
func (s *Server) applyMaxmemory() {
	if s.cfg.MaxMemory == 0 || s.cfg.MaxMemory > math.MaxInt64 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	limit := s.cfg.MaxMemory * 2
	if limit > math.MaxInt64 || limit < s.cfg.MaxMemory {
		limit = math.MaxInt64
	}
	debug.SetMemoryLimit(int64(limit))
}

// onFlush runs before a database is emptied: clients blocked on its keys
// are answered.
func (s *Server) onFlush(db *keyspace.DB) { s.signalFlushedDB(db) }

// evictableUsed is the memory maxmemory limits: used_memory without what
// notCountedForEvict leaves out.
func (s *Server) evictableUsed() uint64 {
	used := s.usedMemory()
	if nc := s.notCountedForEvict(); used > nc {
		return used - nc
	}
	return 0
}

// notCountedForEvict is the memory maxmemory leaves out
// (freeMemoryGetNotCountedMemory): the AOF buffer and the records a
// background snapshot holds, which would otherwise make a BGSAVE or AOF
// rewrite evict the keys it is copying.
func (s *Server) notCountedForEvict() uint64 {
	n := uint64(cap(s.aof.buf)) + uint64(s.replNotCountedForEvict())
	if j := s.rdb.job; j != nil {
		n += uint64(j.snap.Buffered())
	}
	return n
}

// performEvictions frees keys by the maxmemory-policy until used memory is
// under maxmemory. It returns false when memory is still over the limit
// (noeviction, or nothing left to evict); a call that ran out of its time
// budget returns true and leaves the rest to evictionTimeProc.
func (s *Server) performEvictions() bool {
	return s.evictKeys() != evictFail
}

// evictionTimeProc continues eviction from loop 0 while it runs out of
// time, as Redis's evictionTimeProc timer event. Called with s.mu held.
func (s *Server) evictionTimeProc() {
	if s.evictKeys() != evictRunning {
		s.evict.procRunning.Store(false)
	}
}

// startEvictionTimeProc hands eviction to loop 0 at once, as Redis's
// updateMaxmemory after CONFIG SET maxmemory: keys over a lowered limit are
// evicted without waiting for the next command.
func (s *Server) startEvictionTimeProc() {
	if s.cfg.MaxMemory != 0 && !s.evict.procRunning.Swap(true) && len(s.loops) > 0 {
		s.loops[0].wake()
	}
}

// evictKeys is performEvictions: it evicts for at most the tenacity's time
// limit, then hands over to evictionTimeProc (evictRunning).
func (s *Server) evictKeys() evictResult {
	limit := s.cfg.MaxMemory
	if limit == 0 {
		return evictOK
	}
	if s.repl.replica.host != "" && s.cfg.ReplicaIgnoreMaxmemory {
		// A replica's dataset is its master's (replica-ignore-maxmemory).
		return evictOK
	}
	used := s.evictableUsed()
	if used <= limit {
		return evictOK
	}
	if s.cfg.MaxmemoryPolicy == config.PolicyNoEviction {
		return evictFail
	}
	defer s.latencyEnd("eviction-cycle", s.latencyStart())
	start := time.Now()
	timeLimit := evictionTimeLimit(s.cfg.MaxmemoryEvictionTenacity)
	for used > limit {
		db, e := s.pickVictim()
		if e == nil {
			return evictFail
		}
		// As Redis, the loop counts what each delete frees; the
		// invalidations and notifications it sends are counted from the
		// next call on (a tracking client's invalidation can be larger
		// than the key it names: re-reading used_memory here would evict
		// on and on, performEvictions's feedback loop).
		freed := uint64(keyspace.EntryBytes(e)) + keyspace.EntrySlotBytes(e)
		if s.cfg.LazyfreeLazyEviction {
			s.countLazyFree(e)
		}
		key := []byte(e.Key)
		s.latencyTimed("eviction-del", func() { db.Delete(key) })
		db.Touched(key)
		s.stats.evictedKeys++
		s.notifyKeyspaceEvent(command.NotifyEvicted, "evicted", key, db.ID)
		s.propagate(db.ID, [][]byte{[]byte("DEL"), key})
		used -= min(freed, used)
		if used > limit && time.Since(start) > timeLimit {
			// Loop 0 runs the continuation; wake it from its sleep.
			if !s.evict.procRunning.Swap(true) && len(s.loops) > 0 {
				s.loops[0].wake()
			}
			return evictRunning
		}
	}
	if s.evict.procRunning.Load() {
		return evictRunning
	}
	return evictOK
}

func (s *Server) volatilePolicy() bool {
	switch s.cfg.MaxmemoryPolicy {
	case config.PolicyVolatileLRU, config.PolicyVolatileLFU, config.PolicyVolatileRandom, config.PolicyVolatileTTL:
		return true
	}
	return false
}

// pickVictim samples maxmemory-samples keys per database and returns the
// best candidate for the policy (approximated LRU/LFU as Redis does).
func (s *Server) pickVictim() (*keyspace.DB, *keyspace.Entry) {
	var bestDB *keyspace.DB
	var best *keyspace.Entry
	var bestScore uint64
	samples := s.cfg.MaxmemorySamples
	if samples < 1 {
		samples = 5
	}
	policy := s.cfg.MaxmemoryPolicy
	for _, db := range s.ks.DBs {
		if db.Len() == 0 || (s.volatilePolicy() && db.ExpiresLen() == 0) {
			continue
		}
		for i := 0; i < samples; i++ {
			var e *keyspace.Entry
			if s.volatilePolicy() {
				e = db.RandomVolatile()
			} else {
				e = db.RandomEntry()
			}
			if e == nil {
				break
			}
			var score uint64
			switch policy {
			case config.PolicyAllkeysRandom, config.PolicyVolatileRandom:
				return db, e
			case config.PolicyAllkeysLRU, config.PolicyVolatileLRU:
				score = uint64(s.idleTime(e))
			case config.PolicyAllkeysLFU, config.PolicyVolatileLFU:
				score = 255 - uint64(s.lfuCounter(e))
			case config.PolicyVolatileTTL:
				score = math.MaxUint64 - uint64(e.Expire)
			}
			if best == nil || score > bestScore {
				best, bestDB, bestScore = e, db, score
			}
		}
	}
	return bestDB, best
}

// lfuPolicy reports whether the policy keeps LFU counters in Entry.LRU.
func (s *Server) lfuPolicy() bool {
	return s.cfg.MaxmemoryPolicy == config.PolicyAllkeysLFU || s.cfg.MaxmemoryPolicy == config.PolicyVolatileLFU
}

// idleTime is the seconds since the entry was last touched (LRU clock).
func (s *Server) idleTime(e *keyspace.Entry) uint32 { return lruIdle(e.LRU, s.cron.clock) }

// lruIdle is the seconds from LRU clock lru to clock now.
func lruIdle(lru, now uint32) uint32 {
	if now >= lru {
		return now - lru
	}
	return now + (lruClockMax - lru)
}

// LFU counters, as evict.c: the high 16 bits of LRU hold the last
// decrement time in minutes, the low 8 bits a logarithmic counter.
const lfuInitVal = 5

func (s *Server) lfuMinutes() uint32 { return uint32(s.cron.nowMs/60000) & 0xffff }

func (s *Server) lfuCounter(e *keyspace.Entry) uint8 {
	return lfuDecayed(e.LRU, s.lfuMinutes(), uint32(s.cfg.LFUDecayTime))
}

// lfuDecayed is the LFU counter in lru decayed to minute now with
// lfu-decay-time decay.
func lfuDecayed(lru, now, decay uint32) uint8 {
	counter := uint8(lru & 0xff)
	ldt := lru >> 8
	elapsed := now - ldt
	if now < ldt {
		elapsed = 0xffff - ldt + now
	}
	if decay > 0 {
		periods := elapsed / decay
		if periods >= uint32(counter) {
			return 0
		}
		return counter - uint8(periods)
	}
	return counter
}

// touch records an access for the eviction policy (lookupKey's updateLFU /
// LRU clock update).
func (s *Server) touch(e *keyspace.Entry) {
	if !s.lfuPolicy() {
		e.LRU = s.cron.clock
		return
	}
	counter := s.lfuCounter(e)
	if counter < 255 {
		r := s.rnd.Float64()
		base := float64(counter) - lfuInitVal
		if base < 0 {
			base = 0
		}
		if r < 1.0/(base*float64(s.cfg.LFULogFactor)+1) {
			counter++
		}
	}
	e.LRU = s.lfuMinutes()<<8 | uint32(counter)
}

// newKeyClock is the LRU field of a new key: the clock, or a fresh LFU
// counter.
func (s *Server) newKeyClock() uint32 {
	if s.lfuPolicy() {
		return s.lfuMinutes()<<8 | lfuInitVal
	}
	return s.cron.clock
}

// countLazyFree counts an evicted value as lazily freed under
// lazyfree-lazy-eviction, as Redis's dbAsyncDelete (command/lazyfree.go).
func (s *Server) countLazyFree(e *keyspace.Entry) { s.core.CountLazyFree(e) }
