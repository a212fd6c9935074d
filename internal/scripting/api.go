package scripting

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// RedisVersion is what redis.REDIS_VERSION and REDIS_VERSION_NUM report.
const (
	RedisVersion    = "7.0.15"
	RedisVersionNum = 0x0007000f
)

// redisTable builds the redis API table (luaRegisterRedisAPI).
func (e *Engine) redisTable(L *lua.LState, eval bool) *lua.LTable {
	t := L.NewTable()
	set := func(name string, fn lua.LGFunction) { t.RawSetString(name, L.NewFunction(fn)) }
	set("call", func(L *lua.LState) int { return e.redisCall(L, true) })
	set("pcall", func(L *lua.LState) int { return e.redisCall(L, false) })
	registerCommon(L, t, e.host)
	set("setresp", e.setResp)
	set("set_repl", e.setRepl)
	set("acl_check_cmd", e.aclCheckCmd)
	if eval {
		set("breakpoint", func(L *lua.LState) int { L.Push(lua.LFalse); return 1 })
		set("debug", func(L *lua.LState) int { return 0 })
		set("replicate_commands", func(L *lua.LState) int { L.Push(lua.LTrue); return 1 })
	}
	t.RawSetString("REPL_NONE", lua.LNumber(0))
	t.RawSetString("REPL_AOF", lua.LNumber(ReplAOF))
	t.RawSetString("REPL_SLAVE", lua.LNumber(ReplReplica))
	t.RawSetString("REPL_REPLICA", lua.LNumber(ReplReplica))
	t.RawSetString("REPL_ALL", lua.LNumber(ReplAll))
	return t
}

// registerCommon adds what every redis table has, the library-loading one
// of FUNCTION LOAD included: log and its levels, versions, sha1hex,
// error_reply, status_reply.
func registerCommon(L *lua.LState, t *lua.LTable, host Host) {
	t.RawSetString("log", L.NewFunction(func(L *lua.LState) int { return luaLog(L, host) }))
	t.RawSetString("LOG_DEBUG", lua.LNumber(LogDebug))
	t.RawSetString("LOG_VERBOSE", lua.LNumber(LogVerbose))
	t.RawSetString("LOG_NOTICE", lua.LNumber(LogNotice))
	t.RawSetString("LOG_WARNING", lua.LNumber(LogWarning))
	t.RawSetString("REDIS_VERSION_NUM", lua.LNumber(RedisVersionNum))
	t.RawSetString("REDIS_VERSION", lua.LString(RedisVersion))
	t.RawSetString("sha1hex", L.NewFunction(luaSha1hex))
	t.RawSetString("error_reply", L.NewFunction(luaErrorReply))
	t.RawSetString("status_reply", L.NewFunction(luaStatusReply))
}

// pushError pushes the error table for text (luaPushErrorBuff): "-CODE
// msg" keeps its code, anything else gets ERR.
func pushError(L *lua.LState, text string, ignoreStats bool) {
	L.Push(errorTable(L, text, ignoreStats))
}

// errorTable is the table pushError pushes.
func errorTable(L *lua.LState, text string, ignoreStats bool) *lua.LTable {
	var code, msg string
	if strings.HasPrefix(text, "-") {
		if i := strings.IndexByte(text, ' '); i < 0 {
			code, msg = "ERR", text[1:]
		} else {
			code, msg = text[1:i], text[i+1:]
		}
	} else {
		code, msg = "ERR", text
	}
	msg = strings.Trim(msg, "\r\n")
	t := L.NewTable()
	t.RawSetString("err", lua.LString(code+" "+msg))
	if ignoreStats {
		t.RawSetString("ignore_error_stats_update", lua.LTrue)
	}
	return t
}

// raise raises the value on top of the stack as the error.
func raise(L *lua.LState) int {
	L.Error(L.Get(-1), 1)
	return 0
}

// redisCall is redis.call (raise) and redis.pcall (luaRedisGenericCommand).
func (e *Engine) redisCall(L *lua.LState, raiseErr bool) int {
	run := e.run
	if run == nil {
		pushError(L, "redis.call/pcall can only be called inside a script invocation", false)
		return raise(L)
	}
	argc := L.GetTop()
	if argc == 0 {
		pushError(L, "Please specify at least one argument for this redis lib call", false)
		if raiseErr {
			return raise(L)
		}
		return 1
	}
	argv, ok := e.luaArgs(L, argc)
	L.SetTop(0)
	if !ok {
		pushError(L, "Lua redis lib command arguments must be strings or integers", false)
		if raiseErr {
			return raise(L)
		}
		return 1
	}
	reply, refused := e.host.Call(run, argv)
	if refused != "" {
		pushError(L, refused, true)
		if raiseErr {
			return raise(L)
		}
		return 1
	}
	v, _ := parseReply(L, reply, 0)
	L.Push(v)
	if raiseErr && len(reply) > 0 && reply[0] == '-' {
		return raise(L)
	}
	return 1
}

// luaArgs converts the arguments on the stack to argv (luaArgsToRedisArgv):
// numbers as "%.17g", strings as they are, anything else refused. The
// buffers are reused across calls; commands copy what they keep.
func (e *Engine) luaArgs(L *lua.LState, argc int) ([][]byte, bool) {
	for len(e.argBufs) < argc {
		e.argBufs = append(e.argBufs, nil)
	}
	argv := e.argv[:0]
	for i := 1; i <= argc; i++ {
		b := e.argBufs[i-1][:0]
		switch v := L.Get(i).(type) {
		case lua.LString:
			b = append(b, v...)
		case lua.LNumber:
			b = appendG17(b, float64(v))
		default:
			return nil, false
		}
		e.argBufs[i-1] = b
		argv = append(argv, b)
	}
	e.argv = argv
	return argv, true
}

// appendG17 formats f as C's "%.17g".
func appendG17(b []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(b, "inf"...)
	case math.IsInf(f, -1):
		return append(b, "-inf"...)
	case math.IsNaN(f):
		return append(b, "nan"...)
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e17 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', 17, 64)
}

func luaSha1hex(L *lua.LState) int {
	if L.GetTop() != 1 {
		pushError(L, "wrong number of arguments", false)
		return raise(L)
	}
	s := luaString(L.Get(1))
	L.Push(lua.LString(SHA1Hex([]byte(s))))
	return 1
}

func luaErrorReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		pushError(L, "wrong number or type of arguments", false)
		return 1
	}
	text := string(s)
	if !strings.HasPrefix(text, "-") {
		text = "-" + text
	}
	pushError(L, text, false)
	return 1
}

func luaStatusReply(L *lua.LState) int {
	s, ok := L.Get(1).(lua.LString)
	if L.GetTop() != 1 || !ok {
		pushError(L, "wrong number or type of arguments", false)
		return 1
	}
	t := L.NewTable()
	t.RawSetString("ok", s)
	L.Push(t)
	return 1
}

func luaLog(L *lua.LState, host Host) int {
	argc := L.GetTop()
	if argc < 2 {
		pushError(L, "redis.log() requires two arguments or more.", false)
		return raise(L)
	}
	lv, ok := L.Get(1).(lua.LNumber)
	if !ok {
		if s, isStr := L.Get(1).(lua.LString); isStr {
			f, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64)
			ok, lv = err == nil, lua.LNumber(f)
		}
	}
	if !ok {
		pushError(L, "First argument must be a number (log level).", false)
		return raise(L)
	}
	level := int(lv)
	if level < LogDebug || level > LogWarning {
		pushError(L, "Invalid debug level.", false)
		return raise(L)
	}
	var sb strings.Builder
	for i := 2; i <= argc; i++ {
		v := L.Get(i)
		if _, ok := v.(lua.LString); !ok {
			if _, ok := v.(lua.LNumber); !ok {
				continue
			}
		}
		if i != 2 {
			sb.WriteByte(' ')
		}
		sb.WriteString(luaString(v))
	}
	host.Log(level, sb.String())
	return 0
}

func (e *Engine) setResp(L *lua.LState) int {
	if e.run == nil {
		pushError(L, "redis.setresp can only be called inside a script invocation", false)
		return raise(L)
	}
	if L.GetTop() != 1 {
		pushError(L, "redis.setresp() requires one argument.", false)
		return raise(L)
	}
	n := int(L.ToNumber(1))
	if n != 2 && n != 3 {
		pushError(L, "RESP version must be 2 or 3.", false)
		return raise(L)
	}
	e.run.Resp = n
	return 0
}

func (e *Engine) setRepl(L *lua.LState) int {
	if e.run == nil {
		pushError(L, "redis.set_repl can only be called inside a script invocation", false)
		return raise(L)
	}
	if L.GetTop() != 1 {
		pushError(L, "redis.set_repl() requires two arguments.", false)
		return raise(L)
	}
	flags := int(L.ToNumber(1))
	if flags&^ReplAll != 0 {
		pushError(L, "Invalid replication flags. Use REPL_AOF, REPL_REPLICA, REPL_ALL or REPL_NONE.", false)
		return raise(L)
	}
	e.run.Repl = flags
	return 0
}

// aclCheckCmd is redis.acl_check_cmd: Shoal has only the default user,
// who may run every command, so any known command is permitted.
func (e *Engine) aclCheckCmd(L *lua.LState) int {
	if e.run == nil {
		pushError(L, "redis.acl_check_cmd can only be called inside a script invocation", false)
		return raise(L)
	}
	argc := L.GetTop()
	if argc == 0 {
		pushError(L, "Please specify at least one argument for this redis lib call", false)
		return raise(L)
	}
	argv, ok := e.luaArgs(L, argc)
	if !ok {
		pushError(L, "Lua redis lib command arguments must be strings or integers", false)
		return raise(L)
	}
	if checker, ok := e.host.(interface{ KnownCommand([][]byte) bool }); ok && !checker.KnownCommand(argv) {
		pushError(L, "Invalid command passed to redis.acl_check_cmd()", false)
		return raise(L)
	}
	L.Push(lua.LTrue)
	return 1
}

// mathRandom is Redis's math.random on its own lrand48, the same sequence
// on every platform.
func (e *Engine) mathRandom(L *lua.LState) int {
	var r uint64
	e.rand, r = lrand48(e.rand)
	f := float64(r%lrandMax) / float64(lrandMax)
	switch L.GetTop() {
	case 0:
		L.Push(lua.LNumber(f))
	case 1:
		u := checkInt(L, 1)
		if u < 1 {
			argError(L, 1, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(f*float64(u)) + 1))
	case 2:
		l, u := checkInt(L, 1), checkInt(L, 2)
		if l > u {
			argError(L, 2, "random", "interval is empty")
		}
		L.Push(lua.LNumber(math.Floor(f*float64(u-l+1)) + float64(l)))
	default:
		L.RaiseError("wrong number of arguments")
	}
	return 1
}

func (e *Engine) mathRandomseed(L *lua.LState) int {
	e.rand = lrandSeed(int32(checkInt(L, 1)))
	return 0
}

// lrand48 as Redis's rand.c: a 48-bit linear congruential generator.
const (
	lrandMax  = 1<<31 - 1
	lrandInit = 0x1234ABCD330E
)

func lrandSeed(seed int32) uint64 {
	return (uint64(uint32(seed))<<16 | 0x330E) & (1<<48 - 1)
}

func lrand48(x uint64) (next, r uint64) {
	next = (x*0x5DEECE66D + 0xB) & (1<<48 - 1)
	return next, next >> 17
}

// checkInt is luaL_checkint: a number, or a string that converts to one.
func checkInt(L *lua.LState, i int) int {
	if s, ok := L.Get(i).(lua.LString); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(string(s)), 64); err == nil {
			return int(f)
		}
	}
	return int(L.CheckNumber(i))
}
