package rerr

// Errors of the hash commands (t_hash.c).
var (
	HashValueNotInt    = []byte("-ERR hash value is not an integer\r\n")
	HashValueNotFloat  = []byte("-ERR hash value is not a float\r\n")
	HashIncrNaNOrInf   = []byte("-ERR value is NaN or Infinity\r\n")
	HashRandCountRange = []byte("-ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807\r\n")
	HashRandWithValues = []byte("-ERR value is out of range\r\n")
	HsetArity          = WrongArgs("hset")
	HmsetArity         = WrongArgs("hmset")
)
