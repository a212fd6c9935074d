package command

import (
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// zsetTestEvent is one keyspace notification seen by a test client.
type zsetTestEvent struct {
	class int
	event string
	key   string
}

// newZSetTestClient makes a client over a fresh keyspace that records
// notifications and ready keys.
func newZSetTestClient() (*Client, *[]zsetTestEvent, *[]string) {
	ks := keyspace.New(16, false, func(n uint64) uint64 { return 0 })
	ks.Now = 1_700_000_000_000
	core := NewCore(ks)
	events := &[]zsetTestEvent{}
	ready := &[]string{}
	core.Notify = func(class int, event string, key []byte, _ int) {
		*events = append(*events, zsetTestEvent{class, event, string(key)})
	}
	core.KeyReady = func(_ *keyspace.DB, key []byte) { *ready = append(*ready, string(key)) }
	return &Client{Core: core, DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}, events, ready
}

// runZSet executes one command and returns its reply; HELLO n switches the
// protocol and SET stores a plain string.
func runZSet(t testing.TB, c *Client, args ...string) string {
	t.Helper()
	c.B = c.B[:0]
	c.ResetCommandState()
	c.Argv = c.Argv[:0]
	for _, a := range args {
		c.Argv = append(c.Argv, []byte(a))
	}
	name := strings.ToLower(args[0])
	if name == "hello" {
		c.Proto = int(args[1][0] - '0')
		return ""
	}
	c.Cmd = Lookup(c.Argv[0])
	p := registry[name]
	if p == nil {
		t.Fatalf("no handler for %q", args[0])
	}
	p(c)
	return string(c.B)
}

// TestZSetScript replays commands whose replies were recorded from
// redis-server 7.0.15, in order, against one database.
func TestZSetScript(t *testing.T) {
	c, _, _ := newZSetTestClient()
	for i, tc := range zsetScript {
		if got := runZSet(t, c, tc.args...); got != tc.want {
			t.Errorf("#%d %q:\n got %q\nwant %q", i, tc.args, got, tc.want)
		}
	}
}

var zsetScript = []struct {
	args []string
	want string
}{
	{[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, ":3\r\n"},
	{[]string{"ZADD", "z", "CH", "5", "a", "4", "d"}, ":2\r\n"},
	{[]string{"ZADD", "z", "NX", "INCR", "1", "a"}, "$-1\r\n"},
	{[]string{"ZADD", "z", "XX", "INCR", "1", "a"}, "$1\r\n6\r\n"},
	{[]string{"ZADD", "z", "GT", "1", "a"}, ":0\r\n"},
	{[]string{"ZADD", "z", "xx", "nx", "1", "a"}, "-ERR XX and NX options at the same time are not compatible\r\n"},
	{[]string{"ZADD", "z", "incr", "1", "a", "2", "b"}, "-ERR INCR option supports a single increment-element pair\r\n"},
	{[]string{"ZADD", "z", "1", "a", "2"}, "-ERR syntax error\r\n"},
	{[]string{"ZADD", "z", "nan", "a"}, "-ERR value is not a valid float\r\n"},
	{[]string{"ZINCRBY", "z", "2.5", "b"}, "$3\r\n4.5\r\n"},
	{[]string{"ZADD", "z", "INCR", "-0", "negz"}, "$2\r\n-0\r\n"},
	{[]string{"ZSCORE", "z", "negz"}, "$1\r\n0\r\n"},
	{[]string{"ZADD", "inf", "+inf", "a"}, ":1\r\n"},
	{[]string{"ZINCRBY", "inf", "-inf", "a"}, "-ERR resulting score is not a number (NaN)\r\n"},
	{[]string{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, "*10\r\n$4\r\nnegz\r\n$1\r\n0\r\n$1\r\nc\r\n$1\r\n3\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$3\r\n4.5\r\n$1\r\na\r\n$1\r\n6\r\n"},
	{[]string{"ZRANGE", "z", "0", "-1", "REV"}, "*5\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\nc\r\n$4\r\nnegz\r\n"},
	{[]string{"ZRANGE", "z", "(1", "+inf", "BYSCORE", "LIMIT", "1", "2", "WITHSCORES"}, "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$3\r\n4.5\r\n"},
	{[]string{"ZRANGE", "z", "[a", "[c", "BYLEX"}, "*0\r\n"},
	{[]string{"ZRANGE", "z", "0", "1", "limit", "0", "1"}, "-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n"},
	{[]string{"ZRANGE", "z", "0", "1", "BYLEX", "WITHSCORES"}, "-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n"},
	{[]string{"ZREVRANGEBYSCORE", "z", "+inf", "2"}, "*4\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nd\r\n$1\r\nc\r\n"},
	{[]string{"ZRANGEBYLEX", "z", "a", "b"}, "-ERR min or max not valid string range item\r\n"},
	{[]string{"ZCOUNT", "z", "(1", "5"}, ":3\r\n"},
	{[]string{"ZCOUNT", "z", "x", "5"}, "-ERR min or max is not a float\r\n"},
	{[]string{"ZLEXCOUNT", "z", "-", "+"}, ":5\r\n"},
	{[]string{"ZRANK", "z", "c"}, ":1\r\n"},
	{[]string{"ZREVRANK", "z", "c"}, ":3\r\n"},
	{[]string{"ZRANK", "z", "nosuch"}, "$-1\r\n"},
	{[]string{"ZMSCORE", "z", "a", "nosuch"}, "*2\r\n$1\r\n6\r\n$-1\r\n"},
	{[]string{"ZCARD", "z"}, ":5\r\n"},
	{[]string{"ZREM", "z", "a", "nosuch"}, ":1\r\n"},
	{[]string{"ZREMRANGEBYSCORE", "z", "-inf", "2"}, ":1\r\n"},
	{[]string{"ZREMRANGEBYRANK", "z", "0", "0"}, ":1\r\n"},
	{[]string{"ZRANGE", "z", "0", "-1", "WITHSCORES"}, "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$3\r\n4.5\r\n"},
	{[]string{"ZPOPMIN", "z", "5"}, "*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nb\r\n$3\r\n4.5\r\n"},
	{[]string{"ZCARD", "z"}, ":0\r\n"},
	{[]string{"ZPOPMAX", "nokey"}, "*0\r\n"},
	{[]string{"ZMPOP", "1", "nokey", "MIN"}, "*-1\r\n"},
	{[]string{"ZMPOP", "0", "nokey", "MIN"}, "-ERR numkeys should be greater than 0\r\n"},
	{[]string{"ZADD", "u1", "1", "a", "2", "b"}, ":2\r\n"},
	{[]string{"ZADD", "u2", "3", "b", "4", "c"}, ":2\r\n"},
	{[]string{"ZUNION", "2", "u1", "u2", "WITHSCORES"}, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nc\r\n$1\r\n4\r\n$1\r\nb\r\n$1\r\n5\r\n"},
	{[]string{"ZINTER", "2", "u1", "u2", "WEIGHTS", "2", "1", "AGGREGATE", "MAX", "WITHSCORES"}, "*2\r\n$1\r\nb\r\n$1\r\n4\r\n"},
	{[]string{"ZDIFF", "2", "u1", "u2"}, "*1\r\n$1\r\na\r\n"},
	{[]string{"ZINTERCARD", "2", "u1", "u2"}, ":1\r\n"},
	{[]string{"ZUNIONSTORE", "out", "2", "u1", "u2", "AGGREGATE", "MIN"}, ":3\r\n"},
	{[]string{"ZRANGE", "out", "0", "-1", "WITHSCORES"}, "*6\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n4\r\n"},
	{[]string{"ZUNION", "0", "u1"}, "-ERR at least 1 input key is needed for 'zunion' command\r\n"},
	{[]string{"ZRANDMEMBER", "u1", "5", "WITHSCORES"}, "*4\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\na\r\n$1\r\n1\r\n"},
	{[]string{"ZRANDMEMBER", "u1", "-9223372036854775808"}, "-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n"},
	{[]string{"ZSCAN", "u1", "0"}, "*2\r\n$1\r\n0\r\n*4\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n"},
	{[]string{"SET", "str", "x"}, "+OK\r\n"},
	{[]string{"ZADD", "str", "1", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"ZUNION", "2", "u1", "str"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"ZSCAN", "u1", "x"}, "-ERR invalid cursor\r\n"},
	{[]string{"HELLO", "3"}, ""},
	{[]string{"ZRANGE", "u1", "0", "-1", "WITHSCORES"}, "*2\r\n*2\r\n$1\r\na\r\n,1\r\n*2\r\n$1\r\nb\r\n,2\r\n"},
	{[]string{"ZPOPMIN", "u1"}, "*2\r\n$1\r\na\r\n,1\r\n"},
	{[]string{"ZADD", "u1", "1", "a"}, ":1\r\n"},
	{[]string{"ZPOPMIN", "u1", "1"}, "*1\r\n*2\r\n$1\r\na\r\n,1\r\n"},
	{[]string{"ZSCORE", "u1", "nosuch"}, "_\r\n"},
	{[]string{"ZMPOP", "1", "u2", "MAX"}, "*2\r\n$2\r\nu2\r\n*1\r\n*2\r\n$1\r\nc\r\n,4\r\n"},
	{[]string{"ZMPOP", "1", "u2", "MAX"}, "*2\r\n$2\r\nu2\r\n*1\r\n*2\r\n$1\r\nb\r\n,3\r\n"},
}

func TestZSetNotifications(t *testing.T) {
	c, events, ready := newZSetTestClient()
	tests := []struct {
		args  []string
		want  []zsetTestEvent
		dirty int64
	}{
		{[]string{"ZADD", "z", "1", "a", "2", "b"}, []zsetTestEvent{{NotifyNew, "new", "z"}, {NotifyZSet, "zadd", "z"}}, 2},
		{[]string{"ZADD", "z", "1", "a"}, nil, 0},
		{[]string{"ZINCRBY", "z", "1", "a"}, []zsetTestEvent{{NotifyZSet, "zincr", "z"}}, 1},
		{[]string{"ZREM", "z", "a", "b"}, []zsetTestEvent{{NotifyZSet, "zrem", "z"}, {NotifyGeneric, "del", "z"}}, 2},
		{[]string{"ZADD", "z", "1", "a", "2", "b", "3", "c"}, []zsetTestEvent{{NotifyNew, "new", "z"}, {NotifyZSet, "zadd", "z"}}, 3},
		{[]string{"ZPOPMIN", "z", "2"}, []zsetTestEvent{{NotifyZSet, "zpopmin", "z"}}, 2},
		{[]string{"ZREMRANGEBYRANK", "z", "0", "-1"}, []zsetTestEvent{{NotifyZSet, "zremrangebyrank", "z"}, {NotifyGeneric, "del", "z"}}, 1},
		{[]string{"ZADD", "z", "1", "a"}, []zsetTestEvent{{NotifyNew, "new", "z"}, {NotifyZSet, "zadd", "z"}}, 1},
		{[]string{"ZUNIONSTORE", "d", "1", "z"}, []zsetTestEvent{{NotifyNew, "new", "d"}, {NotifyZSet, "zunionstore", "d"}}, 1},
		{[]string{"ZINTERSTORE", "d", "2", "z", "nokey"}, []zsetTestEvent{{NotifyGeneric, "del", "d"}}, 1},
		{[]string{"ZRANGESTORE", "d", "z", "0", "-1"}, []zsetTestEvent{{NotifyNew, "new", "d"}, {NotifyZSet, "zrangestore", "d"}}, 1},
	}
	for _, tt := range tests {
		*events = (*events)[:0]
		before := c.Core.Dirty
		runZSet(t, c, tt.args...)
		if len(*events) != len(tt.want) {
			t.Errorf("%q: events %v, want %v", tt.args, *events, tt.want)
			continue
		}
		for i := range tt.want {
			if (*events)[i] != tt.want[i] {
				t.Errorf("%q: events %v, want %v", tt.args, *events, tt.want)
			}
		}
		if d := c.Core.Dirty - before; d != tt.dirty {
			t.Errorf("%q: dirty +%d, want +%d", tt.args, d, tt.dirty)
		}
	}
	if len(*ready) == 0 || (*ready)[0] != "z" {
		t.Errorf("created keys not signalled ready: %v", *ready)
	}
}

func TestZSetBlockingAndPropagation(t *testing.T) {
	c, _, _ := newZSetTestClient()
	if got := runZSet(t, c, "BZPOPMIN", "k1", "k2", "1.5"); got != "" {
		t.Fatalf("blocked command replied %q", got)
	}
	if c.Flags&ClientBlocked == 0 || len(c.Blocking.Keys) != 2 || c.Blocking.Type != keyspace.TypeZSet ||
		c.Blocking.Deadline != c.Now()+1500 {
		t.Fatalf("not blocked as expected: %+v", c.Blocking)
	}
	c.Flags &^= ClientBlocked
	runZSet(t, c, "ZADD", "k2", "1", "a", "2", "b", "3", "c")
	tests := []struct {
		args []string
		want string
		prop string
	}{
		{[]string{"BZPOPMIN", "k1", "k2", "0"}, "*3\r\n$2\r\nk2\r\n$1\r\na\r\n$1\r\n1\r\n", "ZPOPMIN k2"},
		{[]string{"BZMPOP", "0", "2", "k1", "k2", "MAX", "COUNT", "1"}, "*2\r\n$2\r\nk2\r\n*1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n", "ZPOPMAX k2 1"},
		{[]string{"ZMPOP", "1", "k2", "MIN", "COUNT", "9"}, "*2\r\n$2\r\nk2\r\n*1\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n", "ZPOPMIN k2 1"},
	}
	for _, tt := range tests {
		if got := runZSet(t, c, tt.args...); got != tt.want {
			t.Errorf("%q: got %q want %q", tt.args, got, tt.want)
		}
		own, _ := c.Propagation()
		var parts []string
		for _, a := range own {
			parts = append(parts, string(a))
		}
		if p := strings.Join(parts, " "); p != tt.prop {
			t.Errorf("%q: propagates %q, want %q", tt.args, p, tt.prop)
		}
	}
	c.Flags |= ClientMulti
	if got := runZSet(t, c, "BZPOPMAX", "k2", "0"); got != "*-1\r\n" {
		t.Errorf("BZPOPMAX in MULTI: %q", got)
	}
}

func TestZSetEncodingThresholds(t *testing.T) {
	c, _, _ := newZSetTestClient()
	c.Core.Limits.ZSetMaxListpackEntries = 2
	c.Core.Limits.ZSetMaxListpackValue = 3
	runZSet(t, c, "ZADD", "z", "1", "a", "2", "b")
	if enc := c.DB.Lookup([]byte("z")).Obj.(*types.ZSet).Encoding(); enc != "listpack" {
		t.Fatalf("encoding %s", enc)
	}
	runZSet(t, c, "ZADD", "z", "3", "c")
	if enc := c.DB.Lookup([]byte("z")).Obj.(*types.ZSet).Encoding(); enc != "skiplist" {
		t.Fatalf("encoding %s", enc)
	}
	runZSet(t, c, "ZADD", "y", "1", "abcd")
	if enc := c.DB.Lookup([]byte("y")).Obj.(*types.ZSet).Encoding(); enc != "skiplist" {
		t.Fatalf("encoding %s", enc)
	}
	runZSet(t, c, "ZREM", "z", "c")
	runZSet(t, c, "ZUNIONSTORE", "u", "1", "z")
	if enc := c.DB.Lookup([]byte("u")).Obj.(*types.ZSet).Encoding(); enc != "listpack" {
		t.Fatalf("union result encoding %s", enc)
	}
}

func TestZSetScoreAllocs(t *testing.T) {
	c, _, _ := newZSetTestClient()
	runZSet(t, c, "ZADD", "z", "1", "a", "2", "b")
	c.Argv = [][]byte{[]byte("ZSCORE"), []byte("z"), []byte("b")}
	allocs := testing.AllocsPerRun(100, func() {
		c.B = c.B[:0]
		zscoreCommand(c)
	})
	if allocs > 0 {
		t.Errorf("ZSCORE allocates %.0f times", allocs)
	}
}
