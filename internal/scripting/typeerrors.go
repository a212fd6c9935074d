package scripting

import (
	"math"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's type errors for nil, booleans and numbers. gopher-lua raises
// its own texts when such a value is called, indexed, or an operand of
// arithmetic, concatenation or the length operator ("attempt to call a
// non-function object", "cannot perform add operation between nil and
// number", "__len undefined"), but it looks for a metamethod first, in a
// metatable per type. Those metatables raise what luaG_typeerror raises
// when it cannot name the value ("attempt to call a nil value"); Lua names
// locals, globals, fields and methods ("attempt to call local 'f' (a nil
// value)"), which objname.go does for calls and indexing when the line
// tells the failing instruction.
// getmetatable still answers nil for these types (luaGetmetatable).

// typeErrorTypes are the types given a type-error metatable.
var typeErrorTypes = []lua.LValue{lua.LNil, lua.LFalse, lua.LNumber(0)}

func installTypeErrors(L *lua.LState) {
	mt := L.NewTable()
	set := func(event string, fn lua.LGFunction) { mt.RawSetString(event, L.NewFunction(fn)) }
	set("__call", func(L *lua.LState) int { return namedTypeError(L, L.Get(1), "call", lua.LNil) })
	index := func(L *lua.LState) int { return namedTypeError(L, L.Get(1), "index", L.Get(2)) }
	set("__index", index)
	set("__newindex", index)
	for ev, op := range arithOps {
		set(ev, func(L *lua.LState) int {
			a, b := L.Get(1), L.Get(2)
			x, xok := toNumber(a)
			y, yok := toNumber(b)
			if xok && yok {
				// A numeric string operand: gopher-lua asks for the
				// metamethod before it converts, Lua converts.
				L.Push(lua.LNumber(op(x, y)))
				return 1
			}
			// luaG_aritherror: the first operand that is not a number
			// or a string convertible to one.
			if xok {
				a = b
			}
			return typeError(L, a, "perform arithmetic on")
		})
	}
	concat := L.NewFunction(func(L *lua.LState) int {
		// luaG_concaterror: the first operand that is not a string or
		// a number.
		v := L.Get(1)
		switch v.(type) {
		case lua.LString, lua.LNumber:
			v = L.Get(2)
		}
		return typeError(L, v, "concatenate")
	})
	mt.RawSetString("__concat", concat)
	// A table concatenated with a string finds this one on the string.
	if smt, ok := L.GetMetatable(lua.LString("")).(*lua.LTable); ok {
		smt.RawSetString("__concat", concat)
	}
	set("__len", func(L *lua.LState) int { return typeError(L, L.Get(1), "get length of") })
	for _, v := range typeErrorTypes {
		L.SetMetatable(v, mt)
	}
	base := L.G.Global.RawGetString("getmetatable")
	L.G.Global.RawSetString("getmetatable", L.NewFunction(func(L *lua.LState) int {
		switch L.CheckAny(1).(type) {
		case *lua.LNilType, lua.LBool, lua.LNumber:
			L.Push(lua.LNil)
			return 1
		}
		L.Push(base)
		L.Push(L.Get(1))
		L.Call(1, 1)
		return 1
	}))
}

// namedTypeError raises luaG_typeerror's message, naming the value when
// failingName can (objname.go).
func namedTypeError(L *lua.LState, v lua.LValue, op string, key lua.LValue) int {
	if kind, name := failingName(L, op, key); name != "" {
		L.RaiseError("attempt to %s %s '%s' (a %s value)", op, kind, name, v.Type().String())
		return 0
	}
	return typeError(L, v, op)
}

// typeError raises luaG_typeerror's message for an unnamed value.
func typeError(L *lua.LState, v lua.LValue, op string) int {
	L.RaiseError("attempt to %s a %s value", op, v.Type().String())
	return 0
}

// arithOps are Lua 5.1's arithmetic operators by metamethod (luaO_arith);
// __unm gets its operand twice.
var arithOps = map[string]func(a, b float64) float64{
	"__add": func(a, b float64) float64 { return a + b },
	"__sub": func(a, b float64) float64 { return a - b },
	"__mul": func(a, b float64) float64 { return a * b },
	"__div": func(a, b float64) float64 { return a / b },
	"__mod": func(a, b float64) float64 { return a - math.Floor(a/b)*b },
	"__pow": math.Pow,
	"__unm": func(a, _ float64) float64 { return -a },
}

// toNumber is lua_tonumber: numbers, and strings that convert to one.
func toNumber(v lua.LValue) (float64, bool) {
	switch x := v.(type) {
	case lua.LNumber:
		return float64(x), true
	case lua.LString:
		t := strings.TrimSpace(string(x))
		if f, err := strconv.ParseFloat(t, 64); err == nil {
			return f, true
		}
		if strings.HasPrefix(t, "0x") || strings.HasPrefix(t, "0X") {
			if n, err := strconv.ParseUint(t[2:], 16, 64); err == nil {
				return float64(n), true
			}
		}
	}
	return 0, false
}
