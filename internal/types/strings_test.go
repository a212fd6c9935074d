package types

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// naiveBits returns the bits of b, most significant first.
func naiveBits(b []byte) []byte {
	var out []byte
	for _, c := range b {
		for i := 7; i >= 0; i-- {
			out = append(out, c>>uint(i)&1)
		}
	}
	return out
}

func TestCountBitsAndFindBit(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	for n := 1; n < 40; n++ {
		b := make([]byte, n)
		rng.Read(b)
		if n%5 == 0 {
			clear(b[1:])
		}
		bs := naiveBits(b)
		for range 50 {
			s := rng.Int63n(int64(len(bs)))
			e := s + rng.Int63n(int64(len(bs))-s)
			var count int64
			first := [2]int64{-1, -1}
			for i := s; i <= e; i++ {
				count += int64(bs[i])
				if first[bs[i]] == -1 {
					first[bs[i]] = i
				}
			}
			if got := CountBits(b, s, e); got != count {
				t.Fatalf("CountBits(%x, %d, %d) = %d, want %d", b, s, e, got, count)
			}
			for bit := byte(0); bit < 2; bit++ {
				if got := FindBit(b, bit, s, e); got != first[bit] {
					t.Fatalf("FindBit(%x, %d, %d, %d) = %d, want %d", b, bit, s, e, got, first[bit])
				}
			}
		}
	}
}

func TestBitfieldGetSet(t *testing.T) {
	for _, tc := range []struct {
		in    []byte
		off   uint64
		width int
		get   uint64
		set   uint64
		after []byte
	}{
		{[]byte{0x80}, 0, 1, 1, 0, []byte{0x00}},
		{[]byte{0x0f}, 4, 4, 0xf, 0x5, []byte{0x05}},
		{[]byte{0x12, 0x34}, 4, 8, 0x23, 0xab, []byte{0x1a, 0xb4}},
		{[]byte{0xff, 0xff}, 15, 1, 1, 0, []byte{0xff, 0xfe}},
		{[]byte{1, 2, 3, 4, 5, 6, 7, 8, 9}, 8, 64, 0x0203040506070809, 0, []byte{1, 0, 0, 0, 0, 0, 0, 0, 0}},
	} {
		b := slices.Clone(tc.in)
		if got := GetBitfield(b, tc.off, tc.width); got != tc.get {
			t.Errorf("GetBitfield(%x, %d, %d) = %#x, want %#x", tc.in, tc.off, tc.width, got, tc.get)
		}
		SetBitfield(b, tc.off, tc.width, tc.set)
		if !slices.Equal(b, tc.after) {
			t.Errorf("SetBitfield(%x, %d, %d, %#x) = %x, want %x", tc.in, tc.off, tc.width, tc.set, b, tc.after)
		}
	}
	// Bits past the end read as zero.
	if got := GetBitfield([]byte{0xff}, 4, 8); got != 0xf0 {
		t.Errorf("GetBitfield past end = %#x, want 0xf0", got)
	}
	if got := GetBit(nil, 1000); got != 0 {
		t.Errorf("GetBit(nil) = %d", got)
	}
}

func TestSignExtend(t *testing.T) {
	for _, tc := range []struct {
		v     uint64
		width int
		want  int64
	}{
		{0xff, 8, -1}, {0x7f, 8, 127}, {0x80, 8, -128}, {1, 1, -1}, {0, 1, 0},
		{math.MaxUint64, 64, -1}, {5, 4, 5}, {0xc8, 8, -56},
	} {
		if got := SignExtend(tc.v, tc.width); got != tc.want {
			t.Errorf("SignExtend(%#x, %d) = %d, want %d", tc.v, tc.width, got, tc.want)
		}
	}
}

func TestSignedField(t *testing.T) {
	for _, tc := range []struct {
		value, incr int64
		width       int
		ow          Overflow
		want        int64
		overflow    bool
	}{
		{100, 27, 8, OverflowSat, 127, false},
		{100, 28, 8, OverflowSat, 127, true},
		{100, 28, 8, OverflowWrap, -128, true},
		{-100, -1000, 8, OverflowSat, -128, true},
		{-100, -29, 8, OverflowWrap, 127, true},
		{200, 0, 8, OverflowWrap, -56, true},
		{200, 0, 8, OverflowSat, 127, true},
		// As in Redis, the wrapped difference sends -2^63 to the maximum.
		{math.MinInt64, 0, 8, OverflowSat, 127, true},
		{math.MinInt64 + 1000, 0, 8, OverflowSat, -128, true},
		{math.MaxInt64, math.MaxInt64, 64, OverflowSat, math.MaxInt64, true},
		{math.MaxInt64, math.MaxInt64, 64, OverflowWrap, -2, true},
		{-1, math.MinInt64, 64, OverflowSat, math.MinInt64, true},
		{-1, 1, 64, OverflowSat, 0, false},
		{0, -1, 1, OverflowFail, -1, false},
		{-1, -1, 1, OverflowWrap, 0, true},
	} {
		got, of := SignedField(tc.value, tc.incr, tc.width, tc.ow)
		if of != tc.overflow || (tc.ow != OverflowFail || !of) && got != tc.want {
			t.Errorf("SignedField(%d, %d, %d, %d) = %d, %v; want %d, %v",
				tc.value, tc.incr, tc.width, tc.ow, got, of, tc.want, tc.overflow)
		}
	}
}

func TestUnsignedField(t *testing.T) {
	for _, tc := range []struct {
		value    uint64
		incr     int64
		width    int
		ow       Overflow
		want     uint64
		overflow bool
	}{
		{250, 5, 8, OverflowSat, 255, false},
		{250, 6, 8, OverflowSat, 255, true},
		{250, 6, 8, OverflowWrap, 0, true},
		{3, -4, 8, OverflowSat, 0, true},
		{3, -4, 8, OverflowWrap, 255, true},
		{math.MaxUint64, 0, 8, OverflowSat, 255, true},
		{math.MaxUint64, 0, 8, OverflowWrap, 255, true},
		{0, math.MaxInt64, 63, OverflowSat, math.MaxInt64, false},
		{math.MaxInt64, 1, 63, OverflowSat, math.MaxInt64, true},
		{math.MaxInt64, math.MinInt64, 63, OverflowSat, 0, true},
		{0, -1, 63, OverflowWrap, math.MaxInt64, true},
	} {
		got, of := UnsignedField(tc.value, tc.incr, tc.width, tc.ow)
		if of != tc.overflow || got != tc.want {
			t.Errorf("UnsignedField(%d, %d, %d, %d) = %d, %v; want %d, %v",
				tc.value, tc.incr, tc.width, tc.ow, got, of, tc.want, tc.overflow)
		}
	}
}

func TestApplyBitOp(t *testing.T) {
	a, b := []byte{0x0f, 0xf0, 0x55}, []byte{0xff, 0x00}
	for _, tc := range []struct {
		op   BitOp
		srcs [][]byte
		want []byte
	}{
		{BitAnd, [][]byte{a, b}, []byte{0x0f, 0x00, 0x00}},
		{BitOr, [][]byte{a, b}, []byte{0xff, 0xf0, 0x55}},
		{BitXor, [][]byte{a, b, nil}, []byte{0xf0, 0xf0, 0x55}},
		{BitNot, [][]byte{a}, []byte{0xf0, 0x0f, 0xaa}},
		{BitAnd, [][]byte{a, nil}, []byte{0, 0, 0}},
		{BitAnd, [][]byte{nil}, []byte{}},
		{BitOr, [][]byte{a}, a},
	} {
		if got := ApplyBitOp(nil, tc.op, tc.srcs); !slices.Equal(got, tc.want) {
			t.Errorf("ApplyBitOp(%d, %x) = %x, want %x", tc.op, tc.srcs, got, tc.want)
		}
	}
}

func TestLCS(t *testing.T) {
	for _, tc := range []struct {
		a, b    string
		seq     string
		matches []LCSMatch
	}{
		{"ohmytext", "mynewtext", "mytext", []LCSMatch{{4, 7, 5, 8}, {2, 3, 0, 1}}},
		{"abcXdefYghi", "abcdefghi", "abcdefghi", []LCSMatch{{8, 10, 6, 8}, {4, 6, 3, 5}, {0, 2, 0, 2}}},
		{"abc", "", "", nil},
		{"", "", "", nil},
		{"abc", "xyz", "", nil},
		{"aaaa", "aa", "aa", []LCSMatch{{2, 3, 0, 1}}},
		{"ab", "ba", "b", []LCSMatch{{1, 1, 0, 0}}},
	} {
		n, seq, m := LCS([]byte(tc.a), []byte(tc.b), true, true)
		if n != len(tc.seq) || string(seq) != tc.seq || !slices.Equal(m, tc.matches) {
			t.Errorf("LCS(%q, %q) = %d %q %v, want %q %v", tc.a, tc.b, n, seq, m, tc.seq, tc.matches)
		}
		if n2, s2, m2 := LCS([]byte(tc.a), []byte(tc.b), false, false); n2 != n || s2 != nil || m2 != nil {
			t.Errorf("LCS(%q, %q) length only = %d %q %v", tc.a, tc.b, n2, s2, m2)
		}
	}
	if got := LCSTableBytes(2, 3); got != 48 {
		t.Errorf("LCSTableBytes(2, 3) = %d", got)
	}
}
