package rerr

// Errors of the string and bitmap commands (t_string.c, bitops.c).
var (
	InvalidExpireSetex  = []byte("-ERR invalid expire time in 'setex' command\r\n")
	InvalidExpirePsetex = []byte("-ERR invalid expire time in 'psetex' command\r\n")
	InvalidExpireGetex  = []byte("-ERR invalid expire time in 'getex' command\r\n")
	DecrOverflow        = []byte("-ERR decrement would overflow\r\n")
	IncrNaNOrInf        = []byte("-ERR increment would produce NaN or Infinity\r\n")
	OffsetOutOfRange    = []byte("-ERR offset is out of range\r\n")
	BitOffset           = []byte("-ERR bit offset is not an integer or out of range\r\n")
	BitValue            = []byte("-ERR bit is not an integer or out of range\r\n")
	BitArgument         = []byte("-ERR The bit argument must be 1 or 0.\r\n")
	BitfieldType        = []byte("-ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.\r\n")
	BitfieldOverflow    = []byte("-ERR Invalid OVERFLOW type specified\r\n")
	BitfieldReadOnly    = []byte("-ERR BITFIELD_RO only supports the GET subcommand\r\n")
	BitopNotSingle      = []byte("-ERR BITOP NOT must be called with a single source key.\r\n")
	LCSWrongType        = []byte("-ERR The specified keys must contain string values\r\n")
	LCSIdxAndLen        = []byte("-ERR If you want both the length and indexes, please just use IDX.\r\n")
	LCSTooMuchMemory    = []byte("-ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len\r\n")
)
