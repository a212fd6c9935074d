package integration

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// startUnix starts bin with `--port <port> --dir D --save "" --appendonly
// no --unixsocket path` followed by args, and waits until it answers PING
// on the socket.
func startUnix(t *testing.T, bin, port, path string, args ...string) *testutil.Proc {
	t.Helper()
	full := append([]string{"--port", port, "--dir", t.TempDir(), "--save", "", "--appendonly", "no", "--unixsocket", path}, args...)
	p := testutil.StartProc(t, bin, full...)
	ok := testutil.Poll(20*time.Second, func() bool { return p.Exited() || unixPing(path) })
	if !ok || p.Exited() {
		t.Fatalf("%s did not answer PING on %s:\n%s", bin, path, p.Output())
	}
	return p
}

func unixPing(path string) bool {
	c, err := net.DialTimeout("unix", path, time.Second)
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

// dialUnix connects to the Unix socket at path; the connection is closed
// at cleanup.
func dialUnix(t *testing.T, path string) *unixConn {
	t.Helper()
	nc, err := net.DialTimeout("unix", path, 5*time.Second)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	t.Cleanup(func() { nc.Close() })
	return &unixConn{t: t, nc: nc}
}

// unixConn is a raw RESP connection over a Unix socket.
type unixConn struct {
	t   *testing.T
	nc  net.Conn
	buf []byte
}

func (c *unixConn) do(args ...string) string {
	c.t.Helper()
	c.nc.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.nc.Write(testutil.AppendCommand(nil, args...)); err != nil {
		c.t.Fatalf("%v: %v", args, err)
	}
	for {
		n, err := testutil.FrameLen(c.buf)
		if err != nil {
			c.t.Fatal(err)
		}
		if n > 0 {
			r := string(c.buf[:n])
			c.buf = c.buf[:copy(c.buf, c.buf[n:])]
			return r
		}
		tmp := make([]byte, 4096)
		m, err := c.nc.Read(tmp)
		if m == 0 && err != nil {
			c.t.Fatalf("%v: %v", args, err)
		}
		c.buf = append(c.buf, tmp[:m]...)
	}
}

// fields picks the named fields of a CLIENT INFO/LIST line.
func fields(line string, names ...string) string {
	var out []string
	for _, f := range strings.Fields(line) {
		for _, n := range names {
			if strings.HasPrefix(f, n+"=") {
				out = append(out, f)
			}
		}
	}
	return strings.Join(out, " ")
}

// TestUnixSocket runs the same steps over a Unix socket against
// redis-server and shoal-server, both with port 0 (no TCP) and with a TCP
// port too, and compares what a client sees: the socket's mode from
// unixsocketperm, CLIENT INFO/LIST's addr, laddr and flags, CONFIG
// GET/SET of the directives, CLIENT KILL ADDR <path>:0, the start-up log
// line, and the socket file removed by SHUTDOWN.
func TestUnixSocket(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	for _, tcp := range []bool{false, true} {
		t.Run(fmt.Sprintf("tcp=%v", tcp), func(t *testing.T) {
			run := func(bin string) string {
				path := filepath.Join(t.TempDir(), "s.sock")
				// A stale file at the path is replaced.
				if err := os.WriteFile(path, []byte("stale"), 0o644); err != nil {
					t.Fatal(err)
				}
				port := "0"
				if tcp {
					port = fmt.Sprint(testutil.FreePort(t))
				}
				p := startUnix(t, bin, port, path, "--unixsocketperm", "700")
				var out strings.Builder
				norm := func(s string) string { return strings.ReplaceAll(s, path, "<path>") }
				step := func(format string, args ...any) {
					out.WriteString(norm(fmt.Sprintf(format, args...)) + "\n")
				}
				fi, err := os.Lstat(path)
				if err != nil {
					t.Fatal(err)
				}
				step("mode %v", fi.Mode())
				c := dialUnix(t, path)
				step("PING %q", c.do("PING"))
				step("CLIENT INFO %s", fields(c.do("CLIENT", "INFO"), "addr", "laddr", "flags", "db"))
				for _, d := range []string{"unixsocket", "unixsocketperm"} {
					step("CONFIG GET %s %q", d, c.do("CONFIG", "GET", d))
				}
				step("port is zero %v", c.do("CONFIG", "GET", "port") == "*2\r\n$4\r\nport\r\n$1\r\n0\r\n")
				step("CONFIG SET unixsocketperm %q", c.do("CONFIG", "SET", "unixsocketperm", "777"))
				step("CONFIG SET unixsocket %q", c.do("CONFIG", "SET", "unixsocket", "/tmp/x"))
				c2 := dialUnix(t, path)
				c2.do("CLIENT", "SETNAME", "second")
				c3 := dialUnix(t, path)
				c3.do("CLIENT", "SETNAME", "third")
				step("CLIENT LIST %s", fields(strings.ReplaceAll(c.do("CLIENT", "LIST"), "\n", " | "), "flags", "name"))
				step("CLIENT KILL ADDR %q", c.do("CLIENT", "KILL", "ADDR", path+":0"))
				step("CLIENT KILL LADDR %q", c.do("CLIENT", "KILL", "LADDR", path+":0", "SKIPME", "no"))
				if cli, err := exec.LookPath("redis-cli"); err == nil {
					b, err := exec.Command(cli, "-s", path, "ping").CombinedOutput()
					step("redis-cli -s ping: %q %v", b, err)
				}
				c4 := dialUnix(t, path)
				c4.nc.Write([]byte("SHUTDOWN NOSAVE\r\n"))
				exited := testutil.Poll(10*time.Second, p.Exited)
				_, statErr := os.Lstat(path)
				step("exited %v, socket removed %v", exited, os.IsNotExist(statErr))
				log := p.Output()
				step("ready line %v", strings.Contains(log, "The server is now ready to accept connections at "+path+"\n"))
				step("removal line %v", strings.Contains(log, "Removing the unix socket file.\n"))
				return out.String()
			}
			want := run(redisBin)
			got := run(shoalBin)
			if want != got {
				t.Errorf("transcripts differ\nredis:\n%s\nshoal:\n%s", want, got)
			}
			t.Logf("transcript:\n%s", got)
		})
	}
}

// TestBindNothing: bind "" listens on no TCP address, on the command line
// as with CONFIG SET (Redis's unit/networking "Default bind address
// configuration handling"); CONFIG SET bind then opens the port again.
func TestBindNothing(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	bins := map[string]string{"shoal": shoalBin}
	if r, err := exec.LookPath("redis-server"); err == nil {
		bins["redis"] = r
	}
	for name, bin := range bins {
		t.Run(name, func(t *testing.T) {
			port, addr := freeAddr(t)
			path := filepath.Join(t.TempDir(), "s.sock")
			startUnix(t, bin, fmt.Sprint(port), path, "--bind", "")
			c := dialUnix(t, path)
			if got := c.do("CONFIG", "GET", "bind"); got != "*2\r\n$4\r\nbind\r\n$0\r\n\r\n" {
				t.Fatalf("CONFIG GET bind = %q", got)
			}
			if pingOnce(addr) {
				t.Fatalf("TCP port %d answers with bind \"\"", port)
			}
			if got := c.do("CONFIG", "SET", "bind", "127.0.0.1"); got != "+OK\r\n" {
				t.Fatalf("CONFIG SET bind = %q", got)
			}
			if !pingOnce(addr) {
				t.Fatal("no TCP listener after CONFIG SET bind 127.0.0.1")
			}
		})
	}
}
