package resp

// AppendRepr appends s in double quotes with C-style escapes, as Redis's
// sdscatrepr writes arguments in MONITOR lines, CLIENT LIST-style output
// and the AOF manifest: \\ \" \n \r \t \a \b, other bytes outside printable
// ASCII as \xHH. SplitArgs reads it back.
func AppendRepr[T string | []byte](dst []byte, s T) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c >= 0x20 && c <= 0x7e {
				dst = append(dst, c)
			} else {
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xf])
			}
		}
	}
	return append(dst, '"')
}
