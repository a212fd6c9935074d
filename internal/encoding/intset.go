package encoding

import (
	"encoding/binary"
	"errors"
	"math"
)

// Intset layout: encoding u32 LE (2, 4 or 8: bytes per value), length u32
// LE, then length values of that width, little-endian, strictly ascending.
const intsetHeaderSize = 8

// ErrIntsetCorrupt reports an intset that fails validation.
var ErrIntsetCorrupt = errors.New("encoding: corrupt intset")

// IntsetFromSorted appends to dst an intset holding vals, which must be
// strictly ascending, using the smallest encoding that fits every value.
func IntsetFromSorted(dst []byte, vals []int64) []byte {
	enc := 2
	if len(vals) > 0 {
		for _, v := range []int64{vals[0], vals[len(vals)-1]} {
			switch {
			case v < math.MinInt32 || v > math.MaxInt32:
				enc = 8
			case (v < math.MinInt16 || v > math.MaxInt16) && enc < 4:
				enc = 4
			}
		}
	}
	dst = binary.LittleEndian.AppendUint32(dst, uint32(enc))
	dst = binary.LittleEndian.AppendUint32(dst, uint32(len(vals)))
	for _, v := range vals {
		switch enc {
		case 2:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(v))
		case 4:
			dst = binary.LittleEndian.AppendUint32(dst, uint32(v))
		default:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(v))
		}
	}
	return dst
}

// IntsetLen returns the number of values in the valid intset is.
func IntsetLen(is []byte) int {
	return int(binary.LittleEndian.Uint32(is[4:]))
}

// IntsetAt returns the i-th value (0-based, ascending) of the valid
// intset is.
func IntsetAt(is []byte, i int) int64 {
	enc := int(binary.LittleEndian.Uint32(is))
	p := is[intsetHeaderSize+i*enc:]
	switch enc {
	case 2:
		return int64(int16(binary.LittleEndian.Uint16(p)))
	case 4:
		return int64(int32(binary.LittleEndian.Uint32(p)))
	default:
		return int64(binary.LittleEndian.Uint64(p))
	}
}

// IntsetValidate checks is as Redis does for a RESTORE payload: a known
// encoding, a size that matches the length exactly, at least one value,
// and values in strictly ascending order. It never panics.
func IntsetValidate(is []byte) error {
	if len(is) < intsetHeaderSize {
		return ErrIntsetCorrupt
	}
	enc := uint64(binary.LittleEndian.Uint32(is))
	if enc != 2 && enc != 4 && enc != 8 {
		return ErrIntsetCorrupt
	}
	n := uint64(binary.LittleEndian.Uint32(is[4:]))
	if n == 0 || intsetHeaderSize+n*enc != uint64(len(is)) {
		return ErrIntsetCorrupt
	}
	prev := IntsetAt(is, 0)
	for i := 1; i < int(n); i++ {
		v := IntsetAt(is, i)
		if v <= prev {
			return ErrIntsetCorrupt
		}
		prev = v
	}
	return nil
}
