package keyspace

// Snapshots without fork (docs/DESIGN.md): a snapshot walks the keyspace in
// steps while commands keep running. To stay a point-in-time image it must
// see every key as it was when it began, so while one is active the
// keyspace calls its save function for a key just before the key can
// change: when a write command (anything not read-only) looks it up, and
// when it is deleted, flushed or swapped away. Each entry carries the epoch
// of the snapshot that last recorded it; keys created after the snapshot
// began carry the current epoch from birth and are never recorded.
//
// The walk encodes the keys it claims without the lock: a claimed key is
// marked in flight (epoch-1) until the walk's next step, and a write that
// reaches a key in flight first waits for the walk to finish encoding it.

// snapState is the active snapshot's hook, if any.
type snapState struct {
	// epoch is even: epoch-1 marks keys in flight.
	epoch uint16
	save  func(db *DB, e *Entry)
	wait  func()
}

// BeginSnapshot starts a snapshot: until EndSnapshot, save is called exactly
// once for every key that existed now, before that key is modified or
// removed, unless the snapshot's own walk claimed it first (Claim); for a
// key the walk claimed, wait is called instead, and must return once the
// walk no longer reads the key. Neither may modify the keyspace.
func (ks *Keyspace) BeginSnapshot(save func(db *DB, e *Entry), wait func()) {
	ks.snap.epoch += 2
	if ks.snap.epoch < 2 {
		// The epoch wrapped: clear every mark so that no key still carries
		// a number the new snapshot will use.
		for _, db := range ks.DBs {
			db.Each(func(e *Entry) bool { e.snap = 0; return true })
		}
		ks.snap.epoch = 2
	}
	ks.snap.save = save
	ks.snap.wait = wait
}

// EndSnapshot stops calling the active snapshot's functions. The walk
// must not be reading any key any more.
func (ks *Keyspace) EndSnapshot() { ks.snap.save, ks.snap.wait = nil, nil }

// SnapshotActive reports whether a snapshot is in progress.
func (ks *Keyspace) SnapshotActive() bool { return ks.snap.save != nil }

// Claim marks e as taken by the active snapshot's walk, which records it
// without the lock, and reports whether it was not recorded yet, i.e.
// whether the walk must record it. Until the walk's wait function returns,
// the keyspace does not let a write reach e.
func (ks *Keyspace) Claim(e *Entry) bool {
	if e.snap == ks.snap.epoch || e.snap == ks.snap.epoch-1 {
		return false
	}
	e.snap = ks.snap.epoch - 1
	return true
}

// snapRecord hands e to the active snapshot unless it already has it; a
// key the walk is encoding is waited for.
func (ks *Keyspace) snapRecord(db *DB, e *Entry) {
	switch e.snap {
	case ks.snap.epoch:
	case ks.snap.epoch - 1:
		ks.snap.wait()
		e.snap = ks.snap.epoch
	default:
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

// SnapshotWalk visits every key of a database for a snapshot, in steps
// between which the database may change. A table that neither rehashes
// nor is resized (the server keeps tables still while a snapshot runs, as
// Redis while it has a child) is walked in bucket order, which reads the
// bucket array sequentially; a rehashing table is walked with SCAN's
// reverse-binary cursor. Whenever a table changes under a linear walk the
// walk of that table starts over: keys may be visited more than once
// (Claim skips them), never missed.
type SnapshotWalk struct {
	db   *DB
	slot int
	// tab is the bucket array walked linearly, nil while scanning.
	tab []*Entry
	// pos is the next bucket (linear) or the SCAN cursor; started says
	// the current slot's table has been entered.
	pos     uint64
	started bool
	// touched keeps the prefetching loads alive.
	touched uint16
}

// walkAhead is how many buckets ahead a linear walk touches entries.
const walkAhead = 8

// NewSnapshotWalk starts a walk of db.
func (db *DB) NewSnapshotWalk() *SnapshotWalk { return &SnapshotWalk{db: db} }

// Next calls fn for the keys of about n more buckets and reports whether
// the walk is complete. fn must not modify the database.
func (w *SnapshotWalk) Next(n int, fn func(e *Entry)) bool {
	for n > 0 {
		if w.slot >= len(w.db.tables) {
			return true
		}
		d := w.db.tables[w.slot]
		if d == nil || d.len() == 0 {
			w.nextSlot()
			continue
		}
		if d.rehashing() {
			if !w.started || w.tab != nil {
				w.started, w.tab, w.pos = true, nil, 0
			}
			w.pos = d.scan(w.pos, fn)
			n--
			if w.pos == 0 {
				w.nextSlot()
			}
			continue
		}
		t := d.ht[0]
		if !w.started || w.tab == nil || len(w.tab) != len(t) || &w.tab[0] != &t[0] {
			w.started, w.tab, w.pos = true, t, 0
		}
		for ; n > 0 && w.pos < uint64(len(t)); w.pos++ {
			// Touch an entry a few buckets ahead, so that its cache miss
			// overlaps with the work on this one (a software prefetch).
			if ahead := w.pos + walkAhead; ahead < uint64(len(t)) {
				if p := t[ahead]; p != nil {
					w.touched += p.snap
				}
			}
			for e := t[w.pos]; e != nil; {
				next := e.next
				fn(e)
				e = next
			}
			n--
		}
		if w.pos == uint64(len(t)) {
			w.nextSlot()
		}
	}
	return false
}

func (w *SnapshotWalk) nextSlot() {
	w.slot++
	if w.db.ks.slotted {
		w.slot = w.db.nextNonEmptySlot(w.slot)
	}
	w.started, w.tab, w.pos = false, nil, 0
}
