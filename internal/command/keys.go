package command

import (
	"math"
	"strconv"

	"shoal/internal/glob"
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// The generic keyspace commands, as Redis 7.0's db.c, expire.c and the
// OBJECT command of object.c.

func init() {
	Register("del", delCommand)
	Register("unlink", unlinkCommand)
	Register("exists", existsCommand)
	Register("type", typeCommand)
	Register("rename", renameCommand)
	Register("renamenx", renamenxCommand)
	Register("keys", keysCommand)
	Register("scan", scanCommand)
	Register("randomkey", randomkeyCommand)
	Register("dbsize", dbsizeCommand)
	Register("flushdb", flushdbCommand)
	Register("flushall", flushallCommand)
	Register("select", selectCommand)
	Register("swapdb", swapdbCommand)
	Register("move", moveCommand)
	Register("copy", copyCommand)
	Register("expire", expireCommand)
	Register("pexpire", pexpireCommand)
	Register("expireat", expireatCommand)
	Register("pexpireat", pexpireatCommand)
	Register("ttl", ttlCommand)
	Register("pttl", pttlCommand)
	Register("expiretime", expiretimeCommand)
	Register("pexpiretime", pexpiretimeCommand)
	Register("persist", persistCommand)
	Register("touch", touchCommand)
	Register("object|encoding", objectEncodingCommand)
	Register("object|freq", objectFreqCommand)
	Register("object|idletime", objectIdletimeCommand)
	Register("object|refcount", objectRefcountCommand)
	Register("object|help", objectHelpCommand)
}

var keysArgPEXPIREAT = []byte("PEXPIREAT")

// objectEncoder is implemented by every non-string value type: the name
// OBJECT ENCODING reports ("listpack", "quicklist", "intset" ...).
type objectEncoder interface{ Encoding() string }

// objectDuper is implemented by every non-string value type: a deep copy
// for COPY.
type objectDuper interface{ Dup() any }

// typeNames are TYPE's names, indexed by keyspace.Type*.
var typeNames = [...]string{
	keyspace.TypeString: "string",
	keyspace.TypeList:   "list",
	keyspace.TypeSet:    "set",
	keyspace.TypeZSet:   "zset",
	keyspace.TypeHash:   "hash",
	keyspace.TypeStream: "stream",
}

// typeName is TYPE's name for e, "none" for a missing key.
func typeName(e *keyspace.Entry) string {
	if e == nil {
		return "none"
	}
	return typeNames[e.Type]
}

// lookupKey finds key in db as Redis 7.0's lookupKey does for c. The
// master's link on a replica sees keys its own clock calls expired, so the
// replica applies the master's stream exactly; a write lookup deletes an
// expired key even on a (writable) replica; touch records the access for
// the eviction policy (LOOKUP_NOTOUCH is touch=false).
func lookupKey(c *Client, db *keyspace.DB, key []byte, write, touch bool) *keyspace.Entry {
	ks := c.Core.KS
	switch {
	case ks.Replica && c.Flags&ClientMaster != 0:
		e := db.Find(key)
		if e != nil && touch && ks.Touch != nil {
			ks.Touch(e)
		}
		return e
	case write:
		return db.LookupWrite(key)
	case touch:
		return db.Lookup(key)
	default:
		return db.LookupNoTouch(key)
	}
}

// parseDBIndex parses a database number as getIntFromObjectOrReply: a
// string2ll integer within the C int range. bad replaces both errors when
// set (SWAPDB's "invalid first DB index").
func parseDBIndex(c *Client, arg, bad []byte) (int, bool) {
	v, ok := types.ParseInt(arg)
	if ok && v >= math.MinInt32 && v <= math.MaxInt32 {
		return int(v), true
	}
	switch {
	case bad != nil:
		c.Error(bad)
	case !ok:
		c.Error(rerr.NotInteger)
	default:
		c.Error(rerr.IntRange)
	}
	return 0, false
}

// dbByIndex returns database id, or nil when it is out of range.
func dbByIndex(c *Client, id int) *keyspace.DB {
	if id < 0 || id >= len(c.Core.KS.DBs) {
		return nil
	}
	return c.Core.KS.DBs[id]
}

// added reports a key created in db by RENAME, MOVE or COPY, as dbAdd:
// clients blocked on it may be served, and the "new" event fires.
func added(c *Client, db *keyspace.DB, key []byte) {
	c.Core.KeyReady(db, key)
	c.Core.Notify(NotifyNew, "new", key, db.ID)
}

// DEL and UNLINK: an expired key is first removed by expiry (and not
// counted), as delGenericCommand calls expireIfNeeded. Freeing is the
// garbage collector's business either way; UNLINK, and DEL under
// lazyfree-lazy-user-del, count large values as lazily freed (lazyfree.go).
func delCommand(c *Client)    { delGeneric(c, c.Core.Limits.LazyUserDel) }
func unlinkCommand(c *Client) { delGeneric(c, true) }

func delGeneric(c *Client, lazy bool) {
	var n int64
	for _, key := range c.Argv[1:] {
		if !c.Core.KS.Replica {
			c.DB.LookupNoTouch(key)
		}
		if lazy {
			c.Core.CountLazyFree(c.DB.Find(key))
		}
		if c.DB.Delete(key) {
			c.Modified(key, 1)
			c.Notify(NotifyGeneric, "del", key)
			n++
		}
	}
	c.Int(n)
}

func existsCommand(c *Client) {
	var n int64
	for _, key := range c.Argv[1:] {
		if lookupKey(c, c.DB, key, false, false) != nil {
			n++
		}
	}
	c.Int(n)
}

func typeCommand(c *Client) {
	c.Simple(typeName(lookupKey(c, c.DB, c.Argv[1], false, false)))
}

func renameCommand(c *Client)   { renameGeneric(c, false) }
func renamenxCommand(c *Client) { renameGeneric(c, true) }

// renameGeneric is RENAME and RENAMENX: the value, its expiry and its
// access clock move to the new name; an existing destination is replaced
// silently (no "del" event).
func renameGeneric(c *Client, nx bool) {
	src, dst := c.Argv[1], c.Argv[2]
	if lookupKey(c, c.DB, src, true, true) == nil {
		c.Error(rerr.NoSuchKey)
		return
	}
	if string(src) == string(dst) {
		if nx {
			c.Int(0)
		} else {
			c.Simple("OK")
		}
		return
	}
	if lookupKey(c, c.DB, dst, true, true) != nil {
		if nx {
			c.Int(0)
			return
		}
		c.DB.Delete(dst)
	}
	c.DB.Relocate(src, c.DB, dst)
	added(c, c.DB, dst)
	c.Modified(src, 0)
	c.Modified(dst, 1)
	c.Notify(NotifyGeneric, "rename_from", src)
	c.Notify(NotifyGeneric, "rename_to", dst)
	if nx {
		c.Int(1)
	} else {
		c.Simple("OK")
	}
}

// KEYS lists the live keys matching the pattern; expired keys are skipped,
// not deleted.
func keysCommand(c *Client) {
	pattern := c.Argv[1]
	all := len(pattern) == 1 && pattern[0] == '*'
	pat := string(pattern)
	tok := c.DeferLen()
	n := 0
	stopped := false
	c.DB.Each(func(e *keyspace.Entry) bool {
		if (all || glob.MatchString(pat, e.Key, false)) && !c.DB.Expired(e) {
			c.BulkString(e.Key)
			n++
			if n%1024 == 0 && c.OutputLimitReached() {
				// Closed for its output: the reply is gone, stop here.
				stopped = true
				return false
			}
		}
		return true
	})
	if !stopped {
		c.SetArrayLen(tok, n)
	}
}

// parseScanCursor parses a cursor as strtoul does in parseScanCursorOrReply:
// an optional sign (a minus negates modulo 2^64), decimal digits, nothing
// after them; the empty string is 0; a leading space or an overflow is an
// error.
func parseScanCursor(b []byte) (uint64, bool) {
	i := 0
	neg := false
	if len(b) > 0 && (b[0] == '+' || b[0] == '-') {
		neg = b[0] == '-'
		i = 1
	}
	if i == len(b) {
		return 0, len(b) == 0
	}
	var v uint64
	for ; i < len(b); i++ {
		d := b[i]
		if d < '0' || d > '9' {
			return 0, false
		}
		if v > (math.MaxUint64-uint64(d-'0'))/10 {
			return 0, false
		}
		v = v*10 + uint64(d-'0')
	}
	if neg {
		v = -v
	}
	return v, true
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]. Keys are written
// into the reply while the table is walked; filtering is pure there, and
// expired keys that must be deleted are deleted after the walk, since a
// deletion could rehash the table under the walk.
func scanCommand(c *Client) {
	cursor, ok := parseScanCursor(c.Argv[1])
	if !ok {
		c.Error(rerr.InvalidCursor)
		return
	}
	opts, ok := parseScanArgs(c, 2, true)
	if !ok {
		return
	}
	count, pattern, usePattern, typ, useType := opts.count, opts.pattern, opts.usePattern, opts.typ, opts.useType
	pat := string(pattern)
	db := c.DB
	replica := c.Core.KS.Replica
	master := replica && c.Flags&ClientMaster != 0
	var doomed []string
	tok := c.DeferLen()
	visited, n := int64(0), 0
	emit := func(e *keyspace.Entry) {
		visited++
		if usePattern && !glob.MatchString(pat, e.Key, false) {
			return
		}
		expired := !master && db.Expired(e)
		if expired && !replica {
			doomed = append(doomed, e.Key)
		}
		if useType {
			// Redis looks the key up for its type, which deletes it
			// when expired: it then reads "none" and, being gone, is not
			// filtered as expired afterwards.
			name := typeName(e)
			if expired {
				name = "none"
			}
			if !equalFold(typ, name) {
				return
			}
			if expired && replica {
				return
			}
		} else if expired {
			return
		}
		c.BulkString(e.Key)
		n++
	}
	budget := count * 10
	if count > math.MaxInt64/10 {
		budget = math.MaxInt64
	}
	for {
		cursor = db.Scan(cursor, emit)
		if cursor == 0 || budget == 0 || visited >= count {
			break
		}
		budget--
	}
	for _, k := range doomed {
		db.LookupNoTouch([]byte(k))
	}
	scanReplyHeader(c, tok, cursor, n)
}

// scanReplyHeader inserts the SCAN family's reply header at tok, a DeferLen
// token: a two-element array of the next cursor and the n elements written
// after tok.
func scanReplyHeader(c *Client, tok int, cursor uint64, n int) {
	var hdr [64]byte
	h := resp.AppendArrayLen(hdr[:0], 2)
	var num [20]byte
	h = resp.AppendBulk(h, strconv.AppendUint(num[:0], cursor, 10))
	h = resp.AppendArrayLen(h, n)
	insertReply(c, tok, h)
}

// emptyScan is shared.emptyscan: cursor 0 and no elements, the reply to
// SSCAN, HSCAN and ZSCAN of a missing key.
var emptyScan = []byte("*2\r\n$1\r\n0\r\n*0\r\n")

// scanCollection is the start of SSCAN, HSCAN and ZSCAN: the cursor, the
// value at key as lookup finds it (WRONGTYPE is lookup's to write), then the
// options, in Redis's order. ok is false when the reply is written: an
// error, or the empty scan of a missing key.
func scanCollection[T comparable](c *Client, lookup func(key []byte) (T, bool)) (cursor uint64, v T, opts scanArgs, ok bool) {
	if cursor, ok = parseScanCursor(c.Argv[2]); !ok {
		c.Error(rerr.InvalidCursor)
		return
	}
	if v, ok = lookup(c.Argv[1]); !ok {
		return
	}
	var missing T
	if v == missing {
		c.Raw(emptyScan)
		return cursor, v, opts, false
	}
	opts, ok = parseScanArgs(c, 3, false)
	return
}

// insertReply inserts h into the reply at tok, a DeferLen token.
func insertReply(c *Client, tok int, h []byte) {
	end := len(c.B)
	c.B = append(c.B, h...)
	copy(c.B[tok+len(h):], c.B[tok:end])
	copy(c.B[tok:], h)
}

// randomkeyTries bounds RANDOMKEY's search on a replica whose keys all have
// a TTL, where every key may be logically expired but none is deleted.
const randomkeyTries = 100

func randomkeyCommand(c *Client) {
	db := c.DB
	replica := c.Core.KS.Replica
	allVolatile := db.Len() == db.ExpiresLen()
	tries := randomkeyTries
	for {
		e := db.RandomEntry()
		if e == nil {
			c.Null()
			return
		}
		if e.Expire != 0 {
			if allVolatile && replica {
				tries--
				if tries == 0 {
					c.BulkString(e.Key)
					return
				}
			}
			if db.Expired(e) && !(replica && c.Flags&ClientMaster != 0) {
				if !replica {
					db.LookupNoTouch([]byte(e.Key))
				}
				continue
			}
		}
		c.BulkString(e.Key)
		return
	}
}

func dbsizeCommand(c *Client) { c.Int(int64(c.DB.Len())) }

// flushArgs checks FLUSHDB's and FLUSHALL's optional ASYNC|SYNC and
// reports whether the flush is asynchronous (ASYNC, or no mode under
// lazyfree-lazy-user-flush). Both free the same way, through the garbage
// collector; an asynchronous flush counts every key it drops as lazily
// freed, as emptyDbAsync does.
func flushArgs(c *Client) (async, ok bool) {
	switch {
	case len(c.Argv) == 1:
		return c.Core.Limits.LazyUserFlush, true
	case len(c.Argv) == 2 && equalFold(c.Argv[1], "sync"):
		return false, true
	case len(c.Argv) == 2 && equalFold(c.Argv[1], "async"):
		return true, true
	}
	c.Error(rerr.Syntax)
	return false, false
}

// flushDB empties db, dirtying the clients watching its keys first, and
// returns how many keys it held.
func flushDB(db *keyspace.DB) int64 {
	n := int64(db.Len())
	db.TouchAll(nil)
	db.Flush()
	return n
}

// FLUSHDB adds the keys removed to the dirty counter, as emptyData.
func flushdbCommand(c *Client) {
	async, ok := flushArgs(c)
	if !ok {
		return
	}
	n := flushDB(c.DB)
	c.Core.Dirty += n
	if async {
		c.Core.LazyFreed += n
	}
	c.ForcePropagation()
	c.Simple("OK")
}

// FLUSHALL empties every database. Saving the RDB (and resetting the dirty
// counter) when save points are configured is the server's part.
func flushallCommand(c *Client) {
	async, ok := flushArgs(c)
	if !ok {
		return
	}
	c.Core.FlushAll(func() {
		for _, db := range c.Core.KS.DBs {
			n := flushDB(db)
			c.Core.Dirty += n
			if async {
				c.Core.LazyFreed += n
			}
		}
	})
	c.ForcePropagation()
	c.Simple("OK")
}

func selectCommand(c *Client) {
	id, ok := parseDBIndex(c, c.Argv[1], nil)
	if !ok {
		return
	}
	if c.Core.KS.Slotted() && id != 0 {
		c.Error(rerr.SelectInCluster)
		return
	}
	db := dbByIndex(c, id)
	if db == nil {
		c.Error(rerr.DBIndex)
		return
	}
	c.DB = db
	c.Simple("OK")
}

// SWAPDB exchanges two databases' contents; clients keep their database
// numbers, and those watching a key that exists on either side are dirtied.
func swapdbCommand(c *Client) {
	if c.Core.KS.Slotted() {
		c.Error(rerr.SwapDBInCluster)
		return
	}
	id1, ok := parseDBIndex(c, c.Argv[1], rerr.InvalidFirstDB)
	if !ok {
		return
	}
	id2, ok := parseDBIndex(c, c.Argv[2], rerr.InvalidSecondDB)
	if !ok {
		return
	}
	a, b := dbByIndex(c, id1), dbByIndex(c, id2)
	if a == nil || b == nil {
		c.Error(rerr.DBIndex)
		return
	}
	if a != b {
		// Watchers see the contents before the swap (dbSwapDatabases).
		a.TouchAll(b)
		b.TouchAll(a)
		a.Swap(b)
		c.Core.DBsSwapped(a, b)
	}
	c.Core.Dirty++
	c.Simple("OK")
}

func moveCommand(c *Client) {
	if c.Core.KS.Slotted() {
		c.Error(rerr.MoveInCluster)
		return
	}
	id, ok := parseDBIndex(c, c.Argv[2], nil)
	if !ok {
		return
	}
	dst := dbByIndex(c, id)
	if dst == nil {
		c.Error(rerr.DBIndex)
		return
	}
	if dst == c.DB {
		c.Error(rerr.SameObject)
		return
	}
	key := c.Argv[1]
	if lookupKey(c, c.DB, key, true, true) == nil || lookupKey(c, dst, key, true, true) != nil {
		c.Int(0)
		return
	}
	c.DB.Relocate(key, dst, key)
	added(c, dst, key)
	c.DB.Touched(key)
	dst.Touched(key)
	c.Core.Dirty++
	c.Notify(NotifyGeneric, "move_from", key)
	c.Core.Notify(NotifyGeneric, "move_to", key, dst.ID)
	c.Int(1)
}

// COPY source destination [DB destination-db] [REPLACE].
func copyCommand(c *Client) {
	dst := c.DB
	replace := false
	for j := 3; j < len(c.Argv); j++ {
		switch {
		case equalFold(c.Argv[j], "replace"):
			replace = true
		case equalFold(c.Argv[j], "db") && j+1 < len(c.Argv):
			id, ok := parseDBIndex(c, c.Argv[j+1], nil)
			if !ok {
				return
			}
			if dst = dbByIndex(c, id); dst == nil {
				c.Error(rerr.DBIndex)
				return
			}
			j++
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	if c.Core.KS.Slotted() && (c.DB.ID != 0 || dst.ID != 0) {
		c.Error(rerr.CopyDBInCluster)
		return
	}
	src, key := c.Argv[1], c.Argv[2]
	if dst == c.DB && string(src) == string(key) {
		c.Error(rerr.SameObject)
		return
	}
	e := lookupKey(c, c.DB, src, false, true)
	if e == nil {
		c.Int(0)
		return
	}
	if lookupKey(c, dst, key, true, true) != nil {
		if !replace {
			c.Int(0)
			return
		}
		dst.Delete(key)
	}
	n := dst.Add(key, e.Type)
	n.Enc = e.Enc
	if e.Type == keyspace.TypeString {
		n.Str = append([]byte(nil), e.Str...)
	} else {
		n.Obj = e.Obj.(objectDuper).Dup()
	}
	if e.Expire != 0 {
		dst.SetExpire(n, e.Expire)
	}
	added(c, dst, key)
	dst.Touched(key)
	c.Core.Dirty++
	c.Core.Notify(NotifyGeneric, "copy_to", key, dst.ID)
	c.Int(1)
}

// Option bits of the EXPIRE family.
const (
	expireNX = 1 << iota
	expireXX
	expireGT
	expireLT
)

func expireCommand(c *Client) {
	expireGeneric(c, c.Now(), true, rerr.InvalidExpireExpire)
}

func pexpireCommand(c *Client) {
	expireGeneric(c, c.Now(), false, rerr.InvalidExpirePExpire)
}

func expireatCommand(c *Client) {
	expireGeneric(c, 0, true, rerr.InvalidExpireExpireAt)
}

func pexpireatCommand(c *Client) {
	expireGeneric(c, 0, false, rerr.InvalidExpirePExpireAt)
}

// expireGeneric is EXPIRE, PEXPIRE, EXPIREAT and PEXPIREAT with NX, XX, GT
// and LT, as Redis 7.0's expireGenericCommand. A time already past deletes
// the key (propagated as DEL) unless this server is a replica; otherwise
// the command propagates as PEXPIREAT with the absolute time in ms.
func expireGeneric(c *Client, base int64, seconds bool, badTime []byte) {
	flags := 0
	for _, opt := range c.Argv[3:] {
		switch {
		case equalFold(opt, "nx"):
			flags |= expireNX
		case equalFold(opt, "xx"):
			flags |= expireXX
		case equalFold(opt, "gt"):
			flags |= expireGT
		case equalFold(opt, "lt"):
			flags |= expireLT
		default:
			c.Error(rerr.ExpireUnsupportedOption(opt))
			return
		}
	}
	if flags&expireNX != 0 && flags&(expireXX|expireGT|expireLT) != 0 {
		c.Error(rerr.ExpireNXAndOthers)
		return
	}
	if flags&expireGT != 0 && flags&expireLT != 0 {
		c.Error(rerr.ExpireGTAndLT)
		return
	}
	when, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if seconds {
		if when > math.MaxInt64/1000 || when < math.MinInt64/1000 {
			c.Error(badTime)
			return
		}
		when *= 1000
	}
	if when > math.MaxInt64-base {
		c.Error(badTime)
		return
	}
	when += base

	key := c.Argv[1]
	e := lookupKey(c, c.DB, key, true, true)
	if e == nil {
		c.Int(0)
		return
	}
	cur := e.Expire
	switch {
	case flags&expireNX != 0 && cur != 0,
		flags&expireXX != 0 && cur == 0,
		flags&expireGT != 0 && (cur == 0 || when <= cur),
		flags&expireLT != 0 && cur != 0 && when >= cur:
		c.Int(0)
		return
	}
	if c.alreadyExpired(when) {
		c.DB.Delete(key)
		c.RewriteArgv(c.expiredDeleteArgv(key)...)
		c.Modified(key, 1)
		c.Notify(NotifyGeneric, "del", key)
		c.Int(1)
		return
	}
	stored := when
	if stored == 0 {
		// A replica keeps a past time as is; 0 would mean "no expiry"
		// here, and -1 reads back the same (PEXPIRETIME clamps to 0).
		stored = -1
	}
	c.DB.SetExpire(e, stored)
	if base != 0 || seconds {
		argv := make([][]byte, len(c.Argv))
		copy(argv, c.Argv)
		argv[0] = keysArgPEXPIREAT
		argv[2] = strconv.AppendInt(nil, when, 10)
		c.RewriteArgv(argv...)
	}
	c.Modified(key, 1)
	c.Notify(NotifyGeneric, "expire", key)
	c.Int(1)
}

func ttlCommand(c *Client)         { ttlGeneric(c, false, false) }
func pttlCommand(c *Client)        { ttlGeneric(c, true, false) }
func expiretimeCommand(c *Client)  { ttlGeneric(c, false, true) }
func pexpiretimeCommand(c *Client) { ttlGeneric(c, true, true) }

// ttlGeneric is TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing
// key, -1 without expiry; seconds are rounded to the nearest.
func ttlGeneric(c *Client, ms, abs bool) {
	e := lookupKey(c, c.DB, c.Argv[1], false, false)
	if e == nil {
		c.Int(-2)
		return
	}
	if e.Expire == 0 {
		c.Int(-1)
		return
	}
	t := e.Expire
	if !abs {
		t -= c.Now()
	}
	if t < 0 {
		t = 0
	}
	if !ms {
		t = (t + 500) / 1000
	}
	c.Int(t)
}

func persistCommand(c *Client) {
	key := c.Argv[1]
	e := lookupKey(c, c.DB, key, true, true)
	if e == nil || !c.DB.Persist(e) {
		c.Int(0)
		return
	}
	c.Modified(key, 1)
	c.Notify(NotifyGeneric, "persist", key)
	c.Int(1)
}

func touchCommand(c *Client) {
	var n int64
	for _, key := range c.Argv[1:] {
		if lookupKey(c, c.DB, key, false, true) != nil {
			n++
		}
	}
	c.Int(n)
}

// objectLookup finds OBJECT's key without touching it; a missing key is
// answered with a null.
func objectLookup(c *Client) *keyspace.Entry {
	e := lookupKey(c, c.DB, c.Argv[2], false, false)
	if e == nil {
		c.Null()
	}
	return e
}

func objectEncodingCommand(c *Client) {
	e := objectLookup(c)
	if e == nil {
		return
	}
	if e.Type != keyspace.TypeString {
		c.BulkString(e.Obj.(objectEncoder).Encoding())
		return
	}
	switch e.Enc {
	case keyspace.EncInt:
		c.BulkString("int")
	case keyspace.EncEmbstr:
		c.BulkString("embstr")
	default:
		c.BulkString("raw")
	}
}

// sharedIntegers is OBJ_SHARED_INTEGERS: integers below it are shared
// objects in Redis when the eviction policy allows.
const sharedIntegers = 10000

// sharedRefcount is OBJ_SHARED_REFCOUNT, the refcount of a shared object.
const sharedRefcount = math.MaxInt32

// OBJECT REFCOUNT: Shoal shares nothing, but reports what Redis would: a
// small non-negative integer string is a shared object there.
func objectRefcountCommand(c *Client) {
	e := objectLookup(c)
	if e == nil {
		return
	}
	if e.Type == keyspace.TypeString && e.Enc == keyspace.EncInt && c.Core.Limits.SharedIntegers {
		if v, ok := types.ParseInt(e.Str); ok && v >= 0 && v < sharedIntegers {
			c.Int(sharedRefcount)
			return
		}
	}
	c.Int(1)
}

// lruClockMax is LRU_CLOCK_MAX: the LRU clock is 24 bits of seconds.
const lruClockMax = 1<<24 - 1

// OBJECT IDLETIME: seconds since the last access on the LRU clock, which
// wraps as estimateObjectIdleTime allows.
func objectIdletimeCommand(c *Client) {
	e := objectLookup(c)
	if e == nil {
		return
	}
	if c.Core.PolicyIsLFU() {
		c.Error(rerr.LFUSelected)
		return
	}
	now := c.Core.KS.LRUClock()
	var idle int64
	if now >= e.LRU {
		idle = int64(now - e.LRU)
	} else {
		idle = int64(now) + lruClockMax - int64(e.LRU)
	}
	c.Int(idle)
}

// OBJECT FREQ: the LFU counter after the decay due since its last access,
// as LFUDecrAndReturn; the access time is 16 bits of minutes.
func objectFreqCommand(c *Client) {
	e := objectLookup(c)
	if e == nil {
		return
	}
	if !c.Core.PolicyIsLFU() {
		c.Error(rerr.LFUNotSelected)
		return
	}
	c.Int(lfuDecayed(e.LRU, c.Now()/60000, c.Core.Limits.LFUDecayTime))
}

// lfuDecayed returns the counter held in the LFU field lru after one
// decrement per decay minutes elapsed until nowMinutes.
func lfuDecayed(lru uint32, nowMinutes int64, decay int) int64 {
	last := int64(lru >> 8)
	counter := int64(lru & 255)
	if decay <= 0 {
		return counter
	}
	now := nowMinutes & 65535
	elapsed := now - last
	if now < last {
		elapsed = 65535 - last + now
	}
	periods := elapsed / int64(decay)
	if periods >= counter {
		return 0
	}
	return counter - periods
}

var objectHelp = [...]string{
	"OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
	"ENCODING <key>",
	"    Return the kind of internal representation used in order to store the value",
	"    associated with a <key>.",
	"FREQ <key>",
	"    Return the access frequency index of the <key>. The returned integer is",
	"    proportional to the logarithm of the recent access frequency of the key.",
	"IDLETIME <key>",
	"    Return the idle time of the <key>, that is the approximated number of",
	"    seconds elapsed since the last access to the key.",
	"REFCOUNT <key>",
	"    Return the number of references of the value associated with the specified",
	"    <key>.",
	"HELP",
	"    Prints this help.",
}

func objectHelpCommand(c *Client) {
	c.Array(len(objectHelp))
	for _, l := range objectHelp {
		c.Simple(l)
	}
}

// scanArgs are the options of the SCAN family.
type scanArgs struct {
	count      int64
	pattern    []byte
	usePattern bool // MATCH given and not "*"
	typ        []byte
	useType    bool
}

// parseScanArgs parses COUNT, MATCH and (for SCAN only) TYPE from
// argv[from:], as Redis's scanGenericCommand; it writes the error reply and
// returns ok=false on bad input. SCAN, SSCAN, HSCAN and ZSCAN share it.
func parseScanArgs(c *Client, from int, allowType bool) (scanArgs, bool) {
	a := scanArgs{count: 10}
	for i := from; i < len(c.Argv); i += 2 {
		opt := c.Argv[i]
		if i+1 >= len(c.Argv) {
			c.Error(rerr.Syntax)
			return a, false
		}
		switch {
		case equalFold(opt, "count"):
			v, ok := types.ParseInt(c.Argv[i+1])
			if !ok {
				c.Error(rerr.NotInteger)
				return a, false
			}
			if v < 1 {
				c.Error(rerr.Syntax)
				return a, false
			}
			a.count = v
		case equalFold(opt, "match"):
			a.pattern = c.Argv[i+1]
			a.usePattern = !(len(a.pattern) == 1 && a.pattern[0] == '*')
		case allowType && equalFold(opt, "type"):
			a.typ, a.useType = c.Argv[i+1], true
		default:
			c.Error(rerr.Syntax)
			return a, false
		}
	}
	return a, true
}
