package scripting

import (
	"encoding/binary"
	"math"

	lua "github.com/yuin/gopher-lua"
)

// The struct library Redis loads (Roberto Ierusalimschy's struct.c, as
// built on x86-64: short 2, int 4, long 8, size_t 8, native little
// endian, maximum alignment 8).

const (
	structMaxIntSize = 32
	structMaxAlign   = 8
)

func openStruct(L *lua.LState) *lua.LTable {
	t := L.NewTable()
	t.RawSetString("pack", L.NewFunction(structPack))
	t.RawSetString("unpack", L.NewFunction(structUnpack))
	t.RawSetString("size", L.NewFunction(structSize))
	return t
}

type structHeader struct {
	big   bool
	align int
}

type structFmt struct {
	L    *lua.LState
	name string
	fmt  string
	i    int
	h    structHeader
}

func (f *structFmt) getnum(df int) int {
	if f.i >= len(f.fmt) || !isDigit(f.fmt[f.i]) {
		return df
	}
	a := 0
	for f.i < len(f.fmt) && isDigit(f.fmt[f.i]) {
		d := int(f.fmt[f.i] - '0')
		if a > math.MaxInt32/10 || a*10 > math.MaxInt32-d {
			f.L.RaiseError("integral size overflow")
		}
		a = a*10 + d
		f.i++
	}
	return a
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (f *structFmt) optsize(opt byte) int {
	switch opt {
	case 'B', 'b', 'x':
		return 1
	case 'H', 'h':
		return 2
	case 'L', 'l', 'T', 'd':
		return 8
	case 'f':
		return 4
	case 'c':
		return f.getnum(1)
	case 'i', 'I':
		sz := f.getnum(4)
		if sz > structMaxIntSize {
			f.L.RaiseError("integral size %d is larger than limit of %d", sz, structMaxIntSize)
		}
		return sz
	}
	return 0
}

func (f *structFmt) toalign(n int, opt byte, size int) int {
	if size == 0 || opt == 'c' {
		return 0
	}
	if size > f.h.align {
		size = f.h.align
	}
	return (size - (n & (size - 1))) & (size - 1)
}

func (f *structFmt) control(opt byte) {
	switch opt {
	case ' ':
	case '>':
		f.h.big = true
	case '<':
		f.h.big = false
	case '!':
		a := f.getnum(structMaxAlign)
		if a == 0 || a&(a-1) != 0 {
			f.L.RaiseError("alignment %d is not a power of 2", a)
		}
		f.h.align = a
	default:
		argError(f.L, 1, f.name, "invalid format option '"+string(opt)+"'")
	}
}

func newStructFmt(L *lua.LState, name string) *structFmt {
	return &structFmt{L: L, name: name, fmt: L.CheckString(1), h: structHeader{align: 1}}
}

func structPack(L *lua.LState) int {
	f := newStructFmt(L, "pack")
	arg := 2
	var out []byte
	for f.i < len(f.fmt) {
		opt := f.fmt[f.i]
		f.i++
		size := f.optsize(opt)
		for n := f.toalign(len(out), opt, size); n > 0; n-- {
			out = append(out, 0)
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			n := float64(L.CheckNumber(arg))
			arg++
			var v uint64
			if n < 0 {
				v = uint64(int64(n))
			} else {
				v = uint64(n)
			}
			buf := make([]byte, size)
			if f.h.big {
				for i := size - 1; i >= 0; i-- {
					buf[i] = byte(v)
					v >>= 8
				}
			} else {
				for i := 0; i < size; i++ {
					buf[i] = byte(v)
					v >>= 8
				}
			}
			out = append(out, buf...)
		case 'x':
			out = append(out, 0)
		case 'f':
			v := math.Float32bits(float32(L.CheckNumber(arg)))
			arg++
			if f.h.big {
				out = binary.BigEndian.AppendUint32(out, v)
			} else {
				out = binary.LittleEndian.AppendUint32(out, v)
			}
		case 'd':
			v := math.Float64bits(float64(L.CheckNumber(arg)))
			arg++
			if f.h.big {
				out = binary.BigEndian.AppendUint64(out, v)
			} else {
				out = binary.LittleEndian.AppendUint64(out, v)
			}
		case 'c', 's':
			s := L.CheckString(arg)
			arg++
			if size == 0 {
				size = len(s)
			}
			if len(s) < size {
				argError(L, arg, "pack", "string too short")
			}
			out = append(out, s[:size]...)
			if opt == 's' {
				out = append(out, 0)
			}
		default:
			f.control(opt)
		}
	}
	L.Push(lua.LString(out))
	return 1
}

func structUnpack(L *lua.LState) int {
	f := newStructFmt(L, "unpack")
	data := L.CheckString(2)
	pos := L.OptInt(3, 1)
	if pos <= 0 {
		argError(L, 3, "unpack", "offset must be 1 or greater")
	}
	pos--
	ld := len(data)
	n := 0
	for f.i < len(f.fmt) {
		opt := f.fmt[f.i]
		f.i++
		size := f.optsize(opt)
		pos += f.toalign(pos, opt, size)
		if !(size <= ld && pos <= ld-size) {
			argError(L, 2, "unpack", "data string too short")
		}
		switch opt {
		case 'b', 'B', 'h', 'H', 'l', 'L', 'T', 'i', 'I':
			var l uint64
			b := data[pos : pos+size]
			if f.h.big {
				for i := 0; i < size; i++ {
					l = l<<8 | uint64(b[i])
				}
			} else {
				for i := size - 1; i >= 0; i-- {
					l = l<<8 | uint64(b[i])
				}
			}
			if opt >= 'a' {
				if size > 0 && size < 8 {
					mask := ^uint64(0) << (size*8 - 1)
					if l&mask != 0 {
						l |= mask
					}
				}
				L.Push(lua.LNumber(float64(int64(l))))
			} else {
				L.Push(lua.LNumber(float64(l)))
			}
			n++
		case 'x':
		case 'f':
			var v uint32
			if f.h.big {
				v = binary.BigEndian.Uint32([]byte(data[pos : pos+4]))
			} else {
				v = binary.LittleEndian.Uint32([]byte(data[pos : pos+4]))
			}
			L.Push(lua.LNumber(math.Float32frombits(v)))
			n++
		case 'd':
			var v uint64
			if f.h.big {
				v = binary.BigEndian.Uint64([]byte(data[pos : pos+8]))
			} else {
				v = binary.LittleEndian.Uint64([]byte(data[pos : pos+8]))
			}
			L.Push(lua.LNumber(math.Float64frombits(v)))
			n++
		case 'c':
			if size == 0 {
				prev, ok := L.Get(-1).(lua.LNumber)
				if n == 0 || !ok {
					L.RaiseError("format 'c0' needs a previous size")
				}
				size = int(prev)
				L.Pop(1)
				n--
				if !(size <= ld && pos <= ld-size) {
					argError(L, 2, "unpack", "data string too short")
				}
			}
			L.Push(lua.LString(data[pos : pos+size]))
			n++
		case 's':
			e := -1
			for i := pos; i < ld; i++ {
				if data[i] == 0 {
					e = i
					break
				}
			}
			if e < 0 {
				L.RaiseError("unfinished string in data")
			}
			size = e - pos + 1
			L.Push(lua.LString(data[pos:e]))
			n++
		default:
			f.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos + 1))
	return n + 1
}

func structSize(L *lua.LState) int {
	f := newStructFmt(L, "size")
	pos := 0
	for f.i < len(f.fmt) {
		opt := f.fmt[f.i]
		f.i++
		size := f.optsize(opt)
		pos += f.toalign(pos, opt, size)
		if opt == 's' {
			argError(L, 1, "size", "options 's' has no fixed size")
		} else if opt == 'c' && size == 0 {
			argError(L, 1, "size", "option 'c0' has no fixed size")
		}
		if !isAlnum(opt) {
			f.control(opt)
		}
		pos += size
	}
	L.Push(lua.LNumber(pos))
	return 1
}

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}
