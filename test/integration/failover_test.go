package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shoal/internal/testutil"
)

// Cluster failover under kill -9 and manual CLUSTER FAILOVER, on a 3+3
// cluster created by redis-cli. FAILOVER_BIN (default: shoal-server) and
// FAILOVER_NODE_TIMEOUT (default 2000) choose the server and the node
// timeout, so bench/failover.sh runs the same test against redis-server.

// failoverConf is one node's redis.conf.
const failoverConf = "port %d\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout %d\nappendonly no\nsave \"\"\nrepl-diskless-sync-delay 0\n"

func failoverBin(t *testing.T) string {
	if b := os.Getenv("FAILOVER_BIN"); b != "" {
		return b
	}
	if binErr != nil {
		t.Skip(binErr)
	}
	return shoalBin
}

func failoverTimeout() int {
	if v, err := strconv.Atoi(os.Getenv("FAILOVER_NODE_TIMEOUT")); err == nil && v > 0 {
		return v
	}
	return 2000
}

// startFailoverCluster starts six nodes and makes them three masters with
// one replica each, every replica in sync.
func startFailoverCluster(t *testing.T, bin string, timeout int) []*clusterNode {
	t.Helper()
	nodes := startNodesWithTimeout(t, timeout, bin, bin, bin, bin, bin, bin)
	createCluster(t, nodes, 1)
	waitSameView(t, nodes, 3)
	for _, n := range nodes {
		testutil.WaitFor(t, 20*time.Second, func() bool {
			info := infoOf(n.addr(), "replication")
			return strings.Contains(info, "role:master\r\nconnected_slaves:1") ||
				strings.Contains(info, "master_link_status:up")
		})
	}
	return nodes
}

// infoOf returns INFO section of addr, "" when unreachable.
func infoOf(addr, section string) string {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 200 * time.Millisecond, ReadTimeout: time.Second})
	defer c.Close()
	s, _ := c.Info(context.Background(), section).Result()
	return s
}

func infoStr(info, field string) string {
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			return v
		}
	}
	return ""
}

// nodeByID finds the node whose CLUSTER MYID is id.
func nodeByID(t *testing.T, nodes []*clusterNode, id string) *clusterNode {
	t.Helper()
	for _, n := range nodes {
		if n.proc != nil && !n.proc.Exited() && nodeID(t, n) == id {
			return n
		}
	}
	t.Fatalf("no node %s", id)
	return nil
}

// shardOf returns the master owning key's slot and its replica, as node
// 0's CLUSTER NODES shows them.
func shardOf(t *testing.T, nodes []*clusterNode, key string) (master, replica *clusterNode) {
	t.Helper()
	slot := int(keySlot(key))
	view := nodesView(t, nodes[0].addr())
	for id, v := range view {
		f := strings.Fields(v) // addr flags master epoch slots...
		if !strings.Contains(f[1], "master") {
			continue
		}
		for _, r := range f[4:] {
			lo, hi, found := strings.Cut(r, "-")
			if !found {
				hi = lo
			}
			a, _ := strconv.Atoi(lo)
			b, _ := strconv.Atoi(hi)
			if slot < a || slot > b {
				continue
			}
			for rid, rv := range view {
				if rf := strings.Fields(rv); rf[2] == id {
					return nodeByID(t, nodes, id), nodeByID(t, nodes, rid)
				}
			}
		}
	}
	t.Fatalf("no master with a replica for slot %d: %v", slot, view)
	return nil, nil
}

// slotWriter writes SET {tag}:i i (followed by WAIT 1 when wait is set)
// to whichever node owns the slot, following MOVED and asking the other
// nodes when its node is unreachable, as a cluster client does.
type slotWriter struct {
	tag   string
	wait  bool
	addrs []string

	mu        sync.Mutex
	acked     []int     // indexes acknowledged (with WAIT: reached a replica)
	okAfter   time.Time // first SET acknowledged after mark
	mark      time.Time
	attempted int
	stop      chan struct{}
	done      chan struct{}
}

func startSlotWriter(tag string, wait bool, addrs []string, target string) *slotWriter {
	w := &slotWriter{tag: tag, wait: wait, addrs: addrs, stop: make(chan struct{}), done: make(chan struct{})}
	go w.run(target)
	return w
}

func (w *slotWriter) run(target string) {
	defer close(w.done)
	ctx := context.Background()
	var c *redis.Client
	connect := func(addr string) {
		if c != nil {
			c.Close()
		}
		target = addr
		c = redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, PoolSize: 1,
			DialTimeout: 100 * time.Millisecond, ReadTimeout: 2 * time.Second, WriteTimeout: time.Second})
	}
	connect(target)
	defer func() { c.Close() }()
	probe := 0
	for i := 0; ; i++ {
		select {
		case <-w.stop:
			return
		default:
		}
		key := w.tag + ":" + strconv.Itoa(i)
		started := time.Now()
		err := c.Set(ctx, key, i, 0).Err()
		setAt := time.Now()
		if err == nil && w.wait {
			var n int64
			n, err = c.Do(ctx, "WAIT", 1, 500).Int64()
			if err == nil && n < 1 {
				// Written, not known to be replicated: not acknowledged.
				w.mu.Lock()
				w.attempted++
				w.noteOK(started, setAt)
				w.mu.Unlock()
				continue
			}
		}
		w.mu.Lock()
		w.attempted++
		if err == nil {
			w.acked = append(w.acked, i)
			w.noteOK(started, setAt)
		}
		w.mu.Unlock()
		if err == nil {
			continue
		}
		var moved string
		if msg := err.Error(); strings.HasPrefix(msg, "MOVED ") {
			if f := strings.Fields(msg); len(f) == 3 {
				moved = f[2]
			}
		}
		if moved != "" && moved != target {
			connect(moved)
			continue
		}
		// Unreachable, CLUSTERDOWN, or redirected to the dead node: ask
		// another node, pacing the retries as a client's refresh does.
		time.Sleep(5 * time.Millisecond)
		probe++
		connect(w.addrs[probe%len(w.addrs)])
	}
}

// noteOK records the first successful SET sent after the mark. Called with w.mu held.
func (w *slotWriter) noteOK(started, setAt time.Time) {
	if !w.mark.IsZero() && started.After(w.mark) && w.okAfter.IsZero() {
		w.okAfter = setAt
	}
}

func (w *slotWriter) setMark(t time.Time) {
	w.mu.Lock()
	w.mark, w.okAfter = t, time.Time{}
	w.mu.Unlock()
}

func (w *slotWriter) firstOKAfterMark() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.okAfter
}

func (w *slotWriter) finish() []int {
	close(w.stop)
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]int(nil), w.acked...)
}

// lostWrites counts the acknowledged keys missing or wrong on addr.
func lostWrites(t *testing.T, addr, tag string, acked []int) int {
	t.Helper()
	c := redis.NewClient(&redis.Options{Addr: addr})
	defer c.Close()
	ctx := context.Background()
	lost := 0
	for i := 0; i < len(acked); i += 500 {
		batch := acked[i:min(i+500, len(acked))]
		keys := make([]string, len(batch))
		for j, k := range batch {
			keys[j] = tag + ":" + strconv.Itoa(k)
		}
		vals, err := c.MGet(ctx, keys...).Result()
		if err != nil {
			t.Fatalf("MGET on %s: %v", addr, err)
		}
		for j, v := range vals {
			if s, _ := v.(string); s != strconv.Itoa(batch[j]) {
				lost++
			}
		}
	}
	return lost
}

// isMaster reports whether addr answers ROLE with master.
func isMaster(addr string) bool {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer c.Close()
	r, err := c.Do(context.Background(), "ROLE").Slice()
	return err == nil && len(r) > 0 && r[0] == "master"
}

func aliveAddrs(nodes []*clusterNode, except *clusterNode) []string {
	var a []string
	for _, n := range nodes {
		if n != except {
			a = append(a, n.addr())
		}
	}
	return a
}

// TestClusterFailoverKill: kill -9 of a master under continuous writes;
// its replica is promoted and the writes to its slots succeed again. It
// prints the time to promotion and to the first write and the writes lost
// (with WAIT 1 after every write: none may be). Then the killed node
// returns: it becomes a replica of the new master and resyncs.
func TestClusterFailoverKill(t *testing.T) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not on PATH")
	}
	bin, timeout := failoverBin(t), failoverTimeout()
	for _, wait := range []bool{false, true} {
		if os.Getenv("FAILOVER_WAIT") != "" && strconv.FormatBool(wait) != os.Getenv("FAILOVER_WAIT") {
			continue
		}
		t.Run("wait="+strconv.FormatBool(wait), func(t *testing.T) {
			nodes := startFailoverCluster(t, bin, timeout)
			const tag = "{fo}"
			master, replica := shardOf(t, nodes, strings.Trim(tag, "{}"))
			w := startSlotWriter(tag, wait, aliveAddrs(nodes, master), master.addr())
			testutil.WaitFor(t, 10*time.Second, func() bool {
				w.mu.Lock()
				defer w.mu.Unlock()
				return len(w.acked) >= 200
			})
			killed := time.Now()
			w.setMark(killed)
			master.proc.Kill()
			var promoted time.Time
			testutil.WaitFor(t, time.Duration(timeout)*time.Millisecond+20*time.Second, func() bool {
				if isMaster(replica.addr()) {
					promoted = time.Now()
					return true
				}
				return false
			})
			var firstWrite time.Time
			testutil.WaitFor(t, 20*time.Second, func() bool {
				firstWrite = w.firstOKAfterMark()
				return !firstWrite.IsZero()
			})
			acked := w.finish()
			lost := lostWrites(t, replica.addr(), tag, acked)
			fmt.Printf("FAILOVER-RESULT bin=%s node-timeout=%d wait=%v promotion_ms=%d first_write_ms=%d acked=%d lost=%d\n",
				filepath.Base(bin), timeout, wait, promoted.Sub(killed).Milliseconds(), firstWrite.Sub(killed).Milliseconds(), len(acked), lost)
			if wait && lost != 0 {
				t.Errorf("%d acknowledged writes (WAIT 1) lost", lost)
			}
			if os.Getenv("FAILOVER_BIN") != "" {
				return // the benchmark's run: figures only
			}

			// The killed node returns as a replica of its old replica.
			newID := nodeID(t, replica)
			master.start(t)
			dumpOnFail(t, nodes)
			testutil.WaitFor(t, 30*time.Second, func() bool {
				v := nodesView(t, master.addr())
				me := v[nodeID(t, master)]
				info := infoOf(master.addr(), "replication")
				return strings.Contains(me, "slave "+newID) && infoStr(info, "master_link_status") == "up" &&
					infoStr(info, "master_port") == strconv.Itoa(replica.port)
			})
			c := redis.NewClient(&redis.Options{Addr: replica.addr()})
			defer c.Close()
			want, _ := c.DBSize(context.Background()).Result()
			testutil.WaitFor(t, 10*time.Second, func() bool {
				r := redis.NewClient(&redis.Options{Addr: master.addr()})
				defer r.Close()
				got, err := r.DBSize(context.Background()).Result()
				return err == nil && got == want
			})
			if l := lostWrites(t, replica.addr(), tag, acked); l != lost {
				t.Errorf("lost %d after the rejoin, %d before", l, lost)
			}
			waitOneMasterPerSlot(t, nodes)
		})
	}
}

// waitOneMasterPerSlot waits until every node's CLUSTER NODES shows
// exactly one master per slot, all 16384 covered, the same view everywhere.
func waitOneMasterPerSlot(t *testing.T, nodes []*clusterNode) {
	t.Helper()
	var last string
	ok := testutil.Poll(20*time.Second, func() bool {
		var first string
		for _, n := range nodes {
			view, err := slotOwners(n.addr())
			if err != nil {
				last = err.Error()
				return false
			}
			if first == "" {
				first = view
			} else if view != first {
				last = "views differ:\n" + first + "\n" + view
				return false
			}
		}
		return true
	})
	if !ok {
		t.Fatal(last)
	}
}

// slotOwners renders addr's view of the masters and their slots, failing
// when a slot has no master or two.
func slotOwners(addr string) (string, error) {
	c := redis.NewClient(&redis.Options{Addr: addr, MaxRetries: -1})
	defer c.Close()
	out, err := c.ClusterNodes(context.Background()).Result()
	if err != nil {
		return "", err
	}
	var owners [16384]int
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 8 || !strings.Contains(f[2], "master") || strings.Contains(f[2], "fail") || len(f) == 8 {
			continue
		}
		lines = append(lines, f[0]+" "+strings.Join(f[8:], " "))
		for _, r := range f[8:] {
			if strings.HasPrefix(r, "[") {
				continue
			}
			lo, hi, found := strings.Cut(r, "-")
			if !found {
				hi = lo
			}
			a, _ := strconv.Atoi(lo)
			b, _ := strconv.Atoi(hi)
			for s := a; s <= b && s < 16384; s++ {
				owners[s]++
			}
		}
	}
	for s, n := range owners {
		if n != 1 {
			return "", fmt.Errorf("%s: slot %d has %d masters:\n%s", addr, s, n, out)
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n"), nil
}

// TestClusterManualFailover: CLUSTER FAILOVER (coordinated) on a replica
// while a client writes to its master: no acknowledged write is lost, the
// old master becomes a replica of the new one by partial resync.
func TestClusterManualFailover(t *testing.T) {
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not on PATH")
	}
	bin := failoverBin(t)
	nodes := startFailoverCluster(t, bin, failoverTimeout())
	const tag = "{mf}"
	master, replica := shardOf(t, nodes, strings.Trim(tag, "{}"))
	w := startSlotWriter(tag, false, clusterAddrs(nodes), master.addr())
	testutil.WaitFor(t, 10*time.Second, func() bool {
		w.mu.Lock()
		defer w.mu.Unlock()
		return len(w.acked) >= 200
	})
	partialBefore, _ := strconv.Atoi(infoStr(infoOf(master.addr(), "stats"), "sync_partial_ok"))
	rc := redis.NewClient(&redis.Options{Addr: replica.addr()})
	defer rc.Close()
	start := time.Now()
	if err := rc.Do(context.Background(), "CLUSTER", "FAILOVER").Err(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, func() bool { return isMaster(replica.addr()) })
	took := time.Since(start)
	w.setMark(time.Now())
	testutil.WaitFor(t, 10*time.Second, func() bool { return !w.firstOKAfterMark().IsZero() })
	acked := w.finish()
	if lost := lostWrites(t, replica.addr(), tag, acked); lost != 0 {
		t.Errorf("%d of %d acknowledged writes lost", lost, len(acked))
	}
	// The old master follows the new one, continuing its history.
	testutil.WaitFor(t, 10*time.Second, func() bool {
		info := infoOf(master.addr(), "replication")
		return infoStr(info, "role") == "slave" && infoStr(info, "master_link_status") == "up" &&
			infoStr(info, "master_port") == strconv.Itoa(replica.port)
	})
	partial, _ := strconv.Atoi(infoStr(infoOf(replica.addr(), "stats"), "sync_partial_ok"))
	full, _ := strconv.Atoi(infoStr(infoOf(replica.addr(), "stats"), "sync_full"))
	t.Logf("manual failover in %v, %d writes acknowledged, new master: sync_partial_ok=%d sync_full=%d", took, len(acked), partial, full)
	if partial < 1 || full != 0 {
		t.Errorf("the old master resynced fully (sync_partial_ok %d->%d, sync_full %d)", partialBefore, partial, full)
	}
	waitOneMasterPerSlot(t, nodes)

	// cluster-replica-no-failover set at run time takes effect: the
	// replica flags itself nofailover, and the others learn it.
	mc := redis.NewClient(&redis.Options{Addr: master.addr()})
	defer mc.Close()
	if err := mc.ConfigSet(context.Background(), "cluster-replica-no-failover", "yes").Err(); err != nil {
		t.Fatal(err)
	}
	id := nodeID(t, master)
	testutil.WaitFor(t, 10*time.Second, func() bool {
		return strings.Contains(nodesView(t, replica.addr())[id], "slave,nofailover")
	})
}

// dumpOnFail makes the nodes print their goroutines when the test fails.
func dumpOnFail(t *testing.T, nodes []*clusterNode) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, n := range nodes {
			if n.proc != nil && !n.proc.Exited() {
				syscall.Kill(n.proc.Pid(), syscall.SIGQUIT)
			}
		}
		time.Sleep(500 * time.Millisecond)
	})
}
