package aof

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"shoal/internal/resp"
	"strconv"
	"strings"
)

// File types as a manifest line spells them after "type".
const (
	TypeBase byte = 'b' // the base file: an RDB or AOF snapshot
	TypeHist byte = 'h' // a file a rewrite has replaced, awaiting deletion
	TypeIncr byte = 'i' // an incremental file of commands after the base
)

// File suffixes Redis 7.0 uses inside appenddirname.
const (
	baseSuffix = ".base"
	incrSuffix = ".incr"
	rdbSuffix  = ".rdb"
	aofSuffix  = ".aof"

	// ManifestSuffix follows appendfilename in the manifest's file name.
	ManifestSuffix = ".manifest"
)

// manifestMaxLine is MANIFEST_MAX_LINE: Redis reads the manifest with
// fgets into a buffer of this many bytes plus the terminator, so a line
// (newline included) longer than this is read in pieces.
const manifestMaxLine = 1024

// Manifest errors. Each one's text is the message Redis 7.0.15 logs under
// "*** FATAL AOF MANIFEST FILE ERROR ***"; Parse wraps them in a
// *ManifestError that says where.
var (
	ErrEmptyManifest   = errors.New("Found an empty AOF manifest")
	ErrLineTooLong     = errors.New("The AOF manifest file contains too long line")
	ErrInvalidManifest = errors.New("Invalid AOF manifest file format")
	ErrFileIsPath      = errors.New("File can't be a path, just a filename")
	ErrDuplicateBase   = errors.New("Found duplicate base file information")
	ErrNonMonotonic    = errors.New("Found a non-monotonic sequence number")
	ErrUnknownType     = errors.New("Unknown AOF file type")
)

// ManifestError is a manifest Parse rejected. Line is the 1-based line
// number as Redis counts lines (a line longer than the read buffer counts
// once per piece), 0 for errors Redis reports without one (empty manifest,
// too long line); Content is that line with surrounding blanks trimmed.
// The server logs "Reading the manifest file, at line %d", ">>> '%s'" and
// Err's text, as Redis does.
type ManifestError struct {
	Line    int
	Content string
	Err     error
}

// Error formats the error on one line.
func (e *ManifestError) Error() string {
	if e.Line == 0 {
		return "aof manifest: " + e.Err.Error()
	}
	return fmt.Sprintf("aof manifest: line %d '%s': %s", e.Line, e.Content, e.Err)
}

// Unwrap returns one of the Err* sentinels above.
func (e *ManifestError) Unwrap() error { return e.Err }

// File is one line of the manifest.
type File struct {
	Name string
	Seq  int64
	Type byte
}

// Manifest is the parsed content of appendonly.aof.manifest: at most one
// base file, the history files left by rewrites, and the incremental files
// in ascending sequence order. CurBaseSeq and CurIncrSeq are the highest
// sequence numbers handed out, the seeds of NextBase and NextIncr.
type Manifest struct {
	Base       *File
	Incr       []File
	History    []File
	CurBaseSeq int64
	CurIncrSeq int64
}

// BaseName is the name of base file seq for appendfilename prefix:
// "<prefix>.<seq>.base.rdb", or ".base.aof" when aof-use-rdb-preamble is
// off.
func BaseName(prefix string, seq int64, rdbPreamble bool) string {
	suffix := aofSuffix
	if rdbPreamble {
		suffix = rdbSuffix
	}
	return prefix + "." + strconv.FormatInt(seq, 10) + baseSuffix + suffix
}

// IncrName is the name of incremental file seq: "<prefix>.<seq>.incr.aof".
func IncrName(prefix string, seq int64) string {
	return prefix + "." + strconv.FormatInt(seq, 10) + incrSuffix + aofSuffix
}

// ManifestName is the manifest's file name for appendfilename prefix.
func ManifestName(prefix string) string { return prefix + ManifestSuffix }

// Parse reads a manifest the way Redis 7.0's aofLoadManifestFromFile does:
// lines starting with '#' are skipped, every other line must end in a
// newline and split (with redis-cli style quoting) into key/value pairs,
// at least three, among which "file", "seq" (non-zero) and "type" (b, h or
// i; only the first byte counts) are required and matched case-blind;
// later pairs override earlier ones and unknown keys are ignored. Incr
// lines must have strictly increasing sequence numbers above zero. A
// manifest holding only comments parses to an empty Manifest, which Redis
// treats like a missing one.
func Parse(data []byte) (*Manifest, error) {
	m := &Manifest{}
	lines := 0
	var maxIncr int64
	for pos := 0; pos < len(data); {
		// One fgets call: up to manifestMaxLine bytes, through a newline.
		end := min(len(data), pos+manifestMaxLine)
		if i := bytes.IndexByte(data[pos:end], '\n'); i >= 0 {
			end = pos + i + 1
		}
		chunk := data[pos:end]
		pos = end
		lines++
		if chunk[0] == '#' {
			continue
		}
		chunk = cString(chunk)
		if bytes.IndexByte(chunk, '\n') < 0 {
			return nil, &ManifestError{Err: ErrLineTooLong}
		}
		line := strings.Trim(string(chunk), " \t\r\n")
		f, err := parseLine(line)
		if err != nil {
			return nil, &ManifestError{Line: lines, Content: line, Err: err}
		}
		switch f.Type {
		case TypeBase:
			if m.Base != nil {
				return nil, &ManifestError{Line: lines, Content: line, Err: ErrDuplicateBase}
			}
			m.Base = &f
			m.CurBaseSeq = f.Seq
		case TypeHist:
			m.History = append(m.History, f)
		case TypeIncr:
			if f.Seq <= maxIncr {
				return nil, &ManifestError{Line: lines, Content: line, Err: ErrNonMonotonic}
			}
			m.Incr = append(m.Incr, f)
			m.CurIncrSeq = f.Seq
			maxIncr = f.Seq
		default:
			return nil, &ManifestError{Line: lines, Content: line, Err: ErrUnknownType}
		}
	}
	if lines == 0 {
		return nil, &ManifestError{Err: ErrEmptyManifest}
	}
	return m, nil
}

// parseLine turns one trimmed, non-comment line into a File.
func parseLine(line string) (File, error) {
	var f File
	if line == "" {
		return f, ErrInvalidManifest
	}
	args, err := resp.SplitArgs([]byte(line))
	if err != nil || len(args) < 6 || len(args)%2 != 0 {
		return f, ErrInvalidManifest
	}
	named := false
	for i := 0; i < len(args); i += 2 {
		// Redis holds keys and values as C strings: a \x00 written in
		// quotes ends them.
		key, val := cStr(string(args[i])), cStr(string(args[i+1]))
		switch {
		case strings.EqualFold(key, "file"):
			if strings.ContainsAny(val, "/\\") {
				return f, ErrFileIsPath
			}
			f.Name, named = val, true
		case strings.EqualFold(key, "seq"):
			f.Seq = atoll(val)
		case strings.EqualFold(key, "type"):
			f.Type = 0
			if val != "" {
				f.Type = val[0]
			}
		}
	}
	if !named || f.Seq == 0 || f.Type == 0 {
		return f, ErrInvalidManifest
	}
	return f, nil
}

// Format renders the manifest exactly as Redis writes it: the base line,
// then history lines, then incr lines, each "file <name> seq <n> type <t>"
// and a newline, with names quoted the way sdscatrepr quotes them when
// they hold blanks, quotes, backslashes or unprintable bytes.
func (m *Manifest) Format() []byte {
	var buf []byte
	if m.Base != nil {
		buf = appendFileLine(buf, *m.Base)
	}
	for _, f := range m.History {
		buf = appendFileLine(buf, f)
	}
	for _, f := range m.Incr {
		buf = appendFileLine(buf, f)
	}
	return buf
}

func appendFileLine(dst []byte, f File) []byte {
	dst = append(dst, "file "...)
	if needsRepr(f.Name) {
		dst = resp.AppendRepr(dst, f.Name)
	} else {
		dst = append(dst, f.Name...)
	}
	dst = append(dst, " seq "...)
	dst = strconv.AppendInt(dst, f.Seq, 10)
	dst = append(dst, " type "...)
	dst = append(dst, f.Type, '\n')
	return dst
}

// NextBase starts a new base file, as a rewrite does when it finishes:
// the current base (if any) becomes the first history entry, and the new
// base takes the next base sequence number. It returns the new base.
func (m *Manifest) NextBase(prefix string, rdbPreamble bool) File {
	if m.Base != nil {
		old := *m.Base
		old.Type = TypeHist
		m.History = append([]File{old}, m.History...)
	}
	m.CurBaseSeq++
	m.Base = &File{Name: BaseName(prefix, m.CurBaseSeq, rdbPreamble), Seq: m.CurBaseSeq, Type: TypeBase}
	return *m.Base
}

// NextIncr appends a new incremental file with the next incr sequence
// number, as a rewrite does when it starts (and the server does when AOF
// is switched on), and returns it.
func (m *Manifest) NextIncr(prefix string) File {
	m.CurIncrSeq++
	f := File{Name: IncrName(prefix, m.CurIncrSeq), Seq: m.CurIncrSeq, Type: TypeIncr}
	m.Incr = append(m.Incr, f)
	return f
}

// MarkIncrsHistory moves the incremental files a finished rewrite has
// folded into the new base to the front of History, in ascending order,
// as markRewrittenIncrAofAsHistory does. With keepLast (AOF is on) the
// last incr file, the one being written, stays.
func (m *Manifest) MarkIncrsHistory(keepLast bool) {
	n := len(m.Incr)
	if keepLast && n > 0 {
		n--
	}
	if n == 0 {
		return
	}
	hist := make([]File, 0, n+len(m.History))
	for _, f := range m.Incr[:n] {
		f.Type = TypeHist
		hist = append(hist, f)
	}
	m.History = append(hist, m.History...)
	m.Incr = append(m.Incr[:0:0], m.Incr[n:]...)
}

// TakeHistory empties History and returns what it held: the files the
// server deletes once the new manifest is on disk.
func (m *Manifest) TakeHistory() []File {
	h := m.History
	m.History = nil
	return h
}

// LoadOrder returns the files to load at startup: the base, then the
// incremental files in order.
func (m *Manifest) LoadOrder() []File {
	files := make([]File, 0, len(m.Incr)+1)
	if m.Base != nil {
		files = append(files, *m.Base)
	}
	return append(files, m.Incr...)
}

// Clone returns a deep copy, for the rewrite path that edits a copy and
// installs it only once it is persisted.
func (m *Manifest) Clone() *Manifest {
	c := &Manifest{CurBaseSeq: m.CurBaseSeq, CurIncrSeq: m.CurIncrSeq}
	if m.Base != nil {
		b := *m.Base
		c.Base = &b
	}
	c.Incr = append([]File(nil), m.Incr...)
	c.History = append([]File(nil), m.History...)
	return c
}

// cString cuts b at its first NUL, as C string functions see it.
func cString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

func cStr(s string) string {
	if i := strings.IndexByte(s, 0); i >= 0 {
		return s[:i]
	}
	return s
}

// isSpace is C's isspace in the C locale.
func isSpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}

// isPrint is C's isprint in the C locale.
func isPrint(c byte) bool { return c >= 0x20 && c <= 0x7e }

// needsRepr is sdsneedsrepr: whether a name must be quoted.
func needsRepr(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\\' || c == '"' || !isPrint(c) || isSpace(c) {
			return true
		}
	}
	return false
}

// atoll is C's atoll (and strtol, base 10) as glibc implements it: leading
// blanks, an optional sign, then digits up to the first non-digit (a NUL
// included), with overflow clamped to the int64 range.
func atoll[T string | []byte](s T) int64 {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var u uint64
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := uint64(s[i] - '0')
		if u > (limit-d)/10 {
			u = limit
			for i < len(s) && s[i] >= '0' && s[i] <= '9' {
				i++
			}
			break
		}
		u = u*10 + d
	}
	if neg {
		return int64(-u)
	}
	return int64(u)
}
