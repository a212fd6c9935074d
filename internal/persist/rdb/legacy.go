package rdb

import (
	"encoding/binary"
	"strconv"

	"shoal/internal/encoding"
)

// Legacy compact encodings (Redis <= 6.2), converted on load as Redis 7.0
// converts them: ziplists and zipmaps become listpacks.

// ziplistToListpack validates zl and returns a listpack holding the same
// entries (integers stay integers).
func ziplistToListpack(zl []byte) ([]byte, error) {
	if encoding.ZiplistValidate(zl) != nil {
		return nil, integrity("Ziplist")
	}
	lp := encoding.NewListpack()
	it := encoding.NewZiplistIter(zl)
	for {
		str, iv, isInt, ok := it.Next()
		if !ok {
			return lp, nil
		}
		if isInt {
			lp = encoding.LPAppendInt(lp, iv)
		} else {
			lp = encoding.LPAppend(lp, str)
		}
	}
}

// ziplistValues validates zl and returns its entries as strings the caller
// owns.
func ziplistValues(zl []byte) ([][]byte, error) {
	if encoding.ZiplistValidate(zl) != nil {
		return nil, integrity("List ziplist")
	}
	var vals [][]byte
	it := encoding.NewZiplistIter(zl)
	for {
		str, iv, isInt, ok := it.Next()
		if !ok {
			return vals, nil
		}
		if isInt {
			vals = append(vals, strconv.AppendInt(nil, iv, 10))
		} else {
			vals = append(vals, append([]byte(nil), str...))
		}
	}
}

// Zipmap layout (Redis <= 2.4 hashes): a count byte, then entries of
// length-prefixed field, length-prefixed value with a free-byte count and
// that many unused bytes, then 0xFF. A length is one byte below 254, or
// 254 followed by 4 bytes little endian.
const (
	zipmapBigLen = 254
	zipmapEnd    = 255
)

// zipmapLen reads a zipmap length at p and returns it and the offset after
// it; ok is false when it does not fit.
func zipmapLen(zm []byte, p int) (n, next int, ok bool) {
	if p >= len(zm) {
		return 0, 0, false
	}
	switch c := zm[p]; {
	case c < zipmapBigLen:
		return int(c), p + 1, true
	case c == zipmapBigLen && p+5 <= len(zm):
		v := binary.LittleEndian.Uint32(zm[p+1:])
		if uint64(v) > uint64(len(zm)) {
			return 0, 0, false
		}
		return int(v), p + 5, true
	}
	return 0, 0, false
}

// zipmapToListpack validates zm and returns a listpack of its field, value
// pairs.
func zipmapToListpack(zm []byte) ([]byte, error) {
	if len(zm) < 2 || zm[len(zm)-1] != zipmapEnd {
		return nil, integrity("Zipmap")
	}
	lp := encoding.NewListpack()
	p := 1
	for zm[p] != zipmapEnd {
		n, q, ok := zipmapLen(zm, p)
		if !ok || q+n >= len(zm) {
			return nil, integrity("Zipmap")
		}
		field := zm[q : q+n]
		n, q, ok = zipmapLen(zm, q+n)
		if !ok || q+1+n >= len(zm) {
			return nil, integrity("Zipmap")
		}
		free := int(zm[q])
		val := zm[q+1 : q+1+n]
		p = q + 1 + n + free
		if p >= len(zm) {
			return nil, integrity("Zipmap")
		}
		lp = encoding.LPAppend(encoding.LPAppend(lp, field), val)
	}
	if p != len(zm)-1 {
		return nil, integrity("Zipmap")
	}
	return lp, nil
}
