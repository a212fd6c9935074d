// Package keyspace owns Shoal's databases: the hash tables that map keys to
// values, per-key expiry (lazy on access and the active expire cycle), the
// per-slot index used by the cluster, and the WATCH and blocking bookkeeping
// that hangs off keys.
//
// It imports internal/types and the encodings, never the network, the
// operating system or the wall clock: the current time is passed in by the
// caller (the dispatcher snapshots it once per command).
package keyspace
