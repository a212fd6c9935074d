package rerr

// Errors of the set commands (t_set.c).
var (
	// SInterCardNumKeys is SINTERCARD's reply to a numkeys that is not an
	// integer of at least 1.
	SInterCardNumKeys = []byte("-ERR numkeys should be greater than 0\r\n")
	// SInterCardTooManyKeys is SINTERCARD's reply to a numkeys larger than the
	// number of arguments that follow it.
	SInterCardTooManyKeys = []byte("-ERR Number of keys can't be greater than number of args\r\n")
	// SInterCardLimit is SINTERCARD's reply to a LIMIT that is not a
	// non-negative integer.
	SInterCardLimit = []byte("-ERR LIMIT can't be negative\r\n")
	// SRandMemberRange is SRANDMEMBER's reply to a count of LONG_MIN, whose
	// magnitude cannot be represented.
	SRandMemberRange = []byte("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n")
)
