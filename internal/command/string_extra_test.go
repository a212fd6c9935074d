package command

import (
	"strconv"
	"strings"
	"testing"

	"shoal/internal/keyspace"
)

func TestStringAllocs(t *testing.T) {
	c := newStringTestClient()
	runString(t, c, "SET", "key", "value")
	get := [][]byte{[]byte("GET"), []byte("key")}
	set := [][]byte{[]byte("SET"), []byte("key"), []byte("other")}
	c.B = make([]byte, 0, 256)
	for _, tc := range []struct {
		name string
		argv [][]byte
		proc Proc
	}{{"get", get, getCommand}, {"set", set, setCommand}} {
		n := testing.AllocsPerRun(100, func() {
			c.B = c.B[:0]
			c.ResetCommandState()
			c.Argv = tc.argv
			tc.proc(c)
		})
		if n != 0 {
			t.Errorf("%s allocates %v times per call", tc.name, n)
		}
	}
}

func TestStringEncoding(t *testing.T) {
	enc := map[uint8]string{keyspace.EncRaw: "raw", keyspace.EncEmbstr: "embstr", keyspace.EncInt: "int"}
	long := strings.Repeat("x", 45)
	for _, tc := range []struct {
		cmds [][]string
		want string
	}{
		{[][]string{{"SET", "k", "12"}}, "int"},
		{[][]string{{"SET", "k", "9223372036854775807"}}, "int"},
		{[][]string{{"SET", "k", "12345678901234567890"}}, "embstr"},
		{[][]string{{"SET", "k", "012"}}, "embstr"},
		{[][]string{{"SET", "k", "-0"}}, "embstr"},
		{[][]string{{"SET", "k", long[:44]}}, "embstr"},
		{[][]string{{"SET", "k", long}}, "raw"},
		{[][]string{{"MSET", "k", "7", "j", "x"}}, "int"},
		{[][]string{{"SETEX", "k", "10", "7"}}, "int"},
		{[][]string{{"GETSET", "k", "abc"}}, "embstr"},
		{[][]string{{"APPEND", "k", "12"}}, "int"},
		{[][]string{{"SET", "k", "12"}, {"APPEND", "k", "3"}}, "raw"},
		{[][]string{{"SET", "k", "12"}, {"APPEND", "k", "3"}, {"INCR", "k"}}, "int"},
		{[][]string{{"SETRANGE", "k", "0", "1"}}, "raw"},
		{[][]string{{"SET", "k", "1"}, {"SETBIT", "k", "0", "0"}}, "raw"},
		{[][]string{{"BITFIELD", "k", "SET", "u8", "0", "49"}}, "raw"},
		{[][]string{{"SET", "a", "1"}, {"BITOP", "NOT", "k", "a"}}, "raw"},
		{[][]string{{"INCRBYFLOAT", "k", "1.5"}, {"INCRBYFLOAT", "k", "1.5"}}, "embstr"},
		{[][]string{{"INCRBY", "k", "5"}}, "int"},
	} {
		c := newStringTestClient()
		for _, cmd := range tc.cmds {
			runString(t, c, cmd...)
		}
		if got := enc[c.DB.Lookup([]byte("k")).Enc]; got != tc.want {
			t.Errorf("%q: encoding %s, want %s", tc.cmds, got, tc.want)
		}
	}
}

func TestStringTTL(t *testing.T) {
	for _, tc := range []struct {
		cmds [][]string
		want int64 // expected absolute expiry, 0 for none
	}{
		{[][]string{{"SET", "k", "v", "EX", "100"}}, stringTestNow + 100000},
		{[][]string{{"SET", "k", "v", "PX", "100"}}, stringTestNow + 100},
		{[][]string{{"SET", "k", "v", "EXAT", "2000000000"}}, 2000000000000},
		{[][]string{{"SET", "k", "v", "PXAT", "2000000000001"}}, 2000000000001},
		{[][]string{{"SET", "k", "v", "EX", "100"}, {"SET", "k", "w"}}, 0},
		{[][]string{{"SET", "k", "v", "EX", "100"}, {"SET", "k", "w", "KEEPTTL"}}, stringTestNow + 100000},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"INCR", "k"}}, stringTestNow + 100000},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"INCRBYFLOAT", "k", "1"}}, stringTestNow + 100000},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"APPEND", "k", "1"}}, stringTestNow + 100000},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"GETSET", "k", "1"}}, 0},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"MSET", "k", "1"}}, 0},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"BITOP", "NOT", "k", "k"}}, 0},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"SETBIT", "k", "100", "1"}}, stringTestNow + 100000},
		{[][]string{{"SET", "k", "1", "EX", "100"}, {"GETEX", "k", "PERSIST"}}, 0},
		{[][]string{{"SET", "k", "1"}, {"GETEX", "k", "PX", "5"}}, stringTestNow + 5},
		{[][]string{{"SETEX", "k", "7", "v"}}, stringTestNow + 7000},
		{[][]string{{"PSETEX", "k", "7", "v"}}, stringTestNow + 7},
	} {
		c := newStringTestClient()
		for _, cmd := range tc.cmds {
			runString(t, c, cmd...)
		}
		e := c.DB.Lookup([]byte("k"))
		if e == nil || e.Expire != tc.want {
			t.Errorf("%q: entry %+v, want expire %d", tc.cmds, e, tc.want)
		}
	}
}

func TestStringPropagation(t *testing.T) {
	abs := func(ms int64) string { return strconv.FormatInt(stringTestNow+ms, 10) }
	for _, tc := range []struct {
		setup [][]string
		cmd   []string
		want  string // space-joined propagated argv
	}{
		{nil, []string{"SET", "k", "v"}, "SET k v"},
		{nil, []string{"SET", "k", "v", "EX", "100", "NX"}, "SET k v PXAT " + abs(100000)},
		{nil, []string{"SET", "k", "v", "GET", "PX", "100"}, "SET k v PXAT " + abs(100)},
		{nil, []string{"SET", "k", "v", "PXAT", "123456789012345"}, "SET k v PXAT 123456789012345"},
		{[][]string{{"SET", "k", "v"}}, []string{"SET", "k", "v", "get", "XX", "GET"}, "SET k v XX"},
		{nil, []string{"SETEX", "k", "10", "v"}, "SET k v PXAT " + abs(10000)},
		{nil, []string{"PSETEX", "k", "10", "v"}, "SET k v PXAT " + abs(10)},
		{[][]string{{"SET", "k", "v"}}, []string{"GETSET", "k", "w"}, "SET k w"},
		{[][]string{{"SET", "k", "v"}}, []string{"GETEX", "k", "EX", "10"}, "PEXPIREAT k " + abs(10000)},
		{[][]string{{"SET", "k", "v", "EX", "9"}}, []string{"GETEX", "k", "PERSIST"}, "PERSIST k"},
		{[][]string{{"SET", "k", "v"}}, []string{"GETEX", "k", "EXAT", "1"}, "DEL k"},
		{[][]string{{"SET", "k", "v"}}, []string{"GETDEL", "k"}, "DEL k"},
		{[][]string{{"SET", "k", "1.5"}}, []string{"INCRBYFLOAT", "k", "1"}, "SET k 2.5 KEEPTTL"},
		{nil, []string{"INCR", "k"}, "INCR k"},
	} {
		c := newStringTestClient()
		for _, cmd := range tc.setup {
			runString(t, c, cmd...)
		}
		runString(t, c, tc.cmd...)
		own, extra := c.Propagation()
		var parts []string
		for _, a := range own {
			parts = append(parts, string(a))
		}
		if got := strings.Join(parts, " "); got != tc.want || len(extra) != 0 {
			t.Errorf("%q propagates %q %q, want %q", tc.cmd, got, extra, tc.want)
		}
	}
}

func TestStringNotifications(t *testing.T) {
	for _, tc := range []struct {
		setup [][]string
		cmd   []string
		want  string // "event:key" list
	}{
		{nil, []string{"SET", "k", "v"}, "new:k set:k"},
		{nil, []string{"SET", "k", "v", "EX", "10"}, "new:k set:k expire:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"SET", "k", "v", "NX"}, ""},
		{nil, []string{"GETSET", "k", "v"}, "new:k set:k"},
		{nil, []string{"MSET", "a", "1", "b", "2"}, "new:a set:a new:b set:b"},
		{[][]string{{"SET", "k", "v"}}, []string{"GETDEL", "k"}, "del:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"GETEX", "k", "EX", "5"}, "expire:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"GETEX", "k", "PERSIST"}, ""},
		{[][]string{{"SET", "k", "v"}}, []string{"GETEX", "k", "PXAT", "1"}, "del:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"APPEND", "k", ""}, "append:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"SETRANGE", "k", "0", ""}, ""},
		{nil, []string{"SETRANGE", "k", "1", "x"}, "new:k setrange:k"},
		{nil, []string{"DECRBY", "k", "2"}, "new:k incrby:k"},
		{nil, []string{"INCRBYFLOAT", "k", "2"}, "new:k incrbyfloat:k"},
		{nil, []string{"SETBIT", "k", "1", "0"}, "new:k setbit:k"},
		{[][]string{{"SETBIT", "k", "1", "1"}}, []string{"SETBIT", "k", "1", "1"}, ""},
		{[][]string{{"SETBIT", "k", "1", "1"}}, []string{"SETBIT", "k", "100", "0"}, "setbit:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"BITFIELD", "k", "GET", "u8", "0"}, ""},
		{[][]string{{"SET", "k", "v"}}, []string{"BITFIELD", "k", "SET", "u8", "0", "1"}, "setbit:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u2", "0", "9"}, ""},
		{[][]string{{"SET", "a", "v"}}, []string{"BITOP", "OR", "k", "a"}, "new:k set:k"},
		{[][]string{{"SET", "k", "v"}}, []string{"BITOP", "OR", "k", "none"}, "del:k"},
	} {
		c := newStringTestClient()
		for _, cmd := range tc.setup {
			runString(t, c, cmd...)
		}
		var got []string
		c.Core.Notify = func(class int, event string, key []byte, db int) {
			got = append(got, event+":"+string(key))
		}
		runString(t, c, tc.cmd...)
		if g := strings.Join(got, " "); g != tc.want {
			t.Errorf("%q notifies %q, want %q", tc.cmd, g, tc.want)
		}
	}
}

func TestStringLimits(t *testing.T) {
	c := newStringTestClient()
	c.Core.Limits.ProtoMaxBulkLen = 1 << 20
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"SETBIT", "k", "8388607", "1"}, ":0\r\n"},
		{[]string{"STRLEN", "k"}, ":1048576\r\n"},
		{[]string{"SETBIT", "k", "8388608", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
		{[]string{"GETBIT", "k", "8388608"}, "-ERR bit offset is not an integer or out of range\r\n"},
		{[]string{"BITFIELD", "k2", "SET", "u8", "8388607", "1"}, "*1\r\n:0\r\n"},
		{[]string{"STRLEN", "k2"}, ":1048577\r\n"},
		{[]string{"BITFIELD", "k4", "SET", "i64", "#131072", "1"}, "-ERR bit offset is not an integer or out of range\r\n"},
		{[]string{"SETRANGE", "k5", "1048575", "x"}, ":1048576\r\n"},
		{[]string{"SETRANGE", "k5", "1048575", "xy"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
		{[]string{"APPEND", "k5", "x"}, "-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n"},
		{[]string{"SETRANGE", "big", "599", "x"}, ":600\r\n"},
		{[]string{"LCS", "big", "big", "LEN"}, "-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n"},
	} {
		if got := runString(t, c, tc.args...); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.args, got, tc.want)
		}
	}
}
