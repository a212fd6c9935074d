package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// newRedisNode is newShoalNode for redis-server; it skips when
// redis-server is not on PATH.
func newRedisNode(t *testing.T, dir string, args ...string) *pnode {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("redis-server not on PATH")
	}
	return &pnode{t: t, bin: bin, dir: dir, args: args}
}

// compatDirections are the two ways a file can cross between the servers:
// the first node writes, the second loads.
var compatDirections = []struct {
	name   string
	writer func(t *testing.T, dir string, args ...string) *pnode
	loader func(t *testing.T, dir string, args ...string) *pnode
}{
	{"redis to shoal", newRedisNode, newShoalNode},
	{"shoal to redis", newShoalNode, newRedisNode},
}

// TestPersistCompatRDB has one server SAVE keys of every type and the other
// load the dump.rdb: every DUMP payload (sorted members for hashtable sets
// and hashes), TTL and XINFO STREAM FULL must match the writer's.
func TestPersistCompatRDB(t *testing.T) {
	for _, d := range compatDirections {
		t.Run(d.name, func(t *testing.T) {
			dir := t.TempDir()
			// Both exist before either starts, so a missing binary skips
			// before anything runs.
			w := d.writer(t, dir)
			l := d.loader(t, dir)
			w.start()
			fillAllTypes(t, w.c)
			want := captureDataset(t, w.c)
			taken := time.Now()
			if r := w.do("SAVE"); r != "+OK\r\n" {
				t.Fatalf("SAVE: %q", r)
			}
			w.shutdown("NOSAVE")
			l.start()
			compareDatasets(t, want, captureDataset(t, l.c), time.Since(taken)+time.Second)
		})
	}
}

// TestPersistCompatAOF has one server build an appendonlydir (writes, a
// rewrite, more writes) and the other load it with appendonly yes, under
// each of aofVariants. The loader must log no error about the files.
func TestPersistCompatAOF(t *testing.T) {
	for _, d := range compatDirections {
		for _, v := range aofVariants {
			t.Run(d.name+"/"+v.name, func(t *testing.T) {
				dir := t.TempDir()
				args := append([]string{"--appendonly", "yes", "--appendfsync", "always"}, v.args...)
				w := d.writer(t, dir, args...)
				l := d.loader(t, dir, args...)
				w.start()
				fillAllTypes(t, w.c)
				replayWorkload(t, w, "a:")
				w.ok("BGREWRITEAOF")
				w.waitRewrite()
				replayWorkload(t, w, "b:")
				w.ok("SET", "last", "write")
				expireAt := w.do("PEXPIRETIME", "b:exp")
				want := captureDataset(t, w.c)
				taken := time.Now()
				w.shutdown("NOSAVE")
				l.start()
				got := captureDataset(t, l.c)
				if v.commandBase {
					relaxStreams(want)
					relaxStreams(got)
				}
				compareDatasets(t, want, got, time.Since(taken)+time.Second)
				if r := l.do("PEXPIRETIME", "b:exp"); r != expireAt {
					t.Errorf("PEXPIRETIME after load %q, want %q", r, expireAt)
				}
				if out := l.proc.Output(); strings.Contains(out, "CRITICAL") {
					t.Errorf("%s complained while loading:\n%s", filepath.Base(l.bin), out)
				}
			})
		}
	}
}

// aofScript is a run of deterministic writes (no relative TTLs, no random
// choices, no clocks) whose incr file redis-server and shoal-server must
// write byte for byte alike.
var aofScript = [][]string{
	{"SET", "a", "1"},
	{"MULTI"}, {"SET", "x", "1"}, {"INCRBY", "x", "41"}, {"RPUSH", "l", "a", "b", "c"}, {"EXEC"},
	{"MULTI"}, {"SET", "y", "1"}, {"EXEC"},
	{"MULTI"}, {"GET", "y"}, {"EXEC"},
	{"SELECT", "3"},
	{"SET", "d3", "v"},
	{"MULTI"}, {"SET", "z", "1"}, {"INCR", "z"}, {"EXEC"},
	{"SELECT", "0"},
	{"INCRBYFLOAT", "f", "1.5"},
	{"HINCRBYFLOAT", "h", "f", "2.5"},
	{"SET", "p", "v", "PXAT", "99999999999999"},
	{"EXPIREAT", "a", "99999999999"},
	{"PERSIST", "a"},
	{"DEL", "nosuch"},
	{"DEL", "y", "nosuch"},
	{"SADD", "one", "m"},
	{"SPOP", "one"},
	{"LPOP", "l"},
	{"LMOVE", "l", "l2", "LEFT", "RIGHT"},
	{"GETDEL", "x"},
	{"ZADD", "zs", "1", "a", "2", "b"},
	{"ZPOPMIN", "zs"},
	{"XADD", "st", "5-1", "f", "v"},
	{"XTRIM", "st", "MAXLEN", "0"},
	{"APPEND", "ap", "abc"},
	{"SETRANGE", "ap", "1", "Z"},
	{"MSET", "m1", "1", "m2", "2"},
	{"FLUSHDB"},
	{"SET", "after", "flush"},
}

// TestAOFIncrMatchesRedis runs aofScript on both servers with appendonly
// yes and compares the incr files byte for byte.
func TestAOFIncrMatchesRedis(t *testing.T) {
	var files [2][]byte
	nodes := [2]*pnode{
		newRedisNode(t, t.TempDir(), "--appendonly", "yes", "--appendfsync", "always"),
		newShoalNode(t, t.TempDir(), "--appendonly", "yes", "--appendfsync", "always"),
	}
	for i, n := range nodes {
		n.start()
		var replies strings.Builder
		for _, cmd := range aofScript {
			replies.WriteString(n.do(cmd...))
		}
		n.shutdown("NOSAVE")
		b, err := os.ReadFile(filepath.Join(n.aofDir(), "appendonly.aof.1.incr.aof"))
		if err != nil {
			t.Fatal(err)
		}
		files[i] = b
	}
	if !bytes.Equal(files[0], files[1]) {
		t.Errorf("incr files differ\nredis: %q\nshoal: %q", files[0], files[1])
	}
}
