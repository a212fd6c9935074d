package rerr

// Errors of the generic keyspace commands (DEL ... SCAN, EXPIRE, OBJECT,
// COPY, MOVE, SWAPDB, SELECT).
var (
	InvalidCursor = []byte("-ERR invalid cursor\r\n")
	// IntRange is getIntFromObjectOrReply's reply to an integer outside
	// the C int range (SELECT, MOVE, COPY ... DB).
	IntRange = []byte("-ERR value is out of range, value must between -2147483648 and 2147483647\r\n")

	ExpireNXAndOthers = []byte("-ERR NX and XX, GT or LT options at the same time are not compatible\r\n")
	ExpireGTAndLT     = []byte("-ERR GT and LT options at the same time are not compatible\r\n")

	InvalidExpireExpire    = []byte("-ERR invalid expire time in 'expire' command\r\n")
	InvalidExpirePExpire   = []byte("-ERR invalid expire time in 'pexpire' command\r\n")
	InvalidExpireExpireAt  = []byte("-ERR invalid expire time in 'expireat' command\r\n")
	InvalidExpirePExpireAt = []byte("-ERR invalid expire time in 'pexpireat' command\r\n")

	SelectInCluster = []byte("-ERR SELECT is not allowed in cluster mode\r\n")
	MoveInCluster   = []byte("-ERR MOVE is not allowed in cluster mode\r\n")
	SwapDBInCluster = []byte("-ERR SWAPDB is not allowed in cluster mode\r\n")
	CopyDBInCluster = []byte("-ERR Copying to another database is not allowed in cluster mode\r\n")

	InvalidFirstDB  = []byte("-ERR invalid first DB index\r\n")
	InvalidSecondDB = []byte("-ERR invalid second DB index\r\n")

	// LFUNotSelected is OBJECT FREQ's reply under a policy that is not LFU.
	LFUNotSelected = []byte("-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n")
	// LFUSelected is OBJECT IDLETIME's reply under an LFU policy.
	LFUSelected = []byte("-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n")
)

// ExpireUnsupportedOption is the EXPIRE family's reply to an option other
// than NX, XX, GT and LT.
func ExpireUnsupportedOption(opt []byte) []byte {
	return Line("ERR Unsupported option " + string(opt))
}
