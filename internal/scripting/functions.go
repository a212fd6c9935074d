package scripting

import (
	"sort"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"shoal/internal/resp"
)

// FUNCTION libraries (functions.c, function_lua.c): one interpreter state
// for every library; a library's code runs once at load with only the
// library API visible (redis.register_function, redis.log, versions), its
// functions later run with the runtime API and get KEYS and ARGV as
// arguments.

// Library is a loaded library.
type Library struct {
	Name      string
	Code      string
	Functions map[string]*Function
}

// Function is a registered function.
type Function struct {
	Name  string
	Desc  string
	Flags uint64
	Lib   *Library
	fn    *lua.LFunction
}

// Functions is the function engine and the loaded libraries.
type Functions struct {
	host Host
	L    *lua.LState
	// genvMeta is the metatable of the libraries' global view: its
	// __index is the runtime globals, or the library API during a load.
	genv, genvMeta *lua.LTable
	runtime        *lua.LTable
	loadAPI        *lua.LTable
	errHandler     *lua.LFunction
	eng            *Engine

	libs  map[string]*Library
	funcs map[string]*Function
	// loading is the library being loaded (register_function's target).
	loading *Library
}

// NewFunctions makes the function engine.
func NewFunctions(host Host) *Functions {
	f := &Functions{host: host, libs: map[string]*Library{}, funcs: map[string]*Function{}}
	// The runtime side is an engine of its own (redis.call and the run
	// state), without the EVAL-only redis.breakpoint/debug.
	e := &Engine{host: host, rand: lrandInit}
	L := newState()
	env := L.G.Global
	env.RawSetString("redis", e.redisTable(L, false))
	math := env.RawGetString("math").(*lua.LTable)
	math.RawSetString("random", L.NewFunction(e.mathRandom))
	math.RawSetString("randomseed", L.NewFunction(e.mathRandomseed))
	sb := &sandbox{L: L, env: env, protected: map[*lua.LTable]bool{}}
	sb.lockGlobals()
	e.L, e.env, e.genv, e.protected = L, env, sb.genv, sb.protected
	e.errHandler = L.NewFunction(e.errorHandler)
	e.kill = make(chan struct{})
	e.scripts = map[string]*Script{}
	f.eng = e
	f.L = L
	f.runtime = sb.genv

	// The library API: a redis table with register_function, log and
	// versions; every other global read fails.
	api := L.NewTable()
	rt := L.NewTable()
	rt.RawSetString("register_function", L.NewFunction(f.registerFunction))
	registerCommon(L, rt, host)
	for _, k := range []string{"sha1hex", "error_reply", "status_reply"} {
		rt.RawSetString(k, lua.LNil)
	}
	seen := map[*lua.LTable]*lua.LTable{}
	rmt := L.NewTable()
	rmt.RawSetString("__index", L.NewFunction(noSuchGlobal))
	L.SetMetatable(rt, rmt)
	api.RawSetString("redis", sb.proxy(rt, seen))
	emt := L.NewTable()
	emt.RawSetString("__index", L.NewFunction(noSuchGlobal))
	L.SetMetatable(api, emt)
	f.loadAPI = api

	// Libraries see genv: a proxy whose __index is switched between the
	// two.
	f.genv = L.NewTable()
	f.genvMeta = L.NewTable()
	f.genvMeta.RawSetString("__index", f.runtime)
	f.genvMeta.RawSetString("__newindex", L.NewFunction(readonlyError))
	f.genvMeta.RawSetString("__metatable", L.NewTable())
	L.SetMetatable(f.genv, f.genvMeta)
	sb.protected[f.genv] = true
	return f
}

// Kill stops the running function (FUNCTION KILL, SHUTDOWN NOSAVE).
func (f *Functions) Kill(msg string) { f.eng.Kill(msg) }

// Function returns the function named name, or nil.
func (f *Functions) Function(name string) *Function { return f.funcs[strings.ToLower(name)] }

// Library returns the library named name, or nil.
func (f *Functions) Library(name string) *Library { return f.libs[strings.ToLower(name)] }

// Libraries returns the libraries sorted by name.
func (f *Functions) Libraries() []*Library {
	out := make([]*Library, 0, len(f.libs))
	for _, l := range f.libs {
		out = append(out, l)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Count returns the number of libraries and functions.
func (f *Functions) Count() (libs, funcs int) { return len(f.libs), len(f.funcs) }

// Memory estimates what the libraries hold (used_memory_vm_functions).
func (f *Functions) Memory() int64 {
	n := int64(32 * 1024)
	for _, l := range f.libs {
		n += int64(len(l.Code))
	}
	return n
}

// SortedFunctions returns lib's functions sorted by name.
func (l *Library) SortedFunctions() []*Function {
	out := make([]*Function, 0, len(l.Functions))
	for _, fn := range l.Functions {
		out = append(out, fn)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Set is a set of libraries being built (FUNCTION RESTORE, RDB load)
// before it joins or replaces the loaded ones.
type Set struct {
	libs  map[string]*Library
	funcs map[string]*Function
}

// NewSet makes an empty set.
func NewSet() *Set { return &Set{libs: map[string]*Library{}, funcs: map[string]*Function{}} }

// Load compiles a library into the loaded ones (FUNCTION LOAD): the error
// text is Redis's, without its ERR code. timeout is the load's limit
// (500ms for clients, none for the AOF or a master).
func (f *Functions) Load(code []byte, replace bool, timeoutMs int64) (name, errText string) {
	set := &Set{libs: f.libs, funcs: f.funcs}
	return f.loadInto(set, code, replace, timeoutMs)
}

// LoadInto compiles a library into set (FUNCTION RESTORE, RDB load).
func (f *Functions) LoadInto(set *Set, code []byte) (errText string) {
	_, errText = f.loadInto(set, code, false, 0)
	return errText
}

func (f *Functions) loadInto(set *Set, code []byte, replace bool, timeoutMs int64) (string, string) {
	name, body, errText := libraryMetadata(string(code))
	if errText != "" {
		return "", errText
	}
	if !validName(name) {
		return "", "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	}
	old := set.libs[strings.ToLower(name)]
	if old != nil && !replace {
		return "", "Library '" + name + "' already exists"
	}
	if old != nil {
		set.unlink(old)
	}
	lib := &Library{Name: name, Code: string(code), Functions: map[string]*Function{}}
	errText = f.compile(lib, body, timeoutMs)
	if errText == "" && len(lib.Functions) == 0 {
		errText = "No functions registered"
	}
	if errText == "" {
		for _, fn := range lib.SortedFunctions() {
			if set.funcs[strings.ToLower(fn.Name)] != nil {
				errText = "Function " + fn.Name + " already exists"
				break
			}
		}
	}
	if errText != "" {
		if old != nil {
			set.link(old)
		}
		return "", errText
	}
	set.link(lib)
	return name, ""
}

// Libraries and functions are keyed by their lower-case names: Redis's
// dictionaries of them compare case-insensitively.
func (s *Set) link(l *Library) {
	s.libs[strings.ToLower(l.Name)] = l
	for n, fn := range l.Functions {
		s.funcs[n] = fn
	}
}

func (s *Set) unlink(l *Library) {
	delete(s.libs, strings.ToLower(l.Name))
	for n := range l.Functions {
		delete(s.funcs, n)
	}
}

// Join adds set's libraries to the loaded ones (FUNCTION RESTORE APPEND,
// or REPLACE when replace) as libraryJoin: all or nothing.
func (f *Functions) Join(set *Set, replace bool) (errText string) {
	dst := &Set{libs: f.libs, funcs: f.funcs}
	var replaced []*Library
	names := make([]string, 0, len(set.libs))
	for n := range set.libs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		if old := dst.libs[n]; old != nil {
			if !replace {
				errText = "Library " + set.libs[n].Name + " already exists"
				break
			}
			dst.unlink(old)
			replaced = append(replaced, old)
		}
	}
	if errText == "" {
		fnames := make([]string, 0, len(set.funcs))
		for n := range set.funcs {
			fnames = append(fnames, n)
		}
		sort.Strings(fnames)
		for _, n := range fnames {
			if dst.funcs[n] != nil {
				errText = "Function " + set.funcs[n].Name + " already exists"
				break
			}
		}
	}
	if errText != "" {
		for _, old := range replaced {
			dst.link(old)
		}
		return errText
	}
	for _, l := range set.libs {
		dst.link(l)
	}
	return ""
}

// Replace makes set the loaded libraries (FUNCTION RESTORE FLUSH).
func (f *Functions) Replace(set *Set) { f.libs, f.funcs = set.libs, set.funcs }

// Delete removes a library; false if there is none by that name.
func (f *Functions) Delete(name string) bool {
	l := f.libs[strings.ToLower(name)]
	if l == nil {
		return false
	}
	(&Set{libs: f.libs, funcs: f.funcs}).unlink(l)
	return true
}

// Flush removes every library (FUNCTION FLUSH).
func (f *Functions) Flush() {
	f.libs, f.funcs = map[string]*Library{}, map[string]*Function{}
}

// libraryMetadata parses "#!<engine> name=<name>" (functionExtractLibMetaData).
func libraryMetadata(code string) (name, body, errText string) {
	if !strings.HasPrefix(code, "#!") {
		return "", "", "Missing library metadata"
	}
	end := strings.IndexByte(code, '\n')
	if end < 0 {
		return "", "", "Invalid library metadata"
	}
	parts, err := resp.SplitArgs([]byte(code[:end]))
	if err != nil || len(parts) == 0 {
		return "", "", "Invalid library metadata"
	}
	engine := string(parts[0][2:])
	hasName := false
	for _, p := range parts[1:] {
		if len(p) >= 5 && strings.EqualFold(string(p[:5]), "name=") {
			if hasName {
				return "", "", "Invalid metadata value, name argument was given multiple times"
			}
			name, hasName = string(p[5:]), true
			continue
		}
		return "", "", "Invalid metadata value given: " + string(p)
	}
	if !hasName {
		return "", "", "Library name was not given"
	}
	if !validName(name) {
		return "", "", "Library names can only contain letters, numbers, or underscores(_) and must be at least one character long"
	}
	if !strings.EqualFold(engine, "lua") {
		return "", "", "Engine '" + engine + "' not found"
	}
	return name, code[end:], ""
}

func validName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// compile runs a library's code with the library API visible
// (luaEngineCreate).
func (f *Functions) compile(lib *Library, body string, timeoutMs int64) string {
	L := f.L
	fn, errText := compile(L, body, "user_function")
	if errText != "" {
		return "Error compiling function: " + errText
	}
	fn.Env = f.genv
	f.genvMeta.RawSetString("__index", f.loadAPI)
	f.loading = lib
	e := f.eng
	e.arm()
	e.loading, e.loadStart, e.loadTimeout = true, time.Now(), time.Duration(timeoutMs)*time.Millisecond
	L.Push(fn)
	err := L.PCall(0, 0, nil)
	e.loading = false
	f.loading = nil
	f.genvMeta.RawSetString("__index", f.runtime)
	if err != nil {
		L.SetTop(0)
		msg := "ERR unknown error"
		if ae, ok := err.(*lua.ApiError); ok {
			switch v := ae.Object.(type) {
			case *lua.LTable:
				msg = luaString(v.RawGetString("err"))
			case lua.LString:
				msg = "ERR " + string(v)
			}
		}
		if e.killOnce.Load() {
			msg = e.killMsg
		}
		return "Error registering functions: " + msg
	}
	return ""
}

// registerFunction is redis.register_function (luaRegisterFunction).
func (f *Functions) registerFunction(L *lua.LState) int {
	lib := f.loading
	if lib == nil {
		pushError(L, "redis.register_function can only be called on FUNCTION LOAD command", false)
		return raise(L)
	}
	argc := L.GetTop()
	fail := func(msg string) int {
		pushError(L, msg, false)
		return raise(L)
	}
	if argc < 1 || argc > 2 {
		return fail("wrong number of arguments to redis.register_function")
	}
	var name, desc string
	var flags uint64
	var cb *lua.LFunction
	if argc == 2 {
		s, ok := L.Get(1).(lua.LString)
		if !ok {
			if n, isNum := L.Get(1).(lua.LNumber); isNum {
				s, ok = lua.LString(formatNumber(float64(n))), true
			}
		}
		if !ok {
			return fail("first argument to redis.register_function must be a string")
		}
		name = string(s)
		c, ok := L.Get(2).(*lua.LFunction)
		if !ok {
			return fail("second argument to redis.register_function must be a function")
		}
		cb = c
	} else {
		t, ok := L.Get(1).(*lua.LTable)
		if !ok {
			return fail("calling redis.register_function with a single argument is only applicable to Lua table (representing named arguments).")
		}
		hasName := false
		var bad string
		t.ForEach(func(k, v lua.LValue) {
			if bad != "" {
				return
			}
			ks, ok := k.(lua.LString)
			if !ok {
				if _, isNum := k.(lua.LNumber); !isNum {
					bad = "named argument key given to redis.register_function is not a string"
					return
				}
				ks = lua.LString(luaString(k))
			}
			switch strings.ToLower(string(ks)) {
			case "function_name":
				if !isStringish(v) {
					bad = "function_name argument given to redis.register_function must be a string"
					return
				}
				name, hasName = luaString(v), true
			case "description":
				if !isStringish(v) {
					bad = "description argument given to redis.register_function must be a string"
					return
				}
				desc = luaString(v)
			case "callback":
				c, ok := v.(*lua.LFunction)
				if !ok {
					bad = "callback argument given to redis.register_function must be a function"
					return
				}
				cb = c
			case "flags":
				ft, ok := v.(*lua.LTable)
				if !ok {
					bad = "flags argument to redis.register_function must be a table representing function flags"
					return
				}
				for i := 1; ; i++ {
					fv := ft.RawGetInt(i)
					if fv == lua.LNil {
						break
					}
					found := false
					if isStringish(fv) {
						for _, fl := range FlagNames {
							if strings.EqualFold(fl.Name, luaString(fv)) {
								flags |= fl.Flag
								found = true
							}
						}
					}
					if !found {
						bad = "unknown flag given"
						return
					}
				}
			default:
				bad = "unknown argument given to redis.register_function"
			}
		})
		if bad != "" {
			return fail(bad)
		}
		if !hasName {
			return fail("redis.register_function must get a function name argument")
		}
		if cb == nil {
			return fail("redis.register_function must get a callback argument")
		}
	}
	if !validName(name) {
		return fail("Library names can only contain letters, numbers, or underscores(_) and must be at least one character long")
	}
	if lib.Functions[strings.ToLower(name)] != nil {
		return fail("Function already exists in the library")
	}
	lib.Functions[strings.ToLower(name)] = &Function{Name: name, Desc: desc, Flags: flags, Lib: lib, fn: cb}
	return 0
}

// Call runs function fn with keys and args (luaEngineCall).
func (f *Functions) Call(w *resp.Writer, run *Run, fn *Function, keys, args [][]byte) (errLine []byte, counted bool) {
	e := f.eng
	L := f.L
	L.Push(fn.fn)
	L.Push(e.stringArray(keys))
	L.Push(e.stringArray(args))
	return e.call(L, w, run, 2)
}
