package aof

import (
	"bytes"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// startRedis starts a scratch redis-server 7.0 in dir, or skips the test
// when there is none.
func startRedis(t *testing.T, dir string, args ...string) *testutil.Conn {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	port := strconv.Itoa(testutil.FreePort(t))
	args = append([]string{"--port", port, "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--daemonize", "no"}, args...)
	p := testutil.StartProc(t, bin, args...)
	addr := net.JoinHostPort("127.0.0.1", port)
	testutil.WaitFor(t, 10*time.Second, func() bool {
		if p.Exited() {
			t.Fatalf("redis-server exited:\n%s", p.Output())
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err == nil
	})
	return testutil.Dial(t, addr)
}

// waitRewrite waits until no AOF rewrite is running or scheduled.
func waitRewrite(t *testing.T, c *testutil.Conn) {
	t.Helper()
	testutil.WaitFor(t, 20*time.Second, func() bool {
		info := c.Do("INFO", "persistence")
		return bytes.Contains(info, []byte("aof_rewrite_in_progress:0\r\n")) &&
			bytes.Contains(info, []byte("aof_rewrite_scheduled:0\r\n"))
	})
}

func mustDo(t *testing.T, c *testutil.Conn, want string, args ...string) {
	t.Helper()
	if got := string(c.Do(args...)); got != want {
		t.Fatalf("%q = %q, want %q", args, got, want)
	}
}

// TestAgainstRedis compares Format, the naming helpers and the rewrite
// bookkeeping with the appendonlydir Redis 7.0.15 keeps through CONFIG SET
// appendonly yes, two BGREWRITEAOFs and a rewrite caught in flight, and
// reads its incremental files with Reader.
func TestAgainstRedis(t *testing.T) {
	tests := []struct {
		name     string
		prefix   string
		preamble bool
		args     []string
	}{
		{name: "default", prefix: "appendonly.aof", preamble: true},
		{name: "quoted name, no preamble, timestamps", prefix: `my fi"le.aof`, args: []string{
			"--appendfilename", `my fi"le.aof`, "--aof-use-rdb-preamble", "no", "--aof-timestamp-enabled", "yes",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			c := startRedis(t, dir, tt.args...)
			aofDir := filepath.Join(dir, "appendonlydir")
			manifest := func() []byte {
				b, err := os.ReadFile(filepath.Join(aofDir, ManifestName(tt.prefix)))
				if err != nil {
					t.Fatal(err)
				}
				return b
			}
			// Our bookkeeping, step by step beside Redis's.
			m := &Manifest{}
			rewrite := func() {
				m.NextIncr(tt.prefix)
				m.NextBase(tt.prefix, tt.preamble)
				m.MarkIncrsHistory(true)
				m.TakeHistory()
			}
			check := func(step string) {
				t.Helper()
				disk := manifest()
				parsed, err := Parse(disk)
				if err != nil {
					t.Fatalf("%s: Parse(%q): %v", step, disk, err)
				}
				if got := parsed.Format(); !bytes.Equal(got, disk) {
					t.Fatalf("%s: Format =\n%q\nredis wrote\n%q", step, got, disk)
				}
				if got := m.Format(); !bytes.Equal(got, disk) {
					t.Fatalf("%s: our bookkeeping =\n%q\nredis wrote\n%q", step, got, disk)
				}
			}

			mustDo(t, c, "+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
			waitRewrite(t, c)
			rewrite()
			check("appendonly yes")
			mustDo(t, c, "+OK\r\n", "SET", "a", "1")
			mustDo(t, c, "+Background append only file rewriting started\r\n", "BGREWRITEAOF")
			waitRewrite(t, c)
			rewrite()
			check("first BGREWRITEAOF")
			mustDo(t, c, "+OK\r\n", "SET", "b", "2")
			mustDo(t, c, "+Background append only file rewriting started\r\n", "BGREWRITEAOF")
			waitRewrite(t, c)
			rewrite()
			check("second BGREWRITEAOF")
			mustDo(t, c, "+OK\r\n", "SET", "c", "3")

			// A rewrite held up by rdb-key-save-delay: its new incr file is
			// in the manifest while the child still works.
			mustDo(t, c, "+OK\r\n", "CONFIG", "SET", "rdb-key-save-delay", "10000000")
			mustDo(t, c, "+Background append only file rewriting started\r\n", "BGREWRITEAOF")
			testutil.WaitFor(t, 10*time.Second, func() bool {
				p, err := Parse(manifest())
				return err == nil && len(p.Incr) == 2
			})
			m.NextIncr(tt.prefix)
			check("rewrite in flight")
			mustDo(t, c, "+OK\r\n", "SET", "d", "4")

			base, err := os.ReadFile(filepath.Join(aofDir, m.Base.Name))
			if err != nil {
				t.Fatal(err)
			}
			if HasRDBPreamble(base) != tt.preamble {
				t.Fatalf("HasRDBPreamble(base) = %v, want %v", !tt.preamble, tt.preamble)
			}
			want := [][][]string{
				{{"SELECT", "0"}, {"SET", "c", "3"}},
				{{"SELECT", "0"}, {"SET", "d", "4"}},
			}
			if !tt.preamble {
				// A base without preamble is a command stream too.
				want = append([][][]string{{{"SELECT", "0"}, {"SET", "a", "1"}, {"SET", "b", "2"}}}, want...)
			}
			files := m.LoadOrder()
			if tt.preamble {
				files = files[1:]
			}
			// Redis may hold the last write back while a background fsync
			// is slow (flushAppendOnlyFile postpones it up to 2 s), so the
			// newest incr file is waited for rather than read once.
			last := files[len(files)-1]
			testutil.WaitFor(t, 10*time.Second, func() bool {
				data, err := os.ReadFile(filepath.Join(aofDir, last.Name))
				got, rerr := readAll(NewReader(data))
				return err == nil && rerr == io.EOF && reflect.DeepEqual(got, want[len(want)-1])
			})
			for i, f := range files {
				data, err := os.ReadFile(filepath.Join(aofDir, f.Name))
				if err != nil {
					t.Fatal(err)
				}
				got, err := readAll(NewReader(data))
				if err != io.EOF {
					t.Fatalf("%s: %v", f.Name, err)
				}
				if f.Type == TypeBase {
					// A rewrite walks the keyspace in hash order.
					slices.SortFunc(got, func(a, b []string) int { return strings.Compare(strings.Join(a, " "), strings.Join(b, " ")) })
				}
				if !reflect.DeepEqual(got, want[i]) {
					t.Fatalf("%s = %q, want %q\n%q", f.Name, got, want[i], data)
				}
			}
		})
	}
}
