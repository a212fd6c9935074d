// Package types holds Shoal's value types, one file per type as Redis's
// t_*.c: each hides its compact and large encodings behind one API that the
// command handlers use. number.go parses and formats numbers exactly as
// Redis does. It imports the encodings only: never the keyspace, the
// network, the operating system or the clock (time is passed in).
package types
