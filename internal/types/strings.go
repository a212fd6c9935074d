package types

import "math/bits"

// Bit helpers for the string commands. Bits are numbered as Redis numbers
// them: bit 0 is the most significant bit of byte 0, so a string reads as
// one long big-endian bit array. Bits past the end of a string read as 0.

// CountBits returns the number of set bits of b in the inclusive bit range
// [start, end], which must lie inside b (BITCOUNT).
func CountBits(b []byte, start, end int64) int64 {
	if start > end {
		return 0
	}
	first, last := start>>3, end>>3
	// Bits of the first byte before start and of the last byte after end
	// are masked out.
	headMask := byte(0xff >> uint(start&7))
	tailMask := byte(0xff << uint(7-end&7))
	if first == last {
		return int64(bits.OnesCount8(b[first] & headMask & tailMask))
	}
	n := bits.OnesCount8(b[first]&headMask) + bits.OnesCount8(b[last]&tailMask)
	mid := b[first+1 : last]
	for len(mid) >= 8 {
		n += bits.OnesCount64(uint64(mid[0]) | uint64(mid[1])<<8 | uint64(mid[2])<<16 |
			uint64(mid[3])<<24 | uint64(mid[4])<<32 | uint64(mid[5])<<40 |
			uint64(mid[6])<<48 | uint64(mid[7])<<56)
		mid = mid[8:]
	}
	for _, c := range mid {
		n += bits.OnesCount8(c)
	}
	return int64(n)
}

// FindBit returns the position of the first bit equal to bit (0 or 1) in
// the inclusive bit range [start, end] of b, which must lie inside b, or -1
// when there is none (BITPOS).
func FindBit(b []byte, bit byte, start, end int64) int64 {
	if start > end {
		return -1
	}
	// Looking for a 0 is looking for a 1 in the complement.
	var flip byte
	if bit == 0 {
		flip = 0xff
	}
	first, last := start>>3, end>>3
	for i := first; i <= last; i++ {
		c := b[i] ^ flip
		if i == first {
			c &= 0xff >> uint(start&7)
		}
		if i == last {
			c &= 0xff << uint(7-end&7)
		}
		if c != 0 {
			return i<<3 + int64(bits.LeadingZeros8(c))
		}
	}
	return -1
}

// GetBit returns bit off of b (0 past the end).
func GetBit(b []byte, off uint64) byte {
	i := off >> 3
	if i >= uint64(len(b)) {
		return 0
	}
	return b[i] >> (7 - off&7) & 1
}

// SetBit sets bit off of b, which must be long enough, to v (0 or 1) and
// returns the previous value.
func SetBit(b []byte, off uint64, v byte) byte {
	i := off >> 3
	shift := 7 - off&7
	old := b[i] >> shift & 1
	b[i] = b[i]&^(1<<shift) | v<<shift
	return old
}

// GetBitfield reads the width-bit unsigned field at bit offset off of b
// (1 <= width <= 64); bits past the end of b read as 0.
func GetBitfield(b []byte, off uint64, width int) uint64 {
	var v uint64
	for i := 0; i < width; i++ {
		v = v<<1 | uint64(GetBit(b, off+uint64(i)))
	}
	return v
}

// SetBitfield writes the low width bits of v at bit offset off of b, which
// must be long enough.
func SetBitfield(b []byte, off uint64, width int, v uint64) {
	for i := 0; i < width; i++ {
		SetBit(b, off+uint64(i), byte(v>>uint(width-1-i)&1))
	}
}

// SignExtend reads the low width bits of v as a two's complement number.
func SignExtend(v uint64, width int) int64 {
	if width == 64 {
		return int64(v)
	}
	shift := uint(64 - width)
	return int64(v<<shift) >> shift
}

// Overflow is a BITFIELD OVERFLOW policy.
type Overflow uint8

// BITFIELD overflow policies.
const (
	OverflowWrap Overflow = iota // wrap around, two's complement style
	OverflowSat                  // saturate at the type's minimum or maximum
	OverflowFail                 // refuse the write and reply nil
)

// SignedField adds incr to value for a signed field of width bits
// (1..64) and reports the stored result and whether it overflowed. It
// checks the range the way Redis's checkSignedBitfieldOverflow does,
// with 64-bit two's complement arithmetic, which decides a few corner
// cases of BITFIELD SET with out-of-range values (SET i8 with -2^63
// saturates to the maximum). On overflow the result follows ow; under
// OverflowFail it is meaningless.
func SignedField(value, incr int64, width int, ow Overflow) (int64, bool) {
	max := int64(1)<<uint(width-1) - 1
	if width == 64 {
		max = 1<<63 - 1
	}
	min := -max - 1
	// Both differences may wrap; they are only meaningful once value is
	// known to be in range, as in Redis.
	maxIncr := int64(uint64(max) - uint64(value))
	minIncr := min - value
	var limit int64
	switch {
	case value > max || (width != 64 && incr > maxIncr) || (value >= 0 && incr > 0 && incr > maxIncr):
		limit = max
	case value < min || (width != 64 && incr < minIncr) || (value < 0 && incr < 0 && incr < minIncr):
		limit = min
	default:
		return value + incr, false
	}
	if ow == OverflowWrap {
		return SignExtend(uint64(value)+uint64(incr), width), true
	}
	return limit, true
}

// UnsignedField is SignedField for an unsigned field of width bits
// (1..63); value is the field's current value (or, for SET, the new value
// as an unsigned 64-bit number).
func UnsignedField(value uint64, incr int64, width int, ow Overflow) (uint64, bool) {
	max := uint64(1)<<uint(width) - 1
	maxIncr := int64(max - value)
	minIncr := -int64(value)
	var limit uint64
	switch {
	case value > max || (incr > 0 && incr > maxIncr):
		limit = max
	case incr < 0 && incr < minIncr:
		limit = 0
	default:
		return value + uint64(incr), false
	}
	if ow == OverflowWrap {
		return (value + uint64(incr)) & max, true
	}
	return limit, true
}

// BitOp is a BITOP operation.
type BitOp uint8

// BITOP operations.
const (
	BitAnd BitOp = iota
	BitOr
	BitXor
	BitNot
)

// ApplyBitOp computes BITOP op over srcs into dst (reusing its capacity)
// and returns it. The result is as long as the longest source; shorter
// sources read as zero-padded. BitNot uses srcs[0] only.
func ApplyBitOp(dst []byte, op BitOp, srcs [][]byte) []byte {
	n := 0
	for _, s := range srcs {
		n = max(n, len(s))
	}
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	dst = dst[:n]
	if op == BitNot {
		for i, c := range srcs[0] {
			dst[i] = ^c
		}
		return dst
	}
	for i := range dst {
		var v byte
		for j, s := range srcs {
			var c byte
			if i < len(s) {
				c = s[i]
			}
			switch {
			case j == 0:
				v = c
			case op == BitAnd:
				v &= c
			case op == BitOr:
				v |= c
			default:
				v ^= c
			}
		}
		dst[i] = v
	}
	return dst
}

// LCSMatch is one matching range reported by LCS ... IDX: A and B are
// the inclusive byte ranges in the first and second string.
type LCSMatch struct {
	AStart, AEnd, BStart, BEnd int
}

// Len is the length of the match.
func (m LCSMatch) Len() int { return m.AEnd - m.AStart + 1 }

// LCSTableBytes is the transient memory LCS needs for strings of lengths
// la and lb, which Redis refuses beyond proto-max-bulk-len.
func LCSTableBytes(la, lb int) uint64 { return uint64(la+1) * uint64(lb+1) * 4 }

// LCS computes the longest common subsequence of a and b with the
// dynamic-programming table Redis uses and walks it back from the end the
// way Redis does (on a tie it steps back in b), so the subsequence chosen
// and the ranges reported are Redis's. It returns the length, the
// subsequence when wantSeq, and the matching ranges (last ones first)
// when wantMatches.
func LCS(a, b []byte, wantSeq, wantMatches bool) (n int, seq []byte, matches []LCSMatch) {
	w := len(b) + 1
	t := make([]uint32, (len(a)+1)*w)
	for i := 1; i <= len(a); i++ {
		row, prev := t[i*w:], t[(i-1)*w:]
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				row[j] = prev[j-1] + 1
			case prev[j] > row[j-1]:
				row[j] = prev[j]
			default:
				row[j] = row[j-1]
			}
		}
	}
	n = int(t[len(a)*w+len(b)])
	if !wantSeq && !wantMatches {
		return n, nil, nil
	}
	if wantSeq {
		seq = make([]byte, n)
	}
	k := n
	open := false
	var cur LCSMatch
	for i, j := len(a), len(b); i > 0 && j > 0; {
		if a[i-1] == b[j-1] {
			k--
			if wantSeq {
				seq[k] = a[i-1]
			}
			if open {
				cur.AStart, cur.BStart = i-1, j-1
			} else {
				cur = LCSMatch{AStart: i - 1, AEnd: i - 1, BStart: j - 1, BEnd: j - 1}
				open = true
			}
			i--
			j--
			if i == 0 || j == 0 {
				matches = append(matches, cur)
				open = false
			}
			continue
		}
		if t[(i-1)*w+j] > t[i*w+j-1] {
			i--
		} else {
			j--
		}
		if open {
			matches = append(matches, cur)
			open = false
		}
	}
	if !wantMatches {
		matches = nil
	}
	return n, seq, matches
}
