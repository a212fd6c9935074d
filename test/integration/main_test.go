// Package integration runs shoal-server as a process and talks to it the
// way applications do: through the go-redis v9 client in RESP2 and RESP3,
// and through raw sockets for process-level behaviour (configuration
// files, signals, limits, pausing, killing, MONITOR). Where the exact
// bytes matter the same steps also run against redis-server 7.0 and the
// results are compared. It holds test files only.
package integration

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// shoalBin is the built shoal-server; binErr says why there is none.
var (
	shoalBin string
	binErr   error
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "shoal-integration-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := testutil.BuildBinaries(dir); err != nil {
		fmt.Fprintln(os.Stderr, "integration:", err)
		return 1
	}
	shoalBin = filepath.Join(dir, "shoal-server")
	if _, err := os.Stat(shoalBin); err != nil {
		binErr = fmt.Errorf("shoal-server not built: %w", err)
	}
	return m.Run()
}

// startShoal starts shoal-server with args after the harness's own
// (--port, --dir, --save "", --appendonly no) and returns its process and
// address.
func startShoal(t *testing.T, args ...string) (*testutil.Proc, string) {
	t.Helper()
	if binErr != nil {
		t.Skip(binErr)
	}
	return testutil.StartServer(t, shoalBin, args...)
}

// server is one side of a differential test.
type server struct {
	name string // "redis" or "shoal"
	addr string
	proc *testutil.Proc
}

// startBoth starts redis-server and shoal-server with the same extra
// arguments; it skips when redis-server is missing.
func startBoth(t *testing.T, args ...string) []server {
	t.Helper()
	if binErr != nil {
		t.Skip(binErr)
	}
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	rp, raddr := testutil.StartServer(t, bin, args...)
	sp, saddr := testutil.StartServer(t, shoalBin, args...)
	return []server{{"redis", raddr, rp}, {"shoal", saddr, sp}}
}

// sameOnBoth runs f against redis-server and shoal-server started with
// args and fails when the transcripts differ.
func sameOnBoth(t *testing.T, args []string, f func(t *testing.T, addr string) string) {
	t.Helper()
	srvs := startBoth(t, args...)
	want := f(t, srvs[0].addr)
	got := f(t, srvs[1].addr)
	if want != got {
		t.Errorf("transcripts differ\nredis: %q\nshoal: %q", want, got)
	}
}

// freeAddr returns a loopback address with a free port.
func freeAddr(t *testing.T) (int, string) {
	port := testutil.FreePort(t)
	return port, net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
}

// waitPing waits until addr answers PING, failing the test if p exits
// first or nothing answers in time.
func waitPing(t *testing.T, p *testutil.Proc, addr string) {
	t.Helper()
	ok := testutil.Poll(20*time.Second, func() bool {
		return p.Exited() || pingOnce(addr)
	})
	if !ok || p.Exited() {
		t.Fatalf("server on %s did not answer PING:\n%s", addr, p.Output())
	}
}

func pingOnce(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// closedByPeer reports whether the server closed c: a read returns EOF or
// a reset instead of timing out.
func closedByPeer(c *testutil.Conn, wait time.Duration) bool {
	_, err := c.TryReadReply(wait)
	if err == nil {
		return false
	}
	var ne net.Error
	return !errors.As(err, &ne) || !ne.Timeout()
}
