package rdb

import (
	"encoding/binary"

	"shoal/internal/encoding"
	"shoal/internal/keyspace"
)

// dumpFooterSize is the RDB version (2 bytes) plus the CRC-64 (8 bytes)
// that end a DUMP payload.
const dumpFooterSize = 10

// AppendDump appends the DUMP payload of e (createDumpPayload): the type
// byte, the object body, the RDB version as 2 bytes little endian and the
// CRC-64 of all that, little endian.
func AppendDump(dst []byte, e *keyspace.Entry, compress bool) ([]byte, error) {
	t, err := ObjectType(e)
	if err != nil {
		return dst, err
	}
	base := len(dst)
	dst = append(dst, t)
	if dst, err = AppendObject(dst, e, compress); err != nil {
		return dst[:base], err
	}
	return AppendFooter(dst, base), nil
}

// AppendFooter appends the DUMP footer to the payload that starts at
// dst[base]: the RDB version and the CRC-64 over the payload and version
// (FUNCTION DUMP uses it too).
func AppendFooter(dst []byte, base int) []byte {
	dst = binary.LittleEndian.AppendUint16(dst, Version)
	return binary.LittleEndian.AppendUint64(dst, encoding.CRC64(0, dst[base:]))
}

// VerifyPayload checks a DUMP payload's footer as verifyDumpPayload does:
// at least the footer's size, an RDB version no newer than ours and a
// matching CRC-64 (skipped when checkCRC is false). It returns the body
// before the footer, or ErrChecksum.
func VerifyPayload(p []byte, checkCRC bool) ([]byte, error) {
	if len(p) < dumpFooterSize {
		return nil, ErrChecksum
	}
	foot := p[len(p)-dumpFooterSize:]
	if binary.LittleEndian.Uint16(foot) > Version {
		return nil, ErrChecksum
	}
	if checkCRC && encoding.CRC64(0, p[:len(p)-8]) != binary.LittleEndian.Uint64(foot[2:]) {
		return nil, ErrChecksum
	}
	return p[:len(p)-dumpFooterSize], nil
}

// DecodeDump decodes a whole DUMP payload as RESTORE does: ErrChecksum for
// a bad footer, ErrBadFormat for a body that does not parse as one object.
// The value never aliases p. As in Redis, the object is read from the
// whole payload, footer included: bytes left over after it are ignored,
// and a body cut short may run into the footer's bytes.
func DecodeDump(p []byte, lim Limits) (Value, error) {
	if _, err := VerifyPayload(p, true); err != nil {
		return Value{}, err
	}
	r := NewReader(p)
	t, err := r.ReadByte()
	if err != nil || !IsObjectType(t) {
		return Value{}, ErrBadFormat
	}
	return DecodeObject(t, r, lim)
}

// ReadFunction reads one library of a FUNCTION DUMP payload or an RDB
// function record: the FUNCTION2 opcode, then the library's code.
// isFunction is false when the opcode is missing or another one.
func ReadFunction(r *Reader) (code []byte, isFunction bool, err error) {
	op, err := r.ReadByte()
	if err != nil || op != opFunction2 {
		return nil, false, err
	}
	code, err = r.ReadString()
	return code, true, err
}
