package scripting

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The cmsgpack library Redis loads (lua-cmsgpack 0.4.0): the smallest
// MessagePack encoding of each value, tables as arrays when their keys are
// exactly 1..n, nesting beyond 16 levels encoded as nil.

const cmsgpackMaxNesting = 16

func openCmsgpack(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(mpPack))
	t.RawSetString("unpack", L.NewFunction(func(L *lua.LState) int { return mpUnpackFull(L, 0, 0) }))
	t.RawSetString("unpack_one", L.NewFunction(func(L *lua.LState) int {
		offset := L.OptInt(2, 0)
		L.SetTop(1)
		return mpUnpackFull(L, 1, offset)
	}))
	t.RawSetString("unpack_limit", L.NewFunction(func(L *lua.LState) int {
		limit := L.CheckInt(2)
		offset := L.OptInt(3, 0)
		L.SetTop(1)
		return mpUnpackFull(L, limit, offset)
	}))
	t.RawSetString("_NAME", lua.LString("cmsgpack"))
	t.RawSetString("_VERSION", lua.LString("lua-cmsgpack 0.4.0"))
	t.RawSetString("_COPYRIGHT", lua.LString("Copyright (C) 2012, Salvatore Sanfilippo"))
	t.RawSetString("_DESCRIPTION", lua.LString("MessagePack C implementation for Lua"))
	return t
}

func mpPack(L *lua.LState) int {
	n := L.GetTop()
	if n == 0 {
		argError(L, 0, "pack", "MessagePack pack needs input.")
	}
	var b []byte
	for i := 1; i <= n; i++ {
		b = mpEncode(b, L.Get(i), 0)
	}
	L.Push(lua.LString(b))
	return 1
}

func mpEncode(b []byte, v lua.LValue, level int) []byte {
	switch x := v.(type) {
	case lua.LString:
		return mpEncodeBytes(b, string(x))
	case lua.LBool:
		if x {
			return append(b, 0xc3)
		}
		return append(b, 0xc2)
	case lua.LNumber:
		f := float64(x)
		if f == math.Trunc(f) && f >= -9.223372036854775808e18 && f < 9.223372036854775808e18 {
			return mpEncodeInt(b, int64(f))
		}
		if float64(float32(f)) == f || math.IsNaN(f) {
			return binary.BigEndian.AppendUint32(append(b, 0xca), math.Float32bits(float32(f)))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcb), math.Float64bits(f))
	case *lua.LTable:
		if level == cmsgpackMaxNesting {
			return append(b, 0xc0)
		}
		if n, ok := mpIsArray(x); ok {
			b = mpHeader(b, n, 0x90, 0xdc, 0xdd)
			for i := 1; i <= n; i++ {
				b = mpEncode(b, x.RawGetInt(i), level+1)
			}
			return b
		}
		keys := tableKeys(x)
		b = mpHeader(b, len(keys), 0x80, 0xde, 0xdf)
		for _, k := range keys {
			b = mpEncode(b, k, level+1)
			b = mpEncode(b, x.RawGet(k), level+1)
		}
		return b
	}
	return append(b, 0xc0)
}

func mpIsArray(t *lua.LTable) (int, bool) {
	max, count := 0, 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		n, ok := k.(lua.LNumber)
		if !ok || n <= 0 || float64(n) != math.Trunc(float64(n)) {
			return 0, false
		}
		if int(n) > max {
			max = int(n)
		}
		count++
	}
	return max, max == count
}

func mpHeader(b []byte, n int, fix, b16, b32 byte) []byte {
	switch {
	case n <= 15:
		return append(b, fix|byte(n))
	case n <= 0xffff:
		return binary.BigEndian.AppendUint16(append(b, b16), uint16(n))
	}
	return binary.BigEndian.AppendUint32(append(b, b32), uint32(n))
}

func mpEncodeBytes(b []byte, s string) []byte {
	n := len(s)
	switch {
	case n < 32:
		b = append(b, 0xa0|byte(n))
	case n <= 0xff:
		b = append(b, 0xd9, byte(n))
	case n <= 0xffff:
		b = binary.BigEndian.AppendUint16(append(b, 0xda), uint16(n))
	default:
		b = binary.BigEndian.AppendUint32(append(b, 0xdb), uint32(n))
	}
	return append(b, s...)
}

func mpEncodeInt(b []byte, n int64) []byte {
	if n >= 0 {
		switch {
		case n <= 127:
			return append(b, byte(n))
		case n <= 0xff:
			return append(b, 0xcc, byte(n))
		case n <= 0xffff:
			return binary.BigEndian.AppendUint16(append(b, 0xcd), uint16(n))
		case n <= 0xffffffff:
			return binary.BigEndian.AppendUint32(append(b, 0xce), uint32(n))
		}
		return binary.BigEndian.AppendUint64(append(b, 0xcf), uint64(n))
	}
	switch {
	case n >= -32:
		return append(b, byte(n))
	case n >= -128:
		return append(b, 0xd0, byte(n))
	case n >= -32768:
		return binary.BigEndian.AppendUint16(append(b, 0xd1), uint16(n))
	case n >= -2147483648:
		return binary.BigEndian.AppendUint32(append(b, 0xd2), uint32(n))
	}
	return binary.BigEndian.AppendUint64(append(b, 0xd3), uint64(n))
}

type mpErr int

const (
	mpOK mpErr = iota
	mpEOF
	mpBadFmt
)

type mpCursor struct {
	L   *lua.LState
	b   string
	err mpErr
}

func mpUnpackFull(L *lua.LState, limit, offset int) int {
	s := L.CheckString(1)
	decodeAll := limit == 0 && offset == 0
	if offset < 0 || limit < 0 {
		L.RaiseError("Invalid request to unpack with offset of %d and limit of %d.", offset, len(s))
	} else if offset > len(s) {
		L.RaiseError("Start offset %d greater than input length %d.", offset, len(s))
	}
	if decodeAll {
		limit = math.MaxInt32
	}
	c := &mpCursor{L: L, b: s[offset:]}
	var vals []lua.LValue
	for cnt := 0; len(c.b) > 0 && cnt < limit; cnt++ {
		v := c.decode()
		switch c.err {
		case mpEOF:
			L.RaiseError("Missing bytes in input.")
		case mpBadFmt:
			L.RaiseError("Bad data format in input.")
		}
		vals = append(vals, v)
	}
	if !decodeAll {
		next := len(s) - len(c.b)
		if len(c.b) == 0 {
			next = -1
		}
		L.Push(lua.LNumber(next))
	}
	for _, v := range vals {
		L.Push(v)
	}
	if !decodeAll {
		return len(vals) + 1
	}
	return len(vals)
}

func (c *mpCursor) take(n int) (string, bool) {
	if len(c.b) < n {
		c.err = mpEOF
		return "", false
	}
	s := c.b[:n]
	c.b = c.b[n:]
	return s, true
}

func (c *mpCursor) uint(n int) (uint64, bool) {
	s, ok := c.take(n)
	if !ok {
		return 0, false
	}
	var v uint64
	for i := 0; i < n; i++ {
		v = v<<8 | uint64(s[i])
	}
	return v, true
}

func (c *mpCursor) decode() lua.LValue {
	if c.err != mpOK {
		return lua.LNil
	}
	t, ok := c.take(1)
	if !ok {
		return lua.LNil
	}
	tag := t[0]
	switch {
	case tag <= 0x7f:
		return lua.LNumber(tag)
	case tag >= 0xe0:
		return lua.LNumber(int8(tag))
	case tag&0xe0 == 0xa0:
		return c.str(int(tag & 0x1f))
	case tag&0xf0 == 0x90:
		return c.array(int(tag & 0x0f))
	case tag&0xf0 == 0x80:
		return c.mapOf(int(tag & 0x0f))
	}
	switch tag {
	case 0xc0:
		return lua.LNil
	case 0xc2:
		return lua.LFalse
	case 0xc3:
		return lua.LTrue
	case 0xcc, 0xcd, 0xce, 0xcf:
		v, ok := c.uint(1 << (tag - 0xcc))
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(float64(v))
	case 0xd0, 0xd1, 0xd2, 0xd3:
		n := 1 << (tag - 0xd0)
		v, ok := c.uint(n)
		if !ok {
			return lua.LNil
		}
		shift := uint(64 - 8*n)
		return lua.LNumber(float64(int64(v<<shift) >> shift))
	case 0xca:
		v, ok := c.uint(4)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(math.Float32frombits(uint32(v)))
	case 0xcb:
		v, ok := c.uint(8)
		if !ok {
			return lua.LNil
		}
		return lua.LNumber(math.Float64frombits(v))
	case 0xd9, 0xc4:
		n, ok := c.uint(1)
		if !ok {
			return lua.LNil
		}
		return c.str(int(n))
	case 0xda, 0xc5:
		n, ok := c.uint(2)
		if !ok {
			return lua.LNil
		}
		return c.str(int(n))
	case 0xdb, 0xc6:
		n, ok := c.uint(4)
		if !ok {
			return lua.LNil
		}
		return c.str(int(n))
	case 0xdc, 0xdd:
		n, ok := c.uint(2 << (tag - 0xdc))
		if !ok {
			return lua.LNil
		}
		return c.array(int(n))
	case 0xde, 0xdf:
		n, ok := c.uint(2 << (tag - 0xde))
		if !ok {
			return lua.LNil
		}
		return c.mapOf(int(n))
	}
	c.err = mpBadFmt
	return lua.LNil
}

func (c *mpCursor) str(n int) lua.LValue {
	s, ok := c.take(n)
	if !ok {
		return lua.LNil
	}
	return lua.LString(s)
}

func (c *mpCursor) array(n int) lua.LValue {
	if n > len(c.b) {
		c.err = mpEOF
		return lua.LNil
	}
	t := c.L.CreateTable(n, 0)
	for i := 1; i <= n && c.err == mpOK; i++ {
		if v := c.decode(); v != lua.LNil {
			t.RawSetInt(i, v)
		}
	}
	return t
}

func (c *mpCursor) mapOf(n int) lua.LValue {
	if n > len(c.b) {
		c.err = mpEOF
		return lua.LNil
	}
	t := c.L.NewTable()
	for i := 0; i < n && c.err == mpOK; i++ {
		k := c.decode()
		v := c.decode()
		if k != lua.LNil && c.err == mpOK {
			t.RawSet(k, v)
		}
	}
	return t
}
