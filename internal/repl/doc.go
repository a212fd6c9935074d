// Package repl holds the pure pieces of Redis's PSYNC replication
// (src/replication.c): the shared replication buffer and its backlog, the replication IDs and offsets, the
// partial-resync decision and the parsers of what a master sends a replica
// (the PSYNC answers, the RDB bulk's preamble and a diskless payload's end
// mark). It never touches a socket or a clock; internal/server drives it.
// It imports nothing of Shoal's.
package repl
