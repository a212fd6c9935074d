// Package resp owns the Redis serialization protocol on both sides of a
// connection: the incremental parser of client requests (multibulk and inline,
// with Redis 7.0's limits and error texts), the reply writer for RESP2 and
// RESP3, and the reply reader used by clients, replication and tests.
//
// It sits at the bottom of the import graph: it imports only the standard
// library and nothing of ours, so every other package may use it.
package resp
