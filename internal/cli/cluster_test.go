package cli_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shoal/internal/testutil"
)

// nodeBinaries are the servers the cluster tests run against, by name:
// Debian's redis-server and the shoal-server built for these tests, or
// only $SHOAL_CLI_NODE when it is set.
func nodeBinaries(t testing.TB) map[string]string {
	if b := os.Getenv("SHOAL_CLI_NODE"); b != "" {
		return map[string]string{"node": b}
	}
	bins := map[string]string{"shoal": filepath.Join(binDir, "shoal-server")}
	if b, err := exec.LookPath("redis-server"); err == nil {
		bins["redis"] = b
	}
	return bins
}

func startClusterNode(t testing.TB, bin string) string {
	_, addr := testutil.StartServer(t, bin,
		"--cluster-enabled", "yes",
		"--cluster-config-file", "nodes.conf",
		"--cluster-node-timeout", "5000")
	return addr
}

// cliOut runs a CLI with TERM=dumb (no colors) and returns stdout,
// stderr and the exit status.
func cliOut(t testing.TB, bin string, stdin string, args ...string) cliRun {
	return run(t, bin, []string{"TERM=dumb"}, stdin, args)
}

func clusterState(t testing.TB, addr string) string {
	c := testutil.Dial(t, addr)
	defer c.Close()
	b := c.Do("CLUSTER", "INFO")
	if m := regexp.MustCompile(`cluster_state:(\w+)`).FindSubmatch(b); m != nil {
		return string(m[1])
	}
	return ""
}

func waitClusterOK(t testing.TB, addrs []string) {
	testutil.WaitFor(t, 30*time.Second, func() bool {
		for _, a := range addrs {
			if clusterState(t, a) != "ok" {
				return false
			}
		}
		return true
	})
}

func myID(t testing.TB, addr string) string {
	c := testutil.Dial(t, addr)
	defer c.Close()
	_, elems, err := testutil.Elements(c.Do("CLUSTER", "MYID"))
	if err != nil || len(elems) != 1 {
		b := c.Do("CLUSTER", "MYID")
		// A bulk string: $40\r\n<id>\r\n
		parts := bytes.Split(b, []byte("\r\n"))
		return string(parts[1])
	}
	return string(elems[0])
}

func keySlot(t testing.TB, addr, key string) int {
	c := testutil.Dial(t, addr)
	defer c.Close()
	b := c.Do("CLUSTER", "KEYSLOT", key)
	n, _ := strconv.Atoi(strings.TrimSpace(string(b[1:])))
	return n
}

// TestClusterTool builds a 3+3 cluster with shoal-cli --cluster create and
// drives the admin tool, cluster mode and the error paths against it,
// comparing with Debian's redis-cli: once on shoal-server nodes, once on
// redis-server nodes. Each cluster is started once for all its subtests.
func TestClusterTool(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	for name, bin := range nodeBinaries(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clusterToolSuite(t, bin)
		})
	}
}

func clusterToolSuite(t *testing.T, bin string) {
	rcli := redisCli(t)
	var addrs []string
	for range 6 {
		addrs = append(addrs, startClusterNode(t, bin))
	}
	spare := []string{startClusterNode(t, bin), startClusterNode(t, bin)}

	t.Run("create", func(t *testing.T) {
		args := append([]string{"--cluster", "create"}, addrs...)
		args = append(args, "--cluster-replicas", "1", "--cluster-yes")
		r := cliOut(t, shoalCli(), "", args...)
		if r.code != 0 || !bytes.Contains(r.stdout, []byte("[OK] All 16384 slots covered.")) {
			t.Fatalf("create exited %d:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		for _, want := range []string{"Master[0] -> Slots 0 - 5460", "Master[1] -> Slots 5461 - 10922", "Master[2] -> Slots 10923 - 16383", ">>> Nodes configuration updated", "Waiting for the cluster to join"} {
			if !bytes.Contains(r.stdout, []byte(want)) {
				t.Errorf("create output lacks %q:\n%s", want, r.stdout)
			}
		}
		waitClusterOK(t, addrs)
		chk := cliOut(t, rcli, "", "--cluster", "check", addrs[0])
		if chk.code != 0 || bytes.Contains(chk.stdout, []byte("[ERR]")) || bytes.Contains(chk.stdout, []byte("[WARNING]")) {
			t.Fatalf("redis-cli --cluster check exited %d:\n%s", chk.code, chk.stdout)
		}
		if n := bytes.Count(chk.stdout, []byte("1 additional replica(s)")); n != 3 {
			t.Errorf("%d masters with one replica, want 3:\n%s", n, chk.stdout)
		}
	})
	if t.Failed() {
		return
	}

	t.Run("same-output", func(t *testing.T) {
		host, port, _ := strings.Cut(addrs[1], ":")
		for _, args := range [][]string{
			{"--cluster", "check", addrs[0]},
			{"--cluster", "info", host, port},
			{"--cluster", "call", addrs[0], "DBSIZE"},
			{"--cluster", "call", addrs[0], "CLUSTER", "MYID", "--cluster-only-masters"},
			{"--cluster", "call", addrs[0], "ROLE", "--cluster-only-replicas"},
			{"--cluster", "help"},
			{"--cluster", "rebalance", addrs[0]},
		} {
			want := cliOut(t, rcli, "", args...)
			got := cliOut(t, shoalCli(), "", args...)
			if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
				t.Errorf("%v:\nredis-cli (exit %d):\n%s%s\nshoal-cli (exit %d):\n%s%s", args, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
			}
		}
	})

	t.Run("backup", func(t *testing.T) {
		da, db := t.TempDir(), t.TempDir()
		want := cliOut(t, rcli, "", "--cluster", "backup", addrs[0], da)
		got := cliOut(t, shoalCli(), "", "--cluster", "backup", addrs[0], db)
		wantOut := strings.ReplaceAll(string(want.stdout), da, db)
		wantErr := strings.ReplaceAll(string(want.stderr), da, db)
		if wantOut != string(got.stdout) || wantErr != string(got.stderr) || want.code != got.code || got.code != 0 {
			t.Errorf("backup:\nredis-cli (exit %d):\n%s%s\nshoal-cli (exit %d):\n%s%s", want.code, wantOut, wantErr, got.code, got.stdout, got.stderr)
		}
		ja, _ := os.ReadFile(filepath.Join(da, "nodes.json"))
		jb, _ := os.ReadFile(filepath.Join(db, "nodes.json"))
		if len(ja) == 0 || !bytes.Equal(ja, jb) {
			t.Errorf("nodes.json:\n%s\n%s", ja, jb)
		}
		ents, _ := os.ReadDir(db)
		if len(ents) != 4 {
			t.Errorf("backup wrote %d files, want 3 RDBs and nodes.json", len(ents))
		}
	})

	t.Run("redirect", func(t *testing.T) {
		host, port, _ := strings.Cut(addrs[0], ":")
		script := "set a 1\nget a\nset foo bar\nget foo\nset {a}b 2\nmget a {a}b\nget nokey\n"
		want := cliOut(t, rcli, script, "-c", "-h", host, "-p", port)
		got := cliOut(t, shoalCli(), script, "-c", "-h", host, "-p", port)
		if !bytes.Equal(want.stdout, got.stdout) || want.code != got.code {
			t.Errorf("redis-cli:\n%s\nshoal-cli:\n%s", want.stdout, got.stdout)
		}
		if !bytes.Contains(got.stdout, []byte("-> Redirected to slot [")) {
			t.Errorf("no redirection printed:\n%s", got.stdout)
		}
		// ASK: the slot of "askkey" migrating from its owner to another
		// master, the key absent from the source. Masters are addrs[0..2]
		// in create's plan.
		slot := keySlot(t, addrs[0], "askkey")
		owner, target := "", ""
		for _, a := range addrs[:3] {
			c := testutil.Dial(t, a)
			b := c.Do("GET", "askkey")
			c.Close()
			if !bytes.HasPrefix(b, []byte("-MOVED")) {
				owner = a
			} else if target == "" {
				target = a
			}
		}
		if owner == "" || target == "" {
			t.Fatalf("no owner/target for slot %d", slot)
		}
		if owner == target {
			t.Fatal("owner is target")
		}
		oc, tc := testutil.Dial(t, owner), testutil.Dial(t, target)
		defer oc.Close()
		defer tc.Close()
		tc.Do("CLUSTER", "SETSLOT", strconv.Itoa(slot), "IMPORTING", myID(t, owner))
		oc.Do("CLUSTER", "SETSLOT", strconv.Itoa(slot), "MIGRATING", myID(t, target))
		oh, op, _ := strings.Cut(owner, ":")
		script = "get askkey\nset askkey v\n"
		want = cliOut(t, rcli, script, "-c", "-h", oh, "-p", op)
		tc.Do("ASKING")
		tc.Do("DEL", "askkey")
		got = cliOut(t, shoalCli(), script, "-c", "-h", oh, "-p", op)
		tc.Do("ASKING")
		tc.Do("DEL", "askkey")
		if !bytes.Equal(want.stdout, got.stdout) {
			t.Errorf("ASK: redis-cli:\n%s\nshoal-cli:\n%s", want.stdout, got.stdout)
		}
		tc.Do("CLUSTER", "SETSLOT", strconv.Itoa(slot), "STABLE")
		oc.Do("CLUSTER", "SETSLOT", strconv.Itoa(slot), "STABLE")
	})

	t.Run("bad-input", func(t *testing.T) {
		free := testutil.FreePort(t)
		unreachable := "127.0.0.1:" + strconv.Itoa(free)
		// A node that is not empty: a key in db 0.
		c := testutil.Dial(t, spare[1])
		c.Do("SET", "x", "1")
		c.Close()
		cases := [][]string{
			{"--cluster", "create", addrs[0], addrs[1], addrs[2]},
			{"--cluster", "create", spare[1], spare[0], unreachable},
			{"--cluster", "create", spare[0], spare[1], addrs[0]},
			{"--cluster", "create", "nocolon", "x", "y"},
			{"--cluster", "create", spare[0], spare[1]},
			{"--cluster", "check", unreachable},
			{"--cluster", "check", "127.0.0.1"},
			{"--cluster", "check"},
			{"--cluster", "nosuch", addrs[0]},
			{"--cluster", "del-node", addrs[0], "0000000000000000000000000000000000000000"},
			{"--cluster", "del-node", addrs[0], myID(t, addrs[0])},
			{"--cluster", "add-node", addrs[1], addrs[0]},
			{"--cluster", "add-node", unreachable, addrs[0]},
			{"--cluster", "set-timeout", addrs[0], "10"},
			{"--cluster", "reshard", addrs[0], "--cluster-to", "nosuchid", "--cluster-slots", "1", "--cluster-from", "all", "--cluster-yes"},
			{"--cluster", "rebalance", addrs[0], "--cluster-weight", "nosuch=1"},
			{"--cluster", "import", addrs[0]},
			{"--cluster", "import", addrs[0], "--cluster-from", "bad"},
			{"--cluster-weight", "a=1", "--cluster-weight", "b=1"},
			{"--cluster"},
		}
		for _, args := range cases {
			want := cliOut(t, rcli, "", args...)
			got := cliOut(t, shoalCli(), "", args...)
			want.stdout, want.stderr = normalize(want.stdout), normalize(want.stderr)
			if len(args) == 1 {
				// The usage text names the program throughout.
				want.stderr = bytes.ReplaceAll(want.stderr, []byte("redis-cli"), []byte("shoal-cli"))
			}
			if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
				t.Errorf("%v:\nredis-cli (exit %d):\n%s%s\nshoal-cli (exit %d):\n%s%s", args, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
			}
		}
		c = testutil.Dial(t, spare[1])
		c.Do("FLUSHALL")
		c.Close()
		// An open slot: check reports it, exit 1, as redis-cli.
		oc, tc := testutil.Dial(t, addrs[0]), testutil.Dial(t, addrs[1])
		defer oc.Close()
		defer tc.Close()
		tc.Do("CLUSTER", "SETSLOT", "0", "IMPORTING", myID(t, addrs[0]))
		want := cliOut(t, rcli, "", "--cluster", "check", addrs[0])
		got := cliOut(t, shoalCli(), "", "--cluster", "check", addrs[0])
		if !bytes.Equal(want.stdout, got.stdout) || want.code != got.code || got.code != 1 {
			t.Errorf("open slot:\nredis-cli (exit %d):\n%s\nshoal-cli (exit %d):\n%s", want.code, want.stdout, got.code, got.stdout)
		}
		fix := cliOut(t, shoalCli(), "", "--cluster", "fix", addrs[0])
		if fix.code != 0 {
			t.Errorf("fix exited %d:\n%s%s", fix.code, fix.stdout, fix.stderr)
		}
		if chk := cliOut(t, rcli, "", "--cluster", "check", addrs[0]); chk.code != 0 {
			t.Errorf("after fix, redis-cli check exited %d:\n%s", chk.code, chk.stdout)
		}
	})

	t.Run("fix-uncovered", func(t *testing.T) {
		testFixUncovered(t, rcli, addrs)
	})

	t.Run("fix-multiple-owners", func(t *testing.T) {
		testFixMultipleOwners(t, rcli, addrs)
	})

	t.Run("import", func(t *testing.T) {
		testImport(t, rcli, bin, addrs)
	})

	t.Run("scale-under-load", func(t *testing.T) {
		testScaleCycle(t, rcli, addrs, spare[0])
	})

	t.Run("add-replica", func(t *testing.T) {
		r := cliOut(t, shoalCli(), "", "--cluster", "add-node", spare[1], addrs[0], "--cluster-slave")
		if r.code != 0 || !bytes.Contains(r.stdout, []byte("Automatically selected master")) ||
			!bytes.Contains(r.stdout, []byte(">>> Configure node as replica of")) ||
			!bytes.Contains(r.stdout, []byte("[OK] New node added correctly.")) {
			t.Fatalf("add-node --cluster-slave exited %d:\n%s\n%s", r.code, r.stdout, r.stderr)
		}
		testutil.WaitFor(t, 30*time.Second, func() bool {
			r := cliOut(t, rcli, "", "--cluster", "check", addrs[0])
			return r.code == 0 && bytes.Contains(r.stdout, []byte(spare[1])) && bytes.Contains(r.stdout, []byte("2 additional replica(s)"))
		})
	})
}

// testScaleCycle adds a master, reshards slots to it, rebalances, drains
// it with a zero weight and removes it, all with shoal-cli, while a client
// writes and reads keys; every acknowledged write must be readable at the
// end with its value.
func testScaleCycle(t *testing.T, rcli string, addrs []string, newAddr string) {
	ctx := context.Background()
	client := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs[:3], MaxRedirects: 16})
	defer client.Close()
	var stop atomic.Bool
	var wg sync.WaitGroup
	var mu sync.Mutex
	written := map[string]string{}
	var lost atomic.Int64
	var writes atomic.Int64
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			k, v := "load:"+strconv.Itoa(i), strconv.Itoa(i*7)
			if err := client.Set(ctx, k, v, 0).Err(); err == nil {
				mu.Lock()
				written[k] = v
				mu.Unlock()
				writes.Add(1)
			}
			time.Sleep(500 * time.Microsecond)
		}
	}()
	go func() {
		defer wg.Done()
		for !stop.Load() {
			mu.Lock()
			var k, v string
			n := len(written)
			if n > 0 {
				i := rand.IntN(n)
				for kk, vv := range written {
					if i == 0 {
						k, v = kk, vv
						break
					}
					i--
				}
			}
			mu.Unlock()
			if k == "" {
				time.Sleep(time.Millisecond)
				continue
			}
			got, err := client.Get(ctx, k).Result()
			if errors.Is(err, redis.Nil) || (err == nil && got != v) {
				lost.Add(1)
			}
			time.Sleep(500 * time.Microsecond)
		}
	}()
	step := func(name string, args ...string) cliRun {
		r := cliOut(t, shoalCli(), "", args...)
		if r.code != 0 {
			stop.Store(true)
			wg.Wait()
			t.Fatalf("%s exited %d:\n%s\n%s", name, r.code, r.stdout, r.stderr)
		}
		return r
	}
	testutil.WaitFor(t, 10*time.Second, func() bool { return writes.Load() > 200 })
	step("add-node", "--cluster", "add-node", newAddr, addrs[0])
	newID := myID(t, newAddr)
	// Every node must know the new one before slots move to it (SETSLOT
	// names it), as a redis-cli user waits for the gossip.
	testutil.WaitFor(t, 30*time.Second, func() bool {
		for _, a := range addrs {
			c := testutil.Dial(t, a)
			nodes := c.Do("CLUSTER", "NODES")
			c.Close()
			if !bytes.Contains(nodes, []byte(newID)) {
				return false
			}
		}
		return true
	})
	// A new master answers RESTORE-ASKING with CLUSTERDOWN until it has
	// seen the cluster as ok (spec §6.6), so wait for that too.
	waitClusterOK(t, append([]string{newAddr}, addrs...))
	r := step("reshard", "--cluster", "reshard", addrs[0], "--cluster-from", "all", "--cluster-to", newID, "--cluster-slots", "300", "--cluster-yes")
	if !bytes.Contains(r.stdout, []byte("Moving slot ")) {
		t.Errorf("reshard printed no move:\n%s", r.stdout)
	}
	if bytes.Contains(r.stderr, []byte("keys/s")) {
		t.Errorf("progress bar drawn while stderr is not a terminal:\n%q", r.stderr)
	}
	// Between steps, wait until every node agrees about the slots (the
	// replicas learn of the moves by gossip), as one would by hand.
	agreed := func() {
		testutil.WaitFor(t, 30*time.Second, func() bool {
			return cliOut(t, rcli, "", "--cluster", "check", addrs[0]).code == 0
		})
	}
	agreed()
	// A small weight keeps the slot moves (and the test) short: the new
	// master ends with about 500 slots.
	step("rebalance", "--cluster", "rebalance", addrs[0], "--cluster-weight", newID+"=0.1")
	agreed()
	// The drain runs on a terminal: the progress bar is drawn there.
	screen := runPTY(t, exec.Command(shoalCli(), "--cluster", "rebalance", addrs[0], "--cluster-weight", newID+"=0"))
	if !bytes.Contains(screen, []byte("keys/s")) || !bytes.Contains(screen, []byte("slots, ")) {
		t.Errorf("no progress bar on a terminal:\n%q", screen)
	}
	agreed()
	step("del-node", "--cluster", "del-node", addrs[0], newID)
	time.Sleep(200 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if n := lost.Load(); n > 0 {
		t.Errorf("%d reads during the cycle missed an acknowledged write", n)
	}
	// A fresh client: the load's one may still route to the removed
	// node, which answers CLUSTERDOWN after its reset.
	final := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs[:3], MaxRedirects: 16})
	defer final.Close()
	missing := 0
	for k, v := range written {
		if got, err := final.Get(ctx, k).Result(); err != nil || got != v {
			missing++
			if missing < 5 {
				t.Errorf("key %s: got %q, %v; want %q", k, got, err, v)
			}
		}
	}
	if missing > 0 {
		t.Errorf("%d of %d keys lost", missing, len(written))
	}
	chk := cliOut(t, rcli, "", "--cluster", "check", addrs[0])
	if chk.code != 0 || bytes.Contains(chk.stdout, []byte(newAddr)) {
		t.Errorf("after del-node, check exited %d:\n%s", chk.code, chk.stdout)
	}
	t.Logf("%d keys written during the cycle", len(written))
}
