package keyspace

import (
	"unsafe"

	"shoal/internal/encoding"
)

// Keyspace is the set of databases of one server plus the per-command
// context that lookups need (the command's time snapshot and whether this
// server may delete expired keys itself).
type Keyspace struct {
	DBs []*DB

	// Now is the time snapshot of the command being executed, in unix ms.
	// The dispatcher sets it once per command (once per EXEC or script).
	Now int64

	// Replica is true while this server replicates from a master: expired
	// keys then read as missing but are only deleted when the master says so.
	Replica bool

	// Loading is true while the server replays its AOF or loads an RDB:
	// nothing expires then, as in Redis, so the replay sees the dataset
	// the file describes whatever the wall clock says.
	Loading bool

	// MasterApplying is true while a replica runs a command of its
	// master's stream: keys its own clock calls expired still exist for
	// it, so the stream applies exactly (expireIfNeeded for server.master).
	MasterApplying bool

	// KeepExpired is true while writes are paused (CLIENT PAUSE): expired
	// keys then read as missing but stay until the pause ends, as on a
	// replica, so the dataset does not change under a paused failover.
	KeepExpired bool

	// CanResize is false while a snapshot prefers tables not to rehash.
	CanResize bool

	// snap is the active snapshot's state (snapshot.go).
	snap snapState

	// mem is the dataset accounting's pending notes (memory.go).
	mem memAcct

	// OnExpire is called after a key was removed because it expired, so the
	// server can propagate a DEL and send the "expired" notification.
	OnExpire func(db *DB, key string)

	// OnSetExpire is called after a key got an expiry (a writable
	// replica tracks the keys its own clients gave one).
	OnSetExpire func(db *DB, e *Entry)

	// OnDelete is called after a key was removed (deleted, expired,
	// renamed away), and OnFlush after a database was emptied, so clients
	// blocked on those keys can be answered (XREADGROUP's UNBLOCKED).
	OnDelete func(db *DB, key string)
	OnFlush  func(db *DB)

	// Rand returns a uniform random number in [0, n); injected so tests
	// are reproducible.
	Rand func(n uint64) uint64

	// LRUClock returns the current LRU clock for new and touched keys.
	LRUClock func() uint32

	// Touch is called for every key a command reads or writes, and tells
	// the eviction policy about the access (LRU clock or LFU counter).
	Touch func(e *Entry)

	// ReadCommand is set by the dispatcher while a read-only command runs:
	// only its lookups count as keyspace hits and misses, as lookupKeyRead.
	ReadCommand bool
	// Hits and Misses are keyspace_hits and keyspace_misses.
	Hits, Misses int64
	// OnMiss is called when a read-only command finds no key (the
	// "keymiss" notification).
	OnMiss func(db *DB, key []byte)
	// OnModified is called by Touched for every key a write, an expiry or
	// an eviction changes (signalModifiedKey), before watchers are
	// dirtied; the server's client-side caching invalidates it. Nil while
	// nobody listens, so a write costs one branch.
	OnModified func(db *DB, key []byte)

	slotted bool
}

// New makes a keyspace of n databases. In cluster mode every database
// keeps one table per hash slot, so a slot's keys can be counted and listed
// without scanning the others.
func New(n int, cluster bool, rnd func(uint64) uint64) *Keyspace {
	ks := &Keyspace{Rand: rnd, CanResize: true, slotted: cluster}
	ks.LRUClock = func() uint32 { return 0 }
	for i := 0; i < n; i++ {
		ks.DBs = append(ks.DBs, newDB(ks, i))
	}
	return ks
}

// DB is one numbered database.
type DB struct {
	ID      int
	ks      *Keyspace
	tables  []*dict
	count   int
	expires map[*Entry]struct{}
	// slotCounts is a Fenwick tree over per-slot key counts (cluster mode),
	// so RANDOMKEY and SCAN can find non-empty slots in O(log n).
	slotCounts []int64

	watched map[string][]*Watcher
	// bytes is what the linked entries take (memory.go).
	bytes int64
	// AvgTTL is the running average TTL of sampled keys, for INFO keyspace.
	AvgTTL int64
}

func newDB(ks *Keyspace, id int) *DB {
	db := &DB{ID: id, ks: ks, expires: make(map[*Entry]struct{})}
	db.initTables()
	return db
}

func (db *DB) initTables() {
	n := 1
	if db.ks.slotted {
		n = ClusterSlots
		db.slotCounts = make([]int64, n+1)
	}
	db.tables = make([]*dict, n)
	db.count = 0
}

// Keyspace returns the keyspace db belongs to.
func (db *DB) Keyspace() *Keyspace { return db.ks }

// unsafeString views b as a string without copying, for lookups that do not
// keep the key.
func unsafeString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (db *DB) slotOf(key string) int {
	if !db.ks.slotted {
		return 0
	}
	return encoding.KeyHashSlotString(key)
}

func (db *DB) table(key string) *dict { return db.tables[db.slotOf(key)] }

// Len is the number of keys, including expired keys not yet deleted (as
// DBSIZE counts).
func (db *DB) Len() int { return db.count }

// ExpiresLen is the number of keys with an expiry.
func (db *DB) ExpiresLen() int { return len(db.expires) }

// Find returns the entry for key without looking at its expiry and without
// touching its access time (for internal use: WATCH, snapshots, DEBUG).
func (db *DB) Find(key []byte) *Entry {
	return db.FindString(unsafeString(key))
}

// FindString is Find for a string key.
func (db *DB) FindString(key string) *Entry {
	d := db.table(key)
	if d == nil {
		return nil
	}
	e := d.find(key)
	if e != nil && !db.ks.ReadCommand {
		// A write may change e: note it for the dataset accounting, and
		// let a running snapshot copy it first.
		db.ks.noteWrite(db, e)
		if db.ks.snap.save != nil {
			db.ks.snapRecord(db, e)
		}
	}
	return e
}

// Expired reports whether e's time has passed at the command's time.
func (db *DB) Expired(e *Entry) bool {
	return e.Expire != 0 && e.Expire <= db.ks.Now && !db.ks.Loading && !db.ks.MasterApplying
}

// Lookup returns the live entry for key, or nil. An expired key is deleted
// here (lazy expiry) unless this server is a replica, where it only reads
// as missing. The access is recorded for the eviction policy.
func (db *DB) Lookup(key []byte) *Entry {
	e := db.FindString(unsafeString(key))
	if e != nil && db.Expired(e) {
		if db.mayExpire() {
			db.expire(e)
		}
		e = nil
	}
	if e == nil {
		if db.ks.ReadCommand {
			db.ks.Misses++
			if db.ks.OnMiss != nil {
				db.ks.OnMiss(db, key)
			}
		}
		return nil
	}
	if db.ks.ReadCommand {
		db.ks.Hits++
	}
	if db.ks.Touch != nil {
		db.ks.Touch(e)
	}
	return e
}

// LookupNoTouch is Lookup without recording the access (OBJECT, TYPE with
// no-touch, SCAN filters...).
func (db *DB) LookupNoTouch(key []byte) *Entry {
	e := db.FindString(unsafeString(key))
	if e == nil {
		return nil
	}
	if db.Expired(e) {
		if db.mayExpire() {
			db.expire(e)
		}
		return nil
	}
	return e
}

// mayExpire reports whether a lookup may delete an expired key: not while
// writes are paused, and on a replica only for a write command of its own
// client (a writable replica; lookupKey's LOOKUP_WRITE), the master
// deleting keys otherwise.
func (db *DB) mayExpire() bool {
	return !db.ks.KeepExpired && (!db.ks.Replica || !db.ks.ReadCommand)
}

// expire deletes an expired entry and reports it to the server.
func (db *DB) expire(e *Entry) {
	key := e.Key
	db.unlink(key)
	if db.ks.OnExpire != nil {
		db.ks.OnExpire(db, key)
	}
}

// Add creates a new key (which must not exist) and returns its entry for
// the caller to fill. The key bytes are copied.
func (db *DB) Add(key []byte, typ uint8) *Entry {
	e := &Entry{Key: string(key), Type: typ}
	db.Insert(e)
	return e
}

// Insert links a prepared entry whose key is absent.
func (db *DB) Insert(e *Entry) {
	slot := db.slotOf(e.Key)
	d := db.tables[slot]
	if d == nil {
		d = newDict()
		db.tables[slot] = d
	}
	db.link(slot, d, e, hashKey(e.Key))
}

// AddNew creates key with type typ and returns its entry, or returns nil
// when the key exists: Find and Add with one hash computation, for
// loading a dataset.
func (db *DB) AddNew(key []byte, typ uint8) *Entry {
	slot := db.slotOf(unsafeString(key))
	d := db.tables[slot]
	if d == nil {
		d = newDict()
		db.tables[slot] = d
	}
	h := hashKey(unsafeString(key))
	if d.findHash(unsafeString(key), h) != nil {
		return nil
	}
	e := &Entry{Key: string(key), Type: typ}
	db.link(slot, d, e, h)
	return e
}

// Expand sizes an empty database's table for n keys before they are
// loaded (RESIZEDB, as rdbLoad's dictExpand), so that loading does not
// rehash. Cluster mode's per-slot tables grow as usual.
func (db *DB) Expand(n int) {
	if db.ks.slotted || db.count != 0 || n <= 0 {
		return
	}
	d := newDict()
	d.resize(n)
	db.tables[0] = d
}

func (db *DB) link(slot int, d *dict, e *Entry, h uint64) {
	if db.ks.LRUClock != nil {
		e.LRU = db.ks.LRUClock()
	}
	e.snap = db.ks.snap.epoch
	db.ks.noteLinked(db, e)
	d.addHash(e, h, db.ks.CanResize)
	db.count++
	if db.slotCounts != nil {
		db.fenwickAdd(slot, 1)
	}
	if e.Expire != 0 {
		db.expires[e] = struct{}{}
	}
}

// Delete removes key and reports whether it existed (expired or not).
func (db *DB) Delete(key []byte) bool {
	return db.unlink(unsafeString(key)) != nil
}

// unlink removes the entry for key and returns it.
func (db *DB) unlink(key string) *Entry {
	slot := db.slotOf(key)
	d := db.tables[slot]
	if d == nil {
		return nil
	}
	e := d.remove(key)
	if e == nil {
		return nil
	}
	if db.ks.snap.save != nil {
		db.ks.snapRecord(db, e)
	}
	db.count--
	db.ks.forget(db, e)
	if db.slotCounts != nil {
		db.fenwickAdd(slot, -1)
	}
	if e.Expire != 0 {
		delete(db.expires, e)
	}
	if db.ks.CanResize {
		d.shrinkIfNeeded()
	}
	if db.ks.OnDelete != nil {
		db.ks.OnDelete(db, key)
	}
	return e
}

// Unlink removes key and returns its entry (for RENAME, MOVE, COPY ...).
func (db *DB) Unlink(key []byte) *Entry { return db.unlink(unsafeString(key)) }

// SetExpire sets e's absolute expiry in ms (0 removes it).
func (db *DB) SetExpire(e *Entry, when int64) {
	if when == 0 {
		db.Persist(e)
		return
	}
	if e.Expire == 0 {
		db.expires[e] = struct{}{}
	}
	e.Expire = when
	if db.ks.OnSetExpire != nil {
		db.ks.OnSetExpire(db, e)
	}
}

// Persist removes e's expiry and reports whether it had one.
func (db *DB) Persist(e *Entry) bool {
	if e.Expire == 0 {
		return false
	}
	delete(db.expires, e)
	e.Expire = 0
	return true
}

// Flush empties the database.
func (db *DB) Flush() {
	db.ks.snapRecordAll(db)
	if db.ks.OnFlush != nil {
		db.ks.OnFlush(db)
	}
	db.ks.Settle()
	db.bytes = 0
	db.initTables()
	db.expires = make(map[*Entry]struct{})
	db.AvgTTL = 0
}

// Swap exchanges the contents of two databases (SWAPDB). Watchers stay
// with their database numbers, as in Redis.
func (db *DB) Swap(other *DB) {
	db.ks.snapRecordAll(db)
	db.ks.snapRecordAll(other)
	db.ks.Settle()
	db.bytes, other.bytes = other.bytes, db.bytes
	db.tables, other.tables = other.tables, db.tables
	db.count, other.count = other.count, db.count
	db.expires, other.expires = other.expires, db.expires
	db.slotCounts, other.slotCounts = other.slotCounts, db.slotCounts
	db.AvgTTL, other.AvgTTL = other.AvgTTL, db.AvgTTL
}

// fenwickAdd adds delta to slot's count.
func (db *DB) fenwickAdd(slot int, delta int64) {
	for i := slot + 1; i < len(db.slotCounts); i += i & -i {
		db.slotCounts[i] += delta
	}
}

// fenwickFind returns the slot holding the k-th key (0-based).
func (db *DB) fenwickFind(k int64) int {
	pos := 0
	n := len(db.slotCounts) - 1
	for step := 1 << 14; step > 0; step >>= 1 {
		if next := pos + step; next <= n && db.slotCounts[next] <= k {
			pos = next
			k -= db.slotCounts[next]
		}
	}
	return pos
}

// CountInSlot is CLUSTER COUNTKEYSINSLOT.
func (db *DB) CountInSlot(slot int) int {
	if !db.ks.slotted {
		return 0
	}
	if d := db.tables[slot]; d != nil {
		return d.len()
	}
	return 0
}

// KeysInSlot calls fn for up to max keys of slot (CLUSTER GETKEYSINSLOT).
func (db *DB) KeysInSlot(slot, max int, fn func(key string)) {
	if !db.ks.slotted || max <= 0 {
		return
	}
	d := db.tables[slot]
	if d == nil {
		return
	}
	n := 0
	d.each(func(e *Entry) bool {
		fn(e.Key)
		n++
		return n < max
	})
}

// RandomEntry returns a random key's entry, or nil when the db is empty.
// Expired keys may be returned; the caller deals with them as RANDOMKEY does.
func (db *DB) RandomEntry() *Entry {
	if db.count == 0 {
		return nil
	}
	d := db.tables[0]
	if db.slotCounts != nil {
		d = db.tables[db.fenwickFind(int64(db.ks.Rand(uint64(db.count))))]
	}
	return d.randomEntry(db.ks.Rand)
}

// Each calls fn for every entry (expired ones included) until it returns
// false. fn must not add or delete keys.
func (db *DB) Each(fn func(e *Entry) bool) {
	for _, d := range db.tables {
		if d != nil && !d.each(fn) {
			return
		}
	}
}

// slotBits is the number of low cursor bits that hold the slot in cluster
// mode, as Redis 7.2's kvstore cursors do.
const slotBits = 14

// Scan visits one step of a SCAN iteration starting at cursor and returns
// the next cursor (0 when done). fn may delete the entry it is given.
func (db *DB) Scan(cursor uint64, fn func(e *Entry)) uint64 {
	if !db.ks.slotted {
		d := db.tables[0]
		if d == nil {
			return 0
		}
		return d.scan(cursor, fn)
	}
	slot := int(cursor & (1<<slotBits - 1))
	v := cursor >> slotBits
	for slot < len(db.tables) {
		d := db.tables[slot]
		if d == nil || d.len() == 0 {
			slot = db.nextNonEmptySlot(slot + 1)
			v = 0
			continue
		}
		v = d.scan(v, fn)
		if v == 0 {
			slot = db.nextNonEmptySlot(slot + 1)
			if slot >= len(db.tables) {
				return 0
			}
		}
		return v<<slotBits | uint64(slot)
	}
	return 0
}

// nextNonEmptySlot returns the first slot >= from with keys, or the slot
// count when there is none.
func (db *DB) nextNonEmptySlot(from int) int {
	if from >= len(db.tables) {
		return len(db.tables)
	}
	before := db.prefixCount(from)
	if before >= int64(db.count) {
		return len(db.tables)
	}
	return db.fenwickFind(before)
}

// prefixCount is the number of keys in slots [0, slot).
func (db *DB) prefixCount(slot int) int64 {
	var s int64
	for i := slot; i > 0; i -= i & -i {
		s += db.slotCounts[i]
	}
	return s
}

// ShrinkTables gives tables that fell under 10% fill a chance to shrink
// (called from the server's cron, as tryResizeHashTables).
func (db *DB) ShrinkTables() {
	for _, d := range db.tables {
		if d != nil {
			d.shrinkIfNeeded()
		}
	}
}

// RehashStep spends about one step of incremental rehashing on each table
// that is rehashing (activerehashing), and reports whether any was.
func (db *DB) RehashStep(n int) bool {
	any := false
	for _, d := range db.tables {
		if d != nil && d.rehashing() {
			d.rehashStep(n)
			any = true
		}
	}
	return any
}

// ClusterSlots is the number of hash slots of Redis Cluster.
const ClusterSlots = 16384
