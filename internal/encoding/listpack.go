package encoding

import (
	"encoding/binary"
	"errors"
)

// Listpack layout (Redis 7.0): a 6-byte header (total bytes u32 LE, element
// count u16 LE, 65535 meaning "count the entries"), the entries, and a
// terminating 0xFF. Each entry is an encoding byte, its data, and a backlen
// of 1 to 5 bytes holding the size of encoding+data so the list can be
// walked backwards.
const (
	lpHeaderSize   = 6
	lpEOF          = 0xFF
	lpCountUnknown = 0xFFFF

	lp7BitUint  = 0x00 // 0xxxxxxx
	lp6BitStr   = 0x80 // 10xxxxxx + data
	lp13BitInt  = 0xC0 // 110xxxxx yyyyyyyy
	lp12BitStr  = 0xE0 // 1110xxxx yyyyyyyy + data
	lp16BitInt  = 0xF1
	lp24BitInt  = 0xF2
	lp32BitInt  = 0xF3
	lp64BitInt  = 0xF4
	lp32BitStr  = 0xF0
	lpMaxBytes  = 1<<32 - 1
	lpBacklenMx = 5
)

// ErrListpackCorrupt reports a listpack that fails validation.
var ErrListpackCorrupt = errors.New("encoding: corrupt listpack")

// NewListpack returns an empty listpack: header and terminator only.
func NewListpack() []byte {
	return []byte{lpHeaderSize + 1, 0, 0, 0, 0, 0, lpEOF}
}

// LPLen returns the number of entries in the valid listpack lp, counting
// them when the header says 65535.
func LPLen(lp []byte) int {
	if n := binary.LittleEndian.Uint16(lp[4:]); n != lpCountUnknown {
		return int(n)
	}
	n := 0
	it := LPIter{lp: lp}
	for {
		if _, _, _, ok := it.Next(); !ok {
			return n
		}
		n++
	}
}

// LPAppend appends the string v to lp and returns the new listpack. As
// Redis does, a v that is the canonical decimal form of an int64 is stored
// with an integer encoding.
func LPAppend(lp []byte, v []byte) []byte {
	if iv, ok := parseStrictInt(v); ok {
		return LPAppendInt(lp, iv)
	}
	lp = lp[:len(lp)-1]
	n := len(v)
	var hdr int
	switch {
	case n < 64:
		lp = append(lp, lp6BitStr|byte(n))
		hdr = 1
	case n < 4096:
		lp = append(lp, lp12BitStr|byte(n>>8), byte(n))
		hdr = 2
	default:
		lp = append(lp, lp32BitStr, byte(n), byte(n>>8), byte(n>>16), byte(n>>24))
		hdr = 5
	}
	lp = append(lp, v...)
	return lpFinishAppend(lp, hdr+n)
}

// LPAppendInt appends the integer v to lp with the smallest integer
// encoding and returns the new listpack.
func LPAppendInt(lp []byte, v int64) []byte {
	lp = lp[:len(lp)-1]
	var n int
	switch {
	case v >= 0 && v <= 127:
		lp = append(lp, byte(v))
		n = 1
	case v >= -4096 && v <= 4095:
		u := uint64(v) & 0x1FFF
		lp = append(lp, lp13BitInt|byte(u>>8), byte(u))
		n = 2
	case v >= -32768 && v <= 32767:
		lp = append(lp, lp16BitInt, byte(v), byte(v>>8))
		n = 3
	case v >= -8388608 && v <= 8388607:
		lp = append(lp, lp24BitInt, byte(v), byte(v>>8), byte(v>>16))
		n = 4
	case v >= -2147483648 && v <= 2147483647:
		lp = append(lp, lp32BitInt, byte(v), byte(v>>8), byte(v>>16), byte(v>>24))
		n = 5
	default:
		lp = append(lp, lp64BitInt)
		lp = binary.LittleEndian.AppendUint64(lp, uint64(v))
		n = 9
	}
	return lpFinishAppend(lp, n)
}

// lpFinishAppend writes the backlen for an entry of n bytes, the
// terminator, and updates the header.
func lpFinishAppend(lp []byte, n int) []byte {
	lp = appendBacklen(lp, n)
	lp = append(lp, lpEOF)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if c := binary.LittleEndian.Uint16(lp[4:]); c != lpCountUnknown {
		binary.LittleEndian.PutUint16(lp[4:], c+1)
	}
	return lp
}

// appendBacklen encodes n in 7-bit groups, most significant first; every
// byte but the first carries the 0x80 continuation bit so the value can be
// read right to left.
func appendBacklen(b []byte, n int) []byte {
	switch {
	case n <= 127:
		return append(b, byte(n))
	case n < 16383:
		return append(b, byte(n>>7), byte(n&127)|128)
	case n < 2097151:
		return append(b, byte(n>>14), byte(n>>7&127)|128, byte(n&127)|128)
	case n < 268435455:
		return append(b, byte(n>>21), byte(n>>14&127)|128, byte(n>>7&127)|128, byte(n&127)|128)
	default:
		return append(b, byte(n>>28), byte(n>>21&127)|128, byte(n>>14&127)|128, byte(n>>7&127)|128, byte(n&127)|128)
	}
}

func backlenSize(n int) int {
	switch {
	case n <= 127:
		return 1
	case n < 16383:
		return 2
	case n < 2097151:
		return 3
	case n < 268435455:
		return 4
	default:
		return 5
	}
}

// lpEntry decodes the entry at p. It returns the size of encoding+data
// (without backlen), the value, and ok=false when the entry does not fit in
// b or the encoding byte is invalid.
func lpEntry(b []byte, p int) (n int, str []byte, ival int64, isInt bool, ok bool) {
	rest := len(b) - p
	if rest < 1 {
		return 0, nil, 0, false, false
	}
	c := b[p]
	switch {
	case c&0x80 == 0:
		return 1, nil, int64(c), true, true
	case c&0xC0 == lp6BitStr:
		l := int(c & 0x3F)
		if rest < 1+l {
			return 0, nil, 0, false, false
		}
		return 1 + l, b[p+1 : p+1+l], 0, false, true
	case c&0xE0 == lp13BitInt:
		if rest < 2 {
			return 0, nil, 0, false, false
		}
		u := uint64(c&0x1F)<<8 | uint64(b[p+1])
		return 2, nil, int64(u<<51) >> 51, true, true
	case c&0xF0 == lp12BitStr:
		if rest < 2 {
			return 0, nil, 0, false, false
		}
		l := int(c&0x0F)<<8 | int(b[p+1])
		if rest < 2+l {
			return 0, nil, 0, false, false
		}
		return 2 + l, b[p+2 : p+2+l], 0, false, true
	}
	switch c {
	case lp16BitInt:
		if rest < 3 {
			break
		}
		return 3, nil, int64(int16(binary.LittleEndian.Uint16(b[p+1:]))), true, true
	case lp24BitInt:
		if rest < 4 {
			break
		}
		u := uint32(b[p+1]) | uint32(b[p+2])<<8 | uint32(b[p+3])<<16
		return 4, nil, int64(int32(u<<8) >> 8), true, true
	case lp32BitInt:
		if rest < 5 {
			break
		}
		return 5, nil, int64(int32(binary.LittleEndian.Uint32(b[p+1:]))), true, true
	case lp64BitInt:
		if rest < 9 {
			break
		}
		return 9, nil, int64(binary.LittleEndian.Uint64(b[p+1:])), true, true
	case lp32BitStr:
		if rest < 5 {
			break
		}
		l := uint64(binary.LittleEndian.Uint32(b[p+1:]))
		if uint64(rest) < 5+l {
			break
		}
		return 5 + int(l), b[p+5 : p+5+int(l)], 0, false, true
	}
	return 0, nil, 0, false, false
}

// readBacklen decodes the backlen that ends just before end, returning the
// value and its size in bytes.
func readBacklen(b []byte, end int) (val, size int, ok bool) {
	shift := 0
	for size < lpBacklenMx && end-size-1 >= 0 {
		c := b[end-size-1]
		val |= int(c&127) << shift
		size++
		if c&128 == 0 {
			return val, size, true
		}
		shift += 7
	}
	return 0, 0, false
}

// LPIter walks the entries of a listpack from the first. Its zero value is
// not usable; build one with NewLPIter. On a listpack that was not
// validated it stops at the first malformed entry.
type LPIter struct {
	lp  []byte
	pos int
}

// NewLPIter returns an iterator over lp.
func NewLPIter(lp []byte) LPIter {
	return LPIter{lp: lp}
}

// Next returns the next entry: either a string (str, isInt false) or an
// integer (ival, isInt true). ok is false at the end. str aliases lp.
func (it *LPIter) Next() (str []byte, ival int64, isInt bool, ok bool) {
	if it.pos == 0 {
		if len(it.lp) < lpHeaderSize+1 {
			return nil, 0, false, false
		}
		it.pos = lpHeaderSize
	}
	if it.pos >= len(it.lp) || it.lp[it.pos] == lpEOF {
		return nil, 0, false, false
	}
	n, str, ival, isInt, ok := lpEntry(it.lp, it.pos)
	if !ok {
		it.pos = len(it.lp)
		return nil, 0, false, false
	}
	it.pos += n + backlenSize(n)
	return str, ival, isInt, true
}

// LPValidate checks lp deeply, as Redis does before trusting a RESTORE
// payload: header size equals len(lp), every entry's encoding and length
// fit, every backlen matches, the terminator is last, and the header count
// (unless 65535) equals the number of entries. It never panics.
func LPValidate(lp []byte) error {
	if len(lp) < lpHeaderSize+1 {
		return ErrListpackCorrupt
	}
	if int64(binary.LittleEndian.Uint32(lp)) != int64(len(lp)) || lp[len(lp)-1] != lpEOF {
		return ErrListpackCorrupt
	}
	want := int(binary.LittleEndian.Uint16(lp[4:]))
	count := 0
	p := lpHeaderSize
	for lp[p] != lpEOF {
		n, _, _, _, ok := lpEntry(lp, p)
		if !ok {
			return ErrListpackCorrupt
		}
		bl := backlenSize(n)
		end := p + n + bl
		if end >= len(lp) {
			return ErrListpackCorrupt
		}
		v, size, ok := readBacklen(lp, end)
		if !ok || v != n || size != bl {
			return ErrListpackCorrupt
		}
		p = end
		count++
	}
	if p != len(lp)-1 {
		return ErrListpackCorrupt
	}
	if want != lpCountUnknown && want != count {
		return ErrListpackCorrupt
	}
	return nil
}
