package rerr

// Errors of the list commands (t_list.c).
var (
	// ListRankZero is LPOS's reply to RANK 0.
	ListRankZero = []byte("-ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list\r\n")
	// ListCountNegative is LPOS's reply to a COUNT that is negative or not
	// an integer.
	ListCountNegative = []byte("-ERR COUNT can't be negative\r\n")
	// ListMaxlenNegative is LPOS's reply to a MAXLEN that is negative or not
	// an integer.
	ListMaxlenNegative = []byte("-ERR MAXLEN can't be negative\r\n")
	// ListNumKeys is LMPOP's and BLMPOP's reply to a numkeys that is not a
	// positive integer.
	ListNumKeys = []byte("-ERR numkeys should be greater than 0\r\n")
	// ListCount is LMPOP's and BLMPOP's reply to a COUNT that is not a
	// positive integer.
	ListCount = []byte("-ERR count should be greater than 0\r\n")
)
