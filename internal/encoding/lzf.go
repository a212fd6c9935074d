package encoding

import (
	"errors"
	"sync"
)

// LZF limits, as liblzf (the copy Redis ships) defines them.
const (
	lzfMaxLit = 1 << 5
	lzfMaxOff = 1 << 13
	lzfMaxRef = 1<<8 + 1<<3
	lzfHLog   = 16
	lzfHSize  = 1 << lzfHLog

	// lzfMaxRatio bounds decompressed size per input byte: the longest
	// back reference is 3 input bytes producing lzfMaxRef+... = 264 bytes.
	lzfMaxRatio = 88
)

// lzfTable is LZFCompress's hash table. liblzf starts every call with an
// empty table; clearing 64K slots per call made saving many short strings
// dominated by memclr (and, as a 256 KiB local, a heap allocation each
// time), so instead each slot carries the generation that wrote it and a
// slot from an older call reads as empty. Tables are pooled.
type lzfTable struct {
	pos [lzfHSize]uint32
	gen [lzfHSize]uint32
	cur uint32
}

var lzfTables = sync.Pool{New: func() any { return new(lzfTable) }}

// get returns the position stored in slot by this call, or 0.
func (t *lzfTable) get(slot uint32) uint32 {
	if t.gen[slot] != t.cur {
		return 0
	}
	return t.pos[slot]
}

func (t *lzfTable) set(slot, ip uint32) {
	t.pos[slot] = ip
	t.gen[slot] = t.cur
}

// Errors returned by LZFDecompress.
var (
	ErrLZFCorrupt = errors.New("encoding: corrupt lzf data")
	ErrLZFLength  = errors.New("encoding: lzf output length mismatch")
)

// LZFCompress appends the LZF compression of src to dst and returns it, or
// returns nil when src does not compress by more than 4 bytes: Redis calls
// lzf_compress with an output limit of len(src)-4 when saving strings to
// RDB and DUMP payloads, and stores the string raw when that fails. The
// algorithm (hash, table size, match search) follows liblzf's default build
// so that the compressed bytes equal what Redis writes.
func LZFCompress(dst, src []byte) []byte {
	n := len(src)
	if n <= 4 {
		return nil
	}
	outLen := n - 4
	base := len(dst)
	dst = append(dst, make([]byte, outLen)...)
	out := dst[base : base+outLen : base+outLen]
	htab := lzfTables.Get().(*lzfTable)
	defer lzfTables.Put(htab)
	if htab.cur++; htab.cur == 0 {
		clear(htab.gen[:])
		htab.cur = 1
	}
	idx := func(h uint32) uint32 { return (h>>(3*8-lzfHLog) - h*5) & (lzfHSize - 1) }

	ip, op, lit := 0, 1, 0 // op-lit-1 is the pending literal-run header
	hval := uint32(src[0])<<8 | uint32(src[1])
	for ip < n-2 {
		hval = hval<<8 | uint32(src[ip+2])
		slot := idx(hval)
		ref := int(htab.get(slot))
		htab.set(slot, uint32(ip))
		off := ip - ref - 1
		if ref > 0 && off >= 0 && off < lzfMaxOff &&
			src[ref+2] == src[ip+2] && src[ref] == src[ip] && src[ref+1] == src[ip+1] {
			length := 2
			maxLen := n - ip - length
			if maxLen > lzfMaxRef {
				maxLen = lzfMaxRef
			}
			nolit := 0
			if lit == 0 {
				nolit = 1
			}
			if op+3+1 >= outLen && op-nolit+3+1 >= outLen {
				return nil
			}
			out[op-lit-1] = byte(lit - 1)
			op -= nolit
			// liblzf unrolls the first 16 comparisons without checking
			// maxLen, so a match may run to the very end of the input; do
			// the same or the bytes differ from Redis's.
			mismatch := false
			if maxLen > 16 {
				for range 16 {
					length++
					if src[ref+length] != src[ip+length] {
						mismatch = true
						break
					}
				}
			}
			for !mismatch {
				length++
				if length >= maxLen || src[ref+length] != src[ip+length] {
					break
				}
			}
			length -= 2
			ip++
			if length < 7 {
				out[op] = byte(off>>8 + length<<5)
				op++
			} else {
				out[op] = byte(off>>8 + 7<<5)
				out[op+1] = byte(length - 7)
				op += 2
			}
			out[op] = byte(off)
			op += 2 // also opens the next literal run
			lit = 0
			ip += length + 1
			if ip >= n-2 {
				break
			}
			ip -= 2
			hval = uint32(src[ip])<<8 | uint32(src[ip+1])
			hval = hval<<8 | uint32(src[ip+2])
			htab.set(idx(hval), uint32(ip))
			ip++
			hval = hval<<8 | uint32(src[ip+2])
			htab.set(idx(hval), uint32(ip))
			ip++
			continue
		}
		if op >= outLen {
			return nil
		}
		lit++
		out[op] = src[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	if op+3 > outLen {
		return nil
	}
	for ip < n {
		lit++
		out[op] = src[ip]
		op++
		ip++
		if lit == lzfMaxLit {
			out[op-lit-1] = byte(lit - 1)
			lit = 0
			op++
		}
	}
	out[op-lit-1] = byte(lit - 1)
	if lit == 0 {
		op--
	}
	return dst[:base+op]
}

// LZFDecompress appends to dst the outLen bytes that the LZF stream src
// decodes to. It fails without allocating when outLen is negative or larger
// than src could possibly expand to, and fails when src is malformed or
// does not decode to exactly outLen bytes.
func LZFDecompress(dst []byte, src []byte, outLen int) ([]byte, error) {
	if outLen < 0 || outLen > len(src)*lzfMaxRatio {
		return nil, ErrLZFLength
	}
	base := len(dst)
	if cap(dst)-base < outLen {
		nd := make([]byte, base, base+outLen)
		copy(nd, dst)
		dst = nd
	}
	out := dst[base : base+outLen]
	op := 0
	for ip := 0; ip < len(src); {
		ctrl := int(src[ip])
		ip++
		if ctrl < 1<<5 {
			ctrl++
			if op+ctrl > outLen {
				return nil, ErrLZFLength
			}
			if ip+ctrl > len(src) {
				return nil, ErrLZFCorrupt
			}
			copy(out[op:], src[ip:ip+ctrl])
			op += ctrl
			ip += ctrl
			continue
		}
		length := ctrl >> 5
		if length == 7 {
			if ip >= len(src) {
				return nil, ErrLZFCorrupt
			}
			length += int(src[ip])
			ip++
		}
		if ip >= len(src) {
			return nil, ErrLZFCorrupt
		}
		ref := op - (ctrl&0x1f)<<8 - int(src[ip]) - 1
		ip++
		length += 2
		if op+length > outLen {
			return nil, ErrLZFLength
		}
		if ref < 0 {
			return nil, ErrLZFCorrupt
		}
		for i := range length {
			out[op+i] = out[ref+i]
		}
		op += length
	}
	if op != outLen {
		return nil, ErrLZFLength
	}
	return dst[:base+outLen], nil
}
