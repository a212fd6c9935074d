package resp

import "errors"

// ProtocolError is a malformed request or reply. For requests, Msg is exactly
// the text Redis 7.0 sends after "-ERR " before closing the connection, e.g.
// "Protocol error: invalid bulk length".
type ProtocolError struct {
	Msg string
}

// Error returns Msg.
func (e *ProtocolError) Error() string { return e.Msg }

// ErrUnbalancedQuotes is returned by SplitArgs when a quoted argument is not
// closed, or its closing quote is followed by something other than a space.
var ErrUnbalancedQuotes = errors.New("unbalanced quotes")

// Request errors, spelled as networking.c in Redis 7.0 spells them.
var (
	errInvalidMbulk    = &ProtocolError{"Protocol error: invalid multibulk length"}
	errInvalidBulk     = &ProtocolError{"Protocol error: invalid bulk length"}
	errUnauthMbulk     = &ProtocolError{"Protocol error: unauthenticated multibulk length"}
	errUnauthBulk      = &ProtocolError{"Protocol error: unauthenticated bulk length"}
	errTooBigMbulk     = &ProtocolError{"Protocol error: too big mbulk count string"}
	errTooBigBulk      = &ProtocolError{"Protocol error: too big bulk count string"}
	errTooBigInline    = &ProtocolError{"Protocol error: too big inline request"}
	errUnbalancedQuote = &ProtocolError{"Protocol error: unbalanced quotes in request"}
)

// expectedDollar is the error for a multibulk element that is not a bulk
// string. Redis formats the offending byte with %c and then replaces CR and
// LF by spaces, as it does for every error reply.
func expectedDollar(c byte) *ProtocolError {
	if c == '\r' || c == '\n' {
		c = ' '
	}
	return &ProtocolError{"Protocol error: expected '$', got '" + string([]byte{c}) + "'"}
}
