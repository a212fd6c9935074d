// Package command owns the command table and the handlers of the data
// commands. The table is declared once, in specs/*.json (one file per
// command, taken from Redis 7.0's COMMAND INFO and COMMAND DOCS), and
// generated into table_gen.go; arity, flags, key positions, COMMAND's
// replies and ACL categories are all read from it. Handlers are small
// functions over the keyspace, one file per group as Redis's t_*.c.
//
// It imports keyspace, types, resp, rerr and the encodings; never the
// network: sockets belong to internal/server, which registers the handlers
// of connection and server commands itself.
package command
