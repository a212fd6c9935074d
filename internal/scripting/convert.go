package scripting

import (
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"shoal/internal/resp"
)

// Conversions between RESP replies and Lua values, exactly as Redis 7.0's
// redisProtocolToLuaType and luaReplyToRedisReply: a command's reply is
// parsed from the bytes it wrote, so the rules are the reply's own.

// maxDepth bounds nesting both ways (a reply or a Lua table referring to
// itself).
const maxDepth = 1000

// parseReply converts the RESP value at b[pos:] and returns the position
// after it. Attributes are skipped; RESP3 types become the tables Redis
// documents ({double=}, {big_number=}, {map=}, {set=}, {verbatim_string=}).
func parseReply(L *lua.LState, b []byte, pos int) (lua.LValue, int) {
	if pos >= len(b) {
		return lua.LNil, pos
	}
	typ := b[pos]
	end := pos + 1
	for end < len(b) && b[end] != '\r' {
		end++
	}
	line := b[pos+1 : end]
	next := end + 2
	if next > len(b) {
		next = len(b)
	}
	switch typ {
	case ':':
		return lua.LNumber(atoi64(line)), next
	case '$', '=':
		n, _ := strconv.Atoi(string(line))
		if n < 0 {
			return lua.LFalse, next
		}
		s := b[next : next+n]
		after := next + n + 2
		if typ == '$' {
			return lua.LString(s), after
		}
		t := L.NewTable()
		v := L.NewTable()
		v.RawSetString("string", lua.LString(s[4:]))
		v.RawSetString("format", lua.LString(s[:3]))
		t.RawSetString("verbatim_string", v)
		return t, after
	case '+':
		t := L.NewTable()
		t.RawSetString("ok", lua.LString(line))
		return t, next
	case '-':
		// The error of a command called through redis.call/pcall was
		// counted where it was replied.
		return errorTable(L, "-"+string(line), true), next
	case '*', '~', '%', '|', '>':
		n, _ := strconv.Atoi(string(line))
		if n < 0 {
			return lua.LFalse, next
		}
		pos = next
		switch typ {
		case '|':
			for i := 0; i < 2*n; i++ {
				_, pos = parseReply(L, b, pos)
			}
			return parseReply(L, b, pos)
		case '%':
			m := L.NewTable()
			for i := 0; i < n; i++ {
				var k, v lua.LValue
				k, pos = parseReply(L, b, pos)
				v, pos = parseReply(L, b, pos)
				if k != lua.LNil {
					m.RawSet(k, v)
				}
			}
			t := L.NewTable()
			t.RawSetString("map", m)
			return t, pos
		case '~':
			s := L.NewTable()
			for i := 0; i < n; i++ {
				var k lua.LValue
				k, pos = parseReply(L, b, pos)
				if k != lua.LNil {
					s.RawSet(k, lua.LTrue)
				}
			}
			t := L.NewTable()
			t.RawSetString("set", s)
			return t, pos
		}
		t := L.CreateTable(n, 0)
		for i := 0; i < n; i++ {
			var v lua.LValue
			v, pos = parseReply(L, b, pos)
			if v != lua.LNil {
				t.RawSetInt(i+1, v)
			}
		}
		return t, pos
	case '_':
		return lua.LNil, next
	case '#':
		return lua.LBool(len(line) > 0 && line[0] == 't'), next
	case ',':
		f, _ := parseDouble(string(line))
		t := L.NewTable()
		t.RawSetString("double", lua.LNumber(f))
		return t, next
	case '(':
		t := L.NewTable()
		t.RawSetString("big_number", lua.LString(line))
		return t, next
	}
	return lua.LNil, next
}

func parseDouble(s string) (float64, error) {
	switch s {
	case "inf":
		s = "+Inf"
	case "-inf":
		s = "-Inf"
	case "nan", "-nan":
		s = "NaN"
	}
	return strconv.ParseFloat(s, 64)
}

// writeReply converts the Lua value v into a reply to w
// (luaReplyToRedisReply). scriptResp is the protocol the script chose with
// redis.setresp: it decides how booleans come back in RESP2.
func writeReply(w *resp.Writer, v lua.LValue, scriptResp, depth int) {
	switch x := v.(type) {
	case lua.LString:
		w.BulkString(string(x))
	case lua.LBool:
		if scriptResp == 2 {
			if x {
				w.Int(1)
			} else {
				w.Null()
			}
		} else {
			w.Bool(bool(x))
		}
	case lua.LNumber:
		w.Int(luaToInt64(float64(x)))
	case *lua.LTable:
		if depth >= maxDepth {
			w.Error(lineOf("ERR reached lua stack limit"))
			return
		}
		writeTable(w, x, scriptResp, depth)
	default:
		w.Null()
	}
}

func writeTable(w *resp.Writer, t *lua.LTable, scriptResp, depth int) {
	if s, ok := t.RawGetString("err").(lua.LString); ok {
		w.Error(lineOf(string(s)))
		return
	}
	if s, ok := t.RawGetString("ok").(lua.LString); ok {
		w.SimpleBytes(mapCRLF(string(s)))
		return
	}
	if n, ok := t.RawGetString("double").(lua.LNumber); ok {
		w.Double(float64(n))
		return
	}
	if s, ok := t.RawGetString("big_number").(lua.LString); ok {
		w.BigNumber(string(mapCRLF(string(s))))
		return
	}
	if vt, ok := t.RawGetString("verbatim_string").(*lua.LTable); ok {
		f, fok := vt.RawGetString("format").(lua.LString)
		s, sok := vt.RawGetString("string").(lua.LString)
		if fok && sok {
			w.Verbatim([]byte(s), string(f))
			return
		}
	}
	if m, ok := t.RawGetString("map").(*lua.LTable); ok {
		keys := tableKeys(m)
		w.Map(len(keys))
		for _, k := range keys {
			writeReply(w, k, scriptResp, depth+1)
			writeReply(w, m.RawGet(k), scriptResp, depth+1)
		}
		return
	}
	if s, ok := t.RawGetString("set").(*lua.LTable); ok {
		keys := tableKeys(s)
		w.Set(len(keys))
		for _, k := range keys {
			writeReply(w, k, scriptResp, depth+1)
		}
		return
	}
	n := 0
	for t.RawGetInt(n+1) != lua.LNil {
		n++
	}
	w.Array(n)
	for i := 1; i <= n; i++ {
		writeReply(w, t.RawGetInt(i), scriptResp, depth+1)
	}
}

func mapCRLF(s string) []byte {
	b := []byte(s)
	for i, c := range b {
		if c == '\r' || c == '\n' {
			b[i] = ' '
		}
	}
	return b
}

// luaToInt64 is C's (long long) cast of a double, saturating as x86 does
// for values out of range.
func luaToInt64(f float64) int64 {
	if f != f || f >= 9.223372036854775807e18 || f < -9.223372036854775808e18 {
		return -1 << 63
	}
	return int64(f)
}

// atoi64 parses the integer of a reply line written by our own commands.
func atoi64(b []byte) int64 {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	var n int64
	for _, c := range b {
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n
	}
	return n
}
