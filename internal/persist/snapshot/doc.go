// Package snapshot takes point-in-time images of a keyspace without
// stopping it and without fork (docs/DESIGN.md): BGSAVE, the AOF rewrite's
// base file and, later, a replica's full synchronisation all use it. The
// format of the image is an Encoder's business (RDB or AOF commands).
//
// It imports internal/keyspace only: no files, no clocks, no network. The
// caller holds the keyspace's lock around every call and moves the bytes
// to disk or socket without it.
package snapshot
