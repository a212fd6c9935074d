package repl

import (
	"bytes"
	"errors"
	"strconv"
)

// What a master answers to PSYNC and how it frames the RDB, parsed on the
// replica side (slaveTryPartialResynchronization, readSyncBulkPayload).

// ErrProtocol reports a line from the master that is not what the
// protocol allows at that point.
var ErrProtocol = errors.New("repl: unexpected reply from master")

// EOFMarkLen is the length of a diskless payload's end mark
// (RDB_EOF_MARK_SIZE).
const EOFMarkLen = 40

// ParseFullResync parses "+FULLRESYNC <replid> <offset>" (without CRLF).
func ParseFullResync(line []byte) (id string, offset int64, err error) {
	rest, ok := bytes.CutPrefix(line, []byte("+FULLRESYNC "))
	if !ok {
		return "", 0, ErrProtocol
	}
	idb, offb, ok := bytes.Cut(rest, []byte(" "))
	if !ok || len(idb) != IDLen {
		return "", 0, ErrProtocol
	}
	offset, perr := strconv.ParseInt(string(offb), 10, 64)
	if perr != nil {
		return "", 0, ErrProtocol
	}
	return string(idb), offset, nil
}

// ParseContinue parses "+CONTINUE" or "+CONTINUE <replid>"; id is "" when
// the master did not name one (a master without PSYNC2).
func ParseContinue(line []byte) (id string, err error) {
	rest, ok := bytes.CutPrefix(line, []byte("+CONTINUE"))
	if !ok {
		return "", ErrProtocol
	}
	rest = bytes.TrimSpace(rest)
	if len(rest) == 0 {
		return "", nil
	}
	if len(rest) != IDLen {
		return "", ErrProtocol
	}
	return string(rest), nil
}

// ParseBulkPreamble parses the line that starts the RDB transfer:
// "$<length>" (disk-based) or "$EOF:<40-byte mark>" (diskless), in which
// case length is -1 and mark is set.
func ParseBulkPreamble(line []byte) (length int64, mark []byte, err error) {
	if len(line) < 2 || line[0] != '$' {
		return 0, nil, ErrProtocol
	}
	if m, ok := bytes.CutPrefix(line[1:], []byte("EOF:")); ok {
		if len(m) != EOFMarkLen {
			return 0, nil, ErrProtocol
		}
		return -1, append([]byte(nil), m...), nil
	}
	length, perr := strconv.ParseInt(string(line[1:]), 10, 64)
	if perr != nil || length < 0 {
		return 0, nil, ErrProtocol
	}
	return length, nil, nil
}

// EOFScanner finds a diskless payload's end: the payload is everything
// before the final EOFMarkLen bytes, which must equal the mark. Feed it the
// stream in pieces; it holds back the last EOFMarkLen bytes seen, since
// they may be the mark.
type EOFScanner struct {
	mark []byte
	tail []byte
}

// NewEOFScanner returns a scanner for mark.
func NewEOFScanner(mark []byte) *EOFScanner {
	return &EOFScanner{mark: mark, tail: make([]byte, 0, 2*EOFMarkLen)}
}

// Write takes the next piece of the stream and appends to dst the payload
// bytes that can no longer be part of the mark. done reports that the
// stream so far ends with the mark; the payload is then complete.
//
// As Redis's readSyncBulkPayload, the mark is recognised at the end of
// what has been read: the master sends nothing after it until the replica
// is online, so a read never goes past it.
func (s *EOFScanner) Write(dst, p []byte) (out []byte, done bool) {
	if len(p) >= EOFMarkLen {
		dst = append(dst, s.tail...)
		dst = append(dst, p[:len(p)-EOFMarkLen]...)
		s.tail = append(s.tail[:0], p[len(p)-EOFMarkLen:]...)
	} else {
		s.tail = append(s.tail, p...)
		if over := len(s.tail) - EOFMarkLen; over > 0 {
			dst = append(dst, s.tail[:over]...)
			s.tail = s.tail[:copy(s.tail, s.tail[over:])]
		}
	}
	return dst, len(s.tail) == EOFMarkLen && bytes.Equal(s.tail, s.mark)
}
