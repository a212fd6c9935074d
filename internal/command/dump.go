package command

import (
	"errors"
	"strconv"

	"shoal/internal/keyspace"
	"shoal/internal/persist/rdb"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// DUMP and RESTORE (cluster.c's dumpCommand and restoreCommand): values
// travel as RDB objects with a version and CRC-64 footer, byte-compatible
// with Redis 7.0, so MIGRATE between Shoal and Redis nodes works both ways.

func init() {
	Register("dump", dumpCommand)
	Register("restore", restoreCommand)
	Register("restore-asking", restoreCommand)
}

// dumpBuf is reused by every DUMP; commands run one at a time under the
// executor lock, and the reply writer copies the payload.
var dumpBuf []byte

// argABSTTL is appended to a RESTORE propagated with an absolute TTL.
var argABSTTL = []byte("ABSTTL")

// dumpMaxKeep bounds the scratch buffer kept between DUMPs.
const dumpMaxKeep = 1 << 20

func dumpCommand(c *Client) {
	e := c.Lookup(c.Argv[1])
	if e == nil {
		c.Null()
		return
	}
	p, err := rdb.AppendDump(dumpBuf[:0], e, true)
	if err != nil {
		c.Error(rerr.BadDataFormat)
		return
	}
	c.Bulk(p)
	if cap(p) <= dumpMaxKeep {
		dumpBuf = p[:0]
	}
}

// dumpLimits are the encoding thresholds a restored value is fitted to.
func dumpLimits(l *Limits) rdb.Limits {
	return rdb.Limits{
		HashMaxListpackEntries: l.HashMaxListpackEntries,
		HashMaxListpackValue:   l.HashMaxListpackValue,
		ListMaxListpackSize:    l.ListMaxListpackSize,
		SetMaxIntsetEntries:    l.SetMaxIntsetEntries,
		ZSetMaxListpackEntries: l.ZSetMaxListpackEntries,
		ZSetMaxListpackValue:   l.ZSetMaxListpackValue,
	}
}

// RESTORE key ttl payload [REPLACE] [ABSTTL] [IDLETIME s] [FREQ f], and
// RESTORE-ASKING, its cluster twin. Checks come in Redis's order: options,
// BUSYKEY, TTL, payload footer, payload body. A key whose TTL is already
// in the past is not created (an existing key replaced by it is deleted,
// and that is propagated as DEL); a relative TTL is propagated as an
// absolute one with ABSTTL.
func restoreCommand(c *Client) {
	var replace, absttl bool
	idle, freq := int64(-1), int64(-1)
	for j := 4; j < len(c.Argv); j++ {
		more := len(c.Argv) - j - 1
		arg := c.Argv[j]
		switch {
		case equalFold(arg, "replace"):
			replace = true
		case equalFold(arg, "absttl"):
			absttl = true
		case equalFold(arg, "idletime") && more >= 1 && freq == -1:
			v, ok := types.ParseInt(c.Argv[j+1])
			if !ok {
				c.Error(rerr.NotInteger)
				return
			}
			if v < 0 {
				c.Error(rerr.RestoreIdletime)
				return
			}
			idle = v
			j++
		case equalFold(arg, "freq") && more >= 1 && idle == -1:
			v, ok := types.ParseInt(c.Argv[j+1])
			if !ok {
				c.Error(rerr.NotInteger)
				return
			}
			if v < 0 || v > 255 {
				c.Error(rerr.RestoreFreq)
				return
			}
			freq = v
			j++
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	key := c.Argv[1]
	if !replace && lookupKey(c, c.DB, key, true, true) != nil {
		c.Error(rerr.BusyKey)
		return
	}
	ttl, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if ttl < 0 {
		c.Error(rerr.RestoreTTL)
		return
	}
	v, err := decodeDump(c.Argv[3], dumpLimits(&c.Core.Limits), !c.Core.Debug.SkipChecksum)
	if err != nil {
		var ce *rdb.CorruptError
		if errors.As(err, &ce) && c.Core.LogVerbose != nil {
			// rdbReportError in a RESTORE context: logged, not fatal.
			c.Core.LogVerbose("Internal error in RDB reading offset 0 -> " + ce.Reason)
		}
		if errors.Is(err, rdb.ErrChecksum) {
			c.Error(rerr.DumpPayload)
		} else {
			c.Error(rerr.BadDataFormat)
		}
		return
	}
	deleted := replace && c.DB.Delete(key)
	if ttl != 0 && !absttl {
		ttl += c.Now()
	}
	if ttl != 0 && c.alreadyExpired(ttl) {
		if deleted {
			c.RewriteArgv(argDEL, key)
			c.Modified(key, 1)
			c.Notify(NotifyGeneric, "del", key)
		}
		c.Simple("OK")
		return
	}
	e := c.DB.Add(key, v.Type)
	if v.Type == keyspace.TypeString {
		e.Str = v.Str
		e.Enc = stringEnc(v.Str)
	} else {
		e.Obj = v.Obj
	}
	added(c, c.DB, key)
	if ttl != 0 {
		c.DB.SetExpire(e, ttl)
		if !absttl {
			argv := append(make([][]byte, 0, len(c.Argv)+1), c.Argv...)
			argv[2] = strconv.AppendInt(nil, ttl, 10)
			c.RewriteArgv(append(argv, argABSTTL)...)
		}
	}
	c.Core.AccessClock().setAccess(e, idle, freq)
	c.Modified(key, 1)
	c.Notify(NotifyGeneric, "restore", key)
	c.Simple("OK")
}

// decodeDump is rdb.DecodeDump, leaving out the CRC-64 check when checkCRC
// is false (DEBUG SET-SKIP-CHECKSUM-VALIDATION 1): as verifyDumpPayload,
// the footer's size and RDB version are still checked.
func decodeDump(p []byte, lim rdb.Limits, checkCRC bool) (rdb.Value, error) {
	if checkCRC {
		return rdb.DecodeDump(p, lim)
	}
	if _, err := rdb.VerifyPayload(p, false); err != nil {
		return rdb.Value{}, err
	}
	r := rdb.NewReader(p)
	t, err := r.ReadByte()
	if err != nil || !rdb.IsObjectType(t) {
		return rdb.Value{}, rdb.ErrBadFormat
	}
	return rdb.DecodeObject(t, r, lim)
}
