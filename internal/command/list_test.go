package command

import (
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
)

// listTestEnv is a client over a fresh keyspace that records the
// notifications and ready signals its commands send.
type listTestEnv struct {
	c      *Client
	events []string
	ready  []string
}

func newListTestEnv() *listTestEnv {
	ks := keyspace.New(16, false, func(n uint64) uint64 { return 0 })
	ks.Now = 1_700_000_000_000
	env := &listTestEnv{}
	core := NewCore(ks)
	core.Notify = func(_ int, event string, key []byte, _ int) {
		env.events = append(env.events, event+":"+string(key))
	}
	core.KeyReady = func(_ *keyspace.DB, key []byte) { env.ready = append(env.ready, string(key)) }
	env.c = &Client{Core: core, DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}
	return env
}

// run executes one command and returns its reply.
func (env *listTestEnv) run(t testing.TB, args ...string) string {
	t.Helper()
	c := env.c
	c.B = c.B[:0]
	c.ResetCommandState()
	c.Argv = c.Argv[:0]
	for _, a := range args {
		c.Argv = append(c.Argv, []byte(a))
	}
	name := strings.ToLower(args[0])
	p := registry[name]
	if p == nil {
		t.Fatalf("no handler for %q", args[0])
	}
	c.Cmd = &Command{Spec: &Spec{Name: name}}
	p(c)
	return string(c.B)
}

// propagated renders what the last command propagates, "" when it
// propagates itself unchanged.
func (env *listTestEnv) propagated() string {
	own, _ := env.c.Propagation()
	if len(own) > 0 && &own[0] == &env.c.Argv[0] {
		return ""
	}
	parts := make([]string, len(own))
	for i, a := range own {
		parts[i] = string(a)
	}
	return strings.Join(parts, " ")
}

func TestListNotifications(t *testing.T) {
	tests := []struct {
		setup [][]string
		cmd   []string
		want  string
	}{
		{nil, []string{"RPUSH", "l", "a", "b"}, "new:l rpush:l"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"LPUSH", "l", "b"}, "lpush:l"},
		{nil, []string{"LPUSHX", "l", "a"}, ""},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"LPOP", "l"}, "lpop:l del:l"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"RPOP", "l", "1"}, "rpop:l"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"LPOP", "l", "0"}, ""},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"LSET", "l", "0", "b"}, "lset:l"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"LINSERT", "l", "AFTER", "a", "b"}, "linsert:l"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"LINSERT", "l", "AFTER", "x", "b"}, ""},
		{[][]string{{"RPUSH", "l", "a", "a"}}, []string{"LREM", "l", "0", "a"}, "lrem:l del:l"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"LTRIM", "l", "0", "0"}, "ltrim:l"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"LTRIM", "l", "1", "0"}, "ltrim:l del:l"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"LMOVE", "l", "d", "LEFT", "RIGHT"}, "new:d rpush:d lpop:l del:l"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"RPOPLPUSH", "l", "l"}, "lpush:l rpop:l"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"LMPOP", "1", "l", "RIGHT", "COUNT", "5"}, "rpop:l del:l"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"BLPOP", "l", "0"}, "lpop:l"},
	}
	for _, tt := range tests {
		env := newListTestEnv()
		for _, s := range tt.setup {
			env.run(t, s...)
		}
		env.events = nil
		env.run(t, tt.cmd...)
		if got := strings.Join(env.events, " "); got != tt.want {
			t.Errorf("%q: events %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

func TestListPropagation(t *testing.T) {
	tests := []struct {
		setup [][]string
		cmd   []string
		want  string
	}{
		{nil, []string{"RPUSH", "l", "a"}, ""},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"BLPOP", "x", "l", "0"}, "LPOP l"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"BRPOP", "l", "0"}, "RPOP l"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"LMPOP", "2", "x", "l", "LEFT", "COUNT", "5"}, "LPOP l 2"},
		{[][]string{{"RPUSH", "l", "a", "b"}}, []string{"BLMPOP", "0", "1", "l", "RIGHT"}, "RPOP l 1"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"BLMOVE", "l", "d", "RIGHT", "LEFT", "0"}, "LMOVE l d RIGHT LEFT"},
		{[][]string{{"RPUSH", "l", "a"}}, []string{"BRPOPLPUSH", "l", "d", "0"}, "RPOPLPUSH l d"},
	}
	for _, tt := range tests {
		env := newListTestEnv()
		for _, s := range tt.setup {
			env.run(t, s...)
		}
		env.run(t, tt.cmd...)
		if got := env.propagated(); got != tt.want {
			t.Errorf("%q propagates %q, want %q", tt.cmd, got, tt.want)
		}
	}
}

func TestListBlocking(t *testing.T) {
	env := newListTestEnv()
	c := env.c
	tests := []struct {
		cmd      []string
		keys     string
		deadline int64
	}{
		{[]string{"BLPOP", "a", "b", "0"}, "a b", 0},
		{[]string{"BRPOP", "a", "1.5"}, "a", c.Now() + 1500},
		{[]string{"BLMOVE", "a", "d", "LEFT", "LEFT", "0.001"}, "a", c.Now() + 1},
		{[]string{"BRPOPLPUSH", "a", "d", "2"}, "a", c.Now() + 2000},
		{[]string{"BLMPOP", "0", "2", "a", "b", "LEFT", "COUNT", "3"}, "a b", 0},
	}
	for _, tt := range tests {
		c.Flags = 0
		if got := env.run(t, tt.cmd...); got != "" {
			t.Errorf("%q replied %q while blocking", tt.cmd, got)
		}
		var keys []string
		for _, k := range c.Blocking.Keys {
			keys = append(keys, string(k))
		}
		if c.Flags&ClientBlocked == 0 || strings.Join(keys, " ") != tt.keys ||
			c.Blocking.Deadline != tt.deadline || c.Blocking.Type != keyspace.TypeList {
			t.Errorf("%q: blocked %v on %q until %d", tt.cmd, c.Flags&ClientBlocked != 0, keys, c.Blocking.Deadline)
		}
	}
	// Inside MULTI the commands answer as if they timed out.
	c.Flags = ClientMulti
	want := map[string]string{"BLPOP": "*-1\r\n", "BRPOP": "*-1\r\n", "BLMPOP": "*-1\r\n", "BLMOVE": "$-1\r\n", "BRPOPLPUSH": "$-1\r\n"}
	for _, tt := range tests {
		if got := env.run(t, tt.cmd...); got != want[tt.cmd[0]] {
			t.Errorf("%q in MULTI = %q, want %q", tt.cmd, got, want[tt.cmd[0]])
		}
	}
	// Creating a list signals it ready; pushing onto an existing one does not.
	env.ready = nil
	env.run(t, "RPUSH", "a", "x")
	env.run(t, "RPUSH", "a", "y")
	env.run(t, "LMOVE", "a", "d", "LEFT", "LEFT")
	if got := strings.Join(env.ready, " "); got != "a d" {
		t.Errorf("ready signals %q, want %q", got, "a d")
	}
}

func TestListPushPopAllocs(t *testing.T) {
	env := newListTestEnv()
	env.run(t, "RPUSH", "q", "keep")
	c := env.c
	c.Core.Notify = func(int, string, []byte, int) {}
	push := [][]byte{[]byte("RPUSH"), []byte("q"), []byte("value")}
	pop := [][]byte{[]byte("LPOP"), []byte("q")}
	c.Cmd = &Command{Spec: &Spec{Name: "lpop"}}
	allocs := testing.AllocsPerRun(1000, func() {
		c.B = c.B[:0]
		c.Argv = push
		rpushCommand(c)
		c.Argv = pop
		lpopCommand(c)
	})
	if allocs > 0 {
		t.Errorf("RPUSH+LPOP allocate %.1f times per call", allocs)
	}
}
