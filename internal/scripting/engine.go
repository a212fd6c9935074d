package scripting

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	lua "github.com/yuin/gopher-lua"
	"github.com/yuin/gopher-lua/parse"

	"shoal/internal/resp"
)

// Script flags: a shebang line's (#!lua flags=...) or register_function's,
// as Redis 7.0's SCRIPT_FLAG_*.
const (
	FlagNoWrites uint64 = 1 << iota
	FlagAllowOOM
	FlagAllowStale
	FlagNoCluster
	FlagAllowCrossSlot
	// FlagEvalCompat marks an EVAL script without a shebang: the command's
	// own flags apply, as in Redis 6.
	FlagEvalCompat
)

// FlagNames lists the flags in the order Redis prints them.
var FlagNames = []struct {
	Name string
	Flag uint64
}{
	{"no-writes", FlagNoWrites},
	{"allow-oom", FlagAllowOOM},
	{"allow-stale", FlagAllowStale},
	{"no-cluster", FlagNoCluster},
	{"allow-cross-slot-keys", FlagAllowCrossSlot},
}

// Propagation targets of redis.set_repl (PROPAGATE_AOF, PROPAGATE_REPL).
const (
	ReplAOF     = 1
	ReplReplica = 2
	ReplAll     = ReplAOF | ReplReplica
)

// Log levels of redis.log (LL_*).
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// Run is one execution of a script or function: what redis.call needs to
// know about it (scriptRunCtx).
type Run struct {
	// Name is the script's SHA1 or the function's name, as errors quote it.
	Name string
	// Eval is set for EVAL scripts (as opposed to FCALL functions).
	Eval bool
	// Flags are the script's flags.
	Flags uint64
	// ReadOnly: EVAL_RO/FCALL_RO, or a script declaring no-writes.
	ReadOnly bool
	// Resp is the protocol the commands it calls reply in (redis.setresp).
	Resp int
	// Repl is where its effects propagate (redis.set_repl).
	Repl int
	// WriteDirty: it ran a write command (it can no longer be killed).
	WriteDirty bool
	// Slot is the cluster slot its keys hashed to so far (-1: none).
	Slot int
	// Start is when it started, on the host's monotonic clock (ns).
	Start int64
}

// Host executes commands for scripts: the server.
type Host interface {
	// Call runs argv for the running script r. It returns the reply the
	// command wrote, in protocol r.Resp, or, when the command was refused
	// before running (unknown, not allowed from scripts, read-only script,
	// OOM, cluster), the refusal's text without its "ERR " code.
	Call(r *Run, argv [][]byte) (reply []byte, refused string)
	// Log writes a redis.log line at level.
	Log(level int, msg string)
	// Interrupt is called between instructions of the running script r,
	// every hookInterval of them (Redis's count hook): the host checks
	// busy-reply-threshold and serves other clients meanwhile.
	Interrupt(r *Run)
}

// hookInterval is how many Lua instructions run between Interrupt calls
// (luaMaskCountHook's count).
const hookInterval = 100000

// Script is a compiled EVAL script.
type Script struct {
	// SHA is the SHA1 of Body in lower-case hex.
	SHA   string
	Body  string
	Flags uint64
	fn    *lua.LFunction
}

// Engine is the Lua interpreter of EVAL scripts. It is used under the
// server's executor lock, except Kill, which may be called from the
// goroutine serving clients while a script is busy.
type Engine struct {
	host Host
	L    *lua.LState
	// env is the real global table; genv is the read-only view scripts
	// get as their environment (see sandbox.go).
	env, genv *lua.LTable
	protected map[*lua.LTable]bool
	scripts   map[string]*Script
	// ScriptsMem is what the script bodies hold (used_memory_scripts_eval).
	ScriptsMem int64

	run        *Run
	errHandler *lua.LFunction
	argv       [][]byte
	argBufs    [][]byte

	// kill is closed to stop the running script; the VM polls it.
	kill     chan struct{}
	killMsg  string
	killOnce atomic.Bool
	ticks    int
	rand     uint64
	// afterKill are the cancellations of coroutines' contexts (see
	// killContext.AfterFunc), run when the switch closes.
	afterKill []func()
	runs      uint64

	// loading: a FUNCTION LOAD runs library code, limited to loadTimeout
	// (0: none) from loadStart.
	loading     bool
	loadStart   time.Time
	loadTimeout time.Duration
}

// New makes the EVAL engine.
func New(host Host) *Engine {
	e := &Engine{host: host, rand: lrandInit}
	e.reset()
	return e
}

// reset builds a fresh interpreter (startup, SCRIPT FLUSH).
func (e *Engine) reset() {
	e.L, e.env, e.genv, e.protected = newSandbox(e, true)
	e.errHandler = e.L.NewFunction(e.errorHandler)
	e.scripts = map[string]*Script{}
	e.ScriptsMem = 0
	e.kill = make(chan struct{})
}

// Flush forgets every script and resets the interpreter (SCRIPT FLUSH).
func (e *Engine) Flush() { e.reset() }

// Len is the number of cached scripts.
func (e *Engine) Len() int { return len(e.scripts) }

// Script returns the cached script with sha1 sha (lower case), or nil.
func (e *Engine) Script(sha string) *Script { return e.scripts[sha] }

// ScriptBytes is Script for a SHA1 held in bytes, without allocating.
func (e *Engine) ScriptBytes(sha []byte) *Script { return e.scripts[string(sha)] }

// Memory estimates the interpreter's memory (used_memory_lua).
func (e *Engine) Memory() int64 { return 32*1024 + e.ScriptsMem }

// SHA1Hex is the lower-case hex SHA1 of b.
func SHA1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

// Create compiles body into the cache (EVAL, SCRIPT LOAD) and returns its
// SHA1. On failure it returns the error text ("ERR ..." or another code).
func (e *Engine) Create(body []byte) (sha string, s *Script, errText string) {
	sha = SHA1Hex(body)
	if s = e.scripts[sha]; s != nil {
		return sha, s, ""
	}
	flags, shebangLen, errText := ExtractShebang(body)
	if errText != "" {
		return "", nil, "ERR " + errText
	}
	// The shebang is skipped but its line feed kept, so that line numbers
	// stay the user's.
	fn, err := compile(e.L, string(body[shebangLen:]), "user_script")
	if err != "" {
		return "", nil, "ERR Error compiling script (new function): " + err
	}
	fn.Env = e.genv
	s = &Script{SHA: sha, Body: string(body), Flags: flags, fn: fn}
	e.scripts[sha] = s
	e.ScriptsMem += int64(len(body)) + 40
	return sha, s, ""
}

// ExtractShebang parses a "#!lua flags=..." first line
// (evalExtractShebangFlags). Without one the script is in EVAL
// compatibility mode.
func ExtractShebang(body []byte) (flags uint64, shebangLen int, errText string) {
	if len(body) < 2 || body[0] != '#' || body[1] != '!' {
		return FlagEvalCompat, 0, ""
	}
	end := bytes.IndexByte(body, '\n')
	if end < 0 {
		return 0, 0, "Invalid script shebang"
	}
	parts, err := resp.SplitArgs(body[:end])
	if err != nil || len(parts) == 0 {
		return 0, 0, "Invalid engine in script shebang"
	}
	if string(parts[0]) != "#!lua" {
		return 0, 0, "Unexpected engine in script shebang: " + string(parts[0])
	}
	for _, p := range parts[1:] {
		if !strings.HasPrefix(string(p), "flags=") {
			return 0, 0, "Unknown lua shebang option: " + string(p)
		}
		f, bad := ParseFlags(strings.Split(string(p[6:]), ","))
		if bad != "" {
			return 0, 0, "Unexpected flag in script shebang: " + bad
		}
		flags |= f
	}
	return flags, end, ""
}

// ParseFlags maps flag names to flags; bad is the first unknown name.
// An empty name is allowed (Redis's sdssplitlen of "flags=").
func ParseFlags(names []string) (flags uint64, bad string) {
	for _, n := range names {
		if n == "" && len(names) == 1 {
			continue
		}
		found := false
		for _, f := range FlagNames {
			if f.Name == n {
				flags |= f.Flag
				found = true
				break
			}
		}
		if !found {
			return 0, n
		}
	}
	return flags, ""
}

// compile parses and compiles src as chunk name; err is Lua's message
// ("user_script:1: ... near '...'").
func compile(L *lua.LState, src, name string) (*lua.LFunction, string) {
	if strings.HasPrefix(src, "\x1b") {
		// A binary chunk (string.dump) is parsed as text, as Redis's Lua
		// parses every chunk: ESC is no token.
		return nil, name + ":1: unexpected symbol near 'char(27)'"
	}
	// Lua 5.1's grammar first: gopher-lua also accepts 5.2's goto and
	// labels and escapes Lua refuses, and names errors differently.
	if msg := syntaxCheck(src); msg != "" {
		return nil, name + ":" + msg
	}
	chunk, err := parse.Parse(strings.NewReader(src), name)
	if err != nil {
		return nil, syntaxMessage(name, err, src)
	}
	proto, err := lua.Compile(chunk, name)
	if err != nil {
		return nil, syntaxMessage(name, err, "")
	}
	// PUC Lua's main chunk is vararg without the 5.0 "arg" table
	// (lparser.c sets only VARARG_ISVARARG); gopher-lua would build one
	// on every call.
	proto.IsVarArg &^= lua.VarArgNeedsArg
	return L.NewFunctionFromProto(proto), ""
}

// syntaxMessage turns gopher-lua's "name line:N(column:C) near 'tok':
// msg" into PUC Lua's "name:N: msg near 'tok'".
func syntaxMessage(name string, err error, src string) string {
	msg := err.Error()
	if pe, ok := err.(*parse.Error); ok {
		lines := strings.Split(src, "\n")
		tok := pe.Token
		if tok == "EOF" || tok == "" {
			tok = "<eof>"
		}
		m := pe.Message
		line := pe.Pos.Line
		switch m {
		case "syntax error":
			m = "unexpected symbol"
		case "unterminated string":
			// PUC Lua stops at the line end, before counting it, and
			// quotes the token with its opening quote.
			m = "unfinished string"
			if line != parse.EOF {
				line--
				if line >= 1 && line <= len(lines) {
					l := strings.TrimRight(lines[line-1], "\r")
					if i := len(l) - len(tok) - 1; i >= 0 && strings.HasSuffix(l, tok) {
						tok = l[i:]
					}
				}
			}
		}
		if line == parse.EOF {
			line, tok = len(lines), "<eof>"
		}
		return name + ":" + strconv.Itoa(line) + ": " + m + " near '" + tok + "'"
	}
	if ce, ok := err.(*lua.CompileError); ok {
		return name + ":" + strconv.Itoa(ce.Line) + ": " + ce.Message
	}
	return name + ": " + msg
}

// Kill stops the running script with msg as its error (SCRIPT KILL,
// FUNCTION KILL, a FUNCTION LOAD timeout). Safe from another goroutine.
func (e *Engine) Kill(msg string) {
	if e.killOnce.CompareAndSwap(false, true) {
		e.killMsg = msg
		close(e.kill)
		for _, f := range e.afterKill {
			if f != nil {
				f()
			}
		}
	}
}

// Running returns the running script, or nil.
func (e *Engine) Running() *Run { return e.run }

// Eval runs script s with KEYS and ARGV. The reply goes to w; on error the
// error line ("-ERR ...\r\n") is returned instead, with counted=false when
// the error was already counted in errorstats where it arose (a command's
// error raised by redis.call).
func (e *Engine) Eval(w *resp.Writer, run *Run, s *Script, keys, args [][]byte) (errLine []byte, counted bool) {
	L := e.L
	e.env.RawSetString("KEYS", e.stringArray(keys))
	e.env.RawSetString("ARGV", e.stringArray(args))
	L.Push(s.fn)
	return e.call(L, w, run, 0)
}

// call runs the function on top of L's stack with nargs arguments above it
// and converts its result or error (luaCallFunction).
func (e *Engine) call(L *lua.LState, w *resp.Writer, run *Run, nargs int) (errLine []byte, counted bool) {
	e.run = run
	e.arm()
	err := L.PCall(nargs, 1, e.errHandler)
	e.run = nil
	if err != nil {
		L.SetTop(0)
		return errorReply(err, run)
	}
	v := L.Get(-1)
	L.Pop(1)
	if t, ok := v.(*lua.LTable); ok {
		if s, ok := t.RawGetString("err").(lua.LString); ok {
			// An error table returned by the script is its error reply,
			// counted unless it came from a command through redis.pcall.
			return lineOf(string(s)), t.RawGetString("ignore_error_stats_update") != lua.LTrue
		}
	}
	writeReply(w, v, run.Resp, 0)
	return nil, true
}

// errorReply formats a script's error as Redis's luaCallFunction: the
// error table's err, and " script: <name>, on <source>:<line>." when the
// handler found where it was raised.
func errorReply(err error, run *Run) (reply []byte, counted bool) {
	ae, ok := err.(*lua.ApiError)
	t, isTable := lua.LValue(nil), false
	if ok {
		t = ae.Object
		_, isTable = t.(*lua.LTable)
	}
	if !isTable {
		msg := "execution failure"
		if ok {
			if s, isStr := ae.Object.(lua.LString); isStr {
				msg = string(s)
			}
		}
		if len(msg) > 100 {
			msg = msg[:100]
		}
		return lineOf("ERR Error running script " + run.Name + ", " + msg + " "), true
	}
	tb := t.(*lua.LTable)
	msg := luaString(tb.RawGetString("err"))
	text := msg
	src, line := tb.RawGetString("source"), tb.RawGetString("line")
	if isStringish(src) && isStringish(line) {
		text += " script: " + run.Name + ", on " + luaString(src) + ":" + luaString(line) + "."
	}
	counted = tb.RawGetString("ignore_error_stats_update") != lua.LTrue
	return lineOf(text), counted
}

func isStringish(v lua.LValue) bool {
	switch v.(type) {
	case lua.LString, lua.LNumber:
		return true
	}
	return false
}

// lineOf makes an error reply line from text that carries its own code
// ("WRONGTYPE ...", "ERR ..."): CR and LF become spaces.
func lineOf(text string) []byte {
	b := make([]byte, 0, len(text)+3)
	b = append(b, '-')
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return append(b, '\r', '\n')
}

// errorHandler is Redis's __redis__err__handler: it turns any error into
// an error table and records the source and line of the Lua code that
// raised it (the caller's when a Go function raised it).
func (e *Engine) errorHandler(L *lua.LState) int {
	v := L.Get(1)
	var t *lua.LTable
	if e.killOnce.Load() && e.killMsg != "" {
		t = L.NewTable()
		t.RawSetString("err", lua.LString(e.killMsg))
	} else if tt, ok := v.(*lua.LTable); ok {
		t = tt
	} else {
		t = L.NewTable()
		t.RawSetString("err", lua.LString("ERR "+luaToString(v)))
	}
	for level := 1; level < 4; level++ {
		dbg, ok := L.GetStack(level)
		if !ok {
			break
		}
		if _, err := L.GetInfo("Sl", dbg, lua.LNil); err != nil {
			break
		}
		if dbg.What == "G" {
			continue
		}
		t.RawSetString("source", lua.LString("@"+dbg.Source))
		t.RawSetString("line", lua.LNumber(dbg.CurrentLine))
		break
	}
	L.Push(t)
	return 1
}

// stringArray makes a Lua array of strings (luaCreateArray).
func (e *Engine) stringArray(elems [][]byte) *lua.LTable {
	t := e.L.CreateTable(len(elems), 0)
	for i, b := range elems {
		t.RawSetInt(i+1, lua.LString(b))
	}
	return t
}

// arm readies the kill switch and the hook before a run.
func (e *Engine) arm() {
	if e.killOnce.Load() {
		e.kill = make(chan struct{})
		e.killMsg = ""
		e.killOnce.Store(false)
	}
	e.ticks = 0
	e.runs++
	clear(e.afterKill)
	e.afterKill = e.afterKill[:0]
	e.L.SetContext(killContext{e})
}

// interrupt is the count hook: the FUNCTION LOAD timeout, or the host's
// busy handling.
func (e *Engine) interrupt() {
	if e.loading {
		if e.loadTimeout > 0 && time.Since(e.loadStart) > e.loadTimeout {
			e.Kill("ERR FUNCTION LOAD timeout")
		}
		return
	}
	if e.run != nil {
		e.host.Interrupt(e.run)
	}
}

// killContext is the context the VM polls once per instruction: Done is
// the count hook and returns the engine's kill switch.
type killContext struct{ e *Engine }

func (k killContext) Deadline() (time.Time, bool) { return time.Time{}, false }

func (k killContext) Done() <-chan struct{} {
	e := k.e
	if e.ticks++; e.ticks >= hookInterval {
		e.ticks = 0
		e.interrupt()
	}
	return e.kill
}
func (k killContext) Err() error    { return killError{k.e.killMsg} }
func (k killContext) Value(any) any { return nil }

// AfterFunc lets context.WithCancel (each coroutine's thread derives its
// context from ours) register its cancellation here instead of starting a
// goroutine per coroutine that would wait on the switch forever.
func (k killContext) AfterFunc(f func()) (stop func() bool) {
	e := k.e
	i, run := len(e.afterKill), e.runs
	e.afterKill = append(e.afterKill, f)
	return func() bool {
		if run == e.runs && i < len(e.afterKill) && e.afterKill[i] != nil {
			e.afterKill[i] = nil
			return true
		}
		return false
	}
}

type killError struct{ msg string }

func (k killError) Error() string { return k.msg }
