package resp

import "bytes"

// SplitArgs splits a line into arguments with the rules of Redis's
// sdssplitargs, used for inline requests and configuration files: arguments
// are separated by white space; "double quotes" understand \n \r \t \b \a,
// \xHH and a backslash before any other byte; 'single quotes' understand
// only \'; a closing quote must be followed by white space or the end of the
// line, else the result is ErrUnbalancedQuotes, as is a quote left open. A
// NUL ends the line, as it ends a C string. The line is not modified.
func SplitArgs(line []byte) ([][]byte, error) {
	if i := bytes.IndexByte(line, 0); i >= 0 {
		line = line[:i]
	}
	argv, ok := appendSplit(nil, bytes.Clone(line))
	if !ok {
		return nil, ErrUnbalancedQuotes
	}
	return argv, nil
}

// isSpace is C's isspace in the "C" locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// appendSplit splits line as SplitArgs does, decoding each argument in place
// (the write position never passes the read position) and appending the
// arguments, subslices of line, to dst. It reports false on unbalanced
// quotes. Callers cut the line at its first NUL beforehand.
func appendSplit(dst [][]byte, line []byte) ([][]byte, bool) {
	p, n := 0, len(line)
	for {
		for p < n && isSpace(line[p]) {
			p++
		}
		if p == n {
			return dst, true
		}
		start, w := p, p
		inq, insq := false, false
	arg:
		for {
			switch {
			case inq:
				if p == n {
					return dst, false
				}
				c := line[p]
				switch {
				case c == '\\' && p+3 < n && line[p+1] == 'x' && isHex(line[p+2]) && isHex(line[p+3]):
					line[w] = unhex(line[p+2])<<4 | unhex(line[p+3])
					w++
					p += 4
				case c == '\\' && p+1 < n:
					p++
					switch c = line[p]; c {
					case 'n':
						c = '\n'
					case 'r':
						c = '\r'
					case 't':
						c = '\t'
					case 'b':
						c = '\b'
					case 'a':
						c = '\a'
					}
					line[w] = c
					w++
					p++
				case c == '"':
					if p+1 < n && !isSpace(line[p+1]) {
						return dst, false
					}
					p++
					break arg
				default:
					line[w] = c
					w++
					p++
				}
			case insq:
				if p == n {
					return dst, false
				}
				c := line[p]
				switch {
				case c == '\\' && p+1 < n && line[p+1] == '\'':
					line[w] = '\''
					w++
					p += 2
				case c == '\'':
					if p+1 < n && !isSpace(line[p+1]) {
						return dst, false
					}
					p++
					break arg
				default:
					line[w] = c
					w++
					p++
				}
			default:
				if p == n {
					break arg
				}
				switch c := line[p]; c {
				case ' ', '\n', '\r', '\t':
					p++
					break arg
				case '"':
					inq = true
					p++
				case '\'':
					insq = true
					p++
				default:
					line[w] = c
					w++
					p++
				}
			}
		}
		dst = append(dst, line[start:w:w])
	}
}
