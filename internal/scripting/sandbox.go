package scripting

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The sandbox, as Redis 7.0's luaRegisterRedisAPI and scriptingInit: the
// base, table, string, math and coroutine libraries without dofile,
// loadfile, print, require and module; cjson, cmsgpack, bit and struct;
// the redis table; and every table reachable from the globals read-only.
//
// gopher-lua has no read-only tables (Redis patches its Lua for them), so
// each protected table is an empty proxy whose metatable reads through to
// the real table and refuses writes; rawset and setmetatable refuse
// proxies; reading an undefined global raises Redis's error.

const (
	errReadonly      = "Attempt to modify a readonly table"
	errNoSuchGlobalF = "Script attempted to access nonexistent global variable '%s'"
)

// sandbox is one interpreter state with its protected globals.
type sandbox struct {
	L         *lua.LState
	env, genv *lua.LTable
	protected map[*lua.LTable]bool
}

// newState opens the libraries Redis loads into a fresh state.
func newState() *lua.LState {
	L := lua.NewState(lua.Options{SkipOpenLibs: true, RegistryMaxSize: 1 << 24, CallStackSize: 1024})
	for _, lib := range []struct {
		name string
		fn   lua.LGFunction
	}{
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
		{lua.StringLibName, lua.OpenString},
		{lua.MathLibName, lua.OpenMath},
		{lua.CoroutineLibName, lua.OpenCoroutine},
	} {
		L.Push(L.NewFunction(lib.fn))
		L.Push(lua.LString(lib.name))
		L.Call(1, 0)
	}
	env := L.G.Global
	for _, n := range []string{"dofile", "loadfile", "print", "module", "require", "_printregs", "_GOPHER_LUA_VERSION"} {
		env.RawSetString(n, lua.LNil)
	}
	env.RawSetString("pcall", L.NewFunction(luaPcall))
	installTypeErrors(L)
	env.RawSetString("loadstring", L.NewFunction(luaLoadstring))
	env.RawSetString("load", L.NewFunction(luaLoad))
	str := env.RawGetString("string").(*lua.LTable)
	str.RawSetString("dump", L.NewFunction(stringDump))
	str.RawSetString("rep", L.NewFunction(stringRep))
	env.RawSetString("tostring", L.NewFunction(luaTostring))
	env.RawSetString("collectgarbage", L.NewFunction(luaCollectGarbage))
	env.RawSetString("gcinfo", L.NewFunction(luaGcinfo))
	env.RawSetString("cjson", openCJSON(L))
	env.RawSetString("cmsgpack", openCmsgpack(L))
	env.RawSetString("bit", openBit(L))
	env.RawSetString("struct", openStruct(L))
	return L
}

// newSandbox makes the EVAL interpreter: libraries, the redis API, and the
// protection of the globals.
func newSandbox(e *Engine, eval bool) (*lua.LState, *lua.LTable, *lua.LTable, map[*lua.LTable]bool) {
	L := newState()
	env := L.G.Global
	env.RawSetString("redis", e.redisTable(L, eval))
	math := env.RawGetString("math").(*lua.LTable)
	math.RawSetString("random", L.NewFunction(e.mathRandom))
	math.RawSetString("randomseed", L.NewFunction(e.mathRandomseed))
	sb := &sandbox{L: L, env: env, protected: map[*lua.LTable]bool{}}
	sb.lockGlobals()
	return L, env, sb.genv, sb.protected
}

// lockGlobals replaces every table reachable from the globals with a
// read-only proxy, makes genv the proxy of the globals and installs the
// checks on rawset and setmetatable.
func (sb *sandbox) lockGlobals() {
	L := sb.L
	env := sb.env
	env.RawSetString("rawset", L.NewFunction(sb.rawset))
	env.RawSetString("setmetatable", L.NewFunction(sb.setmetatable))
	seen := map[*lua.LTable]*lua.LTable{}
	var keys []string
	env.ForEach(func(k, v lua.LValue) {
		if _, ok := v.(*lua.LTable); ok {
			if ks, ok := k.(lua.LString); ok && v != env {
				keys = append(keys, string(ks))
			}
		}
	})
	for _, k := range keys {
		env.RawSetString(k, sb.proxy(env.RawGetString(k).(*lua.LTable), seen))
	}
	// Reading an undefined global is an error (luaSetErrorMetatable).
	emt := L.NewTable()
	emt.RawSetString("__index", L.NewFunction(noSuchGlobal))
	L.SetMetatable(env, emt)
	sb.genv = sb.proxy(env, seen)
	env.RawSetString("_G", sb.genv)
	// Functions compiled by loadstring get the read-only view too.
	L.Env = sb.genv
}

// proxy returns the read-only view of t.
func (sb *sandbox) proxy(t *lua.LTable, seen map[*lua.LTable]*lua.LTable) *lua.LTable {
	if p, ok := seen[t]; ok {
		return p
	}
	L := sb.L
	p := L.NewTable()
	seen[t] = p
	mt := L.NewTable()
	mt.RawSetString("__index", t)
	mt.RawSetString("__newindex", L.NewFunction(readonlyError))
	// getmetatable on a protected table shows a protected table too.
	hidden := L.NewTable()
	hidden.RawSetString("__index", t)
	hp := L.NewTable()
	hmt := L.NewTable()
	hmt.RawSetString("__index", hidden)
	hmt.RawSetString("__newindex", L.NewFunction(readonlyError))
	hmt.RawSetString("__metatable", hp)
	L.SetMetatable(hp, hmt)
	sb.protected[hp] = true
	mt.RawSetString("__metatable", hp)
	L.SetMetatable(p, mt)
	sb.protected[p] = true
	return p
}

func readonlyError(L *lua.LState) int {
	L.RaiseError(errReadonly)
	return 0
}

func noSuchGlobal(L *lua.LState) int {
	L.RaiseError(errNoSuchGlobalF, L.ToString(2))
	return 0
}

// A protected table's rawset and setmetatable fail as Redis's Lua fails
// them, inside the C function: without a position.
func (sb *sandbox) rawset(L *lua.LState) int {
	t := L.CheckTable(1)
	if sb.protected[t] {
		L.Error(lua.LString(errReadonly), 0)
	}
	t.RawSet(L.CheckAny(2), L.CheckAny(3))
	L.Push(t)
	return 1
}

func (sb *sandbox) setmetatable(L *lua.LState) int {
	t := L.CheckTable(1)
	if sb.protected[t] {
		L.Error(lua.LString(errReadonly), 0)
	}
	mt := L.Get(2)
	if _, ok := mt.(*lua.LTable); !ok && mt != lua.LNil {
		argError(L, 2, "setmetatable", "nil or table expected")
	}
	if old, ok := L.GetMetatable(t).(*lua.LTable); ok && old.RawGetString("__metatable") != lua.LNil {
		L.RaiseError("cannot change a protected metatable")
	}
	L.SetMetatable(t, mt)
	L.SetTop(1)
	return 1
}

// luaPcall is Redis's pcall: an error table raised by redis.call comes back
// as its message string, as Lua 5.1 scripts written for Redis 6 expect.
func luaPcall(L *lua.LState) int {
	L.CheckAny(1)
	nargs := L.GetTop() - 1
	if err := L.PCall(nargs, lua.MultRet, nil); err != nil {
		v := lua.LValue(lua.LString(err.Error()))
		if ae, ok := err.(*lua.ApiError); ok {
			v = ae.Object
			if t, ok := v.(*lua.LTable); ok {
				if s, ok := t.RawGetString("err").(lua.LString); ok {
					v = s
				}
			}
		}
		L.SetTop(0)
		L.Push(lua.LFalse)
		L.Push(v)
		return 2
	}
	L.Insert(lua.LTrue, 1)
	return L.GetTop()
}

// luaTostring is tostring with Lua 5.1's number format (%.14g).
func luaTostring(L *lua.LState) int {
	v := L.CheckAny(1)
	L.Push(lua.LString(luaToStringMeta(L, v)))
	return 1
}

func luaToStringMeta(L *lua.LState, v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return formatNumber(float64(n))
	}
	return L.ToStringMeta(v).String()
}

// luaToString converts v as tostring would, without metamethods.
func luaToString(v lua.LValue) string {
	if n, ok := v.(lua.LNumber); ok {
		return formatNumber(float64(n))
	}
	return v.String()
}

// luaString is lua_tostring: strings and numbers, else "".
func luaString(v lua.LValue) string {
	switch x := v.(type) {
	case lua.LString:
		return string(x)
	case lua.LNumber:
		return formatNumber(float64(x))
	}
	return ""
}

// formatNumber formats as Lua 5.1's LUAI_NUMFFORMAT, "%.14g".
func formatNumber(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	if f == math.Trunc(f) && math.Abs(f) < 1e14 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', 14, 64)
}

func luaCollectGarbage(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

func luaGcinfo(L *lua.LState) int {
	L.Push(lua.LNumber(0))
	return 1
}

// argError raises Lua's "bad argument #n to 'fname' (msg)".
func argError(L *lua.LState, n int, fname, msg string) {
	L.RaiseError("bad argument #%d to '%s' (%s)", n, fname, msg)
}

// maxRepBytes bounds the string string.rep may build: 512 MB, the largest
// bulk string a client may send by default (proto-max-bulk-len).
const maxRepBytes = 512 << 20

// stringRep is Lua's string.rep with a bound: past maxRepBytes the script
// gets Lua's allocation error, "not enough memory", instead of the server
// being killed for the memory (gopher-lua's own builds the string whatever
// its size).
func stringRep(L *lua.LState) int {
	s := L.CheckString(1)
	n := L.CheckInt(2)
	if n <= 0 || len(s) == 0 {
		L.Push(lua.LString(""))
		return 1
	}
	if n > maxRepBytes/len(s) {
		L.Error(lua.LString("not enough memory"), 0)
	}
	L.Push(lua.LString(strings.Repeat(s, n)))
	return 1
}
