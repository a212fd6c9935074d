package keyspace

// Watcher is the WATCH state of one client: the keys it watches and whether
// one of them changed since (Redis's CLIENT_DIRTY_CAS).
type Watcher struct {
	Dirty bool
	keys  []watchedKey
}

type watchedKey struct {
	db  *DB
	key string
	// expired records that the key was already logically expired when
	// WATCH ran, so its deletion by expiry does not count as a change.
	expired bool
}

// Len is the number of keys w watches.
func (w *Watcher) Len() int { return len(w.keys) }

// Watching reports whether w watches any key.
func (w *Watcher) Watching() bool { return len(w.keys) > 0 }

// Watch adds key of db to w's watched keys.
func (db *DB) Watch(w *Watcher, key []byte) {
	k := unsafeString(key)
	for _, wk := range w.keys {
		if wk.db == db && wk.key == k {
			return
		}
	}
	ks := string(key)
	if db.watched == nil {
		db.watched = make(map[string][]*Watcher)
	}
	db.watched[ks] = append(db.watched[ks], w)
	e := db.FindString(ks)
	w.keys = append(w.keys, watchedKey{db: db, key: ks, expired: e != nil && db.Expired(e)})
}

// Unwatch forgets every key w watches and clears its dirty flag.
func (w *Watcher) Unwatch() {
	for _, wk := range w.keys {
		list := wk.db.watched[wk.key]
		for i, x := range list {
			if x == w {
				list = append(list[:i], list[i+1:]...)
				break
			}
		}
		if len(list) == 0 {
			delete(wk.db.watched, wk.key)
		} else {
			wk.db.watched[wk.key] = list
		}
	}
	w.keys = w.keys[:0]
	w.Dirty = false
}

// ExpiredSinceWatch reports whether a watched key that was live at WATCH
// time has logically expired since (Redis 7's isWatchedKeyExpired), which
// makes EXEC fail even if nobody deleted it yet.
func (w *Watcher) ExpiredSinceWatch() bool {
	for _, wk := range w.keys {
		if wk.expired {
			continue
		}
		if e := wk.db.FindString(wk.key); e != nil && wk.db.Expired(e) {
			return true
		}
	}
	return false
}

// Touched marks every client watching key as dirty (signalModifiedKey).
func (db *DB) Touched(key []byte) {
	if len(db.watched) == 0 {
		return
	}
	for _, w := range db.watched[unsafeString(key)] {
		w.Dirty = true
	}
}

// TouchedString is Touched for a string key.
func (db *DB) TouchedString(key string) { db.Touched([]byte(key)) }

// TouchAll marks watchers of db's keys dirty when the key exists in db or
// in other (FLUSHDB passes nil, SWAPDB the database swapped in), as
// touchAllWatchedKeysInDb.
func (db *DB) TouchAll(other *DB) {
	for key, ws := range db.watched {
		exists := db.FindString(key) != nil || (other != nil && other.FindString(key) != nil)
		if !exists {
			continue
		}
		for _, w := range ws {
			w.Dirty = true
		}
	}
}
