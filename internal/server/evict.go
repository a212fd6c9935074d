package server

import (
	"math"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/keyspace"
)

// Memory accounting and eviction (evict.c). Go frees memory only when the
// garbage collector runs, so used memory is estimated as the heap in use
// minus what evictions released since the last collection. The runtime's
// memory limit is set to twice maxmemory: collections then happen once the
// evicted garbage is about as large as the data, which keeps the estimate
// honest without the collector running non-stop (a limit equal to
// maxmemory, with live data held at maxmemory by eviction, made the GC run
// continuously and writes 5x slower).

// evictState is the bookkeeping between GC cycles.
type evictState struct {
	lastCycles   uint64
	freedSinceGC uint64
	// freedPrevGC is what was freed before the last cycle ended: the
	// cycle may have marked it before it was dropped, so it is discounted
	// for one more cycle (a client's buffers freed during a collection).
	freedPrevGC uint64
	allocsAtGC  uint64
	gcSample    []metrics.Sample
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

// estimatedUsed is the memory the data set holds: the heap found live by
// the last collection, plus what was allocated since, minus what evictions
// freed since. (The heap's object bytes would also count garbage the
// collector has marked but not yet swept, and emptied the whole keyspace.)
func (s *Server) estimatedUsed() uint64 {
	ev := &s.evict
	if ev.gcSample == nil {
		ev.gcSample = []metrics.Sample{
			{Name: "/gc/cycles/total:gc-cycles"},
			{Name: "/gc/heap/live:bytes"},
			{Name: "/gc/heap/allocs:bytes"},
		}
	}
	metrics.Read(ev.gcSample)
	allocs := ev.gcSample[2].Value.Uint64()
	if cycles := ev.gcSample[0].Value.Uint64(); cycles != ev.lastCycles {
		ev.freedPrevGC = 0
		if cycles == ev.lastCycles+1 {
			ev.freedPrevGC = ev.freedSinceGC
		}
		ev.lastCycles = cycles
		ev.freedSinceGC = 0
		ev.allocsAtGC = allocs
	}
	used := ev.gcSample[1].Value.Uint64() + allocs - min(ev.allocsAtGC, allocs)
	if freed := ev.freedSinceGC + ev.freedPrevGC; used > freed {
		return used - freed
	}
	return 0
}

// onFlush runs before a database is emptied: clients blocked on its keys
// are answered, and under maxmemory what the flush frees counts at once
// (as Redis's allocator sees it), not only after the next GC cycle, so the
// writes that follow do not evict keys on stale figures.
func (s *Server) onFlush(db *keyspace.DB) {
	s.signalFlushedDB(db)
	if s.cfg.MaxMemory == 0 {
		return
	}
	db.Each(func(e *keyspace.Entry) bool {
		s.evict.freedSinceGC += entrySize(e)
		return true
	})
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

// entrySize estimates the memory an entry holds, for eviction accounting
// and MEMORY USAGE.
func entrySize(e *keyspace.Entry) uint64 {
	n := uint64(96 + len(e.Key) + cap(e.Str))
	if m, ok := e.Obj.(interface{ MemoryUsage() int }); ok {
		n += uint64(m.MemoryUsage())
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
	used := s.estimatedUsed()
	if nc := s.notCountedForEvict(); used > nc {
		used -= nc
	} else {
		used = 0
	}
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
		size := entrySize(e)
		if s.cfg.LazyfreeLazyEviction {
			s.countLazyFree(e)
		}
		key := []byte(e.Key)
		s.latencyTimed("eviction-del", func() { db.Delete(key) })
		db.Touched(key)
		s.stats.evictedKeys++
		s.evict.freedSinceGC += size
		s.notifyKeyspaceEvent(command.NotifyEvicted, "evicted", key, db.ID)
		s.propagate(db.ID, [][]byte{[]byte("DEL"), key})
		if used > size {
			used -= size
		} else {
			used = 0
		}
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
