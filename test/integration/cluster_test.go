package integration

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shoal/internal/testutil"
)

// clusterNode is one cluster node process started from its own folder.
type clusterNode struct {
	bin  string
	dir  string
	port int
	proc *testutil.Proc
}

func (n *clusterNode) addr() string { return "127.0.0.1:" + strconv.Itoa(n.port) }

// tutorialConf is the redis.conf of the Redis Cluster tutorial: exactly
// these five directives.
const tutorialConf = "port %d\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000\nappendonly yes\n"

// startClusterNodes starts one node per binary, each in its own folder
// holding the tutorial's redis.conf, as `<bin> ./redis.conf`.
func startClusterNodes(t *testing.T, bins ...string) []*clusterNode {
	t.Helper()
	root := t.TempDir()
	nodes := make([]*clusterNode, len(bins))
	for i, bin := range bins {
		port := testutil.FreePort(t)
		dir := filepath.Join(root, strconv.Itoa(port))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "redis.conf"), fmt.Appendf(nil, tutorialConf, port), 0o644); err != nil {
			t.Fatal(err)
		}
		nodes[i] = &clusterNode{bin: bin, dir: dir, port: port}
		nodes[i].start(t)
	}
	return nodes
}

func (n *clusterNode) start(t *testing.T) {
	t.Helper()
	n.proc = testutil.StartProcIn(t, n.dir, n.bin, "./redis.conf")
	testutil.WaitFor(t, 10*time.Second, func() bool {
		c, err := net.DialTimeout("tcp", n.addr(), time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// redisCli runs Debian's redis-cli and returns its output; it skips the
// test when redis-cli is missing.
func redisCli(t *testing.T, args ...string) (string, error) {
	t.Helper()
	path, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not on PATH")
	}
	out, err := exec.Command(path, args...).CombinedOutput()
	return string(out), err
}

func clusterAddrs(nodes []*clusterNode) []string {
	var a []string
	for _, n := range nodes {
		a = append(a, n.addr())
	}
	return a
}

// createCluster runs `redis-cli --cluster create` over the nodes.
func createCluster(t *testing.T, nodes []*clusterNode, replicas int) {
	t.Helper()
	args := append([]string{"--cluster", "create"}, clusterAddrs(nodes)...)
	args = append(args, "--cluster-replicas", strconv.Itoa(replicas), "--cluster-yes")
	out, err := redisCli(t, args...)
	if err != nil || !strings.Contains(out, "[OK] All 16384 slots covered.") {
		t.Fatalf("cluster create: %v\n%s", err, out)
	}
	waitClusterOK(t, nodes)
}

// waitClusterOK waits until every node reports cluster_state:ok.
func waitClusterOK(t *testing.T, nodes []*clusterNode) {
	t.Helper()
	for _, n := range nodes {
		c := testutil.Dial(t, n.addr())
		testutil.WaitFor(t, 20*time.Second, func() bool {
			return bytes.Contains(c.Do("CLUSTER", "INFO"), []byte("cluster_state:ok"))
		})
		c.Close()
	}
}

// clusterCheck runs `redis-cli --cluster check` from addr and fails on any
// error or warning it prints.
func clusterCheck(t *testing.T, addr string) string {
	t.Helper()
	var out string
	var err error
	// Gossip may still be spreading the last change: the check is retried
	// until it is clean.
	ok := testutil.Poll(20*time.Second, func() bool {
		out, err = redisCli(t, "--cluster", "check", addr)
		return err == nil && strings.Contains(out, "[OK] All nodes agree about slots configuration.") &&
			strings.Contains(out, "[OK] All 16384 slots covered.") && !strings.Contains(out, "[WARNING]") && !strings.Contains(out, "[ERR]")
	})
	if !ok {
		t.Fatalf("cluster check from %s: %v\n%s", addr, err, out)
	}
	return out
}

// cliSetGet writes n keys through one node and reads them back through
// another with `redis-cli -c`, for every node.
func cliSetGet(t *testing.T, nodes []*clusterNode, n int) {
	t.Helper()
	for i, node := range nodes {
		var in strings.Builder
		for k := range n {
			fmt.Fprintf(&in, "SET tutorial:%d:%d v%d\n", i, k, k)
		}
		cmd := exec.Command("redis-cli", "-c", "-p", strconv.Itoa(node.port))
		cmd.Stdin = strings.NewReader(in.String())
		out, err := cmd.CombinedOutput()
		if err != nil || strings.Count(string(out), "OK\n") != n {
			t.Fatalf("redis-cli -c SET through %s: %v\n%.2000s", node.addr(), err, out)
		}
		reader := nodes[(i+1)%len(nodes)]
		in.Reset()
		for k := range n {
			fmt.Fprintf(&in, "GET tutorial:%d:%d\n", i, k)
		}
		cmd = exec.Command("redis-cli", "-c", "-p", strconv.Itoa(reader.port))
		cmd.Stdin = strings.NewReader(in.String())
		out, err = cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("redis-cli -c GET through %s: %v", reader.addr(), err)
		}
		var lines []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if !strings.HasPrefix(l, "-> Redirected to slot") {
				lines = append(lines, l)
			}
		}
		if len(lines) != n {
			t.Fatalf("redis-cli -c GET through %s: %d replies, want %d\n%.2000s", reader.addr(), len(lines), n, out)
		}
		for k, l := range lines {
			if l != "v"+strconv.Itoa(k) {
				t.Fatalf("GET tutorial:%d:%d through %s = %q", i, k, reader.addr(), l)
			}
		}
	}
}

// myselfLine is the part of a node's own CLUSTER NODES line that must
// survive a restart: ID, address, role, master, config epoch, slots.
var nodeLineRE = regexp.MustCompile(`^(\S+) (\S+) (\S+) (\S+) \d+ \d+ (\d+) \S+(.*)$`)

func nodesView(t *testing.T, addr string) map[string]string {
	t.Helper()
	c := testutil.Dial(t, addr)
	defer c.Close()
	_, body, _ := strings.Cut(string(c.Do("CLUSTER", "NODES")), "\r\n")
	view := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(body), "\n") {
		m := nodeLineRE.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("CLUSTER NODES line %q", l)
		}
		flags := strings.ReplaceAll(m[3], "myself,", "")
		view[m[1]] = strings.Join([]string{m[2], flags, m[4], m[5], strings.TrimSpace(m[6])}, " ")
	}
	return view
}

// TestClusterTutorial is the Redis Cluster tutorial verbatim with
// shoal-server: six folders, six processes, redis-cli --cluster create with
// one replica per master, a clean --cluster check, redis-cli -c SET/GET
// through every node; then every node restarts and the cluster re-forms
// from nodes.conf with the same IDs, epochs and slots, and the data (AOF).
func TestClusterTutorial(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	bins := slices.Repeat([]string{shoalBin}, 6)
	nodes := startClusterNodes(t, bins...)
	createCluster(t, nodes, 1)
	out := clusterCheck(t, nodes[0].addr())
	if strings.Count(out, "slots: (0 slots) slave") != 3 || strings.Count(out, "1 additional replica(s)") != 3 {
		t.Errorf("want 3 masters with one replica each:\n%s", out)
	}
	cliSetGet(t, nodes, 200)

	// Replicas' roles reach every node by gossip: wait until all six
	// views agree before taking the one the restart must reproduce.
	before := waitSameView(t, nodes, 3)
	for _, n := range nodes {
		if err := n.proc.Stop(); err != nil {
			t.Fatalf("stop %s: %v", n.addr(), err)
		}
	}
	for _, n := range nodes {
		n.start(t)
	}
	waitClusterOK(t, nodes)
	if after := waitSameView(t, nodes, 3); !mapsEqual(before, after) {
		t.Errorf("after restart the nodes see\n%v\nwant\n%v", after, before)
	}
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs(nodes)})
	defer c.Close()
	for i := range nodes {
		for k := 0; k < 200; k += 37 {
			if v, err := c.Get(context.Background(), fmt.Sprintf("tutorial:%d:%d", i, k)).Result(); err != nil || v != "v"+strconv.Itoa(k) {
				t.Fatalf("after restart GET tutorial:%d:%d = %q, %v", i, k, v, err)
			}
		}
	}
}

// waitSameView waits until every node's CLUSTER NODES agrees (IDs,
// addresses, flags, masters, epochs, slots) and shows replicas replicas.
func waitSameView(t *testing.T, nodes []*clusterNode, replicas int) map[string]string {
	t.Helper()
	var views []map[string]string
	ok := testutil.Poll(20*time.Second, func() bool {
		views = views[:0]
		for _, n := range nodes {
			views = append(views, nodesView(t, n.addr()))
		}
		for _, v := range views[1:] {
			if !mapsEqual(v, views[0]) {
				return false
			}
		}
		n := 0
		for _, l := range views[0] {
			if strings.Contains(l, " slave ") {
				n++
			}
		}
		return n == replicas
	})
	if !ok {
		t.Fatalf("nodes never agreed on CLUSTER NODES: %v", views)
	}
	return views[0]
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// clusterLoad writes and reads keys through a ClusterClient until stopped,
// remembering every acknowledged write; errors other than the redirections
// the client follows are recorded.
type clusterLoad struct {
	c       *redis.ClusterClient
	stop    atomic.Bool
	wg      sync.WaitGroup
	mu      sync.Mutex
	written map[string]string
	errs    []error
	ops     atomic.Int64
}

func startLoad(c *redis.ClusterClient, prefix string) *clusterLoad {
	l := &clusterLoad{c: c, written: map[string]string{}}
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		ctx := context.Background()
		for i := 0; !l.stop.Load(); i++ {
			k := fmt.Sprintf("%s:%d", prefix, i%5000)
			v := strconv.Itoa(i)
			if err := c.Set(ctx, k, v, 0).Err(); err != nil {
				l.fail(fmt.Errorf("SET %s: %w", k, err))
				continue
			}
			l.mu.Lock()
			l.written[k] = v
			l.mu.Unlock()
			if got, err := c.Get(ctx, k).Result(); err != nil || got != v {
				l.fail(fmt.Errorf("GET %s = %q, %v; want %q", k, got, err, v))
			}
			l.ops.Add(1)
		}
	}()
	return l
}

func (l *clusterLoad) fail(err error) {
	l.mu.Lock()
	if len(l.errs) < 20 {
		l.errs = append(l.errs, err)
	}
	l.mu.Unlock()
}

// finish stops the load and checks every acknowledged write is readable.
func (l *clusterLoad) finish(t *testing.T) {
	t.Helper()
	l.stop.Store(true)
	l.wg.Wait()
	for _, err := range l.errs {
		t.Errorf("client load: %v", err)
	}
	ctx := context.Background()
	for k, v := range l.written {
		if got, err := l.c.Get(ctx, k).Result(); err != nil || got != v {
			t.Fatalf("after load: GET %s = %q, %v; want %q", k, got, err, v)
		}
	}
	t.Logf("client load: %d SET+GET pairs", l.ops.Load())
}

// slotTags returns, for each slot in [0, n), a hash tag that maps to it.
func slotTags(n int) []string {
	tags := make([]string, n)
	found := 0
	for i := 0; found < n; i++ {
		tag := strconv.Itoa(i)
		s := int(keySlot(tag))
		if s < n && tags[s] == "" {
			tags[s] = tag
			found++
		}
	}
	return tags
}

// keySlot is CRC16/XMODEM mod 16384 of a key without hash tag.
func keySlot(key string) uint16 {
	var crc uint16
	for i := 0; i < len(key); i++ {
		crc ^= uint16(key[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc & 0x3fff
}

// TestClusterReshardUnderLoad moves 1,000 slots holding 100,000 keys with
// redis-cli --cluster reshard while a client writes and reads: no key is
// lost and no error other than followed redirections reaches the client.
func TestClusterReshardUnderLoad(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	nodes := startClusterNodes(t, shoalBin, shoalBin, shoalBin)
	createCluster(t, nodes, 0)
	ctx := context.Background()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs(nodes), MaxRedirects: 16})
	defer c.Close()
	// 100 keys in each of slots 0..999 (all on the first master).
	tags := slotTags(1000)
	const perSlot = 100
	p := c.Pipeline()
	for s, tag := range tags {
		for k := range perSlot {
			p.Set(ctx, fmt.Sprintf("{%s}:%d", tag, k), s*perSlot+k, 0)
		}
		if s%50 == 49 {
			if _, err := p.Exec(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	load := startLoad(c, "load")
	id := nodeID(t, nodes[1])
	start := time.Now()
	out, err := redisCli(t, "--cluster", "reshard", nodes[0].addr(), "--cluster-from", nodeID(t, nodes[0]), "--cluster-to", id,
		"--cluster-slots", "1000", "--cluster-yes", "--cluster-pipeline", "100")
	if err != nil || strings.Contains(out, "ERR") {
		t.Fatalf("reshard: %v\n%.3000s", err, out)
	}
	t.Logf("resharded 1000 slots, %d keys in %v", len(tags)*perSlot, time.Since(start))
	load.finish(t)
	clusterCheck(t, nodes[2].addr())
	dst := testutil.Dial(t, nodes[1].addr())
	for s := 0; s < 1000; s += 97 {
		// At least the 100 keys put there (the load's keys may add some).
		if got, _ := strconv.Atoi(strings.TrimSpace(string(dst.Do("CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(s)))[1:])); got < perSlot {
			t.Errorf("slot %d on the target: %d keys", s, got)
		}
	}
	for s, tag := range tags {
		for k := 0; k < perSlot; k += 9 {
			key := fmt.Sprintf("{%s}:%d", tag, k)
			if v, err := c.Get(ctx, key).Int(); err != nil || v != s*perSlot+k {
				t.Fatalf("GET %s = %d, %v", key, v, err)
			}
		}
	}
}

func nodeID(t *testing.T, n *clusterNode) string {
	t.Helper()
	c := testutil.Dial(t, n.addr())
	defer c.Close()
	r := string(c.Do("CLUSTER", "MYID"))
	return strings.TrimSpace(r[strings.Index(r, "\n")+1:])
}

// TestClusterMixed forms one cluster of three shoal-server and three
// redis-server 7.0 nodes (all masters): every node's CLUSTER NODES agrees,
// slots move from a Redis master to a Shoal master and back with
// redis-cli --cluster reshard under client load, and --cluster check is
// clean from either kind of node.
func TestClusterMixed(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	nodes := startClusterNodes(t, shoalBin, redisBin, shoalBin, redisBin, shoalBin, redisBin)
	createCluster(t, nodes, 0)
	waitSameView(t, nodes, 0)
	clusterCheck(t, nodes[0].addr())
	clusterCheck(t, nodes[1].addr())

	ctx := context.Background()
	c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: clusterAddrs(nodes), MaxRedirects: 16})
	defer c.Close()
	p := c.Pipeline()
	for i := range 20000 {
		p.Set(ctx, "mixed:"+strconv.Itoa(i), i, 0)
	}
	if _, err := p.Exec(ctx); err != nil {
		t.Fatal(err)
	}
	load := startLoad(c, "mixedload")
	// Redis master (nodes[1]) -> Shoal master (nodes[0]), then back.
	for _, move := range [][2]*clusterNode{{nodes[1], nodes[0]}, {nodes[0], nodes[1]}} {
		out, err := redisCli(t, "--cluster", "reshard", move[0].addr(), "--cluster-from", nodeID(t, move[0]),
			"--cluster-to", nodeID(t, move[1]), "--cluster-slots", "300", "--cluster-yes")
		if err != nil || strings.Contains(out, "ERR") {
			t.Fatalf("reshard %s -> %s: %v\n%.3000s", move[0].addr(), move[1].addr(), err, out)
		}
		waitSameView(t, nodes, 0)
		clusterCheck(t, move[0].addr())
		clusterCheck(t, move[1].addr())
	}
	load.finish(t)
	for i := 0; i < 20000; i += 7 {
		if v, err := c.Get(ctx, "mixed:"+strconv.Itoa(i)).Int(); err != nil || v != i {
			t.Fatalf("GET mixed:%d = %d, %v", i, v, err)
		}
	}
}

// TestClusterClients runs real cluster clients against a three-master
// Shoal cluster, each writing and reading 10,000 keys with pipelines and
// hash-tagged multi-key commands: go-redis v9's ClusterClient here,
// redis-py's RedisCluster (Debian's python3-redis, test/clients/python)
// and ioredis's Cluster (npm, test/clients/node; .ci/run installs it).
func TestClusterClients(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	nodes := startClusterNodes(t, shoalBin, shoalBin, shoalBin)
	createCluster(t, nodes, 0)
	addrs := clusterAddrs(nodes)

	t.Run("go-redis", func(t *testing.T) {
		ctx := context.Background()
		c := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs})
		defer c.Close()
		const n = 10000
		for start := 0; start < n; start += 1000 {
			if _, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i := start; i < start+1000; i++ {
					p.Set(ctx, "goredis:"+strconv.Itoa(i), i, 0)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		for start := 0; start < n; start += 1000 {
			cmds, err := c.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i := start; i < start+1000; i++ {
					p.Get(ctx, "goredis:"+strconv.Itoa(i))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for j, cmd := range cmds {
				if v, err := cmd.(*redis.StringCmd).Int(); err != nil || v != start+j {
					t.Fatalf("GET goredis:%d = %d, %v", start+j, v, err)
				}
			}
		}
		for u := range 100 {
			tag := fmt.Sprintf("{goredis-user%d}", u)
			keys := []string{tag + ":a", tag + ":b", tag + ":c"}
			if err := c.MSet(ctx, keys[0], "1", keys[1], "2", keys[2], "3").Err(); err != nil {
				t.Fatal(err)
			}
			vals, err := c.MGet(ctx, keys...).Result()
			if err != nil || fmt.Sprint(vals) != "[1 2 3]" {
				t.Fatalf("MGET %v = %v, %v", keys, vals, err)
			}
			tx := c.TxPipeline()
			tx.Incr(ctx, keys[0])
			tx.RPush(ctx, tag+":list", "x")
			if _, err := tx.Exec(ctx); err != nil {
				t.Fatalf("MULTI/EXEC on %s: %v", tag, err)
			}
			if err := c.Del(ctx, append(keys, tag+":list")...).Err(); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.MSet(ctx, "goredis:x", "1", "goredis:y", "2").Err(); err == nil || !strings.HasPrefix(err.Error(), "CROSSSLOT") {
			t.Fatalf("MSET across slots: %v, want CROSSSLOT", err)
		}
	})
	t.Run("redis-py", func(t *testing.T) {
		if err := exec.Command("/usr/bin/python3", "-c", "import redis.cluster").Run(); err != nil {
			t.Skip("Debian's python3-redis is not installed")
		}
		runClient(t, append([]string{"/usr/bin/python3", clientScript(t, "python", "cluster.py")}, addrs...))
	})
	t.Run("ioredis", func(t *testing.T) {
		script := clientScript(t, "node", "cluster.js")
		if _, err := os.Stat(filepath.Join(filepath.Dir(script), "node_modules", "ioredis")); err != nil {
			t.Skip("ioredis not installed (npm ci --prefix test/clients/node)")
		}
		node, err := exec.LookPath("node")
		if err != nil {
			t.Skip("node not on PATH")
		}
		runClient(t, append([]string{node, script}, addrs...))
	})
}

// clientScript is the path of a client script under test/clients.
func clientScript(t *testing.T, parts ...string) string {
	t.Helper()
	root, err := testutil.ModuleRoot()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(append([]string{root, "test", "clients"}, parts...)...)
}

func runClient(t *testing.T, argv []string) {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("%s: %v\n%s", filepath.Base(argv[1]), err, out)
	}
}
