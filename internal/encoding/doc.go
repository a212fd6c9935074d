// Package encoding owns the byte-level codecs Redis 7.0 uses on the wire, in
// RDB files and in DUMP payloads: CRC16 and hash slots (Redis Cluster),
// CRC64 (DUMP trailer, RDB checksum), LZF, listpack, intset and, for reading
// old payloads only, ziplist.
//
// Every decoder here accepts untrusted bytes: validation never panics and
// never allocates more than a bound derived from the input length.
//
// The package is pure: it imports only the standard library and nothing of
// ours.
package encoding
