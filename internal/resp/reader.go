package resp

import (
	"bytes"
	"math"
)

// Defaults for the Reader limits, as Redis 7.0: proto-max-bulk-len,
// the INT_MAX bound on a multibulk count, and PROTO_INLINE_MAX_SIZE.
const (
	DefaultMaxBulkLen      = 512 << 20
	DefaultMaxMultibulkLen = math.MaxInt32
	DefaultMaxInlineLen    = 64 << 10

	// unauthMaxMultibulk and unauthMaxBulk are the sizes Redis accepts from a
	// client that still has to authenticate.
	unauthMaxMultibulk = 10
	unauthMaxBulk      = 16384
)

// Reader parses client requests: RESP multibulk arrays of bulk strings, or
// inline commands (telnet style). It keeps the progress of a partially
// received command so that a later call does not rescan what it validated.
// The zero value is ready to use; a zero limit means the Redis default.
type Reader struct {
	// MaxBulkLen is proto-max-bulk-len; a replica sets it to math.MaxInt64
	// for its master, which Redis does not limit.
	MaxBulkLen int64
	// MaxMultibulkLen bounds the argument count of a multibulk request.
	MaxMultibulkLen int64
	// MaxInlineLen bounds an inline request line and the count lines of a
	// multibulk request.
	MaxInlineLen int
	// AuthRequired applies the tighter limits Redis imposes on a client that
	// has not authenticated yet (10 arguments, 16384-byte bulks).
	AuthRequired bool

	pos   int   // bytes of the pending command consumed so far
	scan  int   // offset where the search for the pending line's end resumes
	stuck bool  // a NUL precedes the pending line's end: Redis never finds it
	multi bool  // the multibulk count of the pending command has been read
	left  int   // arguments of the pending command still to read
	bulk  int64 // declared length of the pending bulk, -1 before its header
	need  int   // bytes the pending bulk still lacks
	offs  []int // start and end of each argument read so far
}

// Reset drops any partially parsed command; the next call to Next must start
// at a command boundary.
func (r *Reader) Reset() {
	r.pos, r.scan, r.stuck, r.multi, r.left, r.bulk, r.need = 0, 0, false, false, 0, -1, 0
	r.offs = r.offs[:0]
}

// Trim drops the argument table a huge command grew past n arguments, when
// no command is half parsed, so that an idle connection does not keep it.
func (r *Reader) Trim(n int) {
	if len(r.offs) == 0 && cap(r.offs) > 2*n {
		r.offs = nil
	}
}

// Need returns how many more bytes the pending command needs when that is
// known (the rest of a bulk whose header has been read), or 0. Callers use
// it to grow their buffer in steps instead of trusting a declared length.
func (r *Reader) Need() int { return r.need }

func (r *Reader) maxInline() int {
	if r.MaxInlineLen > 0 {
		return r.MaxInlineLen
	}
	return DefaultMaxInlineLen
}

func (r *Reader) maxBulk() int64 {
	if r.MaxBulkLen > 0 {
		return r.MaxBulkLen
	}
	return DefaultMaxBulkLen
}

func (r *Reader) maxMultibulk() int64 {
	if r.MaxMultibulkLen > 0 {
		return r.MaxMultibulkLen
	}
	return DefaultMaxMultibulkLen
}

// Next parses one command from buf, which starts at a command boundary. It
// returns argv (appended to dst[:0], each argument a subslice of buf), the
// number of bytes consumed and an error, after which the connection must be
// closed as Redis does.
//
// When buf holds an incomplete command Next returns (dst[:0], 0, nil) and
// remembers how far it validated: the next call must pass the same bytes at
// the front, followed by more. A command with no arguments (an empty inline
// line, "*0" or a negative count) is consumed and returned as len(argv) == 0,
// n > 0; the caller skips it.
//
// Inline arguments with quotes or escapes are decoded in place, over the
// bytes of their line in buf (decoding never lengthens them).
func (r *Reader) Next(buf []byte, dst [][]byte) (argv [][]byte, n int, err error) {
	argv = dst[:0]
	if r.pos > len(buf) || r.scan > len(buf) {
		r.Reset()
	}
	if len(buf) == 0 {
		return argv, 0, nil
	}
	if buf[0] != '*' {
		return r.inline(buf, argv)
	}
	if !r.multi {
		end, ok, err := r.lineEnd(buf, 0, '\r', errTooBigMbulk)
		if !ok {
			return argv, 0, err
		}
		ll, ok := parseInt(buf[1:end])
		if !ok || ll > r.maxMultibulk() {
			r.Reset()
			return argv, 0, errInvalidMbulk
		}
		if ll > unauthMaxMultibulk && r.AuthRequired {
			r.Reset()
			return argv, 0, errUnauthMbulk
		}
		if ll <= 0 {
			r.Reset()
			return argv, end + 2, nil
		}
		r.multi, r.left, r.bulk, r.pos, r.scan = true, int(ll), -1, end+2, end+2
	}
	for r.left > 0 {
		if r.bulk < 0 {
			end, ok, err := r.lineEnd(buf, r.pos, '\r', errTooBigBulk)
			if !ok {
				return argv, 0, err
			}
			if c := buf[r.pos]; c != '$' {
				r.Reset()
				return argv, 0, expectedDollar(c)
			}
			ll, ok := parseInt(buf[r.pos+1 : end])
			if !ok || ll < 0 || ll > r.maxBulk() || ll > math.MaxInt-2 {
				r.Reset()
				return argv, 0, errInvalidBulk
			}
			if ll > unauthMaxBulk && r.AuthRequired {
				r.Reset()
				return argv, 0, errUnauthBulk
			}
			r.bulk, r.pos = ll, end+2
		}
		// Redis skips the two bytes after the bulk without checking them.
		if avail := len(buf) - r.pos; int64(avail) < r.bulk+2 {
			r.need = int(r.bulk) + 2 - avail
			return argv, 0, nil
		}
		r.offs = append(r.offs, r.pos, r.pos+int(r.bulk))
		r.pos += int(r.bulk) + 2
		r.scan, r.bulk, r.need = r.pos, -1, 0
		r.left--
	}
	for i := 0; i < len(r.offs); i += 2 {
		argv = append(argv, buf[r.offs[i]:r.offs[i+1]])
	}
	n = r.pos
	r.Reset()
	return argv, n, nil
}

// inline parses a telnet-style request: one line ended by "\n" or "\r\n",
// split as sdssplitargs does.
func (r *Reader) inline(buf []byte, argv [][]byte) ([][]byte, int, error) {
	end, ok, err := r.lineEnd(buf, 0, '\n', errTooBigInline)
	if !ok {
		return argv, 0, err
	}
	n := end + 1
	if end > 0 && buf[end-1] == '\r' {
		end--
	}
	r.Reset()
	argv, ok = appendSplit(argv, buf[:end])
	if !ok {
		return argv[:0], 0, errUnbalancedQuote
	}
	return argv, n, nil
}

// lineEnd finds the terminator of the line starting at start, resuming the
// search where the previous call stopped. Like Redis's strchr on the query
// buffer, a NUL before the terminator hides it for good. A line that has no
// terminator within the inline limit is an error, whatever the size of the
// reads it arrived in, so that splitting the input never changes the result.
// For '\r' the byte after it must have arrived too; Redis skips it unchecked.
func (r *Reader) lineEnd(buf []byte, start int, term byte, tooBig *ProtocolError) (int, bool, error) {
	limit := r.maxInline()
	if r.scan < start {
		r.scan = start
	}
	if !r.stuck {
		i := bytes.IndexByte(buf[r.scan:], term)
		seg := buf[r.scan:]
		if i >= 0 {
			seg = seg[:i]
		}
		if bytes.IndexByte(seg, 0) >= 0 {
			r.stuck = true
		} else if i >= 0 {
			end := r.scan + i
			r.scan = end
			if end-start > limit {
				r.Reset()
				return 0, false, tooBig
			}
			if term == '\r' && end+1 >= len(buf) {
				return 0, false, nil
			}
			return end, true, nil
		} else {
			r.scan = len(buf)
		}
	}
	if len(buf)-start > limit {
		r.Reset()
		return 0, false, tooBig
	}
	return 0, false, nil
}

// parseInt parses a decimal integer as Redis's string2ll: an optional minus
// sign, no plus sign, no leading zeros, no "-0", no spaces, no overflow.
func parseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	neg := b[0] == '-'
	if neg {
		b = b[1:]
		if len(b) == 0 {
			return 0, false
		}
	}
	if b[0] < '1' || b[0] > '9' {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-9)/10 {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// Parsed returns how many bytes of the pending command were already parsed
// into complete arguments. Redis moves parsed arguments out of its query
// buffer, so client-query-buffer-limit counts only the rest.
func (r *Reader) Parsed() int { return r.pos }
