package integration

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// The replica's loading of a full sync (issue 10): each repl-diskless-load
// mode from a Shoal and from a redis-server master, with both payload forms
// ($<length> from a disk-based master, $EOF: from a diskless one), and
// swapdb's async loading, which serves the old data until the new is
// swapped in and keeps it when the transfer fails.

// TestReplDisklessLoadModes: every mode ends with the master's dataset
// replacing the replica's own, key by key.
func TestReplDisklessLoadModes(t *testing.T) {
	for _, master := range []string{"shoal", "redis"} {
		for _, sync := range []string{"no", "yes"} {
			for _, mode := range []string{"disabled", "on-empty-db", "on-empty-db/empty", "swapdb"} {
				t.Run(master+"/diskless-sync-"+sync+"/"+mode, func(t *testing.T) {
					m := startRNode(t, master, "--repl-diskless-sync", sync)
					r := startRNode(t, "shoal", "--repl-diskless-load", strings.TrimSuffix(mode, "/empty"))
					fillAllTypes(t, m.c)
					if !strings.HasSuffix(mode, "/empty") {
						// A key of the replica's own, which the sync must
						// drop (and which sends on-empty-db to disk).
						r.do("SET", "replica-only", "x")
					}
					r.replicaof(t, m)
					waitInSync(t, m, r)
					sameData(t, m, r)
					writeMix(t, m, "after")
					waitInSync(t, m, r)
					sameData(t, m, r)
				})
			}
		}
	}
}

// forceFullResync makes m drop its replicas and overwrite its backlog, so
// their next PSYNC gets a full sync with m's unchanged replication ID.
func forceFullResync(t *testing.T, m *rnode) {
	t.Helper()
	big := strings.Repeat("A", 16384)
	m.c.Send("MULTI")
	m.c.Send("CLIENT", "KILL", "TYPE", "replica")
	m.c.Send("CONFIG", "SET", "repl-backlog-size", "16384")
	for i := range 10 {
		m.c.Send("SET", "filler:"+string(rune('0'+i)), big)
	}
	m.c.Send("EXEC")
	for range 14 {
		m.c.ReadReply()
	}
}

// TestReplAsyncLoading: a swapdb replica whose master's replication ID is
// its own loads the new payload asynchronously: INFO shows async_loading:1
// and loading:0, reads and FCALL are served from the old data, commands
// flagged no-async-loading get -LOADING; a failed transfer leaves the old
// data, a completed one swaps in the master's.
func TestReplAsyncLoading(t *testing.T) {
	for _, master := range []string{"shoal", "redis"} {
		t.Run(master, func(t *testing.T) {
			m := startRNode(t, master, "--repl-diskless-sync", "yes", "--save", "")
			r := startRNode(t, "shoal", "--repl-diskless-load", "swapdb", "--replica-read-only", "no", "--save", "")
			r.replicaof(t, m)
			waitInSync(t, m, r)
			// DEBUG POPULATE is not propagated: the replica's data now
			// differs from the master's, as Redis's test sets it up.
			m.do("DEBUG", "POPULATE", "2000", "master", "100")
			r.do("DEBUG", "POPULATE", "2000", "replica", "10")
			r.do("SET", "mykey", "myvalue")
			r.do("FUNCTION", "LOAD", "#!lua name=test\nredis.register_function('test', function() return 'hello1' end)")
			m.do("FUNCTION", "LOAD", "#!lua name=test\nredis.register_function('test', function() return 'hello2' end)")
			// 2 ms a key: the snapshot takes 4 s.
			m.do("CONFIG", "SET", "rdb-key-save-delay", "2000")
			forceFullResync(t, m)
			testutil.WaitFor(t, 10*time.Second, func() bool { return r.info("async_loading") == "1" })
			if got := r.info("loading"); got != "0" {
				t.Errorf("loading:%s during async loading", got)
			}
			if got := r.do("GET", "mykey"); got != "myvalue" {
				t.Errorf("GET during async loading: %q", got)
			}
			if got := r.do("FCALL", "test", "0"); got != "hello1" {
				t.Errorf("FCALL during async loading: %q", got)
			}
			if got := r.do("DBSIZE"); got != "2001" {
				t.Errorf("DBSIZE during async loading: %q", got)
			}
			for _, cmd := range [][]string{{"REPLICAOF", "NO", "ONE"}, {"CONFIG", "SET", "appendonly", "no"}} {
				if got := r.do(cmd...); !strings.HasPrefix(got, "LOADING") {
					t.Errorf("%v during async loading: %q", cmd, got)
				}
			}
			// The transfer fails: the old data stays.
			m.do("CONFIG", "SET", "repl-diskless-sync-delay", "5")
			m.do("CLIENT", "KILL", "TYPE", "replica")
			testutil.WaitFor(t, 10*time.Second, func() bool { return r.info("async_loading") == "0" })
			if got := r.do("GET", "mykey"); got != "myvalue" {
				t.Errorf("GET after a failed async load: %q", got)
			}
			if got := r.do("FCALL", "test", "0"); got != "hello1" {
				t.Errorf("FCALL after a failed async load: %q", got)
			}
			if got := r.do("DBSIZE"); got != "2001" {
				t.Errorf("DBSIZE after a failed async load: %q", got)
			}
			// The next transfer completes: the master's data replaces it.
			m.do("CONFIG", "SET", "rdb-key-save-delay", "0")
			m.do("CONFIG", "SET", "repl-diskless-sync-delay", "0")
			waitInSync(t, m, r)
			if got := r.do("EXISTS", "mykey"); got != "0" {
				t.Errorf("EXISTS mykey after the swap: %q", got)
			}
			if got := r.do("FCALL", "test", "0"); got != "hello2" {
				t.Errorf("FCALL after the swap: %q", got)
			}
			sameData(t, m, r)
		})
	}
}

// TestReplSwapdbNewHistory: with swapdb, a master of another history is
// loaded into temporary databases with -LOADING meanwhile (loading:1); a
// failed transfer still leaves the replica's old data.
func TestReplSwapdbNewHistory(t *testing.T) {
	m := startRNode(t, "shoal", "--repl-diskless-sync", "yes", "--save", "")
	r := startRNode(t, "shoal", "--repl-diskless-load", "swapdb", "--save", "")
	m.do("DEBUG", "POPULATE", "1000", "master", "100")
	r.do("DEBUG", "POPULATE", "200", "replica", "10")
	r.do("SET", "mykey", "myvalue")
	m.do("CONFIG", "SET", "rdb-key-save-delay", "5000")
	r.replicaof(t, m)
	testutil.WaitFor(t, 10*time.Second, func() bool { return r.info("loading") == "1" })
	if got := r.info("async_loading"); got != "0" {
		t.Errorf("async_loading:%s for a new history", got)
	}
	if got := string(r.c.Do("GET", "mykey")); !strings.HasPrefix(got, "-LOADING") {
		t.Errorf("GET while loading: %q", got)
	}
	m.do("CONFIG", "SET", "repl-diskless-sync-delay", "5")
	m.do("CLIENT", "KILL", "TYPE", "replica")
	testutil.WaitFor(t, 10*time.Second, func() bool { return r.info("loading") == "0" })
	if got := r.do("GET", "mykey"); got != "myvalue" {
		t.Errorf("GET after a failed load: %q", got)
	}
	if got := r.do("DBSIZE"); got != "201" {
		t.Errorf("DBSIZE after a failed load: %q", got)
	}
	m.do("CONFIG", "SET", "rdb-key-save-delay", "0")
	m.do("CONFIG", "SET", "repl-diskless-sync-delay", "0")
	waitInSync(t, m, r)
	sameData(t, m, r)
}

// TestReplicaRestartPartialResync: an RDB saved by a replica records the
// replication ID and offset (repl-id, repl-offset, repl-stream-db), and a
// replica restarted from it continues with a partial resync, from a Shoal
// and from a redis-server master; a redis-server replica restarted from a
// Shoal replica's file does too.
func TestReplicaRestartPartialResync(t *testing.T) {
	for _, kinds := range [][2]string{{"shoal", "shoal"}, {"redis", "shoal"}, {"shoal", "redis"}} {
		t.Run(kinds[0]+"-to-"+kinds[1], func(t *testing.T) {
			m := startRNode(t, kinds[0])
			dir := t.TempDir()
			r := startRNode(t, "shoal", "--dir", dir)
			r.replicaof(t, m)
			writeMix(t, m, "before")
			waitInSync(t, m, r)
			if got := r.do("SAVE"); got != "OK" {
				t.Fatalf("SAVE: %q", got)
			}
			partial, _ := strconv.Atoi(m.info("sync_partial_ok"))
			r.proc.Stop()
			writeMix(t, m, "while-down")
			r2 := startRNode(t, kinds[1], "--dir", dir, "--replicaof", "127.0.0.1", strconv.Itoa(m.port))
			waitInSync(t, m, r2)
			sameData(t, m, r2)
			if got := m.info("sync_full"); got != "1" {
				t.Errorf("sync_full %s after the restart, want 1 (a partial resync)", got)
			}
			if got := m.info("sync_partial_ok"); got != strconv.Itoa(partial+1) {
				t.Errorf("sync_partial_ok %s after the restart, want %d", got, partial+1)
			}
		})
	}
}
