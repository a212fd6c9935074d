package encoding

import "encoding/binary"

// In-place listpack editing for the list type's quicklist nodes: an entry
// is addressed by the offset of its encoding byte, the terminator's offset
// (len(lp)-1) standing for "past the last entry", as Redis's lpSeek,
// lpInsertString, lpReplace and lpDeleteRange work on pointers into the
// listpack. The functions trust lp to be valid (built here or checked with
// LPValidate).

// LPSeek returns the offset of entry index of lp, counting from the tail
// when index is negative (-1 is the last entry), or -1 when index is out
// of range. It walks from the nearer end, as lpSeek does.
func LPSeek(lp []byte, index int) int {
	n := LPLen(lp)
	if index < 0 {
		index += n
	}
	if index < 0 || index >= n {
		return -1
	}
	if index < n/2 {
		p := lpHeaderSize
		for ; index > 0; index-- {
			p = lpSkip(lp, p)
		}
		return p
	}
	p := len(lp) - 1
	for i := n - index; i > 0; i-- {
		p = LPBefore(lp, p)
	}
	return p
}

// LPDecode decodes the entry at offset p of lp: a string (str aliases lp)
// or an integer (isInt). next is the offset just after the entry, which is
// len(lp)-1 when p was the last entry.
func LPDecode(lp []byte, p int) (str []byte, ival int64, isInt bool, next int) {
	n, str, ival, isInt, _ := lpEntry(lp, p)
	return str, ival, isInt, p + n + backlenSize(n)
}

// LPBefore returns the offset of the entry before offset p (p may be the
// terminator's offset), or -1 when p is the first entry.
func LPBefore(lp []byte, p int) int {
	if p <= lpHeaderSize {
		return -1
	}
	n, size, _ := readBacklen(lp, p)
	return p - size - n
}

// lpSkip returns the offset just after the entry at p.
func lpSkip(lp []byte, p int) int {
	n, _, _, _, _ := lpEntry(lp, p)
	return p + n + backlenSize(n)
}

// lpEncodeHead writes the encoding of v into buf: for a canonical integer
// the whole entry but its backlen (data is nil), for a string its header
// (data is v). It mirrors the choices LPAppend makes.
func lpEncodeHead(buf *[9]byte, v []byte) (head, data []byte) {
	if iv, ok := parseStrictInt(v); ok {
		switch {
		case iv >= 0 && iv <= 127:
			buf[0] = byte(iv)
			return buf[:1], nil
		case iv >= -4096 && iv <= 4095:
			u := uint64(iv) & 0x1FFF
			buf[0], buf[1] = lp13BitInt|byte(u>>8), byte(u)
			return buf[:2], nil
		case iv >= -32768 && iv <= 32767:
			buf[0] = lp16BitInt
			binary.LittleEndian.PutUint16(buf[1:], uint16(iv))
			return buf[:3], nil
		case iv >= -8388608 && iv <= 8388607:
			buf[0], buf[1], buf[2], buf[3] = lp24BitInt, byte(iv), byte(iv>>8), byte(iv>>16)
			return buf[:4], nil
		case iv >= -2147483648 && iv <= 2147483647:
			buf[0] = lp32BitInt
			binary.LittleEndian.PutUint32(buf[1:], uint32(iv))
			return buf[:5], nil
		default:
			buf[0] = lp64BitInt
			binary.LittleEndian.PutUint64(buf[1:], uint64(iv))
			return buf[:9], nil
		}
	}
	n := len(v)
	switch {
	case n < 64:
		buf[0] = lp6BitStr | byte(n)
		return buf[:1], v
	case n < 4096:
		buf[0], buf[1] = lp12BitStr|byte(n>>8), byte(n)
		return buf[:2], v
	default:
		buf[0] = lp32BitStr
		binary.LittleEndian.PutUint32(buf[1:], uint32(n))
		return buf[:5], v
	}
}

// LPEntrySize returns how many bytes v takes as a listpack entry,
// backlen included.
func LPEntrySize(v []byte) int {
	var buf [9]byte
	head, data := lpEncodeHead(&buf, v)
	n := len(head) + len(data)
	return n + backlenSize(n)
}

// lpResize makes the bytes [from, to) of lp take size bytes instead,
// moving the tail, and returns the listpack; the new bytes are not
// initialised. The header's total size is updated, the count is not.
func lpResize(lp []byte, from, to, size int) []byte {
	delta := size - (to - from)
	oldLen := len(lp)
	switch {
	case delta > 0:
		lp = append(lp, make([]byte, delta)...)
		copy(lp[to+delta:], lp[to:oldLen])
	case delta < 0:
		copy(lp[to+delta:], lp[to:])
		lp = lp[:oldLen+delta]
	}
	binary.LittleEndian.PutUint32(lp, uint32(len(lp)))
	return lp
}

// lpAddCount adds delta to the header's entry count, leaving "unknown"
// (65535) as it is and turning a count that reaches it into unknown, as
// lpSetNumElements callers do.
func lpAddCount(lp []byte, delta int) {
	c := int(binary.LittleEndian.Uint16(lp[4:]))
	if c == lpCountUnknown {
		return
	}
	c += delta
	if c >= lpCountUnknown {
		c = lpCountUnknown
	}
	binary.LittleEndian.PutUint16(lp[4:], uint16(c))
}

// lpWriteEntry writes the entry head+data+backlen at lp[p:].
func lpWriteEntry(lp []byte, p int, head, data []byte) {
	p += copy(lp[p:], head)
	p += copy(lp[p:], data)
	appendBacklen(lp[p:p], len(head)+len(data))
}

// LPInsertAt inserts v (stored as LPAppend stores it) before the entry at
// offset p, or at the end when p is the terminator's offset, and returns
// the listpack.
func LPInsertAt(lp []byte, p int, v []byte) []byte {
	var buf [9]byte
	head, data := lpEncodeHead(&buf, v)
	n := len(head) + len(data)
	lp = lpResize(lp, p, p, n+backlenSize(n))
	lpWriteEntry(lp, p, head, data)
	lpAddCount(lp, 1)
	return lp
}

// LPReplaceAt replaces the entry at offset p with v and returns the
// listpack.
func LPReplaceAt(lp []byte, p int, v []byte) []byte {
	var buf [9]byte
	head, data := lpEncodeHead(&buf, v)
	n := len(head) + len(data)
	lp = lpResize(lp, p, lpSkip(lp, p), n+backlenSize(n))
	lpWriteEntry(lp, p, head, data)
	return lp
}

// LPDeleteAt deletes count entries starting with the one at offset p
// (fewer when the listpack ends first) and returns the listpack.
func LPDeleteAt(lp []byte, p, count int) []byte {
	q := p
	deleted := 0
	for ; deleted < count && lp[q] != lpEOF; deleted++ {
		q = lpSkip(lp, q)
	}
	lp = lpResize(lp, p, q, 0)
	lpAddCount(lp, -deleted)
	return lp
}
