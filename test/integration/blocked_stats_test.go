package integration

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// infoLine returns the "name:value" line of a raw INFO reply.
func infoLine(info []byte, name string) string {
	for _, line := range strings.Split(string(info), "\r\n") {
		if strings.HasPrefix(line, name+":") {
			return line
		}
	}
	return name + ": missing"
}

// commandStat returns the calls= field of a cmdstat line.
func commandStat(info []byte, cmd string) string {
	line := infoLine(info, "cmdstat_"+cmd)
	if i := strings.Index(line, "calls="); i >= 0 {
		return line[i : i+strings.IndexByte(line[i:], ',')]
	}
	return line
}

// waitBlocked polls INFO until blocked_clients reads want.
func waitBlocked(c *testutil.Conn, want int) string {
	line := ""
	testutil.Poll(2*time.Second, func() bool {
		line = infoLine(c.Do("INFO", "clients"), "blocked_clients")
		return line == fmt.Sprintf("blocked_clients:%d", want)
	})
	return line
}

// TestPausedClientsCountAsBlocked: clients held by CLIENT PAUSE WRITE are
// reported in blocked_clients, PFCOUNT and PUBLISH wait like writes, and
// only blocked clients with a deadline are in the timeout table.
func TestPausedClientsCountAsBlocked(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		var out strings.Builder
		r := testutil.Dial(t, addr)
		forever := testutil.Dial(t, addr)
		forever.Send("BLPOP", "q1", "0")
		timed := testutil.Dial(t, addr)
		timed.Send("BLPOP", "q2", "100")
		fmt.Fprintln(&out, waitBlocked(r, 2), infoLine(r.Do("INFO", "clients"), "clients_in_timeout_table"))
		r.Do("RPUSH", "q1", "a")
		r.Do("RPUSH", "q2", "a")
		forever.ReadReply()
		timed.ReadReply()
		r.Do("PFADD", "hll", "x")
		fmt.Fprintf(&out, "%q\n", r.Do("CLIENT", "PAUSE", "60000", "WRITE"))
		w := testutil.Dial(t, addr)
		w.Send("PFCOUNT", "hll")
		p := testutil.Dial(t, addr)
		p.Send("PUBLISH", "ch", "m")
		s := testutil.Dial(t, addr)
		s.Send("SET", "k", "v")
		fmt.Fprintln(&out, waitBlocked(r, 3), string(r.Do("GET", "k")))
		r.Do("CLIENT", "UNPAUSE")
		fmt.Fprintf(&out, "%q %q %q %s\n", w.ReadReply(), p.ReadReply(), s.ReadReply(), waitBlocked(r, 0))
		return out.String()
	})
}

// TestServedBlockedCommandStats: a blocked BLPOP that is served counts as
// one call, is logged by SLOWLOG when served, and MONITOR shows it once.
func TestServedBlockedCommandStats(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		var out strings.Builder
		r := testutil.Dial(t, addr)
		r.Do("CONFIG", "SET", "slowlog-log-slower-than", "0")
		mon := testutil.Dial(t, addr)
		mon.Do("MONITOR")
		b := testutil.Dial(t, addr)
		b.Send("BLPOP", "l", "0")
		waitBlocked(r, 1)
		r.Do("CONFIG", "RESETSTAT")
		r.Do("MULTI")
		r.Do("LPUSH", "l", "foo")
		r.Do("SLOWLOG", "RESET")
		r.Do("EXEC")
		fmt.Fprintf(&out, "%q\n", b.ReadReply())
		log := r.Do("SLOWLOG", "GET", "1")
		fmt.Fprintln(&out, strings.Contains(string(log), "$5\r\nblpop\r\n$1\r\nl\r\n$1\r\n0\r\n"))
		info := r.Do("INFO", "commandstats")
		fmt.Fprintln(&out, commandStat(info, "blpop"), commandStat(info, "lpush"))
		blpops := 0
		for {
			line, err := mon.TryReadReply(200 * time.Millisecond)
			if err != nil {
				break
			}
			if strings.Contains(string(line), `"blpop"`) {
				blpops++
			}
		}
		fmt.Fprintln(&out, "monitor blpop lines:", blpops)
		return out.String()
	})
}

// TestClientReplyOnCancelsSkip: CLIENT REPLY ON right after CLIENT REPLY
// SKIP is answered, and so is what follows.
func TestClientReplyOnCancelsSkip(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		c.Send("CLIENT", "REPLY", "SKIP")
		c.Send("CLIENT", "REPLY", "ON")
		first := c.ReadReply()
		return fmt.Sprintf("%q %q", first, c.Do("PING"))
	})
}

// failedCalls returns the calls=, rejected_calls= and failed_calls= fields
// of a cmdstat line (usec is timing).
func failedCalls(info []byte, cmd string) string {
	var out []string
	for _, f := range strings.Split(infoLine(info, "cmdstat_"+cmd), ",") {
		if strings.Contains(f, "calls=") {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// TestUnblockedCommandStats: a blocked BLPOP ended by CLIENT UNBLOCK counts
// as a failed call, with ERROR and with TIMEOUT alike (Redis 7.0's
// updateStatsOnUnblock with had_errors), while its own timeout does not
// (Redis's unit/info "errorstats: blocking commands").
func TestUnblockedCommandStats(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		var out strings.Builder
		r := testutil.Dial(t, addr)
		b := testutil.Dial(t, addr)
		id := strings.TrimSpace(strings.TrimPrefix(string(b.Do("CLIENT", "ID")), ":"))
		r.Do("CONFIG", "RESETSTAT")
		for _, how := range []string{"ERROR", "TIMEOUT"} {
			b.Send("BLPOP", "q", "0")
			waitBlocked(r, 1)
			fmt.Fprintf(&out, "%q %q ", r.Do("CLIENT", "UNBLOCK", id, how), b.ReadReply())
			info := r.Do("INFO", "all")
			fmt.Fprintln(&out, failedCalls(info, "blpop"), infoLine(info, "errorstat_UNBLOCKED"), infoLine(info, "total_error_replies"))
		}
		b.Send("BLPOP", "q", "0.01")
		fmt.Fprintf(&out, "%q %s\n", b.ReadReply(), failedCalls(r.Do("INFO", "commandstats"), "blpop"))
		return out.String()
	})
}

// TestSwapdbWakesOnExpiredKey: SWAPDB brings a blocked BRPOP's key in, but
// the key has expired: the client stays blocked and the key is deleted
// there and then, as Redis's handleClientsBlockedOnKeys looks it up
// (unit/type/list "SWAPDB wants to wake blocked client, but the key
// already expired").
func TestSwapdbWakesOnExpiredKey(t *testing.T) {
	sameOnBoth(t, []string{"--enable-debug-command", "yes"}, func(t *testing.T, addr string) string {
		var out strings.Builder
		r := testutil.Dial(t, addr)
		b := testutil.Dial(t, addr)
		id := strings.TrimSpace(strings.TrimPrefix(string(b.Do("CLIENT", "ID")), ":"))
		r.Do("DEBUG", "SET-ACTIVE-EXPIRE", "0")
		r.Do("SELECT", "1")
		r.Do("RPUSH", "k", "hello")
		r.Do("PEXPIRE", "k", "50")
		start := time.Now()
		b.Do("SELECT", "9")
		b.Send("BRPOP", "k", "0")
		waitBlocked(r, 1)
		testutil.WaitFor(t, time.Second, func() bool { return time.Since(start) > 80*time.Millisecond })
		fmt.Fprintf(&out, "%q ", r.Do("SWAPDB", "1", "9"))
		r.Do("SELECT", "9")
		fmt.Fprintf(&out, "%q %q ", r.Do("DBSIZE"), waitBlocked(r, 1))
		fmt.Fprintf(&out, "%q %q", r.Do("CLIENT", "UNBLOCK", id), b.ReadReply())
		r.Do("DEBUG", "SET-ACTIVE-EXPIRE", "1")
		return out.String()
	})
}
