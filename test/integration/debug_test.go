package integration

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// debugDataset fills a server with keys of every type and encoding over
// three databases, for the DEBUG DIGEST comparison. It returns the keys of
// each database.
func debugDataset(t *testing.T, c *testutil.Conn) map[string][]string {
	t.Helper()
	keys := map[string][]string{}
	db := "0"
	do := func(args ...string) {
		t.Helper()
		if r := c.Do(args...); r[0] == '-' {
			t.Fatalf("%v: %q", args, r)
		}
	}
	add := func(key string, args ...string) {
		t.Helper()
		do(args...)
		keys[db] = append(keys[db], key)
	}
	add("s:int", "SET", "s:int", "12345")
	add("s:neg", "SET", "s:neg", "-7")
	add("s:embstr", "SET", "s:embstr", "hello world")
	add("s:raw", "SET", "s:raw", strings.Repeat("raw value ", 10))
	add("s:ttl", "SET", "s:ttl", "expiring", "EX", "1000")
	add("s:bin", "SET", "s:bin", "a\x00b\xffc")
	add("l:small", "RPUSH", "l:small", "a", "b", "1", "-2", "c")
	big := []string{"RPUSH", "l:big"}
	for i := 0; i < 1500; i++ {
		big = append(big, fmt.Sprintf("element-%d-%s", i, strings.Repeat("x", i%30)))
	}
	add("l:big", big...)
	add("l:ints", "LPUSH", "l:ints", "1", "200", "70000", "5000000000", "-1")
	do("EXPIRE", "l:ints", "500")
	add("set:int", "SADD", "set:int", "3", "1", "2", "-100", "9223372036854775807")
	add("set:str", "SADD", "set:str", "a", "b", "c", "10")
	hs := []string{"SADD", "set:big"}
	for i := 0; i < 600; i++ {
		hs = append(hs, strconv.Itoa(i*7))
	}
	add("set:big", hs...)
	add("z:lp", "ZADD", "z:lp", "1.5", "a", "-inf", "b", "+inf", "c", "0.1", "d", "1e300", "e", "3", "f", "-0", "g", "2", "12")
	zs := []string{"ZADD", "z:skip"}
	for i := 0; i < 200; i++ {
		zs = append(zs, strconv.FormatFloat(float64(i)/3, 'g', -1, 64), "member:"+strconv.Itoa(i))
	}
	add("z:skip", zs...)
	add("z:long", "ZADD", "z:long", "1", strings.Repeat("m", 100), "2", "short")
	add("h:lp", "HSET", "h:lp", "f1", "v1", "f2", "2", "3", "three")
	hh := []string{"HSET", "h:ht"}
	for i := 0; i < 200; i++ {
		hh = append(hh, "field:"+strconv.Itoa(i), strconv.Itoa(i*i))
	}
	add("h:ht", hh...)
	add("h:long", "HSET", "h:long", "f", strings.Repeat("v", 100))
	do("PEXPIRE", "h:long", "900000")
	add("x:s", "XADD", "x:s", "1-1", "a", "1", "b", "2")
	do("XADD", "x:s", "1-2", "a", "3", "b", "4")
	do("XADD", "x:s", "2-0", "other", "fields", "c", "5")
	do("XADD", "x:s", "3-7", "a", "6", "b", "7")
	do("XDEL", "x:s", "1-2")
	do("XGROUP", "CREATE", "x:s", "g1", "0")
	for i := 0; i < 300; i++ {
		id := strconv.Itoa(1700000000000+i*37) + "-" + strconv.Itoa(i%3)
		do("XADD", "x:big", id, "n", strconv.Itoa(i), "payload", strings.Repeat("p", i%50))
	}
	keys[db] = append(keys[db], "x:big")
	do("SELECT", "1")
	db = "1"
	add("s:int", "SET", "s:int", "12345")
	add("other", "RPUSH", "other", "z", "y")
	do("SELECT", "9")
	db = "9"
	add("nine", "HSET", "nine", "a", "b")
	do("SELECT", "0")
	return keys
}

// debugObjectFields drops the fields of DEBUG OBJECT that differ between
// any two processes (address, LRU clock).
var debugObjectFields = regexp.MustCompile(`Value at:0x[0-9a-f]+ | lru:\d+ lru_seconds_idle:\d+`)

// TestDebugDigestMatchesRedis: the same dataset gets the same DEBUG DIGEST
// and DEBUG DIGEST-VALUE on both servers, and DEBUG OBJECT agrees on
// refcount, encoding, serializedlength and the quicklist figures.
func TestDebugDigestMatchesRedis(t *testing.T) {
	var out [2][]string
	for i, srv := range startBoth(t, "--enable-debug-command", "yes") {
		c := testutil.Dial(t, srv.addr)
		out[i] = append(out[i], "empty "+string(c.Do("DEBUG", "DIGEST")))
		keys := debugDataset(t, c)
		out[i] = append(out[i], "all "+string(c.Do("DEBUG", "DIGEST")))
		for _, db := range []string{"0", "1", "9"} {
			c.Do("SELECT", db)
			args := append([]string{"DEBUG", "DIGEST-VALUE", "missing"}, keys[db]...)
			out[i] = append(out[i], db+" values "+string(c.Do(args...)))
			for _, k := range keys[db] {
				r := debugObjectFields.ReplaceAllString(string(c.Do("DEBUG", "OBJECT", k)), "")
				out[i] = append(out[i], db+" object "+k+" "+r)
			}
		}
		c.Do("SELECT", "0")
		c.Do("DEL", "l:small")
		out[i] = append(out[i], "after del "+string(c.Do("DEBUG", "DIGEST")))
	}
	for j := range out[0] {
		if out[0][j] != out[1][j] {
			t.Errorf("redis: %q\nshoal: %q", out[0][j], out[1][j])
		}
	}
}

// TestDebugRepliesMatchRedis compares the replies of the DEBUG
// subcommands whose output does not depend on the process.
func TestDebugRepliesMatchRedis(t *testing.T) {
	sameOnBoth(t, []string{"--enable-debug-command", "yes"}, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var b strings.Builder
		do := func(args ...string) { fmt.Fprintf(&b, "%q -> %q\n", args, c.Do(args...)) }
		do("DEBUG", "POPULATE", "abc")
		do("DEBUG", "POPULATE", "-1")
		do("DEBUG", "POPULATE", "0")
		do("DEBUG", "POPULATE", "10")
		do("DEBUG", "POPULATE", "3", "pre", "20")
		do("DEBUG", "POPULATE", "3", "cut", "3")
		do("DEBUG", "POPULATE", "1", "x", "abc")
		do("GET", "key:7")
		do("GET", "pre:2")
		do("GET", "cut:1")
		do("OBJECT", "ENCODING", "key:1")
		do("DEBUG", "DIGEST")
		do("DBSIZE")
		do("DEBUG", "OBJECT", "nokey")
		do("DEBUG", "DIGEST", "x")
		do("DEBUG", "DIGEST-VALUE")
		do("DEBUG", "ERROR", "MYERR some\nthing")
		do("DEBUG", "LOG", "hello")
		do("DEBUG", "LOG")
		do("DEBUG", "CHANGE-REPL-ID")
		do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1k")
		do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0")
		do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb")
		do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "-1")
		do("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "12xb")
		do("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0")
		do("DEBUG", "SET-ACTIVE-EXPIRE", "1")
		do("DEBUG", "PAUSE-CRON", "0")
		do("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never")
		do("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "reset")
		do("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "100")
		do("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "x")
		do("DEBUG", "REPLYBUFFER", "RESIZING", "1")
		do("DEBUG", "REPLYBUFFER", "BOGUS", "1")
		do("DEBUG", "REPLYBUFFER", "RESIZING")
		do("DEBUG", "HTSTATS", "x")
		do("DEBUG", "HTSTATS", "16")
		do("DEBUG", "HTSTATS", "5")
		do("DEBUG", "HTSTATS-KEY", "key:1")
		do("DEBUG", "HTSTATS-KEY", "nokey")
		do("DEBUG", "SLEEP", "0")
		do("DEBUG", "JMAP")
		do("DEBUG", "NOSUCH")
		do("DEBUG", "HELP", "x")
		// Redis runs its whole stringmatchlen fuzz test here: seconds on a
		// busy machine.
		c.Timeout = time.Minute
		do("DEBUG", "STRINGMATCH-TEST")
		c.Timeout = testutil.DefaultReadTimeout
		for _, proto := range []string{"2", "3"} {
			c.Do("HELLO", proto)
			for _, typ := range []string{"string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push", "verbatim", "true", "false", "bogus"} {
				do("DEBUG", "PROTOCOL", typ)
				if typ == "push" && proto == "3" {
					fmt.Fprintf(&b, "then %q\n", c.ReadReply())
				}
			}
		}
		do("INFO", "errorstats")
		return b.String()
	})
}

// TestDebugSkipChecksumValidation: RESTORE refuses a payload with a bad
// CRC until DEBUG SET-SKIP-CHECKSUM-VALIDATION 1, on both servers.
func TestDebugSkipChecksumValidation(t *testing.T) {
	sameOnBoth(t, []string{"--enable-debug-command", "yes"}, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		c.Do("RPUSH", "l", "a", "b", "c")
		r := c.Do("DUMP", "l")
		hdr := strings.Index(string(r), "\r\n")
		if r[0] != '$' || hdr < 0 {
			t.Fatalf("DUMP: %q", r)
		}
		p := r[hdr+2 : len(r)-2]
		p[len(p)-1] ^= 0xff
		bad := string(p)
		var b strings.Builder
		do := func(args ...string) { fmt.Fprintf(&b, "%q\n", c.Do(args...)) }
		do("RESTORE", "l2", "0", bad)
		do("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1")
		do("RESTORE", "l2", "0", bad)
		do("LRANGE", "l2", "0", "-1")
		do("RESTORE", "l3", "0", bad[:5])
		do("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0")
		do("RESTORE", "l4", "0", bad)
		return b.String()
	})
}

// TestDebugHelpIsRedisSubset: every line of Shoal's DEBUG HELP appears in
// Redis's, in the same order (Shoal lists only what it implements).
func TestDebugHelpIsRedisSubset(t *testing.T) {
	srvs := startBoth(t, "--enable-debug-command", "yes")
	var help [2][][]byte
	for i, srv := range srvs {
		_, elems, err := testutil.Elements(testutil.Dial(t, srv.addr).Do("DEBUG", "HELP"))
		if err != nil {
			t.Fatal(err)
		}
		help[i] = elems
	}
	j := 0
	for _, line := range help[1] {
		for j < len(help[0]) && string(help[0][j]) != string(line) {
			j++
		}
		if j == len(help[0]) {
			t.Fatalf("shoal's help line %q is not in redis's (in order)", line)
		}
		j++
	}
}

// TestWatchdogPeriod: the software watchdog (hidden watchdog-period) logs
// "WATCHDOG TIMER EXPIRED" and a stack naming the running command's
// handler when the executor is stuck longer than the period, as Redis's
// tests/integration/logging.tcl checks with DEBUG SLEEP; periods shorter
// than two cron runs are raised, as Redis does; 0 turns it off.
func TestWatchdogPeriod(t *testing.T) {
	p, addr := startShoal(t, "--enable-debug-command", "yes")
	c := testutil.Dial(t, addr)
	defer c.Close()
	c.Do("CONFIG", "SET", "watchdog-period", "50")
	if r := string(c.Do("CONFIG", "GET", "watchdog-period")); !strings.Contains(r, "\r\n200\r\n") {
		t.Fatalf("CONFIG GET watchdog-period after 50 at hz 10: %q, want 200", r)
	}
	c.Do("DEBUG", "SLEEP", "1")
	testutil.WaitFor(t, 5*time.Second, func() bool {
		out := p.Output()
		return strings.Contains(out, "--- WATCHDOG TIMER EXPIRED ---") && strings.Contains(out, "debugCommand")
	})
	c.Do("CONFIG", "SET", "watchdog-period", "0")
	fired := strings.Count(p.Output(), "WATCHDOG TIMER EXPIRED")
	c.Do("DEBUG", "SLEEP", "0.5")
	if n := strings.Count(p.Output(), "WATCHDOG TIMER EXPIRED"); n != fired {
		t.Errorf("the watchdog fired %d times after it was turned off", n-fired)
	}
}
