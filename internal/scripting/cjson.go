package scripting

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// The cjson library Redis loads (lua-cjson 2.1.0 with Redis's defaults):
// numbers as "%.14g", '/' escaped, sparse arrays refused, nesting limited
// to 1000, JSON null as the cjson.null sentinel.

type cjsonConfig struct {
	sparseConvert       bool
	sparseRatio         int
	sparseSafe          int
	encodeMaxDepth      int
	decodeMaxDepth      int
	encodeInvalidNumber int // 0 refuse, 1 allow, 2 as null
	decodeInvalidNumber bool
	precision           int
	null                *lua.LUserData
}

var jsonEscapes = func() [256]string {
	var t [256]string
	for i := 0; i < 32; i++ {
		t[i] = "\\u00" + string("0123456789abcdef"[i>>4]) + string("0123456789abcdef"[i&15])
	}
	t['\b'], t['\t'], t['\n'], t['\f'], t['\r'] = "\\b", "\\t", "\\n", "\\f", "\\r"
	t['"'], t['/'], t['\\'], t[127] = "\\\"", "\\/", "\\\\", "\\u007f"
	return t
}()

func openCJSON(L *lua.LState) *lua.LTable {
	cfg := &cjsonConfig{sparseRatio: 2, sparseSafe: 10, encodeMaxDepth: 1000, decodeMaxDepth: 1000,
		decodeInvalidNumber: true, precision: 14}
	cfg.null = L.NewUserData()
	t := L.NewTable()
	t.RawSetString("encode", L.NewFunction(cfg.encode))
	t.RawSetString("decode", L.NewFunction(cfg.decode))
	t.RawSetString("encode_sparse_array", L.NewFunction(cfg.encodeSparseArray))
	t.RawSetString("encode_max_depth", L.NewFunction(cfgInt("encode_max_depth", &cfg.encodeMaxDepth, 1, math.MaxInt32)))
	t.RawSetString("decode_max_depth", L.NewFunction(cfgInt("decode_max_depth", &cfg.decodeMaxDepth, 1, math.MaxInt32)))
	t.RawSetString("encode_number_precision", L.NewFunction(cfgInt("encode_number_precision", &cfg.precision, 1, 14)))
	t.RawSetString("encode_keep_buffer", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LTrue)
		return 1
	}))
	t.RawSetString("encode_invalid_numbers", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() >= 1 {
			switch v := L.Get(1).(type) {
			case lua.LBool:
				cfg.encodeInvalidNumber = map[bool]int{false: 0, true: 1}[bool(v)]
			case lua.LString:
				cfg.encodeInvalidNumber = map[string]int{"off": 0, "on": 1, "null": 2}[string(v)]
			}
		}
		L.Push([]lua.LValue{lua.LFalse, lua.LTrue, lua.LString("null")}[cfg.encodeInvalidNumber])
		return 1
	}))
	t.RawSetString("decode_invalid_numbers", L.NewFunction(func(L *lua.LState) int {
		if L.GetTop() >= 1 {
			switch v := L.Get(1).(type) {
			case lua.LBool:
				cfg.decodeInvalidNumber = bool(v)
			case lua.LString:
				cfg.decodeInvalidNumber = v == "on"
			}
		}
		L.Push(lua.LBool(cfg.decodeInvalidNumber))
		return 1
	}))
	t.RawSetString("null", cfg.null)
	t.RawSetString("_NAME", lua.LString("cjson"))
	t.RawSetString("_VERSION", lua.LString("2.1.0"))
	return t
}

func cfgInt(name string, p *int, min, max int) lua.LGFunction {
	return func(L *lua.LState) int {
		if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
			n := L.CheckInt(1)
			if n < min || n > max {
				argError(L, 1, name, "expected integer between "+strconv.Itoa(min)+" and "+strconv.Itoa(max))
			}
			*p = n
		}
		L.Push(lua.LNumber(*p))
		return 1
	}
}

func (cfg *cjsonConfig) encodeSparseArray(L *lua.LState) int {
	if L.GetTop() >= 1 && L.Get(1) != lua.LNil {
		cfg.sparseConvert = L.ToBool(1)
	}
	if L.GetTop() >= 2 {
		cfg.sparseRatio = L.CheckInt(2)
	}
	if L.GetTop() >= 3 {
		cfg.sparseSafe = L.CheckInt(3)
	}
	L.Push(lua.LBool(cfg.sparseConvert))
	L.Push(lua.LNumber(cfg.sparseRatio))
	L.Push(lua.LNumber(cfg.sparseSafe))
	return 3
}

func (cfg *cjsonConfig) encode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "encode", "expected 1 argument")
	}
	var sb strings.Builder
	cfg.appendValue(L, &sb, L.Get(1), 0)
	L.Push(lua.LString(sb.String()))
	return 1
}

func typeName(v lua.LValue) string {
	if _, ok := v.(*lua.LUserData); ok {
		return "userdata"
	}
	return v.Type().String()
}

func (cfg *cjsonConfig) encodeError(L *lua.LState, v lua.LValue, reason string) {
	L.RaiseError("Cannot serialise %s: %s", typeName(v), reason)
}

func (cfg *cjsonConfig) appendNumber(L *lua.LState, sb *strings.Builder, v lua.LValue) {
	f := float64(v.(lua.LNumber))
	if math.IsInf(f, 0) || math.IsNaN(f) {
		switch cfg.encodeInvalidNumber {
		case 0:
			cfg.encodeError(L, v, "must not be NaN or Inf")
		case 2:
			sb.WriteString("null")
			return
		}
		if math.IsNaN(f) {
			sb.WriteString("nan")
			return
		}
	}
	if cfg.precision == 14 {
		sb.WriteString(formatNumber(f))
	} else {
		sb.WriteString(strconv.FormatFloat(f, 'g', cfg.precision, 64))
	}
}

func appendJSONString(sb *strings.Builder, s string) {
	sb.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if e := jsonEscapes[s[i]]; e != "" {
			sb.WriteString(e)
		} else {
			sb.WriteByte(s[i])
		}
	}
	sb.WriteByte('"')
}

func (cfg *cjsonConfig) appendValue(L *lua.LState, sb *strings.Builder, v lua.LValue, depth int) {
	switch x := v.(type) {
	case lua.LString:
		appendJSONString(sb, string(x))
	case lua.LNumber:
		cfg.appendNumber(L, sb, x)
	case lua.LBool:
		if x {
			sb.WriteString("true")
		} else {
			sb.WriteString("false")
		}
	case *lua.LNilType:
		sb.WriteString("null")
	case *lua.LTable:
		depth++
		if depth > cfg.encodeMaxDepth {
			L.RaiseError("Cannot serialise, excessive nesting (%d)", depth)
		}
		n := cfg.arrayLength(L, x)
		if n > 0 {
			sb.WriteByte('[')
			for i := 1; i <= n; i++ {
				if i > 1 {
					sb.WriteByte(',')
				}
				cfg.appendValue(L, sb, x.RawGetInt(i), depth)
			}
			sb.WriteByte(']')
			return
		}
		sb.WriteByte('{')
		first := true
		for _, k := range tableKeys(x) {
			val := x.RawGet(k)
			if !first {
				sb.WriteByte(',')
			}
			first = false
			switch kk := k.(type) {
			case lua.LNumber:
				sb.WriteByte('"')
				cfg.appendNumber(L, sb, kk)
				sb.WriteString("\":")
			case lua.LString:
				appendJSONString(sb, string(kk))
				sb.WriteByte(':')
			default:
				cfg.encodeError(L, k, "table key must be a number or string")
			}
			cfg.appendValue(L, sb, val, depth)
		}
		sb.WriteByte('}')
	case *lua.LUserData:
		if x == cfg.null {
			sb.WriteString("null")
			return
		}
		cfg.encodeError(L, v, "type not supported")
	default:
		cfg.encodeError(L, v, "type not supported")
	}
}

// arrayLength is lua_array_length: the array size, or -1 for an object.
func (cfg *cjsonConfig) arrayLength(L *lua.LState, t *lua.LTable) int {
	max, items := 0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || float64(n) != math.Floor(float64(n)) || n < 1 {
			return -1
		}
		if int(n) > max {
			max = int(n)
		}
		items++
	}
	if cfg.sparseRatio > 0 && max > items*cfg.sparseRatio && max > cfg.sparseSafe {
		if !cfg.sparseConvert {
			cfg.encodeError(L, t, "excessively sparse array")
		}
		return -1
	}
	return max
}

// JSON decoding.

type jsonToken int

const (
	tObjBegin jsonToken = iota
	tObjEnd
	tArrBegin
	tArrEnd
	tString
	tNumber
	tBoolean
	tNull
	tColon
	tComma
	tEnd
	tWhitespace
	tError
	tUnknown
)

var jsonTokenNames = []string{"T_OBJ_BEGIN", "T_OBJ_END", "T_ARR_BEGIN", "T_ARR_END", "T_STRING",
	"T_NUMBER", "T_BOOLEAN", "T_NULL", "T_COLON", "T_COMMA", "T_END", "T_WHITESPACE", "T_ERROR", "T_UNKNOWN"}

var jsonSingle = map[byte]jsonToken{'{': tObjBegin, '}': tObjEnd, '[': tArrBegin, ']': tArrEnd, ',': tComma, ':': tColon}

type jsonParser struct {
	L     *lua.LState
	cfg   *cjsonConfig
	data  string
	pos   int
	depth int
	// current token
	typ   jsonToken
	index int
	str   string
	num   float64
	b     bool
	err   string
}

func (cfg *cjsonConfig) decode(L *lua.LState) int {
	if L.GetTop() != 1 {
		argError(L, 1, "decode", "expected 1 argument")
	}
	data := L.CheckString(1)
	if len(data) >= 2 && (data[0] == 0 || data[1] == 0) {
		L.RaiseError("JSON parser does not support UTF-16 or UTF-32")
	}
	p := &jsonParser{L: L, cfg: cfg, data: data}
	p.next()
	v := p.value()
	p.next()
	if p.typ != tEnd {
		p.fail("the end")
	}
	L.Push(v)
	return 1
}

func (p *jsonParser) at(i int) byte {
	if i < len(p.data) {
		return p.data[i]
	}
	return 0
}

func (p *jsonParser) fail(expected string) {
	found := jsonTokenNames[p.typ]
	if p.typ == tError {
		found = p.err
	}
	p.L.RaiseError("Expected %s but found %s at character %d", expected, found, p.index+1)
}

func (p *jsonParser) setError(msg string) {
	p.typ = tError
	p.index = p.pos
	p.err = msg
}

func (p *jsonParser) next() {
	for {
		c := p.at(p.pos)
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
			p.pos++
			continue
		}
		break
	}
	p.index = p.pos
	c := p.at(p.pos)
	if t, ok := jsonSingle[c]; ok {
		p.typ = t
		p.pos++
		return
	}
	if c == 0 {
		p.typ = tEnd
		return
	}
	rest := p.data[p.pos:]
	switch {
	case c == '"':
		p.stringToken()
	case c == '-' || (c >= '0' && c <= '9'):
		if !p.cfg.decodeInvalidNumber && p.invalidNumber() {
			p.setError("invalid number")
			return
		}
		p.numberToken()
	case strings.HasPrefix(rest, "true"):
		p.typ, p.b = tBoolean, true
		p.pos += 4
	case strings.HasPrefix(rest, "false"):
		p.typ, p.b = tBoolean, false
		p.pos += 5
	case strings.HasPrefix(rest, "null"):
		p.typ = tNull
		p.pos += 4
	case (c == 'i' || c == 'I' || c == 'n' || c == 'N' || c == '+') && p.cfg.decodeInvalidNumber && p.invalidNumber():
		p.numberToken()
	default:
		p.setError("invalid token")
	}
}

func (p *jsonParser) invalidNumber() bool {
	s := p.data[p.pos:]
	if strings.HasPrefix(s, "+") {
		return true
	}
	s = strings.TrimPrefix(s, "-")
	if strings.HasPrefix(s, "0") {
		if len(s) > 1 && ((s[1]|0x20) == 'x' || (s[1] >= '0' && s[1] <= '9')) {
			return true
		}
		return false
	}
	if len(s) > 0 && s[0] <= '9' {
		return false
	}
	ls := strings.ToLower(s)
	return strings.HasPrefix(ls, "inf") || strings.HasPrefix(ls, "nan")
}

// numberToken parses as strtod: the longest prefix that is a number.
func (p *jsonParser) numberToken() {
	s := p.data[p.pos:]
	end := 0
	for end < len(s) && strings.IndexByte("+-0123456789.eExXabcdefABCDEFinfatyINFATY", s[end]) >= 0 {
		end++
	}
	for ; end > 0; end-- {
		if f, ok := strtod(s[:end]); ok {
			p.typ, p.num = tNumber, f
			p.pos += end
			return
		}
	}
	p.setError("invalid number")
}

func strtod(s string) (float64, bool) {
	ls := strings.ToLower(strings.TrimLeft(s, "+-"))
	neg := strings.HasPrefix(s, "-")
	switch ls {
	case "inf", "infinity":
		if neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	case "nan":
		return math.NaN(), true
	}
	if strings.HasPrefix(ls, "0x") {
		n, err := strconv.ParseInt(s, 0, 64)
		return float64(n), err == nil
	}
	if strings.ContainsAny(ls, "abcdfx") || strings.Count(ls, "e") > 1 {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return f, true
		}
		return 0, false
	}
	return f, true
}

func (p *jsonParser) stringToken() {
	p.pos++
	var sb strings.Builder
	for {
		c := p.at(p.pos)
		if p.pos >= len(p.data) {
			p.setError("unexpected end of string")
			return
		}
		if c == '"' {
			break
		}
		if c == '\\' {
			e := p.at(p.pos + 1)
			switch e {
			case '"', '\\', '/':
				sb.WriteByte(e)
			case 'b':
				sb.WriteByte('\b')
			case 'f':
				sb.WriteByte('\f')
			case 'n':
				sb.WriteByte('\n')
			case 'r':
				sb.WriteByte('\r')
			case 't':
				sb.WriteByte('\t')
			case 'u':
				if !p.unicodeEscape(&sb) {
					p.setError("invalid unicode escape code")
					return
				}
				continue
			default:
				p.setError("invalid escape code")
				return
			}
			p.pos += 2
			continue
		}
		sb.WriteByte(c)
		p.pos++
	}
	p.pos++
	p.typ, p.str = tString, sb.String()
}

func hex4(s string) int {
	if len(s) < 4 {
		return -1
	}
	n, err := strconv.ParseUint(s[:4], 16, 32)
	if err != nil {
		return -1
	}
	return int(n)
}

func (p *jsonParser) unicodeEscape(sb *strings.Builder) bool {
	cp := hex4(p.data[p.pos+2:])
	if cp < 0 {
		return false
	}
	n := 6
	if cp&0xF800 == 0xD800 {
		if cp&0xFC00 != 0xD800 {
			return false
		}
		rest := p.data[p.pos+6:]
		if len(rest) < 6 || rest[0] != '\\' || rest[1] != 'u' {
			return false
		}
		lo := hex4(rest[2:])
		if lo < 0 || lo&0xFC00 != 0xDC00 {
			return false
		}
		cp = ((cp&0x3FF)<<10 | lo&0x3FF) + 0x10000
		n = 12
	}
	var buf [4]byte
	sb.Write(buf[:utf8.EncodeRune(buf[:], rune(cp))])
	p.pos += n
	return true
}

func (p *jsonParser) descend() {
	p.depth++
	if p.depth > p.cfg.decodeMaxDepth {
		p.L.RaiseError("Found too many nested data structures (%d) at character %d", p.depth, p.pos)
	}
}

func (p *jsonParser) value() lua.LValue {
	L := p.L
	switch p.typ {
	case tString:
		return lua.LString(p.str)
	case tNumber:
		return lua.LNumber(p.num)
	case tBoolean:
		return lua.LBool(p.b)
	case tNull:
		return p.cfg.null
	case tObjBegin:
		p.descend()
		t := L.NewTable()
		p.next()
		if p.typ == tObjEnd {
			p.depth--
			return t
		}
		for {
			if p.typ != tString {
				p.fail("object key string")
			}
			k := p.str
			p.next()
			if p.typ != tColon {
				p.fail("colon")
			}
			p.next()
			t.RawSetString(k, p.value())
			p.next()
			if p.typ == tObjEnd {
				p.depth--
				return t
			}
			if p.typ != tComma {
				p.fail("comma or object end")
			}
			p.next()
		}
	case tArrBegin:
		p.descend()
		t := L.NewTable()
		p.next()
		if p.typ == tArrEnd {
			p.depth--
			return t
		}
		for i := 1; ; i++ {
			t.RawSetInt(i, p.value())
			p.next()
			if p.typ == tArrEnd {
				p.depth--
				return t
			}
			if p.typ != tComma {
				p.fail("comma or array end")
			}
			p.next()
		}
	}
	p.fail("value")
	return lua.LNil
}
