package integration

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"shoal/internal/testutil"
)

// TestStartupBanner: with stdout not a terminal the server logs Redis's
// one-line "Running mode=..." instead of the logo; always-show-logo yes
// prints the logo anyway.
func TestStartupBanner(t *testing.T) {
	p, addr := startShoal(t)
	_, port, _ := net.SplitHostPort(addr)
	out := p.Output()
	if !strings.Contains(out, " * Running mode=standalone, port="+port+".\n") || strings.Contains(out, "><>") {
		t.Fatalf("want the running-mode line and no logo:\n%s", out)
	}
	p, addr = startShoal(t, "--always-show-logo", "yes")
	_, port, _ = net.SplitHostPort(addr)
	out = p.Output()
	if !strings.Contains(out, "Running in standalone mode") || !strings.Contains(out, "Port: "+port+"\n") || strings.Contains(out, "Running mode=") {
		t.Fatalf("want the logo:\n%s", out)
	}
}

// TestUnimplementedDirectiveWarnings: directives of missing features log
// one warning each when set away from their default, and none otherwise.
func TestUnimplementedDirectiveWarnings(t *testing.T) {
	p, _ := startShoal(t, "--repl-timeout", "60", "--cluster-replica-no-failover", "yes", "--shutdown-timeout", "5", "--replica-ignore-disk-write-errors", "yes", "--io-threads-do-reads", "yes")
	out := p.Output()
	for _, want := range []string{
		"# WARNING: 'replica-ignore-disk-write-errors' is accepted for compatibility but has no effect yet: exempting replicas from disk errors is not implemented in this version.\n",
		"# WARNING: 'io-threads-do-reads' has no effect: Shoal's I/O threads always read and parse their clients' commands.\n",
	} {
		if strings.Count(out, want) != 1 {
			t.Errorf("want once: %q", want)
		}
	}
	if strings.Contains(out, "'repl-timeout'") {
		t.Errorf("repl-timeout at its default warned")
	}
	if strings.Contains(out, "'shutdown-timeout'") {
		t.Errorf("shutdown-timeout takes effect, yet warned")
	}
	if strings.Contains(out, "'cluster-replica-no-failover'") {
		t.Errorf("cluster-replica-no-failover takes effect, yet warned")
	}
	if t.Failed() {
		t.Logf("output:\n%s", out)
	}
}

// TestSupervisedSystemd: with supervised systemd the server reports
// loading, readiness and stopping on NOTIFY_SOCKET, as redis-server does.
func TestSupervisedSystemd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "notify.sock")
	sock, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer sock.Close()
	t.Setenv("NOTIFY_SOCKET", path)
	p, addr := startShoal(t, "--supervised", "systemd")
	read := func() string {
		sock.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 512)
		n, err := sock.Read(buf)
		if err != nil {
			t.Fatalf("notify socket: %v\n%s", err, p.Output())
		}
		return string(buf[:n])
	}
	for _, want := range []string{"STATUS=Shoal is loading...\n", "STATUS=Ready to accept connections\n", "READY=1\n"} {
		if got := read(); got != want {
			t.Fatalf("got %q, want %q", got, want)
		}
	}
	c := testutil.Dial(t, addr)
	if got := infoLine(c.Do("INFO", "server"), "process_supervised"); got != "process_supervised:systemd" {
		t.Errorf("INFO: %s", got)
	}
	p.Stop()
	if got := read(); got != "STOPPING=1\n" {
		t.Fatalf("got %q at shutdown, want STOPPING=1", got)
	}
	if !strings.Contains(p.Output(), " * Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit.\n") {
		t.Errorf("missing the supervision log line:\n%s", p.Output())
	}
}

// TestDynamicHz: INFO shows the configured hz and, with dynamic-hz, the
// effective one doubling while clients/hz exceeds 200.
func TestDynamicHz(t *testing.T) {
	for _, dynamic := range []string{"yes", "no"} {
		t.Run(dynamic, func(t *testing.T) {
			_, addr := startShoal(t, "--hz", "1", "--dynamic-hz", dynamic)
			c := testutil.Dial(t, addr)
			var conns []net.Conn
			defer func() {
				for _, nc := range conns {
					nc.Close()
				}
			}()
			for range 202 {
				nc, err := net.Dial("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				conns = append(conns, nc)
			}
			want := "hz:2"
			if dynamic == "no" {
				want = "hz:1"
			}
			// Wait for two cron runs with every client counted.
			var hz string
			testutil.Poll(5*time.Second, func() bool {
				info := c.Do("INFO", "server")
				hz = infoLine(info, "hz")
				return infoLine(info, "configured_hz") == "configured_hz:1" && hz == want
			})
			if hz != want {
				t.Fatalf("INFO %s, want %s", hz, want)
			}
		})
	}
}

// TestLazyfreedObjects: INFO lazyfreed_objects counts what Redis frees
// lazily for the same commands: values over 64 allocations deleted by
// UNLINK (or DEL under lazyfree-lazy-user-del), and every key dropped by
// an asynchronous FLUSHALL/FLUSHDB (ASYNC, or lazyfree-lazy-user-flush).
func TestLazyfreedObjects(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var out strings.Builder
		// lazy records the counter once Redis's background thread has
		// freed everything queued (Shoal has nothing pending, ever).
		lazy := func(step string) {
			var info []byte
			testutil.Poll(2*time.Second, func() bool {
				info = c.Do("INFO", "memory")
				return infoLine(info, "lazyfree_pending_objects") == "lazyfree_pending_objects:0"
			})
			fmt.Fprintf(&out, "%s %s\n", step, infoLine(info, "lazyfreed_objects"))
		}
		fill := func(key string, n int) {
			args := []string{"SADD", key}
			for i := range n {
				args = append(args, fmt.Sprintf("m%d", i))
			}
			c.Do(args...)
		}
		fill("s100", 100)
		fill("s64", 64)
		c.Do("RPUSH", "l", "a", "b", "c")
		c.Do("DEL", "s100")
		lazy("del")
		fill("s100", 100)
		c.Do("UNLINK", "s100", "s64", "l")
		lazy("unlink")
		c.Do("SET", "a", "1")
		c.Do("SET", "b", "1")
		c.Do("FLUSHALL")
		lazy("flushall")
		c.Do("SET", "a", "1")
		c.Do("FLUSHALL", "ASYNC")
		lazy("flushall async")
		c.Do("CONFIG", "SET", "lazyfree-lazy-user-flush", "yes", "lazyfree-lazy-user-del", "yes")
		c.Do("SET", "a", "1")
		c.Do("FLUSHDB")
		lazy("flushdb lazy")
		c.Do("SET", "a", "1")
		c.Do("FLUSHDB", "SYNC")
		lazy("flushdb sync")
		fill("s100", 100)
		c.Do("DEL", "s100")
		lazy("del lazy")
		return out.String()
	})
}

// TestRenameCommand: rename-command moves a command to another name (its
// stats keep the original) or removes it with "" (Redis's unit/introspection
// "CONFIG REWRITE handles rename-command properly").
func TestRenameCommand(t *testing.T) {
	sameOnBoth(t, []string{"--rename-command", "flushdb", "badger", "--rename-command", "debug", ""}, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var out []string
		for _, cmd := range [][]string{{"SET", "k", "v"}, {"FLUSHDB"}, {"BADGER"}, {"DBSIZE"}, {"DEBUG", "HELP"}} {
			out = append(out, string(c.Do(cmd...)))
		}
		line := infoLine(c.Do("INFO", "commandstats"), "cmdstat_flushdb")
		out = append(out, line[:strings.Index(line, ",")])
		return strings.Join(out, "|")
	})
}

// TestProcTitleCmdline: proc-title-template shows in /proc/PID/cmdline in
// full, as Redis's setproctitle leaves it (one argument, {title} being
// argv[0] as executed), compared with redis-server given the same
// template (Redis's unit/other "Process title set as expected"). Moving
// the command line needs a kernel with prctl PR_SET_MM_MAP
// (CONFIG_CHECKPOINT_RESTORE); without it Shoal names the process instead
// and the test skips.
func TestProcTitleCmdline(t *testing.T) {
	const tmpl = "TEST {title} {listen-addr} {port} {tls-port} {config-file}"
	var mapSize uint32
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, 35 /* PR_SET_MM */, 15, /* PR_SET_MM_MAP_SIZE */
		uintptr(unsafe.Pointer(&mapSize)), 0, 0, 0); e != 0 {
		t.Skipf("no prctl PR_SET_MM_MAP: %v", e)
	}
	var titles []string
	for _, srv := range startBoth(t) {
		c := testutil.Dial(t, srv.addr)
		if r := string(c.Do("CONFIG", "SET", "proc-title-template", tmpl)); r != "+OK\r\n" {
			t.Fatalf("%s: CONFIG SET: %q", srv.name, r)
		}
		raw, err := os.ReadFile("/proc/" + strconv.Itoa(srv.proc.Pid()) + "/cmdline")
		if err != nil {
			t.Skip(err)
		}
		_, port, _ := net.SplitHostPort(srv.addr)
		// Redis pads the rest of its original argv and environ area with NULs.
		title := strings.ReplaceAll(strings.TrimRight(string(raw), "\x00"), port, "PORT")
		bin, _, _ := strings.Cut(strings.TrimPrefix(title, "TEST "), " ")
		title = strings.Replace(title, bin, "BIN", 1)
		titles = append(titles, title)
		if r := string(c.Do("CONFIG", "SET", "proc-title-template", "{invalid-var}")); !strings.Contains(r, "template format is invalid") {
			t.Errorf("%s: bad template: %q", srv.name, r)
		}
	}
	if titles[0] != titles[1] {
		t.Errorf("cmdline differs\nredis: %q\nshoal: %q", titles[0], titles[1])
	}
}
