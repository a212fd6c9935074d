package rerr

// Errors of the HyperLogLog commands (hyperloglog.c).
var (
	HLLWrongType      = []byte("-WRONGTYPE Key is not a valid HyperLogLog string value.\r\n")
	HLLInvalid        = []byte("-INVALIDOBJ Corrupted HLL object detected\r\n")
	HLLNoKey          = []byte("-ERR The specified key does not exist\r\n")
	HLLNotSparse      = []byte("-ERR HLL encoding is not sparse\r\n")
	HLLSelfTestFailed = []byte("-TESTFAILED HyperLogLog self test failed\r\n")
)

// HLLUnknownDebug is PFDEBUG's reply to an unknown subcommand.
func HLLUnknownDebug(sub string) []byte {
	return Line("ERR Unknown PFDEBUG subcommand '" + sub + "'")
}
