package command

import (
	"errors"
	"math"
	"strconv"

	"shoal/internal/rerr"
	"shoal/internal/types"
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
	// ReadyKey is the key whose signal triggered the retry: Redis 7.0
	// serves a blocked client from that key, not from the first non-empty
	// one in argument order.
	ReadyKey []byte
}

// ServeKeys returns the keys a blocking command may serve from: all of
// keys, or during a retry only the key whose signal woke the client, as
// Redis serves a blocked client from the ready key alone (another key of
// the command holding the wrong type is then not looked at).
func (c *Client) ServeKeys(keys [][]byte) [][]byte {
	if !c.Blocking.Retrying || c.Blocking.ReadyKey == nil {
		return keys
	}
	for i, k := range keys {
		if string(k) == string(c.Blocking.ReadyKey) {
			return keys[i : i+1]
		}
	}
	return keys
}

var (
	errTimeoutNotFloat = []byte("-ERR timeout is not a float or out of range\r\n")
	errTimeoutNegative = []byte("-ERR timeout is negative\r\n")
)

// ParseTimeout parses a blocking command's timeout in seconds (a float, as
// Redis 6+) into an absolute deadline in ms; 0 means forever. It writes the
// error reply and returns ok=false when the argument is bad.
func (c *Client) ParseTimeout(arg []byte) (deadline int64, ok bool) {
	f, ok := types.ParseFloat(arg)
	if !ok {
		// Redis parses with strtold: values beyond a double's range are
		// still numbers there, and overflow the millisecond cast below.
		g, err := strconv.ParseFloat(string(arg), 64)
		if err == nil || !errors.Is(err, strconv.ErrRange) {
			c.Error(errTimeoutNotFloat)
			return 0, false
		}
		f = g
	}
	// Redis casts ceil(seconds*1000) to a long long: anything at or past
	// 2^63 wraps negative, so it answers "timeout is negative".
	ms := math.Ceil(f * 1000)
	if f < 0 || ms >= math.MaxInt64 || math.IsInf(ms, 0) {
		c.Error(errTimeoutNegative)
		return 0, false
	}
	if ms == 0 {
		return 0, true
	}
	return c.Now() + int64(ms), true
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
