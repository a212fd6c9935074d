package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
)

var wrongType = rerr.WrongType

// Keyspace notification classes (notify-keyspace-events letters).
const (
	NotifyKeyspace = 1 << iota // K
	NotifyKeyevent             // E
	NotifyGeneric              // g
	NotifyString               // $
	NotifyList                 // l
	NotifySet                  // s
	NotifyHash                 // h
	NotifyZSet                 // z
	NotifyExpired              // x
	NotifyEvicted              // e
	NotifyStream               // t
	NotifyKeyMiss              // m
	NotifyModule               // d
	NotifyNew                  // n
)

// Limits are the configuration values handlers consult on every call,
// copied out of the config so the hot path reads plain fields.
type Limits struct {
	ProtoMaxBulkLen        int64
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	ListMaxListpackSize    int
	ListCompressDepth      int
	SetMaxIntsetEntries    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
	StreamNodeMaxBytes     int
	StreamNodeMaxEntries   int
	HLLSparseMaxBytes      int
	LFULogFactor           int
	LFUDecayTime           int
	// LFU is true under an LFU maxmemory-policy (see PolicyIsLFU).
	LFU bool
	// SharedIntegers is false when maxmemory with an LRU/LFU policy
	// forbids shared integer objects (it changes OBJECT REFCOUNT).
	SharedIntegers bool
	// LazyUserDel and LazyUserFlush are lazyfree-lazy-user-del and
	// lazyfree-lazy-user-flush: DEL counts as UNLINK, and FLUSHALL and
	// FLUSHDB without a mode as ASYNC (lazyfree.go).
	LazyUserDel, LazyUserFlush bool
	// LazyExpire is lazyfree-lazy-expire: keys deleted for a past expiry
	// time propagate as UNLINK instead of DEL.
	LazyExpire bool
}

// DefaultLimits are Redis 7.0's defaults.
func DefaultLimits() Limits {
	return Limits{
		ProtoMaxBulkLen:        512 << 20,
		HashMaxListpackEntries: 128,
		HashMaxListpackValue:   64,
		ListMaxListpackSize:    -2,
		SetMaxIntsetEntries:    512,
		ZSetMaxListpackEntries: 128,
		ZSetMaxListpackValue:   64,
		StreamNodeMaxBytes:     4096,
		StreamNodeMaxEntries:   100,
		HLLSparseMaxBytes:      3000,
		LFULogFactor:           10,
		LFUDecayTime:           1,
		SharedIntegers:         true,
	}
}

// Core is the state every command executes against: the keyspace, the
// limits, counters and the hooks into the server (notifications,
// blocking). There is one per server; it is only touched under the
// server's executor lock.
type Core struct {
	KS     *keyspace.Keyspace
	Limits Limits

	// Dirty counts changes since the last save (server.dirty).
	Dirty int64

	// Notify publishes a keyspace notification; set by the server.
	Notify func(class int, event string, key []byte, dbid int)

	// KeyReady tells the server a key a client may be blocked on got data
	// (signalKeyAsReady); set by the server.
	KeyReady func(db *keyspace.DB, key []byte)

	// DBsSwapped lets the server serve clients blocked on keys of two
	// databases SWAPDB exchanged; set by the server.
	DBsSwapped func(a, b *keyspace.DB)

	// LogVerbose writes a line to the server log at verbose level (why
	// RESTORE refused a payload, as Redis logs it).
	LogVerbose func(msg string)

	// CheckOutputLimit closes a client whose reply went over its output
	// buffer limit (see Client.OutputLimitReached); set by the server.
	CheckOutputLimit func(c *Client)

	// FlushAll runs FLUSHALL's flush, so the server can stop a background
	// save first and write the empty dataset after it when save points are
	// configured; set by the server.
	FlushAll func(flush func())

	// ErrorStats counts error replies by their first word (INFO errorstats).
	ErrorStats map[string]int64
	// TotalErrors is total_error_replies.
	TotalErrors int64
	// LazyFreed counts values Redis would have freed in the background
	// (INFO lazyfreed_objects; lazyfree.go).
	LazyFreed int64

	// Debug holds the switches DEBUG sets (internal/server/debug.go).
	Debug DebugFlags

	// Owner is the server this core belongs to.
	Owner any
}

// DebugFlags are the switches DEBUG subcommands set, read by handlers and
// by the server.
type DebugFlags struct {
	// SkipChecksum is DEBUG SET-SKIP-CHECKSUM-VALIDATION: RESTORE payloads
	// (and RDB files) are accepted whatever their CRC-64 says, as
	// server.skip_checksum_validation.
	SkipChecksum bool
	// PauseCron is DEBUG PAUSE-CRON: serverCron skips its work.
	PauseCron bool
	// QuicklistPackedThreshold is DEBUG QUICKLIST-PACKED-THRESHOLD, in
	// bytes (0: the default, 1GB). Stored only: Shoal's lists keep every
	// element in a listpack node, never a plain one.
	QuicklistPackedThreshold int64
	// ReplyBufferPeakResetTime and ReplyBufferResizing are DEBUG
	// REPLYBUFFER's settings (-1: never reset the peak). Stored only:
	// Shoal's reply buffers are not resized by a cron job.
	ReplyBufferPeakResetTime int64
	ReplyBufferResizing      bool
}

// NewCore makes a core over ks with default limits.
func NewCore(ks *keyspace.Keyspace) *Core {
	return &Core{
		KS:         ks,
		Limits:     DefaultLimits(),
		Notify:     func(int, string, []byte, int) {},
		KeyReady:   func(*keyspace.DB, []byte) {},
		DBsSwapped: func(a, b *keyspace.DB) {},
		FlushAll:   func(flush func()) { flush() },
		ErrorStats: make(map[string]int64),
	}
}

// countError records an error reply by its code, the first word after '-'.
func (core *Core) countError(e []byte) {
	core.TotalErrors++
	end := 1
	for end < len(e) && e[end] != ' ' && e[end] != '\r' {
		end++
	}
	if end > 1 {
		core.ErrorStats[string(e[1:end])]++
	}
}
