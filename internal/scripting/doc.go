// Package scripting is Shoal's Lua engine, as Redis 7.0 embeds Lua 5.1:
// one gopher-lua interpreter state, the sandbox (protected globals, no os,
// io, require, loadfile or dofile), the EVAL script cache keyed by SHA1,
// FUNCTION libraries, the conversions between RESP replies and Lua values,
// and the libraries Redis loads (cjson, cmsgpack, bit, struct).
//
// It knows nothing of sockets or of the server: commands a script calls go
// through the Host interface, which returns the RESP reply bytes the
// command wrote. It imports resp and rerr only; never server, command or
// keyspace.
package scripting
