package command

import (
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// hllTestClient is a client over a fresh keyspace that records the
// keyspace notifications it sends as "event:key".
type hllTestClient struct {
	*Client
	events []string
}

func newHLLTestClient() *hllTestClient {
	ks := keyspace.New(16, false, func(n uint64) uint64 { return 0 })
	ks.Now = 1_700_000_000_000
	core := NewCore(ks)
	tc := &hllTestClient{Client: &Client{Core: core, DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}}
	core.Notify = func(class int, event string, key []byte, dbid int) {
		tc.events = append(tc.events, event+":"+string(key))
	}
	return tc
}

// run executes one command and returns its reply.
func (tc *hllTestClient) run(t testing.TB, args ...string) string {
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

// TestHLLEffects checks what replies cannot show: the dirty counter
// (which drives propagation), keyspace events and the string encoding,
// against what redis-server 7.0.15 does.
func TestHLLEffects(t *testing.T) {
	tests := []struct {
		args   []string
		reply  string
		dirty  int64
		events string
	}{
		{[]string{"PFADD", "h", "a", "b", "c"}, ":1\r\n", 4, "new:h pfadd:h"},
		{[]string{"PFADD", "h", "a"}, ":0\r\n", 0, ""},
		{[]string{"PFADD", "e"}, ":1\r\n", 1, "new:e pfadd:e"},
		{[]string{"PFCOUNT", "h"}, ":3\r\n", 1, ""},
		{[]string{"PFCOUNT", "h"}, ":3\r\n", 0, ""},
		{[]string{"PFCOUNT", "h", "e"}, ":3\r\n", 0, ""},
		{[]string{"PFCOUNT", "nokey"}, ":0\r\n", 0, ""},
		{[]string{"PFMERGE", "h"}, "+OK\r\n", 1, "pfadd:h"},
		{[]string{"PFMERGE", "m", "h", "e"}, "+OK\r\n", 1, "new:m pfadd:m"},
		{[]string{"PFDEBUG", "GETREG", "m"}, "", 1, ""},
		{[]string{"PFDEBUG", "GETREG", "m"}, "", 0, ""},
		{[]string{"PFDEBUG", "TODENSE", "h"}, ":1\r\n", 1, ""},
		{[]string{"PFDEBUG", "TODENSE", "h"}, ":0\r\n", 0, ""},
		{[]string{"PFDEBUG", "ENCODING", "h"}, "+dense\r\n", 0, ""},
		{[]string{"PFDEBUG", "ENCODING", "e"}, "+sparse\r\n", 0, ""},
		{[]string{"PFADD", "lst", "a"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0, ""},
		{[]string{"PFCOUNT", "lst"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0, ""},
		{[]string{"PFCOUNT", "e", "lst"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0, ""},
		{[]string{"PFMERGE", "x", "lst"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0, ""},
		{[]string{"PFDEBUG", "ENCODING", "lst"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n", 0, ""},
		{[]string{"PFADD", "int", "a"}, "-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n", 0, ""},
		{[]string{"PFDEBUG", "what", "e"}, "-ERR Unknown PFDEBUG subcommand 'what'\r\n", 0, ""},
		{[]string{"PFDEBUG", "what", "nokey"}, "-ERR The specified key does not exist\r\n", 0, ""},
		{[]string{"PFSELFTEST"}, "+OK\r\n", 0, ""},
	}
	tc := newHLLTestClient()
	tc.DB.Add([]byte("lst"), keyspace.TypeList)
	i := tc.DB.Add([]byte("int"), keyspace.TypeString)
	i.Str, i.Enc = []byte("12345"), keyspace.EncInt
	for _, tt := range tests {
		tc.events = tc.events[:0]
		before := tc.Core.Dirty
		got := tc.run(t, tt.args...)
		if tt.reply != "" && got != tt.reply {
			t.Errorf("%q: reply %q want %q", tt.args, got, tt.reply)
		}
		if d := tc.Core.Dirty - before; d != tt.dirty {
			t.Errorf("%q: dirty +%d want +%d", tt.args, d, tt.dirty)
		}
		if ev := strings.Join(tc.events, " "); ev != tt.events {
			t.Errorf("%q: events %q want %q", tt.args, ev, tt.events)
		}
	}
}

// TestHLLUnshare checks that PFADD and single-key PFCOUNT turn an embstr
// HLL into a raw string while PFCOUNT of several keys leaves it, as
// dbUnshareStringValue does in Redis.
func TestHLLUnshare(t *testing.T) {
	tc := newHLLTestClient()
	tc.run(t, "PFADD", "src", "a")
	src := tc.Lookup([]byte("src")).Str
	for _, k := range []string{"a", "b"} {
		e := tc.DB.Add([]byte(k), keyspace.TypeString)
		e.Str, e.Enc = append([]byte(nil), src...), keyspace.EncEmbstr
	}
	tc.run(t, "PFCOUNT", "a", "b")
	if tc.Lookup([]byte("a")).Enc != keyspace.EncEmbstr {
		t.Error("PFCOUNT of several keys changed the encoding")
	}
	tc.run(t, "PFCOUNT", "a")
	tc.run(t, "PFADD", "b")
	for _, k := range []string{"a", "b"} {
		if tc.Lookup([]byte(k)).Enc != keyspace.EncRaw {
			t.Errorf("%s: not raw after a write", k)
		}
	}
}

// TestHLLGetRegDecode checks PFDEBUG GETREG and DECODE against the
// registers the types package reports.
func TestHLLGetRegDecode(t *testing.T) {
	tc := newHLLTestClient()
	tc.run(t, "PFADD", "h", "a", "b", "c")
	if got := tc.run(t, "PFDEBUG", "DECODE", "h"); got != "$44\r\nZ:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603\r\n" {
		t.Errorf("DECODE: %q", got)
	}
	got := tc.run(t, "PFDEBUG", "GETREG", "h")
	if !strings.HasPrefix(got, "*16384\r\n") || strings.Count(got, ":1\r\n") != 2 || strings.Count(got, ":2\r\n") != 1 {
		t.Errorf("GETREG: unexpected registers")
	}
	if types.HLLIsSparse(tc.Lookup([]byte("h")).Str) {
		t.Error("GETREG left the value sparse")
	}
	if got := tc.run(t, "PFDEBUG", "DECODE", "h"); got != "-ERR HLL encoding is not sparse\r\n" {
		t.Errorf("DECODE dense: %q", got)
	}
}

// TestHLLPromoteLargeRegister sets a register above what a sparse VAL
// opcode can hold: the value must become dense, as in Redis.
func TestHLLPromoteLargeRegister(t *testing.T) {
	b, changed, ok := types.HLLSetRegister(types.NewHLL(), 77, 40, 3000)
	if !ok || !changed || types.HLLIsSparse(b) {
		t.Fatalf("changed %v ok %v sparse %v", changed, ok, types.HLLIsSparse(b))
	}
	var regs [types.HLLRegisters]uint8
	types.HLLRegisterValues(b, &regs)
	if regs[77] != 40 {
		t.Fatalf("register 77 = %d", regs[77])
	}
}

func TestHLLPFAddAllocs(t *testing.T) {
	tc := newHLLTestClient()
	tc.run(t, "PFADD", "h", "x")
	tc.run(t, "PFDEBUG", "TODENSE", "h")
	args := [][]byte{[]byte("PFADD"), []byte("h"), []byte("a"), []byte("b")}
	c := tc.Client
	n := testing.AllocsPerRun(100, func() {
		c.B = c.B[:0]
		c.Argv = args
		pfaddCommand(c)
	})
	if n != 0 {
		t.Errorf("PFADD on a dense HLL allocates %v times", n)
	}
}
