package server

import "sync/atomic"

// stats are the counters INFO stats reports. Fields without atomics are
// guarded by the executor lock.
type stats struct {
	totalConns    int64
	rejectedConns int64
	totalCommands int64
	netInput      int64
	netOutput     atomic.Int64
	expiredKeys   int64
	evictedKeys   int64
	propagated    int64
	pubsubMsgs    int64
	// jobsAtReset is the background job count (BGSAVE, AOF rewrite) at
	// the last CONFIG RESETSTAT: total_forks counts the jobs since, as
	// each is where Redis forks a child.
	jobsAtReset int64
}

func (st *stats) netOutputAdd(n int64) { st.netOutput.Add(n) }
