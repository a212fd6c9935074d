package integration

import (
	"bufio"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestProtoMaxBulkLenReachesOpenConnections: CONFIG SET proto-max-bulk-len
// applies to a connection opened before it, as on Redis: a 2 MB bulk after
// lowering the limit to 1 MB is a protocol error that closes the client.
func TestProtoMaxBulkLenReachesOpenConnections(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		old, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer old.Close()
		old.SetDeadline(time.Now().Add(10 * time.Second))
		rd := bufio.NewReader(old)
		old.Write([]byte("PING\r\n"))
		if l, _ := rd.ReadString('\n'); l != "+PONG\r\n" {
			t.Fatalf("PING = %q", l)
		}
		admin := testutil.Dial(t, addr)
		var out []string
		out = append(out, string(admin.Do("CONFIG", "SET", "proto-max-bulk-len", "1mb")))
		// The server may close before taking it all: write errors are
		// part of the outcome, not a test failure.
		old.Write(testutil.AppendCommand(nil, "SET", "k", strings.Repeat("x", 2<<20)))
		reply, _ := rd.ReadString('\n')
		out = append(out, reply)
		_, err = rd.ReadByte()
		out = append(out, strings.Repeat("closed", boolInt(err != nil)))
		out = append(out, string(admin.Do("EXISTS", "k")))
		return strings.Join(out, "|")
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestModuleCommandEnabled: where enable-module-command allows MODULE, a
// load of a library that cannot be loaded and an unload of a module never
// loaded fail as on Redis.
func TestModuleCommandEnabled(t *testing.T) {
	sameOnBoth(t, []string{"--enable-module-command", "yes"}, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var out []string
		for _, cmd := range [][]string{
			{"MODULE", "LOAD", "/nonexistent/module.so"},
			{"MODULE", "LOADEX", "/nonexistent/module.so", "CONFIG", "a", "b"},
			{"MODULE", "UNLOAD", "nosuch"},
			{"MODULE", "LIST"},
		} {
			out = append(out, string(c.Do(cmd...)))
		}
		return strings.Join(out, "|")
	})
}

// TestQueryBufferShrinksWhenIdle: a client that sent part of a big command
// and then went quiet keeps a query buffer with room for the rest; after
// 2 s idle the server trims it to the bytes received, as Redis's
// clientsCronResizeQueryBuffer (CLIENT LIST qbuf-free drops to 0). A client
// whose big command completed keeps room above 32 KB only until its next
// small commands lower the peak.
func TestQueryBufferShrinksWhenIdle(t *testing.T) {
	srvs := startBoth(t)
	for _, srv := range srvs {
		t.Run(srv.name, func(t *testing.T) {
			admin := testutil.Dial(t, srv.addr)
			half := testutil.Dial(t, srv.addr)
			half.Do("CLIENT", "SETNAME", "half")
			half.DoRawSend([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$100000\r\n" + strings.Repeat("x", 20000)))
			field := func(name, f string) int {
				for _, line := range strings.Split(string(admin.Do("CLIENT", "LIST")), "\n") {
					if strings.Contains(line, " name="+name+" ") {
						for _, kv := range strings.Fields(line) {
							if v, ok := strings.CutPrefix(kv, f+"="); ok {
								n, _ := strconv.Atoi(v)
								return n
							}
						}
					}
				}
				return -1
			}
			testutil.WaitFor(t, 5*time.Second, func() bool { return field("half", "qbuf") >= 20000 })
			testutil.WaitFor(t, 8*time.Second, func() bool { return field("half", "qbuf-free") == 0 })
			if q := field("half", "qbuf"); q < 20000 {
				t.Fatalf("qbuf = %d after the trim, want the 20000 bytes received", q)
			}

			big := testutil.Dial(t, srv.addr)
			big.Do("CLIENT", "SETNAME", "big")
			big.Do("SET", "x", strings.Repeat("A", 400000))
			orig := field("big", "qbuf") + field("big", "qbuf-free")
			if orig <= 32768 {
				t.Fatalf("query buffer after a 400000-byte SET: %d bytes", orig)
			}
			testutil.WaitFor(t, 5*time.Second, func() bool {
				big.Do("SET", "x", "small")
				n := field("big", "qbuf") + field("big", "qbuf-free")
				return n > 0 && n < orig
			})
		})
	}
}

// TestRewriteScheduledInExec: BGREWRITEAOF and CONFIG SET appendonly yes
// inside a transaction only schedule the rewrite (server.in_exec), which
// the cron then starts, as on Redis (unit/multi "MULTI with BGREWRITEAOF",
// "MULTI with config set appendonly").
func TestRewriteScheduledInExec(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var out []string
		idle := func() bool {
			info := c.Do("INFO", "persistence")
			return strings.Contains(string(info), "aof_rewrite_in_progress:0") && strings.Contains(string(info), "aof_rewrite_scheduled:0")
		}
		for _, cmd := range [][]string{{"BGREWRITEAOF"}, {"CONFIG", "SET", "appendonly", "yes"}} {
			c.Do("MULTI")
			c.Do("SET", "foo", "bar")
			c.Do(cmd...)
			out = append(out, string(c.Do("EXEC")))
			testutil.WaitFor(t, 10*time.Second, idle)
		}
		out = append(out, infoLine(c.Do("INFO", "persistence"), "aof_enabled"))
		// Each rewrite counts in total_forks (Shoal's fork-less jobs too),
		// which the Tcl suite watches to see a rewrite start.
		out = append(out, infoLine(c.Do("INFO", "stats"), "total_forks"))
		c.Do("CONFIG", "RESETSTAT")
		out = append(out, infoLine(c.Do("INFO", "stats"), "total_forks"))
		return strings.Join(out, "|")
	})
}
