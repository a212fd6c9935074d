package integration

import (
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestProtoMaxBulkLenReachesOpenConnections: CONFIG SET proto-max-bulk-len
// applies to a connection opened before it, as on Redis: a 2 MB bulk after
// lowering the limit to 1 MB is a protocol error that closes the client.
func TestProtoMaxBulkLenReachesOpenConnections(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		old := testutil.Dial(t, addr)
		old.Do("PING")
		admin := testutil.Dial(t, addr)
		var out []string
		out = append(out, string(admin.Do("CONFIG", "SET", "proto-max-bulk-len", "1mb")))
		old.Send("SET", "k", strings.Repeat("x", 2<<20))
		b, err := old.TryReadReply(5 * time.Second)
		out = append(out, string(b))
		out = append(out, strings.Repeat("closed", boolInt(err == nil && closedByPeer(old, 5*time.Second))))
		out = append(out, string(admin.Do("EXISTS", "k")))
		return strings.Join(out, "|")
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestModuleCommandEnabled: where enable-module-command allows MODULE, a
// load of a library that cannot be loaded and an unload of a module never
// loaded fail as on Redis.
func TestModuleCommandEnabled(t *testing.T) {
	sameOnBoth(t, []string{"--enable-module-command", "yes"}, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var out []string
		for _, cmd := range [][]string{
			{"MODULE", "LOAD", "/nonexistent/module.so"},
			{"MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a", "b"},
			{"MODULE", "UNLOAD", "nosuch"},
			{"MODULE", "LIST"},
		} {
			out = append(out, string(c.Do(cmd...)))
		}
		return strings.Join(out, "|")
	})
}
