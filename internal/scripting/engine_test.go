package scripting

import (
	"runtime"
	"testing"

	"shoal/internal/resp"
)

// fakeHost answers every command with the reply it was given for the
// command's name, and "Unknown Redis command called from script" else.
type fakeHost struct {
	replies map[string]string
	calls   [][]string
}

func (h *fakeHost) Call(r *Run, argv [][]byte) ([]byte, string) {
	var c []string
	for _, a := range argv {
		c = append(c, string(a))
	}
	h.calls = append(h.calls, c)
	rep, ok := h.replies[string(argv[0])]
	if !ok {
		return nil, "Unknown Redis command called from script"
	}
	return []byte(rep), ""
}

func (h *fakeHost) Log(level int, msg string) {}

func (h *fakeHost) Interrupt(r *Run) {}

func evalString(t *testing.T, e *Engine, body string, proto int, keys ...string) string {
	t.Helper()
	_, s, errText := e.Create([]byte(body))
	if errText != "" {
		return "-" + errText + "\r\n"
	}
	var kb [][]byte
	for _, k := range keys {
		kb = append(kb, []byte(k))
	}
	w := &resp.Writer{Proto: proto}
	run := &Run{Name: SHA1Hex([]byte(body)), Eval: true, Resp: 2, Repl: ReplAll}
	if errLine, _ := e.Eval(w, run, s, kb, nil); errLine != nil {
		return string(errLine)
	}
	return string(w.B)
}

func TestEval(t *testing.T) {
	h := &fakeHost{replies: map[string]string{
		"get":   "$3\r\nbar\r\n",
		"incr":  ":5\r\n",
		"set":   "+OK\r\n",
		"lpush": "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n",
		"hello": "%1\r\n+a\r\n,1.5\r\n",
	}}
	e := New(h)
	sha := func(b string) string { return SHA1Hex([]byte(b)) }
	for _, tc := range []struct {
		body  string
		proto int
		want  string
	}{
		{"return 1", 2, ":1\r\n"},
		{"return 'x'", 2, "$1\r\nx\r\n"},
		{"return {1,2,'a',{ok='x'}}", 2, "*4\r\n:1\r\n:2\r\n$1\r\na\r\n+x\r\n"},
		{"return true", 2, ":1\r\n"},
		{"return false", 2, "$-1\r\n"},
		{"return false", 3, "_\r\n"},
		{"return 3.99", 2, ":3\r\n"},
		{"return {err='My Error'}", 2, "-My Error\r\n"},
		{"return redis.error_reply('My Error')", 2, "-My Error\r\n"},
		{"return redis.status_reply('Fine')", 2, "+Fine\r\n"},
		{"return redis.call('get', KEYS[1])", 2, "$3\r\nbar\r\n"},
		{"return redis.call('incr', 'x')", 2, ":5\r\n"},
		{"return a", 2, "-ERR user_script:1: Script attempted to access nonexistent global variable 'a' script: " + sha("return a") + ", on @user_script:1.\r\n"},
		{"x = 1", 2, "-ERR user_script:1: Attempt to modify a readonly table script: " + sha("x = 1") + ", on @user_script:1.\r\n"},
		{"return redis.call('nosuch')", 2, "-ERR Unknown Redis command called from script script: " + sha("return redis.call('nosuch')") + ", on @user_script:1.\r\n"},
		{"return redis.pcall('nosuch')", 2, "-ERR Unknown Redis command called from script\r\n"},
		{"return redis.call('lpush','x','y')", 2, "-WRONGTYPE Operation against a key holding the wrong kind of value script: " + sha("return redis.call('lpush','x','y')") + ", on @user_script:1.\r\n"},
		{"\nerror('boom')", 2, "-ERR user_script:2: boom script: " + sha("\nerror('boom')") + ", on @user_script:2.\r\n"},
		{"return 1 +", 2, "-ERR Error compiling script (new function): user_script:1: unexpected symbol near '<eof>'\r\n"},
		{"redis.setresp(3); return redis.call('hello')", 3, "%1\r\n+a\r\n,1.5\r\n"},
		{"redis.setresp(3); return redis.call('hello')", 2, "*2\r\n+a\r\n$3\r\n1.5\r\n"},
		{"return pcall(function() redis.call('nosuch') end)", 2, "$-1\r\n"},
		{"local ok, e = pcall(function() redis.call('nosuch') end); return e", 2, "$44\r\nERR Unknown Redis command called from script\r\n"},
		{"redis.call = 1", 2, "-ERR user_script:1: Attempt to modify a readonly table script: " + sha("redis.call = 1") + ", on @user_script:1.\r\n"},
		{"return cjson.encode({1,2,{a='x/y'}})", 2, "$18\r\n[1,2,{\"a\":\"x\\/y\"}]\r\n"},
		{"return cjson.decode('[1,2,\"a\"]')", 2, "*3\r\n:1\r\n:2\r\n$1\r\na\r\n"},
		{"return cmsgpack.unpack(cmsgpack.pack({1,2,300}))", 2, "*3\r\n:1\r\n:2\r\n:300\r\n"},
		{"return bit.tohex(bit.band(0xff, 0x0f))", 2, "$8\r\n0000000f\r\n"},
		{"return {struct.unpack('>I2', struct.pack('>I2', 258))}", 2, "*2\r\n:258\r\n:3\r\n"},
		{"return tostring(0.1+0.2)", 2, "$3\r\n0.3\r\n"},
		{"return string.rep('ab', 3)", 2, "$6\r\nababab\r\n"},
		{"return string.rep('ab', -1)", 2, "$0\r\n\r\n"},
		{"local ok, e = pcall(string.rep, 'x', 1e10); return {tostring(ok), e}", 2, "*2\r\n$5\r\nfalse\r\n$17\r\nnot enough memory\r\n"},
		{"#!lua flags=no-writes\nreturn 1", 2, ":1\r\n"},
		{"#!lua flags=bad\nreturn 1", 2, "-ERR Unexpected flag in script shebang: bad\r\n"},
		{"#!python\nreturn 1", 2, "-ERR Unexpected engine in script shebang: #!python\r\n"},
		{"loadfile('x')", 2, "-ERR user_script:1: Script attempted to access nonexistent global variable 'loadfile' script: " + sha("loadfile('x')") + ", on @user_script:1.\r\n"},
		{"setmetatable(_G, {})", 2, "-ERR Attempt to modify a readonly table script: " + sha("setmetatable(_G, {})") + ", on @user_script:1.\r\n"},
		{"local g = getmetatable(_G); g.__index = {}", 2, "-ERR user_script:1: Attempt to modify a readonly table script: " + sha("local g = getmetatable(_G); g.__index = {}") + ", on @user_script:1.\r\n"},
	} {
		if got := evalString(t, e, tc.body, tc.proto, "foo"); got != tc.want {
			t.Errorf("%q (RESP%d):\n got %q\nwant %q", tc.body, tc.proto, got, tc.want)
		}
	}
}

// TestCoroutinesNoGoroutines checks that coroutines a script creates do not
// leave goroutines behind (their contexts derive from the kill switch).
func TestCoroutinesNoGoroutines(t *testing.T) {
	e := New(&fakeHost{})
	before := runtime.NumGoroutine()
	for i := 0; i < 50; i++ {
		got := evalString(t, e, "local co = coroutine.create(function(a) coroutine.yield(a+1) return 7 end); local _, x = coroutine.resume(co, 1); local _, y = coroutine.resume(co); return {x, y}", 2)
		if got != "*2\r\n:2\r\n:7\r\n" {
			t.Fatalf("coroutines: %q", got)
		}
	}
	if after := runtime.NumGoroutine(); after > before+2 {
		t.Fatalf("goroutines: %d before, %d after 50 scripts with a coroutine", before, after)
	}
}
