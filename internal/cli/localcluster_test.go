package cli_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// freePortRange returns a first port p such that p..p+n-1 and their bus
// ports are free, the bus ports below the kernel's ephemeral range so that
// no outgoing connection takes one between stop and start.
func freePortRange(t testing.TB, n int) int {
	for range 200 {
		p := 15000 + rand.IntN(7000-n)
		ok := true
		for i := 0; i < n && ok; i++ {
			for _, q := range []int{p + i, p + i + 10000} {
				l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(q))
				if err != nil {
					ok = false
					break
				}
				l.Close()
			}
		}
		if ok {
			return p
		}
	}
	t.Fatal("no free port range")
	return 0
}

// TestLocalCluster drives the local-cluster command as README's first
// command does: start six nodes and create the cluster, write a key, stop,
// start again on the same data, read the key back, clean. The node binary
// is $SHOAL_CLI_NODE, else the shoal-server built for this test.
func TestLocalCluster(t *testing.T) {
	t.Parallel()
	bin := os.Getenv("SHOAL_CLI_NODE")
	if bin == "" {
		bin = filepath.Join(binDir, "shoal-server")
	}
	if testing.Short() {
		t.Skip("starts a cluster")
	}
	dir := filepath.Join(t.TempDir(), "lc")
	port := freePortRange(t, 6)
	ps := strconv.Itoa(port)
	lc := func(args ...string) cliRun {
		return cliOut(t, shoalCli(), "", append([]string{"--local-cluster"}, args...)...)
	}
	t.Cleanup(func() { lc("clean", "--dir", dir) })

	r := lc("start", "--dir", dir, "--port", ps, "--server", bin)
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("Cluster ready: 6 nodes")) ||
		!bytes.Contains(r.stdout, []byte("[OK] All 16384 slots covered.")) ||
		!bytes.Contains(r.stdout, []byte("shoal-cli -c -p "+ps)) {
		t.Fatalf("start exited %d:\n%s\n%s%s", r.code, r.stdout, r.stderr, nodeLogs(dir, port, 6))
	}
	for i := 0; i < 6; i++ {
		for _, f := range []string{"redis.conf", "nodes.conf", "node.log"} {
			if _, err := os.Stat(filepath.Join(dir, strconv.Itoa(port+i), f)); err != nil {
				t.Errorf("node %d: %v", port+i, err)
			}
		}
	}
	conf, _ := os.ReadFile(filepath.Join(dir, ps, "redis.conf"))
	wantConf := "port " + ps + "\ncluster-enabled yes\ncluster-config-file nodes.conf\ncluster-node-timeout 5000\nappendonly yes\n"
	if string(conf) != wantConf {
		t.Errorf("redis.conf:\n%s\nwant:\n%s", conf, wantConf)
	}
	if r := cliOut(t, shoalCli(), "", "-c", "-p", ps, "SET", "kept", "across-restart"); string(r.stdout) != "OK\n" {
		t.Fatalf("SET: %q %q", r.stdout, r.stderr)
	}
	if r := lc("stop", "--dir", dir); r.code != 0 || !bytes.Contains(r.stdout, []byte("Stopped 6 nodes.")) {
		t.Fatalf("stop exited %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := cliOut(t, shoalCli(), "", "-p", ps, "PING"); r.code == 0 {
		t.Fatalf("a node still answers after stop: %q", r.stdout)
	}
	r = lc("start", "--dir", dir)
	if r.code != 0 || !bytes.Contains(r.stdout, []byte("Cluster ready: 6 nodes")) || bytes.Contains(r.stdout, []byte("Master[0]")) {
		t.Fatalf("second start (no create expected) exited %d:\n%s\n%s", r.code, r.stdout, r.stderr)
	}
	if r := cliOut(t, shoalCli(), "", "-c", "-p", ps, "GET", "kept"); string(r.stdout) != "across-restart\n" {
		t.Errorf("after restart GET kept = %q %q", r.stdout, r.stderr)
	}
	if r := lc("status", "--dir", dir); bytes.Count(r.stdout, []byte("cluster_state:ok")) != 6 {
		t.Errorf("status:\n%s", r.stdout)
	}
	if r := lc("clean", "--dir", dir); r.code != 0 {
		t.Errorf("clean exited %d: %s", r.code, r.stderr)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("clean left %s", dir)
	}
}

// nodeLogs returns the logs of the n nodes from port on, for a failure
// message (a node that did not start says why there).
func nodeLogs(dir string, port, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		data, _ := os.ReadFile(filepath.Join(dir, strconv.Itoa(port+i), "node.log"))
		fmt.Fprintf(&b, "\n--- node %d log:\n%s", port+i, data)
	}
	return b.String()
}
