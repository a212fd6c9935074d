package server

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Returning memory when idle. Go collects garbage when the heap doubles
// (GOGC=100), so after a write burst (loading a data set, tables and
// slices growing) the process can hold up to as much garbage as live data
// until the next cycle. Redis frees eagerly; to stay close to its resident
// memory the cron forces a collection and returns free pages to the OS once
// the server has been idle for a moment and a good part of the heap is not
// live. It runs on its own goroutine, without the executor lock.
//
// This is Shoal's counterpart of jemalloc's background thread, which
// purges a Redis process's dirty pages to the OS off the main thread:
// jemalloc-bg-thread no turns it off, as it turns that thread off in Redis,
// and freed memory then goes back only as the Go runtime's own scavenger
// returns it.

// memRelease is the idle-release state.
type memRelease struct {
	running   atomic.Bool
	lastOps   int64
	idleTicks int
	sample    []metrics.Sample
	// lastLazyFreed is lazyfreed_objects when the cron last looked.
	lastLazyFreed int64
	// trimmed counts query buffer capacity clientsCron cut since the last
	// release: that garbage is released at the next idle moment even when
	// the heap's last live figure, from before the cut, hides it.
	trimmed int
}

// idleTicksBeforeRelease is how many quiet cron runs (no command executed)
// precede a release: at the default hz, 300 ms.
const idleTicksBeforeRelease = 3

// maybeReleaseMemory is called from the cron with the lock held.
func (s *Server) maybeReleaseMemory() {
	m := &s.memRelease
	if s.core.LazyFreed != m.lastLazyFreed {
		// Values Redis would free on its lazyfree thread (UNLINK, FLUSH
		// ASYNC...) were dropped: collect them in the background now, as
		// that thread would, rather than at the next heap doubling.
		m.lastLazyFreed = s.core.LazyFreed
		s.collectSoon()
	}
	if !s.cfg.JemallocBgThread {
		return
	}
	if s.stats.totalCommands != m.lastOps {
		m.lastOps = s.stats.totalCommands
		m.idleTicks = 0
		return
	}
	m.idleTicks++
	if m.idleTicks != idleTicksBeforeRelease || m.running.Load() {
		return
	}
	if m.sample == nil {
		m.sample = []metrics.Sample{
			{Name: "/gc/heap/live:bytes"},
			{Name: "/memory/classes/heap/objects:bytes"},
			{Name: "/memory/classes/heap/free:bytes"},
		}
	}
	metrics.Read(m.sample)
	live := m.sample[0].Value.Uint64()
	objects := m.sample[1].Value.Uint64()
	free := m.sample[2].Value.Uint64()
	// Worth it when at least a quarter of what the heap holds is garbage
	// or free-but-resident pages, and that is more than 8 MB.
	waste := objects - min(live, objects) + free
	if (waste < 8<<20 || waste*4 < objects+free) && m.trimmed < 8<<20 {
		return
	}
	m.trimmed = 0
	m.running.Store(true)
	go func() {
		debug.FreeOSMemory()
		m.running.Store(false)
	}()
}

// collectSoon runs a garbage collection in the background (unless one is
// running), so that used_memory, which counts what was allocated since the
// last cycle, stops counting memory just dropped.
func (s *Server) collectSoon() {
	m := &s.memRelease
	if !m.running.Swap(true) {
		go func() {
			runtime.GC()
			m.running.Store(false)
		}()
	}
}
