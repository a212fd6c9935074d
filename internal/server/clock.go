package server

import (
	"time"
	_ "unsafe" // for go:linkname
)

// nanotime is the runtime's monotonic clock: one vDSO call, where time.Now
// makes two (wall and monotonic). The per-command clock uses it.
//
//go:linkname nanotime runtime.nanotime
func nanotime() int64

// cmdClock gives each command its start time cheaply: the wall clock is
// read by the cron (sync, hz times a second), and command times are derived
// from the monotonic clock since then, so a wall-clock step shows within
// one cron period.
type cmdClock struct {
	wallNs int64 // unix ns at the last sync
	mono   int64 // nanotime at the last sync
	last   int64 // nanotime at the end of the previous command
}

// sync re-reads the wall clock. The monotonic clock is read first, so the
// derived time is never behind the wall clock a client read before sending
// a command (an absolute PXAT must not read back as more than its TTL).
func (k *cmdClock) sync() {
	k.mono = nanotime()
	k.wallNs = time.Now().UnixNano()
	k.last = k.mono
}

// start marks the start of a run of commands (a loop took the lock).
func (k *cmdClock) start() { k.last = nanotime() }

// nowMs is the unix time in ms at the last reading. It is computed in ns
// and truncated once: truncating the synced wall time and the elapsed time
// separately would put it up to 1 ms behind the wall clock.
func (k *cmdClock) nowMs() int64 { return (k.wallNs + k.last - k.mono) / 1e6 }

// tick reads the monotonic clock and returns the ns since the last tick.
func (k *cmdClock) tick() int64 {
	t := nanotime()
	d := t - k.last
	k.last = t
	return d
}
