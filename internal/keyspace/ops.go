package keyspace

// Slotted reports whether the keyspace keeps one table per hash slot, that
// is whether the server runs in cluster mode.
func (ks *Keyspace) Slotted() bool { return ks.slotted }

// LookupWrite is Lookup for a command about to write key, as Redis 7.0's
// lookupKeyWrite: an expired key is deleted even on a replica (a writable
// replica's own writes may remove expired keys), so the caller may create
// key afresh.
func (db *DB) LookupWrite(key []byte) *Entry {
	e := db.FindString(unsafeString(key))
	if e == nil {
		return nil
	}
	if db.Expired(e) {
		db.expire(e)
		return nil
	}
	if db.ks.Touch != nil {
		db.ks.Touch(e)
	}
	return e
}

// Relocate moves the entry of key to newKey in database to (db itself for
// RENAME, another database for MOVE), keeping its value, encoding, expiry
// and access clock, as Redis moves the same object. newKey must be absent
// from to. It returns the moved entry, or nil when key does not exist.
func (db *DB) Relocate(key []byte, to *DB, newKey []byte) *Entry {
	e := db.unlink(unsafeString(key))
	if e == nil {
		return nil
	}
	if e.Key != unsafeString(newKey) {
		e.Key = string(newKey)
	}
	lru := e.LRU
	to.Insert(e)
	e.LRU = lru
	return e
}

// Size is the number of keys in all databases.
func (ks *Keyspace) Size() int {
	n := 0
	for _, db := range ks.DBs {
		n += db.count
	}
	return n
}
