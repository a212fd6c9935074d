package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Value is a parsed RESP2 or RESP3 reply.
//
// Kind is the type byte: '+' simple string, '-' error, ':' integer, '$' bulk
// string, '*' array, '%' map, '~' set, '>' push, '_' null, ',' double,
// '#' boolean, '=' verbatim string, '(' big number, '|' attribute.
// Str holds the payload of '+', '-', '$', ',', '=' (format prefix included)
// and '('; Int the value of ':' and of '#' (1 or 0); Elems the elements of
// the aggregates, a map's or attribute's keys and values alternating. Null
// marks "$-1", "*-1" and '_'.
type Value struct {
	Kind  byte
	Str   []byte
	Int   int64
	Elems []Value
	Null  bool
}

// maxDepth bounds the nesting of aggregates, far above anything Redis sends.
const maxDepth = 128

// readChunk is how much of a bulk string is allocated before its bytes have
// arrived, so that a declared length never allocates by itself.
const readChunk = 64 << 10

// ReadValue reads one complete reply from r. An attribute ('|') at the top
// level is returned as a Value of its own, the reply it annotates being the
// next one, which is how Redis 7.0 sends them (DEBUG PROTOCOL attrib); an
// attribute inside an aggregate is read and dropped. Allocations are bounded
// by the bytes that arrive, not by the lengths the reply declares.
func ReadValue(r *bufio.Reader) (Value, error) {
	return readValue(r, 0)
}

func protoErr(msg string) error { return &ProtocolError{"Protocol error: " + msg} }

func readValue(r *bufio.Reader, depth int) (Value, error) {
	if depth > maxDepth {
		return Value{}, protoErr("reply nested too deep")
	}
	line, err := readLine(r)
	if err != nil {
		return Value{}, err
	}
	if len(line) == 0 {
		return Value{}, protoErr("empty reply line")
	}
	v := Value{Kind: line[0]}
	body := line[1:]
	switch v.Kind {
	case '+', '-', ',', '(':
		v.Str = bytes.Clone(body)
	case ':':
		n, ok := parseInt(body)
		if !ok {
			return Value{}, protoErr("invalid integer " + strconv.Quote(string(body)))
		}
		v.Int = n
	case '_':
		if len(body) != 0 {
			return Value{}, protoErr("invalid null")
		}
		v.Null = true
	case '#':
		switch string(body) {
		case "t":
			v.Int = 1
		case "f":
		default:
			return Value{}, protoErr("invalid boolean")
		}
	case '$', '=':
		n, ok := parseInt(body)
		if ok && n == -1 && v.Kind == '$' {
			v.Null = true
			return v, nil
		}
		if !ok || n < 0 || (v.Kind == '=' && n < 4) {
			return Value{}, protoErr("invalid bulk length")
		}
		if v.Str, err = readBulk(r, n); err != nil {
			return Value{}, err
		}
	case '*', '%', '~', '>', '|':
		n, ok := parseInt(body)
		if ok && n == -1 && v.Kind == '*' {
			v.Null = true
			return v, nil
		}
		if !ok || n < 0 {
			return Value{}, protoErr("invalid aggregate length")
		}
		if v.Kind == '%' || v.Kind == '|' {
			if n > (1<<62)-1 {
				return Value{}, protoErr("invalid aggregate length")
			}
			n *= 2
		}
		v.Elems = make([]Value, 0, min(n, 16))
		for int64(len(v.Elems)) < n {
			e, err := readValue(r, depth+1)
			if err != nil {
				return Value{}, err
			}
			if e.Kind == '|' {
				continue
			}
			v.Elems = append(v.Elems, e)
		}
	default:
		return Value{}, protoErr("unknown reply type " + strconv.Quote(string(line[:1])))
	}
	return v, nil
}

// readLine returns the next line without its CRLF. The slice is valid until
// the next read from r.
func readLine(r *bufio.Reader) ([]byte, error) {
	line, err := r.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		long := bytes.Clone(line)
		for errors.Is(err, bufio.ErrBufferFull) {
			line, err = r.ReadSlice('\n')
			long = append(long, line...)
		}
		line = long
	}
	if err != nil {
		if errors.Is(err, io.EOF) && len(line) > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if len(line) < 2 || line[len(line)-2] != '\r' {
		return nil, protoErr("line not ended by CRLF")
	}
	return line[:len(line)-2], nil
}

// readBulk reads n bytes and the CRLF after them, growing the result as the
// bytes arrive.
func readBulk(r *bufio.Reader, n int64) ([]byte, error) {
	b := make([]byte, 0, min(n, readChunk))
	for int64(len(b)) < n {
		step := int(min(n-int64(len(b)), readChunk))
		if cap(b)-len(b) < step {
			b = append(b[:cap(b)], make([]byte, step)...)[:len(b)]
		}
		m, err := io.ReadFull(r, b[len(b):len(b)+step])
		b = b[:len(b)+m]
		if err != nil {
			if errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	var end [2]byte
	if _, err := io.ReadFull(r, end[:]); err != nil {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	if end != [2]byte{'\r', '\n'} {
		return nil, protoErr("bulk string not ended by CRLF")
	}
	return b, nil
}

// AppendValue encodes v as RESP, reproducing the bytes it was read from
// (integers and lengths in canonical decimal).
func AppendValue(dst []byte, v Value) []byte {
	switch v.Kind {
	case '+', '-', ',', '(':
		dst = append(dst, v.Kind)
		dst = append(dst, v.Str...)
		return append(dst, crlf...)
	case ':':
		return AppendInt(dst, ':', v.Int)
	case '_':
		return append(dst, "_\r\n"...)
	case '#':
		if v.Int != 0 {
			return append(dst, "#t\r\n"...)
		}
		return append(dst, "#f\r\n"...)
	case '$', '=':
		if v.Null {
			return append(dst, v.Kind, '-', '1', '\r', '\n')
		}
		dst = AppendInt(dst, v.Kind, int64(len(v.Str)))
		dst = append(dst, v.Str...)
		return append(dst, crlf...)
	case '*', '%', '~', '>', '|':
		if v.Null {
			return append(dst, v.Kind, '-', '1', '\r', '\n')
		}
		n := int64(len(v.Elems))
		if v.Kind == '%' || v.Kind == '|' {
			n /= 2
		}
		dst = AppendInt(dst, v.Kind, n)
		for _, e := range v.Elems {
			dst = AppendValue(dst, e)
		}
		return dst
	}
	return dst
}

// String renders v compactly for debugging and test failures, e.g.
// `*[$"a" :1 _]`.
func (v Value) String() string { return string(v.appendDebug(nil)) }

func (v Value) appendDebug(dst []byte) []byte {
	dst = append(dst, v.Kind)
	switch {
	case v.Null:
		if v.Kind != '_' {
			dst = append(dst, "nil"...)
		}
	case v.Kind == ':' || v.Kind == '#':
		dst = strconv.AppendInt(dst, v.Int, 10)
	case v.Kind == '*' || v.Kind == '%' || v.Kind == '~' || v.Kind == '>' || v.Kind == '|':
		dst = append(dst, '[')
		for i, e := range v.Elems {
			if i > 0 {
				dst = append(dst, ' ')
			}
			dst = e.appendDebug(dst)
		}
		dst = append(dst, ']')
	default:
		dst = strconv.AppendQuote(dst, string(v.Str))
	}
	return dst
}
