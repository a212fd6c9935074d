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
	wallMs int64 // unix ms at the last sync
	mono   int64 // nanotime at the last sync
	last   int64 // nanotime at the end of the previous command
}

// sync re-reads the wall clock.
func (k *cmdClock) sync() {
	now := time.Now()
	k.mono = nanotime()
	k.wallMs = now.UnixMilli()
	k.last = k.mono
}

// start marks the start of a run of commands (a loop took the lock).
func (k *cmdClock) start() { k.last = nanotime() }

// nowMs is the unix time in ms at the last reading.
func (k *cmdClock) nowMs() int64 { return k.wallMs + (k.last-k.mono)/1e6 }

// tick reads the monotonic clock and returns the ns since the last tick.
func (k *cmdClock) tick() int64 {
	t := nanotime()
	d := t - k.last
	k.last = t
	return d
}
