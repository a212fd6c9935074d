package command

import (
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// hashTestEvent is one keyspace notification seen by a hash test.
type hashTestEvent struct {
	class int
	event string
	key   string
}

// newHashTestClient makes a client over a fresh keyspace that records
// notifications into events.
func newHashTestClient(events *[]hashTestEvent) *Client {
	ks := keyspace.New(16, false, func(n uint64) uint64 { return 0 })
	ks.Now = 1_700_000_000_000
	core := NewCore(ks)
	core.Notify = func(class int, event string, key []byte, _ int) {
		*events = append(*events, hashTestEvent{class, event, string(key)})
	}
	return &Client{Core: core, DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}
}

// hashRun executes one command and returns its reply.
func hashRun(t *testing.T, c *Client, args ...string) string {
	t.Helper()
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

func TestHashEffects(t *testing.T) {
	tests := []struct {
		name   string
		setup  [][]string
		args   []string
		reply  string
		events []hashTestEvent
		dirty  int64
		prop   []string // propagated argv; nil: the command itself
	}{
		{
			name:   "hset creates",
			args:   []string{"HSET", "h", "a", "1", "b", "2", "a", "3"},
			reply:  ":2\r\n",
			events: []hashTestEvent{{NotifyNew, "new", "h"}, {NotifyHash, "hset", "h"}},
			dirty:  3,
		},
		{
			name:   "hsetnx existing field changes nothing",
			setup:  [][]string{{"HSET", "h", "a", "1"}},
			args:   []string{"HSETNX", "h", "a", "2"},
			reply:  ":0\r\n",
			events: nil,
		},
		{
			name:   "hdel last field deletes the key",
			setup:  [][]string{{"HSET", "h", "a", "1"}},
			args:   []string{"HDEL", "h", "a", "b"},
			reply:  ":1\r\n",
			events: []hashTestEvent{{NotifyHash, "hdel", "h"}, {NotifyGeneric, "del", "h"}},
			dirty:  1,
		},
		{
			name:   "hdel missing field is silent",
			setup:  [][]string{{"HSET", "h", "a", "1"}},
			args:   []string{"HDEL", "h", "zz"},
			reply:  ":0\r\n",
			events: nil,
		},
		{
			name:   "hincrbyfloat propagates hset",
			setup:  [][]string{{"HSET", "h", "a", "1"}},
			args:   []string{"HINCRBYFLOAT", "h", "a", "0.5e1"},
			reply:  "$1\r\n6\r\n",
			events: []hashTestEvent{{NotifyHash, "hincrbyfloat", "h"}},
			dirty:  1,
			prop:   []string{"HSET", "h", "a", "6"},
		},
		{
			name:   "hincrbyfloat on a missing key creates it",
			args:   []string{"HINCRBYFLOAT", "h", "a", "1.5"},
			reply:  "$3\r\n1.5\r\n",
			events: []hashTestEvent{{NotifyNew, "new", "h"}, {NotifyHash, "hincrbyfloat", "h"}},
			dirty:  1,
			prop:   []string{"HSET", "h", "a", "1.5"},
		},
		{
			name:   "hincrby error creates nothing",
			setup:  [][]string{{"HSET", "h", "a", "x"}},
			args:   []string{"HINCRBY", "h", "a", "1"},
			reply:  "-ERR hash value is not an integer\r\n",
			events: nil,
		},
		{
			name:   "hincrby notifies",
			args:   []string{"HINCRBY", "h", "a", "-3"},
			reply:  ":-3\r\n",
			events: []hashTestEvent{{NotifyNew, "new", "h"}, {NotifyHash, "hincrby", "h"}},
			dirty:  1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var events []hashTestEvent
			c := newHashTestClient(&events)
			for _, s := range tc.setup {
				hashRun(t, c, s...)
			}
			events = events[:0]
			c.Core.Dirty = 0
			if got := hashRun(t, c, tc.args...); got != tc.reply {
				t.Fatalf("reply %q, want %q", got, tc.reply)
			}
			if len(events) != len(tc.events) {
				t.Fatalf("events %v, want %v", events, tc.events)
			}
			for i := range events {
				if events[i] != tc.events[i] {
					t.Fatalf("events %v, want %v", events, tc.events)
				}
			}
			if c.Core.Dirty != tc.dirty {
				t.Fatalf("dirty %d, want %d", c.Core.Dirty, tc.dirty)
			}
			own, _ := c.Propagation()
			want := tc.prop
			if want == nil {
				want = tc.args
			}
			if len(own) != len(want) {
				t.Fatalf("propagates %q, want %q", own, want)
			}
			for i := range own {
				if string(own[i]) != want[i] {
					t.Fatalf("propagates %q, want %q", own, want)
				}
			}
		})
	}
}

func TestHashLimitsAtRunTime(t *testing.T) {
	var events []hashTestEvent
	c := newHashTestClient(&events)
	hashRun(t, c, "HSET", "h", "a", "1", "b", "2")
	c.Core.Limits.HashMaxListpackEntries = 2
	hashRun(t, c, "HSET", "h", "a", "3")
	e := c.DB.Lookup([]byte("h"))
	if enc := e.Obj.(*types.Hash).Encoding(); enc != "listpack" {
		t.Fatalf("overwrite converted to %s", enc)
	}
	hashRun(t, c, "HSET", "h", "c", "3")
	if enc := e.Obj.(*types.Hash).Encoding(); enc != "hashtable" {
		t.Fatalf("third field left %s", enc)
	}
	if got := hashRun(t, c, "HLEN", "h"); got != ":3\r\n" {
		t.Fatalf("HLEN %q", got)
	}
}

func TestHashScanCursorCompletes(t *testing.T) {
	var events []hashTestEvent
	c := newHashTestClient(&events)
	c.Core.Limits.HashMaxListpackEntries = 0
	args := []string{"HSET", "h"}
	for i := 0; i < 500; i++ {
		args = append(args, "f"+strings.Repeat("x", i%7)+string(rune('a'+i%26))+strings.Repeat("y", i/26), "v")
	}
	hashRun(t, c, args...)
	want := c.DB.Lookup([]byte("h")).Obj.(*types.Hash).Len()
	seen := map[string]bool{}
	cursor := "0"
	for steps := 0; ; steps++ {
		if steps > 10000 {
			t.Fatal("HSCAN does not finish")
		}
		reply := hashRun(t, c, "HSCAN", "h", cursor, "COUNT", "7")
		lines := strings.Split(reply, "\r\n")
		cursor = lines[2]
		for i := 4; i+3 < len(lines); i += 4 {
			seen[lines[i+1]] = true
		}
		if cursor == "0" {
			break
		}
	}
	if len(seen) != want {
		t.Fatalf("HSCAN saw %d of %d fields", len(seen), want)
	}
}
