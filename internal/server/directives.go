package server

import (
	"errors"
	"os"
	"strings"

	"shoal/internal/config"
)

// Start-up warnings for directives Shoal accepts, so that a redis.conf
// written for Redis 7.0 loads unchanged, but cannot honour yet. Each
// directive set away from its default gets one warning line; a directive at
// its default says nothing, as it asks for nothing Shoal lacks.

// unimplementedFeature names the missing feature behind a directive, or ""
// when Shoal honours the directive.
func unimplementedFeature(name string) string {
	switch {
	case name == "rdb-del-sync-files":
		return "deleting RDB files kept only for replication"
	case name == "replica-ignore-disk-write-errors":
		return "exempting replicas from disk errors"
	case name == "busy-reply-threshold" || name == "lua-time-limit":
		return "scripting"
	case name == "cluster-announce-tls-port":
		return "TLS"
	case name == "acl-pubsub-default" || name == "aclfile" || name == "acllog-max-len":
		return "ACL"
	case strings.HasPrefix(name, "active-defrag-"):
		// activedefrag itself cannot be turned on (the config refuses it
		// at runtime, as a Redis without its jemalloc does).
		return "active defragmentation"
	case strings.HasPrefix(name, "tls-"):
		return "TLS"
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
	case "crash-memcheck-enabled":
		return "Go manages memory; Shoal runs no memory test after a crash"
	case "ignore-warnings":
		return "Shoal has none of the kernel-bug start-up warnings it silences"
	case "bio_cpulist":
		return "Shoal's background I/O runs on goroutines that are not pinned"
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

// errNoTLS is CONFIG SET's reason for turning TLS on, Redis's when the
// TLS configuration cannot be applied.
var errNoTLS = errors.New("Unable to update TLS configuration. Check server logs.")

// registerDirectiveHooks makes CONFIG SET refuse to turn on TLS, which
// Shoal lacks (a Redis without certificates refuses it the same way), and
// makes aof-disable-auto-gc no delete the AOF history files at once, as
// Redis does. Main calls it at start-up.
func (s *Server) registerDirectiveHooks() {
	noTLS := func(c *config.Config) error {
		if c.TLSPort != 0 || c.TLSCluster || c.TLSReplication {
			s.logf(logWarning, "Failed to configure TLS: TLS is not implemented in this version.")
			return errNoTLS
		}
		return nil
	}
	for _, name := range []string{"tls-port", "tls-cluster", "tls-replication"} {
		s.cfg.OnApply(name, noTLS)
	}
	s.cfg.OnApply("aof-disable-auto-gc", func(c *config.Config) error {
		if !c.AOFDisableAutoGC {
			s.aofDelHistory()
		}
		return nil
	})
}

// aofDelHistory drops the history files from the AOF manifest and deletes
// them, unless aof-disable-auto-gc keeps them. Called with s.mu held.
func (s *Server) aofDelHistory() {
	a := &s.aof
	if s.cfg.AOFDisableAutoGC || a.manifest == nil || len(a.manifest.History) == 0 {
		return
	}
	next := a.manifest.Clone()
	old := next.TakeHistory()
	if s.writeManifest(next) != nil {
		return
	}
	a.manifest = next
	for _, f := range old {
		s.logf(logNotice, "Removing the history file %s in the background", f.Name)
		os.Remove(s.aofPath(f.Name))
	}
}
