package encoding

import (
	"bytes"
	"encoding/hex"
	"testing"
)

func TestIntsetMatchesRedis(t *testing.T) {
	tests := []struct {
		dump string
		vals []int64
	}{
		{"intset16", []int64{1, 2, 3}},
		{"intset32", []int64{-5, 1, 70000}},
		{"intset64", []int64{-5, 1, 7000000000}},
	}
	for _, tt := range tests {
		p, _ := hex.DecodeString(dumpPayloads[tt.dump])
		is, _, _ := rdbString(t, p, 1)
		if err := IntsetValidate(is); err != nil {
			t.Fatalf("%s: %v", tt.dump, err)
		}
		if got := IntsetFromSorted(nil, tt.vals); !bytes.Equal(got, is) {
			t.Errorf("%s: built %x, redis %x", tt.dump, got, is)
		}
		if IntsetLen(is) != len(tt.vals) {
			t.Errorf("%s: len %d", tt.dump, IntsetLen(is))
		}
		for i, v := range tt.vals {
			if IntsetAt(is, i) != v {
				t.Errorf("%s[%d] = %d", tt.dump, i, IntsetAt(is, i))
			}
		}
	}
}

func TestIntsetEncodingChoice(t *testing.T) {
	tests := []struct {
		vals []int64
		enc  byte
	}{
		{nil, 2},
		{[]int64{-32768, 32767}, 2},
		{[]int64{-32769}, 4},
		{[]int64{32768}, 4},
		{[]int64{-2147483648, 2147483647}, 4},
		{[]int64{2147483648}, 8},
		{[]int64{-2147483649, 0}, 8},
	}
	for _, tt := range tests {
		if got := IntsetFromSorted(nil, tt.vals); got[0] != tt.enc {
			t.Errorf("%v: encoding %d, want %d", tt.vals, got[0], tt.enc)
		}
	}
}

func TestIntsetValidateRejects(t *testing.T) {
	tests := map[string][]byte{
		"short":        {2, 0, 0, 0},
		"bad encoding": {3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0},
		"empty":        {2, 0, 0, 0, 0, 0, 0, 0},
		"size":         {2, 0, 0, 0, 2, 0, 0, 0, 1, 0},
		"unsorted":     {2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0},
		"duplicate":    {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 1, 0},
		"huge length":  {8, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF},
	}
	for name, is := range tests {
		if IntsetValidate(is) == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func FuzzIntsetValidate(f *testing.F) {
	for _, name := range []string{"intset16", "intset32", "intset64"} {
		p, _ := hex.DecodeString(dumpPayloads[name])
		f.Add(p[2 : len(p)-10])
	}
	f.Fuzz(func(t *testing.T, is []byte) {
		if IntsetValidate(is) != nil {
			return
		}
		vals := make([]int64, IntsetLen(is))
		for i := range vals {
			vals[i] = IntsetAt(is, i)
		}
		if IntsetValidate(IntsetFromSorted(nil, vals)) != nil {
			t.Fatal("rebuilt intset invalid")
		}
	})
}
