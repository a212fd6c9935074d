package keyspace

// Active expiry, as Redis's activeExpireCycle (slow cycle): sample keys that
// have a TTL and delete the expired ones; keep sampling a database while
// more than an acceptable share of a sample had expired, within a time
// budget, so expired keys that nobody reads do not pile up in memory.
// active-expire-effort (1..10) scales the sample size, the time budget and
// the acceptable share of stale keys, as Redis does.

// Active expiry tuning at effort 1, as Redis's ACTIVE_EXPIRE_CYCLE_*.
const (
	expireKeysPerLoop     = 20 // keys sampled per round
	expireSlowTimePerc    = 25 // % of each cron period the cycle may use
	expireAcceptableStale = 10 // % of expired keys in a sample that ends a database's rounds
	// expireDBsPerCall is how many databases one cycle visits, unless the
	// last cycle ran out of time (CRON_DBS_PER_CALL).
	expireDBsPerCall = 16
)

// ExpireState is what active expiry keeps between cycles (the statics of
// activeExpireCycle) and the statistics INFO reports.
type ExpireState struct {
	nextDB   int
	timedOut bool
	victims  []*Entry
	// StalePerc is the running estimate of the share (0..1) of sampled
	// volatile keys found already expired (INFO expired_stale_perc).
	StalePerc float64
	// TimeCapReached counts cycles that stopped on the time limit (INFO
	// expired_time_cap_reached_count).
	TimeCapReached int64
}

// ExpireEffort is the per-cycle tuning derived from active-expire-effort.
type ExpireEffort struct {
	// KeysPerLoop is how many volatile keys one round samples.
	KeysPerLoop int
	// TimeLimitUs is the cycle's time budget in microseconds.
	TimeLimitUs int64
	// AcceptableStale is the percentage of expired keys in a sample at or
	// under which the cycle moves on to the next database.
	AcceptableStale int
}

// NewExpireEffort scales the tuning for effort (1..10, clamped) at the
// server's current hz, as activeExpireCycle does.
func NewExpireEffort(effort, hz int) ExpireEffort {
	e := min(max(effort, 1), 10) - 1
	hz = max(hz, 1)
	return ExpireEffort{
		KeysPerLoop:     expireKeysPerLoop + expireKeysPerLoop/4*e,
		TimeLimitUs:     int64(expireSlowTimePerc+2*e) * 1000000 / int64(hz) / 100,
		AcceptableStale: expireAcceptableStale - e,
	}
}

// ExpireCycle runs one active expiry cycle and returns how many keys it
// deleted. elapsedUs reports the microseconds since the cycle started (the
// keyspace reads no clock); it is checked every 16 rounds, as Redis does.
// Each round samples up to KeysPerLoop keys with a TTL from one database
// (Go map iteration starts at a random position, which makes each round a
// fresh random sample).
func (ks *Keyspace) ExpireCycle(st *ExpireState, eff ExpireEffort, elapsedUs func() int64) int {
	if ks.Replica || len(ks.DBs) == 0 {
		return 0
	}
	dbsPerCall := expireDBsPerCall
	if dbsPerCall > len(ks.DBs) || st.timedOut {
		dbsPerCall = len(ks.DBs)
	}
	st.timedOut = false
	deleted, totalSampled, iteration := 0, 0, 0
	victims := st.victims
	for j := 0; j < dbsPerCall && !st.timedOut; j++ {
		db := ks.DBs[st.nextDB%len(ks.DBs)]
		st.nextDB = (st.nextDB + 1) % len(ks.DBs)
		for {
			if len(db.expires) == 0 {
				db.AvgTTL = 0
				break
			}
			iteration++
			sampled, live := 0, 0
			var ttlSum int64
			victims = victims[:0]
			for e := range db.expires {
				if e.Expire <= ks.Now {
					victims = append(victims, e)
				} else {
					ttlSum += e.Expire - ks.Now
					live++
				}
				sampled++
				if sampled == eff.KeysPerLoop {
					break
				}
			}
			for _, e := range victims {
				db.expire(e)
			}
			expired := len(victims)
			deleted += expired
			totalSampled += sampled
			if live > 0 {
				avg := ttlSum / int64(live)
				if db.AvgTTL == 0 {
					db.AvgTTL = avg
				}
				db.AvgTTL = (db.AvgTTL/50)*49 + avg/50
			}
			if iteration&0xf == 0 && elapsedUs() > eff.TimeLimitUs {
				st.timedOut = true
				st.TimeCapReached++
				break
			}
			if sampled > 0 && expired*100/sampled <= eff.AcceptableStale {
				break
			}
		}
	}
	clear(victims)
	st.victims = victims[:0]
	current := 0.0
	if totalSampled > 0 {
		current = float64(deleted) / float64(totalSampled)
	}
	st.StalePerc = current*0.05 + st.StalePerc*0.95
	return deleted
}

// RandomVolatile returns a random key with an expiry, or nil.
func (db *DB) RandomVolatile() *Entry {
	for e := range db.expires {
		return e
	}
	return nil
}
