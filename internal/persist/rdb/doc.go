// Package rdb owns Redis's RDB object serialization (RDB version 10, as
// Redis 7.0 writes it): the length and string primitives (integer and LZF
// forms included), the body of every value type, and the DUMP payload that
// wraps one object with the RDB version and a CRC-64. DUMP/RESTORE use it
// directly. It also owns the whole-file layer of dump.rdb and the AOF
// preamble: the Append* writers for the header, aux fields, functions,
// SELECTDB, RESIZEDB, records and EOF with its CRC-64, and Load.
//
// Decoding treats its input as hostile: every length is checked against
// the bytes that remain before anything is allocated for it, every
// embedded listpack, intset, ziplist and stream node is validated deeply,
// and malformed input yields ErrBadFormat, never a panic.
//
// It imports internal/keyspace, internal/types and internal/encoding; it
// must not import internal/command, internal/server, the network or the
// operating system.
package rdb
