package rerr

// Errors of the sorted set commands (t_zset.c).
var (
	ZAddXXAndNX      = []byte("-ERR XX and NX options at the same time are not compatible\r\n")
	ZAddGTLTNX       = []byte("-ERR GT, LT, and/or NX options at the same time are not compatible\r\n")
	ZAddIncrPair     = []byte("-ERR INCR option supports a single increment-element pair\r\n")
	ZScoreNaN        = []byte("-ERR resulting score is not a number (NaN)\r\n")
	ZMinMaxNotFloat  = []byte("-ERR min or max is not a float\r\n")
	ZMinMaxNotLex    = []byte("-ERR min or max not valid string range item\r\n")
	ZWeightNotFloat  = []byte("-ERR weight value is not a float\r\n")
	ZLimitNegative   = []byte("-ERR LIMIT can't be negative\r\n")
	ZNumkeysPositive = []byte("-ERR numkeys should be greater than 0\r\n")
	ZCountPositive   = []byte("-ERR count should be greater than 0\r\n")
	ZWithscoresBylex = []byte("-ERR syntax error, WITHSCORES not supported in combination with BYLEX\r\n")
	ZLimitNeedsBy    = []byte("-ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX\r\n")
	ZRandCountRange  = []byte("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n")
	ZRandWithScores  = []byte("-ERR value is out of range\r\n")
)

// ZNeedsInputKey is "at least 1 input key is needed for 'name' command".
func ZNeedsInputKey(name string) []byte {
	return Line("ERR at least 1 input key is needed for '" + name + "' command")
}
