package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/persist/rdb"
)

// RDBLimits are the encoding thresholds values read from an RDB image are
// fitted to (the current *-max-listpack-* configuration).
func (core *Core) RDBLimits() rdb.Limits { return dumpLimits(&core.Limits) }

// LoadKey creates key in db from a value read from an RDB file or an AOF
// base, with its absolute expiry in ms (0 for none) and the idle time or
// LFU frequency stored with it (-1 when absent). It reports false, and
// creates nothing, when the key already exists.
func (core *Core) LoadKey(db *keyspace.DB, key []byte, v rdb.Value, expireMs, idle, freq int64) bool {
	return LoadKeyAt(core.AccessClock(), db, key, v, expireMs, idle, freq)
}

// AccessClock is what a loaded key's access time is computed from: the
// eviction policy's kind and the clocks of the moment.
type AccessClock struct {
	LFU bool
	Now int64
	LRU uint32
}

// AccessClock reads the policy and the clocks now. A load that runs
// without the executor lock (a replica's load into temporary databases)
// takes it once, under the lock, and passes it to LoadKeyAt.
func (core *Core) AccessClock() AccessClock {
	return AccessClock{LFU: core.PolicyIsLFU(), Now: core.KS.Now, LRU: core.KS.LRUClock()}
}

// LoadKeyAt is LoadKey with the access clock given: it touches nothing but
// db, so it may run on databases no other goroutine sees.
func LoadKeyAt(clock AccessClock, db *keyspace.DB, key []byte, v rdb.Value, expireMs, idle, freq int64) bool {
	e := db.AddNew(key, v.Type)
	if e == nil {
		return false
	}
	if v.Type == keyspace.TypeString {
		e.Str = v.Str
		e.Enc = stringEnc(v.Str)
	} else {
		e.Obj = v.Obj
	}
	if expireMs != 0 {
		db.SetExpire(e, expireMs)
	}
	clock.setAccess(e, idle, freq)
	db.Keyspace().Settle()
	return true
}

// setAccess sets e's access clock from a stored idle time in seconds or LFU
// frequency (-1 when absent), as RESTORE's IDLETIME/FREQ and the RDB
// loader do: the one that matches the maxmemory policy is used.
func (clock AccessClock) setAccess(e *keyspace.Entry, idle, freq int64) {
	if clock.LFU {
		if freq >= 0 {
			e.LRU = uint32((clock.Now/60000)&65535)<<8 | uint32(freq)
		}
		return
	}
	if idle >= 0 {
		abs := int64(clock.LRU) - idle
		if abs < 0 {
			abs += lruClockMax
		}
		e.LRU = uint32(abs) & lruClockMax
	}
}

// alreadyExpired reports whether an absolute expiry time given to a write
// (EXPIREAT, SET PXAT, RESTORE) is already past, so the key is deleted
// instead (checkAlreadyExpired). Never on a replica, whose master decides,
// nor while loading, where the file's later commands still see the key.
func (c *Client) alreadyExpired(when int64) bool {
	return when <= c.Now() && !c.Core.KS.Replica && !c.Core.KS.Loading
}

// expiredDeleteArgv is what deleting key for a past expiry time propagates
// as: UNLINK under lazyfree-lazy-expire, DEL otherwise.
func (c *Client) expiredDeleteArgv(key []byte) [][]byte {
	if c.Core.Limits.LazyExpire {
		return [][]byte{argUNLINK, key}
	}
	return [][]byte{argDEL, key}
}
