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

// Touched reports a change of key to OnModified, then marks every client
// watching key as dirty (signalModifiedKey), except where the key had
// already expired when it was watched and is now gone: its deletion
// changes nothing logically (touchWatchedKey).
func (db *DB) Touched(key []byte) {
	if db.ks.OnModified != nil {
		db.ks.OnModified(db, key)
	}
	if len(db.watched) == 0 {
		return
	}
	k := unsafeString(key)
	ws := db.watched[k]
	if len(ws) == 0 {
		return
	}
	gone := db.FindString(k) == nil
	for _, w := range ws {
		if wk := w.find(db, k); wk != nil && wk.expired {
			if gone {
				wk.expired = false
				continue
			}
		}
		w.Dirty = true
	}
}

// find returns w's record of key in db, or nil.
func (w *Watcher) find(db *DB, key string) *watchedKey {
	for i := range w.keys {
		if w.keys[i].db == db && w.keys[i].key == key {
			return &w.keys[i]
		}
	}
	return nil
}

// TouchedString is Touched for a string key.
func (db *DB) TouchedString(key string) { db.Touched([]byte(key)) }

// TouchAll marks watchers of db's keys dirty before db is emptied (FLUSHDB
// passes nil) or its contents replaced by other's (SWAPDB), as
// touchAllWatchedKeysInDb: a key that exists on either side changes,
// except that an expired key deleted or replaced by an expired key changes
// nothing, and a missing key replaced by an expired one becomes an expired
// watched key.
func (db *DB) TouchAll(other *DB) {
	for key, ws := range db.watched {
		inDB := db.FindString(key) != nil
		var repl *Entry
		if other != nil {
			repl = other.FindString(key)
		}
		if !inDB && repl == nil {
			continue
		}
		for _, w := range ws {
			wk := w.find(db, key)
			switch {
			case wk != nil && wk.expired && repl == nil:
				wk.expired = false
				continue
			case wk != nil && wk.expired && other.Expired(repl):
				continue
			case wk != nil && !wk.expired && !inDB && other.Expired(repl):
				wk.expired = true
				continue
			}
			w.Dirty = true
		}
	}
}
