package rerr

// Generic errors shared by many commands.
var (
	Syntax          = []byte("-ERR syntax error\r\n")
	WrongType       = []byte("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n")
	NotInteger      = []byte("-ERR value is not an integer or out of range\r\n")
	NotFloat        = []byte("-ERR value is not a valid float\r\n")
	NoSuchKey       = []byte("-ERR no such key\r\n")
	OutOfRange      = []byte("-ERR index out of range\r\n")
	Overflow        = []byte("-ERR increment or decrement would overflow\r\n")
	InvalidExpire   = []byte("-ERR invalid expire time in 'set' command\r\n")
	DBIndex         = []byte("-ERR DB index is out of range\r\n")
	SameObject      = []byte("-ERR source and destination objects are the same\r\n")
	NoAuth          = []byte("-NOAUTH Authentication required.\r\n")
	WrongPass       = []byte("-WRONGPASS invalid username-password pair or user is disabled.\r\n")
	OOM             = []byte("-OOM command not allowed when used memory > 'maxmemory'.\r\n")
	ExecAbort       = []byte("-EXECABORT Transaction discarded because of previous errors.\r\n")
	MultiNested     = []byte("-ERR MULTI calls can not be nested\r\n")
	ExecWithoutMult = []byte("-ERR EXEC without MULTI\r\n")
	DiscardNoMulti  = []byte("-ERR DISCARD without MULTI\r\n")
	WatchInMulti    = []byte("-ERR WATCH inside MULTI is not allowed\r\n")
	StringTooLong   = []byte("-ERR string exceeds maximum allowed size (proto-max-bulk-len)\r\n")
	PositiveInt     = []byte("-ERR value is out of range, must be positive\r\n")
	MaxClients      = []byte("-ERR max number of clients reached\r\n")
	Busy            = []byte("-BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.\r\n")
	Loading         = []byte("-LOADING Redis is loading the dataset in memory\r\n")
	ReadOnly        = []byte("-READONLY You can't write against a read only replica.\r\n")
	NoScript        = []byte("-NOSCRIPT No matching script. Please use EVAL.\r\n")
)

// Line builds a RESP error line from prefix-and-message text (for example
// "ERR unknown command ..."), turning CR and LF into spaces as Redis's
// addReplyErrorLength does.
func Line(msg string) []byte {
	b := make([]byte, 0, len(msg)+3)
	b = append(b, '-')
	for i := 0; i < len(msg); i++ {
		c := msg[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return append(b, '\r', '\n')
}

// WrongArgs is "wrong number of arguments for 'name' command".
func WrongArgs(name string) []byte {
	return Line("ERR wrong number of arguments for '" + name + "' command")
}

// UnknownCommand is Redis 7.0's reply to an unknown command: the name and
// the first arguments quoted, each cut to 128 bytes.
func UnknownCommand(name []byte, args [][]byte) []byte {
	list := ""
	for _, a := range args {
		if len(list) >= 128 {
			break
		}
		if room := 128 - len(list); len(a) > room {
			a = a[:room]
		}
		list += "'" + string(a) + "' "
	}
	return Line("ERR unknown command '" + trunc(name) + "', with args beginning with: " + list)
}

// UnknownSubcommand is the reply to an unknown subcommand of a container
// command such as CONFIG or CLIENT.
func UnknownSubcommand(sub []byte, container string) []byte {
	return Line("ERR unknown subcommand '" + trunc(sub) + "'. Try " + upper(container) + " HELP.")
}

func trunc(b []byte) string {
	if len(b) > 128 {
		b = b[:128]
	}
	return string(b)
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
