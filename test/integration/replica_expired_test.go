package integration

import (
	"os/exec"
	"strconv"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestReplicaLoadsExpiredKeys: a server restarted from an RDB file keeps
// the keys whose TTL has passed when it is a replica (its master's DELs
// remove them) and drops them when it is a master, as rdbLoad's iAmMaster
// check; once promoted, it expires them itself. redis-server 7.0 and
// shoal-server side by side. Redis's
// tests/cluster 14-consistency-check checks the same of a cluster replica.
func TestReplicaLoadsExpiredKeys(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	deadMaster := strconv.Itoa(testutil.FreePort(t))
	for _, bin := range []string{redisBin, shoalBin} {
		dir := t.TempDir()
		p, addr := testutil.StartServer(t, bin, "--dir", dir)
		c := testutil.Dial(t, addr)
		c.Do("SET", "live", "v")
		c.Do("SET", "gone", "v", "PX", "1")
		c.Do("SAVE")
		c.Close()
		p.Stop()
		// The restarted process loads the file well after gone's TTL.
		for _, tc := range []struct {
			role string
			args []string
			want string
		}{
			{"master", []string{"--dir", dir}, ":1\r\n"},
			{"replica", []string{"--dir", dir, "--replicaof", "127.0.0.1", deadMaster}, ":2\r\n"},
		} {
			p, addr := testutil.StartServer(t, bin, tc.args...)
			c := testutil.Dial(t, addr)
			if got := string(c.Do("DBSIZE")); got != tc.want {
				t.Errorf("%s restarted as a %s: DBSIZE %q, want %q", bin, tc.role, got, tc.want)
			}
			if tc.role == "replica" {
				// Promoted, it expires the key itself (active expiry:
				// DBSIZE does not look keys up).
				c.Do("REPLICAOF", "NO", "ONE")
				testutil.WaitFor(t, 10*time.Second, func() bool { return string(c.Do("DBSIZE")) == ":1\r\n" })
			}
			c.Close()
			p.Stop()
		}
	}
}
