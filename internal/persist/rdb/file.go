package rdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"unsafe"

	"shoal/internal/encoding"
	"shoal/internal/keyspace"
)

// File opcodes (RDB_OPCODE_*), the bytes that frame the records of an RDB
// file. Any other byte in their place is an object type.
const (
	opFunction2    byte = 0xF5 // a function library's code (7.0 GA)
	opFunctionPre  byte = 0xF6 // the 7.0 release candidates' function format
	opModuleAux    byte = 0xF7
	opIdle         byte = 0xF8
	opFreq         byte = 0xF9
	opAux          byte = 0xFA
	opResizeDB     byte = 0xFB
	opExpireTimeMs byte = 0xFC
	opExpireTime   byte = 0xFD
	opSelectDB     byte = 0xFE
	opEOF          byte = 0xFF
)

// magic starts every RDB file, followed by the version as 4 digits.
const magic = "REDIS"

// headerSize is the magic plus the 4-digit version.
const headerSize = 9

// checksumVersion is the first RDB version whose files end with a CRC-64.
const checksumVersion = 5

// Aux is one auxiliary field (RDB_OPCODE_AUX) of a file's header, such as
// redis-ver or ctime. Values that are canonical integers are written in
// integer form, as rdbSaveAuxFieldStrInt does.
type Aux struct{ Key, Value string }

// RecordMeta is the eviction metadata stored before a record: its idle
// time in seconds (IDLE, written under an LRU maxmemory-policy) or its LFU
// counter (FREQ, under an LFU policy). The caller computes both from the
// entry's LRU field and its clocks; this package keeps no clock.
type RecordMeta struct {
	HasIdle bool
	Idle    uint64
	HasFreq bool
	Freq    uint8
}

// AppendHeader appends the file's magic and version ("REDIS0010") and
// then each aux field, as rdbSaveInfoAuxFields writes them. compress is
// rdbcompression (long values are LZF-compressed when that pays).
func AppendHeader(dst []byte, aux []Aux, compress bool) []byte {
	dst = fmt.Appendf(dst, "%s%04d", magic, Version)
	for _, a := range aux {
		dst = AppendAux(dst, a.Key, a.Value, compress)
	}
	return dst
}

// AppendAux appends one aux field: the opcode, the key and the value as
// rdb strings.
func AppendAux(dst []byte, key, value string, compress bool) []byte {
	dst = append(dst, opAux)
	dst = AppendString(dst, []byte(key), compress)
	return AppendString(dst, []byte(value), compress)
}

// AppendFunction appends one function library (RDB_OPCODE_FUNCTION2 and
// the library's code), as Redis 7.0 writes each library before the
// databases.
func AppendFunction(dst, code []byte, compress bool) []byte {
	return AppendString(append(dst, opFunction2), code, compress)
}

// AppendSelectDB appends the opcode that starts database db's records.
func AppendSelectDB(dst []byte, db int) []byte {
	return AppendLength(append(dst, opSelectDB), uint64(db))
}

// AppendResizeDB appends the sizing hint that follows SELECTDB: the number
// of keys and of keys with an expiry in the database.
func AppendResizeDB(dst []byte, size, expires uint64) []byte {
	return AppendLength(AppendLength(append(dst, opResizeDB), size), expires)
}

// AppendRecord appends one key as rdbSaveKeyValuePair writes it: its
// expiry in ms when it has one, the IDLE and FREQ metadata meta asks for,
// then the type byte, the key and the object body. On error dst is
// returned as it was.
func AppendRecord(dst []byte, e *keyspace.Entry, meta RecordMeta, compress bool) ([]byte, error) {
	t, err := ObjectType(e)
	if err != nil {
		return dst, err
	}
	base := len(dst)
	if e.Expire != 0 {
		dst = AppendUint64LE(append(dst, opExpireTimeMs), uint64(e.Expire))
	}
	if meta.HasIdle {
		dst = AppendLength(append(dst, opIdle), meta.Idle)
	}
	if meta.HasFreq {
		dst = append(dst, opFreq, meta.Freq)
	}
	dst = append(dst, t)
	dst = AppendString(dst, keyBytes(e.Key), compress)
	if dst, err = AppendObject(dst, e, compress); err != nil {
		return dst[:base], err
	}
	return dst, nil
}

// keyBytes views a key as bytes without copying; AppendString only reads
// it.
func keyBytes(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

// AppendEOF appends the EOF opcode and the file's CRC-64, little endian.
// crc is the checksum of every byte before the opcode (kept by the caller
// with encoding.CRC64 as the file is written); the stored checksum also
// covers the opcode. With checksum false (rdbchecksum no) it is 0, which
// loaders take as "not checked".
func AppendEOF(dst []byte, crc uint64, checksum bool) []byte {
	dst = append(dst, opEOF)
	if !checksum {
		return AppendUint64LE(dst, 0)
	}
	return AppendUint64LE(dst, encoding.CRC64(crc, dst[len(dst)-1:]))
}

// Handler receives what Load finds, in file order. A nil field skips that
// kind of record. Byte slices passed to it (keys, aux fields, function
// code) are valid only during the call and may alias the file; values
// are owned by the handler. An error a callback returns stops the load
// and is returned by Load as it is.
type Handler struct {
	// Aux receives each aux field of the header.
	Aux func(key, value []byte) error
	// Function receives the code of each function library (FUNCTION2).
	Function func(code []byte) error
	// SelectDB starts a database's records; the caller checks db against
	// its configured number of databases, as Redis does ("FATAL: Data
	// file was created with a Redis server configured to handle more than
	// N databases").
	SelectDB func(db int) error
	// ResizeDB receives a database's key and expiry counts.
	ResizeDB func(size, expires uint64)
	// EmptyKey is told of each key skipped because its value has no
	// elements (ErrEmptyKey); the load goes on.
	EmptyKey func(key []byte)
	// Entry receives each key. expireMs is the absolute expiry in unix ms,
	// or -1 when the key has none (a stored 0 is a time long past, not
	// "no expiry"); meta holds the IDLE and FREQ found before the record.
	Entry func(key []byte, v Value, expireMs int64, meta RecordMeta) error
	// Progress is called before each record with the number of bytes
	// read so far (rdbLoadProgressCallback's hook: the server reports
	// loading progress and serves clients from it).
	Progress func(offset int64) error
}

// LoadInfo describes a file Load read to its end.
type LoadInfo struct {
	// Version is the file's RDB version.
	Version int
	// End is the offset just after the EOF opcode and the checksum: an
	// AOF with an RDB preamble continues there with RESP commands.
	End int
	// Checksum is the stored CRC-64; 0 means the file was written with
	// rdbchecksum off (or predates checksums) and was not verified.
	Checksum uint64
	// Keys is the number of records handed to Handler.Entry.
	Keys int
	// EmptyKeys counts the records skipped as ErrEmptyKey.
	EmptyKeys int
	// Rest holds the bytes LoadFrom read from its input past End: the
	// input continues with them (an AOF's commands after its preamble).
	Rest []byte
}

// Load error kinds, the Kind of a *LoadError (compare with errors.Is).
var (
	// ErrSignature reports a file that does not start with "REDIS".
	ErrSignature = errors.New("rdb: wrong signature")
	// ErrVersion reports an RDB version this server cannot read.
	ErrVersion = errors.New("rdb: unsupported RDB format version")
	// ErrShortRead reports a file that ends early, or a record that does
	// not decode: Redis aborts both on its eoferr path.
	ErrShortRead = errors.New("rdb: short read")
	// ErrWrongChecksum reports a file whose stored CRC-64 does not match.
	ErrWrongChecksum = errors.New("rdb: wrong RDB checksum")
)

// LoadError is the error Load returns for a file it cannot read. Its text
// is the line Redis 7.0 logs for the same file; Kind is one of the load
// error kinds above or ErrBadFormat, and errors.Is also matches the
// decoding error beneath a record that did not decode.
type LoadError struct {
	Kind   error
	Offset int
	msg    string
	cause  error
}

// Error returns Redis's log line for the failure.
func (e *LoadError) Error() string { return e.msg }

// Unwrap returns the kind and, for a record that did not decode, the
// decoding error.
func (e *LoadError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.Kind, e.cause}
	}
	return []error{e.Kind}
}

const shortReadMsg = "Short read or OOM loading DB. Unrecoverable error, aborting now."

func shortRead(off int, cause error) *LoadError {
	return &LoadError{Kind: ErrShortRead, Offset: off, msg: shortReadMsg, cause: cause}
}

func corrupt(off int, format string, args ...any) *LoadError {
	return &LoadError{Kind: ErrBadFormat, Offset: off, msg: fmt.Sprintf(format, args...)}
}

// Load reads a whole RDB file held in memory as rdbLoadRio does, handing
// each aux field, function library, database switch and key to h. lim fits
// loaded values to the server's encoding thresholds. checksum is
// rdbchecksum: when set and the file stores a non-zero CRC-64, it must
// match. Input is treated as hostile: errors, never panics, and nothing is
// allocated from a length before the bytes behind it are known to exist.
// Bytes after the checksum are not read (see LoadInfo.End).
func Load(data []byte, lim Limits, checksum bool, h *Handler) (LoadInfo, error) {
	return load(NewReader(data), lim, checksum, h)
}

// LoadFrom is Load streaming from src (a file, a replica's socket), in a
// window of about a megabyte however large the image: size is src's total
// length when known (-1 when not), so that lengths beyond it fail before
// anything is read. Bytes it read past the image's end are returned in
// LoadInfo.Rest.
func LoadFrom(src io.Reader, size int64, lim Limits, checksum bool, h *Handler) (LoadInfo, error) {
	r := newStreamReader(src, size)
	info, err := load(r, lim, checksum, h)
	if err == nil {
		info.Rest = append([]byte(nil), r.buf[r.pos:]...)
	} else if r.err != nil && r.err != io.EOF {
		var le *LoadError
		if errors.As(err, &le) && le.Kind == ErrShortRead {
			le.cause = r.err
		}
	}
	return info, err
}

func load(r *Reader, lim Limits, checksum bool, h *Handler) (LoadInfo, error) {
	var info LoadInfo
	if h == nil {
		h = &Handler{}
	}
	r.sum = checksum
	head, err := r.ReadRaw(headerSize)
	if err != nil {
		return info, shortRead(0, nil)
	}
	if string(head[:len(magic)]) != magic {
		return info, &LoadError{Kind: ErrSignature, msg: "Wrong signature trying to load DB from file"}
	}
	info.Version = atoi(head[len(magic):headerSize])
	if info.Version < 1 || info.Version > Version {
		return info, &LoadError{Kind: ErrVersion, Offset: len(magic), msg: fmt.Sprintf("Can't handle RDB format version %d", info.Version)}
	}
	expire := int64(-1)
	var meta RecordMeta
	for {
		r.release()
		off := r.Offset()
		if h.Progress != nil {
			if err := h.Progress(int64(off)); err != nil {
				return info, err
			}
		}
		op, err := r.ReadByte()
		if err != nil {
			return info, shortRead(off, nil)
		}
		switch op {
		case opExpireTime:
			b, err := r.ReadRaw(4)
			if err != nil {
				return info, shortRead(off, nil)
			}
			expire = int64(int32(binary.LittleEndian.Uint32(b))) * 1000
		case opExpireTimeMs:
			v, err := r.ReadUint64LE()
			if err != nil {
				return info, shortRead(off, nil)
			}
			expire = int64(v)
		case opFreq:
			b, err := r.ReadByte()
			if err != nil {
				return info, shortRead(off, nil)
			}
			meta.HasFreq, meta.Freq = true, b
		case opIdle:
			v, err := r.ReadLength()
			if err != nil {
				return info, shortRead(off, nil)
			}
			meta.HasIdle, meta.Idle = true, v
		case opEOF:
			return finishLoad(r, info, checksum)
		case opSelectDB:
			v, err := r.ReadLength()
			if err != nil {
				return info, shortRead(off, nil)
			}
			if h.SelectDB != nil {
				if err := h.SelectDB(int(min(v, math.MaxInt))); err != nil {
					return info, err
				}
			}
		case opResizeDB:
			size, err := r.ReadLength()
			if err != nil {
				return info, shortRead(off, nil)
			}
			expires, err := r.ReadLength()
			if err != nil {
				return info, shortRead(off, nil)
			}
			if h.ResizeDB != nil {
				h.ResizeDB(size, expires)
			}
		case opAux:
			// The key is copied out of the Reader's integer scratch,
			// which reading the value reuses.
			var kb [24]byte
			k, err := r.readStr(&kb)
			if err != nil {
				return info, shortRead(off, err)
			}
			v, err := r.ReadString()
			if err != nil {
				return info, shortRead(off, err)
			}
			if h.Aux != nil {
				if err := h.Aux(k, v); err != nil {
					return info, err
				}
			}
		case opFunction2:
			code, err := r.ReadString()
			if err != nil {
				return info, shortRead(off, err)
			}
			if h.Function != nil {
				if err := h.Function(code); err != nil {
					return info, err
				}
			}
		case opFunctionPre:
			return info, corrupt(off, "Pre-release function format not supported.")
		case opModuleAux:
			return info, corrupt(off, "The RDB file contains AUX module data I can't load: modules are not supported")
		default:
			if !IsObjectType(op) {
				return info, corrupt(off, "Unknown RDB encoding type %d", op)
			}
			if op == TypeModule || op == TypeModule2 {
				return info, corrupt(off, "The RDB file contains module data I can't load: modules are not supported")
			}
			var kb [24]byte
			key, err := r.readStr(&kb)
			if err != nil {
				return info, shortRead(off, err)
			}
			v, err := DecodeObject(op, r, lim)
			if errors.Is(err, ErrEmptyKey) {
				info.EmptyKeys++
				if h.EmptyKey != nil {
					h.EmptyKey(key)
				}
				expire, meta = -1, RecordMeta{}
				continue
			}
			if err != nil {
				return info, shortRead(off, err)
			}
			info.Keys++
			if h.Entry != nil {
				if err := h.Entry(key, v, expire, meta); err != nil {
					return info, err
				}
			}
			expire, meta = -1, RecordMeta{}
		}
	}
}

// finishLoad reads the checksum after the EOF opcode (files of version 5
// and later) and verifies it when asked and when it is not 0, as Redis
// does.
func finishLoad(r *Reader, info LoadInfo, checksum bool) (LoadInfo, error) {
	if info.Version >= checksumVersion {
		eof := r.Offset()
		r.sumTo(r.pos)
		stored, err := r.ReadUint64LE()
		if err != nil {
			return info, shortRead(eof, nil)
		}
		info.Checksum = stored
		if checksum && stored != 0 {
			if want := r.crc; want != stored {
				return info, &LoadError{Kind: ErrWrongChecksum, Offset: eof,
					msg: fmt.Sprintf("Wrong RDB checksum expected: (%x) got (%x). Aborting now.", want, stored)}
			}
		}
	}
	info.End = r.Offset()
	return info, nil
}

// atoi reads the version digits as C's atoi does: leading white space, an
// optional sign, then digits up to the first other byte.
func atoi(b []byte) int {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	n := 0
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
