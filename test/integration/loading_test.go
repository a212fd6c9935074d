package integration

import (
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// loadingKeys is how many keys the loading tests write; with
// key-load-delay they take about a second to load. Clients are served only
// at the loader's yields (every 1024 bytes here), and the loops' start, an
// accept and each command take a few of them, so the file must be long
// enough to give the tests' commands their yields.
const loadingKeys = 4000

// startLoading starts a shoal-server over dir that loads slowly (a delay
// per key, clients let in every KB) and dials it as soon as it listens,
// before the load ends.
func startLoading(t *testing.T, dir string, args ...string) (*testutil.Proc, *testutil.Conn) {
	t.Helper()
	return startLoadingBin(t, shoalBin, dir, args...)
}

// startLoadingBin is startLoading with the server binary bin (shoal-server
// or redis-server, which take the same arguments).
func startLoadingBin(t *testing.T, bin, dir string, args ...string) (*testutil.Proc, *testutil.Conn) {
	t.Helper()
	port, addr := freeAddr(t)
	full := append([]string{"--port", strconv.Itoa(port), "--dir", dir, "--save", "",
		"--key-load-delay", "200", "--loading-process-events-interval-bytes", "1024"}, args...)
	p := testutil.StartProc(t, bin, full...)
	testutil.WaitFor(t, 20*time.Second, func() bool {
		if p.Exited() {
			t.Fatalf("exited:\n%s", p.Output())
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	// Wait until the loops serve the load (INFO is allowed while loading).
	c := testutil.Dial(t, addr)
	testutil.WaitFor(t, 20*time.Second, func() bool {
		return loadInfoField(replyText(c.Do("INFO", "persistence")), "loading") == "1"
	})
	return p, c
}

func loadInfoField(info, field string) string {
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

// TestLoadingServesClients: while an RDB file, an AOF with an RDB preamble
// and an AOF of commands load, a client is answered -LOADING for commands
// Redis refuses while loading, INFO (flagged "loading") answers with
// loading:1 and the loading_* fields, and the data arrives once the load
// ends.
func TestLoadingServesClients(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"rdb", nil},
		{"aof preamble", []string{"--appendonly", "yes", "--aof-use-rdb-preamble", "yes"}},
		{"aof commands", []string{"--appendonly", "yes", "--aof-use-rdb-preamble", "no"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			n := newShoalNode(t, dir, append([]string{"--enable-debug-command", "yes"}, tc.args...)...).start()
			n.ok("DEBUG", "POPULATE", strconv.Itoa(loadingKeys))
			if len(tc.args) > 0 {
				n.ok("BGREWRITEAOF")
				n.waitRewrite()
				n.ok("SET", "after-rewrite", "x") // in the incr file
			} else {
				n.ok("SAVE")
			}
			n.shutdown("NOSAVE")
			n.waitExit()

			p, c := startLoading(t, dir, tc.args...)
			defer c.Close()
			if r := string(c.Do("GET", "key:1")); r != "-LOADING Redis is loading the dataset in memory\r\n" {
				t.Fatalf("GET while loading: %q", r)
			}
			if r := string(c.Do("PING")); !strings.HasPrefix(r, "-LOADING") {
				t.Fatalf("PING while loading: %q", r)
			}
			info := replyText(c.Do("INFO", "persistence"))
			if loadInfoField(info, "loading") != "1" {
				t.Fatalf("INFO while loading:\n%s", info)
			}
			for _, f := range []string{"loading_start_time", "loading_total_bytes", "loading_rdb_used_mem", "loading_loaded_bytes", "loading_loaded_perc", "loading_eta_seconds"} {
				if loadInfoField(info, f) == "" {
					t.Fatalf("INFO while loading has no %s:\n%s", f, info)
				}
			}
			if total, _ := strconv.Atoi(loadInfoField(info, "loading_total_bytes")); total == 0 {
				t.Fatalf("loading_total_bytes 0:\n%s", info)
			}
			testutil.WaitFor(t, 60*time.Second, func() bool {
				return !strings.HasPrefix(string(c.Do("GET", "key:1")), "-LOADING")
			})
			if r := replyText(c.Do("GET", "key:1")); r != "value:1" {
				t.Fatalf("GET after loading: %q", r)
			}
			want := loadingKeys
			if len(tc.args) > 0 {
				want++
			}
			if r := replyText(c.Do("DBSIZE")); r != strconv.Itoa(want) {
				t.Fatalf("DBSIZE %s, want %d", r, want)
			}
			info = replyText(c.Do("INFO", "persistence"))
			if loadInfoField(info, "loading") != "0" || loadInfoField(info, "loading_total_bytes") != "" {
				t.Fatalf("INFO after loading:\n%s", info)
			}
			p.Stop()
		})
	}
}

// TestLoadingShutdown: SHUTDOWN during loading exits without saving the
// half-loaded dataset (Redis forces NOSAVE), and so does SIGTERM.
func TestLoadingShutdown(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	dir := t.TempDir()
	n := newShoalNode(t, dir, "--enable-debug-command", "yes").start()
	n.ok("DEBUG", "POPULATE", strconv.Itoa(loadingKeys))
	n.ok("SAVE")
	n.shutdown("NOSAVE")
	n.waitExit()

	p, c := startLoading(t, dir, "--save", "900 1")
	c.Send("SHUTDOWN", "SAVE")
	testutil.WaitFor(t, 20*time.Second, p.Exited)
	c.Close()
	p, c = startLoading(t, dir)
	c.Close()
	p.Stop()
	testutil.WaitFor(t, 20*time.Second, p.Exited)
	if !strings.Contains(p.Output(), "Received shutdown signal during loading, scheduling shutdown.") {
		t.Fatalf("SIGTERM while loading:\n%s", p.Output())
	}
	// Both left the file whole.
	n.restart()
	if r := n.do("DBSIZE"); r != ":"+strconv.Itoa(loadingKeys)+"\r\n" {
		t.Fatalf("DBSIZE after shutdowns while loading: %q", r)
	}
}

// TestConfigSetWhileLoading: while the dataset loads, CONFIG SET refuses
// dir, appendonly and repl-diskless-load with -LOADING
// (DENY_LOADING_CONFIG) and sets the others; an error on an earlier
// argument wins. The replies are compared with redis-server loading the
// same file (Redis's unit/introspection "config during loading").
func TestConfigSetWhileLoading(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	redisBin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	dir := t.TempDir()
	n := newShoalNode(t, dir, "--enable-debug-command", "yes").start()
	n.ok("DEBUG", "POPULATE", strconv.Itoa(2*loadingKeys))
	n.ok("SAVE")
	n.shutdown("NOSAVE")
	n.waitExit()
	cmds := [][]string{
		{"CONFIG", "SET", "loglevel", "debug"},
		{"CONFIG", "GET", "loglevel"},
		{"CONFIG", "SET", "dir", "asdf"},
		{"CONFIG", "SET", "appendonly", "yes"},
		{"CONFIG", "SET", "repl-diskless-load", "swapdb"},
		{"CONFIG", "SET", "maxmemory-samples", "7", "dir", "asdf"},
		{"CONFIG", "SET", "nosuch", "1", "dir", "asdf"},
		{"CONFIG", "SET", "dir", "asdf", "nosuch", "1"},
		{"CONFIG", "GET", "maxmemory-samples"},
	}
	var transcripts []string
	for _, bin := range []string{redisBin, shoalBin} {
		p, c := startLoadingBin(t, bin, dir, "--enable-protected-configs", "yes")
		var out strings.Builder
		for _, cmd := range cmds {
			out.WriteString(strings.Join(cmd, " ") + ": " + replyText(c.Do(cmd...)) + "\n")
		}
		if loadInfoField(replyText(c.Do("INFO", "persistence")), "loading") != "1" {
			t.Fatalf("%s: the load ended before the commands did", bin)
		}
		c.Close()
		p.Stop()
		transcripts = append(transcripts, out.String())
	}
	if transcripts[0] != transcripts[1] {
		t.Errorf("transcripts differ\nredis:\n%s\nshoal:\n%s", transcripts[0], transcripts[1])
	}
}
