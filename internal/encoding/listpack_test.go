package encoding

import (
	"bytes"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
)

// listElems are the values pushed (RPUSH) into the list whose listpack is
// in testdata/listpack-list.hex, captured from redis-server 7.0.15.
func listElems() []string {
	return []string{"a", "1", "-1", "300", "70000", "hello", "-129", "127", "128",
		"4294967296", "-9223372036854775808", "9223372036854775807",
		"12345678901234567890", strings.Repeat("x", 64), strings.Repeat("y", 5000),
		"4095", "-4096", "8191", "32767", "-32768", "8388607", "-8388608", "0", "-0",
		"01", "", "-4097", "8192", "2147483648", "-2147483649"}
}

func checkLP(t *testing.T, lp []byte, want []string) {
	t.Helper()
	it := NewLPIter(lp)
	for i, w := range want {
		s, v, isInt, ok := it.Next()
		if !ok {
			t.Fatalf("entry %d missing", i)
		}
		if isInt {
			s = strconv.AppendInt(nil, v, 10)
		}
		if string(s) != w {
			t.Fatalf("entry %d = %q, want %q", i, s, w)
		}
	}
	if _, _, _, ok := it.Next(); ok {
		t.Fatal("extra entries")
	}
	if LPLen(lp) != len(want) {
		t.Fatalf("LPLen = %d, want %d", LPLen(lp), len(want))
	}
}

func TestListpackMatchesRedis(t *testing.T) {
	tests := []struct {
		name  string
		redis []byte
		elems []string
	}{
		{"list", readHex(t, "listpack-list.hex"), listElems()},
		{"hash", mustHex("1500000004008266310382763103826632030c01ff"), []string{"f1", "v1", "f2", "12"}},
		{"zset", mustHex("1a0000000600816302dffd0281610283312e35048162020201ff"), []string{"c", "-3", "a", "1.5", "b", "2"}},
	}
	for _, tt := range tests {
		lp := NewListpack()
		for _, e := range tt.elems {
			lp = LPAppend(lp, []byte(e))
		}
		if !bytes.Equal(lp, tt.redis) {
			t.Errorf("%s: built listpack differs from redis's:\n%x\n%x", tt.name, lp, tt.redis)
		}
		if err := LPValidate(tt.redis); err != nil {
			t.Errorf("%s: %v", tt.name, err)
		}
		checkLP(t, tt.redis, tt.elems)
	}
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestListpackIntBoundaries(t *testing.T) {
	vals := []int64{0, 127, 128, -1, -4096, 4095, 4096, -4097, -32768, 32767, 32768,
		-8388608, 8388607, 8388608, -2147483648, 2147483647, 2147483648,
		-9223372036854775808, 9223372036854775807}
	lp := NewListpack()
	for _, v := range vals {
		lp = LPAppendInt(lp, v)
	}
	if err := LPValidate(lp); err != nil {
		t.Fatal(err)
	}
	it := NewLPIter(lp)
	for _, w := range vals {
		_, v, isInt, ok := it.Next()
		if !ok || !isInt || v != w {
			t.Fatalf("got %d (%v %v), want %d", v, isInt, ok, w)
		}
	}
}

func TestListpackLongBacklen(t *testing.T) {
	for _, n := range []int{126, 127, 16380, 16381, 20000, 2100000} {
		v := bytes.Repeat([]byte{'z'}, n)
		lp := LPAppend(LPAppend(NewListpack(), v), []byte("tail"))
		if err := LPValidate(lp); err != nil {
			t.Fatalf("n=%d: %v", n, err)
		}
		checkLP(t, lp, []string{string(v), "tail"})
	}
}

func TestListpackValidateRejects(t *testing.T) {
	good := mustHex("1500000004008266310382763103826632030c01ff")
	mut := func(f func(b []byte) []byte) []byte {
		return f(append([]byte(nil), good...))
	}
	tests := map[string][]byte{
		"empty":          {},
		"short":          {7, 0, 0, 0, 0, 0},
		"bad total":      mut(func(b []byte) []byte { b[0]++; return b }),
		"no terminator":  mut(func(b []byte) []byte { b[len(b)-1] = 0; return b }),
		"bad count":      mut(func(b []byte) []byte { b[4] = 3; return b }),
		"bad backlen":    mut(func(b []byte) []byte { b[9] = 4; return b }),
		"bad encoding":   mut(func(b []byte) []byte { b[6] = 0xF5; return b }),
		"entry overruns": mut(func(b []byte) []byte { b[6] = 0xBF; return b }),
		"eof early":      mut(func(b []byte) []byte { b[10] = 0xFF; return b }),
	}
	for name, lp := range tests {
		if err := LPValidate(lp); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	unknown := mut(func(b []byte) []byte { b[4], b[5] = 0xFF, 0xFF; return b })
	if err := LPValidate(unknown); err != nil || LPLen(unknown) != 4 {
		t.Errorf("unknown count: %v, len %d", err, LPLen(unknown))
	}
}

func FuzzListpack(f *testing.F) {
	f.Add(readHex(f, "listpack-list.hex"))
	f.Add(mustHex("1500000004008266310382763103826632030c01ff"))
	f.Add(mustHex("1a0000000600816302dffd0281610283312e35048162020201ff"))
	f.Add(NewListpack())
	f.Fuzz(func(t *testing.T, lp []byte) {
		valid := LPValidate(lp) == nil
		it := NewLPIter(lp)
		n := 0
		for {
			_, _, _, ok := it.Next()
			if !ok {
				break
			}
			n++
		}
		if valid && n != LPLen(lp) {
			t.Fatalf("valid listpack: iterated %d, LPLen %d", n, LPLen(lp))
		}
		if valid {
			rebuilt := NewListpack()
			it = NewLPIter(lp)
			for {
				s, v, isInt, ok := it.Next()
				if !ok {
					break
				}
				if isInt {
					rebuilt = LPAppendInt(rebuilt, v)
				} else {
					rebuilt = LPAppend(rebuilt, s)
				}
			}
			if LPValidate(rebuilt) != nil {
				t.Fatal("rebuilt listpack invalid")
			}
		}
	})
}
