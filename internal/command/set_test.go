package command

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// setsTestClient is a client over a fresh keyspace that records keyspace
// notifications.
type setsTestClient struct {
	*Client
	events []string
}

func newSetsTestClient(seed uint64) *setsTestClient {
	rnd := rand.New(rand.NewPCG(seed, 1))
	ks := keyspace.New(16, false, func(n uint64) uint64 { return rnd.Uint64N(n) })
	ks.Now = 1_700_000_000_000
	core := NewCore(ks)
	tc := &setsTestClient{Client: &Client{Core: core, DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}}
	core.Notify = func(class int, event string, key []byte, dbid int) {
		tc.events = append(tc.events, event+":"+string(key))
	}
	return tc
}

// run executes one command and returns its reply bytes.
func (tc *setsTestClient) run(t testing.TB, args ...string) string {
	t.Helper()
	c := tc.Client
	c.B = c.B[:0]
	c.ResetCommandState()
	c.Argv = c.Argv[:0]
	for _, a := range args {
		c.Argv = append(c.Argv, []byte(a))
	}
	p := registry[strings.ToLower(args[0])]
	if p == nil {
		t.Fatalf("no handler for %q", args[0])
	}
	p(c)
	return string(c.B)
}

// propagated renders what the last command propagates, one command per
// element, arguments joined by spaces.
func (tc *setsTestClient) propagated() []string {
	own, extra := tc.Propagation()
	var out []string
	join := func(argv [][]byte) string {
		var parts []string
		for _, a := range argv {
			parts = append(parts, string(a))
		}
		return strings.Join(parts, " ")
	}
	if own != nil {
		out = append(out, join(own))
	}
	for _, argv := range extra {
		out = append(out, join(argv))
	}
	return out
}

func (tc *setsTestClient) set(t testing.TB, key string) *types.Set {
	t.Helper()
	e := tc.DB.Lookup([]byte(key))
	if e == nil {
		return nil
	}
	return e.Obj.(*types.Set)
}

func TestSetsNotificationsAndDirty(t *testing.T) {
	tests := []struct {
		setup  [][]string
		cmd    []string
		reply  string
		events []string
		dirty  int64
	}{
		{nil, []string{"SADD", "s", "a", "b"}, ":2\r\n", []string{"new:s", "sadd:s"}, 2},
		{[][]string{{"SADD", "s", "a"}}, []string{"SADD", "s", "a"}, ":0\r\n", nil, 0},
		{[][]string{{"SADD", "s", "a", "b"}}, []string{"SREM", "s", "a", "x"}, ":1\r\n", []string{"srem:s"}, 1},
		{[][]string{{"SADD", "s", "a"}}, []string{"SREM", "s", "a"}, ":1\r\n", []string{"srem:s", "del:s"}, 1},
		{[][]string{{"SADD", "s", "a"}}, []string{"SMOVE", "s", "d", "a"}, ":1\r\n", []string{"srem:s", "del:s", "new:d", "sadd:d"}, 2},
		{[][]string{{"SADD", "s", "a", "b"}, {"SADD", "d", "a"}}, []string{"SMOVE", "s", "d", "a"}, ":1\r\n", []string{"srem:s"}, 1},
		{[][]string{{"SADD", "s", "a"}}, []string{"SPOP", "s"}, "$1\r\na\r\n", []string{"spop:s", "del:s"}, 1},
		{[][]string{{"SADD", "s", "1", "2"}}, []string{"SPOP", "s", "5"}, "*2\r\n$1\r\n1\r\n$1\r\n2\r\n", []string{"spop:s", "del:s"}, 2},
		{[][]string{{"SADD", "s", "1", "2"}}, []string{"SINTERSTORE", "d", "s"}, ":2\r\n", []string{"new:d", "sinterstore:d"}, 1},
		{[][]string{{"SADD", "s", "1"}, {"SADD", "d", "x"}}, []string{"SUNIONSTORE", "d", "s"}, ":1\r\n", []string{"sunionstore:d"}, 1},
		{[][]string{{"SADD", "s", "1"}, {"SADD", "d", "x"}}, []string{"SDIFFSTORE", "d", "s", "s"}, ":0\r\n", []string{"del:d"}, 1},
		{[][]string{{"SADD", "d", "x"}}, []string{"SINTERSTORE", "d", "nokey"}, ":0\r\n", []string{"del:d"}, 1},
		{nil, []string{"SINTERSTORE", "d", "nokey"}, ":0\r\n", nil, 0},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i, tc.cmd), func(t *testing.T) {
			c := newSetsTestClient(1)
			for _, s := range tc.setup {
				c.run(t, s...)
			}
			c.events = nil
			c.Core.Dirty = 0
			if got := c.run(t, tc.cmd...); got != tc.reply {
				t.Errorf("reply %q, want %q", got, tc.reply)
			}
			if !slices.Equal(c.events, tc.events) {
				t.Errorf("events %v, want %v", c.events, tc.events)
			}
			if c.Core.Dirty != tc.dirty {
				t.Errorf("dirty %d, want %d", c.Core.Dirty, tc.dirty)
			}
		})
	}
}

// TestSpopPropagation checks that SPOP propagates the members it removed
// as SREM (or DEL when the whole set went), so a replica ends up equal.
func TestSpopPropagation(t *testing.T) {
	for _, tc := range []struct {
		members int
		count   string // "" for SPOP without count
	}{
		{10, ""}, {1, ""}, {10, "2"}, {10, "9"}, {10, "10"}, {10, "50"}, {100, "95"}, {100, "10"},
	} {
		for _, kind := range []string{"int", "str"} {
			name := fmt.Sprintf("%s/%d/%s", kind, tc.members, tc.count)
			t.Run(name, func(t *testing.T) {
				c := newSetsTestClient(uint64(tc.members))
				replica := newSetsTestClient(99)
				add := []string{"SADD", "s"}
				for i := 0; i < tc.members; i++ {
					m := strconv.Itoa(i)
					if kind == "str" {
						m = "m" + m
					}
					add = append(add, m)
				}
				c.run(t, add...)
				replica.run(t, add...)
				args := []string{"SPOP", "s"}
				if tc.count != "" {
					args = append(args, tc.count)
				}
				c.run(t, args...)
				for _, line := range c.propagated() {
					argv := strings.Split(line, " ")
					switch argv[0] {
					case "SREM":
						if got := replica.run(t, argv...); got != ":1\r\n" {
							t.Fatalf("%s on replica: %q", line, got)
						}
					case "DEL":
						replica.DB.Delete([]byte(argv[1]))
					default:
						t.Fatalf("propagated %q", line)
					}
				}
				want, got := c.set(t, "s"), replica.set(t, "s")
				if (want == nil) != (got == nil) {
					t.Fatalf("master has set %v, replica %v", want != nil, got != nil)
				}
				if want != nil {
					w := setsSorted(want)
					g := setsSorted(got)
					if !slices.Equal(w, g) {
						t.Fatalf("master %v, replica %v", w, g)
					}
				}
			})
		}
	}
}

func setsSorted(s *types.Set) []string {
	var out []string
	s.Each(func(m []byte) bool {
		out = append(out, string(m))
		return true
	})
	slices.Sort(out)
	return out
}

// TestSetsRandomReplies checks the shape of SRANDMEMBER and SPOP replies
// in every strategy: counts, uniqueness and membership.
func TestSetsRandomReplies(t *testing.T) {
	c := newSetsTestClient(5)
	add := []string{"SADD", "s"}
	for i := 0; i < 30; i++ {
		add = append(add, "m"+strconv.Itoa(i))
	}
	c.run(t, add...)
	for _, tc := range []struct {
		count  int
		unique bool
		n      int
	}{
		{1, true, 1}, {5, true, 5}, {15, true, 15}, {29, true, 29}, {30, true, 30}, {100, true, 30},
		{-1, false, 1}, {-100, false, 100},
	} {
		reply := c.run(t, "SRANDMEMBER", "s", strconv.Itoa(tc.count))
		v := parseReply(t, reply)
		if len(v.Elems) != tc.n {
			t.Fatalf("SRANDMEMBER %d: %d elements, want %d", tc.count, len(v.Elems), tc.n)
		}
		seen := map[string]bool{}
		for _, e := range v.Elems {
			m := string(e.Str)
			if !c.set(t, "s").Has(e.Str) {
				t.Fatalf("SRANDMEMBER %d: %q is not a member", tc.count, m)
			}
			if tc.unique && seen[m] {
				t.Fatalf("SRANDMEMBER %d: %q repeated", tc.count, m)
			}
			seen[m] = true
		}
	}
}

// TestSscanHashtableGrowth walks a hash-table set with SSCAN while members
// are added between calls: every member present throughout is returned.
func TestSscanHashtableGrowth(t *testing.T) {
	c := newSetsTestClient(3)
	add := []string{"SADD", "s", "x"}
	for i := 0; i < 50; i++ {
		add = append(add, "base"+strconv.Itoa(i))
	}
	c.run(t, add...)
	seen := map[string]bool{}
	cursor := "0"
	for step := 0; ; step++ {
		v := parseReply(t, c.run(t, "SSCAN", "s", cursor, "COUNT", "3"))
		if len(v.Elems) != 2 {
			t.Fatalf("bad reply: %v", v)
		}
		cursor = string(v.Elems[0].Str)
		for _, e := range v.Elems[1].Elems {
			seen[string(e.Str)] = true
		}
		if step < 10 {
			more := []string{"SADD", "s"}
			for j := 0; j < 40; j++ {
				more = append(more, fmt.Sprintf("new%d_%d", step, j))
			}
			c.run(t, more...)
		}
		if cursor == "0" {
			break
		}
	}
	for i := 0; i < 50; i++ {
		if !seen["base"+strconv.Itoa(i)] {
			t.Errorf("base%d never returned", i)
		}
	}
}

func TestSetsStoreReplacesOtherType(t *testing.T) {
	c := newSetsTestClient(1)
	c.run(t, "SADD", "s", "1", "2")
	e := c.DB.Add([]byte("d"), keyspace.TypeString)
	e.Str = []byte("x")
	c.DB.SetExpire(e, c.Now()+100000)
	if got := c.run(t, "SUNIONSTORE", "d", "s"); got != ":2\r\n" {
		t.Fatalf("reply %q", got)
	}
	e = c.DB.Lookup([]byte("d"))
	if e.Type != keyspace.TypeSet || e.Expire != 0 || e.Str != nil {
		t.Fatalf("type %d expire %d str %q", e.Type, e.Expire, e.Str)
	}
	if enc := e.Obj.(*types.Set).Encoding(); enc != "intset" {
		t.Fatalf("encoding %s", enc)
	}
}

func TestSismemberAllocs(t *testing.T) {
	c := newSetsTestClient(1)
	c.run(t, "SADD", "s", "a", "b", "c")
	c.run(t, "SADD", "i", "1", "2", "3")
	for _, args := range [][]string{{"SISMEMBER", "s", "b"}, {"SISMEMBER", "i", "2"}, {"SCARD", "s"}, {"SADD", "s", "a"}} {
		c.Argv = c.Argv[:0]
		for _, a := range args {
			c.Argv = append(c.Argv, []byte(a))
		}
		p := registry[strings.ToLower(args[0])]
		if n := testing.AllocsPerRun(100, func() {
			c.B = c.B[:0]
			c.ResetCommandState()
			p(c.Client)
		}); n != 0 {
			t.Errorf("%v allocates %v per call", args, n)
		}
	}
}
