package server

import "strings"

// Start-up warnings for directives Shoal accepts, so that a redis.conf
// written for Redis 7.0 loads unchanged, but cannot honour yet. Each
// directive set away from its default gets one warning line; a directive at
// its default says nothing, as it asks for nothing Shoal lacks.

// unimplementedFeature names the missing feature behind a directive, or ""
// when Shoal honours the directive.
func unimplementedFeature(name string) string {
	switch {
	case name == "replicaof" || name == "masterauth" || name == "masteruser" ||
		strings.HasPrefix(name, "repl-") || strings.HasPrefix(name, "replica-") ||
		strings.HasPrefix(name, "min-replicas-") || name == "shutdown-timeout" || name == "rdb-del-sync-files" ||
		name == "bind-source-addr":
		return "replication"
	case name == "busy-reply-threshold" || name == "lua-time-limit":
		return "scripting"
	case strings.HasPrefix(name, "cluster-"):
		return "cluster mode"
	case name == "enable-module-command":
		return "the MODULE command"
	}
	return ""
}

// ineffectiveReason says why a directive Shoal understands changes nothing
// in Shoal, or "".
func ineffectiveReason(name string) string {
	switch name {
	case "io-threads-do-reads":
		return "Shoal's I/O threads always read and parse their clients' commands"
	case "sanitize-dump-payload":
		return "Shoal always validates RESTORE and RDB payloads deeply"
	}
	return ""
}

// directiveWarnings returns the warning lines for the given non-default
// directives (config.Config.NonDefault), in that order.
func directiveWarnings(names []string) []string {
	var out []string
	for _, name := range names {
		if f := unimplementedFeature(name); f != "" {
			out = append(out, "WARNING: '"+name+"' is accepted for compatibility but has no effect yet: "+f+" is not implemented in this version.")
		} else if r := ineffectiveReason(name); r != "" {
			out = append(out, "WARNING: '"+name+"' has no effect: "+r+".")
		}
	}
	return out
}

// logDirectiveWarnings logs directiveWarnings for the loaded configuration.
func (s *Server) logDirectiveWarnings() {
	for _, w := range directiveWarnings(s.cfg.NonDefault()) {
		s.logf(logWarning, "%s", w)
	}
}
