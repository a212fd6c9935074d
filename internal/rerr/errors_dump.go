package rerr

// Errors of DUMP and RESTORE (cluster.c's restoreCommand).
var (
	// BusyKey is RESTORE's reply when the target key exists and REPLACE
	// was not given.
	BusyKey = []byte("-BUSYKEY Target key name already exists.\r\n")
	// RestoreTTL is RESTORE's reply to a negative TTL.
	RestoreTTL = []byte("-ERR Invalid TTL value, must be >= 0\r\n")
	// RestoreIdletime is RESTORE's reply to a negative IDLETIME.
	RestoreIdletime = []byte("-ERR Invalid IDLETIME value, must be >= 0\r\n")
	// RestoreFreq is RESTORE's reply to a FREQ outside 0..255.
	RestoreFreq = []byte("-ERR Invalid FREQ value, must be >= 0 and <= 255\r\n")
	// DumpPayload is RESTORE's reply to a payload whose RDB version or
	// CRC-64 is wrong.
	DumpPayload = []byte("-ERR DUMP payload version or checksum are wrong\r\n")
	// BadDataFormat is RESTORE's reply to a payload whose object does not
	// parse.
	BadDataFormat = []byte("-ERR Bad data format\r\n")
)
