package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shoal/internal/testutil"
)

// TestClusterMixedVote: elections across implementations. Three masters of
// one kind and a replica of the other kind under the first master; the
// master is killed with -9, and the replica must win the election with the
// votes of the two surviving masters (a majority of three needs both), so
// each of them must grant its vote exactly as the other implementation
// expects. Both directions: a redis-server 7.0 replica elected by Shoal
// masters, and a Shoal replica elected by redis-server masters.
func TestClusterMixedVote(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not on PATH")
	}
	for _, tc := range []struct {
		name            string
		masters, replic string
	}{
		{"redis-replica-shoal-masters", shoalBin, redisBin},
		{"shoal-replica-redis-masters", redisBin, shoalBin},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const timeout = 2000
			nodes := startNodesWithTimeout(t, timeout, tc.masters, tc.masters, tc.masters, tc.replic)
			masters, replica := nodes[:3], nodes[3]
			dumpOnFail(t, nodes)
			createCluster(t, masters, 0)
			victim := masters[0]
			victimID := nodeID(t, victim)
			out, err := redisCli(t, "--cluster", "add-node", replica.addr(), victim.addr(),
				"--cluster-slave", "--cluster-master-id", victimID)
			if err != nil || !strings.Contains(out, "[OK] New node added correctly.") {
				t.Fatalf("add-node: %v\n%s", err, out)
			}
			waitSameView(t, nodes, 1)

			// Keys in the victim's slots, replicated before the kill.
			ctx := context.Background()
			mc := redis.NewClient(&redis.Options{Addr: victim.addr()})
			defer mc.Close()
			keys := keysOwnedBy(t, victim, 50)
			for i, k := range keys {
				if err := mc.Set(ctx, k, i, 0).Err(); err != nil {
					t.Fatal(err)
				}
			}
			testutil.WaitFor(t, 20*time.Second, func() bool {
				n, err := mc.Do(ctx, "WAIT", 1, 100).Int()
				return err == nil && n == 1
			})

			killed := time.Now()
			victim.proc.Kill()
			testutil.WaitFor(t, 30*time.Second, func() bool { return isMaster(replica.addr()) })
			promoted := time.Since(killed)
			alive := nodes[1:]
			waitOneMasterPerSlot(t, alive)
			t.Logf("%s: replica promoted %v after kill -9 (node timeout %d ms)", tc.name, promoted.Round(time.Millisecond), timeout)

			// Both surviving masters voted, and the replica counted both votes.
			for _, m := range masters[1:] {
				if n := clusterInfoInt(t, m.addr(), "cluster_stats_messages_auth-ack_sent"); n < 1 {
					t.Errorf("master %s (%s) sent no vote", m.addr(), filepath.Base(m.bin))
				}
			}
			if n := clusterInfoInt(t, replica.addr(), "cluster_stats_messages_auth-ack_received"); n < 2 {
				t.Errorf("replica received %d votes, want 2", n)
			}
			// The new master owns the victim's slots with a bumped
			// configEpoch, in every survivor's view, and serves its keys.
			replicaID := nodeID(t, replica)
			for _, n := range alive {
				f := strings.Fields(nodesView(t, n.addr())[replicaID])
				if f[1] != "master" || f[3] == "0" || !strings.Contains(strings.Join(f[4:], " "), "0-5460") {
					t.Errorf("%s sees the new master as %q", n.addr(), f)
				}
			}
			rc := redis.NewClient(&redis.Options{Addr: replica.addr()})
			defer rc.Close()
			for i, k := range keys {
				if v, err := rc.Get(ctx, k).Int(); err != nil || v != i {
					t.Fatalf("GET %s on the new master = %d, %v", k, v, err)
				}
			}
			if err := rc.Set(ctx, keys[0], "after", 0).Err(); err != nil {
				t.Fatalf("write to the new master: %v", err)
			}
		})
	}
}

// startNodesWithTimeout starts one cluster node per binary with
// failoverConf at the given node timeout.
func startNodesWithTimeout(t *testing.T, timeout int, bins ...string) []*clusterNode {
	t.Helper()
	root := t.TempDir()
	nodes := make([]*clusterNode, len(bins))
	for i, bin := range bins {
		port := testutil.FreePort(t)
		dir := filepath.Join(root, strconv.Itoa(port))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "redis.conf"), fmt.Appendf(nil, failoverConf, port, timeout), 0o644); err != nil {
			t.Fatal(err)
		}
		nodes[i] = &clusterNode{bin: bin, dir: dir, port: port}
		nodes[i].start(t)
	}
	return nodes
}

// keysOwnedBy returns n keys whose slots the master n owns, as its own
// CLUSTER NODES line shows them.
func keysOwnedBy(t *testing.T, master *clusterNode, n int) []string {
	t.Helper()
	f := strings.Fields(nodesView(t, master.addr())[nodeID(t, master)])
	owned := func(slot int) bool {
		for _, r := range f[4:] {
			lo, hi, found := strings.Cut(r, "-")
			if !found {
				hi = lo
			}
			a, _ := strconv.Atoi(lo)
			b, _ := strconv.Atoi(hi)
			if slot >= a && slot <= b {
				return true
			}
		}
		return false
	}
	var keys []string
	for i := 0; len(keys) < n; i++ {
		k := "mixedvote:" + strconv.Itoa(i)
		if owned(int(keySlot(k))) {
			keys = append(keys, k)
		}
	}
	return keys
}

// clusterInfoInt returns one integer field of addr's CLUSTER INFO (0 when
// absent, as Redis omits message counters that are zero).
func clusterInfoInt(t *testing.T, addr, field string) int {
	t.Helper()
	c := testutil.Dial(t, addr)
	defer c.Close()
	n, _ := strconv.Atoi(infoStr(string(c.Do("CLUSTER", "INFO")), field))
	return n
}
