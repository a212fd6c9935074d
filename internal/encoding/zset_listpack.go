package encoding

import "encoding/binary"

// In-place listpack editing by byte offset, for the sorted set's compact
// encoding (member, score pairs kept in order): an entry is addressed by
// the offset of its encoding byte, as Redis's lpFirst/lpNext/lpPrev/
// lpInsert/lpDeleteRange address them.

// LPFirst returns the offset of the first entry of lp, or -1 when lp is
// empty.
func LPFirst(lp []byte) int {
	if len(lp) <= lpHeaderSize || lp[lpHeaderSize] == lpEOF {
		return -1
	}
	return lpHeaderSize
}

// LPLast returns the offset of the last entry of lp, or -1 when lp is
// empty.
func LPLast(lp []byte) int {
	if LPFirst(lp) < 0 {
		return -1
	}
	return LPPrev(lp, len(lp)-1)
}

// LPEntryAt decodes the entry at offset p of the valid listpack lp: a
// string (str aliases lp) or an integer (isInt), and the offset of the
// entry after it, -1 when p is the last one.
func LPEntryAt(lp []byte, p int) (str []byte, ival int64, isInt bool, next int) {
	n, str, ival, isInt, _ := lpEntry(lp, p)
	next = p + n + backlenSize(n)
	if lp[next] == lpEOF {
		next = -1
	}
	return str, ival, isInt, next
}

// LPNext returns the offset of the entry after the one at p, or -1.
func LPNext(lp []byte, p int) int {
	n, _, _, _, _ := lpEntry(lp, p)
	p += n + backlenSize(n)
	if lp[p] == lpEOF {
		return -1
	}
	return p
}

// LPPrev returns the offset of the entry before the one at p (p may be the
// terminator's offset), or -1 when p is the first entry.
func LPPrev(lp []byte, p int) int {
	if p <= lpHeaderSize {
		return -1
	}
	n, size, _ := readBacklen(lp, p)
	return p - size - n
}

// LPSplice replaces the bytes [from, to) of lp, which hold removed whole
// entries, with the entries vals (each stored as LPAppend stores it), and
// returns the listpack. from == to inserts before the entry at from (or
// before the terminator).
func LPSplice(lp []byte, from, to, removed int, vals ...[]byte) []byte {
	var scratch [128]byte
	enc := scratch[:0]
	for _, v := range vals {
		enc = lpAppendEntry(enc, v)
	}
	delta := len(enc) - (to - from)
	oldLen := len(lp)
	if delta > 0 {
		lp = append(lp, enc[:delta]...)
		copy(lp[to+delta:], lp[to:oldLen])
	} else if delta < 0 {
		copy(lp[to+delta:], lp[to:])
		lp = lp[:oldLen+delta]
	}
	copy(lp[from:], enc)
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	if c := int(binary.LittleEndian.Uint16(lp[4:])); c != lpCountUnknown {
		c += len(vals) - removed
		if c >= lpCountUnknown {
			c = lpCountUnknown
		}
		binary.LittleEndian.PutUint16(lp[4:], uint16(c))
	}
	return lp
}

// lpAppendEntry appends the encoding of v (encoding byte, data, backlen)
// to dst, as LPAppend would write it.
func lpAppendEntry(dst []byte, v []byte) []byte {
	var buf [96]byte
	buf[lpHeaderSize] = lpEOF
	tmp := LPAppend(buf[:lpHeaderSize+1], v)
	return append(dst, tmp[lpHeaderSize:len(tmp)-1]...)
}
