package compat

import (
	"bytes"
	"strconv"
	"strings"
	"testing"

	"shoal/internal/testutil"
)

// migrateSteps is a MIGRATE session: each step runs on the source ("s") or
// the target ("t"); $T is the target's port, $DEAD a port nobody listens
// on. Replies are compared byte for byte, except steps marked "type"
// (remaining TTLs), where only the reply's type and length are.
var migrateSteps = []struct{ on, cmd string }{
	{"s", "SET a 1"},
	{"s", "MIGRATE 127.0.0.1 $T a 0 1000"},
	{"s", "EXISTS a"},
	{"t", "GET a"},
	{"s", "MIGRATE 127.0.0.1 $T a 0 1000"},
	{"s", "SET a 2"},
	{"s", "MIGRATE 127.0.0.1 $T a 0 1000"},
	{"s", "EXISTS a"},
	{"s", "MIGRATE 127.0.0.1 $T a 0 1000 REPLACE"},
	{"t", "GET a"},
	{"s", "SET c 3"},
	{"s", "MIGRATE 127.0.0.1 $T c 0 1000 COPY"},
	{"s", "EXISTS c"},
	{"t", "GET c"},
	{"s", "SET c 4"},
	{"s", "MIGRATE 127.0.0.1 $T c 0 1000 COPY REPLACE"},
	{"t", "GET c"},
	{"s", "SET k1 v EX 100"},
	{"s", "RPUSH k2 x y z"},
	{"s", "HSET k3 f v g w"},
	{"s", "ZADD k4 1 a 2 b"},
	{"s", "SADD k5 1 2 3"},
	{"s", "XADD k6 1-1 f v"},
	{"s", "MIGRATE 127.0.0.1 $T \"\" 0 1000 KEYS k1 k2 missing k3 k4 k5 k6"},
	{"s", "EXISTS k1 k2 k3 k4 k5 k6"},
	{"t", "GET k1"},
	{"t:type", "PTTL k1"},
	{"t", "LRANGE k2 0 -1"},
	{"t", "HGETALL k3"},
	{"t", "ZRANGE k4 0 -1 WITHSCORES"},
	{"t", "SMEMBERS k5"},
	{"t", "XRANGE k6 - +"},
	{"s", "MIGRATE 127.0.0.1 $T \"\" 0 1000 KEYS nothing here"},
	{"s", "SET m 1"},
	{"s", "MIGRATE 127.0.0.1 $T m 0 1000 KEYS m"},
	{"s", "MIGRATE 127.0.0.1 $T m 0 1000 BOGUS"},
	{"s", "MIGRATE 127.0.0.1 $T m 0 1000 AUTH"},
	{"s", "MIGRATE 127.0.0.1 $T m 0 1000 AUTH2 user"},
	{"s", "MIGRATE 127.0.0.1 $T m 0 notanumber"},
	{"s", "MIGRATE 127.0.0.1 $T m x 1000"},
	{"s", "MIGRATE 127.0.0.1 $T m"},
	{"s", "MIGRATE 127.0.0.1 $T m 0 1000 AUTH secret"},
	{"s", "MIGRATE 127.0.0.1 $T m 0 1000 AUTH2 user secret"},
	{"s", "EXISTS m"},
	{"s", "MIGRATE 127.0.0.1 $T m 99 1000"},
	{"s", "EXISTS m"},
	{"s", "MIGRATE 127.0.0.1 $T m 1 1000"},
	{"t", "SELECT 1"},
	{"t", "GET m"},
	{"t", "SELECT 0"},
	{"s", "SET n 1"},
	{"s", "MIGRATE 127.0.0.1 $DEAD n 0 200"},
	{"s", "EXISTS n"},
	{"s", "MIGRATE 127.0.0.1 $T n 0 0"},
	{"t", "GET n"},
	// The target refuses one key of a batch: the others still move.
	{"s", "MSET p1 a p2 b p3 c"},
	{"t", "SET p2 old"},
	{"s", "MIGRATE 127.0.0.1 $T \"\" 0 1000 KEYS p1 p2 p3"},
	{"s", "EXISTS p1 p2 p3"},
	{"t", "MGET p1 p2 p3"},
	{"t", "RESTORE-ASKING ra 0 bad"},
	{"t", "RESTORE-ASKING ra 0 bad REPLACE"},
	{"s", "ASKING"},
	{"s", "READONLY"},
	{"s", "READWRITE"},
}

// TestMigrate runs migrateSteps with a redis-server source and target as
// the reference, and compares every other pairing of redis-server and
// shoal-server as source and target with it.
func TestMigrate(t *testing.T) {
	p := startPair(t)
	deadPort := strconv.Itoa(testutil.FreePort(t))
	// A second instance of each, the targets.
	raddr2, _ := testutil.StartRedis(t)
	saddr2 := testutil.StartShoal(t, shoalBin)
	port := func(addr string) string { return addr[strings.LastIndexByte(addr, ':')+1:] }
	run := func(src, dst string) [][]byte {
		s, d := testutil.Dial(t, src), testutil.Dial(t, dst)
		s.Do("FLUSHALL")
		d.Do("FLUSHALL")
		var out [][]byte
		for _, st := range migrateSteps {
			line := strings.NewReplacer("$T", port(dst), "$DEAD", deadPort).Replace(st.cmd)
			args, err := splitArgs(line)
			if err != nil {
				t.Fatal(err)
			}
			c := s
			if st.on != "s" {
				c = d
			}
			r := c.Do(args...)
			if strings.HasSuffix(st.on, ":type") {
				r = replyShape(r)
			}
			out = append(out, r)
		}
		return out
	}
	want := run(p.redis, raddr2)
	for _, pair := range []struct{ name, src, dst string }{
		{"shoal->shoal", p.shoal, saddr2},
		{"shoal->redis", p.shoal, raddr2},
		{"redis->shoal", p.redis, saddr2},
	} {
		got := run(pair.src, pair.dst)
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Errorf("%s: step %d (%s on %s):\n redis: %q\n   got: %q", pair.name, i, migrateSteps[i].cmd, migrateSteps[i].on, want[i], got[i])
			}
		}
	}
}

// replyShape keeps a reply's type byte and header (a bulk's or
// aggregate's length, or an integer's sign).
func replyShape(r []byte) []byte {
	if len(r) > 1 && r[0] == ':' {
		if r[1] == '-' {
			return []byte(":-")
		}
		return []byte(":+")
	}
	if i := bytes.IndexByte(r, '\r'); i > 0 {
		return r[:i]
	}
	return r
}

// TestMigrateCachedSockets: INFO's migrate_cached_sockets counts the
// connections MIGRATE keeps to its targets (Redis's unit/dump "MIGRATE is
// caching connections"), before and after MIGRATE to one target and then
// a second, compared with redis-server as the source.
func TestMigrateCachedSockets(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	raddr, ok := testutil.StartRedis(t)
	if !ok {
		t.Skip("redis-server not on PATH")
	}
	saddr := testutil.StartShoal(t, shoalBin)
	targets := []string{testutil.StartShoal(t, shoalBin), testutil.StartShoal(t, shoalBin)}
	count := func(c *testutil.Conn) string {
		for _, line := range strings.Split(string(c.Do("INFO", "stats")), "\r\n") {
			if v, ok := strings.CutPrefix(line, "migrate_cached_sockets:"); ok {
				return v
			}
		}
		return "missing"
	}
	run := func(src string) []string {
		c := testutil.Dial(t, src)
		defer c.Close()
		out := []string{count(c)}
		for _, dst := range targets {
			host, port, _ := strings.Cut(dst, ":")
			c.Do("SET", "key", "v")
			out = append(out, string(c.Do("MIGRATE", host, port, "key", "9", "1000", "REPLACE")), count(c))
		}
		return out
	}
	want, got := run(raddr), run(saddr)
	if strings.Join(want, "|") != strings.Join(got, "|") {
		t.Errorf("redis: %q\nshoal: %q", want, got)
	}
}
