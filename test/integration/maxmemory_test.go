package integration

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// infoField reads one field of INFO from a go-redis client.
func infoField(t *testing.T, info, name string) int64 {
	t.Helper()
	for _, line := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			return n
		}
	}
	t.Fatalf("INFO has no %s", name)
	return 0
}

// TestMaxmemoryEviction fills a server well past maxmemory under each
// evicting policy: keys get evicted, used memory stays near the limit, and
// writes keep succeeding.
func TestMaxmemoryEviction(t *testing.T) {
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-ttl", "volatile-lru", "volatile-lfu", "volatile-random"} {
		t.Run(policy, func(t *testing.T) {
			_, addr := startShoal(t, "--maxmemory", "16mb", "--maxmemory-policy", policy)
			c := newClient(t, addr, 2)
			ctx := context.Background()
			val := strings.Repeat("x", 200)
			for i := 0; i < 200000; i += 500 {
				p := c.Pipeline()
				for j := i; j < i+500; j++ {
					p.Set(ctx, fmt.Sprintf("key:%d", j), val, time.Hour)
				}
				if _, err := p.Exec(ctx); err != nil {
					t.Fatalf("write at %d: %v", i, err)
				}
			}
			info := c.Info(ctx, "memory", "stats", "keyspace").Val()
			evicted := infoField(t, info, "evicted_keys")
			used := infoField(t, info, "used_memory")
			if evicted == 0 {
				t.Fatalf("nothing evicted; used_memory=%d", used)
			}
			// Keys and evictions from the same INFO: any later command may
			// evict more.
			var n int64
			for _, line := range strings.Split(info, "\r\n") {
				if v, ok := strings.CutPrefix(line, "db0:keys="); ok {
					n, _ = strconv.ParseInt(v[:strings.IndexByte(v, ',')], 10, 64)
				}
			}
			if n >= 200000 || n+evicted != 200000 {
				t.Fatalf("dbsize %d + evicted %d != 200000", n, evicted)
			}
			// used_memory is a running count, as Redis's: eviction keeps it
			// at the limit, give or take the last write and the clients'
			// buffers.
			if used > 16<<20+256<<10 {
				t.Fatalf("used_memory %d above maxmemory 16mb", used)
			}
		})
	}
}

// TestMaxmemoryNoeviction: under noeviction a write past the limit gets
// Redis's OOM error, reads and deletes still work.
func TestMaxmemoryNoeviction(t *testing.T) {
	_, addr := startShoal(t, "--maxmemory", "8mb", "--maxmemory-policy", "noeviction")
	conn := testutil.Dial(t, addr)
	val := strings.Repeat("x", 1000)
	var oom []byte
	for i := 0; i < 100000; i++ {
		r := conn.Do("SET", fmt.Sprintf("k%d", i), val)
		if r[0] == '-' {
			oom = r
			break
		}
	}
	want := "-OOM command not allowed when used memory > 'maxmemory'.\r\n"
	if string(oom) != want {
		t.Fatalf("write past maxmemory = %q, want %q", oom, want)
	}
	if got := string(conn.Do("GET", "k1")); !strings.HasPrefix(got, "$1000") {
		t.Fatalf("GET under OOM = %q", got)
	}
	if got := string(conn.Do("DEL", "k1")); got != ":1\r\n" {
		t.Fatalf("DEL under OOM = %q", got)
	}
}

// TestFreedClientBuffersLeaveUsedMemory: the output buffers of clients that
// disconnect stop counting toward maxmemory at once, as on Redis, so a
// write right after is not refused for memory the server no longer holds
// (unit/maxmemory's client eviction tests run one after another).
func TestFreedClientBuffersLeaveUsedMemory(t *testing.T) {
	sameOnBoth(t, []string{"--maxmemory", "24mb", "--maxmemory-policy", "noeviction"}, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var out []string
		out = append(out, string(c.Do("SET", "big", strings.Repeat("x", 2<<20))))
		var readers []*testutil.Conn
		for i := 0; i < 8; i++ {
			r := testutil.Dial(t, addr)
			for j := 0; j < 4; j++ {
				r.Send("GET", "big")
			}
			readers = append(readers, r)
		}
		testutil.WaitFor(t, 10*time.Second, func() bool {
			return strings.Count(string(c.Do("CLIENT", "LIST")), "cmd=get") == 8
		})
		for _, r := range readers {
			r.Close()
		}
		testutil.WaitFor(t, 10*time.Second, func() bool {
			return strings.Count(string(c.Do("CLIENT", "LIST")), "id=") == 1
		})
		out = append(out, string(c.Do("SET", "after", strings.Repeat("y", 1<<20))))
		return strings.Join(out, "|")
	})
}

// TestUsedMemoryTracksDataset: used_memory grows by about what a write
// stores and returns to its baseline when the data goes, at once (no
// garbage collection needed), for every type and every way of deleting.
func TestUsedMemoryTracksDataset(t *testing.T) {
	_, addr := startShoal(t)
	c := testutil.Dial(t, addr)
	used := func() int64 {
		t.Helper()
		return infoField(t, string(c.Do("INFO", "memory")), "used_memory")
	}
	// The first INFO counts the connection itself.
	used()
	base := used()
	member := func(i int) string { return fmt.Sprintf("member:%06d:%s", i, strings.Repeat("m", 20)) }
	const n = 10000
	const written = n * 34 // member bytes
	fills := map[string]func(i int) []string{
		"string": func(i int) []string { return []string{"SET", member(i), "v"} },
		"hash":   func(i int) []string { return []string{"HSET", "h", member(i), "v"} },
		"list":   func(i int) []string { return []string{"RPUSH", "l", member(i)} },
		"set":    func(i int) []string { return []string{"SADD", "s", member(i)} },
		"zset":   func(i int) []string { return []string{"ZADD", "z", strconv.Itoa(i), member(i)} },
		"stream": func(i int) []string { return []string{"XADD", "x", "*", "f", member(i)} },
	}
	var pipe []byte
	for _, typ := range []string{"string", "hash", "list", "set", "zset", "stream"} {
		for _, del := range []string{"FLUSHALL", "FLUSHALL ASYNC", "DEL", "UNLINK"} {
			if typ == "string" && (del == "DEL" || del == "UNLINK") {
				continue
			}
			pipe = pipe[:0]
			for i := 0; i < n; i++ {
				pipe = testutil.AppendCommand(pipe, fills[typ](i)...)
			}
			c.DoRawSend(pipe)
			for i := 0; i < n; i++ {
				if r := c.ReadReply(); r[0] == '-' {
					t.Fatalf("%s: %q", typ, r)
				}
			}
			grown := used() - base
			if grown < written || grown > 6*written {
				t.Fatalf("%s: used_memory grew by %d for %d bytes written", typ, grown, written)
			}
			switch del {
			case "DEL", "UNLINK":
				c.Do(del, map[string]string{"hash": "h", "list": "l", "set": "s", "zset": "z", "stream": "x"}[typ])
			default:
				c.Do(strings.Fields(del)...)
			}
			// The dataset is gone to the byte; used_memory may keep the
			// connection's grown query buffer until the cron trims it.
			info := string(c.Do("INFO", "memory"))
			if ds := infoField(t, info, "used_memory_dataset"); ds != 0 {
				t.Fatalf("%s, %s: used_memory_dataset %d", typ, del, ds)
			}
			if after := infoField(t, info, "used_memory"); after < base-4096 || after > base+64<<10 {
				t.Fatalf("%s, %s: used_memory %d, baseline %d", typ, del, after, base)
			}
		}
	}
}
