package scripting

import (
	"math"
	"math/bits"

	lua "github.com/yuin/gopher-lua"
)

// The bit library Redis loads (LuaBitOp 1.0.2): 32-bit operations whose
// results are signed 32-bit numbers.

func openBit(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	fns := map[string]lua.LGFunction{
		"tobit":   func(L *lua.LState) int { return pushBit(L, bitArg(L, 1)) },
		"bnot":    func(L *lua.LState) int { return pushBit(L, ^bitArg(L, 1)) },
		"band":    bitFold(func(a, b uint32) uint32 { return a & b }),
		"bor":     bitFold(func(a, b uint32) uint32 { return a | b }),
		"bxor":    bitFold(func(a, b uint32) uint32 { return a ^ b }),
		"lshift":  bitShift(func(a uint32, n uint) uint32 { return a << n }),
		"rshift":  bitShift(func(a uint32, n uint) uint32 { return a >> n }),
		"arshift": bitShift(func(a uint32, n uint) uint32 { return uint32(int32(a) >> n) }),
		"rol":     bitShift(func(a uint32, n uint) uint32 { return bits.RotateLeft32(a, int(n)) }),
		"ror":     bitShift(func(a uint32, n uint) uint32 { return bits.RotateLeft32(a, -int(n)) }),
		"bswap":   func(L *lua.LState) int { return pushBit(L, bits.ReverseBytes32(bitArg(L, 1))) },
		"tohex":   bitTohex,
	}
	for name, fn := range fns {
		t.RawSetString(name, L.NewFunction(fn))
	}
	return t
}

// bitArg normalizes argument i to 32 bits as LuaBitOp's barg: the number
// modulo 2^32 (the 2^52+2^51 addition trick rounds to nearest).
func bitArg(L *lua.LState, i int) uint32 {
	n := float64(L.CheckNumber(i))
	r := math.RoundToEven(n)
	m := math.Mod(r, 4294967296)
	if m < 0 {
		m += 4294967296
	}
	return uint32(m)
}

func pushBit(L *lua.LState, v uint32) int {
	L.Push(lua.LNumber(int32(v)))
	return 1
}

func bitFold(op func(a, b uint32) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		v := bitArg(L, 1)
		for i := 2; i <= L.GetTop(); i++ {
			v = op(v, bitArg(L, i))
		}
		return pushBit(L, v)
	}
}

func bitShift(op func(a uint32, n uint) uint32) lua.LGFunction {
	return func(L *lua.LState) int {
		a := bitArg(L, 1)
		n := uint(bitArg(L, 2) & 31)
		return pushBit(L, op(a, n))
	}
}

func bitTohex(L *lua.LState) int {
	b := bitArg(L, 1)
	n := int32(8)
	if L.GetTop() >= 2 && L.Get(2) != lua.LNil {
		n = int32(bitArg(L, 2))
	}
	hexdigits := "0123456789abcdef"
	if n < 0 {
		n = -n
		hexdigits = "0123456789ABCDEF"
	}
	if n > 8 {
		n = 8
	}
	buf := make([]byte, n)
	for i := int(n) - 1; i >= 0; i-- {
		buf[i] = hexdigits[b&15]
		b >>= 4
	}
	L.Push(lua.LString(buf))
	return 1
}
