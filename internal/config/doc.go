// Package config owns Shoal's server configuration: the declarative table of
// Redis 7.0 directives (names, aliases, types, ranges, defaults, mutability),
// loading a redis.conf file plus command-line overrides exactly as
// redis-server does, and the runtime operations behind CONFIG GET, CONFIG SET
// and CONFIG REWRITE.
//
// Values live in exported fields of Config so hot paths read them without a
// lookup or allocation; the table maps directive names to those fields.
// Error texts (fatal config file errors and CONFIG SET replies) are spelled as
// redis-server 7.0.15 spells them.
//
// A Config is owned by the server's command executor: its methods and fields
// are not safe for concurrent use, as Redis's own config is only touched from
// the main thread.
//
// It imports only the standard library, internal/resp (SplitArgs, for
// Redis's config line quoting) and internal/glob (CONFIG GET patterns); it
// must not import anything above it (server, command, keyspace, persist...).
package config
