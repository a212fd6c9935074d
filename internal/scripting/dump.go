package scripting

import (
	"encoding/binary"
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// string.dump, loadstring and load as Redis's Lua 5.1 has them: dump
// returns a function's compiled code as a binary chunk, and loading any
// chunk parses it as source text (Redis removed the binary loader, the way
// to run crafted bytecode), so a binary chunk fails to load with the
// lexer's error on its first byte, ESC.

// binaryChunkHeader is Lua 5.1's header (ldump.c DumpHeader): signature,
// version 5.1, official format, little endian, sizes of int, size_t,
// Instruction and lua_Number, and floating-point numbers.
const binaryChunkHeader = "\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00"

// stringDump is string.dump: the binary chunk of a Lua function, laid out
// as ldump.c lays out Lua 5.1's (header, then each prototype: source,
// lines, counts, code, constants, nested prototypes, debug information).
// The instructions are gopher-lua's, as a chunk always holds the code of
// the VM that wrote it.
func stringDump(L *lua.LState) int {
	fn, ok := L.Get(1).(*lua.LFunction)
	if !ok {
		argError(L, 1, "dump", "function expected, got "+typeNameOrNoValue(L, 1))
	}
	if fn.IsG {
		L.RaiseError("unable to dump given function")
	}
	b := append([]byte(nil), binaryChunkHeader...)
	b = dumpProto(b, fn.Proto, "")
	L.Push(lua.LString(b))
	return 1
}

// typeNameOrNoValue is luaL_typename for an argument, "no value" when absent.
func typeNameOrNoValue(L *lua.LState, n int) string {
	if n > L.GetTop() {
		return "no value"
	}
	return L.Get(n).Type().String()
}

func dumpProto(b []byte, p *lua.FunctionProto, parentSource string) []byte {
	source := p.SourceName
	if source == parentSource {
		source = "" // nested prototypes omit their parent's source
	}
	b = dumpString(b, source)
	b = dumpInt(b, p.LineDefined)
	b = dumpInt(b, p.LastLineDefined)
	b = append(b, p.NumUpvalues, p.NumParameters, p.IsVarArg, p.NumUsedRegisters)
	b = dumpInt(b, len(p.Code))
	for _, inst := range p.Code {
		b = binary.LittleEndian.AppendUint32(b, inst)
	}
	b = dumpInt(b, len(p.Constants))
	for _, k := range p.Constants {
		switch v := k.(type) {
		case lua.LBool:
			b = append(b, 1, boolByte(bool(v)))
		case lua.LNumber:
			b = append(b, 3)
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(float64(v)))
		case lua.LString:
			b = append(b, 4)
			b = dumpString(b, string(v))
		default:
			b = append(b, 0)
		}
	}
	b = dumpInt(b, len(p.FunctionPrototypes))
	for _, child := range p.FunctionPrototypes {
		b = dumpProto(b, child, p.SourceName)
	}
	b = dumpInt(b, len(p.DbgSourcePositions))
	for _, line := range p.DbgSourcePositions {
		b = dumpInt(b, line)
	}
	b = dumpInt(b, len(p.DbgLocals))
	for _, l := range p.DbgLocals {
		b = dumpString(b, l.Name)
		b = dumpInt(b, l.StartPc)
		b = dumpInt(b, l.EndPc)
	}
	b = dumpInt(b, len(p.DbgUpvalues))
	for _, name := range p.DbgUpvalues {
		b = dumpString(b, name)
	}
	return b
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}

func dumpInt(b []byte, n int) []byte {
	return binary.LittleEndian.AppendUint32(b, uint32(n))
}

// dumpString is DumpString: a size_t length counting the terminating NUL,
// the bytes and the NUL; 0 alone for no string.
func dumpString(b []byte, s string) []byte {
	if s == "" {
		return binary.LittleEndian.AppendUint64(b, 0)
	}
	b = binary.LittleEndian.AppendUint64(b, uint64(len(s)+1))
	b = append(b, s...)
	return append(b, 0)
}

// luaLoadstring is loadstring(s [, chunkname]): the chunk compiled with the
// global environment, or nil and Lua's message, positions named as
// luaO_chunkid names chunk sources.
func luaLoadstring(L *lua.LState) int {
	src := L.CheckString(1)
	return loadChunk(L, src, L.OptString(2, src))
}

// luaLoad is load(func [, chunkname]): the pieces func returns, until nil
// or an empty string, compiled as loadstring compiles its string.
func luaLoad(L *lua.LState) int {
	reader := L.CheckFunction(1)
	chunkname := L.OptString(2, "=(load)")
	var sb strings.Builder
	for {
		L.Push(reader)
		L.Call(0, 1)
		piece := L.Get(-1)
		L.Pop(1)
		if piece == lua.LNil {
			break
		}
		s, ok := piece.(lua.LString)
		if n, isNum := piece.(lua.LNumber); isNum {
			s, ok = lua.LString(formatNumber(float64(n))), true
		}
		if !ok {
			L.Push(lua.LNil)
			L.Push(lua.LString("reader function must return a string"))
			return 2
		}
		if s == "" {
			break
		}
		sb.WriteString(string(s))
	}
	return loadChunk(L, sb.String(), chunkname)
}

func loadChunk(L *lua.LState, src, chunkname string) int {
	name := chunkID(chunkname, idSizeRuntime)
	fn, err := compile(L, src, name)
	if err != "" {
		// The lexer names the chunk in a wider buffer than the runtime.
		L.Push(lua.LNil)
		L.Push(lua.LString(chunkID(chunkname, idSizeSyntax) + strings.TrimPrefix(err, name)))
		return 2
	}
	L.Push(fn)
	return 1
}

// The buffer sizes luaO_chunkid is given: LUA_IDSIZE for runtime error
// positions, MAXSRC for the lexer's and parser's messages.
const (
	idSizeRuntime = 60
	idSizeSyntax  = 80
)

// chunkID is luaO_chunkid: "=name" as name, "@file" as the file (its tail
// when long), anything else as [string "first line"], within idSize bytes.
func chunkID(source string, idSize int) string {
	if i := strings.IndexByte(source, 0); i >= 0 {
		source = source[:i] // a C string
	}
	switch {
	case strings.HasPrefix(source, "="):
		s := source[1:]
		if len(s) > idSize-1 {
			s = s[:idSize-1]
		}
		return s
	case strings.HasPrefix(source, "@"):
		s := source[1:]
		room := idSize - len(" '...' ") - 1
		if len(s) > room {
			return "..." + s[len(s)-room:]
		}
		return s
	}
	room := idSize - len(" [string \"...\"] ") - 1
	n := strings.IndexAny(source, "\n\r")
	if n < 0 {
		n = len(source)
	}
	if n > room {
		n = room
	}
	if n < len(source) {
		return `[string "` + source[:n] + `..."]`
	}
	return `[string "` + source + `"]`
}
