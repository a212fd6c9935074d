package rerr

// Errors of the stream commands (t_stream.c, blocked.c).
var (
	StreamInvalidID        = []byte("-ERR Invalid stream ID specified as stream command argument\r\n")
	StreamIDTooSmall       = []byte("-ERR The ID specified in XADD is equal or smaller than the target stream top item\r\n")
	StreamIDZero           = []byte("-ERR The ID specified in XADD must be greater than 0-0\r\n")
	StreamExhausted        = []byte("-ERR The stream has exhausted the last possible ID, unable to add more items\r\n")
	StreamTooLarge         = []byte("-ERR Elements are too large to be stored\r\n")
	StreamMaxLenNegative   = []byte("-ERR The MAXLEN argument must be >= 0.\r\n")
	StreamLimitNegative    = []byte("-ERR The LIMIT argument must be >= 0.\r\n")
	StreamMaxLenAndMinID   = []byte("-ERR syntax error, MAXLEN and MINID options at the same time are not compatible\r\n")
	StreamLimitNoStrategy  = []byte("-ERR syntax error, LIMIT cannot be used without specifying a trimming strategy\r\n")
	StreamLimitNoApprox    = []byte("-ERR syntax error, LIMIT cannot be used without the special ~ option\r\n")
	StreamXTrimNoStrategy  = []byte("-ERR syntax error, XTRIM must be called with a trimming strategy\r\n")
	StreamInvalidStart     = []byte("-ERR invalid start ID for the interval\r\n")
	StreamInvalidEnd       = []byte("-ERR invalid end ID for the interval\r\n")
	StreamUnbalanced       = []byte("-ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.\r\n")
	StreamGroupOnlyGroup   = []byte("-ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.\r\n")
	StreamNoAckOnlyGroup   = []byte("-ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.\r\n")
	StreamMissingGroup     = []byte("-ERR Missing GROUP option for XREADGROUP\r\n")
	StreamDollarInGroup    = []byte("-ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.\r\n")
	StreamGreaterNoGroup   = []byte("-ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.\r\n")
	StreamTimeoutNotInt    = []byte("-ERR timeout is not an integer or out of range\r\n")
	StreamTimeoutNegative  = []byte("-ERR timeout is negative\r\n")
	StreamBlockedGroupGone = []byte("-NOGROUP the consumer group this client was blocked on no longer exists\r\n")
	StreamKeyGone          = []byte("-UNBLOCKED the stream key no longer exists\r\n")
	StreamXGroupNoKey      = []byte("-ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.\r\n")
	StreamBusyGroup        = []byte("-BUSYGROUP Consumer Group name already exists\r\n")
	StreamEntriesRead      = []byte("-ERR value for ENTRIESREAD must be positive or -1\r\n")
	StreamEntriesAddedNeg  = []byte("-ERR entries_added must be positive\r\n")
	StreamSetIDMaxDeleted  = []byte("-ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id\r\n")
	StreamSetIDTooSmall    = []byte("-ERR The ID specified in XSETID is smaller than the target stream top item\r\n")
	StreamSetIDAdded       = []byte("-ERR The entries_added specified in XSETID is smaller than the target stream length\r\n")
	StreamClaimMinIdle     = []byte("-ERR Invalid min-idle-time argument for XCLAIM\r\n")
	StreamClaimIdle        = []byte("-ERR Invalid IDLE option argument for XCLAIM\r\n")
	StreamClaimTime        = []byte("-ERR Invalid TIME option argument for XCLAIM\r\n")
	StreamClaimRetry       = []byte("-ERR Invalid RETRYCOUNT option argument for XCLAIM\r\n")
	StreamAutoclaimMinIdle = []byte("-ERR Invalid min-idle-time argument for XAUTOCLAIM\r\n")
	StreamAutoclaimCount   = []byte("-ERR COUNT must be > 0\r\n")
	StreamAutoclaimOOM     = []byte("-ERR Insufficient memory, failed allocating transient memory, COUNT too high.\r\n")
)

// StreamNoGroupRead is XREADGROUP's error for a missing key or group.
func StreamNoGroupRead(key, group []byte) []byte {
	return Line("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "' in XREADGROUP with GROUP option")
}

// StreamNoKeyOrGroup is XPENDING/XCLAIM/XAUTOCLAIM's error for a missing key
// or group.
func StreamNoKeyOrGroup(key, group []byte) []byte {
	return Line("NOGROUP No such key '" + string(key) + "' or consumer group '" + string(group) + "'")
}

// StreamNoGroupForKey is XGROUP/XINFO's error for a missing group.
func StreamNoGroupForKey(group, key []byte) []byte {
	return Line("NOGROUP No such consumer group '" + string(group) + "' for key name '" + string(key) + "'")
}

// StreamClaimUnknownOption is XCLAIM's error for an unknown option.
func StreamClaimUnknownOption(opt []byte) []byte {
	return Line("ERR Unrecognized XCLAIM option '" + string(opt) + "'")
}

// StreamBlockInScript is the error for XREAD/XREADGROUP BLOCK in a script.
func StreamBlockInScript(cmd []byte) []byte {
	return Line("ERR " + string(cmd) + " command is not allowed with BLOCK option from scripts")
}

// StreamSubcommandSyntax is addReplySubcommandSyntaxError's reply.
func StreamSubcommandSyntax(sub []byte, container string) []byte {
	return Line("ERR unknown subcommand or wrong number of arguments for '" + trunc(sub) + "'. Try " + upper(container) + " HELP.")
}
