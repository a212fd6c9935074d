package command

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
)

// sortTestEvent is one keyspace notification seen by a test client.
type sortTestEvent struct{ event, key string }

// newSortTestClient makes a client over a fresh keyspace (slotted for
// cluster mode) that records notifications.
func newSortTestClient(cluster bool) (*Client, *[]sortTestEvent) {
	ks := keyspace.New(16, cluster, func(n uint64) uint64 { return 0 })
	core := NewCore(ks)
	events := &[]sortTestEvent{}
	core.Notify = func(_ int, event string, key []byte, _ int) {
		*events = append(*events, sortTestEvent{event, string(key)})
	}
	return &Client{Core: core, DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}, events
}

// sortRun executes one command and returns its reply.
func sortRun(t testing.TB, c *Client, args ...string) string {
	t.Helper()
	c.B = c.B[:0]
	c.ResetCommandState()
	c.Argv = c.Argv[:0]
	for _, a := range args {
		c.Argv = append(c.Argv, []byte(a))
	}
	c.Cmd = Lookup(c.Argv[0])
	p := registry[strings.ToLower(args[0])]
	if p == nil {
		t.Fatalf("no handler for %q", args[0])
	}
	p(c)
	return string(c.B)
}

func TestSortCommands(t *testing.T) {
	c, events := newSortTestClient(false)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"RPUSH", "l", "3", "1", "2"}, ":3\r\n"},
		{[]string{"SORT", "l"}, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
		{[]string{"SORT", "l", "DESC", "LIMIT", "0", "2"}, "*2\r\n$1\r\n3\r\n$1\r\n2\r\n"},
		{[]string{"SORT", "l", "BY", "nosort", "DESC"}, "*3\r\n$1\r\n2\r\n$1\r\n1\r\n$1\r\n3\r\n"},
		{[]string{"SET", "w_1", "30"}, "+OK\r\n"},
		{[]string{"SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*"}, "*6\r\n$1\r\n2\r\n$-1\r\n$1\r\n3\r\n$-1\r\n$1\r\n1\r\n$2\r\n30\r\n"},
		{[]string{"SORT", "l", "STORE", "dst"}, ":3\r\n"},
		{[]string{"LRANGE", "dst", "0", "-1"}, "*3\r\n$1\r\n1\r\n$1\r\n2\r\n$1\r\n3\r\n"},
		{[]string{"SORT", "nokey", "STORE", "dst"}, ":0\r\n"},
		{[]string{"EXISTS", "dst"}, ":0\r\n"},
		{[]string{"SORT_RO", "l", "STORE", "dst"}, "-ERR syntax error\r\n"},
		{[]string{"RPUSH", "bad", "x"}, ":1\r\n"},
		{[]string{"SORT", "bad"}, "-ERR One or more scores can't be converted into double\r\n"},
	}
	for _, s := range steps {
		if got := sortRun(t, c, s.args...); got != s.want {
			t.Fatalf("%q: got %q, want %q", s.args, got, s.want)
		}
	}
	want := []sortTestEvent{{"rpush", "l"}, {"new", "w_1"}, {"set", "w_1"}, {"new", "dst"}, {"sortstore", "dst"}, {"del", "dst"}, {"new", "bad"}, {"rpush", "bad"}}
	var got []sortTestEvent
	for _, e := range *events {
		if e.event != "new" || e.key != "l" {
			got = append(got, e)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

func TestSortClusterMode(t *testing.T) {
	c, _ := newSortTestClient(true)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"SORT", "l", "BY", "w_*"}, "-ERR BY option of SORT denied in Cluster mode.\r\n"},
		{[]string{"SORT", "l", "GET", "#"}, "-ERR GET option of SORT denied in Cluster mode.\r\n"},
		{[]string{"SORT_RO", "l", "GET", "x"}, "-ERR GET option of SORT denied in Cluster mode.\r\n"},
		{[]string{"SORT", "l", "BY", "nosort"}, "*0\r\n"},
	}
	for _, tc := range tests {
		if got := sortRun(t, c, tc.args...); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
	}
}

func TestSortParseScore(t *testing.T) {
	tests := []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1", 1, true}, {" 7", 7, true}, {"", 0, true}, {"0x10", 16, true},
		{"-inf", -1 * sortTestInf, true}, {"1.5", 1.5, true}, {"5\x00junk", 5, true},
		{"7 ", 0, false}, {" ", 0, false}, {"nan", 0, false}, {"abc", 0, false},
		{"1e400", 0, false}, {"1e-310", 0, false},
	}
	for _, tc := range tests {
		got, ok := sortParseScore([]byte(tc.in))
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("sortParseScore(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

var sortTestInf = func() float64 { f, _ := sortParseScore([]byte("inf")); return f }()

// TestSortPartial checks that the partial quicksort leaves the requested
// positions as a full sort would, for many sizes and ranges.
func TestSortPartial(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	cmp := func(a, b *int) int { return *a - *b }
	for range 2000 {
		n := r.IntN(120)
		a := make([]int, n)
		for i := range a {
			a[i] = r.IntN(20)
		}
		full := slices.Clone(a)
		slices.Sort(full)
		if n == 0 {
			continue
		}
		lo := r.IntN(n)
		hi := lo + r.IntN(n-lo)
		sortPartial(a, cmp, lo, hi)
		if !slices.Equal(a[lo:hi+1], full[lo:hi+1]) {
			t.Fatalf("n=%d lo=%d hi=%d: got %v, want %v", n, lo, hi, a[lo:hi+1], full[lo:hi+1])
		}
	}
}
