package command

import (
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
)

// streamTestNow is the time snapshot the stream tests start at (unix ms).
const streamTestNow = 1_700_000_000_000

func newStreamTestClient() *Client {
	ks := keyspace.New(16, false, func(n uint64) uint64 { return 0 })
	ks.Now = streamTestNow
	return &Client{Core: NewCore(ks), DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}
}

// runStream executes one command on c and returns its reply.
func runStream(t *testing.T, c *Client, args ...string) string {
	t.Helper()
	c.B = c.B[:0]
	c.ResetCommandState()
	c.Argv = c.Argv[:0]
	for _, a := range args {
		c.Argv = append(c.Argv, []byte(a))
	}
	name := strings.ToLower(args[0])
	if name == "xgroup" || name == "xinfo" {
		name += "|" + strings.ToLower(args[1])
	}
	p := registry[name]
	if p == nil {
		t.Fatalf("no handler for %q", name)
	}
	p(c)
	return string(c.B)
}

// streamPropagated renders what the last command propagates, one command
// per line.
func streamPropagated(c *Client) string {
	own, extra := c.Propagation()
	var lines []string
	for _, argv := range append([][][]byte{own}, extra...) {
		if argv == nil {
			continue
		}
		var words []string
		for _, a := range argv {
			words = append(words, string(a))
		}
		lines = append(lines, strings.Join(words, " "))
	}
	return strings.Join(lines, "\n")
}

func TestStreamXAddIDs(t *testing.T) {
	c := newStreamTestClient()
	steps := []struct {
		now       int64
		args      []string
		reply     string
		propagate string
	}{
		{streamTestNow, []string{"XADD", "s", "*", "f", "v"}, "$15\r\n1700000000000-0\r\n", "XADD s 1700000000000-0 f v"},
		{streamTestNow, []string{"XADD", "s", "*", "f", "v"}, "$15\r\n1700000000000-1\r\n", "XADD s 1700000000000-1 f v"},
		// The clock went back: the ID keeps growing from the last one.
		{streamTestNow - 5000, []string{"XADD", "s", "*", "f", "v"}, "$15\r\n1700000000000-2\r\n", "XADD s 1700000000000-2 f v"},
		{streamTestNow + 1, []string{"XADD", "s", "MAXLEN", "~", "1", "*", "f", "v"}, "$15\r\n1700000000001-0\r\n", "XADD s MAXLEN = 4 1700000000001-0 f v"},
		{streamTestNow + 1, []string{"XADD", "s", "1700000000001-*", "f", "v"}, "$15\r\n1700000000001-1\r\n", "XADD s 1700000000001-1 f v"},
		{streamTestNow + 1, []string{"XADD", "s", "MINID", "~", "0", "1700000000002-0", "f", "v"}, "$15\r\n1700000000002-0\r\n", "XADD s MINID = 1700000000000-0 1700000000002-0 f v"},
		{streamTestNow + 1, []string{"XADD", "s", "1700000000002-0", "f", "v"}, "-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n", ""},
		{streamTestNow + 1, []string{"XTRIM", "s", "MAXLEN", "2"}, ":4\r\n", "XTRIM s MAXLEN 2"},
	}
	for i, st := range steps {
		c.Core.KS.Now = st.now
		if got := runStream(t, c, st.args...); got != st.reply {
			t.Fatalf("step %d %v: reply %q, want %q", i, st.args, got, st.reply)
		}
		if st.propagate == "" {
			continue
		}
		if got := streamPropagated(c); got != st.propagate {
			t.Errorf("step %d %v: propagated %q, want %q", i, st.args, got, st.propagate)
		}
	}
}

func TestStreamGroupPropagation(t *testing.T) {
	c := newStreamTestClient()
	runStream(t, c, "XADD", "s", "1-0", "a", "1")
	runStream(t, c, "XADD", "s", "2-0", "b", "2")
	runStream(t, c, "XGROUP", "CREATE", "s", "g", "0")

	runStream(t, c, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "s", ">")
	want := "XCLAIM s g alice 0 1-0 TIME 1700000000000 RETRYCOUNT 1 FORCE JUSTID LASTID 1-0"
	if got := streamPropagated(c); got != want {
		t.Errorf("XREADGROUP propagated %q, want %q", got, want)
	}
	runStream(t, c, "XREADGROUP", "GROUP", "g", "bob", "NOACK", "STREAMS", "s", ">")
	want = "XGROUP CREATECONSUMER s g bob\nXGROUP SETID s g 2-0 ENTRIESREAD 2"
	if got := streamPropagated(c); got != want {
		t.Errorf("XREADGROUP NOACK propagated %q, want %q", got, want)
	}
	runStream(t, c, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
	if got := streamPropagated(c); got != "" {
		t.Errorf("history read propagated %q", got)
	}
	runStream(t, c, "XCLAIM", "s", "g", "carol", "0", "1-0", "JUSTID")
	want = "XCLAIM s g carol 0 1-0 TIME 1700000000000 RETRYCOUNT 2 FORCE JUSTID LASTID 2-0"
	if got := streamPropagated(c); got != want {
		t.Errorf("XCLAIM propagated %q, want %q", got, want)
	}
	runStream(t, c, "XCLAIM", "s", "g", "carol", "0", "9-0", "LASTID", "5-0")
	want = "XGROUP SETID s g 5-0 ENTRIESREAD 2"
	if got := streamPropagated(c); got != want {
		t.Errorf("XCLAIM LASTID propagated %q, want %q", got, want)
	}
	runStream(t, c, "XDEL", "s", "1-0")
	got := runStream(t, c, "XAUTOCLAIM", "s", "g", "dave", "0", "0")
	if want := "*3\r\n$3\r\n0-0\r\n*0\r\n*1\r\n$3\r\n1-0\r\n"; got != want {
		t.Errorf("XAUTOCLAIM replied %q, want %q", got, want)
	}
	want = "XCLAIM s g carol 0 1-0 TIME 1700000000000 RETRYCOUNT 2 FORCE JUSTID LASTID 5-0"
	if got := streamPropagated(c); got != want {
		t.Errorf("XAUTOCLAIM propagated %q, want %q", got, want)
	}
}

func TestStreamBlock(t *testing.T) {
	c := newStreamTestClient()
	runStream(t, c, "XADD", "s", "1-0", "a", "1")

	// "$" is pinned to the last ID before blocking; BLOCK is in ms.
	if got := runStream(t, c, "XREAD", "BLOCK", "1500", "STREAMS", "s", "$"); got != "" {
		t.Fatalf("blocking XREAD replied %q", got)
	}
	if c.Flags&ClientBlocked == 0 || c.Blocking.Deadline != streamTestNow+1500 || string(c.Argv[5]) != "1-0" {
		t.Fatalf("block state: flags %x deadline %d argv %q", c.Flags, c.Blocking.Deadline, c.Argv)
	}
	argv := c.Argv

	// An entry that arrived in the meantime is served on retry, as it
	// would be when the key is signalled.
	other := newStreamTestClient()
	other.Core, other.DB = c.Core, c.DB
	runStream(t, other, "XADD", "s", "2-0", "b", "2")
	c.B = c.B[:0]
	c.Argv = argv
	c.Blocking.Retrying = true
	xreadCommand(c)
	c.Blocking.Retrying = false
	if c.Blocking.StillBlocked {
		t.Fatal("retry stayed blocked")
	}
	want := "*1\r\n*2\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n2-0\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n"
	if got := string(c.B); got != want {
		t.Fatalf("retry replied %q, want %q", got, want)
	}

	// Inside MULTI a blocking read answers at once as a timeout.
	c = newStreamTestClient()
	c.Flags |= ClientInExec
	if got := runStream(t, c, "XREAD", "BLOCK", "0", "STREAMS", "s", "$"); got != "*-1\r\n" {
		t.Fatalf("XREAD BLOCK in EXEC replied %q", got)
	}
	if got := runStream(t, c, "XREAD", "BLOCK", "-1", "STREAMS", "s", "$"); got != "-ERR timeout is negative\r\n" {
		t.Fatalf("negative BLOCK replied %q", got)
	}
}

func TestStreamBlockKeyGone(t *testing.T) {
	tests := []struct {
		name    string
		read    []string
		replace []string
		want    string
		blocked bool
	}{
		{"XREADGROUP key deleted", []string{"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"},
			[]string{"DEL", "s"}, "-UNBLOCKED the stream key no longer exists\r\n", false},
		{"XREADGROUP key now a list", []string{"XREADGROUP", "GROUP", "g", "alice", "BLOCK", "0", "STREAMS", "s", ">"},
			[]string{"LPUSH", "s", "x"}, "-UNBLOCKED the stream key no longer exists\r\n", false},
		{"XREAD key deleted", []string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"},
			[]string{"DEL", "s"}, "", true},
		{"XREAD key now a list", []string{"XREAD", "BLOCK", "0", "STREAMS", "s", "$"},
			[]string{"LPUSH", "s", "x"}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newStreamTestClient()
			runStream(t, c, "XADD", "s", "1-0", "a", "1")
			runStream(t, c, "XGROUP", "CREATE", "s", "g", "$")
			if got := runStream(t, c, tt.read...); got != "" {
				t.Fatalf("blocking read replied %q", got)
			}
			argv := c.Argv
			c.DB.Delete([]byte("s"))
			if tt.replace[0] == "LPUSH" {
				other := newStreamTestClient()
				other.Core, other.DB = c.Core, c.DB
				other.Argv = [][]byte{[]byte("LPUSH"), []byte("s"), []byte("x")}
				registry["lpush"](other)
			}
			c.B = c.B[:0]
			c.Argv = argv
			c.Blocking.Retrying = true
			c.Blocking.StillBlocked = false
			registry[strings.ToLower(tt.read[0])](c)
			c.Blocking.Retrying = false
			if got := string(c.B); got != tt.want || c.Blocking.StillBlocked != tt.blocked {
				t.Fatalf("retry replied %q (still blocked %v), want %q (%v)", got, c.Blocking.StillBlocked, tt.want, tt.blocked)
			}
		})
	}
}
