package types

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// HyperLogLog in Redis 7.0's own string representation, so that GET, SET,
// DUMP and RESTORE of an HLL interoperate with Redis byte for byte.
//
// A value is a 16-byte header followed by the registers:
//
//	"HYLL" | encoding (0 dense, 1 sparse) | 3 unused | cached cardinality
//
// The cardinality is 8 bytes little endian; the top bit of its last byte
// set means the cache is stale. Dense values hold 16384 6-bit registers,
// least significant bits first. Sparse values hold run-length opcodes:
//
//	00xxxxxx           ZERO:  xxxxxx+1 zero registers (1..64)
//	01xxxxxx yyyyyyyy  XZERO: xxxxxxyyyyyyyy+1 zero registers (1..16384)
//	1vvvvvxx           VAL:   xx+1 registers (1..4) of value vvvvv+1 (1..32)
//
// Every function here takes and returns the whole string value; those
// that may grow it return the (possibly reallocated) slice.

// HyperLogLog layout constants.
const (
	HLLHeaderSize = 16                                           // "HYLL", encoding, unused, cardinality
	HLLRegisters  = 1 << hllP                                    // number of registers
	HLLDenseSize  = HLLHeaderSize + HLLRegisters*6/8             // length of a dense value
	HLLDense      = 0                                            // encoding byte of a dense value
	HLLSparse     = 1                                            // encoding byte of a sparse value
	hllP          = 14                                           // register index bits
	hllQ          = 64 - hllP                                    // bits left for the run of zeros
	hllRegMax     = 63                                           // largest 6-bit register value
	hllSparseMaxV = 32                                           // largest value a VAL opcode holds
	hllSparseMaxL = 4                                            // longest run of one VAL opcode
	hllZeroMaxLen = 64                                           // longest run of one ZERO opcode
	hllXZeroMax   = 16384                                        // longest run of one XZERO opcode
	hllAlphaInf   = 0.721347520444481703680                      // 1 / (2 ln 2)
	hllSeed       = 0xadc83b19                                   // MurmurHash64A seed of element hashing
	hllCacheByte  = 15                                           // byte holding the stale-cache flag
	hllStaleFlag  = 0x80                                         // the stale-cache flag
	hllEncByte    = 4                                            // byte holding the encoding
	hllCardOffset = 8                                            // offset of the cached cardinality
	hllRegsOffset = HLLHeaderSize                                // offset of the registers / opcodes
	hllNewLen     = HLLHeaderSize + 2*(HLLRegisters/hllXZeroMax) // a fresh sparse value
)

// NewHLL returns an empty HLL as PFADD creates it: sparse, one XZERO
// opcode covering every register, cached cardinality 0 and valid.
func NewHLL() []byte {
	b := make([]byte, hllNewLen, hllNewLen+8)
	copy(b, "HYLL")
	b[hllEncByte] = HLLSparse
	b[HLLHeaderSize] = 0x40 | byte((hllXZeroMax-1)>>8)
	b[HLLHeaderSize+1] = byte((hllXZeroMax - 1) & 0xff)
	return b
}

// HLLValid reports whether a string value is an HLL as PFADD and friends
// accept it (isHLLObjectOrReply): the magic, a known encoding, and the
// exact length when dense. Sparse opcodes are checked only when used.
func HLLValid(b []byte) bool {
	if len(b) < HLLHeaderSize || string(b[:4]) != "HYLL" || b[hllEncByte] > HLLSparse {
		return false
	}
	return b[hllEncByte] != HLLDense || len(b) == HLLDenseSize
}

// HLLIsSparse reports whether a valid HLL uses the sparse encoding.
func HLLIsSparse(b []byte) bool { return b[hllEncByte] == HLLSparse }

// HLLCachedCard returns the cached cardinality and whether it is valid.
func HLLCachedCard(b []byte) (uint64, bool) {
	if b[hllCacheByte]&hllStaleFlag != 0 {
		return 0, false
	}
	return binary.LittleEndian.Uint64(b[hllCardOffset:]), true
}

// HLLSetCachedCard stores card as the cached cardinality (valid).
func HLLSetCachedCard(b []byte, card uint64) {
	binary.LittleEndian.PutUint64(b[hllCardOffset:], card)
}

// HLLInvalidateCache marks the cached cardinality stale.
func HLLInvalidateCache(b []byte) { b[hllCacheByte] |= hllStaleFlag }

// MurmurHash64A is Austin Appleby's 64-bit hash for 64-bit platforms, as
// Redis uses it for HLL elements (little-endian word reads).
func MurmurHash64A(key []byte, seed uint32) uint64 {
	const m = 0xc6a4a7935bd1e995
	const r = 47
	h := uint64(seed) ^ uint64(len(key))*m
	for len(key) >= 8 {
		k := binary.LittleEndian.Uint64(key)
		k *= m
		k ^= k >> r
		k *= m
		h ^= k
		h *= m
		key = key[8:]
	}
	if len(key) > 0 {
		for i := len(key) - 1; i >= 0; i-- {
			h ^= uint64(key[i]) << (8 * uint(i))
		}
		h *= m
	}
	h ^= h >> r
	h *= m
	h ^= h >> r
	return h
}

// HLLPatLen returns the register an element maps to and the value it
// proposes: the length of the run of zero bits after the index bits, plus
// one (1..51).
func HLLPatLen(ele []byte) (index int, count uint8) {
	h := MurmurHash64A(ele, hllSeed)
	index = int(h & (HLLRegisters - 1))
	h >>= hllP
	h |= 1 << hllQ
	return index, uint8(bits.TrailingZeros64(h) + 1)
}

// HLLAdd adds ele to the HLL b and returns the value (reallocated when it
// grew or became dense), whether a register changed, and ok=false when a
// sparse value is corrupt. A sparse value longer than sparseMax bytes
// after the change is converted to dense (hll-sparse-max-bytes).
func HLLAdd(b, ele []byte, sparseMax int) (out []byte, changed bool, ok bool) {
	index, count := HLLPatLen(ele)
	return HLLSetRegister(b, index, count, sparseMax)
}

// HLLSetRegister raises register index of b to count if it is lower, as
// HLLAdd does after hashing.
func HLLSetRegister(b []byte, index int, count uint8, sparseMax int) (out []byte, changed bool, ok bool) {
	if b[hllEncByte] == HLLDense {
		return b, hllDenseSet(b[hllRegsOffset:], index, count), true
	}
	return hllSparseSet(b, index, count, sparseMax)
}

// hllDenseGet returns register i of the dense registers regs. The byte
// after the last register is read as zero, as the sds terminator is.
func hllDenseGet(regs []byte, i int) uint8 {
	byteIdx := i * 6 / 8
	fb := uint(i*6) & 7
	b0 := uint(regs[byteIdx])
	var b1 uint
	if byteIdx+1 < len(regs) {
		b1 = uint(regs[byteIdx+1])
	}
	return uint8((b0>>fb | b1<<(8-fb)) & hllRegMax)
}

// hllDenseWrite sets register i of regs to v.
func hllDenseWrite(regs []byte, i int, v uint8) {
	byteIdx := i * 6 / 8
	fb := uint(i*6) & 7
	fb8 := 8 - fb
	regs[byteIdx] &^= byte(hllRegMax << fb)
	regs[byteIdx] |= v << fb
	if byteIdx+1 < len(regs) {
		regs[byteIdx+1] &^= byte(hllRegMax >> fb8)
		regs[byteIdx+1] |= v >> fb8
	}
}

// hllDenseSet raises register i to v, reporting whether it changed.
func hllDenseSet(regs []byte, i int, v uint8) bool {
	if v > hllDenseGet(regs, i) {
		hllDenseWrite(regs, i, v)
		return true
	}
	return false
}

// Sparse opcode helpers.

func hllIsZero(op byte) bool  { return op&0xc0 == 0 }
func hllIsXZero(op byte) bool { return op&0xc0 == 0x40 }
func hllIsVal(op byte) bool   { return op&0x80 != 0 }

func hllValValue(op byte) uint8 { return (op>>2)&0x1f + 1 }
func hllValLen(op byte) int     { return int(op&3) + 1 }
func hllZeroLen(op byte) int    { return int(op&0x3f) + 1 }

// hllXZeroLen reads the run of the XZERO opcode at p; a second byte past
// the end reads as zero (the sds terminator).
func hllXZeroLen(b []byte, p int) int {
	var lo int
	if p+1 < len(b) {
		lo = int(b[p+1])
	}
	return (int(b[p]&0x3f)<<8 | lo) + 1
}

func hllValOp(v uint8, n int) byte { return byte(int(v-1)<<2|(n-1)) | 0x80 }

// hllAppendZeros appends the ZERO or XZERO opcode for a run of n zeros.
func hllAppendZeros(seq []byte, n int) []byte {
	if n > hllZeroMaxLen {
		n--
		return append(seq, 0x40|byte(n>>8), byte(n&0xff))
	}
	return append(seq, byte(n-1))
}

// hllSparseSet is hllSparseSet of hyperloglog.c: find the opcode covering
// index, split it around the new VAL, merge equal neighbouring VALs, and
// convert to dense when the value would outgrow sparseMax or count does
// not fit a VAL opcode. The exact opcode sequence matters: it is what GET
// returns.
func hllSparseSet(b []byte, index int, count uint8, sparseMax int) ([]byte, bool, bool) {
	if count > hllSparseMaxV {
		return hllPromoteSet(b, index, count)
	}
	end := len(b)
	p, prev := hllRegsOffset, -1
	first, span := 0, 0
	for p < end {
		oplen := 1
		op := b[p]
		switch {
		case hllIsZero(op):
			span = hllZeroLen(op)
		case hllIsVal(op):
			span = hllValLen(op)
		default:
			span = hllXZeroLen(b, p)
			oplen = 2
		}
		if index <= first+span-1 {
			break
		}
		prev = p
		p += oplen
		first += span
	}
	if span == 0 || p >= end {
		return b, false, false
	}
	op := b[p]
	runlen := span
	switch {
	case hllIsVal(op):
		old := hllValValue(op)
		if old >= count {
			return b, false, true
		}
		if runlen == 1 {
			b[p] = hllValOp(count, 1)
			return hllSparseMerge(b, prev), true, true
		}
	case hllIsZero(op) && runlen == 1:
		b[p] = hllValOp(count, 1)
		return hllSparseMerge(b, prev), true, true
	}

	// General case: split the opcode into up to three.
	var buf [5]byte
	seq := buf[:0]
	last := first + span - 1
	if hllIsVal(op) {
		cur := hllValValue(op)
		if index != first {
			seq = append(seq, hllValOp(cur, index-first))
		}
		seq = append(seq, hllValOp(count, 1))
		if index != last {
			seq = append(seq, hllValOp(cur, last-index))
		}
	} else {
		if index != first {
			seq = hllAppendZeros(seq, index-first)
		}
		seq = append(seq, hllValOp(count, 1))
		if index != last {
			seq = hllAppendZeros(seq, last-index)
		}
	}
	oldlen := 1
	if hllIsXZero(op) {
		oldlen = 2
	}
	next := p + oldlen
	delta := len(seq) - oldlen
	if delta > 0 && len(b)+delta > sparseMax {
		return hllPromoteSet(b, index, count)
	}
	switch {
	case next > end:
		// A corrupt value ending in the first byte of an XZERO: Redis
		// writes the new sequence there but grows the length by delta
		// only, so the last byte of the sequence is lost.
		b = append(b[:p], seq...)[:end+delta]
		return hllSparseMerge(b, prev), true, true
	case delta > 0:
		b = append(b, seq[:delta]...)
		copy(b[next+delta:], b[next:end])
	case delta < 0:
		copy(b[next+delta:], b[next:end])
		b = b[:end+delta]
	}
	copy(b[p:], seq)
	return hllSparseMerge(b, prev), true, true
}

// hllSparseMerge joins adjacent VAL opcodes of equal value whose runs fit
// one opcode, scanning up to five opcodes from prev (or the first one),
// and marks the cached cardinality stale.
func hllSparseMerge(b []byte, prev int) []byte {
	p := prev
	if p < 0 {
		p = hllRegsOffset
	}
	for scan := 5; p < len(b) && scan > 0; scan-- {
		op := b[p]
		if hllIsXZero(op) {
			p += 2
			continue
		}
		if hllIsZero(op) {
			p++
			continue
		}
		if p+1 < len(b) && hllIsVal(b[p+1]) {
			v := hllValValue(op)
			n := hllValLen(op) + hllValLen(b[p+1])
			if v == hllValValue(b[p+1]) && n <= hllSparseMaxL {
				b[p+1] = hllValOp(v, n)
				copy(b[p:], b[p+1:])
				b = b[:len(b)-1]
				continue
			}
		}
		p++
	}
	HLLInvalidateCache(b)
	return b
}

// hllPromoteSet converts b to dense and sets the register there.
func hllPromoteSet(b []byte, index int, count uint8) ([]byte, bool, bool) {
	d, ok := HLLToDense(b)
	if !ok {
		return b, false, false
	}
	hllDenseSet(d[hllRegsOffset:], index, count)
	return d, true, true
}

// HLLToDense returns b in the dense encoding (b itself when already
// dense), keeping the header and its cached cardinality; ok=false when the
// sparse opcodes do not describe exactly 16384 registers.
func HLLToDense(b []byte) ([]byte, bool) {
	if b[hllEncByte] == HLLDense {
		return b, true
	}
	d := make([]byte, HLLDenseSize)
	copy(d, b[:HLLHeaderSize])
	d[hllEncByte] = HLLDense
	regs := d[hllRegsOffset:]
	idx := 0
	for p := hllRegsOffset; p < len(b); {
		op := b[p]
		switch {
		case hllIsZero(op):
			idx += hllZeroLen(op)
			p++
		case hllIsXZero(op):
			idx += hllXZeroLen(b, p)
			p += 2
		default:
			n, v := hllValLen(op), hllValValue(op)
			if idx+n > HLLRegisters {
				return b, false
			}
			for ; n > 0; n-- {
				hllDenseWrite(regs, idx, v)
				idx++
			}
			p++
		}
		if idx > HLLRegisters {
			return b, false
		}
	}
	if idx != HLLRegisters {
		return b, false
	}
	return d, true
}

// HLLMergeInto raises max[i] to register i of b for every register (the
// union step of PFCOUNT with several keys and PFMERGE); ok=false when a
// sparse value is corrupt.
func HLLMergeInto(max *[HLLRegisters]uint8, b []byte) bool {
	if b[hllEncByte] == HLLDense {
		regs := b[hllRegsOffset:]
		for i := range max {
			if v := hllDenseGet(regs, i); v > max[i] {
				max[i] = v
			}
		}
		return true
	}
	i := 0
	for p := hllRegsOffset; p < len(b); {
		op := b[p]
		switch {
		case hllIsZero(op):
			i += hllZeroLen(op)
			p++
		case hllIsXZero(op):
			i += hllXZeroLen(b, p)
			p += 2
		default:
			n, v := hllValLen(op), hllValValue(op)
			if i+n > HLLRegisters {
				return false
			}
			for ; n > 0; n-- {
				if v > max[i] {
					max[i] = v
				}
				i++
			}
			p++
		}
		if i > HLLRegisters {
			return false
		}
	}
	return i == HLLRegisters
}

// HLLRegisterValues writes every register of the dense HLL b into out.
func HLLRegisterValues(b []byte, out *[HLLRegisters]uint8) {
	regs := b[hllRegsOffset:]
	for i := range out {
		out[i] = hllDenseGet(regs, i)
	}
}

// HLLCount estimates the cardinality of b from its registers, ignoring
// the cache; ok=false when sparse opcodes do not cover exactly 16384
// registers.
func HLLCount(b []byte) (card uint64, ok bool) {
	var histo [64]int
	if b[hllEncByte] == HLLDense {
		regs := b[hllRegsOffset:HLLDenseSize]
		// Four 6-bit registers in every three bytes.
		for j := 0; j < len(regs); j += 3 {
			w := uint(regs[j]) | uint(regs[j+1])<<8 | uint(regs[j+2])<<16
			histo[w&63]++
			histo[w>>6&63]++
			histo[w>>12&63]++
			histo[w>>18&63]++
		}
		return hllEstimate(&histo), true
	}
	idx := 0
	for p := hllRegsOffset; p < len(b); {
		op := b[p]
		switch {
		case hllIsZero(op):
			n := hllZeroLen(op)
			idx += n
			histo[0] += n
			p++
		case hllIsXZero(op):
			n := hllXZeroLen(b, p)
			idx += n
			histo[0] += n
			p += 2
		default:
			n := hllValLen(op)
			idx += n
			histo[hllValValue(op)] += n
			p++
		}
	}
	return hllEstimate(&histo), idx == HLLRegisters
}

// HLLCountRegisters estimates the cardinality of plain register values
// (the merged registers of PFCOUNT with several keys).
func HLLCountRegisters(regs *[HLLRegisters]uint8) uint64 {
	var histo [64]int
	for _, v := range regs {
		histo[v&63]++
	}
	return hllEstimate(&histo)
}

// hllEstimate is Otmar Ertl's improved raw estimator ("New cardinality
// estimation algorithms for HyperLogLog sketches", arXiv:1702.01284), the
// one Redis uses since 5.0, evaluated in the same order so the rounded
// result is identical. Explicit float64 conversions keep the compiler
// from fusing multiply-adds, which would change the last bits.
func hllEstimate(histo *[64]int) uint64 {
	const m = float64(HLLRegisters)
	z := float64(m * hllTau(float64(m-float64(histo[hllQ+1]))/m))
	for j := hllQ; j >= 1; j-- {
		z += float64(histo[j])
		z *= 0.5
	}
	z += float64(m * hllSigma(float64(histo[0])/m))
	return uint64(int64(math.Round(float64(float64(hllAlphaInf*m)*m) / z)))
}

// hllSigma is the sigma function of Ertl's estimator.
func hllSigma(x float64) float64 {
	if x == 1 {
		return math.Inf(1)
	}
	y, z := 1.0, x
	for {
		x *= x
		prev := z
		z += float64(x * y)
		y += y
		if prev == z {
			return z
		}
	}
}

// hllTau is the tau function of Ertl's estimator.
func hllTau(x float64) float64 {
	if x == 0 || x == 1 {
		return 0
	}
	y, z := 1.0, 1-x
	for {
		x = math.Sqrt(x)
		prev := z
		y *= 0.5
		d := 1 - x
		z -= float64(float64(d*d) * y)
		if prev == z {
			return z / 3
		}
	}
}

// HLLAppendDecode appends the opcodes of the sparse HLL b as PFDEBUG
// DECODE prints them ("Z:8436 v:1,1 z:3"), separated by spaces.
func HLLAppendDecode(dst, b []byte) []byte {
	for p := hllRegsOffset; p < len(b); {
		if p > hllRegsOffset {
			dst = append(dst, ' ')
		}
		op := b[p]
		switch {
		case hllIsZero(op):
			dst = append(dst, "z:"...)
			dst = strconv.AppendInt(dst, int64(hllZeroLen(op)), 10)
			p++
		case hllIsXZero(op):
			dst = append(dst, "Z:"...)
			dst = strconv.AppendInt(dst, int64(hllXZeroLen(b, p)), 10)
			p += 2
		default:
			dst = append(dst, "v:"...)
			dst = strconv.AppendInt(dst, int64(hllValValue(op)), 10)
			dst = append(dst, ',')
			dst = strconv.AppendInt(dst, int64(hllValLen(op)), 10)
			p++
		}
	}
	return dst
}

// HLLSelfTest checks the register packing and the encodings against each
// other (PFSELFTEST): every dense register is written and read back with
// pseudo-random values, and a sparse and a dense HLL fed the same elements
// must hold the same registers and estimate, within the expected error, the
// true cardinality.
func HLLSelfTest() bool {
	seed := uint64(0x9e3779b97f4a7c15)
	next := func() uint64 {
		seed ^= seed << 13
		seed ^= seed >> 7
		seed ^= seed << 17
		return seed
	}
	regs := make([]byte, HLLDenseSize-HLLHeaderSize)
	var want [HLLRegisters]uint8
	for round := 0; round < 4; round++ {
		for i := range want {
			want[i] = uint8(next() & hllRegMax)
			hllDenseWrite(regs, i, want[i])
		}
		for i := range want {
			if hllDenseGet(regs, i) != want[i] {
				return false
			}
		}
	}
	sparse, dense := NewHLL(), NewHLL()
	dense, _ = HLLToDense(dense)
	var ele [8]byte
	var got, ref [HLLRegisters]uint8
	for n := 1; n <= 100000; n++ {
		binary.LittleEndian.PutUint64(ele[:], next())
		var ok bool
		if sparse, _, ok = HLLAdd(sparse, ele[:], 3000); !ok {
			return false
		}
		dense, _, _ = HLLAdd(dense, ele[:], 3000)
		if n&(n-1) != 0 && n%10000 != 0 {
			continue
		}
		c1, ok1 := HLLCount(sparse)
		c2, _ := HLLCount(dense)
		if !ok1 || c1 != c2 {
			return false
		}
		// 1.04/sqrt(m) is 0.81%; allow five standard errors, and a small
		// absolute slack for tiny sets.
		if diff := math.Abs(float64(c2) - float64(n)); diff > float64(n)*0.0406+2 {
			return false
		}
	}
	clear(got[:])
	clear(ref[:])
	return HLLMergeInto(&got, sparse) && HLLMergeInto(&ref, dense) && got == ref
}
