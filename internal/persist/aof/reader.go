package aof

import (
	"bytes"
	"errors"
	"io"
	"strconv"
)

// Reader errors. Next returns them as they are, so compare with ==, or
// errors.Is.
var (
	// ErrTruncated: the data ends inside a command, or inside a MULTI
	// that no EXEC closed. ValidLen says where to cut the file (the
	// server does so when aof-load-truncated is yes, and reports "Unexpected
	// end of file" otherwise); RevertedMulti says which of the two it was.
	ErrTruncated = errors.New("aof: unexpected end of file")
	// ErrBadFormat: bytes that are not an AOF command stream. Redis logs
	// "Bad file format reading the append only file <name>: make a backup
	// of your AOF file, then use ./redis-check-aof --fix <filename.manifest>".
	ErrBadFormat = errors.New("aof: bad file format")
)

// readLineMax is the size of the buffer loadSingleAppendOnlyFile hands to
// fgets: a line is read in pieces of at most readLineMax-1 bytes, and
// each piece is judged on its own (a long '#' line's tail is read as the
// next line).
const readLineMax = 1024

// rdbMagic starts an RDB file, and so an AOF base with an RDB preamble.
const rdbMagic = "REDIS"

// HasRDBPreamble reports whether an AOF file starts with an RDB image (the
// "REDIS" magic), which must be loaded by the RDB loader before the command
// stream that may follow it is read with NewReaderAt.
func HasRDBPreamble(data []byte) bool {
	return len(data) >= len(rdbMagic) && string(data[:len(rdbMagic)]) == rdbMagic
}

// Reader walks the commands of one AOF file, held in memory or streamed
// from an io.Reader through a window, accepting what Redis 7.0's
// loadSingleAppendOnlyFile accepts: lines end at '\n', "*<n>" and "$<len>"
// are read with atoi/strtol leniency (leading blanks, a sign, anything
// after the digits ignored), the two bytes after a bulk are skipped
// unchecked, and '#' lines (the "#TS:<unix>" annotations of
// aof-timestamp-enabled) are ignored. It tracks MULTI/EXEC as Redis's fake
// client does, so that a transaction left open at the end of the file is
// reported as truncated at the offset before its MULTI.
type Reader struct {
	data []byte
	pos  int
	// src is the input when streaming (nil when data holds all of it);
	// eof is set once it is exhausted.
	src io.Reader
	eof bool
	// base is the file offset of data[0]; keep is where the command being
	// read starts in data (nothing before it is referenced any more).
	base int
	keep int
	// Offsets in the file.
	valid       int
	beforeMulti int
	inMulti     bool
	reverted    bool
	err         error
	argv        [][]byte
}

// streamWindow is a streaming Reader's starting window.
const streamWindow = 1 << 20

// NewReader returns a Reader over a whole AOF file.
func NewReader(data []byte) *Reader { return NewReaderAt(data, 0) }

// NewReaderAt returns a Reader over the command stream starting at offset
// off of data, typically just past an RDB preamble, so that ValidLen stays
// an offset into the whole file.
func NewReaderAt(data []byte, off int) *Reader {
	off = max(0, min(off, len(data)))
	return &Reader{data: data, pos: off, keep: off, valid: off, beforeMulti: off, eof: true}
}

// NewStreamReader returns a Reader over the commands read from src, which
// starts at offset off of the file (just past an RDB preamble, or 0), so
// that ValidLen is an offset into the whole file. It holds one command at
// a time in memory (in a window of about a megabyte unless a command is
// larger), never the whole file.
func NewStreamReader(src io.Reader, off int) *Reader {
	return &Reader{data: make([]byte, 0, streamWindow), src: src, base: off, valid: off, beforeMulti: off}
}

// Offset is the file offset just past the last command Next returned.
func (r *Reader) Offset() int { return r.base + r.pos }

// Next returns the next command. The argv slice is reused by the following
// call; its elements alias the data given to NewReader, or, streaming, the
// Reader's window until the following call. At a clean end of the data
// Next returns io.EOF; otherwise it returns ErrTruncated or ErrBadFormat,
// and keeps returning that error.
func (r *Reader) Next() ([][]byte, error) {
	if r.err != nil {
		return nil, r.err
	}
	r.release()
	argv, err := r.next()
	if err != nil {
		r.err = err
		if err == io.EOF && r.inMulti {
			r.valid = r.beforeMulti
			r.reverted = true
			r.err = ErrTruncated
		}
		return nil, r.err
	}
	switch {
	case asciiEqualFold(argv[0], "multi"):
		// Set on every MULTI, queued or not, as Redis does.
		r.beforeMulti = r.valid
		r.inMulti = true
	case asciiEqualFold(argv[0], "exec"):
		r.inMulti = false
	}
	r.valid = r.Offset()
	return argv, nil
}

// ValidLen is the offset just past the last complete command returned (or
// where the Reader started, before any), or, after a reverted MULTI, the
// offset before that MULTI: the length to truncate the file to when Next
// returned ErrTruncated.
func (r *Reader) ValidLen() int { return r.valid }

// RevertedMulti reports whether the ErrTruncated Next returned stands for a
// MULTI left open at the end of the file rather than a cut command; Redis
// then logs "Revert incomplete MULTI/EXEC transaction in AOF file <name>"
// first.
func (r *Reader) RevertedMulti() bool { return r.reverted }

// release starts a new command: the previous one's argv is dead, so the
// window may slide over it.
func (r *Reader) release() {
	if r.src == nil {
		return
	}
	r.keep = r.pos
	if r.pos >= cap(r.data)/2 {
		n := copy(r.data, r.data[r.pos:])
		r.data = r.data[:n]
		r.base += r.pos
		r.pos, r.keep = 0, 0
	}
}

// more reads more of src into the window and reports false at its end. A
// full window is replaced by a larger one holding the command being read,
// so its arguments read so far stay valid; it only grows as bytes arrive.
func (r *Reader) more() bool {
	for !r.eof {
		if len(r.data) == cap(r.data) {
			nd := make([]byte, len(r.data)-r.keep, 2*cap(r.data))
			copy(nd, r.data[r.keep:])
			r.base += r.keep
			r.pos -= r.keep
			r.keep = 0
			r.data = nd
		}
		n, err := r.src.Read(r.data[len(r.data):cap(r.data)])
		r.data = r.data[:len(r.data)+n]
		if err != nil {
			r.eof = true
		}
		if n > 0 {
			return true
		}
	}
	return false
}

// atEnd reports whether nothing is left to read.
func (r *Reader) atEnd() bool { return r.pos == len(r.data) && !r.more() }

func (r *Reader) next() ([][]byte, error) {
	var line []byte
	for {
		if r.atEnd() {
			return nil, io.EOF
		}
		line = r.line()
		if line[0] != '#' {
			break
		}
	}
	if line[0] != '*' {
		return nil, ErrBadFormat
	}
	if len(line) == 1 {
		// A lone '*' is only a whole line at the end of the data.
		return nil, ErrTruncated
	}
	if line[1] == 0 {
		return nil, ErrBadFormat
	}
	// atoi: the clamped long is cut to a C int.
	argc := int32(atoll(line[1:]))
	if argc < 1 {
		return nil, ErrBadFormat
	}
	argv := r.argv[:0]
	for range argc {
		if r.atEnd() {
			return nil, ErrTruncated
		}
		line = r.line()
		if line[0] != '$' {
			return nil, ErrBadFormat
		}
		n := atoll(line[1:])
		if n < 0 {
			// Redis aborts allocating a negative length; there is no
			// reading past it either way.
			return nil, ErrBadFormat
		}
		for int64(len(r.data)-r.pos) < n+2 && r.more() {
		}
		rest := int64(len(r.data) - r.pos)
		if n > rest || rest-n < 2 {
			return nil, ErrTruncated
		}
		argv = append(argv, r.data[r.pos:r.pos+int(n):r.pos+int(n)])
		r.pos += int(n) + 2
	}
	r.argv = argv
	return argv, nil
}

// line returns the next fgets piece: through the next '\n', at most
// readLineMax-1 bytes, or up to the end of the data. pos must be short of
// the end.
func (r *Reader) line() []byte {
	for {
		end := min(len(r.data), r.pos+readLineMax-1)
		i := bytes.IndexByte(r.data[r.pos:end], '\n')
		if i >= 0 || end == r.pos+readLineMax-1 || !r.more() {
			if i >= 0 {
				end = r.pos + i + 1
			}
			l := r.data[r.pos:end]
			r.pos = end
			return l
		}
	}
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := range len(b) {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// AppendCommand appends argv as a RESP multibulk, the form
// catAppendOnlyGenericCommand writes to the AOF:
// "*<argc>\r\n" then "$<len>\r\n<arg>\r\n" per argument.
func AppendCommand(dst []byte, argv [][]byte) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(len(argv)), 10)
	dst = append(dst, '\r', '\n')
	for _, a := range argv {
		dst = append(dst, '$')
		dst = strconv.AppendInt(dst, int64(len(a)), 10)
		dst = append(dst, '\r', '\n')
		dst = append(dst, a...)
		dst = append(dst, '\r', '\n')
	}
	return dst
}

// AppendSelect appends the SELECT Redis writes before a command whose
// database differs from the last one written: "*2\r\n$6\r\nSELECT\r\n$<n>\r\n<db>\r\n".
func AppendSelect(dst []byte, db int) []byte {
	var num [20]byte
	d := strconv.AppendInt(num[:0], int64(db), 10)
	dst = append(dst, "*2\r\n$6\r\nSELECT\r\n$"...)
	dst = strconv.AppendInt(dst, int64(len(d)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, d...)
	return append(dst, '\r', '\n')
}

// AppendTimestamp appends the annotation aof-timestamp-enabled writes
// before the commands of a new second: "#TS:<unix seconds>\r\n".
func AppendTimestamp(dst []byte, unix int64) []byte {
	dst = append(dst, "#TS:"...)
	dst = strconv.AppendInt(dst, unix, 10)
	return append(dst, '\r', '\n')
}
