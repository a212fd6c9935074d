// Package aof owns the on-disk formats of Redis 7.0's multi-part append-only
// file: the manifest that lists the base, incremental and history files of
// an appenddirname directory (parsed and written byte for byte as Redis
// 7.0.15 does, error texts included), the file names Redis gives those
// files, and the command stream inside AOF files (RESP multibulk with '#'
// annotations), read the way loadSingleAppendOnlyFile reads it, truncation
// offsets included, and written the way catAppendOnlyGenericCommand writes
// it. rewrite.go writes a base file in command form (SET, RPUSH, SADD,
// ZADD, HMSET, XADD..., PEXPIREAT) for aof-use-rdb-preamble no, as an
// encoder for internal/persist/snapshot.
//
// It works on byte slices and the keyspace's values (it imports
// internal/keyspace, internal/types and internal/encoding). It must not import the server, the network
// or os (tests excepted): opening, writing, fsyncing, truncating and
// rewriting the files belong to the server, which calls into this package
// for every byte it reads or writes. Loading an RDB preamble belongs to
// persist/rdb; HasRDBPreamble only tells the server to hand the file there.
package aof
