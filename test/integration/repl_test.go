package integration

import (
	"bufio"
	"fmt"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// Replication (issue 10): Shoal and redis-server masters and replicas in
// every pairing, full (disk-based and diskless) and partial resyncs,
// chains, WAIT, min-replicas-to-write and a slow replica. Contents are
// compared key by key (captureDataset) and by DEBUG DIGEST.

// rnode is a server in a replication test.
type rnode struct {
	kind string // "shoal" or "redis"
	addr string
	port int
	proc *testutil.Proc
	c    *testutil.Conn
}

func startRNode(t *testing.T, kind string, args ...string) *rnode {
	t.Helper()
	bin := shoalBin
	if kind == "redis" {
		var err error
		if bin, err = exec.LookPath("redis-server"); err != nil {
			t.Skip("redis-server not on PATH")
		}
	} else if binErr != nil {
		t.Skip(binErr)
	}
	args = append([]string{"--enable-debug-command", "yes", "--repl-diskless-sync-delay", "0"}, args...)
	p, addr := testutil.StartServer(t, bin, args...)
	_, ps, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(ps)
	n := &rnode{kind: kind, addr: addr, port: port, proc: p, c: testutil.Dial(t, addr)}
	t.Cleanup(n.c.Close)
	return n
}

func (n *rnode) do(args ...string) string { return replyText(n.c.Do(args...)) }

func (n *rnode) info(field string) string {
	for _, line := range strings.Split(string(n.c.Do("INFO", "all")), "\r\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			return v
		}
	}
	return ""
}

func (n *rnode) replicaof(t *testing.T, m *rnode) {
	t.Helper()
	if r := n.do("REPLICAOF", "127.0.0.1", strconv.Itoa(m.port)); !strings.HasPrefix(r, "OK") {
		t.Fatalf("%s REPLICAOF: %q", n.kind, r)
	}
}

// waitInSync waits until r's link to m is up and r has applied everything
// m has written, then compares the two digests.
func waitInSync(t *testing.T, m, r *rnode) {
	t.Helper()
	ok := testutil.Poll(20*time.Second, func() bool {
		if r.info("master_link_status") != "up" {
			return false
		}
		return r.info("slave_repl_offset") == m.info("master_repl_offset") && r.do("DEBUG", "DIGEST") == m.do("DEBUG", "DIGEST")
	})
	if !ok {
		t.Fatalf("%s replica of %s not in sync: link %s, offsets %s/%s, digests %s/%s\nreplica output:\n%s",
			r.kind, m.kind, r.info("master_link_status"), r.info("slave_repl_offset"), m.info("master_repl_offset"),
			r.do("DEBUG", "DIGEST"), m.do("DEBUG", "DIGEST"), r.proc.Output())
	}
}

// sameData compares m and r key by key.
func sameData(t *testing.T, m, r *rnode) {
	t.Helper()
	want, got := captureDataset(t, m.c), captureDataset(t, r.c)
	relaxStreams(want)
	relaxStreams(got)
	compareDatasets(t, want, got, 5*time.Second)
}

// writeMix runs writes of every kind, including ones whose propagation is
// rewritten (relative TTLs, SPOP, INCRBYFLOAT) and MULTI/EXEC.
func writeMix(t *testing.T, n *rnode, tag string) {
	t.Helper()
	for i := range 200 {
		k := tag + ":" + strconv.Itoa(i)
		n.do("SET", k, strconv.Itoa(i))
		n.do("RPUSH", tag+":list", k)
		n.do("HSET", tag+":hash", k, k)
		n.do("ZADD", tag+":zset", strconv.Itoa(i), k)
		n.do("SADD", tag+":set", k)
	}
	n.do("EXPIRE", tag+":1", "1000")
	n.do("SET", tag+":px", "v", "PX", "100000")
	n.do("SPOP", tag+":set", "3")
	n.do("INCRBYFLOAT", tag+":f", "1.5")
	n.do("SELECT", "3")
	n.do("SET", tag+":db3", "x")
	n.do("SELECT", "0")
	n.c.Send("MULTI")
	n.c.Send("INCR", tag+":ctr")
	n.c.Send("LPUSH", tag+":list", "m")
	n.c.Send("EXEC")
	for range 4 {
		n.c.ReadReply()
	}
}

// TestReplPairs runs every pairing of Shoal and Redis as master and
// replica, disk-based and diskless: full sync of every type, the stream,
// then a partial resync after the link is cut.
func TestReplPairs(t *testing.T) {
	pairs := []struct{ master, replica string }{
		{"shoal", "shoal"}, {"shoal", "redis"}, {"redis", "shoal"},
	}
	for _, p := range pairs {
		for _, diskless := range []string{"no", "yes"} {
			t.Run(fmt.Sprintf("%s-to-%s/diskless-%s", p.master, p.replica, diskless), func(t *testing.T) {
				m := startRNode(t, p.master, "--repl-diskless-sync", diskless)
				r := startRNode(t, p.replica, "--repl-diskless-load", map[string]string{"no": "disabled", "yes": "on-empty-db"}[diskless])
				fillAllTypes(t, m.c)
				r.replicaof(t, m)
				waitInSync(t, m, r)
				sameData(t, m, r)
				writeMix(t, m, "stream")
				waitInSync(t, m, r)
				sameData(t, m, r)
				if got := m.info("sync_full"); got != "1" {
					t.Errorf("sync_full %s, want 1", got)
				}
				// Cut the link from the replica's side; writes while it is
				// down come through the backlog.
				r.do("CLIENT", "KILL", "TYPE", "master")
				writeMix(t, m, "gap")
				waitInSync(t, m, r)
				sameData(t, m, r)
				// The reconnection continued from the backlog: no second
				// full sync.
				if got := m.info("sync_partial_ok"); got == "0" || m.info("sync_full") != "1" {
					t.Errorf("sync_partial_ok %s sync_full %s, want a partial resync only", got, m.info("sync_full"))
				}
				if got := r.do("SET", "x", "y"); !strings.HasPrefix(got, "READONLY") {
					t.Errorf("write to replica: %q", got)
				}
			})
		}
	}
}

// TestReplChainAndPromotion: master → replica → replica of replica all
// hold the same data and offsets; promoting the middle one (REPLICAOF NO
// ONE) and making the old master its replica is a partial resync (PSYNC2).
func TestReplChainAndPromotion(t *testing.T) {
	a := startRNode(t, "shoal")
	b := startRNode(t, "shoal")
	c := startRNode(t, "redis")
	fillAllTypes(t, a.c)
	b.replicaof(t, a)
	c.replicaof(t, b)
	writeMix(t, a, "chain")
	waitInSync(t, a, b)
	waitInSync(t, b, c)
	sameData(t, a, c)
	if a.info("master_replid") != c.info("master_replid") {
		t.Errorf("replid not shared along the chain: %s / %s", a.info("master_replid"), c.info("master_replid"))
	}
	// Promote b; a follows it and continues from its own offset.
	if r := b.do("REPLICAOF", "NO", "ONE"); r != "OK" {
		t.Fatalf("REPLICAOF NO ONE: %q", r)
	}
	a.replicaof(t, b)
	writeMix(t, b, "promoted")
	waitInSync(t, b, a)
	waitInSync(t, b, c)
	sameData(t, b, a)
	if got := b.info("sync_partial_ok"); got == "0" {
		t.Errorf("old master did not resync partially: sync_full %s sync_partial_ok %s", b.info("sync_full"), got)
	}
}

// TestReplLinkLostDuringFullSync cuts the replica's link while the RDB is
// being transferred: the replica retries and converges.
func TestReplLinkLostDuringFullSync(t *testing.T) {
	m := startRNode(t, "shoal", "--repl-diskless-sync", "yes")
	r := startRNode(t, "shoal")
	m.do("DEBUG", "POPULATE", "5000")
	// 200 µs per key: the transfer takes about a second.
	m.do("CONFIG", "SET", "rdb-key-save-delay", "200")
	r.replicaof(t, m)
	testutil.WaitFor(t, 10*time.Second, func() bool { return r.info("master_sync_in_progress") == "1" })
	m.do("CLIENT", "KILL", "TYPE", "replica")
	m.do("CONFIG", "SET", "rdb-key-save-delay", "0")
	m.do("SET", "after", "kill")
	waitInSync(t, m, r)
	if full, _ := strconv.Atoi(m.info("sync_full")); full < 2 {
		t.Errorf("sync_full %d: the replica did not sync again", full)
	}
	sameData(t, m, r)
}

// TestReplWaitAndMinReplicas checks WAIT and min-replicas-to-write.
func TestReplWaitAndMinReplicas(t *testing.T) {
	m := startRNode(t, "shoal", "--min-replicas-to-write", "1", "--min-replicas-max-lag", "10")
	if r := m.do("SET", "k", "v"); !strings.HasPrefix(r, "NOREPLICAS") {
		t.Fatalf("write without replicas: %q", r)
	}
	r := startRNode(t, "shoal")
	r.replicaof(t, m)
	testutil.WaitFor(t, 10*time.Second, func() bool { return m.info("min_slaves_good_slaves") == "1" })
	if got := m.do("SET", "k", "v"); got != "OK" {
		t.Fatalf("write with a replica: %q", got)
	}
	if got := m.do("WAIT", "1", "5000"); got != "1" {
		t.Fatalf("WAIT 1: %q", got)
	}
	start := time.Now()
	if got := m.do("WAIT", "2", "200"); got != "1" {
		t.Fatalf("WAIT 2 200: %q", got)
	}
	if d := time.Since(start); d < 150*time.Millisecond {
		t.Errorf("WAIT returned after %v, before its timeout", d)
	}
	if got := r.do("WAIT", "1", "0"); !strings.HasPrefix(got, "ERR WAIT cannot be used with replica instances") {
		t.Errorf("WAIT on a replica: %q", got)
	}
	if got := r.do("ROLE"); !strings.Contains(got, "connected") {
		t.Errorf("replica ROLE: %q", got)
	}
}

// TestReplSlowReplicaBoundedMemory: a replica that stops reading during
// its full sync costs the master at most the flow-control window plus its
// output buffer limit, after which it is dropped; the master keeps serving.
func TestReplSlowReplicaBoundedMemory(t *testing.T) {
	m := startRNode(t, "shoal", "--repl-diskless-sync", "yes", "--client-output-buffer-limit", "replica 4mb 2mb 1")
	m.do("DEBUG", "POPULATE", "20000", "k", "1000")
	base, _ := strconv.ParseInt(m.info("used_memory"), 10, 64)
	nc, err := net.Dial("tcp", m.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	// A replica that asks for a sync and then never reads.
	nc.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(nc, "REPLCONF capa eof capa psync2\r\n")
	br := bufio.NewReader(nc)
	if line, _ := br.ReadString('\n'); line != "+OK\r\n" {
		t.Fatalf("REPLCONF: %q", line)
	}
	// PSYNC only once REPLCONF's reply is read: SYNC refuses a client
	// with replies pending, as Redis does.
	fmt.Fprintf(nc, "PSYNC ? -1\r\n")
	testutil.WaitFor(t, 10*time.Second, func() bool { return m.info("connected_slaves") == "1" })
	val := strings.Repeat("v", 10000)
	var peak int64
	for i := range 2000 {
		if r := m.do("SET", "w"+strconv.Itoa(i%50), val); r != "OK" {
			t.Fatalf("SET: %q", r)
		}
		if i%100 == 0 {
			used, _ := strconv.ParseInt(m.info("used_memory"), 10, 64)
			peak = max(peak, used-base)
		}
	}
	testutil.WaitFor(t, 10*time.Second, func() bool { return m.info("connected_slaves") == "0" })
	t.Logf("peak growth of used_memory with a stalled replica: %d MB (dataset ~20 MB, 20 MB written)", peak>>20)
	if peak > 40<<20 {
		t.Errorf("used_memory grew by %d MB with a stalled replica", peak>>20)
	}
}

// TestReplicaofDirective starts a replica from the replicaof directive and
// checks ROLE and INFO on both sides.
func TestReplicaofDirective(t *testing.T) {
	m := startRNode(t, "shoal")
	m.do("SET", "k", "v")
	r := startRNode(t, "shoal", "--replicaof", "127.0.0.1 "+strconv.Itoa(m.port))
	waitInSync(t, m, r)
	if got := r.do("GET", "k"); got != "v" {
		t.Fatalf("GET on replica: %q", got)
	}
	if role := m.do("ROLE"); !strings.Contains(role, "$6\r\nmaster\r\n") {
		t.Errorf("master ROLE: %q", role)
	}
	if got := m.info("slave0"); !strings.Contains(got, "state=online") {
		t.Errorf("slave0: %q", got)
	}
	// PUBLISH reaches the replica's subscribers through the stream.
	sub := testutil.Dial(t, r.addr)
	defer sub.Close()
	sub.Do("SUBSCRIBE", "ch")
	m.do("PUBLISH", "ch", "hello")
	msg, err := sub.TryReadReply(5 * time.Second)
	if err != nil || !strings.Contains(string(msg), "hello") {
		t.Errorf("message on the replica: %q %v", msg, err)
	}
}

// TestReplFailoverCommand: FAILOVER hands the master role to the replica
// that caught up; the old master follows it through a partial resync and
// no acknowledged write is lost.
func TestReplFailoverCommand(t *testing.T) {
	a := startRNode(t, "shoal")
	b := startRNode(t, "shoal")
	b.replicaof(t, a)
	writeMix(t, a, "before")
	waitInSync(t, a, b)
	if got := a.do("FAILOVER", "TIMEOUT", "5000"); got != "OK" {
		t.Fatalf("FAILOVER: %q", got)
	}
	testutil.WaitFor(t, 10*time.Second, func() bool {
		return a.info("role") == "slave" && b.info("role") == "master" && a.info("master_failover_state") == "no-failover"
	})
	writeMix(t, b, "after")
	waitInSync(t, b, a)
	sameData(t, b, a)
	if got := b.info("sync_partial_ok"); got != "1" {
		t.Errorf("old master did not continue: sync_partial_ok %s sync_full %s", got, b.info("sync_full"))
	}
	if got := b.do("FAILOVER", "ABORT"); got != "ERR No failover in progress." {
		t.Errorf("FAILOVER ABORT: %q", got)
	}
}

// TestReplWritableReplicaExpires: keys a writable replica's own clients
// give a TTL are expired by the replica (the master never sends their
// DEL); keys from the master wait for the master's DEL.
func TestReplWritableReplicaExpires(t *testing.T) {
	m := startRNode(t, "shoal")
	r := startRNode(t, "shoal", "--replica-read-only", "no")
	r.replicaof(t, m)
	m.do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
	m.do("SET", "from-master", "v", "PX", "50")
	waitInSync(t, m, r)
	if got := r.do("SET", "local", "v", "PX", "50"); got != "OK" {
		t.Fatalf("SET on writable replica: %q", got)
	}
	testutil.WaitFor(t, 5*time.Second, func() bool { return r.do("DBSIZE") == "1" })
	if got := r.do("GET", "from-master"); got != "(nil)" {
		t.Errorf("expired master key readable on replica: %q", got)
	}
	if got := r.info("slave_expires_tracked_keys"); got != "0" {
		t.Errorf("slave_expires_tracked_keys %s", got)
	}
}

// TestReplSlowFullSync: a transfer that takes longer than the cron's
// period but less than repl-timeout completes at the first attempt, disk
// and diskless.
func TestReplSlowFullSync(t *testing.T) {
	for _, diskless := range []string{"no", "yes"} {
		t.Run("diskless-"+diskless, func(t *testing.T) {
			m := startRNode(t, "shoal", "--repl-diskless-sync", diskless)
			r := startRNode(t, "shoal")
			m.do("DEBUG", "POPULATE", "3000")
			// 500 µs per key: a snapshot of 1.5 s, past the cron's second.
			m.do("CONFIG", "SET", "rdb-key-save-delay", "500")
			r.replicaof(t, m)
			waitInSync(t, m, r)
			if got := m.info("sync_full"); got != "1" {
				t.Errorf("sync_full %s: the transfer was retried", got)
			}
		})
	}
}

// TestReplicaLoadingServesClients: while a replica loads its master's
// image it answers -LOADING and INFO shows loading:1, as Redis's replica
// does (tests/cluster 22-replica-in-sync hides loading replicas by it).
func TestReplicaLoadingServesClients(t *testing.T) {
	m := startRNode(t, "shoal")
	m.do("DEBUG", "POPULATE", "2000")
	r := startRNode(t, "shoal")
	r.do("CONFIG", "SET", "key-load-delay", "1000") // 1 ms a key: the load takes ~2 s
	r.do("CONFIG", "SET", "loading-process-events-interval-bytes", "1024")
	r.replicaof(t, m)
	testutil.WaitFor(t, 10*time.Second, func() bool { return r.info("loading") == "1" })
	if got := string(r.c.Do("GET", "key:1")); got != "-LOADING Redis is loading the dataset in memory\r\n" {
		t.Errorf("GET while loading: %q", got)
	}
	r.do("CONFIG", "SET", "key-load-delay", "0")
	waitInSync(t, m, r)
	if got := r.do("GET", "key:1"); got != "value:1" {
		t.Errorf("GET after loading: %q", got)
	}
}

// TestReplSharedBuffer: Redis 7.0's shared replication buffer. While one
// replica waits for a long full sync, the blocks from its snapshot on are
// kept, so the backlog outgrows repl-backlog-size and a second replica
// that fell further behind than that size continues by partial resync;
// the stream is held once for both replicas; once the slow replica is
// gone the backlog shrinks back.
func TestReplSharedBuffer(t *testing.T) {
	m := startRNode(t, "shoal", "--repl-backlog-size", "16384", "--repl-diskless-sync", "no", "--client-output-buffer-limit", "replica 0 0 0")
	r1 := startRNode(t, "shoal")
	r2 := startRNode(t, "shoal")
	r1.replicaof(t, m)
	m.do("SET", "k", "v")
	waitInSync(t, m, r1)
	// r2's snapshot takes 100 s: it holds the stream from its start on.
	for i := range 100 {
		m.do("SET", "key:"+strconv.Itoa(i), "v")
	}
	m.do("CONFIG", "SET", "rdb-key-save-delay", "1000000")
	r2.replicaof(t, m)
	testutil.WaitFor(t, 10*time.Second, func() bool { return m.info("rdb_bgsave_in_progress") == "1" })
	val := strings.Repeat("x", 10000)
	for i := range 300 {
		m.do("SET", "big"+strconv.Itoa(i%10), val)
	}
	hist, _ := strconv.ParseInt(m.info("repl_backlog_histlen"), 10, 64)
	if hist < 3_000_000 {
		t.Fatalf("repl_backlog_histlen %d with a replica holding 3 MB of stream", hist)
	}
	total, _ := strconv.ParseInt(m.info("mem_total_replication_buffers"), 10, 64)
	if total > 2*hist {
		t.Errorf("mem_total_replication_buffers %d for %d bytes of stream and two replicas", total, hist)
	}
	waitInSync(t, m, r1)
	// r1 leaves (its master is now r2, which has no link yet) and falls
	// 3 MB behind, far beyond repl-backlog-size, then comes back.
	r1.replicaof(t, r2)
	for i := range 300 {
		m.do("SET", "big"+strconv.Itoa(i%10), val+strconv.Itoa(i))
	}
	r1.replicaof(t, m)
	waitInSync(t, m, r1)
	if got := m.info("sync_partial_ok"); got != "1" {
		t.Errorf("sync_partial_ok %s: the held blocks were not used for a partial resync", got)
	}
	sameData(t, m, r1)
	// Without the slow replica the backlog is trimmed back to its size.
	r2.proc.Kill()
	testutil.WaitFor(t, 10*time.Second, func() bool {
		h, _ := strconv.ParseInt(m.info("repl_backlog_histlen"), 10, 64)
		return m.info("connected_slaves") == "1" && h < 100_000
	})
}
