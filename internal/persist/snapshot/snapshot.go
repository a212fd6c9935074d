package snapshot

import (
	"runtime"
	"sync"
	"sync/atomic"

	"shoal/internal/keyspace"
)

// Encoder writes one image format: the RDB file (internal/persist/rdb) or
// the AOF's command form (internal/persist/aof).
type Encoder interface {
	// Header appends what comes before the first database.
	Header(dst []byte) []byte
	// SelectDB appends the switch to database db, which holds size keys of
	// which expires have a TTL when the walk reaches it.
	SelectDB(dst []byte, db int, size, expires uint64) []byte
	// Record appends key e of the current database. It may run without
	// the keyspace's lock, on a copy of the entry whose value no write
	// touches meanwhile, concurrently with calls under the lock: it must
	// read nothing else that changes.
	Record(dst []byte, e *keyspace.Entry) ([]byte, error)
}

// Snapshot produces an image of a keyspace as it was when the snapshot
// began, in steps, while commands keep changing it (docs/DESIGN.md,
// "Snapshots without fork"). The caller holds the keyspace's lock around
// every call but Encode, and writes the bytes between steps without it.
//
// Under the lock a step only claims keys: it marks them in flight and
// notes their access clocks (which reads change without the hook). Encode
// then encodes them without the lock, where the cost is (reading every key
// and value, compressing); a write that reaches a key in flight meanwhile
// waits for Encode to finish, so what it encodes is the key as claimed.
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
	walk  *keyspace.SnapshotWalk
	keys  atomic.Int64
	err   error
	done  bool

	// batch holds the entries the last step claimed, for Encode; encMu
	// is held from that step until Encode has encoded them (the keyspace's
	// wait function waits on it). encErr is Encode's first error.
	batch    []claimed
	encoding bool
	encMu    sync.Mutex
	encErr   error
	// touched keeps Encode's prefetching loads alive.
	touched byte
	// scratch is the copy of an entry Encode hands to the encoder: one
	// reused value, since a copy per key (it escapes through the Encoder
	// interface) allocated as much as the keyspace's entries themselves
	// during a walk, and the GC cycle it brought on slowed every client.
	scratch keyspace.Entry
}

// encodeAhead is how many claimed keys ahead Encode touches.
const encodeAhead = 4

// encodeYieldKeys is how many keys Encode encodes between yields of its
// processor: an event loop coming back from epoll_wait while every
// processor is busy waits in the run queue until one yields.
const encodeYieldKeys = 32

// claimed is a key claimed by a step: its entry, and its access clock as
// it was then.
type claimed struct {
	e   *keyspace.Entry
	lru uint32
}

// New begins a background snapshot of ks in enc's format: it writes the
// header and installs the keyspace hook. Only one background snapshot may
// be active at a time.
func New(ks *keyspace.Keyspace, enc Encoder) *Snapshot {
	s := newSnapshot(ks, enc)
	s.hooked = true
	ks.BeginSnapshot(s.saveEarly, s.waitEncode)
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
	s.keys.Add(1)
	return out
}

// waitEncode returns once Encode no longer reads the keys claimed.
func (s *Snapshot) waitEncode() {
	s.encMu.Lock()
	s.encMu.Unlock()
}

// Step walks about budget more keys and reports whether the walk is
// complete; after it is, the hook is gone and Take returns the remaining
// bytes (without EOF). The keys a background snapshot's step claims are
// encoded by Encode, which the caller must call after Take and before the
// next step, without the lock; a step's claimed keys all belong to the
// database Take's bytes end in.
func (s *Snapshot) Step(budget int) bool {
	visit := func(e *keyspace.Entry) {
		switch {
		case !s.hooked:
			s.out = s.record(s.out, e)
			budget--
		case s.ks.Claim(e):
			s.batch = append(s.batch, claimed{e, e.LRU})
			budget--
		}
	}
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
			s.walk = db.NewSnapshotWalk()
		}
		complete := s.walk.Next(1, visit)
		budget--
		if complete {
			s.nextDB()
			if len(s.batch) > 0 {
				// The next database's SELECTDB comes after these keys.
				break
			}
		}
	}
	if len(s.batch) > 0 {
		s.encMu.Lock()
		s.encoding = true
	}
	return s.done
}

// Encode appends the records of the keys the last step claimed to dst.
// It runs without the keyspace's lock.
func (s *Snapshot) Encode(dst []byte) []byte {
	if !s.encoding {
		return dst
	}
	var touched byte
	for i, c := range s.batch {
		if i%encodeYieldKeys == encodeYieldKeys-1 {
			runtime.Gosched()
		}
		// Touch the key and value of an entry a few ahead, so that their
		// cache misses overlap with this one's encoding.
		if i+encodeAhead < len(s.batch) {
			a := s.batch[i+encodeAhead].e
			if len(a.Key) > 0 {
				touched += a.Key[0]
			}
			if len(a.Str) > 0 {
				touched += a.Str[0]
			}
		}
		// A copy without the fields a read may change meanwhile (the
		// access clock, the table's links).
		e := c.e
		s.scratch = keyspace.Entry{Key: e.Key, Str: e.Str, Obj: e.Obj, Expire: e.Expire, LRU: c.lru, Type: e.Type, Enc: e.Enc}
		out, err := s.enc.Record(dst, &s.scratch)
		if err != nil {
			if s.encErr == nil {
				s.encErr = err
			}
			continue
		}
		dst = out
		s.keys.Add(1)
	}
	s.touched += touched
	s.scratch = keyspace.Entry{}
	clear(s.batch)
	s.batch = s.batch[:0]
	s.encoding = false
	s.encMu.Unlock()
	return dst
}

func (s *Snapshot) nextDB() {
	s.db++
	s.inDB = false
	s.walk = nil
}

func (s *Snapshot) finish() {
	s.done = true
	if s.hooked {
		s.waitEncode()
		s.ks.EndSnapshot()
	}
}

// Abort stops the snapshot early (BGSAVE killed, FLUSHALL): once Encode
// no longer reads keys the hook is removed, and the partial output should
// be discarded. It may be called while Encode runs, from another
// goroutine holding the lock.
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
func (s *Snapshot) Keys() int64 { return s.keys.Load() }

// Err is the first encoding error met, if any; the image is then unusable.
// The caller calls it with the lock held, after Encode.
func (s *Snapshot) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.encErr
}
