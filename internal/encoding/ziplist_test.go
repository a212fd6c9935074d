package encoding

import (
	"bytes"
	"encoding/binary"
	"strconv"
	"strings"
	"testing"
)

// buildZiplist writes a ziplist the way Redis 6 did, for tests: strings use
// the shortest string encoding, integers the shortest integer encoding.
func buildZiplist(elems []string) []byte {
	zl := make([]byte, zlHeaderSize)
	prev, last := 0, zlHeaderSize
	for _, e := range elems {
		start := len(zl)
		if prev < 254 {
			zl = append(zl, byte(prev))
		} else {
			zl = append(zl, zlBigPrevlen)
			zl = binary.LittleEndian.AppendUint32(zl, uint32(prev))
		}
		if v, ok := parseStrictInt([]byte(e)); ok {
			switch {
			case v >= 0 && v <= 12:
				zl = append(zl, 0xF1+byte(v))
			case v >= -128 && v <= 127:
				zl = append(zl, zlInt8, byte(v))
			case v >= -32768 && v <= 32767:
				zl = append(zl, zlInt16, byte(v), byte(v>>8))
			case v >= -8388608 && v <= 8388607:
				zl = append(zl, zlInt24, byte(v), byte(v>>8), byte(v>>16))
			case v >= -2147483648 && v <= 2147483647:
				zl = append(zl, zlInt32)
				zl = binary.LittleEndian.AppendUint32(zl, uint32(v))
			default:
				zl = append(zl, zlInt64)
				zl = binary.LittleEndian.AppendUint64(zl, uint64(v))
			}
		} else {
			n := len(e)
			switch {
			case n < 64:
				zl = append(zl, byte(n))
			case n < 16384:
				zl = append(zl, zlStr14|byte(n>>8), byte(n))
			default:
				zl = append(zl, zlStr32)
				zl = binary.BigEndian.AppendUint32(zl, uint32(n))
			}
			zl = append(zl, e...)
		}
		last, prev = start, len(zl)-start
	}
	zl = append(zl, zlEnd)
	binary.LittleEndian.PutUint32(zl, uint32(len(zl)))
	binary.LittleEndian.PutUint32(zl[4:], uint32(last))
	binary.LittleEndian.PutUint16(zl[8:], uint16(len(elems)))
	return zl
}

func zlElems() []string {
	return []string{"a", "0", "12", "13", "-1", "-128", "127", "128", "-32768", "32768",
		"-8388608", "8388608", "-2147483649", "9223372036854775807", "01",
		strings.Repeat("x", 300), strings.Repeat("y", 20000), "", "end"}
}

func TestZiplistDecode(t *testing.T) {
	// Hand-encoded hash ziplist for f1 v1 f2 12, with 12 as an immediate.
	handmade := []byte{0x19, 0, 0, 0, 0x16, 0, 0, 0, 4, 0,
		0, 2, 'f', '1', 4, 2, 'v', '1', 4, 2, 'f', '2', 4, 0xfd, 0xff}
	tests := []struct {
		name  string
		zl    []byte
		elems []string
	}{
		{"handmade hash", handmade, []string{"f1", "v1", "f2", "12"}},
		{"all encodings", buildZiplist(zlElems()), zlElems()},
		{"empty", buildZiplist(nil), nil},
	}
	for _, tt := range tests {
		if err := ZiplistValidate(tt.zl); err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		it := NewZiplistIter(tt.zl)
		for i, w := range tt.elems {
			s, v, isInt, ok := it.Next()
			if !ok {
				t.Fatalf("%s: entry %d missing", tt.name, i)
			}
			if isInt {
				s = strconv.AppendInt(nil, v, 10)
			}
			if string(s) != w {
				t.Fatalf("%s: entry %d = %q, want %q", tt.name, i, s, w)
			}
		}
		if _, _, _, ok := it.Next(); ok {
			t.Fatalf("%s: extra entries", tt.name)
		}
	}
}

func TestZiplistValidateRejects(t *testing.T) {
	good := buildZiplist([]string{"f1", "v1", "300"})
	mut := func(f func(b []byte)) []byte {
		b := bytes.Clone(good)
		f(b)
		return b
	}
	tests := map[string][]byte{
		"short":       {11, 0, 0, 0},
		"zlbytes":     mut(func(b []byte) { b[0]++ }),
		"zltail":      mut(func(b []byte) { b[4]++ }),
		"zllen":       mut(func(b []byte) { b[8] = 2 }),
		"prevlen":     mut(func(b []byte) { b[14] = 5 }),
		"no end":      mut(func(b []byte) { b[len(b)-1] = 0 }),
		"bad str32":   mut(func(b []byte) { b[11] = 0x81 }),
		"bad int enc": mut(func(b []byte) { b[len(b)-4] = 0xF0 }),
		"overrun":     mut(func(b []byte) { b[11] = 0x3F }),
	}
	for name, zl := range tests {
		if ZiplistValidate(zl) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzZiplist(f *testing.F) {
	f.Add(buildZiplist(zlElems()[:15]))
	f.Add(buildZiplist([]string{"f1", "v1"}))
	f.Fuzz(func(t *testing.T, zl []byte) {
		valid := ZiplistValidate(zl) == nil
		it := NewZiplistIter(zl)
		n := 0
		for {
			_, _, _, ok := it.Next()
			if !ok {
				break
			}
			n++
		}
		if valid && binary.LittleEndian.Uint16(zl[8:]) != 0xFFFF && n != int(binary.LittleEndian.Uint16(zl[8:])) {
			t.Fatalf("valid ziplist: iterated %d", n)
		}
	})
}
