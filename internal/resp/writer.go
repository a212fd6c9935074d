package resp

import (
	"math"
	"strconv"
)

// Writer appends RESP replies for one client, in its protocol version
// (2 or 3), to B. Methods never allocate beyond growing B.
type Writer struct {
	// B holds the encoded replies.
	B []byte
	// Proto is the client's protocol version: 3 for RESP3, anything else RESP2.
	Proto int
}

var crlf = []byte("\r\n")

// Simple appends a simple string, "+s".
func (w *Writer) Simple(s string) {
	w.B = append(w.B, '+')
	w.B = append(w.B, s...)
	w.B = append(w.B, crlf...)
}

// SimpleBytes appends a simple string, "+b".
func (w *Writer) SimpleBytes(b []byte) {
	w.B = append(w.B, '+')
	w.B = append(w.B, b...)
	w.B = append(w.B, crlf...)
}

// Error appends e, a complete pre-encoded error line such as "-ERR foo\r\n".
func (w *Writer) Error(e []byte) { w.B = append(w.B, e...) }

// ErrorString appends "-s\r\n". As Redis does for every error reply, CR and
// LF inside s become spaces so that the reply stays one line.
func (w *Writer) ErrorString(s string) {
	w.B = append(w.B, '-')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		w.B = append(w.B, c)
	}
	w.B = append(w.B, crlf...)
}

// Int appends an integer reply, ":n".
func (w *Writer) Int(n int64) { w.B = AppendInt(w.B, ':', n) }

// Bulk appends a bulk string.
func (w *Writer) Bulk(b []byte) { w.B = AppendBulk(w.B, b) }

// BulkString appends a bulk string.
func (w *Writer) BulkString(s string) { w.B = AppendBulkString(w.B, s) }

// BulkInt appends n rendered in decimal as a bulk string.
func (w *Writer) BulkInt(n int64) {
	var tmp [20]byte
	w.B = AppendBulk(w.B, strconv.AppendInt(tmp[:0], n, 10))
}

// Null appends the null bulk string: "$-1" in RESP2, "_" in RESP3.
func (w *Writer) Null() {
	if w.Proto == 3 {
		w.B = append(w.B, "_\r\n"...)
	} else {
		w.B = append(w.B, "$-1\r\n"...)
	}
}

// NullArray appends the null array: "*-1" in RESP2, "_" in RESP3.
func (w *Writer) NullArray() {
	if w.Proto == 3 {
		w.B = append(w.B, "_\r\n"...)
	} else {
		w.B = append(w.B, "*-1\r\n"...)
	}
}

// Array appends the header of an array of n elements.
func (w *Writer) Array(n int) { w.B = AppendInt(w.B, '*', int64(n)) }

// Map appends the header of a map of n key/value pairs: "%n" in RESP3, a
// flat array of 2n elements in RESP2.
func (w *Writer) Map(n int) {
	if w.Proto == 3 {
		w.B = AppendInt(w.B, '%', int64(n))
	} else {
		w.B = AppendInt(w.B, '*', 2*int64(n))
	}
}

// Set appends the header of a set of n elements: "~n" in RESP3, "*n" in RESP2.
func (w *Writer) Set(n int) { w.B = AppendInt(w.B, w.pick('~'), int64(n)) }

// Push appends the header of an out-of-band push of n elements: ">n" in
// RESP3, "*n" in RESP2 (as Pub/Sub messages are).
func (w *Writer) Push(n int) { w.B = AppendInt(w.B, w.pick('>'), int64(n)) }

// Attribute appends the header of an attribute map of n pairs, "|n". As in
// Redis, attributes exist only in RESP3: callers send them only to RESP3
// clients.
func (w *Writer) Attribute(n int) { w.B = AppendInt(w.B, '|', int64(n)) }

// pick returns the RESP3 type byte t, or '*' for RESP2.
func (w *Writer) pick(t byte) byte {
	if w.Proto == 3 {
		return t
	}
	return '*'
}

// Double appends f as Redis 7.0's addReplyDouble does: in RESP2 a bulk
// string of printf("%.17g"), in RESP3 a double ",%.17g". Infinities are
// written "inf" and "-inf", NaN as glibc prints it ("nan" or "-nan").
func (w *Writer) Double(f float64) {
	var tmp [32]byte
	d := AppendDouble(tmp[:0], f)
	if w.Proto == 3 {
		w.B = append(w.B, ',')
		w.B = append(w.B, d...)
		w.B = append(w.B, crlf...)
	} else {
		w.B = AppendBulk(w.B, d)
	}
}

// DoubleString appends a double already formatted by the caller (as
// INCRBYFLOAT's human form): a bulk string in RESP2, ",s" in RESP3.
func (w *Writer) DoubleString(s string) {
	if w.Proto == 3 {
		w.B = append(w.B, ',')
		w.B = append(w.B, s...)
		w.B = append(w.B, crlf...)
	} else {
		w.B = AppendBulkString(w.B, s)
	}
}

// Bool appends a boolean: "#t"/"#f" in RESP3, ":1"/":0" in RESP2.
func (w *Writer) Bool(b bool) {
	switch {
	case w.Proto == 3 && b:
		w.B = append(w.B, "#t\r\n"...)
	case w.Proto == 3:
		w.B = append(w.B, "#f\r\n"...)
	case b:
		w.B = append(w.B, ":1\r\n"...)
	default:
		w.B = append(w.B, ":0\r\n"...)
	}
}

// Verbatim appends a verbatim string with a three-letter format such as
// "txt": "=len\r\ntxt:b" in RESP3, a plain bulk string of b in RESP2.
func (w *Writer) Verbatim(b []byte, format string) {
	if w.Proto != 3 {
		w.B = AppendBulk(w.B, b)
		return
	}
	w.B = AppendInt(w.B, '=', int64(len(b)+len(format)+1))
	w.B = append(w.B, format...)
	w.B = append(w.B, ':')
	w.B = append(w.B, b...)
	w.B = append(w.B, crlf...)
}

// BigNumber appends a big number given in decimal: "(s" in RESP3, a bulk
// string in RESP2.
func (w *Writer) BigNumber(s string) {
	if w.Proto != 3 {
		w.B = AppendBulkString(w.B, s)
		return
	}
	w.B = append(w.B, '(')
	w.B = append(w.B, s...)
	w.B = append(w.B, crlf...)
}

// Raw appends b verbatim.
func (w *Writer) Raw(b []byte) { w.B = append(w.B, b...) }

// DeferLen returns a token for an aggregate header whose length is known
// only after its elements are written (Redis's addReplyDeferredLen); one of
// the Set*Len methods must later fill it in.
func (w *Writer) DeferLen() int { return len(w.B) }

// SetArrayLen inserts the header "*n" at the position tok from DeferLen.
func (w *Writer) SetArrayLen(tok int, n int) { w.insertLen(tok, '*', int64(n)) }

// SetMapLen inserts the header of a map of n pairs at tok: "%n" in RESP3,
// "*2n" in RESP2.
func (w *Writer) SetMapLen(tok int, n int) {
	if w.Proto == 3 {
		w.insertLen(tok, '%', int64(n))
	} else {
		w.insertLen(tok, '*', 2*int64(n))
	}
}

// SetSetLen inserts the header of a set of n elements at tok: "~n" in RESP3,
// "*n" in RESP2.
func (w *Writer) SetSetLen(tok int, n int) { w.insertLen(tok, w.pick('~'), int64(n)) }

// insertLen moves the bytes written since tok to make room for a header.
func (w *Writer) insertLen(tok int, prefix byte, n int64) {
	var tmp [24]byte
	h := AppendInt(tmp[:0], prefix, n)
	end := len(w.B)
	w.B = append(w.B, h...)
	copy(w.B[tok+len(h):], w.B[tok:end])
	copy(w.B[tok:], h)
}

// AppendInt appends prefix, n in decimal and CRLF: the form of integer
// replies (':') and of aggregate headers ('*', '%', ...).
func AppendInt(dst []byte, prefix byte, n int64) []byte {
	dst = append(dst, prefix)
	dst = strconv.AppendInt(dst, n, 10)
	return append(dst, crlf...)
}

// AppendArrayLen appends the header of an array of n elements.
func AppendArrayLen(dst []byte, n int) []byte { return AppendInt(dst, '*', int64(n)) }

// AppendBulk appends b as a bulk string.
func AppendBulk(dst, b []byte) []byte {
	dst = AppendInt(dst, '$', int64(len(b)))
	dst = append(dst, b...)
	return append(dst, crlf...)
}

// AppendBulkString appends s as a bulk string.
func AppendBulkString(dst []byte, s string) []byte {
	dst = AppendInt(dst, '$', int64(len(s)))
	dst = append(dst, s...)
	return append(dst, crlf...)
}

// AppendCommand appends a command as a multibulk request, the form used to
// propagate to the AOF and replicas.
func AppendCommand(dst []byte, args ...[]byte) []byte {
	dst = AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = AppendBulk(dst, a)
	}
	return dst
}

// AppendCommandStrings is AppendCommand for string arguments.
func AppendCommandStrings(dst []byte, args ...string) []byte {
	dst = AppendArrayLen(dst, len(args))
	for _, a := range args {
		dst = AppendBulkString(dst, a)
	}
	return dst
}

// AppendDouble appends f as C's printf("%.17g") prints it, with glibc's
// spelling of the special values: "inf", "-inf", "nan", "-nan".
// Go's 'g' format with precision 17 chooses between the plain and the
// exponent form, strips trailing zeros and writes a two-digit exponent as C
// does; only the special values differ.
func AppendDouble(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
