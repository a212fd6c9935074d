package integration

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// pnode is one server process over a data directory that outlives it, so
// that a test can stop the process (SHUTDOWN, SIGTERM, SIGKILL) and start
// another on the same files.
type pnode struct {
	t    *testing.T
	bin  string
	dir  string
	args []string
	proc *testutil.Proc
	addr string
	c    *testutil.Conn
}

// newShoalNode describes a shoal-server over dir started with args after
// the harness's own; it skips when the binary was not built.
func newShoalNode(t *testing.T, dir string, args ...string) *pnode {
	t.Helper()
	if binErr != nil {
		t.Skip(binErr)
	}
	return &pnode{t: t, bin: shoalBin, dir: dir, args: args}
}

// start starts the process on a fresh port, waits until it answers PING
// and dials it.
func (n *pnode) start() *pnode {
	n.t.Helper()
	n.proc, n.addr = testutil.StartServer(n.t, n.bin, append([]string{"--dir", n.dir}, n.args...)...)
	n.c = testutil.Dial(n.t, n.addr)
	return n
}

// restart waits for the stopped process to be gone and starts it again.
func (n *pnode) restart() *pnode {
	n.t.Helper()
	n.waitExit()
	return n.start()
}

// do sends one command on the node's connection and returns the reply.
func (n *pnode) do(args ...string) string {
	n.t.Helper()
	return string(n.c.Do(args...))
}

// ok sends one command that must not fail.
func (n *pnode) ok(args ...string) string {
	n.t.Helper()
	r := n.do(args...)
	if strings.HasPrefix(r, "-") {
		n.t.Fatalf("%s %q: %q", filepath.Base(n.bin), args, r)
	}
	return r
}

// shutdown sends SHUTDOWN with args and waits until the process has ended.
func (n *pnode) shutdown(args ...string) {
	n.t.Helper()
	n.c.Send(append([]string{"SHUTDOWN"}, args...)...)
	n.waitExit()
}

// waitExit waits until the process has ended.
func (n *pnode) waitExit() {
	n.t.Helper()
	testutil.WaitFor(n.t, 20*time.Second, n.proc.Exited)
}

// info returns one field of INFO section.
func (n *pnode) info(section, field string) string {
	n.t.Helper()
	for _, line := range strings.Split(n.do("INFO", section), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	n.t.Fatalf("INFO %s has no %s", section, field)
	return ""
}

// waitBgsave waits until no BGSAVE runs and returns rdb_last_bgsave_status.
func (n *pnode) waitBgsave() string {
	n.t.Helper()
	testutil.WaitFor(n.t, 60*time.Second, func() bool {
		return n.info("persistence", "rdb_bgsave_in_progress") == "0"
	})
	return n.info("persistence", "rdb_last_bgsave_status")
}

// waitRewrite waits until no AOF rewrite runs or waits to run, and fails
// unless the last one succeeded.
func (n *pnode) waitRewrite() {
	n.t.Helper()
	testutil.WaitFor(n.t, 20*time.Second, func() bool {
		return n.info("persistence", "aof_rewrite_in_progress") == "0" &&
			n.info("persistence", "aof_rewrite_scheduled") == "0"
	})
	if st := n.info("persistence", "aof_last_bgrewrite_status"); st != "ok" {
		n.t.Fatalf("aof_last_bgrewrite_status:%s", st)
	}
}

// replyText is the payload of a simple, bulk, integer or error reply.
func replyText(r []byte) string {
	s := string(r)
	switch {
	case strings.HasPrefix(s, "$-1"):
		return "(nil)"
	case strings.HasPrefix(s, "$"):
		i := strings.Index(s, "\r\n")
		return s[i+2 : len(s)-2]
	default:
		return strings.TrimSuffix(s[1:], "\r\n")
	}
}

// replyList is the payloads of an array of bulk replies.
func replyList(t *testing.T, r []byte) []string {
	t.Helper()
	_, elems, err := testutil.Elements(r)
	if err != nil {
		t.Fatalf("%q: %v", r, err)
	}
	out := make([]string, len(elems))
	for i, e := range elems {
		out[i] = replyText(e)
	}
	return out
}

// keyState is what a test compares about one key across a restart or
// between servers.
type keyState struct {
	typ, enc string
	pttl     int64
	// body is the DUMP payload; for a set or hash in a hashtable, whose
	// DUMP follows the dict's iteration order, it is the sorted members.
	body string
	// xinfo is XINFO STREAM FULL for a stream.
	xinfo string
}

// dataset maps "db/key" to the key's state.
type dataset map[string]keyState

// captureDataset reads every key of every non-empty database through c and
// leaves c on database 0.
func captureDataset(t *testing.T, c *testutil.Conn) dataset {
	t.Helper()
	ds := dataset{}
	for _, line := range strings.Split(string(c.Do("INFO", "keyspace")), "\r\n") {
		rest, ok := strings.CutPrefix(line, "db")
		if !ok {
			continue
		}
		db := rest[:strings.IndexByte(rest, ':')]
		c.Do("SELECT", db)
		for _, key := range replyList(t, c.Do("KEYS", "*")) {
			ks := keyState{
				typ: replyText(c.Do("TYPE", key)),
				enc: replyText(c.Do("OBJECT", "ENCODING", key)),
			}
			if ks.enc == "embstr" {
				// Redis too loads a short raw string (a PFADD's) as embstr.
				ks.enc = "raw"
			}
			ks.pttl, _ = strconv.ParseInt(replyText(c.Do("PTTL", key)), 10, 64)
			switch {
			case ks.typ == "set" && ks.enc == "hashtable":
				m := replyList(t, c.Do("SMEMBERS", key))
				slices.Sort(m)
				ks.body = strings.Join(m, "\x00")
			case ks.typ == "hash" && ks.enc == "hashtable":
				m := replyList(t, c.Do("HGETALL", key))
				pairs := make([]string, 0, len(m)/2)
				for i := 0; i+1 < len(m); i += 2 {
					pairs = append(pairs, m[i]+"\x01"+m[i+1])
				}
				slices.Sort(pairs)
				ks.body = strings.Join(pairs, "\x00")
			default:
				ks.body = string(c.Do("DUMP", key))
			}
			if ks.typ == "stream" {
				ks.xinfo = string(c.Do("XINFO", "STREAM", key, "FULL"))
			}
			ds[db+"/"+key] = ks
		}
	}
	c.Do("SELECT", "0")
	return ds
}

// clip shortens s for a failure message.
func clip(s string) string {
	if len(s) > 200 {
		return fmt.Sprintf("%q...(%d bytes)", s[:200], len(s))
	}
	return fmt.Sprintf("%q", s)
}

// compareDatasets fails for every key that differs between want and got;
// TTLs may have shrunk by at most tol.
func compareDatasets(t *testing.T, want, got dataset, tol time.Duration) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("key %s (%s) missing", k, w.typ)
			continue
		}
		if w.typ != g.typ || w.enc != g.enc {
			t.Errorf("key %s: type/encoding %s/%s, want %s/%s", k, g.typ, g.enc, w.typ, w.enc)
		}
		if w.body != g.body {
			t.Errorf("key %s (%s %s): payload\n got %s\nwant %s", k, w.typ, w.enc, clip(g.body), clip(w.body))
		}
		if w.xinfo != g.xinfo {
			t.Errorf("key %s: XINFO STREAM FULL\n got %q\nwant %q", k, g.xinfo, w.xinfo)
		}
		switch {
		case w.pttl < 0 && g.pttl != w.pttl:
			t.Errorf("key %s: PTTL %d, want %d", k, g.pttl, w.pttl)
		case w.pttl >= 0 && (g.pttl <= 0 || g.pttl > w.pttl+50 || g.pttl < w.pttl-tol.Milliseconds()):
			t.Errorf("key %s: PTTL %d, want about %d", k, g.pttl, w.pttl)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("unexpected key %s", k)
		}
	}
}

// seenTime matches the consumer seen-time field of XINFO STREAM FULL.
var seenTime = regexp.MustCompile(`(\$9\r\nseen-time\r\n):\d+\r\n`)

// relaxStreams drops what a stream loses when an AOF without the RDB
// preamble rebuilds it from commands, in Redis as well: the listpack layout
// (deleted entries are gone, so DUMP differs) and consumers' seen-time
// (XCLAIM on load sets it to the load time). XINFO STREAM FULL is compared
// otherwise.
func relaxStreams(ds dataset) {
	for k, ks := range ds {
		if ks.typ == "stream" {
			ks.body = ""
			ks.xinfo = seenTime.ReplaceAllString(ks.xinfo, "${1}:(load time)\r\n")
			ds[k] = ks
		}
	}
}

// fillAllTypes writes keys of every type and encoding into databases 0
// and 5, some with a TTL, and leaves c on database 0.
func fillAllTypes(t *testing.T, c *testutil.Conn) {
	t.Helper()
	var big []string
	do := func(args ...string) {
		t.Helper()
		if r := c.Do(args...); r[0] == '-' {
			t.Fatalf("%q: %q", args, r)
		}
	}
	do("SET", "str:int", "12345")
	do("SET", "str:neg", "-9223372036854775808")
	do("SET", "str:emb", "hello")
	do("SET", "str:raw", strings.Repeat("x", 100))
	do("SET", "str:lzf", strings.Repeat("abcdefgh", 4000))
	do("SET", "str:bin", "\x00\xff\r\n\x01")
	do("SET", "str:ttl", "v", "PX", "500000")
	do("PFADD", "hll", "a", "b", "c", "d")
	do("RPUSH", "list:small", "a", "b", "c", "1", "2", "-3")
	big = []string{"RPUSH", "list:big"}
	for i := range 1500 {
		big = append(big, strings.Repeat(strconv.Itoa(i), 1+i%7))
	}
	do(big...)
	do("HSET", "hash:small", "f1", "v1", "f2", "2", "f3", "")
	do("EXPIRE", "hash:small", "100000")
	big = []string{"HSET", "hash:big"}
	for i := range 300 {
		big = append(big, "field:"+strconv.Itoa(i), strconv.Itoa(i*i))
	}
	do(big...)
	do("HSET", "hash:longval", "f", strings.Repeat("y", 100))
	do("SADD", "set:int", "1", "2", "3", "-5", "100000", "4294967296")
	big = []string{"SADD", "set:bigint"}
	for i := range 600 {
		big = append(big, strconv.Itoa(i*3))
	}
	do(big...)
	do("SADD", "set:str", "a", "b", "c")
	big = []string{"SADD", "set:big"}
	for i := range 300 {
		big = append(big, "m"+strconv.Itoa(i))
	}
	do(big...)
	do("ZADD", "zset:small", "1", "a", "2.5", "b", "-inf", "c", "3e100", "d")
	big = []string{"ZADD", "zset:big"}
	for i := range 300 {
		big = append(big, strconv.FormatFloat(float64(i)/7, 'g', -1, 64), "z"+strconv.Itoa(i))
	}
	do(big...)
	for i := 1; i <= 10; i++ {
		do("XADD", "stream", fmt.Sprintf("1700000000000-%d", i), "f", strconv.Itoa(i), "g", "x")
	}
	do("XGROUP", "CREATE", "stream", "g1", "0")
	do("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "3", "STREAMS", "stream", ">")
	do("XREADGROUP", "GROUP", "g1", "bob", "COUNT", "2", "STREAMS", "stream", ">")
	do("XACK", "stream", "g1", "1700000000000-1")
	do("XGROUP", "CREATE", "stream", "g2", "$")
	do("XGROUP", "CREATECONSUMER", "stream", "g2", "carol")
	do("XDEL", "stream", "1700000000000-7")
	do("XADD", "stream:empty", "1-1", "a", "b")
	do("XDEL", "stream:empty", "1-1")
	do("SELECT", "5")
	do("SET", "db5:str", "x")
	do("RPUSH", "db5:list", "a", "b")
	do("PEXPIRE", "db5:list", "300000")
	do("ZADD", "db5:z", "1", "a")
	do("SELECT", "0")
}

// TestPersistRDBRoundTrip writes keys of every type, persists them in each
// way an RDB file gets written, restarts on the same directory and
// compares every key.
func TestPersistRDBRoundTrip(t *testing.T) {
	const defaultSave = "3600 1 300 100 60 10000"
	tests := []struct {
		name string
		args []string
		// persist writes dump.rdb and stops the server.
		persist func(t *testing.T, n *pnode)
	}{
		{"SAVE", nil, func(t *testing.T, n *pnode) {
			if r := n.do("SAVE"); r != "+OK\r\n" {
				t.Fatalf("SAVE: %q", r)
			}
			n.shutdown("NOSAVE")
		}},
		{"BGSAVE", nil, func(t *testing.T, n *pnode) {
			if r := n.do("BGSAVE"); r != "+Background saving started\r\n" {
				t.Fatalf("BGSAVE: %q", r)
			}
			if st := n.waitBgsave(); st != "ok" {
				t.Fatalf("rdb_last_bgsave_status:%s", st)
			}
			n.shutdown("NOSAVE")
		}},
		{"SHUTDOWN", []string{"--save", defaultSave}, func(t *testing.T, n *pnode) {
			n.shutdown()
		}},
		{"SHUTDOWN SAVE", nil, func(t *testing.T, n *pnode) {
			n.shutdown("SAVE")
		}},
		{"SIGTERM", []string{"--save", defaultSave}, func(t *testing.T, n *pnode) {
			n.proc.Stop()
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			n := newShoalNode(t, dir, tc.args...).start()
			fillAllTypes(t, n.c)
			want := captureDataset(t, n.c)
			taken := time.Now()
			tc.persist(t, n)
			if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
				t.Fatalf("no dump.rdb: %v", err)
			}
			n.restart()
			got := captureDataset(t, n.c)
			compareDatasets(t, want, got, time.Since(taken)+time.Second)
			if v := n.info("persistence", "rdb_last_load_keys_loaded"); v != strconv.Itoa(len(want)) {
				t.Errorf("rdb_last_load_keys_loaded:%s, want %d", v, len(want))
			}
		})
	}
}

// TestPersistDebugReload checks that DEBUG RELOAD saves and reloads the
// dataset unchanged.
func TestPersistDebugReload(t *testing.T) {
	n := newShoalNode(t, t.TempDir(), "--enable-debug-command", "yes").start()
	fillAllTypes(t, n.c)
	want := captureDataset(t, n.c)
	taken := time.Now()
	if r := n.do("DEBUG", "RELOAD"); r != "+OK\r\n" {
		t.Fatalf("DEBUG RELOAD: %q", r)
	}
	compareDatasets(t, want, captureDataset(t, n.c), time.Since(taken)+time.Second)
}

// TestPersistBGSAVEPointInTime overwrites, deletes and adds keys while a
// BGSAVE of 200k keys runs; the file must hold exactly the dataset as it
// was when BGSAVE was called.
func TestPersistBGSAVEPointInTime(t *testing.T) {
	const (
		nkeys   = 200_000
		batch   = 1000
		changed = 10_000
	)
	val := func(i int) string { return fmt.Sprintf("v%d-%s", i, strings.Repeat("p", 100)) }
	dir := t.TempDir()
	n := newShoalNode(t, dir).start()
	var buf []byte
	for lo := 0; lo < nkeys; lo += batch {
		args := []string{"MSET"}
		for i := lo; i < lo+batch; i++ {
			args = append(args, "k"+strconv.Itoa(i), val(i))
		}
		buf = testutil.AppendCommand(buf, args...)
	}
	n.c.DoRawSend(buf)
	for range nkeys / batch {
		if r := n.c.ReadReply(); string(r) != "+OK\r\n" {
			t.Fatalf("MSET: %q", r)
		}
	}

	// BGSAVE and the writes that follow go in one write, so they reach the
	// server while the snapshot is being written.
	buf = testutil.AppendCommand(buf[:0], "BGSAVE")
	over := []string{"MSET"}
	del := []string{"DEL"}
	add := []string{"MSET"}
	for i := range changed {
		over = append(over, "k"+strconv.Itoa(i), "new")
		del = append(del, "k"+strconv.Itoa(changed+i))
		add = append(add, "n"+strconv.Itoa(i), "added")
	}
	buf = testutil.AppendCommand(buf, over...)
	buf = testutil.AppendCommand(buf, del...)
	buf = testutil.AppendCommand(buf, add...)
	buf = testutil.AppendCommand(buf, "INFO", "persistence")
	n.c.DoRawSend(buf)
	for _, want := range []string{"+Background saving started\r\n", "+OK\r\n", fmt.Sprintf(":%d\r\n", changed), "+OK\r\n"} {
		if r := string(n.c.ReadReply()); r != want {
			t.Fatalf("reply %q, want %q", r, want)
		}
	}
	if !strings.Contains(string(n.c.ReadReply()), "rdb_bgsave_in_progress:1") {
		t.Log("BGSAVE ended before the writes ran; the point-in-time check is weaker")
	}
	if st := n.waitBgsave(); st != "ok" {
		t.Fatalf("rdb_last_bgsave_status:%s", st)
	}
	if r := n.do("GET", "k0"); r != "$3\r\nnew\r\n" {
		t.Fatalf("GET k0 on the saving server: %q", r)
	}

	dir2 := t.TempDir()
	b, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir2, "dump.rdb"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	m := newShoalNode(t, dir2).start()
	if r := m.do("DBSIZE"); r != fmt.Sprintf(":%d\r\n", nkeys) {
		t.Fatalf("DBSIZE of the saved file %q, want %d", r, nkeys)
	}
	buf = buf[:0]
	for lo := 0; lo < nkeys; lo += batch {
		args := []string{"MGET"}
		for i := lo; i < lo+batch; i++ {
			args = append(args, "k"+strconv.Itoa(i))
		}
		buf = testutil.AppendCommand(buf, args...)
	}
	m.c.DoRawSend(buf)
	bad := 0
	for lo := 0; lo < nkeys; lo += batch {
		for j, v := range replyList(t, m.c.ReadReply()) {
			if i := lo + j; v != val(i) && bad < 5 {
				bad++
				t.Errorf("k%d = %q in the saved file, want %q", i, v, val(i))
			}
		}
	}
	if r := m.do("EXISTS", "n0", "n1", "n9999"); r != ":0\r\n" {
		t.Errorf("keys added after BGSAVE are in the file: EXISTS %q", r)
	}
}

// TestPersistSavePoints checks that `save 1 1` saves on its own soon after
// a write.
func TestPersistSavePoints(t *testing.T) {
	dir := t.TempDir()
	n := newShoalNode(t, dir, "--save", "1 1").start()
	before, _ := strconv.ParseInt(replyText(n.c.Do("LASTSAVE")), 10, 64)
	n.ok("SET", "k", "v")
	testutil.WaitFor(t, 5*time.Second, func() bool {
		last, _ := strconv.ParseInt(replyText(n.c.Do("LASTSAVE")), 10, 64)
		return last > before && n.info("persistence", "rdb_changes_since_last_save") == "0"
	})
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Fatalf("no dump.rdb after the save point fired: %v", err)
	}
	if st := n.info("persistence", "rdb_last_bgsave_status"); st != "ok" {
		t.Errorf("rdb_last_bgsave_status:%s", st)
	}
}

// flushallTranscript runs FLUSHALL with save points on n and restarts it.
func flushallTranscript(t *testing.T, n *pnode) string {
	t.Helper()
	n.start()
	n.ok("SET", "k", "v")
	n.ok("SAVE")
	n.ok("SET", "k2", "v")
	n.ok("FLUSHALL")
	out := fmt.Sprintf("rdb_saves:%s rdb_changes_since_last_save:%s\n",
		n.info("persistence", "rdb_saves"), n.info("persistence", "rdb_changes_since_last_save"))
	n.shutdown("NOSAVE")
	n.restart()
	return out + "DBSIZE after restart " + n.do("DBSIZE")
}

// TestPersistFlushallSaves checks that FLUSHALL with save points writes
// the empty dataset, so a restart does not bring the keys back, and that
// the counters read as redis-server's do.
func TestPersistFlushallSaves(t *testing.T) {
	got := flushallTranscript(t, newShoalNode(t, t.TempDir(), "--save", "3600 1"))
	if !strings.HasSuffix(got, "DBSIZE after restart :0\r\n") {
		t.Errorf("keys came back after FLUSHALL and restart:\n%s", got)
	}
	if bin, err := exec.LookPath("redis-server"); err == nil {
		r := &pnode{t: t, bin: bin, dir: t.TempDir(), args: []string{"--save", "3600 1"}}
		if want := flushallTranscript(t, r); want != got {
			t.Errorf("transcripts differ\nredis: %q\nshoal: %q", want, got)
		}
	}
}

// TestPersistBGSAVESchedule asks for a BGSAVE while an AOF rewrite runs:
// plain BGSAVE is refused, BGSAVE SCHEDULE runs once the rewrite is done.
func TestPersistBGSAVESchedule(t *testing.T) {
	dir := t.TempDir()
	n := newShoalNode(t, dir, "--appendonly", "yes").start()
	fillAllTypes(t, n.c)
	var buf []byte
	buf = testutil.AppendCommand(buf, "BGREWRITEAOF")
	buf = testutil.AppendCommand(buf, "BGSAVE")
	buf = testutil.AppendCommand(buf, "BGSAVE", "SCHEDULE")
	n.c.DoRawSend(buf)
	for _, want := range []string{
		"+Background append only file rewriting started\r\n",
		"-ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.\r\n",
		"+Background saving scheduled\r\n",
	} {
		if r := string(n.c.ReadReply()); r != want {
			t.Fatalf("reply %q, want %q", r, want)
		}
	}
	n.waitRewrite()
	testutil.WaitFor(t, 20*time.Second, func() bool {
		return n.info("persistence", "rdb_saves") == "1" && n.info("persistence", "rdb_bgsave_in_progress") == "0"
	})
	if st := n.info("persistence", "rdb_last_bgsave_status"); st != "ok" {
		t.Errorf("rdb_last_bgsave_status:%s", st)
	}
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err != nil {
		t.Errorf("scheduled BGSAVE wrote no dump.rdb: %v", err)
	}
}

// misconfTranscript runs the MISCONF scenario on n: a BGSAVE that cannot
// rename its file over dump.rdb (a directory, which stops root as well),
// the replies while it is failed, then a good BGSAVE.
func misconfTranscript(t *testing.T, n *pnode) string {
	t.Helper()
	blocker := filepath.Join(n.dir, "dump.rdb")
	if err := os.MkdirAll(filepath.Join(blocker, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	step := func(args ...string) {
		fmt.Fprintf(&out, "%s -> %s", strings.Join(args, " "), n.do(args...))
	}
	step("SET", "k", "v")
	step("BGSAVE")
	fmt.Fprintf(&out, "status %s\n", n.waitBgsave())
	step("SET", "k", "w")
	step("INCR", "counter")
	step("GET", "k")
	step("PING")
	step("DBSIZE")
	step("DEL", "k")
	if err := os.RemoveAll(blocker); err != nil {
		t.Fatal(err)
	}
	step("BGSAVE")
	fmt.Fprintf(&out, "status %s\n", n.waitBgsave())
	step("SET", "k", "w")
	step("GET", "k")
	return out.String()
}

// TestPersistMISCONF checks that a failed BGSAVE with save points turns
// writes away with MISCONF, lets reads through, and that a successful
// BGSAVE clears it; the transcript must match redis-server's when present.
func TestPersistMISCONF(t *testing.T) {
	n := newShoalNode(t, t.TempDir(), "--save", "3600 1").start()
	got := misconfTranscript(t, n)
	for _, want := range []string{
		"BGSAVE -> +Background saving started\r\nstatus err\n",
		"SET k w -> -MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.\r\n",
		"GET k -> $1\r\nv\r\n",
		"status ok\nSET k w -> +OK\r\nGET k -> $1\r\nw\r\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("transcript lacks %q:\n%s", want, got)
		}
	}
	if bin, err := exec.LookPath("redis-server"); err == nil {
		r := &pnode{t: t, bin: bin, dir: t.TempDir(), args: []string{"--save", "3600 1"}}
		if want := misconfTranscript(t, r.start()); want != got {
			t.Errorf("transcripts differ\nredis: %q\nshoal: %q", want, got)
		}
	}
}

// aofDir is the appendonlydir of n.
func (n *pnode) aofDir() string { return filepath.Join(n.dir, "appendonlydir") }

// aofFiles lists the names in n's appendonlydir.
func (n *pnode) aofFiles() []string {
	n.t.Helper()
	ents, err := os.ReadDir(n.aofDir())
	if err != nil {
		n.t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestAOFKillAcknowledged kills the server with SIGKILL right after a run
// of acknowledged writes: with appendfsync always at once, with everysec
// after the 1 s flush has had time to run; every write must load back.
func TestAOFKillAcknowledged(t *testing.T) {
	for _, fsync := range []string{"always", "everysec"} {
		t.Run(fsync, func(t *testing.T) {
			n := newShoalNode(t, t.TempDir(), "--appendonly", "yes", "--appendfsync", fsync).start()
			const writes = 500
			for i := range writes {
				n.ok("SET", "k"+strconv.Itoa(i), strconv.Itoa(i))
				n.ok("INCR", "counter")
			}
			if fsync == "everysec" {
				last := time.Now()
				testutil.WaitFor(t, 10*time.Second, func() bool {
					return time.Since(last) >= 1500*time.Millisecond &&
						n.info("persistence", "aof_pending_bio_fsync") == "0"
				})
			}
			n.proc.Kill()
			n.restart()
			if r := n.do("GET", "counter"); r != fmt.Sprintf("$3\r\n%d\r\n", writes) {
				t.Errorf("counter after SIGKILL = %q, want %d", r, writes)
			}
			if r := n.do("DBSIZE"); r != fmt.Sprintf(":%d\r\n", writes+1) {
				t.Errorf("DBSIZE after SIGKILL = %q, want %d", r, writes+1)
			}
		})
	}
}

// replayWorkload runs commands whose effect the AOF must make
// deterministic: transactions, relative expiry, other databases, floats,
// random pops and served blocking pops.
func replayWorkload(t *testing.T, n *pnode, tag string) {
	t.Helper()
	n.ok("MULTI")
	n.ok("SET", tag+"tx:a", "1")
	n.ok("INCRBY", tag+"tx:a", "41")
	n.ok("RPUSH", tag+"tx:l", "x", "y")
	if r := n.do("EXEC"); r != "*3\r\n+OK\r\n:42\r\n:2\r\n" {
		t.Fatalf("EXEC: %q", r)
	}
	n.ok("SET", tag+"exp", "v")
	n.ok("EXPIRE", tag+"exp", "1000")
	n.ok("SET", tag+"ex", "v", "EX", "2000")
	n.ok("INCRBYFLOAT", tag+"float", "0.1")
	n.ok("INCRBYFLOAT", tag+"float", "1.0e3")
	n.ok("SADD", tag+"pop", "a", "b", "c", "d", "e", "f")
	n.ok("SPOP", tag+"pop")
	n.ok("SPOP", tag+"pop", "2")
	n.ok("SELECT", "3")
	n.ok("SET", tag+"db3", "three")
	n.ok("HINCRBYFLOAT", tag+"db3h", "f", "2.5")
	n.ok("SELECT", "0")
	b := testutil.Dial(t, n.addr)
	b.Send("BLPOP", tag+"bl", "0")
	testutil.WaitFor(t, 5*time.Second, func() bool {
		return n.info("clients", "blocked_clients") == "1"
	})
	n.ok("RPUSH", tag+"bl", "first", "second")
	if r := string(b.ReadReply()); r != fmt.Sprintf("*2\r\n$%d\r\n%sbl\r\n$5\r\nfirst\r\n", len(tag)+2, tag) {
		t.Fatalf("BLPOP: %q", r)
	}
	b.Close()
}

// aofVariants are the AOF formats a test runs under; commandBase marks a
// base file of commands rather than an RDB preamble.
var aofVariants = []struct {
	name        string
	args        []string
	commandBase bool
}{
	{"preamble", nil, false},
	{"no preamble", []string{"--aof-use-rdb-preamble", "no"}, true},
	{"timestamps", []string{"--aof-timestamp-enabled", "yes"}, false},
}

// TestAOFReplay checks that a SIGKILLed server with appendfsync always
// loads back exactly the dataset it had, across a rewrite, with and
// without the RDB preamble and with timestamp annotations.
func TestAOFReplay(t *testing.T) {
	for _, v := range aofVariants {
		t.Run(v.name, func(t *testing.T) {
			args := append([]string{"--appendonly", "yes", "--appendfsync", "always"}, v.args...)
			n := newShoalNode(t, t.TempDir(), args...).start()
			fillAllTypes(t, n.c)
			replayWorkload(t, n, "a:")
			n.ok("BGREWRITEAOF")
			n.waitRewrite()
			replayWorkload(t, n, "b:")
			expireAt := n.do("PEXPIRETIME", "a:exp")
			want := captureDataset(t, n.c)
			taken := time.Now()
			n.proc.Kill()
			n.restart()
			got := captureDataset(t, n.c)
			if v.commandBase {
				relaxStreams(want)
				relaxStreams(got)
			}
			compareDatasets(t, want, got, time.Since(taken)+time.Second)
			if r := n.do("PEXPIRETIME", "a:exp"); r != expireAt {
				t.Errorf("PEXPIRETIME after replay %q, want %q", r, expireAt)
			}
		})
	}
}

// TestAOFManifestFiles checks the appendonlydir a fresh server creates and
// what BGREWRITEAOF leaves, file names and manifest byte for byte as
// Redis 7.0 writes them.
func TestAOFManifestFiles(t *testing.T) {
	n := newShoalNode(t, t.TempDir(), "--appendonly", "yes").start()
	manifest := filepath.Join(n.aofDir(), "appendonly.aof.manifest")
	check := func(seq int) {
		t.Helper()
		want := []string{
			fmt.Sprintf("appendonly.aof.%d.base.rdb", seq),
			fmt.Sprintf("appendonly.aof.%d.incr.aof", seq),
			"appendonly.aof.manifest",
		}
		testutil.WaitFor(t, 5*time.Second, func() bool { return slices.Equal(n.aofFiles(), want) })
		b, err := os.ReadFile(manifest)
		if err != nil {
			t.Fatal(err)
		}
		wantManifest := fmt.Sprintf("file appendonly.aof.%d.base.rdb seq %d type b\nfile appendonly.aof.%d.incr.aof seq %d type i\n", seq, seq, seq, seq)
		if string(b) != wantManifest {
			t.Errorf("manifest %q, want %q", b, wantManifest)
		}
	}
	check(1)
	n.ok("SET", "k", "v")
	incr, err := os.ReadFile(filepath.Join(n.aofDir(), "appendonly.aof.1.incr.aof"))
	if err != nil {
		t.Fatal(err)
	}
	if want := "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n"; string(incr) != want {
		t.Errorf("incr file %q, want %q", incr, want)
	}
	if r := n.do("BGREWRITEAOF"); r != "+Background append only file rewriting started\r\n" {
		t.Fatalf("BGREWRITEAOF: %q", r)
	}
	n.waitRewrite()
	check(2)
	base, err := os.ReadFile(filepath.Join(n.aofDir(), "appendonly.aof.2.base.rdb"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(base, []byte("REDIS0010")) || !bytes.Contains(base, []byte("aof-base")) {
		t.Errorf("base file is not an RDB preamble with aof-base: %q", clip(string(base)))
	}
}

// TestAOFConfigSetAppendonly turns the AOF on at runtime on a server with
// data; the rewrite it starts writes the directory, and a restart with
// appendonly yes loads the data from it.
func TestAOFConfigSetAppendonly(t *testing.T) {
	dir := t.TempDir()
	n := newShoalNode(t, dir).start()
	fillAllTypes(t, n.c)
	want := captureDataset(t, n.c)
	taken := time.Now()
	n.ok("CONFIG", "SET", "appendonly", "yes")
	n.waitRewrite()
	testutil.WaitFor(t, 5*time.Second, func() bool { return n.info("persistence", "aof_enabled") == "1" })
	n.ok("SET", "after", "on")
	n.proc.Kill()
	if _, err := os.Stat(filepath.Join(dir, "dump.rdb")); err == nil {
		t.Fatal("dump.rdb written; the restart would not prove the AOF")
	}
	n.args = []string{"--appendonly", "yes"}
	n.restart()
	got := captureDataset(t, n.c)
	delete(got, "0/after")
	compareDatasets(t, want, got, time.Since(taken)+time.Second)
	if r := n.do("GET", "after"); r != "$2\r\non\r\n" {
		t.Errorf("write after CONFIG SET appendonly yes: GET %q", r)
	}
}

// TestAOFLoadTruncated cuts the last command of the incr file in half:
// aof-load-truncated yes loads what precedes it and truncates the file,
// no refuses to start.
func TestAOFLoadTruncated(t *testing.T) {
	for _, truncated := range []string{"yes", "no"} {
		t.Run(truncated, func(t *testing.T) {
			dir := t.TempDir()
			n := newShoalNode(t, dir, "--appendonly", "yes", "--appendfsync", "always").start()
			n.ok("SET", "a", "1")
			n.ok("SET", "b", "2")
			n.shutdown("NOSAVE")
			incr := filepath.Join(n.aofDir(), "appendonly.aof.1.incr.aof")
			whole, err := os.ReadFile(incr)
			if err != nil {
				t.Fatal(err)
			}
			half := "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1"
			if err := os.WriteFile(incr, append(whole, half...), 0o644); err != nil {
				t.Fatal(err)
			}
			if truncated == "no" {
				port := testutil.FreePort(t)
				p := testutil.StartProc(t, shoalBin, "--port", strconv.Itoa(port), "--dir", dir, "--save", "",
					"--appendonly", "yes", "--aof-load-truncated", "no")
				testutil.WaitFor(t, 20*time.Second, p.Exited)
				var ee *exec.ExitError
				if err := p.Stop(); !errors.As(err, &ee) || ee.ExitCode() == 0 {
					t.Errorf("exit status %v, want non-zero", err)
				}
				if out := p.Output(); !strings.Contains(out, "Unexpected end of file reading the append only file") {
					t.Errorf("log does not explain the truncated file:\n%s", out)
				}
				return
			}
			n.args = append(n.args, "--aof-load-truncated", "yes")
			n.restart()
			if r := n.do("MGET", "a", "b", "c"); r != "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$-1\r\n" {
				t.Errorf("MGET after truncated load %q", r)
			}
			after, err := os.ReadFile(incr)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(after, whole) {
				t.Errorf("incr file after load %q, want it truncated to %q", after, whole)
			}
			n.ok("SET", "c", "3")
			n.shutdown("NOSAVE")
			n.restart()
			if r := n.do("GET", "c"); r != "$1\r\n3\r\n" {
				t.Errorf("write after truncation lost: GET c %q", r)
			}
		})
	}
}

// TestAOFFlushallRestartsRewrite: FLUSHALL during an AOF rewrite stops it
// and starts a new one on the empty dataset; the AOF then loads to exactly
// what came after the FLUSHALL.
func TestAOFFlushallRestartsRewrite(t *testing.T) {
	n := newShoalNode(t, t.TempDir(), "--appendonly", "yes").start()
	for i := 0; i < 200; i++ {
		n.ok("SET", "k"+strconv.Itoa(i), "v")
	}
	// 5 ms a key keeps the first rewrite running for about a second.
	n.ok("CONFIG", "SET", "rdb-key-save-delay", "5000")
	n.ok("BGREWRITEAOF")
	if n.info("persistence", "aof_rewrite_in_progress") != "1" {
		t.Fatal("rewrite not running")
	}
	n.ok("FLUSHALL")
	n.ok("CONFIG", "SET", "rdb-key-save-delay", "0")
	n.ok("SET", "after", "1")
	testutil.WaitFor(t, 20*time.Second, func() bool {
		return n.info("persistence", "aof_rewrites") == "1"
	})
	n.waitRewrite()
	// The killed rewrite's incremental file (2) is folded into the base of
	// the restarted one, which opened its own (3).
	if files := strings.Join(n.aofFiles(), " "); !strings.Contains(files, "appendonly.aof.3.incr.aof") || strings.Contains(files, "appendonly.aof.2.incr.aof") {
		t.Fatalf("AOF files after the restarted rewrite: %s", files)
	}
	n.shutdown("NOSAVE")
	n.restart()
	if got := n.do("DBSIZE"); got != ":1\r\n" {
		t.Fatalf("DBSIZE after reload: %q", got)
	}
	if got := n.do("GET", "after"); got != "$1\r\n1\r\n" {
		t.Fatalf("GET after: %q", got)
	}
}
