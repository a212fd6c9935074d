package cli_test

import (
	"bytes"
	"context"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shoal/internal/encoding"
	"shoal/internal/testutil"
)

// waitCheckClean waits until redis-cli --cluster check finds nothing to
// report: every slot covered once, no open slot, all nodes agreeing.
func waitCheckClean(t *testing.T, rcli, addr string) {
	t.Helper()
	var r cliRun
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		r = cliOut(t, rcli, "", "--cluster", "check", addr)
		if r.code == 0 && !bytes.Contains(r.stdout, []byte("[WARNING]")) {
			return
		}
	}
	t.Fatalf("--cluster check %s not clean within 30 s; last check exited %d:\n%s%s", addr, r.code, r.stdout, r.stderr)
}

// tagsOwnedBy returns n hash tags whose slots, all different, addr owns.
func tagsOwnedBy(t *testing.T, addr string, n int) []string {
	c := testutil.Dial(t, addr)
	defer c.Close()
	var tags []string
	seen := map[int]bool{}
	for i := 0; len(tags) < n && i < 1000; i++ {
		tag := "fx" + strconv.Itoa(i)
		slot := encoding.KeyHashSlotString(tag)
		if seen[slot] || bytes.HasPrefix(c.Do("GET", "{"+tag+"}"), []byte("-MOVED")) {
			continue
		}
		seen[slot] = true
		tags = append(tags, tag)
	}
	if len(tags) < n {
		t.Fatalf("no %d slots owned by %s", n, addr)
	}
	return tags
}

// testFixUncovered leaves three slots of the first master uncovered, one
// without keys, one with keys on that master only and one with keys on
// two masters, and runs --cluster fix with redis-cli and then shoal-cli
// on the same damage: the outputs must be the same (but for the random
// master chosen for the empty slot) and the cluster clean after each.
func testFixUncovered(t *testing.T, rcli string, addrs []string) {
	m1, m2 := addrs[0], addrs[1]
	tags := tagsOwnedBy(t, m1, 3)
	one, multi := tags[1], tags[2]
	slots := []string{}
	for _, tag := range tags {
		slots = append(slots, strconv.Itoa(encoding.KeyHashSlotString(tag)))
	}
	c1, c2 := testutil.Dial(t, m1), testutil.Dial(t, m2)
	defer c1.Close()
	defer c2.Close()
	id1 := myID(t, m1)
	damage := func() {
		c1.Do("DEL", "{"+multi+"}c")
		c1.Do("SET", "{"+one+"}a", "1")
		c1.Do("SET", "{"+multi+"}a", "1")
		c1.Do("SET", "{"+multi+"}b", "2")
		// A stray key on a second master, put there as an import would.
		c2.Do("CLUSTER", "SETSLOT", slots[2], "IMPORTING", id1)
		c2.Do("ASKING")
		if r := c2.Do("SET", "{"+multi+"}c", "3"); string(r) != "+OK\r\n" {
			t.Fatalf("ASKING SET on %s: %q", m2, r)
		}
		c2.Do("CLUSTER", "SETSLOT", slots[2], "STABLE")
		// The empty slot may have gone to any master by a previous fix.
		for _, a := range addrs[:3] {
			c := testutil.Dial(t, a)
			if !bytes.HasPrefix(c.Do("GET", "{"+tags[0]+"}"), []byte("-MOVED")) {
				c.Do("CLUSTER", "DELSLOTS", slots[0])
			}
			c.Close()
		}
		c1.Do("CLUSTER", "DELSLOTS", slots[1], slots[2])
	}
	// The damaged master must keep serving the moves of keys into it
	// until the gossip tells it who covers the empty slot.
	setCoverage := func(v string) {
		for _, a := range addrs {
			c := testutil.Dial(t, a)
			c.Do("CONFIG", "SET", "cluster-require-full-coverage", v)
			c.Close()
		}
	}
	setCoverage("no")
	defer setCoverage("yes")
	// The master covering the empty slot is chosen at random.
	random := regexp.MustCompile(`(>>> Covering slot ` + slots[0] + ` with )\S+`)
	var outs [2]cliRun
	for i, cli := range []string{rcli, shoalCli()} {
		damage()
		// fix asks before covering each kind of slot, --cluster-yes
		// or not, as redis-cli 7.0.
		r := cliOut(t, cli, "yes\nyes\nyes\n", "--cluster", "fix", m1)
		r.stdout = random.ReplaceAll(r.stdout, []byte("${1}ADDR"))
		outs[i] = r
		if r.code != 0 {
			t.Fatalf("%s fix exited %d:\n%s%s", cli, r.code, r.stdout, r.stderr)
		}
		waitCheckClean(t, rcli, m1)
		for _, k := range []string{"{" + one + "}a", "{" + multi + "}a", "{" + multi + "}b", "{" + multi + "}c"} {
			if got := c1.Do("EXISTS", k); string(got) != ":1\r\n" {
				t.Errorf("after %s fix, %s on %s: %q", cli, k, m1, got)
			}
		}
	}
	want, got := outs[0], outs[1]
	for _, line := range []string{
		"[ERR] Not all 16384 slots are covered by nodes.",
		"The following uncovered slots have no keys across the cluster:\n[" + slots[0] + "]\n",
		"The following uncovered slots have keys in just one node:\n[" + slots[1] + "]\n",
		"The following uncovered slots have keys in multiple nodes:\n[" + slots[2] + "]\n",
		">>> Covering slot " + slots[2] + " moving keys to " + m1,
	} {
		if !bytes.Contains(got.stdout, []byte(line)) {
			t.Errorf("shoal-cli fix output lacks %q", line)
		}
	}
	if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
		t.Errorf("fix uncovered:\nredis-cli (exit %d):\n%s%s\nshoal-cli (exit %d):\n%s%s", want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
	}
	for _, k := range []string{"{" + one + "}a", "{" + multi + "}a", "{" + multi + "}b", "{" + multi + "}c"} {
		c1.Do("DEL", k)
	}
}

// testImport moves keys from a standalone server into the cluster with
// --cluster import: copying, copying again onto existing keys (an error),
// copying with replace, and moving with replace; redis-cli and shoal-cli
// must print the same at each step and leave the same data.
func testImport(t *testing.T, rcli, bin string, addrs []string) {
	_, src := testutil.StartServer(t, bin)
	sc := testutil.Dial(t, src)
	defer sc.Close()
	keys := []string{"imp:s", "imp:l", "imp:h", "imp:z", "imp:n", "{imp}1", "{imp}2"}
	load := func() {
		sc.Do("FLUSHALL")
		sc.Do("SET", "imp:s", "hello")
		sc.Do("RPUSH", "imp:l", "a", "b", "c")
		sc.Do("HSET", "imp:h", "f", "v")
		sc.Do("ZADD", "imp:z", "1", "one", "2", "two")
		sc.Do("SET", "imp:n", "42")
		sc.Do("SET", "{imp}1", "x")
		sc.Do("SET", "{imp}2", "y")
	}
	ctx := context.Background()
	cl := redis.NewClusterClient(&redis.ClusterOptions{Addrs: addrs[:3], MaxRedirects: 16})
	defer cl.Close()
	steps := [][]string{
		{"--cluster-copy"},
		{"--cluster-copy"},
		{"--cluster-copy", "--cluster-replace"},
		{"--cluster-replace"},
	}
	var outs [2][]cliRun
	for i, cli := range []string{rcli, shoalCli()} {
		load()
		for _, k := range keys {
			cl.Del(ctx, k)
		}
		for j, extra := range steps {
			if j == 2 {
				// Values that the replace must overwrite.
				for _, k := range keys {
					cl.Del(ctx, k)
					cl.Set(ctx, k, "old", 0)
				}
			}
			args := append([]string{"--cluster", "import", addrs[0], "--cluster-from", src}, extra...)
			outs[i] = append(outs[i], cliOut(t, cli, "", args...))
		}
		if n := sc.Do("DBSIZE"); string(n) != ":0\r\n" {
			t.Errorf("after %s import, the source holds %q keys", cli, n)
		}
		if v, err := cl.LRange(ctx, "imp:l", 0, -1).Result(); err != nil || len(v) != 3 || v[2] != "c" {
			t.Errorf("after %s import, imp:l = %q, %v", cli, v, err)
		}
		if v, err := cl.Get(ctx, "{imp}2").Result(); err != nil || v != "y" {
			t.Errorf("after %s import, {imp}2 = %q, %v", cli, v, err)
		}
		waitCheckClean(t, rcli, addrs[0])
	}
	for j, extra := range steps {
		want, got := outs[0][j], outs[1][j]
		if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
			t.Errorf("import %v (step %d):\nredis-cli (exit %d):\n%s%s\nshoal-cli (exit %d):\n%s%s", extra, j, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
		}
	}
	if got := outs[1][1]; got.code == 0 || !bytes.Contains(got.stdout, []byte("BUSYKEY")) {
		t.Errorf("copy onto existing keys exited %d:\n%s", got.code, got.stdout)
	}
	for _, k := range keys {
		cl.Del(ctx, k)
	}
}

// testFixMultipleOwners makes a slot owned by two masters and runs
// --cluster fix --cluster-search-multiple-owners with redis-cli and then
// shoal-cli. The second master forgets the first before claiming the
// slot, so that the gossip cannot settle the conflict before the tool
// sees it; it claims with a lower epoch, so the others keep the first as
// owner meanwhile. It holds the slot's keys: the fix gives it the slot.
// (With keys on both, redis-cli 7.0 fails: it migrates from a master it
// has just told that the slot is another's, which answers MOVED.) The two outputs of the multiple
// owners check must be the same, the masters, their ids and the slot
// named alike, and the cluster clean once the two meet again.
func testFixMultipleOwners(t *testing.T, rcli string, addrs []string) {
	masters := addrs[:3]
	epoch := func(a string) int {
		c := testutil.Dial(t, a)
		defer c.Close()
		for _, line := range strings.Split(string(c.Do("CLUSTER", "NODES")), "\n") {
			if f := strings.Fields(line); len(f) > 6 && strings.Contains(f[2], "myself") {
				n, _ := strconv.Atoi(f[6])
				return n
			}
		}
		t.Fatalf("no myself line from %s", a)
		return 0
	}
	setCoverage := func(v string) {
		for _, a := range addrs {
			c := testutil.Dial(t, a)
			c.Do("CONFIG", "SET", "cluster-require-full-coverage", v)
			c.Close()
		}
	}
	// The master that forgot another sees that one's slots unassigned.
	setCoverage("no")
	defer setCoverage("yes")
	var outs [2]string
	for i, cli := range []string{rcli, shoalCli()} {
		sorted := append([]string(nil), masters...)
		sort.Slice(sorted, func(a, b int) bool { return epoch(sorted[a]) > epoch(sorted[b]) })
		hi, mid, lo := sorted[0], sorted[1], sorted[2]
		tag := tagsOwnedBy(t, hi, 1)[0]
		slot := strconv.Itoa(encoding.KeyHashSlotString(tag))
		hc, lc := testutil.Dial(t, hi), testutil.Dial(t, lo)
		hiID, loID := myID(t, hi), myID(t, lo)
		lc.Do("CLUSTER", "FORGET", hiID)
		if r := lc.Do("CLUSTER", "ADDSLOTS", slot); string(r) != "+OK\r\n" {
			t.Fatalf("ADDSLOTS %s on %s: %q", slot, lo, r)
		}
		lc.Do("SET", "{"+tag+"}b", "2")
		lc.Do("SET", "{"+tag+"}c", "3")
		r := cliOut(t, cli, "yes\nyes\nyes\n", "--cluster", "fix", mid, "--cluster-search-multiple-owners")
		hiHost, hiPort, _ := strings.Cut(hi, ":")
		lc.Do("CLUSTER", "MEET", hiHost, hiPort)
		out := string(r.stdout)
		if k := strings.Index(out, ">>> Check for multiple slot owners..."); k >= 0 {
			out = out[k:]
		}
		outs[i] = strings.NewReplacer(hi, "HI", lo, "LO", mid, "MID", hiID, "HIID", loID, "LOID", "slot "+slot, "slot S", "Slot "+slot, "Slot S", "slot: "+slot, "slot: S").Replace(out) + string(r.stderr) + "exit " + strconv.Itoa(r.code)
		// The owners are listed in the entry node's order of the nodes,
		// and the two masters swap parts between the runs.
		outs[i] = strings.Replace(outs[i], "    LO\n    HI\n", "    HI\n    LO\n", 1)
		if r.code != 0 || !strings.Contains(outs[i], "[WARNING] Slot S has 2 owners:") || !strings.Contains(outs[i], ">>> Setting slot S owner: LO") {
			t.Errorf("%s fix --cluster-search-multiple-owners exited %d:\n%s%s", cli, r.code, r.stdout, r.stderr)
		}
		waitCheckClean(t, rcli, mid)
		for _, k := range []string{"{" + tag + "}b", "{" + tag + "}c"} {
			if got := lc.Do("EXISTS", k); string(got) != ":1\r\n" {
				t.Errorf("after %s fix, %s on %s: %q", cli, k, lo, got)
			}
		}
		lc.Do("DEL", "{"+tag+"}b", "{"+tag+"}c")
		hc.Close()
		lc.Close()
	}
	if outs[0] != outs[1] {
		t.Errorf("fix --cluster-search-multiple-owners:\nredis-cli:\n%s\nshoal-cli:\n%s", outs[0], outs[1])
	}
}
