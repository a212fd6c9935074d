package testutil

import (
	"bufio"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"
)

// startTimeout bounds how long a server may take to answer its first PING.
const startTimeout = 20 * time.Second

// StartRedis starts Debian's redis-server on a free port with
// `--save "" --appendonly no --dir <tempdir>` followed by args, and waits
// until it answers PING. ok is false, and nothing is started, when
// redis-server is not on PATH; callers then skip.
func StartRedis(t testing.TB, args ...string) (addr string, ok bool) {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		return "", false
	}
	_, addr = StartServer(t, bin, args...)
	return addr, true
}

// StartShoal starts the shoal-server binary bin (which takes redis-server's
// command line) on a free port, as StartRedis does, and returns its address
// once it answers PING.
func StartShoal(t testing.TB, bin string, args ...string) string {
	t.Helper()
	_, addr := StartServer(t, bin, args...)
	return addr
}

// StartServer starts bin with `--port N --dir D --save "" --appendonly no`
// followed by args, waits until it answers PING and returns the process and
// its address. It fails the test if the process exits or never answers.
func StartServer(t testing.TB, bin string, args ...string) (*Proc, string) {
	t.Helper()
	port := FreePort(t)
	dir := t.TempDir()
	full := append([]string{
		"--port", strconv.Itoa(port),
		"--dir", dir,
		"--save", "",
		"--appendonly", "no",
	}, args...)
	p := StartProc(t, bin, full...)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	exited := false
	ready := Poll(startTimeout, func() bool {
		if p.Exited() {
			exited = true
			return true
		}
		return pingOnce(addr)
	})
	if exited {
		t.Fatalf("testutil: %s exited before answering PING:\n%s", bin, p.Output())
	}
	if !ready {
		t.Fatalf("testutil: %s did not answer PING on %s within %v:\n%s", bin, addr, startTimeout, p.Output())
	}
	return p, addr
}

// pingOnce reports whether addr answers an inline PING with +PONG.
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
