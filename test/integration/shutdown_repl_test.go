package integration

import (
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// shutdown-timeout (Redis 7.0): a master shutting down waits for lagging
// replicas to catch up, writes paused, for at most shutdown-timeout
// seconds; SHUTDOWN NOW does not wait and SHUTDOWN ABORT cancels.

// stalledReplicaPair starts a master and a replica in sync, stops the
// replica (SIGSTOP, resumed at cleanup), fills the link's socket buffers
// so further stream bytes wait in the master, and writes k=2 (the replica
// has k=1).
func stalledReplicaPair(t *testing.T, masterArgs ...string) (m, r *rnode) {
	t.Helper()
	m = startRNode(t, "shoal", append([]string{"--repl-backlog-size", "16384", "--hz", "100"}, masterArgs...)...)
	r = startRNode(t, "shoal")
	r.replicaof(t, m)
	m.do("SET", "k", "1")
	waitInSync(t, m, r)
	if err := syscall.Kill(r.proc.Pid(), syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Kill(r.proc.Pid(), syscall.SIGCONT) })
	val := strings.Repeat("x", 64<<10)
	testutil.WaitFor(t, 20*time.Second, func() bool {
		for i := range 16 {
			m.do("SET", "junk"+strconv.Itoa(i), val)
		}
		n, _ := strconv.ParseInt(m.info("mem_total_replication_buffers"), 10, 64)
		return n > 2<<20
	})
	m.do("INCR", "k")
	return m, r
}

func TestShutdownWaitsForReplica(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	for _, how := range []string{"shutdown", "sigterm"} {
		t.Run(how, func(t *testing.T) {
			m, r := stalledReplicaPair(t, "--shutdown-timeout", "60")
			c := testutil.Dial(t, m.addr)
			defer c.Close()
			if how == "shutdown" {
				c.Send("SHUTDOWN")
			} else {
				syscall.Kill(m.proc.Pid(), syscall.SIGTERM)
			}
			testutil.WaitFor(t, 5*time.Second, func() bool {
				ms, _ := strconv.Atoi(m.info("shutdown_in_milliseconds"))
				return ms > 0
			})
			// Writes wait while the master waits for its replica.
			w := testutil.Dial(t, m.addr)
			defer w.Close()
			w.Send("SET", "late", "1")
			if _, err := w.TryReadReply(200 * time.Millisecond); err == nil {
				t.Error("a write was served during the shutdown's wait")
			}
			if got := m.do("GET", "k"); got != "2" {
				t.Errorf("reads during the wait: GET k = %q", got)
			}
			syscall.Kill(r.proc.Pid(), syscall.SIGCONT)
			testutil.WaitFor(t, 20*time.Second, m.proc.Exited)
			if got := r.do("GET", "k"); got != "2" {
				t.Errorf("replica GET k = %q after the master's shutdown, want 2", got)
			}
			out := m.proc.Output()
			for _, want := range []string{"Waiting for replicas before shutting down.", "1 of 1 replicas are in sync when shutting down.", "ready to exit, bye bye"} {
				if !strings.Contains(out, want) {
					t.Errorf("master log lacks %q", want)
				}
			}
			if strings.Contains(out, "Lagging replica") {
				t.Error("master log names a lagging replica")
			}
		})
	}
}

func TestShutdownReplicaTimeout(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	m, r := stalledReplicaPair(t, "--shutdown-timeout", "1")
	start := time.Now()
	syscall.Kill(m.proc.Pid(), syscall.SIGTERM)
	testutil.WaitFor(t, 10*time.Second, m.proc.Exited)
	if d := time.Since(start); d < 900*time.Millisecond {
		t.Errorf("exited after %v, before shutdown-timeout", d)
	}
	out := m.proc.Output()
	for _, want := range []string{"Lagging replica", "0 of 1 replicas are in sync when shutting down.", "ready to exit, bye bye"} {
		if !strings.Contains(out, want) {
			t.Errorf("master log lacks %q", want)
		}
	}
	syscall.Kill(r.proc.Pid(), syscall.SIGCONT)
	if got := r.do("GET", "k"); got != "1" {
		t.Errorf("replica GET k = %q, want 1 (the master gave up waiting)", got)
	}
}

func TestShutdownAbortAndNow(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	m, _ := stalledReplicaPair(t)
	// Two clients wait in SHUTDOWN (the default shutdown-timeout is 10 s).
	c1, c2 := testutil.Dial(t, m.addr), testutil.Dial(t, m.addr)
	defer c1.Close()
	defer c2.Close()
	c1.Send("SHUTDOWN")
	c2.Send("SHUTDOWN", "NOSAVE")
	testutil.WaitFor(t, 5*time.Second, func() bool { return m.info("blocked_clients") == "2" })
	if got := m.do("SHUTDOWN", "ABORT"); got != "OK" {
		t.Fatalf("SHUTDOWN ABORT: %q", got)
	}
	for _, c := range []*testutil.Conn{c1, c2} {
		if got := replyText(c.ReadReply()); !strings.Contains(got, "Errors trying to SHUTDOWN. Check logs.") {
			t.Errorf("blocked SHUTDOWN got %q", got)
		}
	}
	if m.info("shutdown_in_milliseconds") != "" {
		t.Error("INFO still shows a shutdown under way")
	}
	// The pause is lifted.
	if got := m.do("SET", "after", "abort"); got != "OK" {
		t.Errorf("SET after the abort: %q", got)
	}
	if got := m.do("SHUTDOWN", "ABORT"); !strings.Contains(got, "No shutdown in progress") {
		t.Errorf("SHUTDOWN ABORT without a shutdown: %q", got)
	}
	if !strings.Contains(m.proc.Output(), "Shutdown manually aborted.") {
		t.Error("master log lacks the abort")
	}
	// NOW does not wait for the stopped replica.
	m.c.Send("SHUTDOWN", "NOW", "NOSAVE")
	testutil.WaitFor(t, 5*time.Second, m.proc.Exited)
	if !strings.Contains(m.proc.Output(), "Lagging replica") {
		t.Error("SHUTDOWN NOW did not log the lagging replica")
	}
}

// TestShutdownFlushesReplicas: writes pipelined with SHUTDOWN NOW reach
// the replica, whose share of the stream is written out before the
// master closes its connections (flushSlavesOutputBuffers).
func TestShutdownFlushesReplicas(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	// With several loops the replica's connection is likely on another
	// loop than the client's, which sees the shutdown before its next
	// flush.
	m := startRNode(t, "shoal", "--io-threads", "4")
	r := startRNode(t, "shoal")
	r.replicaof(t, m)
	m.do("SET", "n", "0")
	waitInSync(t, m, r)
	var b []byte
	for range 1000 {
		b = testutil.AppendCommand(b, "INCR", "n")
	}
	b = testutil.AppendCommand(b, "SHUTDOWN", "NOW", "NOSAVE")
	m.c.DoRawSend(b)
	testutil.WaitFor(t, 10*time.Second, m.proc.Exited)
	testutil.WaitFor(t, 10*time.Second, func() bool { return r.do("GET", "n") == "1000" })
}
