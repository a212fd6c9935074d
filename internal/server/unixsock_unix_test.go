package server

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/config"
	"shoal/internal/testutil"
)

// startConfigured runs a server in this process with the configuration
// startInProcess uses, changed by edit, and returns it with a function
// that shuts it down and waits for Serve to return (also run at cleanup).
func startConfigured(t *testing.T, edit func(*config.Config)) (*Server, func()) {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Port = 0
	cfg.Bind = []string{"127.0.0.1"}
	cfg.Save = nil
	cfg.AppendOnly = false
	cfg.Dir = dir
	cfg.LogFile = filepath.Join(dir, "shoal.log")
	edit(cfg)
	s := New(cfg)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		s.Shutdown()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after Shutdown")
		}
	}
	t.Cleanup(stop)
	return s, stop
}

// unixDo sends one command over a fresh connection to the Unix socket at
// path and returns the reply.
func unixDo(t *testing.T, path string, args ...string) []byte {
	t.Helper()
	nc, err := net.DialTimeout("unix", path, replyTimeout)
	if err != nil {
		t.Fatalf("dial %s: %v", path, err)
	}
	c := &rclient{nc: nc}
	defer c.close()
	r, err := c.do(args...)
	if err != nil {
		t.Fatalf("%v over %s: %v", args, path, err)
	}
	return r
}

// clientField returns one field of a CLIENT INFO / LIST line.
func clientField(line []byte, name string) string {
	for _, f := range strings.Fields(string(line)) {
		if v, ok := strings.CutPrefix(f, name+"="); ok {
			return v
		}
	}
	return ""
}

// TestUnixSocket checks the unixsocket listener as Redis 7.0.15 behaves:
// a stale file at the path is replaced, unixsocketperm sets the mode,
// clients show addr=laddr=<path>:0 and flag U, protected mode does not
// refuse them, port 0 means no TCP at all, a TCP rebind leaves the socket
// alone and shutdown removes the file.
func TestUnixSocket(t *testing.T) {
	tests := []struct {
		name     string
		port0    bool // port 0: the Unix socket only
		perm     int
		wantMode os.FileMode // 0: whatever the umask gives
	}{
		{"unix only", true, 0, 0},
		{"tcp and unix, 700", false, 0o700, 0o700},
		{"tcp and unix, 777", false, 0o777, 0o777},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "shoal.sock")
			if err := os.WriteFile(path, []byte("stale"), 0o600); err != nil {
				t.Fatal(err)
			}
			tcpPort := 0
			if !tt.port0 {
				tcpPort = testutil.FreePort(t)
			}
			s, stop := startConfigured(t, func(c *config.Config) {
				c.Port = tcpPort
				c.UnixSocket = path
				c.UnixSocketPerm = tt.perm
				// The default bind with protected mode on: TCP clients
				// from elsewhere would be refused, Unix ones never are.
				c.Bind = config.Default().Bind
				c.ProtectedMode = true
				c.IOThreads = 2
			})
			fi, err := os.Lstat(path)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode()&os.ModeSocket == 0 {
				t.Fatalf("%s is %v, not a socket", path, fi.Mode())
			}
			if tt.wantMode != 0 && fi.Mode().Perm() != tt.wantMode {
				t.Errorf("mode %v, want %v", fi.Mode().Perm(), tt.wantMode)
			}
			if got := unixDo(t, path, "PING"); string(got) != "+PONG\r\n" {
				t.Errorf("PING = %q", got)
			}
			info := unixDo(t, path, "CLIENT", "INFO")
			for field, want := range map[string]string{"addr": path + ":0", "laddr": path + ":0", "flags": "U"} {
				if got := clientField(info, field); got != want {
					t.Errorf("CLIENT INFO %s=%q, want %q (%q)", field, got, want, info)
				}
			}
			if got := s.Port(); got != tcpPort {
				t.Errorf("Port() = %d, want %d", got, tcpPort)
			}
			if tt.port0 {
				if n := len(s.listeners.Load().fds); n != 0 {
					t.Errorf("port 0 with unixsocket opened %d TCP sockets", n)
				}
				// CONFIG SET port opens TCP; the socket keeps serving.
				p := strconv.Itoa(testutil.FreePort(t))
				if got := unixDo(t, path, "CONFIG", "SET", "port", p); string(got) != "+OK\r\n" {
					t.Fatalf("CONFIG SET port = %q", got)
				}
				tc, err := dialClient(net.JoinHostPort("127.0.0.1", p))
				if err != nil {
					t.Fatal(err)
				}
				if err := tc.expect("+PONG\r\n", "PING"); err != nil {
					t.Error(err)
				}
				tc.close()
			} else {
				if got := unixDo(t, path, "CONFIG", "SET", "port", "0"); string(got) != "+OK\r\n" {
					t.Fatalf("CONFIG SET port 0 = %q", got)
				}
			}
			if got := unixDo(t, path, "PING"); string(got) != "+PONG\r\n" {
				t.Errorf("PING after rebind = %q", got)
			}
			if got := unixDo(t, path, "CONFIG", "SET", "unixsocketperm", "777"); !bytes.HasPrefix(got, []byte("-ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config")) {
				t.Errorf("CONFIG SET unixsocketperm = %q", got)
			}
			stop()
			if _, err := os.Lstat(path); !os.IsNotExist(err) {
				t.Errorf("socket file left after shutdown: %v", err)
			}
			log, _ := os.ReadFile(s.cfg.LogFile)
			for _, want := range []string{"The server is now ready to accept connections at " + path + "\n", "Removing the unix socket file.\n"} {
				if !bytes.Contains(log, []byte(want)) {
					t.Errorf("log lacks %q:\n%s", want, log)
				}
			}
		})
	}
}

// TestListenUnixErrors checks start-up failures: Redis's message for a
// socket that cannot be created, and no TCP socket left open behind it.
func TestListenUnixErrors(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"/nonexistent-shoal-dir/x.sock", "Failed opening Unix socket: bind: no such file or directory"},
	}
	for _, tt := range tests {
		cfg := config.Default()
		cfg.Port = 0
		cfg.Bind = []string{"127.0.0.1"}
		cfg.UnixSocket = tt.path
		cfg.LogFile = filepath.Join(t.TempDir(), "shoal.log")
		s := New(cfg)
		err := s.Listen()
		if err == nil || err.Error() != tt.want {
			t.Errorf("Listen with unixsocket %q: %v, want %q", tt.path, err, tt.want)
		}
		if s.listeners.Load() != nil {
			t.Errorf("listeners published after a failed Listen")
		}
	}
}
