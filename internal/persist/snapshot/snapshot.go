package snapshot

import "shoal/internal/keyspace"

// Encoder writes one image format: the RDB file (internal/persist/rdb) or
// the AOF's command form (internal/persist/aof).
type Encoder interface {
	// Header appends what comes before the first database.
	Header(dst []byte) []byte
	// SelectDB appends the switch to database db, which holds size keys of
	// which expires have a TTL when the walk reaches it.
	SelectDB(dst []byte, db int, size, expires uint64) []byte
	// Record appends key e of the current database.
	Record(dst []byte, e *keyspace.Entry) ([]byte, error)
}

// Snapshot produces an image of a keyspace as it was when the snapshot
// began, in steps, while commands keep changing it (docs/DESIGN.md,
// "Snapshots without fork"). The caller holds the keyspace's lock around
// every call, and writes the bytes it takes between steps without the lock.
//
// The walk goes database by database with a SCAN cursor, claiming each key
// it encodes. The keyspace's snapshot hook hands over keys the walk has not
// reached just before they change or disappear: those of the database being
// walked go straight into the output, those of later databases wait in a
// per-database buffer that is emitted when the walk gets there. The caller
// appends any trailer (the RDB EOF marker and checksum) after the last
// step, as only it sees every byte.
type Snapshot struct {
	ks  *keyspace.Keyspace
	enc Encoder
	// hooked is false for a snapshot taken while the keyspace cannot
	// change (SAVE): it neither installs the hook nor claims keys, so it
	// can run while a background snapshot is active.
	hooked bool

	out   []byte
	later [][]byte
	db    int
	inDB  bool
	cur   uint64
	keys  int64
	err   error
	done  bool
}

// New begins a background snapshot of ks in enc's format: it writes the
// header and installs the keyspace hook. Only one background snapshot may
// be active at a time.
func New(ks *keyspace.Keyspace, enc Encoder) *Snapshot {
	s := newSnapshot(ks, enc)
	s.hooked = true
	ks.BeginSnapshot(s.saveEarly)
	return s
}

// NewFrozen begins a snapshot that the caller runs to completion
// without ever releasing the keyspace's lock (SAVE, SHUTDOWN, DEBUG
// RELOAD). It does not disturb an active background snapshot.
func NewFrozen(ks *keyspace.Keyspace, enc Encoder) *Snapshot {
	return newSnapshot(ks, enc)
}

func newSnapshot(ks *keyspace.Keyspace, enc Encoder) *Snapshot {
	s := &Snapshot{ks: ks, enc: enc, later: make([][]byte, len(ks.DBs))}
	s.out = enc.Header(s.out)
	return s
}

// saveEarly is the keyspace hook: e is about to change in db.
func (s *Snapshot) saveEarly(db *keyspace.DB, e *keyspace.Entry) {
	switch {
	case db.ID == s.db && s.inDB:
		s.out = s.record(s.out, e)
	case db.ID > s.db || (db.ID == s.db && !s.inDB):
		s.later[db.ID] = s.record(s.later[db.ID], e)
	}
	// A database already walked holds no unclaimed keys.
}

func (s *Snapshot) record(dst []byte, e *keyspace.Entry) []byte {
	out, err := s.enc.Record(dst, e)
	if err != nil {
		if s.err == nil {
			s.err = err
		}
		return dst
	}
	s.keys++
	return out
}

// Step walks about budget more keys and reports whether the walk is
// complete; after it is, the hook is gone and Take returns the remaining
// bytes (without EOF).
func (s *Snapshot) Step(budget int) bool {
	for !s.done && budget > 0 {
		if s.db >= len(s.ks.DBs) {
			s.finish()
			break
		}
		db := s.ks.DBs[s.db]
		if !s.inDB {
			s.inDB = true
			if db.Len() == 0 && len(s.later[s.db]) == 0 {
				s.nextDB()
				continue
			}
			s.out = s.enc.SelectDB(s.out, s.db, uint64(db.Len()), uint64(db.ExpiresLen()))
			s.out = append(s.out, s.later[s.db]...)
			s.later[s.db] = nil
			if db.Len() == 0 {
				s.nextDB()
				continue
			}
		}
		s.cur = db.Scan(s.cur, func(e *keyspace.Entry) {
			if !s.hooked || s.ks.Claim(e) {
				s.out = s.record(s.out, e)
				budget--
			}
		})
		budget--
		if s.cur == 0 {
			s.nextDB()
		}
	}
	return s.done
}

func (s *Snapshot) nextDB() {
	s.db++
	s.inDB = false
	s.cur = 0
}

func (s *Snapshot) finish() {
	s.done = true
	if s.hooked {
		s.ks.EndSnapshot()
	}
}

// Abort stops the snapshot early (BGSAVE killed, FLUSHALL): the hook is
// removed and the partial output should be discarded.
func (s *Snapshot) Abort() {
	if !s.done {
		s.finish()
	}
}

// Take returns the bytes produced since the last Take. It hands over the
// snapshot's buffer and keeps buf (emptied) for the next step, so two
// buffers alternate between the lock holder and the writer.
func (s *Snapshot) Take(buf []byte) []byte {
	out := s.out
	s.out = buf[:0]
	return out
}

// Pending is the number of bytes produced and not yet taken.
func (s *Snapshot) Pending() int { return len(s.out) }

// Buffered is the memory the snapshot holds in encoded records not yet
// taken, which maxmemory must not count (as Redis does not count a
// child's copy-on-write pages).
func (s *Snapshot) Buffered() int {
	n := cap(s.out)
	for _, b := range s.later {
		n += cap(b)
	}
	return n
}

// Keys is the number of keys recorded so far.
func (s *Snapshot) Keys() int64 { return s.keys }

// Err is the first encoding error met, if any; the image is then unusable.
func (s *Snapshot) Err() error { return s.err }
