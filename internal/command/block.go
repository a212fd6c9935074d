package command

import (
	"math"
	"strconv"

	"shoal/internal/rerr"
)

// BlockRequest is what a blocking command leaves behind when it cannot be
// served now: the keys to wait on and when to give up. The server parks
// the client and re-executes the command, in arrival order, when one of
// the keys is signalled ready.
type BlockRequest struct {
	Keys [][]byte
	// Deadline is the absolute unix ms at which the wait times out; 0
	// waits forever.
	Deadline int64
	// Type is the value type the command waits for; a key that becomes
	// ready with another type does not wake the client (Redis 7.0).
	Type uint8
	// Retrying is set by the server while it re-executes a blocked
	// command; Block then just keeps the client waiting in place.
	Retrying bool
	// StillBlocked is set by Block during a retry.
	StillBlocked bool
}

var (
	errTimeoutNotFloat = []byte("-ERR timeout is not a float or out of range\r\n")
	errTimeoutNegative = []byte("-ERR timeout is negative\r\n")
)

// ParseTimeout parses a blocking command's timeout in seconds (a float, as
// Redis 6+) into an absolute deadline in ms; 0 means forever. It writes the
// error reply and returns ok=false when the argument is bad.
func (c *Client) ParseTimeout(arg []byte) (deadline int64, ok bool) {
	f, err := strconv.ParseFloat(string(arg), 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		c.Error(errTimeoutNotFloat)
		return 0, false
	}
	if f < 0 {
		c.Error(errTimeoutNegative)
		return 0, false
	}
	ms := f * 1000
	if ms > math.MaxInt64/2 {
		c.Error(errTimeoutNotFloat)
		return 0, false
	}
	if ms == 0 {
		return 0, true
	}
	// Redis rounds the timeout up to whole milliseconds.
	return c.Now() + int64(math.Ceil(ms)), true
}

// CanBlock reports whether the client may block: not inside MULTI/EXEC or a
// script, where a blocking command must answer at once as if it timed out.
func (c *Client) CanBlock() bool {
	return c.Flags&(ClientInExec|ClientInScript|ClientMulti) == 0
}

// Block parks the client on keys until one is signalled ready or the
// deadline passes. The handler must not write a reply when it blocks.
func (c *Client) Block(keys [][]byte, deadline int64, typ uint8) {
	if c.Blocking.Retrying {
		c.Blocking.StillBlocked = true
		return
	}
	c.Flags |= ClientBlocked
	c.Blocking.Keys = c.Blocking.Keys[:0]
	for _, k := range keys {
		c.Blocking.Keys = append(c.Blocking.Keys, append([]byte(nil), k...))
	}
	c.Blocking.Deadline = deadline
	c.Blocking.Type = typ
}

// SignalKeyAsReady tells the server that key got data a blocked client may
// be waiting for (a push, a RENAME or RESTORE onto the key ...).
func (c *Client) SignalKeyAsReady(key []byte) { c.Core.KeyReady(c.DB, key) }

// errUnblocked is CLIENT UNBLOCK ... ERROR's reply to the unblocked client.
var errUnblocked = rerr.Line("UNBLOCKED client unblocked via CLIENT UNBLOCK")

// UnblockedError is the reply a client unblocked by CLIENT UNBLOCK ERROR gets.
func UnblockedError() []byte { return errUnblocked }
