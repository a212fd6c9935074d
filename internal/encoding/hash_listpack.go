package encoding

// Field lookup in a listpack of field,value pairs (the hash type's compact
// encoding), as Redis's lpFind with skip=1: only even entries are compared,
// values are skipped by their size without being decoded.

// LPFindPair returns the offsets of the field entry equal to field among
// the even entries of the valid listpack lp and of the value entry after
// it, or -1, -1. A field that is the canonical form of an int64 is stored
// with an integer encoding, so it is compared as an integer.
func LPFindPair(lp []byte, field []byte) (fpos, vpos int) {
	fint, isInt := parseStrictInt(field)
	p := lpHeaderSize
	for lp[p] != lpEOF {
		c := lp[p]
		var n int
		match := false
		switch {
		case c&0xC0 == lp6BitStr:
			l := int(c & 0x3F)
			n = 1 + l
			match = !isInt && string(lp[p+1:p+n]) == string(field)
		case c&0x80 == 0:
			n = 1
			match = isInt && int64(c) == fint
		default:
			var str []byte
			var ival int64
			var entInt bool
			n, str, ival, entInt, _ = lpEntry(lp, p)
			if entInt {
				match = isInt && ival == fint
			} else {
				match = !isInt && string(str) == string(field)
			}
		}
		v := p + n + backlenSize(n)
		if match {
			return p, v
		}
		n = lpEntrySize(lp, v)
		p = v + n + backlenSize(n)
	}
	return -1, -1
}

// lpEntrySize returns the size of the encoding byte and data of the valid
// entry at p, without its backlen.
func lpEntrySize(lp []byte, p int) int {
	c := lp[p]
	switch {
	case c&0x80 == 0:
		return 1
	case c&0xC0 == lp6BitStr:
		return 1 + int(c&0x3F)
	case c&0xE0 == lp13BitInt:
		return 2
	case c&0xF0 == lp12BitStr:
		return 2 + (int(c&0x0F)<<8 | int(lp[p+1]))
	}
	switch c {
	case lp16BitInt:
		return 3
	case lp24BitInt:
		return 4
	case lp32BitInt:
		return 5
	case lp64BitInt:
		return 9
	}
	return 5 + int(uint32(lp[p+1])|uint32(lp[p+2])<<8|uint32(lp[p+3])<<16|uint32(lp[p+4])<<24)
}
