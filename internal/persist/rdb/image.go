package rdb

import "shoal/internal/keyspace"

// Encoder writes a whole-keyspace image as an RDB file, for
// internal/persist/snapshot: the header with its aux fields, SELECTDB and
// RESIZEDB per database, one record per key. The EOF opcode and checksum
// are the writer's (AppendEOF), as only it sees every byte.
type Encoder struct {
	// Aux are the header's aux fields (redis-ver, ctime, aof-base...).
	Aux []Aux
	// Meta returns the eviction metadata to store with a key, or nil for
	// none.
	Meta func(e *keyspace.Entry) RecordMeta
	// Compress is rdbcompression.
	Compress bool
	// Functions are the function libraries' code, saved after the aux
	// fields as rdbSaveFunctions does.
	Functions [][]byte
}

// Header appends the magic, version, aux fields and function libraries.
func (en *Encoder) Header(dst []byte) []byte {
	dst = AppendHeader(dst, en.Aux, en.Compress)
	for _, code := range en.Functions {
		dst = AppendFunction(dst, code, en.Compress)
	}
	return dst
}

// SelectDB appends SELECTDB and the RESIZEDB sizing hint.
func (en *Encoder) SelectDB(dst []byte, db int, size, expires uint64) []byte {
	return AppendResizeDB(AppendSelectDB(dst, db), size, expires)
}

// Record appends one key with its expiry and metadata.
func (en *Encoder) Record(dst []byte, e *keyspace.Entry) ([]byte, error) {
	var m RecordMeta
	if en.Meta != nil {
		m = en.Meta(e)
	}
	return AppendRecord(dst, e, m, en.Compress)
}
