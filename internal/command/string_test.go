package command

import (
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/resp"
)

// stringTestNow is the time snapshot the string tests run at (unix ms).
const stringTestNow = 1_700_000_000_000

// newStringTestClient makes a client over a fresh 16-database keyspace.
func newStringTestClient() *Client {
	ks := keyspace.New(16, false, func(n uint64) uint64 { return 0 })
	ks.Now = stringTestNow
	core := NewCore(ks)
	return &Client{Core: core, DB: ks.DBs[0], Writer: resp.Writer{Proto: 2}}
}

// runString executes one command and returns its reply bytes. A few pseudo
// commands stand in for handlers other groups own: HELLO n switches the
// protocol, MKLIST key makes key a list, EXISTS key reports :1 or :0.
func runString(t testing.TB, c *Client, args ...string) string {
	t.Helper()
	c.B = c.B[:0]
	c.ResetCommandState()
	c.Argv = c.Argv[:0]
	for _, a := range args {
		c.Argv = append(c.Argv, []byte(a))
	}
	switch strings.ToLower(args[0]) {
	case "hello":
		c.Proto = int(args[1][0] - '0')
		return ""
	case "mklist":
		c.DB.Delete(c.Argv[1])
		c.DB.Add(c.Argv[1], keyspace.TypeList)
		return ""
	case "exists":
		if c.DB.Lookup(c.Argv[1]) != nil {
			return ":1\r\n"
		}
		return ":0\r\n"
	}
	p := registry[strings.ToLower(args[0])]
	if p == nil {
		t.Fatalf("no handler for %q", args[0])
	}
	p(c)
	return string(c.B)
}

// TestStringScript replays commands whose replies were recorded from
// redis-server 7.0.15, in order, against one database.
func TestStringScript(t *testing.T) {
	c := newStringTestClient()
	for i, tc := range stringScript {
		if got := runString(t, c, tc.args...); got != tc.want {
			t.Errorf("#%d %q:\n got %q\nwant %q", i, tc.args, got, tc.want)
		}
	}
}

var stringScript = []struct {
	args []string
	want string
}{
	// GET / SET and options
	{[]string{"GET", "nokey"}, "$-1\r\n"},
	{[]string{"SET", "k", "v"}, "+OK\r\n"},
	{[]string{"GET", "k"}, "$1\r\nv\r\n"},
	{[]string{"SET", "k", "v", "EX", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"SET", "k", "v", "EX", "-1"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"SET", "k", "v", "PX", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"SET", "k", "v", "EXAT", "0"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"SET", "k", "v", "EX", "10", "PX", "10"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "k", "v", "EX", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SET", "k", "v", "NX", "XX"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "k", "v", "XX", "NX"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "k", "v", "KEEPTTL", "EX", "1"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "k", "v", "EX", "1", "KEEPTTL"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "k", "v", "EX"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "k", "v", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "k", "v", "EX", "9223372036854775807"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"SET", "k", "v", "PX", "9223372036854775807"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"SET", "k", "v", "EX", "9223372036854775"}, "-ERR invalid expire time in 'set' command\r\n"},
	{[]string{"SET", "k", "v", "EXAT", "9223372036854775"}, "+OK\r\n"},
	{[]string{"SET", "k", "v", "EX", "1", "EX", "2"}, "+OK\r\n"},
	{[]string{"SET", "k", "v", "KEEPTTL", "KEEPTTL"}, "+OK\r\n"},
	{[]string{"SET", "k", "v", "NX", "NX"}, "$-1\r\n"},
	{[]string{"SET", "k", "w", "GET", "NX"}, "$1\r\nv\r\n"},
	{[]string{"SET", "k", "w", "GET", "XX"}, "$1\r\nv\r\n"},
	{[]string{"GET", "k"}, "$1\r\nw\r\n"},
	{[]string{"SET", "k", "x", "get", "ex", "100"}, "$1\r\nw\r\n"},
	{[]string{"SET", "k", "y", "KEEPTTL"}, "+OK\r\n"},
	{[]string{"SET", "k2", "v", "XX"}, "$-1\r\n"},
	{[]string{"SET", "k2", "v", "XX", "GET"}, "$-1\r\n"},
	{[]string{"SET", "k2", "v", "NX", "GET"}, "$-1\r\n"},
	{[]string{"SET", "k2", "w", "NX"}, "$-1\r\n"},
	{[]string{"GET", "k2"}, "$1\r\nv\r\n"},
	{[]string{"MKLIST", "l"}, ""},
	{[]string{"SET", "l", "v", "GET"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"GET", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SET", "l", "v", "EX", "abc", "GET"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SET", "l", "v"}, "+OK\r\n"},
	{[]string{"GET", "l"}, "$1\r\nv\r\n"},
	{[]string{"SET", "e", ""}, "+OK\r\n"},
	{[]string{"GET", "e"}, "$0\r\n\r\n"},
	// SETNX SETEX PSETEX GETSET
	{[]string{"SETNX", "k", "a"}, ":0\r\n"},
	{[]string{"SETNX", "nx1", "a"}, ":1\r\n"},
	{[]string{"GET", "nx1"}, "$1\r\na\r\n"},
	{[]string{"SETEX", "k", "0", "v"}, "-ERR invalid expire time in 'setex' command\r\n"},
	{[]string{"SETEX", "k", "-1", "v"}, "-ERR invalid expire time in 'setex' command\r\n"},
	{[]string{"SETEX", "k", "abc", "v"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SETEX", "k", "100", "sv"}, "+OK\r\n"},
	{[]string{"GET", "k"}, "$2\r\nsv\r\n"},
	{[]string{"PSETEX", "k", "0", "v"}, "-ERR invalid expire time in 'psetex' command\r\n"},
	{[]string{"PSETEX", "k", "100000", "pv"}, "+OK\r\n"},
	{[]string{"GET", "k"}, "$2\r\npv\r\n"},
	{[]string{"GETSET", "k", "gs"}, "$2\r\npv\r\n"},
	{[]string{"GETSET", "newgs", "1"}, "$-1\r\n"},
	{[]string{"GETSET", "newgs", "2"}, "$1\r\n1\r\n"},
	{[]string{"MKLIST", "l"}, ""},
	{[]string{"GETSET", "l", "v"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	// GETEX GETDEL
	{[]string{"GETEX", "nokey", "EX", "abc"}, "$-1\r\n"},
	{[]string{"GETEX", "nokey", "EX", "0"}, "$-1\r\n"},
	{[]string{"GETEX", "nokey", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"GETEX", "nokey", "PERSIST", "EX", "1"}, "-ERR syntax error\r\n"},
	{[]string{"GETEX", "k", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"GETEX", "k", "EX", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"GETEX", "k", "EX", "0"}, "-ERR invalid expire time in 'getex' command\r\n"},
	{[]string{"GETEX", "k", "EX", "9223372036854775807"}, "-ERR invalid expire time in 'getex' command\r\n"},
	{[]string{"GETEX", "k", "PERSIST", "EX", "1"}, "-ERR syntax error\r\n"},
	{[]string{"GETEX", "k", "EX", "1", "PX", "1"}, "-ERR syntax error\r\n"},
	{[]string{"GETEX", "k", "PERSIST", "PERSIST"}, "$2\r\ngs\r\n"},
	{[]string{"GETEX", "k", "EX", "1", "EX", "2"}, "$2\r\ngs\r\n"},
	{[]string{"GETEX", "k", "PXAT", "99999999999999"}, "$2\r\ngs\r\n"},
	{[]string{"GETEX", "k", "PERSIST"}, "$2\r\ngs\r\n"},
	{[]string{"GETEX", "k"}, "$2\r\ngs\r\n"},
	{[]string{"GETEX", "k", "EXAT", "1"}, "$2\r\ngs\r\n"},
	{[]string{"EXISTS", "k"}, ":0\r\n"},
	{[]string{"MKLIST", "l"}, ""},
	{[]string{"GETEX", "l", "EX", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"GETDEL", "nokey"}, "$-1\r\n"},
	{[]string{"SET", "gd", "v"}, "+OK\r\n"},
	{[]string{"GETDEL", "gd"}, "$1\r\nv\r\n"},
	{[]string{"GETDEL", "gd"}, "$-1\r\n"},
	{[]string{"GETDEL", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	// MGET MSET MSETNX
	{[]string{"MSET", "a", "1", "b", "2"}, "+OK\r\n"},
	{[]string{"MSET", "a", "1", "b"}, "-ERR wrong number of arguments for 'mset' command\r\n"},
	{[]string{"MSETNX", "a", "1", "b"}, "-ERR wrong number of arguments for 'msetnx' command\r\n"},
	{[]string{"MSETNX", "a", "1", "c", "3"}, ":0\r\n"},
	{[]string{"MSETNX", "c", "3", "d", "4"}, ":1\r\n"},
	{[]string{"MSET", "a", "x", "a", "y"}, "+OK\r\n"},
	{[]string{"MGET", "a", "b", "c", "d", "l", "nokey"}, "*6\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\n3\r\n$1\r\n4\r\n$-1\r\n$-1\r\n"},
	// APPEND STRLEN GETRANGE SUBSTR
	{[]string{"APPEND", "ap", "12"}, ":2\r\n"},
	{[]string{"APPEND", "ap", "34"}, ":4\r\n"},
	{[]string{"APPEND", "ap", ""}, ":4\r\n"},
	{[]string{"APPEND", "l", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"APPEND", "apnew", ""}, ":0\r\n"},
	{[]string{"EXISTS", "apnew"}, ":1\r\n"},
	{[]string{"STRLEN", "ap"}, ":4\r\n"},
	{[]string{"STRLEN", "nokey"}, ":0\r\n"},
	{[]string{"STRLEN", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SET", "gr", "Hello World"}, "+OK\r\n"},
	{[]string{"GETRANGE", "gr", "0", "4"}, "$5\r\nHello\r\n"},
	{[]string{"GETRANGE", "gr", "-5", "-1"}, "$5\r\nWorld\r\n"},
	{[]string{"GETRANGE", "gr", "-1", "-5"}, "$0\r\n\r\n"},
	{[]string{"GETRANGE", "gr", "-100", "-50"}, "$1\r\nH\r\n"},
	{[]string{"GETRANGE", "gr", "5", "3"}, "$0\r\n\r\n"},
	{[]string{"GETRANGE", "gr", "0", "100"}, "$11\r\nHello World\r\n"},
	{[]string{"GETRANGE", "gr", "100", "200"}, "$0\r\n\r\n"},
	{[]string{"GETRANGE", "gr", "-9223372036854775808", "9223372036854775807"}, "$11\r\nHello World\r\n"},
	{[]string{"GETRANGE", "nokey", "0", "1"}, "$0\r\n\r\n"},
	{[]string{"GETRANGE", "gr", "0", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"GETRANGE", "gr", "abc", "0"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"GETRANGE", "l", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SUBSTR", "gr", "1", "2"}, "$2\r\nel\r\n"},
	{[]string{"GETRANGE", "e", "0", "-1"}, "$0\r\n\r\n"},
	// SETRANGE
	{[]string{"SETRANGE", "sr", "-1", "x"}, "-ERR offset is out of range\r\n"},
	{[]string{"SETRANGE", "sr", "abc", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SETRANGE", "sr", "0", ""}, ":0\r\n"},
	{[]string{"EXISTS", "sr"}, ":0\r\n"},
	{[]string{"SETRANGE", "sr", "3", "ab"}, ":5\r\n"},
	{[]string{"GET", "sr"}, "$5\r\n\x00\x00\x00ab\r\n"},
	{[]string{"SETRANGE", "sr", "1", "XYZ"}, ":5\r\n"},
	{[]string{"GET", "sr"}, "$5\r\n\x00XYZb\r\n"},
	{[]string{"SETRANGE", "sr", "10", ""}, ":5\r\n"},
	{[]string{"SETRANGE", "sr", "536870912", "x"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"SETRANGE", "sr", "536870911", "xy"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"SETRANGE", "sr", "9223372036854775807", "x"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
	{[]string{"SETRANGE", "l", "0", "x"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SETRANGE", "l", "0", ""}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SETRANGE", "l", "-1", "x"}, "-ERR offset is out of range\r\n"},
	// INCR family
	{[]string{"INCR", "i"}, ":1\r\n"},
	{[]string{"INCR", "i"}, ":2\r\n"},
	{[]string{"DECR", "i"}, ":1\r\n"},
	{[]string{"INCRBY", "i", "10"}, ":11\r\n"},
	{[]string{"INCRBY", "i", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"DECRBY", "i", "5"}, ":6\r\n"},
	{[]string{"DECRBY", "i", "-9223372036854775808"}, "-ERR decrement would overflow\r\n"},
	{[]string{"INCRBY", "i", " 1"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SET", "n", " 1"}, "+OK\r\n"},
	{[]string{"INCR", "n"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SET", "n", "9223372036854775807"}, "+OK\r\n"},
	{[]string{"INCR", "n"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"INCRBY", "n", "-1"}, ":9223372036854775806\r\n"},
	{[]string{"SET", "n", "-9223372036854775808"}, "+OK\r\n"},
	{[]string{"DECR", "n"}, "-ERR increment or decrement would overflow\r\n"},
	{[]string{"INCRBY", "n", "1"}, ":-9223372036854775807\r\n"},
	{[]string{"SET", "n", "012"}, "+OK\r\n"},
	{[]string{"INCR", "n"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SET", "n", "-0"}, "+OK\r\n"},
	{[]string{"INCR", "n"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SET", "n", "10.5"}, "+OK\r\n"},
	{[]string{"INCR", "n"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"INCR", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"INCRBY", "nokeyi", "-5"}, ":-5\r\n"},
	// INCRBYFLOAT
	{[]string{"INCRBYFLOAT", "f", "10.5"}, "$4\r\n10.5\r\n"},
	{[]string{"INCRBYFLOAT", "f", "0.1"}, "$4\r\n10.6\r\n"},
	{[]string{"INCRBYFLOAT", "f", "5.0e3"}, "$22\r\n5010.60000000000000009\r\n"},
	{[]string{"INCRBYFLOAT", "f", "abc"}, "-ERR value is not a valid float\r\n"},
	{[]string{"INCRBYFLOAT", "f", "inf"}, "-ERR increment would produce NaN or Infinity\r\n"},
	{[]string{"INCRBYFLOAT", "f", "-5010.6"}, "$1\r\n0\r\n"},
	{[]string{"SET", "f", "1e5"}, "+OK\r\n"},
	{[]string{"INCRBYFLOAT", "f", "1"}, "$6\r\n100001\r\n"},
	{[]string{"SET", "f", "abc"}, "+OK\r\n"},
	{[]string{"INCRBYFLOAT", "f", "1"}, "-ERR value is not a valid float\r\n"},
	{[]string{"INCRBYFLOAT", "e", "1"}, "-ERR value is not a valid float\r\n"},
	{[]string{"INCRBYFLOAT", "l", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SET", "f", "3"}, "+OK\r\n"},
	{[]string{"INCRBYFLOAT", "f", "1.5"}, "$3\r\n4.5\r\n"},
	{[]string{"INCRBYFLOAT", "f", "-4.5"}, "$1\r\n0\r\n"},
	// LCS
	{[]string{"MSET", "la", "ohmytext", "lb", "mynewtext"}, "+OK\r\n"},
	{[]string{"LCS", "la", "lb"}, "$6\r\nmytext\r\n"},
	{[]string{"LCS", "la", "lb", "LEN"}, ":6\r\n"},
	{[]string{"LCS", "la", "lb", "IDX"}, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"LCS", "la", "lb", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"LCS", "la", "lb", "IDX", "WITHMATCHLEN"}, "*4\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"LCS", "la", "lb", "IDX", "MINMATCHLEN", "-5"}, "*4\r\n$7\r\nmatches\r\n*2\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"LCS", "la", "lb", "IDX", "LEN"}, "-ERR If you want both the length and indexes, please just use IDX.\r\n"},
	{[]string{"LCS", "la", "lb", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"LCS", "la", "lb", "MINMATCHLEN"}, "-ERR syntax error\r\n"},
	{[]string{"LCS", "la", "lb", "MINMATCHLEN", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"LCS", "la", "nokey"}, "$0\r\n\r\n"},
	{[]string{"LCS", "la", "nokey", "IDX"}, "*4\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{[]string{"LCS", "la", "l", "FOO"}, "-ERR The specified keys must contain string values\r\n"},
	{[]string{"LCS", "la", "la", "IDX", "WITHMATCHLEN"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:0\r\n:7\r\n*2\r\n:0\r\n:7\r\n:8\r\n$3\r\nlen\r\n:8\r\n"},
	{[]string{"MSET", "lc", "abcXdefYghi", "ld", "abcdefghi"}, "+OK\r\n"},
	{[]string{"LCS", "lc", "ld", "IDX", "WITHMATCHLEN"}, "*4\r\n$7\r\nmatches\r\n*3\r\n*3\r\n*2\r\n:8\r\n:10\r\n*2\r\n:6\r\n:8\r\n:3\r\n*3\r\n*2\r\n:4\r\n:6\r\n*2\r\n:3\r\n:5\r\n:3\r\n*3\r\n*2\r\n:0\r\n:2\r\n*2\r\n:0\r\n:2\r\n:3\r\n$3\r\nlen\r\n:9\r\n"},
	{[]string{"LCS", "ld", "lc", "IDX", "WITHMATCHLEN"}, "*4\r\n$7\r\nmatches\r\n*3\r\n*3\r\n*2\r\n:6\r\n:8\r\n*2\r\n:8\r\n:10\r\n:3\r\n*3\r\n*2\r\n:3\r\n:5\r\n*2\r\n:4\r\n:6\r\n:3\r\n*3\r\n*2\r\n:0\r\n:2\r\n*2\r\n:0\r\n:2\r\n:3\r\n$3\r\nlen\r\n:9\r\n"},
	{[]string{"LCS", "lc", "ld"}, "$9\r\nabcdefghi\r\n"},
	{[]string{"HELLO", "3"}, ""},
	{[]string{"LCS", "la", "lb", "IDX", "WITHMATCHLEN"}, "%2\r\n$7\r\nmatches\r\n*2\r\n*3\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n:4\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:6\r\n"},
	{[]string{"LCS", "la", "lb", "LEN"}, ":6\r\n"},
	{[]string{"GET", "nokey"}, "_\r\n"},
	{[]string{"INCRBYFLOAT", "f", "1"}, "$1\r\n1\r\n"},
	{[]string{"HELLO", "2"}, ""},
	// SETBIT GETBIT
	{[]string{"SETBIT", "b", "7", "1"}, ":0\r\n"},
	{[]string{"SETBIT", "b", "7", "2"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"SETBIT", "b", "-1", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"SETBIT", "b", "4294967296", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"SETBIT", "b", "abc", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"SETBIT", "b", "7", "x"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"GETBIT", "b", "7"}, ":1\r\n"},
	{[]string{"GETBIT", "b", "6"}, ":1\r\n"},
	{[]string{"GETBIT", "b", "100000"}, ":0\r\n"},
	{[]string{"GETBIT", "b", "-1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"GETBIT", "b", "4294967296"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"GETBIT", "nokey", "5"}, ":0\r\n"},
	{[]string{"SET", "s", "1"}, "+OK\r\n"},
	{[]string{"SETBIT", "s", "0", "1"}, ":0\r\n"},
	{[]string{"GET", "s"}, "$1\r\n\xb1\r\n"},
	{[]string{"SETBIT", "l", "0", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SETBIT", "l", "0", "5"}, "-ERR bit is not an integer or out of range\r\n"},
	{[]string{"GETBIT", "l", "0"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"SETBIT", "b", "20", "1"}, ":0\r\n"},
	{[]string{"GET", "b"}, "$3\r\n3\x00\x08\r\n"},
	// BITCOUNT
	{[]string{"BITCOUNT", "s"}, ":4\r\n"},
	{[]string{"BITCOUNT", "s", "0"}, "-ERR syntax error\r\n"},
	{[]string{"BITCOUNT", "s", "0", "-1", "BIT"}, ":4\r\n"},
	{[]string{"BITCOUNT", "s", "0", "-1", "BYTE"}, ":4\r\n"},
	{[]string{"BITCOUNT", "s", "0", "-1", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"BITCOUNT", "s", "a", "b"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITCOUNT", "nokey", "0"}, ":0\r\n"},
	{[]string{"BITCOUNT", "nokey", "a", "b", "c", "d", "e"}, ":0\r\n"},
	{[]string{"BITCOUNT", "s", "0", "1", "2"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "foo", "foobar"}, "+OK\r\n"},
	{[]string{"BITCOUNT", "foo"}, ":26\r\n"},
	{[]string{"BITCOUNT", "foo", "1", "1"}, ":6\r\n"},
	{[]string{"BITCOUNT", "foo", "5", "30", "BIT"}, ":17\r\n"},
	{[]string{"BITCOUNT", "foo", "-3", "-1", "BIT"}, ":1\r\n"},
	{[]string{"BITCOUNT", "foo", "10", "5"}, ":0\r\n"},
	{[]string{"BITCOUNT", "foo", "-100", "-50"}, ":4\r\n"},
	{[]string{"BITCOUNT", "foo", "-100", "-1"}, ":26\r\n"},
	{[]string{"BITCOUNT", "foo", "0", "-100"}, ":4\r\n"},
	{[]string{"BITCOUNT", "foo", "-1", "-6"}, ":0\r\n"},
	{[]string{"BITCOUNT", "foo", "-50", "-100"}, ":0\r\n"},
	{[]string{"BITCOUNT", "foo", "-50", "-100", "BIT"}, ":0\r\n"},
	{[]string{"BITCOUNT", "foo", "-7", "-7"}, ":4\r\n"},
	{[]string{"BITPOS", "foo", "1", "-1", "-6"}, ":-1\r\n"},
	{[]string{"BITPOS", "foo", "1", "-50", "-100"}, ":1\r\n"},
	{[]string{"BITCOUNT", "foo", "9223372036854775807", "9223372036854775807", "BIT"}, ":0\r\n"},
	{[]string{"BITCOUNT", "foo", "-9223372036854775808", "-1", "BIT"}, ":26\r\n"},
	{[]string{"BITCOUNT", "foo", "a", "b", "FOO"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITCOUNT", "foo", "0", "b", "FOO"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITCOUNT", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"BITCOUNT", "e"}, ":0\r\n"},
	// BITPOS
	{[]string{"BITPOS", "foo", "1"}, ":1\r\n"},
	{[]string{"BITPOS", "foo", "0"}, ":0\r\n"},
	{[]string{"BITPOS", "foo", "2"}, "-ERR The bit argument must be 1 or 0.\r\n"},
	{[]string{"BITPOS", "foo", "x"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITPOS", "foo", "1", "2"}, ":17\r\n"},
	{[]string{"BITPOS", "foo", "1", "2", "-1", "BIT"}, ":2\r\n"},
	{[]string{"BITPOS", "foo", "0", "0", "-1", "BIT"}, ":0\r\n"},
	{[]string{"BITPOS", "nokey", "0"}, ":0\r\n"},
	{[]string{"BITPOS", "nokey", "1"}, ":-1\r\n"},
	{[]string{"BITPOS", "nokey", "0", "a"}, ":0\r\n"},
	{[]string{"BITPOS", "nokey", "1", "0", "0", "foo"}, ":-1\r\n"},
	{[]string{"BITPOS", "foo", "1", "0", "0", "foo"}, "-ERR syntax error\r\n"},
	{[]string{"BITPOS", "foo", "1", "a"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITPOS", "foo", "1", "0", "a"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITPOS", "foo", "1", "0", "1", "BYTE", "extra"}, "-ERR syntax error\r\n"},
	{[]string{"BITPOS", "foo", "1", "a", "0", "FOO"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITPOS", "foo", "1", "0", "a", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"SET", "ff", "\xff\xff\xff"}, "+OK\r\n"},
	{[]string{"BITPOS", "ff", "0"}, ":24\r\n"},
	{[]string{"BITPOS", "ff", "0", "0"}, ":24\r\n"},
	{[]string{"BITPOS", "ff", "0", "0", "-1"}, ":-1\r\n"},
	{[]string{"BITPOS", "ff", "0", "0", "-1", "BIT"}, ":-1\r\n"},
	{[]string{"BITPOS", "ff", "0", "0", "100"}, ":-1\r\n"},
	{[]string{"BITPOS", "ff", "1", "5", "3"}, ":-1\r\n"},
	{[]string{"BITPOS", "ff", "0", "5", "3"}, ":-1\r\n"},
	{[]string{"BITPOS", "ff", "0", "1"}, ":24\r\n"},
	{[]string{"BITPOS", "ff", "0", "10", "BIT"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"SET", "zz", "\x00\x00"}, "+OK\r\n"},
	{[]string{"BITPOS", "zz", "1"}, ":-1\r\n"},
	{[]string{"BITPOS", "zz", "1", "0", "-1"}, ":-1\r\n"},
	{[]string{"BITPOS", "zz", "0"}, ":0\r\n"},
	{[]string{"BITPOS", "zz", "0", "1", "1"}, ":8\r\n"},
	{[]string{"BITPOS", "foo", "1", "-100", "-50"}, ":1\r\n"},
	{[]string{"BITPOS", "foo", "1", "7", "15", "BIT"}, ":9\r\n"},
	{[]string{"BITPOS", "foo", "0", "7", "15", "BIT"}, ":7\r\n"},
	{[]string{"BITPOS", "foo", "1", "-1", "-1", "BIT"}, ":-1\r\n"},
	{[]string{"BITPOS", "foo", "1", "100", "200"}, ":-1\r\n"},
	{[]string{"BITPOS", "foo", "1", "-9223372036854775808", "-1", "BIT"}, ":1\r\n"},
	{[]string{"BITPOS", "e", "0"}, ":-1\r\n"},
	{[]string{"BITPOS", "e", "1"}, ":-1\r\n"},
	{[]string{"BITPOS", "e", "0", "0", "-1", "BIT"}, ":-1\r\n"},
	{[]string{"BITPOS", "l", "1"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"BITPOS", "l", "5"}, "-ERR The bit argument must be 1 or 0.\r\n"},
	// BITOP
	{[]string{"SET", "o1", "\x0f\xf0U"}, "+OK\r\n"},
	{[]string{"SET", "o2", "\xff\x00"}, "+OK\r\n"},
	{[]string{"BITOP", "AND", "d", "o1", "o2"}, ":3\r\n"},
	{[]string{"GET", "d"}, "$3\r\n\x0f\x00\x00\r\n"},
	{[]string{"BITOP", "OR", "d", "o1", "o2"}, ":3\r\n"},
	{[]string{"GET", "d"}, "$3\r\n\xff\xf0U\r\n"},
	{[]string{"BITOP", "XOR", "d", "o1", "o2", "nokey"}, ":3\r\n"},
	{[]string{"GET", "d"}, "$3\r\n\xf0\xf0U\r\n"},
	{[]string{"BITOP", "NOT", "d", "o1"}, ":3\r\n"},
	{[]string{"GET", "d"}, "$3\r\n\xf0\x0f\xaa\r\n"},
	{[]string{"BITOP", "and", "d", "o1", "nokey"}, ":3\r\n"},
	{[]string{"GET", "d"}, "$3\r\n\x00\x00\x00\r\n"},
	{[]string{"BITOP", "AND", "d", "nokey"}, ":0\r\n"},
	{[]string{"EXISTS", "d"}, ":0\r\n"},
	{[]string{"BITOP", "FOO", "d", "o1"}, "-ERR syntax error\r\n"},
	{[]string{"BITOP", "NOT", "d", "o1", "o2"}, "-ERR BITOP NOT must be called with a single source key.\r\n"},
	{[]string{"BITOP", "NOT", "d", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"BITOP", "AND", "d", "o1", "l"}, "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"},
	{[]string{"BITOP", "OR", "l", "o1"}, ":3\r\n"},
	{[]string{"GET", "l"}, "$3\r\n\x0f\xf0U\r\n"},
	{[]string{"BITOP", "XOR", "o1", "o1", "o2"}, ":3\r\n"},
	{[]string{"GET", "o1"}, "$3\r\n\xf0\xf0U\r\n"},
	// BITFIELD
	{[]string{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775808"}, "*1\r\n:0\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "0"}, "*1\r\n:127\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775000"}, "*1\r\n:127\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "u8", "0", "-1"}, "*1\r\n:128\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "u8", "0", "-1"}, "*1\r\n:255\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "FAIL", "SET", "u8", "0", "-1"}, "*1\r\n$-1\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "WRAP", "SET", "i8", "0", "200"}, "*1\r\n:-1\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "0", "GET", "u8", "0", "GET", "u4", "4", "GET", "i64", "0", "GET", "u63", "0"}, "*5\r\n:-56\r\n:200\r\n:8\r\n:-4035225266123964416\r\n:7205759403792793600\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i8", "0", "-1000", "INCRBY", "i8", "0", "1000", "OVERFLOW", "WRAP", "INCRBY", "i8", "0", "1"}, "*3\r\n:-128\r\n:127\r\n:-128\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "-9223372036854775808", "INCRBY", "i64", "0", "-9223372036854775808"}, "*4\r\n:-1\r\n:9223372036854775806\r\n:-2\r\n:-9223372036854775808\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "i64", "0", "9223372036854775807", "INCRBY", "i64", "0", "9223372036854775807"}, "*2\r\n:-1\r\n:9223372036854775806\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "SAT", "INCRBY", "u63", "0", "9223372036854775807", "INCRBY", "u63", "0", "1", "INCRBY", "u63", "0", "-9223372036854775808"}, "*3\r\n:9223372036854775807\r\n:9223372036854775807\r\n:0\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "WRAP", "INCRBY", "u63", "0", "-1", "INCRBY", "u2", "100", "-1"}, "*2\r\n:9223372036854775807\r\n:3\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "FAIL", "INCRBY", "u2", "100", "1", "INCRBY", "u2", "100", "-4", "INCRBY", "i3", "100", "3", "INCRBY", "i3", "100", "1", "GET", "u2", "100"}, "*5\r\n$-1\r\n$-1\r\n:1\r\n:2\r\n:1\r\n"},
	{[]string{"BITFIELD", "bf", "SET", "i5", "#3", "-7", "GET", "i5", "#3", "GET", "u5", "#3", "INCRBY", "i5", "#3", "-9"}, "*4\r\n:-1\r\n:-7\r\n:25\r\n:-16\r\n"},
	{[]string{"BITFIELD", "bf", "SET", "u1", "7", "1", "SET", "i1", "8", "-1", "GET", "i1", "8", "GET", "u1", "8", "SET", "i1", "9", "1", "GET", "i1", "9"}, "*6\r\n:1\r\n:-1\r\n:-1\r\n:1\r\n:-1\r\n:-1\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "SAT", "SET", "i1", "10", "5", "SET", "i1", "11", "-5", "GET", "i2", "10"}, "*3\r\n:-1\r\n:-1\r\n:1\r\n"},
	{[]string{"GET", "bf"}, "$13\r\n\xff\xdf\x0f\xff\xff\xff\xff\xfe\x00\x00\x00\x00\x04\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "u64", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i65", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i0", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "x8", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "I8", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "U8", "0"}, "-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "-1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "abc"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "#-1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "+1"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "01"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"BITFIELD", "bf", "SET", "i8", "0", "abc"}, "-ERR value is not an integer or out of range\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW", "foo", "GET", "i8", "0"}, "-ERR Invalid OVERFLOW type specified\r\n"},
	{[]string{"BITFIELD", "bf", "OVERFLOW"}, "-ERR syntax error\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8"}, "-ERR syntax error\r\n"},
	{[]string{"BITFIELD", "bf", "FOO"}, "-ERR syntax error\r\n"},
	{[]string{"BITFIELD", "bf"}, "*0\r\n"},
	{[]string{"BITFIELD", "bf", "get", "u8", "0", "overflow", "WRAP"}, "*1\r\n:255\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "i8", "0", "OVERFLOW", "FAIL"}, "*1\r\n:-1\r\n"},
	{[]string{"BITFIELD_RO", "bf", "GET", "i8", "0", "SET", "i8", "0", "1"}, "-ERR BITFIELD_RO only supports the GET subcommand\r\n"},
	{[]string{"BITFIELD_RO", "bf", "GET", "i8", "0"}, "*1\r\n:-1\r\n"},
	{[]string{"BITFIELD_RO", "bf"}, "*0\r\n"},
	{[]string{"BITFIELD_RO", "nokey", "GET", "u8", "0", "GET", "i8", "100"}, "*2\r\n:0\r\n:0\r\n"},
	{[]string{"BITFIELD", "l", "GET", "i8", "0"}, "*1\r\n:15\r\n"},
	{[]string{"BITFIELD", "l", "SET", "i8", "abc", "0"}, "-ERR bit offset is not an integer or out of range\r\n"},
	{[]string{"BITFIELD_RO", "l", "GET", "i8", "0"}, "*1\r\n:15\r\n"},
	{[]string{"BITFIELD", "bf2", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "100"}, "*1\r\n$-1\r\n"},
	{[]string{"EXISTS", "bf2"}, ":1\r\n"},
	{[]string{"GET", "bf2"}, "$1\r\n\x00\r\n"},
	{[]string{"BITFIELD", "bf3", "SET", "u8", "8", "255", "GET", "u16", "4"}, "*2\r\n:0\r\n:4080\r\n"},
	{[]string{"GET", "bf3"}, "$2\r\n\x00\xff\r\n"},
	// LCS walk-back ties
	{[]string{"MSET", "x1", "ab", "x2", "ba", "x3", "aaaa", "x4", "aa"}, "+OK\r\n"},
	{[]string{"LCS", "x1", "x2", "IDX"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:1\r\n:1\r\n*2\r\n:0\r\n:0\r\n$3\r\nlen\r\n:1\r\n"},
	{[]string{"LCS", "x1", "x2"}, "$1\r\nb\r\n"},
	{[]string{"LCS", "x3", "x4", "IDX", "WITHMATCHLEN"}, "*4\r\n$7\r\nmatches\r\n*1\r\n*3\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n:2\r\n$3\r\nlen\r\n:2\r\n"},
	{[]string{"HELLO", "3"}, ""},
	{[]string{"LCS", "x3", "x4", "IDX"}, "%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:2\r\n:3\r\n*2\r\n:0\r\n:1\r\n$3\r\nlen\r\n:2\r\n"},
	{[]string{"LCS", "x1", "nokey", "IDX"}, "%2\r\n$7\r\nmatches\r\n*0\r\n$3\r\nlen\r\n:0\r\n"},
	{[]string{"BITFIELD", "bf", "GET", "u8", "0", "OVERFLOW", "FAIL", "SET", "u8", "0", "256"}, "*2\r\n:255\r\n_\r\n"},
	{[]string{"HELLO", "2"}, ""},
}

// TestSetTrimsBigValue: a smaller value SET over a big one does not keep
// the big one's buffer (Redis's unit/type/string "trim on SET with big
// value": MEMORY USAGE under 42000 for 33000 bytes after 100000).
func TestSetTrimsBigValue(t *testing.T) {
	c := newStringTestClient()
	runString(t, c, "SET", "key", strings.Repeat("A", 100000))
	runString(t, c, "SET", "key", strings.Repeat("A", 33000))
	if e := c.DB.Find([]byte("key")); e == nil || cap(e.Str) >= 42000 {
		t.Fatalf("value keeps a buffer of %d bytes", cap(e.Str))
	}
}
