package encoding

import (
	"encoding/binary"
	"errors"
)

// Ziplist layout (the pre-7.0 compact encoding, read only to convert old
// RDB and DUMP payloads): zlbytes u32 LE, zltail u32 LE (offset of the last
// entry), zllen u16 LE (65535: count the entries), the entries, and 0xFF.
// Each entry is prevlen (1 byte, or 0xFE and a u32 LE), an encoding and its
// data.
const (
	zlHeaderSize = 10
	zlEnd        = 0xFF
	zlBigPrevlen = 0xFE

	zlStr06  = 0x00 // 00pppppp
	zlStr14  = 0x40 // 01pppppp qqqqqqqq (big-endian length)
	zlStr32  = 0x80 // 10000000 + u32 big-endian length
	zlInt16  = 0xC0
	zlInt32  = 0xD0
	zlInt64  = 0xE0
	zlInt24  = 0xF0
	zlInt8   = 0xFE
	zlImmMin = 0xF1 // 1111xxxx: value xxxx-1, xxxx in 0001..1101
	zlImmMax = 0xFD
)

// ErrZiplistCorrupt reports a ziplist that fails validation.
var ErrZiplistCorrupt = errors.New("encoding: corrupt ziplist")

// zlEntry decodes the entry at p: its total size including prevlen, the
// prevlen it records, and its value. ok is false when it does not fit.
func zlEntry(b []byte, p int) (size, prevlen int, str []byte, ival int64, isInt bool, ok bool) {
	rest := len(b) - p
	if rest < 1 {
		return
	}
	h := 1
	prevlen = int(b[p])
	if b[p] == zlBigPrevlen {
		if rest < 5 {
			return
		}
		prevlen = int(binary.LittleEndian.Uint32(b[p+1:]))
		h = 5
	}
	if rest < h+1 {
		return
	}
	c := b[p+h]
	switch c & 0xC0 {
	case zlStr06:
		l := int(c & 0x3F)
		if rest < h+1+l {
			return
		}
		return h + 1 + l, prevlen, b[p+h+1 : p+h+1+l], 0, false, true
	case zlStr14:
		if rest < h+2 {
			return
		}
		l := int(c&0x3F)<<8 | int(b[p+h+1])
		if rest < h+2+l {
			return
		}
		return h + 2 + l, prevlen, b[p+h+2 : p+h+2+l], 0, false, true
	case zlStr32:
		if c != zlStr32 || rest < h+5 {
			return
		}
		l := uint64(binary.BigEndian.Uint32(b[p+h+1:]))
		if uint64(rest) < uint64(h+5)+l {
			return
		}
		return h + 5 + int(l), prevlen, b[p+h+5 : p+h+5+int(l)], 0, false, true
	}
	d := p + h + 1
	switch {
	case c == zlInt16 && rest >= h+3:
		return h + 3, prevlen, nil, int64(int16(binary.LittleEndian.Uint16(b[d:]))), true, true
	case c == zlInt32 && rest >= h+5:
		return h + 5, prevlen, nil, int64(int32(binary.LittleEndian.Uint32(b[d:]))), true, true
	case c == zlInt64 && rest >= h+9:
		return h + 9, prevlen, nil, int64(binary.LittleEndian.Uint64(b[d:])), true, true
	case c == zlInt24 && rest >= h+4:
		u := uint32(b[d]) | uint32(b[d+1])<<8 | uint32(b[d+2])<<16
		return h + 4, prevlen, nil, int64(int32(u<<8) >> 8), true, true
	case c == zlInt8 && rest >= h+2:
		return h + 2, prevlen, nil, int64(int8(b[d])), true, true
	case c >= zlImmMin && c <= zlImmMax:
		return h + 1, prevlen, nil, int64(c&0x0F) - 1, true, true
	}
	return 0, 0, nil, 0, false, false
}

// ZiplistIter walks the entries of a ziplist from the first. On a ziplist
// that was not validated it stops at the first malformed entry.
type ZiplistIter struct {
	zl  []byte
	pos int
}

// NewZiplistIter returns an iterator over zl.
func NewZiplistIter(zl []byte) ZiplistIter {
	return ZiplistIter{zl: zl}
}

// Next returns the next entry: a string (str, isInt false) or an integer
// (ival, isInt true). ok is false at the end. str aliases the ziplist.
func (it *ZiplistIter) Next() (str []byte, ival int64, isInt bool, ok bool) {
	if it.pos == 0 {
		if len(it.zl) < zlHeaderSize+1 {
			return nil, 0, false, false
		}
		it.pos = zlHeaderSize
	}
	if it.pos >= len(it.zl) || it.zl[it.pos] == zlEnd {
		return nil, 0, false, false
	}
	size, _, str, ival, isInt, ok := zlEntry(it.zl, it.pos)
	if !ok {
		it.pos = len(it.zl)
		return nil, 0, false, false
	}
	it.pos += size
	return str, ival, isInt, true
}

// ZiplistValidate checks zl deeply, as Redis does before converting a
// RESTORE payload: zlbytes equals len(zl), entries fit and chain through
// their prevlen fields, zltail points at the last entry (or the end marker
// when empty), 0xFF is last, and zllen (unless 65535) equals the entry
// count. It never panics.
func ZiplistValidate(zl []byte) error {
	if len(zl) < zlHeaderSize+1 {
		return ErrZiplistCorrupt
	}
	if int64(binary.LittleEndian.Uint32(zl)) != int64(len(zl)) || zl[len(zl)-1] != zlEnd {
		return ErrZiplistCorrupt
	}
	tail := int64(binary.LittleEndian.Uint32(zl[4:]))
	want := int(binary.LittleEndian.Uint16(zl[8:]))
	count, prev, last := 0, 0, zlHeaderSize
	p := zlHeaderSize
	for zl[p] != zlEnd {
		size, prevlen, _, _, _, ok := zlEntry(zl, p)
		if !ok || prevlen != prev || p+size >= len(zl) {
			return ErrZiplistCorrupt
		}
		last, prev = p, size
		p += size
		count++
	}
	if p != len(zl)-1 || tail != int64(last) {
		return ErrZiplistCorrupt
	}
	if want != 0xFFFF && want != count {
		return ErrZiplistCorrupt
	}
	return nil
}
