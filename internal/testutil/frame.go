package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
)

// ErrProtocol is returned for bytes that are not a RESP2/RESP3 reply.
var ErrProtocol = errors.New("testutil: malformed RESP reply")

// maxFrameLen bounds a bulk length or aggregate count, as
// proto-max-bulk-len bounds them in Redis.
const maxFrameLen = 512 << 20

// FrameLen returns the length of the complete RESP2 or RESP3 reply at the
// start of b, nested aggregates, attributes and push messages included. It
// returns 0 and a nil error when b holds only the beginning of a reply.
func FrameLen(b []byte) (int, error) {
	return frameLen(b, 0)
}

func frameLen(b []byte, depth int) (int, error) {
	if depth > 64 {
		return 0, fmt.Errorf("%w: nesting deeper than 64", ErrProtocol)
	}
	nl := bytes.Index(b, []byte("\r\n"))
	if nl < 0 {
		return 0, nil
	}
	if nl == 0 {
		return 0, fmt.Errorf("%w: empty line", ErrProtocol)
	}
	head := nl + 2
	switch b[0] {
	case '+', '-', ':', ',', '#', '_', '(':
		return head, nil
	case '$', '!', '=':
		n, err := frameCount(b[1:nl])
		if err != nil || n < 0 {
			return head, err
		}
		if len(b) < head+n+2 {
			return 0, nil
		}
		if b[head+n] != '\r' || b[head+n+1] != '\n' {
			return 0, fmt.Errorf("%w: bulk not terminated by CRLF", ErrProtocol)
		}
		return head + n + 2, nil
	case '*', '~', '>', '%', '|':
		n, err := frameCount(b[1:nl])
		if err != nil || n < 0 {
			return head, err
		}
		if b[0] == '%' || b[0] == '|' {
			n *= 2
		}
		off := head
		for range n {
			m, err := frameLen(b[off:], depth+1)
			if m == 0 || err != nil {
				return 0, err
			}
			off += m
		}
		if b[0] == '|' {
			// An attribute annotates the reply that follows it.
			m, err := frameLen(b[off:], depth+1)
			if m == 0 || err != nil {
				return 0, err
			}
			off += m
		}
		return off, nil
	}
	return 0, fmt.Errorf("%w: unknown type byte %q", ErrProtocol, b[0])
}

// frameCount parses the length or count of a header line; -1 means null.
func frameCount(b []byte) (int, error) {
	n, err := strconv.Atoi(string(b))
	if err != nil || n < -1 || n > maxFrameLen {
		return 0, fmt.Errorf("%w: bad length %q", ErrProtocol, b)
	}
	return n, nil
}

// Elements splits the complete aggregate reply b into the raw frames of its
// elements (a map gives keys and values alternately). typ is the type byte;
// elems is nil for a null aggregate. A non-aggregate b is an error.
func Elements(b []byte) (typ byte, elems [][]byte, err error) {
	total, err := FrameLen(b)
	if err != nil {
		return 0, nil, err
	}
	if total != len(b) {
		return 0, nil, fmt.Errorf("%w: not exactly one reply", ErrProtocol)
	}
	typ = b[0]
	switch typ {
	case '*', '~', '>', '%':
	default:
		return typ, nil, fmt.Errorf("testutil: reply %q is not an aggregate", b)
	}
	nl := bytes.Index(b, []byte("\r\n"))
	n, _ := frameCount(b[1:nl])
	if n < 0 {
		return typ, nil, nil
	}
	if typ == '%' {
		n *= 2
	}
	off := nl + 2
	elems = make([][]byte, 0, n)
	for range n {
		m, _ := FrameLen(b[off:])
		elems = append(elems, b[off:off+m])
		off += m
	}
	return typ, elems, nil
}

// Count returns the length or element count in the header of reply b (a
// map's count is its number of pairs), or 0 for a type that has none.
func Count(b []byte) int {
	if len(b) == 0 {
		return 0
	}
	switch b[0] {
	case '$', '!', '=', '*', '~', '>', '%', '|':
		nl := bytes.Index(b, []byte("\r\n"))
		if nl < 0 {
			return 0
		}
		n, _ := frameCount(b[1:nl])
		return n
	}
	return 0
}
