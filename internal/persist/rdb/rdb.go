package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"

	"shoal/internal/encoding"
)

// Version is the RDB format version Redis 7.0 writes (RDB_VERSION).
const Version = 10

// Object type bytes (RDB_TYPE_*). Redis 7.0 writes String, Set, Hash,
// ZSet2, SetIntset, HashListpack, ZSetListpack, ListQuicklist2 and
// StreamListpacks2; the others are read for compatibility with older files
// and nodes.
const (
	TypeString           byte = 0
	TypeList             byte = 1
	TypeSet              byte = 2
	TypeZSet             byte = 3
	TypeHash             byte = 4
	TypeZSet2            byte = 5
	TypeModule           byte = 6
	TypeModule2          byte = 7
	TypeHashZipmap       byte = 9
	TypeListZiplist      byte = 10
	TypeSetIntset        byte = 11
	TypeZSetZiplist      byte = 12
	TypeHashZiplist      byte = 13
	TypeListQuicklist    byte = 14
	TypeStreamListpacks  byte = 15
	TypeHashListpack     byte = 16
	TypeZSetListpack     byte = 17
	TypeListQuicklist2   byte = 18
	TypeStreamListpacks2 byte = 19
)

// IsObjectType reports whether t is an object type byte Redis 7.0 accepts
// (rdbIsObjectType: 0..7 and 9..19).
func IsObjectType(t byte) bool {
	return t <= 7 || (t >= 9 && t <= 19)
}

// Length and string encodings (RDB_6BITLEN ... RDB_ENC_LZF).
const (
	len6Bit  = 0
	len14Bit = 1
	len32Bit = 0x80
	len64Bit = 0x81
	lenEnc   = 3

	encInt8  = 0
	encInt16 = 1
	encInt32 = 2
	encLZF   = 3
)

// Errors. Decoding failures of any kind are ErrBadFormat (wrapped with
// detail where useful; compare with errors.Is).
var (
	// ErrBadFormat reports a payload or object body that does not parse.
	ErrBadFormat = errors.New("rdb: bad data format")
	// ErrEmptyKey is an object with no elements (an empty list, set,
	// sorted set or hash, in any encoding but intset and zipmap): bad
	// data for RESTORE, a key to skip when loading a file, as Redis's
	// RDB_LOAD_ERR_EMPTY_KEY (older servers could write them, #8453).
	ErrEmptyKey = fmt.Errorf("%w: empty key", ErrBadFormat)
	// ErrChecksum reports a DUMP payload whose footer (version or CRC) is
	// wrong.
	ErrChecksum = errors.New("rdb: payload version or checksum are wrong")
	// ErrUnsupported reports a value the encoder has no RDB form for.
	ErrUnsupported = errors.New("rdb: unsupported value type")
)

// Reader decodes RDB primitives from a byte slice or, streaming, from an
// io.Reader through a bounded window. Strings it returns from ReadString
// may alias the input; ReadOwnedString always returns fresh memory.
//
// Streaming, bytes are kept from the start of the current record (see
// release): a record's earlier strings stay valid while later parts of it
// are read, and the window only grows past its size for a record larger
// than half of it.
type Reader struct {
	buf []byte
	pos int
	// src is the input when streaming, nil when buf holds all of it.
	src io.Reader
	// size is the input's total length when known (a file), else -1:
	// lengths are checked against it before any byte is read.
	size int64
	// base is the input offset of buf[0].
	base int64
	// keep is where the current record starts in buf: nothing before it
	// is referenced any more.
	keep int
	// err is src's first error (io.EOF at its end).
	err error
	// sum asks for the CRC-64 of the bytes read: crc covers the input up
	// to buf[crcPos].
	sum    bool
	crc    uint64
	crcPos int
	// scratch holds the decimal text of integer-encoded strings.
	scratch [24]byte
}

// streamWindow is the streaming Reader's starting window.
const streamWindow = 1 << 20

// NewReader returns a Reader over b.
func NewReader(b []byte) *Reader { return &Reader{buf: b, size: int64(len(b))} }

// newStreamReader returns a Reader over src, whose total length is size
// (-1 when unknown).
func newStreamReader(src io.Reader, size int64) *Reader {
	return &Reader{buf: make([]byte, 0, streamWindow), src: src, size: size}
}

// Reset points r at b from its start.
func (r *Reader) Reset(b []byte) { *r = Reader{buf: b, size: int64(len(b))} }

// Remaining is the number of unread bytes held in memory.
func (r *Reader) Remaining() int { return len(r.buf) - r.pos }

// Offset is the number of bytes read so far.
func (r *Reader) Offset() int { return int(r.base) + r.pos }

// has reports whether n more bytes exist in the input, reading them in
// only when the input's length is unknown. Collection lengths are checked
// with it before anything is allocated from them.
func (r *Reader) has(n int) bool {
	if n <= len(r.buf)-r.pos {
		return true
	}
	if r.src != nil && r.size >= 0 {
		return r.base+int64(r.pos)+int64(n) <= r.size
	}
	return r.fill(n)
}

// fill makes n bytes past pos available, reading from src, and reports
// false when the input ends first. The window grows only as bytes arrive,
// so a hostile length costs no more memory than the input really holds.
func (r *Reader) fill(n int) bool {
	if n <= len(r.buf)-r.pos {
		return true
	}
	if r.src == nil || r.err != nil || n < 0 {
		return false
	}
	if r.size >= 0 && r.base+int64(r.pos)+int64(n) > r.size {
		return false
	}
	for len(r.buf)-r.pos < n {
		if len(r.buf) == cap(r.buf) {
			r.grow(n)
		}
		m, err := r.src.Read(r.buf[len(r.buf):cap(r.buf)])
		r.buf = r.buf[:len(r.buf)+m]
		if err != nil {
			r.err = err
			return len(r.buf)-r.pos >= n
		}
	}
	return true
}

// grow moves the current record (buf[keep:]) into a larger window with
// room for n bytes past pos. The old window is left as it is: strings the
// record returned earlier still point into it.
func (r *Reader) grow(n int) {
	r.sumTo(r.keep)
	live := len(r.buf) - r.keep
	need := r.pos - r.keep + n
	nb := make([]byte, live, max(2*cap(r.buf), need+streamWindow))
	copy(nb, r.buf[r.keep:])
	r.drop(r.keep)
	r.buf = nb
}

// drop accounts for the first k bytes of buf leaving the window.
func (r *Reader) drop(k int) {
	r.base += int64(k)
	r.pos -= k
	r.keep -= k
	r.crcPos -= k
}

// release starts a new record: nothing before pos is referenced any more,
// so the window may slide over it. Streaming only.
func (r *Reader) release() {
	if r.src == nil {
		return
	}
	r.keep = r.pos
	if r.pos >= cap(r.buf)/2 {
		r.sumTo(r.pos)
		n := copy(r.buf, r.buf[r.pos:])
		r.buf = r.buf[:n]
		r.drop(r.pos)
	}
}

// sumTo adds buf[crcPos:end] to the running checksum.
func (r *Reader) sumTo(end int) {
	if r.sum && end > r.crcPos {
		r.crc = encoding.CRC64(r.crc, r.buf[r.crcPos:end])
		r.crcPos = end
	}
}

// ReadByte returns the next byte.
func (r *Reader) ReadByte() (byte, error) {
	if r.pos >= len(r.buf) && !r.fill(1) {
		return 0, ErrBadFormat
	}
	b := r.buf[r.pos]
	r.pos++
	return b, nil
}

// ReadRaw returns the next n bytes, aliasing the input.
func (r *Reader) ReadRaw(n int) ([]byte, error) {
	if n < 0 || !r.fill(n) {
		return nil, ErrBadFormat
	}
	b := r.buf[r.pos : r.pos+n : r.pos+n]
	r.pos += n
	return b, nil
}

// ReadUint64LE reads 8 bytes little endian (millisecond times).
func (r *Reader) ReadUint64LE() (uint64, error) {
	b, err := r.ReadRaw(8)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// ReadBinaryDouble reads an IEEE-754 binary64, little endian (ZSET_2).
func (r *Reader) ReadBinaryDouble() (float64, error) {
	u, err := r.ReadUint64LE()
	return math.Float64frombits(u), err
}

// readLen reads a length or, when encoded is true, the special string
// encoding number held in its first byte.
func (r *Reader) readLen() (n uint64, encoded bool, err error) {
	c, err := r.ReadByte()
	if err != nil {
		return 0, false, err
	}
	switch c >> 6 {
	case len6Bit:
		return uint64(c & 0x3F), false, nil
	case len14Bit:
		d, err := r.ReadByte()
		if err != nil {
			return 0, false, err
		}
		return uint64(c&0x3F)<<8 | uint64(d), false, nil
	case lenEnc:
		return uint64(c & 0x3F), true, nil
	}
	switch c {
	case len32Bit:
		b, err := r.ReadRaw(4)
		if err != nil {
			return 0, false, err
		}
		return uint64(binary.BigEndian.Uint32(b)), false, nil
	case len64Bit:
		b, err := r.ReadRaw(8)
		if err != nil {
			return 0, false, err
		}
		return binary.BigEndian.Uint64(b), false, nil
	}
	return 0, false, ErrBadFormat
}

// ReadLength reads an rdb length (the special string encodings are not
// lengths and fail).
func (r *Reader) ReadLength() (uint64, error) {
	n, enc, err := r.readLen()
	if err == nil && enc {
		err = ErrBadFormat
	}
	return n, err
}

// readCount reads a collection length and checks it against the bytes
// left, given that every element takes at least min bytes, so callers can
// size allocations from it safely.
func (r *Reader) readCount(min int) (int, error) {
	n, err := r.ReadLength()
	if err != nil {
		return 0, err
	}
	if n > uint64(math.MaxInt32) || !r.has(int(n)*min) {
		return 0, ErrBadFormat
	}
	return int(n), nil
}

// ReadString reads an rdb string. A raw string aliases the input; integer
// and LZF forms are decoded into fresh memory (integer ones into r's
// scratch, valid until the next call).
func (r *Reader) ReadString() ([]byte, error) {
	return r.readString(false)
}

// ReadOwnedString is ReadString returning memory the caller owns.
func (r *Reader) ReadOwnedString() ([]byte, error) {
	return r.readString(true)
}

func (r *Reader) readString(own bool) ([]byte, error) {
	n, enc, err := r.readLen()
	if err != nil {
		return nil, err
	}
	if !enc {
		if n > math.MaxInt/2 {
			return nil, ErrBadFormat
		}
		b, err := r.ReadRaw(int(n))
		if err != nil {
			return nil, err
		}
		if own {
			b = append([]byte(nil), b...)
		}
		return b, nil
	}
	var v int64
	switch n {
	case encInt8:
		b, err := r.ReadRaw(1)
		if err != nil {
			return nil, err
		}
		v = int64(int8(b[0]))
	case encInt16:
		b, err := r.ReadRaw(2)
		if err != nil {
			return nil, err
		}
		v = int64(int16(binary.LittleEndian.Uint16(b)))
	case encInt32:
		b, err := r.ReadRaw(4)
		if err != nil {
			return nil, err
		}
		v = int64(int32(binary.LittleEndian.Uint32(b)))
	case encLZF:
		return r.readLZF()
	default:
		return nil, ErrBadFormat
	}
	if own {
		return strconv.AppendInt(nil, v, 10), nil
	}
	return strconv.AppendInt(r.scratch[:0], v, 10), nil
}

// readLZF reads the compressed and plain lengths and the LZF data of an
// LZF-encoded string and decompresses it. The plain length is bounded by
// what the compressed bytes can expand to before anything is allocated.
func (r *Reader) readLZF() ([]byte, error) {
	clen, err := r.ReadLength()
	if err != nil {
		return nil, err
	}
	ulen, err := r.ReadLength()
	if err != nil {
		return nil, err
	}
	if clen == 0 || clen > math.MaxInt/2 || ulen > clen*lzfMaxExpansion {
		return nil, ErrBadFormat
	}
	src, err := r.ReadRaw(int(clen))
	if err != nil {
		return nil, err
	}
	out, err := encoding.LZFDecompress(nil, src, int(ulen))
	if err != nil {
		return nil, ErrBadFormat
	}
	return out, nil
}

// lzfMaxExpansion bounds how many bytes one LZF input byte can produce (a
// 3-byte back reference yields at most 264 bytes).
const lzfMaxExpansion = 88

// AppendLength appends n in the shortest rdb length form.
func AppendLength(dst []byte, n uint64) []byte {
	switch {
	case n < 1<<6:
		return append(dst, byte(n))
	case n < 1<<14:
		return append(dst, byte(n>>8)|len14Bit<<6, byte(n))
	case n <= math.MaxUint32:
		return binary.BigEndian.AppendUint32(append(dst, len32Bit), uint32(n))
	default:
		return binary.BigEndian.AppendUint64(append(dst, len64Bit), n)
	}
}

// AppendString appends s as rdbSaveRawString writes it: a short canonical
// integer that fits in 32 bits in integer form; else, when compress is set
// (rdbcompression) and s is longer than 20 bytes, LZF-compressed if that
// saves at least 4 bytes; else raw.
func AppendString(dst, s []byte, compress bool) []byte {
	if len(s) <= 11 {
		if v, ok := canonicalInt(s); ok {
			if out, ok := appendIntString(dst, v); ok {
				return out
			}
		}
	}
	if compress && len(s) > 20 {
		if out, ok := appendLZFString(dst, s); ok {
			return out
		}
	}
	return append(AppendLength(dst, uint64(len(s))), s...)
}

// AppendInt appends the decimal string of v as rdbSaveLongLongAsStringObject
// does: integer form when it fits in 32 bits, else its digits raw.
func AppendInt(dst []byte, v int64) []byte {
	if out, ok := appendIntString(dst, v); ok {
		return out
	}
	var b [20]byte
	d := strconv.AppendInt(b[:0], v, 10)
	return append(AppendLength(dst, uint64(len(d))), d...)
}

// appendIntString appends v in the smallest integer string encoding, if
// it fits in 32 bits.
func appendIntString(dst []byte, v int64) ([]byte, bool) {
	switch {
	case v >= math.MinInt8 && v <= math.MaxInt8:
		return append(dst, lenEnc<<6|encInt8, byte(v)), true
	case v >= math.MinInt16 && v <= math.MaxInt16:
		return binary.LittleEndian.AppendUint16(append(dst, lenEnc<<6|encInt16), uint16(v)), true
	case v >= math.MinInt32 && v <= math.MaxInt32:
		return binary.LittleEndian.AppendUint32(append(dst, lenEnc<<6|encInt32), uint32(v)), true
	}
	return dst, false
}

// appendLZFString appends the LZF form of s (0xC3, compressed length,
// plain length, data) when s compresses by more than 4 bytes. The data is
// compressed in place at the end of dst and then moved behind its header,
// so nothing is allocated when dst has room.
func appendLZFString(dst, s []byte) ([]byte, bool) {
	base := len(dst)
	out := encoding.LZFCompress(dst, s)
	if out == nil {
		return dst[:base], false
	}
	clen := len(out) - base
	var hb [11]byte
	h := append(hb[:0], lenEnc<<6|encLZF)
	h = AppendLength(h, uint64(clen))
	h = AppendLength(h, uint64(len(s)))
	out = append(out, h...)
	copy(out[base+len(h):], out[base:base+clen])
	copy(out[base:], h)
	return out, true
}

// canonicalInt parses s when it is the canonical decimal form of an int64
// (string2ll followed by the ll2string round trip rdbTryIntegerEncoding
// requires: no sign but '-', no leading zeros, no "-0").
func canonicalInt(s []byte) (int64, bool) {
	if len(s) == 0 || len(s) > 20 {
		return 0, false
	}
	i, neg := 0, false
	if s[0] == '-' {
		neg, i = true, 1
		if len(s) == 1 {
			return 0, false
		}
	}
	if s[i] == '0' && len(s) > i+1 || neg && s[i] == '0' {
		return 0, false
	}
	var u uint64
	for ; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if u > (math.MaxUint64-9)/10 {
			return 0, false
		}
		u = u*10 + uint64(c-'0')
	}
	if neg {
		if u > 1<<63 {
			return 0, false
		}
		return -int64(u), true
	}
	if u > math.MaxInt64 {
		return 0, false
	}
	return int64(u), true
}

// AppendBinaryDouble appends v as 8 bytes little endian (ZSET_2 scores).
func AppendBinaryDouble(dst []byte, v float64) []byte {
	return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v))
}

// AppendUint64LE appends v as 8 bytes little endian (millisecond times).
func AppendUint64LE(dst []byte, v uint64) []byte {
	return binary.LittleEndian.AppendUint64(dst, v)
}

// CorruptError is bad data whose reason Redis names when it refuses it
// (rdbReportCorruptRDB's "Ziplist integrity check failed." and the like):
// RESTORE logs it, as Redis logs it at verbose level. It wraps
// ErrBadFormat.
type CorruptError struct {
	Reason string
}

func (e *CorruptError) Error() string { return "rdb: " + e.Reason }

func (e *CorruptError) Unwrap() error { return ErrBadFormat }

// integrity reports a blob of the named kind ("Ziplist", "Zset
// listpack"...) that failed validation.
func integrity(kind string) error {
	return &CorruptError{Reason: kind + " integrity check failed."}
}

// withIntegrity replaces a validation failure of a compact blob (err
// wrapping ErrBadFormat, but not an empty key or a reason already given)
// by the integrity failure of kind.
func withIntegrity(err error, kind string) error {
	var ce *CorruptError
	if err == nil || errors.Is(err, ErrEmptyKey) || errors.As(err, &ce) || !errors.Is(err, ErrBadFormat) {
		return err
	}
	return integrity(kind)
}
