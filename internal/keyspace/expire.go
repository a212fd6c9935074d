package keyspace

// Active expiry, as Redis's activeExpireCycle: sample keys that have a TTL
// and delete the expired ones; keep going while more than a quarter of a
// sample had expired, within a budget, so expired keys that nobody reads do
// not pile up in memory.

// expireSample is how many volatile keys one round looks at
// (ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP).
const expireSample = 20

// ExpireCycle runs active expiry over every database for at most budget
// rounds in total and returns how many keys it deleted. Each round samples
// expireSample keys with a TTL from one database (Go map iteration starts at
// a random position, which makes each round a fresh random sample).
func (ks *Keyspace) ExpireCycle(budget int) int {
	if ks.Replica {
		return 0
	}
	deleted := 0
	for _, db := range ks.DBs {
		for budget > 0 && len(db.expires) > 0 {
			budget--
			sampled, expired := 0, 0
			var ttlSum int64
			var victims [expireSample]*Entry
			for e := range db.expires {
				if e.Expire <= ks.Now {
					victims[expired] = e
					expired++
				} else {
					ttlSum += e.Expire - ks.Now
				}
				sampled++
				if sampled == expireSample {
					break
				}
			}
			for _, e := range victims[:expired] {
				db.expire(e)
			}
			deleted += expired
			if live := sampled - expired; live > 0 {
				avg := ttlSum / int64(live)
				if db.AvgTTL == 0 {
					db.AvgTTL = avg
				} else {
					db.AvgTTL = (db.AvgTTL/50)*49 + avg/50
				}
			}
			if expired*4 <= sampled {
				break
			}
		}
	}
	return deleted
}

// RandomVolatile returns a random key with an expiry, or nil.
func (db *DB) RandomVolatile() *Entry {
	for e := range db.expires {
		return e
	}
	return nil
}
