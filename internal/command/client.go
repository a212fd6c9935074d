package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/resp"
)

// Client flags (a subset of Redis's CLIENT_* flags that handlers and the
// dispatcher share).
const (
	ClientMulti           uint64 = 1 << iota // inside MULTI
	ClientDirtyExec                          // a queued command was rejected: EXEC will abort
	ClientPubSub                             // RESP2 subscribed mode
	ClientMaster                             // the link to our master
	ClientReplica                            // a replica's link to us
	ClientMonitor                            // MONITOR
	ClientBlocked                            // waiting in a blocking command
	ClientCloseAfterReply                    // QUIT, protocol errors
	ClientCloseASAP                          // CLIENT KILL, output buffer limit
	ClientReplyOff                           // CLIENT REPLY OFF
	ClientReplySkipNext                      // CLIENT REPLY SKIP (for the next command)
	ClientReplySkip                          // skip this command's reply
	ClientNoEvict                            // CLIENT NO-EVICT on
	ClientLua                                // the fake client scripts call through
	ClientAuthenticated                      // passed AUTH (or no password is set)
	ClientAsking                             // ASKING was sent (cluster)
	ClientReadOnly                           // READONLY (cluster replicas)
	ClientPushing                            // writing a RESP3 push message
	ClientTracking                           // CLIENT TRACKING on
	ClientInExec                             // executing the queue of EXEC
	ClientInScript                           // executing inside a script
)

// Client is the execution side of one client: what handlers read and
// write. The server's connection wraps it with the socket side.
type Client struct {
	resp.Writer

	ID    int64
	Argv  [][]byte
	Cmd   *Command
	DB    *keyspace.DB
	Core  *Core
	Flags uint64
	Name  string

	// Blocking is the pending wait of a blocking command.
	Blocking BlockRequest

	// Watch is the WATCH state (multi.c's watched_keys and CLIENT_DIRTY_CAS).
	Watch keyspace.Watcher

	// Conn is the server's object for this client (its connection); only
	// the server package looks inside.
	Conn any

	// errored counts error replies written during the current command,
	// so call() knows the command failed (INFO errorstats).
	errored int
	// propagate overrides what the current command propagates; see
	// RewriteArgv and AlsoPropagate.
	rewritten   [][]byte
	alsoProp    [][][]byte
	noPropagate bool
	forceProp   bool
	// redacted lists the arguments MONITOR and SLOWLOG show as
	// "(redacted)" (redactClientCommandArgument).
	redacted []int
}

// Error writes a pre-encoded error reply and counts it for INFO errorstats.
func (c *Client) Error(e []byte) {
	c.errored++
	c.Core.countError(e)
	c.Writer.Error(e)
}

// ErrorNoStats writes an error reply that was already counted in
// errorstats where it arose (a script's error raised by a command it
// called, ERR_REPLY_FLAG_NO_STATS_UPDATE); the command still failed.
func (c *Client) ErrorNoStats(e []byte) {
	c.errored++
	c.Writer.Error(e)
}

// Errored reports how many error replies the current command wrote.
func (c *Client) Errored() int { return c.errored }

// ArgString returns argument i as a string (copying it).
func (c *Client) ArgString(i int) string { return string(c.Argv[i]) }

// ResetCommandState clears per-command bookkeeping before the next call.
func (c *Client) ResetCommandState() {
	c.errored = 0
	c.rewritten = nil
	c.alsoProp = c.alsoProp[:0]
	c.noPropagate = false
	c.forceProp = false
	c.redacted = c.redacted[:0]
}

// Redact hides argument i of the current command (a password) from
// MONITOR and SLOWLOG, as redactClientCommandArgument.
func (c *Client) Redact(i int) { c.redacted = append(c.redacted, i) }

// Redacted reports whether argument i of the current command is hidden.
func (c *Client) Redacted(i int) bool {
	for _, r := range c.redacted {
		if r == i {
			return true
		}
	}
	return false
}

// ForcePropagation propagates the current command even if it changed
// nothing (FLUSHALL on an empty server must still reach replicas).
func (c *Client) ForcePropagation() { c.forceProp = true }

// PropagationForced reports whether ForcePropagation was called.
func (c *Client) PropagationForced() bool { return c.forceProp }

// RewriteArgv replaces what the current command propagates to the AOF and
// replicas, making its effect deterministic (relative TTL → PXAT, SPOP →
// SREM, INCRBYFLOAT → SET ... KEEPTTL), as Redis's rewriteClientCommandVector.
func (c *Client) RewriteArgv(argv ...[]byte) { c.rewritten = argv }

// AlsoPropagate adds a further command to propagate after this one, as
// alsoPropagate; it also suppresses propagating the command itself unless
// RewriteArgv is used as well.
func (c *Client) AlsoPropagate(argv ...[]byte) {
	c.alsoProp = append(c.alsoProp, argv)
	c.noPropagate = c.rewritten == nil
}

// PreventPropagation stops the current command from being propagated.
func (c *Client) PreventPropagation() { c.noPropagate = true }

// Propagation returns what the current command should propagate: its own
// (possibly rewritten) argv unless prevented, then any extra commands.
func (c *Client) Propagation() (own [][]byte, extra [][][]byte) {
	if !c.noPropagate {
		own = c.Argv
		if c.rewritten != nil {
			own = c.rewritten
		}
	}
	return own, c.alsoProp
}

// OutputLimitReached checks the client's output buffer against its
// client-output-buffer-limit while a long reply is built, as each addReply
// does in Redis, and reports whether the client is now to be closed: the
// handler stops producing the reply then (Redis's CLIENT_CLOSE_ASAP
// checks in HRANDFIELD, SRANDMEMBER, ZRANDMEMBER and KEYS).
func (c *Client) OutputLimitReached() bool {
	if c.Flags&ClientCloseASAP == 0 && c.Core.CheckOutputLimit != nil {
		c.Core.CheckOutputLimit(c)
	}
	return c.Flags&ClientCloseASAP != 0
}

// Now is the current command's time snapshot in unix ms.
func (c *Client) Now() int64 { return c.Core.KS.Now }

// Lookup returns the live entry of key in the client's database.
func (c *Client) Lookup(key []byte) *keyspace.Entry { return c.DB.Lookup(key) }

// LookupType returns the entry of key if it holds type typ. When the key
// holds another type it writes WRONGTYPE and returns ok=false.
func (c *Client) LookupType(key []byte, typ uint8) (e *keyspace.Entry, ok bool) {
	e = c.DB.Lookup(key)
	if e != nil && e.Type != typ {
		c.Error(wrongType)
		return nil, false
	}
	return e, true
}

// Modified records a change of key: WATCH invalidation and the dirty
// counter, as signalModifiedKey + server.dirty++.
func (c *Client) Modified(key []byte, dirty int64) {
	c.DB.Touched(key)
	c.Core.Dirty += dirty
}

// Notify sends a keyspace notification for key in the client's database.
func (c *Client) Notify(class int, event string, key []byte) {
	c.Core.Notify(class, event, key, c.DB.ID)
}
