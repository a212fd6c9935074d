package keyspace

// Snapshots without fork (docs/DESIGN.md): a snapshot walks the keyspace in
// steps while commands keep running. To stay a point-in-time image it must
// see every key as it was when it began, so while one is active the
// keyspace calls its save function for a key just before the key can
// change: when a write command (anything not read-only) looks it up, and
// when it is deleted, flushed or swapped away. Each entry carries the epoch
// of the snapshot that last recorded it; keys created after the snapshot
// began carry the current epoch from birth and are never recorded.

// snapState is the active snapshot's hook, if any.
type snapState struct {
	epoch uint16
	save  func(db *DB, e *Entry)
}

// BeginSnapshot starts a snapshot: until EndSnapshot, save is called exactly
// once for every key that existed now, before that key is modified or
// removed, unless the snapshot's own walk claimed it first (Claim). save
// must not modify the keyspace.
func (ks *Keyspace) BeginSnapshot(save func(db *DB, e *Entry)) {
	ks.snap.epoch++
	if ks.snap.epoch == 0 {
		// The epoch wrapped: clear every mark so that no key still carries
		// the number the new snapshot will use.
		for _, db := range ks.DBs {
			db.Each(func(e *Entry) bool { e.snap = 0; return true })
		}
		ks.snap.epoch = 1
	}
	ks.snap.save = save
}

// EndSnapshot stops calling the active snapshot's save function.
func (ks *Keyspace) EndSnapshot() { ks.snap.save = nil }

// SnapshotActive reports whether a snapshot is in progress.
func (ks *Keyspace) SnapshotActive() bool { return ks.snap.save != nil }

// Claim marks e as recorded by the active snapshot and reports whether it
// was not yet, i.e. whether the caller must record it now.
func (ks *Keyspace) Claim(e *Entry) bool {
	if e.snap == ks.snap.epoch {
		return false
	}
	e.snap = ks.snap.epoch
	return true
}

// snapRecord hands e to the active snapshot unless it already has it.
func (ks *Keyspace) snapRecord(db *DB, e *Entry) {
	if e.snap != ks.snap.epoch {
		e.snap = ks.snap.epoch
		ks.snap.save(db, e)
	}
}

// snapRecordAll hands every key of db the active snapshot lacks to it,
// before the whole database changes at once (FLUSHDB, SWAPDB).
func (ks *Keyspace) snapRecordAll(db *DB) {
	if ks.snap.save == nil {
		return
	}
	db.Each(func(e *Entry) bool {
		ks.snapRecord(db, e)
		return true
	})
}
