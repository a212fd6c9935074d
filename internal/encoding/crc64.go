package encoding

import "hash/crc64"

// jonesReflected is the Jones polynomial 0xad93d23594c935a9 in the bit
// reflected form hash/crc64 expects.
const jonesReflected = 0x95ac9329ac4bc9b5

var crc64Table = crc64.MakeTable(jonesReflected)

// CRC64 continues the Redis CRC64 (Jones polynomial, reflected, no initial
// or final inversion) of crc over b. Start with crc 0. Redis puts it,
// little-endian, at the end of DUMP payloads and RDB files
// ("123456789" gives 0xe9c6d914c4b8d9ca).
func CRC64(crc uint64, b []byte) uint64 {
	// hash/crc64 inverts on entry and exit; undo both.
	return ^crc64.Update(^crc, crc64Table, b)
}
