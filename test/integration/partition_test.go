package integration

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// A network partition made of Linux network namespaces: every node runs
// in a namespace of its own, wired by a veth pair to a bridge in one more
// namespace; cutting a node off is setting its bridge end down. Every
// address lives inside those namespaces; the test talks to the nodes with
// `ip netns exec <ns> redis-cli`. It needs root and `ip netns`.

// netnsCluster is six nodes, one per namespace, on one bridge.
type netnsCluster struct {
	prefix string
	subnet string // "10.x.y."
	bridge string // the bridge's namespace
	nodes  []*netnsNode
}

type netnsNode struct {
	ns   string
	ip   string
	peer string // its veth end in the bridge namespace
	proc *testutil.Proc
}

const netnsPort = 7000

func run(args ...string) error {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return nil
}

// newNetnsCluster builds the namespaces, or skips the test when it cannot.
func newNetnsCluster(t *testing.T, n int) *netnsCluster {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("network namespaces need root")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("no ip command")
	}
	pid := os.Getpid()
	c := &netnsCluster{
		prefix: fmt.Sprintf("shfo%d", pid%100000),
		subnet: fmt.Sprintf("10.%d.%d.", 100+pid%100, (pid/100)%250),
	}
	c.bridge = c.prefix + "br"
	if err := run("ip", "netns", "add", c.bridge); err != nil {
		t.Skipf("ip netns unavailable: %v", err)
	}
	t.Cleanup(func() {
		for _, nd := range c.nodes {
			run("ip", "netns", "del", nd.ns)
		}
		run("ip", "netns", "del", c.bridge)
	})
	br := []string{"ip", "netns", "exec", c.bridge}
	steps := [][]string{
		append(br, "ip", "link", "add", "br0", "type", "bridge"),
		append(br, "ip", "link", "set", "br0", "up"),
	}
	for i := 0; i < n; i++ {
		nd := &netnsNode{ns: fmt.Sprintf("%sn%d", c.prefix, i), ip: c.subnet + strconv.Itoa(i+1), peer: fmt.Sprintf("v%db", i)}
		c.nodes = append(c.nodes, nd)
		in := []string{"ip", "netns", "exec", nd.ns}
		steps = append(steps,
			[]string{"ip", "netns", "add", nd.ns},
			append(br, "ip", "link", "add", nd.peer, "type", "veth", "peer", "name", "eth0", "netns", nd.ns),
			append(br, "ip", "link", "set", nd.peer, "master", "br0"),
			append(br, "ip", "link", "set", nd.peer, "up"),
			append(in, "ip", "link", "set", "lo", "up"),
			append(in, "ip", "addr", "add", nd.ip+"/24", "dev", "eth0"),
			append(in, "ip", "link", "set", "eth0", "up"),
		)
	}
	for _, s := range steps {
		if err := run(s...); err != nil {
			t.Skipf("cannot build the namespaces: %v", err)
		}
	}
	return c
}

// cli runs redis-cli against node i from inside its namespace.
func (c *netnsCluster) cli(i int, args ...string) (string, error) {
	a := append([]string{"netns", "exec", c.nodes[i].ns, "redis-cli", "-p", strconv.Itoa(netnsPort)}, args...)
	out, err := exec.Command("ip", a...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

// setLink connects (up) or cuts off (down) node i.
func (c *netnsCluster) setLink(t *testing.T, i int, up bool) {
	t.Helper()
	state := "down"
	if up {
		state = "up"
	}
	if err := run("ip", "netns", "exec", c.bridge, "ip", "link", "set", c.nodes[i].peer, state); err != nil {
		t.Fatal(err)
	}
}

func (c *netnsCluster) start(t *testing.T, bin string, timeout int) {
	t.Helper()
	root := t.TempDir()
	for i, nd := range c.nodes {
		dir := filepath.Join(root, strconv.Itoa(i))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		conf := fmt.Sprintf(failoverConf, netnsPort, timeout) + "protected-mode no\n"
		if err := os.WriteFile(filepath.Join(dir, "redis.conf"), []byte(conf), 0o644); err != nil {
			t.Fatal(err)
		}
		nd.proc = testutil.StartProcIn(t, dir, "ip", "netns", "exec", nd.ns, bin, "./redis.conf")
		testutil.WaitFor(t, 10*time.Second, func() bool {
			out, err := c.cli(i, "PING")
			return err == nil && out == "PONG"
		})
	}
	args := []string{"--cluster", "create"}
	for _, nd := range c.nodes {
		args = append(args, nd.ip+":"+strconv.Itoa(netnsPort))
	}
	args = append(args, "--cluster-replicas", "1", "--cluster-yes")
	out, err := c.cli(0, args...)
	if err != nil || !strings.Contains(out, "[OK] All 16384 slots covered.") {
		t.Fatalf("cluster create: %v\n%s", err, out)
	}
}

// view is node i's CLUSTER NODES as id -> fields.
func (c *netnsCluster) view(i int) map[string][]string {
	out, err := c.cli(i, "CLUSTER", "NODES")
	if err != nil {
		return nil
	}
	v := map[string][]string{}
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) >= 8 {
			v[f[0]] = f
		}
	}
	return v
}

// myID is node i's CLUSTER MYID.
func (c *netnsCluster) myID(i int) string {
	out, _ := c.cli(i, "CLUSTER", "MYID")
	return out
}

// oneMasterPerSlot reports whether node i sees every slot served by one
// master that is not failing, and returns that view rendered.
func (c *netnsCluster) oneMasterPerSlot(i int) (string, bool) {
	v := c.view(i)
	if v == nil {
		return "", false
	}
	var owners [16384]int
	var lines []string
	for id, f := range v {
		if !strings.Contains(f[2], "master") || strings.Contains(f[2], "fail") {
			continue
		}
		lines = append(lines, id+" "+strings.Join(f[8:], " "))
		for _, r := range f[8:] {
			lo, hi, found := strings.Cut(r, "-")
			if !found {
				hi = lo
			}
			a, err1 := strconv.Atoi(lo)
			b, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil {
				continue
			}
			for s := a; s <= b && s < 16384; s++ {
				owners[s]++
			}
		}
	}
	for _, n := range owners {
		if n != 1 {
			return "", false
		}
	}
	sortStrings(lines)
	return strings.Join(lines, "\n"), true
}

func sortStrings(a []string) {
	for i := 1; i < len(a); i++ {
		for j := i; j > 0 && a[j] < a[j-1]; j-- {
			a[j], a[j-1] = a[j-1], a[j]
		}
	}
}

// TestClusterPartition: a master cut off alone answers CLUSTERDOWN after
// the node timeout, the majority promotes its replica; after healing every
// node sees exactly one master per slot and the old master is a replica.
// The same steps run against redis-server 7.0 when it is installed, and
// both timings are printed.
func TestClusterPartition(t *testing.T) {
	bins := map[string]string{}
	if binErr == nil {
		bins["shoal"] = shoalBin
	}
	if p, err := exec.LookPath("redis-server"); err == nil {
		bins["redis"] = p
	}
	if _, err := exec.LookPath("redis-cli"); err != nil {
		t.Skip("redis-cli not on PATH")
	}
	for _, name := range []string{"shoal", "redis"} {
		bin, ok := bins[name]
		if !ok {
			continue
		}
		t.Run(name, func(t *testing.T) { testPartition(t, name, bin) })
	}
}

func testPartition(t *testing.T, name, bin string) {
	const timeout = 2000
	c := newNetnsCluster(t, 6)
	c.start(t, bin, timeout)
	// Converged: every node sees three replicas, every replica in sync,
	// every node's cluster_state ok.
	testutil.WaitFor(t, 30*time.Second, func() bool {
		for i := range c.nodes {
			n := 0
			for _, f := range c.view(i) {
				if strings.Contains(f[2], "slave") {
					n++
				}
			}
			if n != 3 {
				return false
			}
			info, _ := c.cli(i, "INFO", "replication")
			if !strings.Contains(info, "connected_slaves:1") && !strings.Contains(info, "master_link_status:up") {
				return false
			}
			// A master reports ok only once its writable delay is over,
			// which may come after its replica is in sync.
			if state, _ := c.cli(i, "CLUSTER", "INFO"); !strings.Contains(state, "cluster_state:ok") {
				return false
			}
		}
		return true
	})
	// The victim: the master of slot 0 ("{06S}" hashes to slot 0), and its replica.
	ids := make([]string, len(c.nodes))
	victim, replica := -1, -1
	for i := range c.nodes {
		ids[i] = c.myID(i)
	}
	v := c.view(0)
	for i, id := range ids {
		if f := v[id]; strings.Contains(f[2], "master") && len(f) > 8 && strings.HasPrefix(f[8], "0-") {
			victim = i
		}
	}
	for i, id := range ids {
		if f := v[id]; victim >= 0 && f[3] == ids[victim] {
			replica = i
		}
	}
	if victim < 0 || replica < 0 {
		t.Fatalf("no master of slot 0 with a replica: %v", v)
	}
	if out, err := c.cli(victim, "SET", "{06S}", "before"); err != nil || out != "OK" {
		t.Fatalf("SET before the partition: %v %q", err, out)
	}

	cut := time.Now()
	c.setLink(t, victim, false)
	var down, promoted time.Duration
	testutil.WaitFor(t, 30*time.Second, func() bool {
		if down == 0 {
			if out, _ := c.cli(victim, "SET", "{06S}", "minority"); strings.HasPrefix(out, "CLUSTERDOWN") {
				down = time.Since(cut)
			}
		}
		if promoted == 0 {
			if out, _ := c.cli(replica, "ROLE"); strings.HasPrefix(out, "master") {
				promoted = time.Since(cut)
			}
		}
		return down != 0 && promoted != 0
	})
	if out, err := c.cli(replica, "SET", "{06S}", "majority"); err != nil || out != "OK" {
		t.Fatalf("SET on the promoted replica: %v %q", err, out)
	}

	healed := time.Now()
	c.setLink(t, victim, true)
	var rejoined time.Duration
	testutil.WaitFor(t, 60*time.Second, func() bool {
		first := ""
		for i := range c.nodes {
			view, ok := c.oneMasterPerSlot(i)
			if !ok || (first != "" && view != first) {
				return false
			}
			first = view
			if f := c.view(i)[ids[victim]]; f == nil || !strings.Contains(f[2], "slave") || f[3] != ids[replica] {
				return false
			}
		}
		info, _ := c.cli(victim, "INFO", "replication")
		if !strings.Contains(info, "master_link_status:up") {
			return false
		}
		rejoined = time.Since(healed)
		return true
	})
	if out, _ := c.cli(victim, "GET", "{06S}"); !strings.Contains(out, "MOVED") {
		t.Errorf("GET on the old master: %q, want MOVED", out)
	}
	if out, _ := c.cli(replica, "GET", "{06S}"); out != "majority" {
		t.Errorf("GET on the new master: %q, want the majority's write", out)
	}
	fmt.Printf("PARTITION-RESULT server=%s node-timeout=%d clusterdown_ms=%d promotion_ms=%d rejoin_after_heal_ms=%d\n",
		name, timeout, down.Milliseconds(), promoted.Milliseconds(), rejoined.Milliseconds())
}
