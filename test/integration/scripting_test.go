package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"shoal/internal/testutil"
)

// TestScriptBusyKill runs a script in an endless loop: past
// busy-reply-threshold other clients get BUSY, SCRIPT KILL ends it, the
// caller gets Redis's error and the server keeps serving. A script that
// wrote cannot be killed; SHUTDOWN NOSAVE stops the server anyway.
func TestScriptBusyKill(t *testing.T) {
	p, addr := startShoal(t, "--busy-reply-threshold", "50")
	runner := testutil.Dial(t, addr)
	other := testutil.Dial(t, addr)

	runner.Send("EVAL", "while true do end", "0")
	testutil.WaitFor(t, 10*time.Second, func() bool {
		return strings.HasPrefix(string(other.Do("PING")), "-BUSY")
	})
	if r := string(other.Do("PING")); r != "-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n" {
		t.Fatalf("PING while busy: %q", r)
	}
	if r := string(other.Do("FUNCTION", "KILL")); !strings.HasPrefix(r, "-BUSY Redis is busy running a script. You can only call SCRIPT KILL") {
		t.Fatalf("FUNCTION KILL of an EVAL: %q", r)
	}
	if r := string(other.Do("SCRIPT", "KILL")); r != "+OK\r\n" {
		t.Fatalf("SCRIPT KILL: %q", r)
	}
	if r := string(runner.ReadReply()); !strings.HasPrefix(r, "-ERR Script killed by user with SCRIPT KILL... script: ") {
		t.Fatalf("killed script's reply: %q", r)
	}
	if r := string(other.Do("PING")); r != "+PONG\r\n" {
		t.Fatalf("PING after kill: %q", r)
	}
	if r := string(runner.Do("SET", "k", "v")); r != "+OK\r\n" {
		t.Fatalf("the caller's connection after the kill: %q", r)
	}
	if r := string(other.Do("SCRIPT", "KILL")); r != "-NOTBUSY No scripts in execution right now.\r\n" {
		t.Fatalf("SCRIPT KILL with nothing running: %q", r)
	}

	// A function is killed by FUNCTION KILL.
	other.Do("FUNCTION", "LOAD", "#!lua name=loop\nredis.register_function('loop', function() while true do end end)")
	runner.Send("FCALL", "loop", "0")
	testutil.WaitFor(t, 10*time.Second, func() bool {
		return strings.HasPrefix(string(other.Do("PING")), "-BUSY Redis is busy running a script. You can only call FUNCTION KILL")
	})
	if r := string(other.Do("FUNCTION", "KILL")); r != "+OK\r\n" {
		t.Fatalf("FUNCTION KILL: %q", r)
	}
	if r := string(runner.ReadReply()); !strings.HasPrefix(r, "-ERR Script killed by user with SCRIPT KILL... script: loop, on @user_function:2.") {
		t.Fatalf("killed function's reply: %q", r)
	}

	// Once it wrote, it cannot be killed; SHUTDOWN NOSAVE still works.
	runner.Send("EVAL", "redis.call('set','x','y') while true do end", "0")
	testutil.WaitFor(t, 10*time.Second, func() bool {
		return strings.HasPrefix(string(other.Do("PING")), "-BUSY")
	})
	if r := string(other.Do("SCRIPT", "KILL")); !strings.HasPrefix(r, "-UNKILLABLE Sorry the script already executed write commands") {
		t.Fatalf("SCRIPT KILL after a write: %q", r)
	}
	if r := string(other.Do("SHUTDOWN")); !strings.HasPrefix(r, "-BUSY") {
		t.Fatalf("SHUTDOWN (saving) while busy: %q", r)
	}
	other.Send("SHUTDOWN", "NOSAVE")
	testutil.WaitFor(t, 10*time.Second, p.Exited)
}

// aofContent returns the concatenated files of an appendonlydir.
func aofContent(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "appendonlydir", "*.aof"))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sb.Write(b)
	}
	return sb.String()
}

// TestScriptAOFEffects checks that a script's writes reach the AOF as the
// commands it ran, wrapped in MULTI/EXEC, never as the script itself, and
// that redis.set_repl(REPL_NONE) keeps them out.
func TestScriptAOFEffects(t *testing.T) {
	dir := t.TempDir()
	n := newShoalNode(t, dir, "--appendonly", "yes", "--appendfsync", "always").start()
	n.ok("EVAL", "redis.call('set', KEYS[1], 'a'); redis.call('incrby', KEYS[2], 5); redis.pcall('incr', KEYS[1]); return redis.call('get', KEYS[1])", "2", "k1", "k2")
	n.ok("EVAL", "return redis.call('set', 'single', '1')", "0")
	n.ok("EVAL", "redis.set_repl(redis.REPL_NONE); redis.call('set', 'hidden', '1'); redis.set_repl(redis.REPL_ALL); redis.call('set', 'shown', '1')", "0")
	n.ok("EVAL", "return redis.call('get', 'k1')", "0")
	n.ok("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function(keys) return redis.call('del', keys[1]) end)")
	n.ok("FCALL", "f", "1", "single")
	aof := aofContent(t, dir)
	if strings.Contains(strings.ToLower(aof), "eval") || strings.Contains(aof, "FCALL") {
		t.Fatalf("the AOF holds a script:\n%q", aof)
	}
	for _, want := range []string{
		"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nset\r\n$2\r\nk1\r\n$1\r\na\r\n*3\r\n$6\r\nincrby\r\n$2\r\nk2\r\n$1\r\n5\r\n*1\r\n$4\r\nEXEC\r\n",
		"*3\r\n$3\r\nset\r\n$6\r\nsingle\r\n$1\r\n1\r\n",
		"*3\r\n$3\r\nset\r\n$5\r\nshown\r\n$1\r\n1\r\n",
		"*2\r\n$3\r\ndel\r\n$6\r\nsingle\r\n",
		"$8\r\nFUNCTION\r\n$4\r\nLOAD\r\n",
	} {
		if !strings.Contains(aof, want) {
			t.Errorf("the AOF lacks %q:\n%q", want, aof)
		}
	}
	if strings.Contains(aof, "hidden") {
		t.Errorf("a write under REPL_NONE reached the AOF:\n%q", aof)
	}
	// The effects replay: after a restart the data and the function are back.
	n.shutdown("NOSAVE")
	n.restart()
	if r := n.do("MGET", "k1", "k2", "single", "hidden", "shown"); r != "*5\r\n$1\r\na\r\n$1\r\n5\r\n$-1\r\n$-1\r\n$1\r\n1\r\n" {
		t.Fatalf("after the AOF replay: %q", r)
	}
	if r := n.do("FCALL", "f", "1", "k2"); r != ":1\r\n" {
		t.Fatalf("FCALL after the AOF replay: %q", r)
	}
	n.shutdown("NOSAVE")
}

// TestFunctionsRestart checks that libraries survive a restart through
// RDB, through an AOF rewritten with and without the RDB preamble.
func TestFunctionsRestart(t *testing.T) {
	lib := "#!lua name=persisted\nredis.register_function{function_name='hi', callback=function(keys, args) return 'hi ' .. args[1] end, flags={'no-writes'}, description='greets'}"
	for _, tc := range []struct {
		name string
		args []string
		save []string
	}{
		{"rdb", nil, []string{"SAVE"}},
		{"aof-preamble", []string{"--appendonly", "yes"}, []string{"BGREWRITEAOF"}},
		{"aof-commands", []string{"--appendonly", "yes", "--aof-use-rdb-preamble", "no"}, []string{"BGREWRITEAOF"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			n := newShoalNode(t, dir, tc.args...).start()
			n.ok("FUNCTION", "LOAD", lib)
			n.ok(tc.save...)
			if tc.save[0] == "BGREWRITEAOF" {
				n.waitRewrite()
			}
			want := n.do("FUNCTION", "LIST", "WITHCODE")
			n.shutdown("NOSAVE")
			n.restart()
			if got := n.do("FUNCTION", "LIST", "WITHCODE"); got != want {
				t.Fatalf("FUNCTION LIST after restart:\n got %q\nwant %q", got, want)
			}
			if r := n.do("FCALL_RO", "hi", "0", "there"); r != "$8\r\nhi there\r\n" {
				t.Fatalf("FCALL_RO after restart: %q", r)
			}
			n.shutdown("NOSAVE")
		})
	}
}

// TestFunctionsCompat moves libraries between shoal-server and
// redis-server 7.0 both ways: FUNCTION DUMP restored by the other, and an
// RDB written by one loaded by the other.
func TestFunctionsCompat(t *testing.T) {
	// One function: Redis lists a library's functions in its hash table's
	// order.
	lib := "#!lua name=moved\nredis.register_function{function_name='moved_f', callback=function(keys, args) return #args end, flags={'no-writes', 'allow-oom'}, description='counts'}"
	for _, d := range compatDirections {
		t.Run(d.name+"/dump", func(t *testing.T) {
			w := d.writer(t, t.TempDir())
			l := d.loader(t, t.TempDir())
			w.start()
			l.start()
			w.ok("FUNCTION", "LOAD", lib)
			payload := replyText([]byte(w.do("FUNCTION", "DUMP")))
			if r := l.do("FUNCTION", "RESTORE", payload); r != "+OK\r\n" {
				t.Fatalf("FUNCTION RESTORE: %q", r)
			}
			if got, want := l.do("FUNCTION", "LIST", "WITHCODE"), w.do("FUNCTION", "LIST", "WITHCODE"); got != want {
				t.Fatalf("FUNCTION LIST:\n got %q\nwant %q", got, want)
			}
			if r := l.do("FCALL", "moved_f", "0", "a", "b"); r != ":2\r\n" {
				t.Fatalf("FCALL: %q", r)
			}
			w.shutdown("NOSAVE")
			l.shutdown("NOSAVE")
		})
		t.Run(d.name+"/rdb", func(t *testing.T) {
			dir := t.TempDir()
			w := d.writer(t, dir)
			l := d.loader(t, dir)
			w.start()
			w.ok("FUNCTION", "LOAD", lib)
			w.ok("SET", "k", "v")
			want := w.do("FUNCTION", "LIST", "WITHCODE")
			w.ok("SAVE")
			w.shutdown("NOSAVE")
			l.start()
			if got := l.do("FUNCTION", "LIST", "WITHCODE"); got != want {
				t.Fatalf("FUNCTION LIST:\n got %q\nwant %q", got, want)
			}
			if r := l.do("FCALL", "moved_f", "0", "a"); r != ":1\r\n" {
				t.Fatalf("FCALL: %q", r)
			}
			l.shutdown("NOSAVE")
		})
	}
}

// tokenBucket takes one token from the bucket KEYS[1] of capacity ARGV[1]
// refilled at ARGV[2] tokens a second; ARGV[3] is the caller's clock (ms).
const tokenBucket = `
local key, cap, rate, now = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local t = redis.call('hmget', key, 'tokens', 'ts')
local tokens, ts = tonumber(t[1]), tonumber(t[2])
if tokens == nil then tokens, ts = cap, now end
tokens = math.min(cap, tokens + (now - ts) * rate / 1000)
local allowed = 0
if tokens >= 1 then tokens = tokens - 1; allowed = 1 end
redis.call('hset', key, 'tokens', tokens, 'ts', now)
return allowed
`

// TestScriptTokenBucket runs a rate limiter from 50 concurrent clients
// through go-redis's Script helper (EVALSHA, falling back to EVAL on
// NOSCRIPT): with no refill exactly the capacity is granted.
func TestScriptTokenBucket(t *testing.T) {
	_, addr := startShoal(t)
	ctx := context.Background()
	for _, proto := range protocols {
		rdb := newClient(t, addr, proto)
		rdb.FlushAll(ctx)
		rdb.ScriptFlush(ctx)
		script := redis.NewScript(tokenBucket)
		const capacity, clients, each = 500, 50, 20
		var mu sync.Mutex
		granted := 0
		var wg sync.WaitGroup
		errs := make(chan error, clients)
		for i := 0; i < clients; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := 0; j < each; j++ {
					n, err := script.Run(ctx, rdb, []string{"bucket"}, capacity, 0, 1000).Int()
					if err != nil {
						errs <- err
						return
					}
					mu.Lock()
					granted += n
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatalf("RESP%d: %v", proto, err)
		}
		if granted != capacity {
			t.Fatalf("RESP%d: %d requests granted of %d, want exactly %d", proto, granted, clients*each, capacity)
		}
		if ok, err := script.Exists(ctx, rdb).Result(); err != nil || !ok[0] {
			t.Fatalf("SCRIPT EXISTS: %v %v", ok, err)
		}
		if _, err := rdb.EvalSha(ctx, "ffffffffffffffffffffffffffffffffffffffff", nil).Result(); err == nil || !strings.HasPrefix(err.Error(), "NOSCRIPT") {
			t.Fatalf("EVALSHA of an unknown script: %v", err)
		}
		v, err := rdb.FCall(ctx, "nosuch", nil).Result()
		if err == nil || err.Error() != "ERR Function not found" {
			t.Fatalf("FCALL nosuch: %v %v", v, err)
		}
	}
}

// TestScriptRedisPyLock runs redis-py's Lock (its acquire, extend and
// release scripts) from Debian's python3-redis against shoal-server.
func TestScriptRedisPyLock(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3")
	}
	if err := exec.Command(py, "-c", "import redis").Run(); err != nil {
		t.Skip("python3-redis is not installed")
	}
	_, addr := startShoal(t)
	host, port, _ := strings.Cut(addr, ":")
	prog := `
import sys, redis
from redis.exceptions import LockNotOwnedError
r = redis.Redis(host=sys.argv[1], port=int(sys.argv[2]))
a = r.lock("res", timeout=10)
b = r.lock("res", timeout=10, blocking=False)
assert a.acquire(blocking=False)
assert not b.acquire(blocking=False)
assert a.owned() and a.locked()
assert a.extend(5)
assert r.pttl("res") > 10000
assert a.reacquire()
a.release()
assert not r.exists("res")
assert b.acquire(blocking=False)
r.set("res", "someone else")
try:
    b.release()
    raise SystemExit("released a lock it does not own")
except LockNotOwnedError:
    pass
assert r.get("res") == b"someone else"
print("ok")
`
	out, err := exec.Command(py, "-c", prog, host, port).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok" {
		t.Fatalf("redis-py Lock: %v\n%s", err, out)
	}
}

// TestScriptStats checks INFO commandstats and errorstats as Redis counts
// scripts: the commands a script calls are counted as theirs, an error a
// script raises from redis.call is counted once.
func TestScriptStats(t *testing.T) {
	_, addr := startShoal(t)
	c := testutil.Dial(t, addr)
	c.Do("CONFIG", "RESETSTAT")
	c.Do("SET", "s", "x")
	c.Do("EVAL", "redis.pcall('incr', KEYS[1]); return 1", "1", "s")
	c.Do("EVAL", "return redis.call('incr', KEYS[1])", "1", "s")
	c.Do("EVAL", "return redis.call('nosuch')", "0")
	info := string(c.Do("INFO", "commandstats"))
	for _, want := range []string{"cmdstat_incr:calls=2,", "rejected_calls=0,failed_calls=2", "cmdstat_eval:calls=3,"} {
		if !strings.Contains(info, want) {
			t.Errorf("INFO commandstats lacks %q:\n%s", want, info)
		}
	}
	errs := string(c.Do("INFO", "errorstats"))
	if !strings.Contains(errs, "errorstat_ERR:count=3") {
		t.Errorf("INFO errorstats:\n%s", errs)
	}
	mem := string(c.Do("INFO", "memory"))
	if !strings.Contains(mem, "number_of_cached_scripts:3") {
		t.Errorf("INFO memory:\n%s", mem)
	}
}

// TestScriptSetReplTargets runs a script that switches redis.set_repl
// between every target on a Shoal master with an AOF and two replicas, one
// Shoal and one redis-server: each write reaches exactly the targets its
// flags name (REPL_ALL both, REPL_AOF the AOF only, REPL_REPLICA and its
// alias REPL_SLAVE the replicas only, REPL_NONE neither), and the master
// itself has them all.
func TestScriptSetReplTargets(t *testing.T) {
	dir := t.TempDir()
	m := startRNode(t, "shoal", "--dir", dir, "--appendonly", "yes", "--appendfsync", "always")
	replicas := []*rnode{startRNode(t, "shoal"), startRNode(t, "redis")}
	for _, r := range replicas {
		r.replicaof(t, m)
		waitInSync(t, m, r)
	}
	script := `redis.call('set', 'all', '1')
redis.set_repl(redis.REPL_NONE); redis.call('set', 'none', '1')
redis.set_repl(redis.REPL_AOF); redis.call('set', 'aof', '1')
redis.set_repl(redis.REPL_REPLICA); redis.call('set', 'replica', '1')
redis.set_repl(redis.REPL_SLAVE); redis.call('set', 'slave', '1')
redis.set_repl(redis.REPL_ALL); redis.call('set', 'all2', '1')`
	if r := m.do("EVAL", script, "0"); r != "(nil)" {
		t.Fatalf("EVAL: %q", r)
	}
	// A script whose only write is for the AOF sends the replicas nothing.
	m.do("EVAL", "redis.set_repl(redis.REPL_AOF); redis.call('set', 'aofonly', '1')", "0")
	m.do("SET", "fence", "1")
	keys := []string{"MGET", "all", "none", "aof", "replica", "slave", "all2", "aofonly", "fence"}
	if got, want := strings.Join(replyList(t, m.c.Do(keys...)), " "), "1 1 1 1 1 1 1 1"; got != want {
		t.Fatalf("master: %s, want %s", got, want)
	}
	for _, r := range replicas {
		if !testutil.Poll(10*time.Second, func() bool { return r.do("GET", "fence") == "1" }) {
			t.Fatalf("%s replica never got the fence:\n%s", r.kind, r.proc.Output())
		}
		if got, want := strings.Join(replyList(t, r.c.Do(keys...)), " "), "1 (nil) (nil) 1 1 1 (nil) 1"; got != want {
			t.Errorf("%s replica: %s, want %s", r.kind, got, want)
		}
	}
	aof := aofContent(t, dir)
	for _, k := range []string{"all", "aof", "all2", "aofonly", "fence"} {
		if !strings.Contains(aof, "$"+strconv.Itoa(len(k))+"\r\n"+k+"\r\n") {
			t.Errorf("the AOF lacks %s:\n%q", k, aof)
		}
	}
	for _, k := range []string{"none", "replica", "slave"} {
		if strings.Contains(aof, "\r\n"+k+"\r\n") {
			t.Errorf("the AOF holds %s:\n%q", k, aof)
		}
	}
}

// TestScriptOnReplica compares a Shoal replica's answers to scripts with a
// redis-server replica's, byte for byte: writes refused on a read-only
// replica (before the script runs for a script with flags, at the first
// write for one without), then on a stale replica the MASTERDOWN refusals
// and allow-stale.
func TestScriptOnReplica(t *testing.T) {
	m := startRNode(t, "shoal")
	replicas := []*rnode{startRNode(t, "shoal"), startRNode(t, "redis")}
	lib := "#!lua name=lib\n" +
		"redis.register_function('w', function() return redis.call('set', 'x', '1') end)\n" +
		"redis.register_function{function_name='r', callback=function() return redis.call('get', 'x') end, flags={'no-writes'}}\n" +
		"redis.register_function{function_name='sr', callback=function() return redis.call('get', 'x') end, flags={'no-writes', 'allow-stale'}}\n" +
		"redis.register_function{function_name='sp', callback=function() return redis.call('ping') end, flags={'no-writes', 'allow-stale'}}"
	if r := m.do("FUNCTION", "LOAD", lib); r != "lib" {
		t.Fatalf("FUNCTION LOAD: %q", r)
	}
	m.do("SET", "x", "v")
	for _, r := range replicas {
		r.replicaof(t, m)
		waitInSync(t, m, r)
	}
	runs := [][]string{
		{"FCALL", "w", "0"},
		{"FCALL", "r", "0"},
		{"FCALL_RO", "r", "0"},
		{"EVAL", "return redis.call('set', 'x', '2')", "0"},
		{"EVAL", "return redis.pcall('set', 'x', '2')", "0"},
		{"EVAL", "#!lua\nreturn redis.call('set', 'x', '2')", "0"},
		{"EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'x')", "0"},
		{"EVAL", "return redis.call('get', 'x')", "0"},
	}
	compare := func(stage string) {
		for _, run := range runs {
			want, got := string(replicas[1].c.Do(run...)), string(replicas[0].c.Do(run...))
			if got != want {
				t.Errorf("%s %q: Shoal %q, Redis %q", stage, run, got, want)
			}
		}
	}
	compare("read-only replica")
	for _, r := range replicas {
		r.do("CONFIG", "SET", "replica-serve-stale-data", "no")
		r.do("REPLICAOF", "127.0.0.1", strconv.Itoa(testutil.FreePort(t)))
	}
	runs = append(runs, []string{"FCALL", "sr", "0"}, []string{"FCALL", "sp", "0"},
		[]string{"EVAL", "#!lua flags=no-writes,allow-stale\nreturn redis.call('get', 'x')", "0"},
		[]string{"EVAL_RO", "return 1", "0"}, []string{"EVALSHA", "abc", "0"})
	compare("stale replica")
}
