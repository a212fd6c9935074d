package server

import (
	"strings"
	"testing"
	"time"

	"shoal/internal/config"
	"shoal/internal/testutil"
)

// startDebugServer starts an in-process server with DEBUG enabled and
// returns it with a connected client.
func startDebugServer(t *testing.T) (*Server, *testutil.Conn) {
	t.Helper()
	s, addr := startInProcess(t, 1)
	s.mu.Lock()
	s.cfg.EnableDebugCommand = config.EnableYes
	s.mu.Unlock()
	return s, testutil.Dial(t, addr)
}

// TestDebugDigestVectors checks DEBUG DIGEST and DIGEST-VALUE against
// values Redis 7.0.15 printed for the same commands.
func TestDebugDigestVectors(t *testing.T) {
	_, c := startDebugServer(t)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"DEBUG", "DIGEST"}, "+0000000000000000000000000000000000000000\r\n"},
		{[]string{"SET", "foo", "bar"}, "+OK\r\n"},
		{[]string{"DEBUG", "DIGEST"}, "+d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a\r\n"},
		{[]string{"RPUSH", "l", "a", "b", "1"}, ":3\r\n"},
		{[]string{"SADD", "s", "x", "5"}, ":2\r\n"},
		{[]string{"ZADD", "z", "1.5", "a", "-inf", "b"}, ":2\r\n"},
		{[]string{"HSET", "h", "f", "v"}, ":1\r\n"},
		{[]string{"XADD", "x", "1-1", "a", "b"}, "$3\r\n1-1\r\n"},
		{[]string{"SET", "e", "v", "EX", "100"}, "+OK\r\n"},
		{[]string{"DEBUG", "DIGEST-VALUE", "foo", "l", "s", "z", "h", "x", "e"}, "*7\r\n" +
			"+68467c70ae30376e7ce005bcc8827f5ba7fd67dc\r\n" +
			"+981fd62c1655c074205cff40b800bd5a5bfdcd41\r\n" +
			"+0f7b1ca121b02df0c927eac794ae99219160a350\r\n" +
			"+008037a9dba8d2809bf6233aebe7e96b65d6aafa\r\n" +
			"+90c76e9e9f4c62d642a34fc97c7dad503b51f906\r\n" +
			"+db20534e81d36b705394fcfc8a61996efb6e5a7c\r\n" +
			"+311b17018163335616e089f6b951c82c477335ac\r\n"},
		{[]string{"SELECT", "3"}, "+OK\r\n"},
		{[]string{"SET", "k", "v"}, "+OK\r\n"},
		{[]string{"DEBUG", "DIGEST"}, "+b63b834ec57a28bff9a1a5322db541c26ca535b2\r\n"},
		{[]string{"DEBUG", "DIGEST-VALUE", "nokey"}, "*1\r\n+0000000000000000000000000000000000000000\r\n"},
	}
	for _, st := range steps {
		if got := string(c.Do(st.args...)); got != st.want {
			t.Errorf("%v: got %q want %q", st.args, got, st.want)
		}
	}
}

// TestDebugReplies checks the replies of the subcommands whose output is
// fixed, as Redis 7.0.15 writes them.
func TestDebugReplies(t *testing.T) {
	_, c := startDebugServer(t)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"DEBUG", "POPULATE", "abc"}, "-ERR value is out of range, must be positive\r\n"},
		{[]string{"DEBUG", "POPULATE", "3"}, "+OK\r\n"},
		{[]string{"GET", "key:2"}, "$7\r\nvalue:2\r\n"},
		{[]string{"DEBUG", "POPULATE", "2", "p", "10"}, "+OK\r\n"},
		{[]string{"GET", "p:1"}, "$10\r\nvalue:1\x00\x00\x00\r\n"},
		{[]string{"DEBUG", "POPULATE", "2", "q", "3"}, "+OK\r\n"},
		{[]string{"GET", "q:1"}, "$3\r\nval\r\n"},
		{[]string{"DBSIZE"}, ":7\r\n"},
		{[]string{"DEBUG", "OBJECT", "nokey"}, "-ERR no such key\r\n"},
		{[]string{"DEBUG", "DIGEST", "x"}, "-ERR unknown subcommand or wrong number of arguments for 'DIGEST'. Try DEBUG HELP.\r\n"},
		{[]string{"DEBUG", "ERROR", "CUSTOM a\nb"}, "-CUSTOM a b\r\n"},
		{[]string{"DEBUG", "LOG", "hello"}, "+OK\r\n"},
		{[]string{"DEBUG", "CHANGE-REPL-ID"}, "+OK\r\n"},
		{[]string{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"}, "-ERR argument must be a memory value bigger than 1 and smaller than 4gb\r\n"},
		{[]string{"DEBUG", "QUICKLIST-PACKED-THRESHOLD", "1kb"}, "+OK\r\n"},
		{[]string{"DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "x"}, "-ERR value is not an integer or out of range\r\n"},
		{[]string{"DEBUG", "REPLYBUFFER", "RESIZING", "0"}, "+OK\r\n"},
		{[]string{"DEBUG", "REPLYBUFFER", "X", "0"}, "-ERR unknown subcommand or wrong number of arguments for 'REPLYBUFFER'. Try DEBUG HELP.\r\n"},
		{[]string{"DEBUG", "HTSTATS", "99"}, "-ERR Out of range database\r\n"},
		{[]string{"DEBUG", "HTSTATS-KEY", "key:1"}, "-ERR The value stored at the specified key is not represented using an hash table\r\n"},
		{[]string{"DEBUG", "MALLCTL", "x"}, "-ERR unknown subcommand or wrong number of arguments for 'MALLCTL'. Try DEBUG HELP.\r\n"},
		{[]string{"DEBUG", "PROTOCOL", "double"}, "$5\r\n3.141\r\n"},
		{[]string{"DEBUG", "PROTOCOL", "map"}, "*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n"},
		{[]string{"DEBUG", "PROTOCOL", "push"}, "-ERR RESP2 is not supported by this command\r\n"},
		{[]string{"DEBUG", "PROTOCOL", "attrib"}, "$39\r\nSome real reply following the attribute\r\n"},
		{[]string{"DEBUG", "STRINGMATCH-TEST"}, "+Apparently Redis did not crash: test passed\r\n"},
	}
	for _, st := range steps {
		if got := string(c.Do(st.args...)); got != st.want {
			t.Errorf("%v: got %q want %q", st.args, got, st.want)
		}
	}
	obj := string(c.Do("DEBUG", "OBJECT", "key:1"))
	if !strings.HasPrefix(obj, "+Value at:0x") || !strings.Contains(obj, " refcount:1 encoding:embstr serializedlength:8 lru:") {
		t.Errorf("DEBUG OBJECT: %q", obj)
	}
	c.Do("RPUSH", "list", "a", "b")
	obj = string(c.Do("DEBUG", "OBJECT", "list"))
	if !strings.HasSuffix(obj, " ql_nodes:1 ql_avg_node:2.00 ql_listpack_max:-2 ql_compressed:0 ql_uncompressed_size:13\r\n") {
		t.Errorf("DEBUG OBJECT list: %q", obj)
	}
}

// TestDebugProtocolRESP3 checks the RESP3 test replies byte for byte.
func TestDebugProtocolRESP3(t *testing.T) {
	_, c := startDebugServer(t)
	c.Do("HELLO", "3")
	tests := []struct{ typ, want string }{
		{"string", "$11\r\nHello World\r\n"},
		{"integer", ":12345\r\n"},
		{"double", ",3.141\r\n"},
		{"bignum", "(1234567999999999999999999999999999999\r\n"},
		{"null", "_\r\n"},
		{"array", "*3\r\n:0\r\n:1\r\n:2\r\n"},
		{"set", "~3\r\n:0\r\n:1\r\n:2\r\n"},
		{"map", "%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n"},
		{"attrib", "|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n$39\r\nSome real reply following the attribute\r\n"},
		{"push", ">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n"},
		{"verbatim", "=29\r\ntxt:This is a verbatim\nstring\r\n"},
		{"true", "#t\r\n"},
		{"false", "#f\r\n"},
		{"bogus", "-ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false\r\n"},
	}
	for _, tc := range tests {
		// testutil reads an attribute and the reply after it as one frame.
		got := string(c.Do("DEBUG", "PROTOCOL", tc.typ))
		if got != tc.want {
			t.Errorf("%s: got %q want %q", tc.typ, got, tc.want)
		}
		if tc.typ == "push" {
			if r := string(c.ReadReply()); r != "$40\r\nSome real reply following the push reply\r\n" {
				t.Errorf("after push: %q", r)
			}
		}
	}
}

// TestDebugSkipChecksum: RESTORE takes a payload with a bad CRC only while
// DEBUG SET-SKIP-CHECKSUM-VALIDATION is 1.
func TestDebugSkipChecksum(t *testing.T) {
	_, c := startDebugServer(t)
	c.Do("SET", "k", "value")
	r := c.Do("DUMP", "k")
	p := []byte(string(r[strings.Index(string(r), "\r\n")+2 : len(r)-2]))
	p[len(p)-1] ^= 0xff
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"RESTORE", "a", "0", string(p)}, "-ERR DUMP payload version or checksum are wrong\r\n"},
		{[]string{"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1"}, "+OK\r\n"},
		{[]string{"RESTORE", "a", "0", string(p)}, "+OK\r\n"},
		{[]string{"GET", "a"}, "$5\r\nvalue\r\n"},
		{[]string{"RESTORE", "b", "0", string(p[:4])}, "-ERR DUMP payload version or checksum are wrong\r\n"},
		{[]string{"DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0"}, "+OK\r\n"},
		{[]string{"RESTORE", "b", "0", string(p)}, "-ERR DUMP payload version or checksum are wrong\r\n"},
	}
	for _, st := range steps {
		if got := string(c.Do(st.args...)); got != st.want {
			t.Errorf("%.40q: got %q want %q", st.args, got, st.want)
		}
	}
}

// TestDebugPauseCron: while cron is paused the active expire cycle does
// not run, so an expired key stays counted; it goes once cron resumes.
func TestDebugPauseCron(t *testing.T) {
	s, c := startDebugServer(t)
	cronTime := func() int64 {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.cron.nowMs
	}
	c.Do("DEBUG", "PAUSE-CRON", "1")
	c.Do("SET", "k", "v", "PX", "1")
	start := cronTime()
	// serverCron still stamps its time before returning: wait for several
	// ticks past the key's expiry.
	testutil.WaitFor(t, 5*time.Second, func() bool { return cronTime() > start+500 })
	if got := string(c.Do("DBSIZE")); got != ":1\r\n" {
		t.Fatalf("DBSIZE while cron is paused: %q", got)
	}
	c.Do("DEBUG", "PAUSE-CRON", "0")
	testutil.WaitFor(t, 5*time.Second, func() bool { return string(c.Do("DBSIZE")) == ":0\r\n" })
}

// TestAppendDictStats compares the report with dictGetStats's text for
// the same table shape (Redis 7.0.15, DEBUG HTSTATS on 6 keys).
func TestAppendDictStats(t *testing.T) {
	tests := []struct {
		name string
		st   dictStats
		want string
	}{
		{"empty", dictStats{}, "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"},
		{"redis", dictStats{size: 8, used: 6, chains: []int{5, 2, 0, 0, 1}},
			"Hash table 0 stats (main hash table):\n table size: 8\n number of elements: 6\n different slots: 3\n max chain length: 4\n" +
				" avg chain length (counted): 2.00\n avg chain length (computed): 2.00\n Chain length distribution:\n" +
				"   0: 5 (62.50%)\n   1: 2 (25.00%)\n   4: 1 (12.50%)\n"},
		{"model", modelDictStats(5),
			"Hash table 0 stats (main hash table):\n table size: 8\n number of elements: 5\n different slots: 5\n max chain length: 1\n" +
				" avg chain length (counted): 1.00\n avg chain length (computed): 1.00\n Chain length distribution:\n" +
				"   0: 3 (37.50%)\n   1: 5 (62.50%)\n"},
	}
	for _, tc := range tests {
		if got := string(appendDictStats(nil, 0, tc.st)); got != tc.want {
			t.Errorf("%s:\n got %q\nwant %q", tc.name, got, tc.want)
		}
	}
}

// TestModelDictStatsSize: the table size Redis's dict reaches after n
// insertions.
func TestModelDictStatsSize(t *testing.T) {
	for _, tc := range []struct{ n, size int }{{1, 4}, {4, 4}, {5, 8}, {8, 8}, {9, 16}, {5000, 8192}} {
		if got := modelDictStats(tc.n).size; got != tc.size {
			t.Errorf("n=%d: size %d want %d", tc.n, got, tc.size)
		}
	}
}

func TestAtoi(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{{"1", 1}, {"0", 0}, {"abc", 0}, {" 12x", 12}, {"-3", -3}, {"+4", 4}, {"", 0}} {
		if got := atoi([]byte(tc.in)); got != tc.want {
			t.Errorf("atoi(%q) = %d want %d", tc.in, got, tc.want)
		}
	}
}
