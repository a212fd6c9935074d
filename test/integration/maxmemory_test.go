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
	for _, policy := range []string{"allkeys-lru", "allkeys-lfu", "allkeys-random", "volatile-ttl", "volatile-lru"} {
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
			// The estimate may overshoot between collections; far past the
			// limit means eviction did not keep up.
			if used > 64<<20 {
				t.Fatalf("used_memory %d far above maxmemory", used)
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
