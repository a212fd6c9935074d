package server

import (
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/glob"
	"shoal/internal/keyspace"
	"shoal/internal/persist/rdb"
	"shoal/internal/repl"
	"shoal/internal/rerr"
	"shoal/internal/resp"
	"shoal/internal/types"
)

func init() {
	handle("debug", debugCommand)
}

// debugHelp is DEBUG HELP: Redis 7.0's text for the subcommands Shoal
// implements, in Redis's order.
var debugHelp = []string{
	"CHANGE-REPL-ID",
	"    Change the replication IDs of the instance.",
	"    Dangerous: should be used only for testing the replication subsystem.",
	"CONFIG-REWRITE-FORCE-ALL",
	"    Like CONFIG REWRITE but writes all configuration options, including",
	"    keywords not listed in original configuration file or default values.",
	"DIGEST",
	"    Output a hex signature representing the current DB content.",
	"DIGEST-VALUE <key> [<key> ...]",
	"    Output a hex signature of the values of all the specified keys.",
	"ERROR <string>",
	"    Return a Redis protocol error with <string> as message. Useful for clients",
	"    unit tests to simulate Redis errors.",
	"LEAK <string>",
	"    Create a memory leak of the input string.",
	"LOG <message>",
	"    Write <message> to the server log.",
	"HTSTATS <dbid>",
	"    Return hash table statistics of the specified Redis database.",
	"HTSTATS-KEY <key>",
	"    Like HTSTATS but for the hash table stored at <key>'s value.",
	"LOADAOF",
	"    Flush the AOF buffers on disk and reload the AOF in memory.",
	"REPLICATE <string>",
	"    Replicates the provided string to replicas, allowing data divergence.",
	"OBJECT <key>",
	"    Show low level info about `key` and associated value.",
	"DROP-CLUSTER-PACKET-FILTER <packet-type>",
	"    Drop all packets that match the filtered type. Set to -1 allow all packets.",
	"POPULATE <count> [<prefix>] [<size>]",
	"    Create <count> string keys named key:<num>. If <prefix> is specified then",
	"    it is used instead of the 'key' prefix. These are not propagated to",
	"    replicas. Cluster slots are not respected so keys not belonging to the",
	"    current node can be created in cluster mode.",
	"PROTOCOL <type>",
	"    Reply with a test value of the specified type. <type> can be: string,",
	"    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
	"    true, false.",
	"RELOAD [option ...]",
	"    Save the RDB on disk and reload it back to memory. Valid <option> values:",
	"    * MERGE: conflicting keys will be loaded from RDB.",
	"    * NOFLUSH: the existing database will not be removed before load, but",
	"      conflicting keys will generate an exception and kill the server.",
	"    * NOSAVE: the database will be loaded from an existing RDB file.",
	"    Examples:",
	"    * DEBUG RELOAD: verify that the server is able to persist, flush and reload",
	"      the database.",
	"    * DEBUG RELOAD NOSAVE: replace the current database with the contents of an",
	"      existing RDB file.",
	"    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the contents of an existing RDB",
	"      file to the database.",
	"SEGFAULT",
	"    Crash the server with sigsegv.",
	"SET-ACTIVE-EXPIRE <0|1>",
	"    Setting it to 0 disables expiring keys in background when they are not",
	"    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
	"    default.",
	"QUICKLIST-PACKED-THRESHOLD <size>",
	"    Sets the threshold for elements to be inserted as plain vs packed nodes",
	"    Default value is 1GB, allows values up to 4GB. Setting to 0 restores to default.",
	"SET-SKIP-CHECKSUM-VALIDATION <0|1>",
	"    Enables or disables checksum checks for RDB files and RESTORE's payload.",
	"SLEEP <seconds>",
	"    Stop the server for <seconds>. Decimals allowed.",
	"STRINGMATCH-TEST",
	"    Run a fuzz tester against the stringmatchlen() function.",
	"PAUSE-CRON <0|1>",
	"    Stop periodic cron job processing.",
	"REPLYBUFFER PEAK-RESET-TIME <NEVER||RESET|time>",
	"    Sets the time (in milliseconds) to wait between client reply buffer peak resets.",
	"    In case NEVER is provided the last observed peak will never be reset",
	"    In case RESET is provided the peak reset time will be restored to the default value",
	"REPLYBUFFER RESIZING <0|1>",
	"    Enable or disable the reply buffer resize cron job",
	"CLUSTERLINK KILL <to|from|all> <node-id>",
	"    Kills the link based on the direction to/from (both) with the provided node.",
}

// replyBufferPeakResetDefault is REPLY_BUFFER_DEFAULT_PEAK_RESET_TIME, ms.
const replyBufferPeakResetDefault = 5000

// debugCommand implements the DEBUG subcommands Redis 7.0's test suite
// relies on. As debugCommand in debug.c, a subcommand with the wrong
// number of arguments gets the unknown-subcommand error; subcommands that
// need jemalloc (MALLCTL, MALLCTL-STR) are unknown, as in a libc build.
func debugCommand(s *Server, c *conn) {
	argc := len(c.Argv)
	dbg := &s.core.Debug
	switch sub := strings.ToLower(string(c.Argv[1])); {
	case sub == "help" && argc == 2:
		replyHelp(c, "DEBUG", debugHelp)
	case sub == "segfault":
		// The crash report, then death by SIGSEGV, as Redis's write to an
		// unmapped address does.
		s.crash(syscall.SIGSEGV)
	case sub == "log" && argc == 3:
		s.logf(logWarning, "DEBUG LOG: %s", c.Argv[2])
		c.Simple("OK")
	case sub == "leak" && argc == 3:
		c.Simple("OK")
	case sub == "aof-flush-sleep" && argc == 3:
		us, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
		if err != nil {
			c.Error(rerr.NotInteger)
			return
		}
		s.aof.flushSleep = time.Duration(us) * time.Microsecond
		c.Simple("OK")
	case sub == "set-disable-deny-scripts" && argc == 3:
		n, _ := strconv.Atoi(string(c.Argv[2]))
		s.script.allowDenied = n != 0
		c.Simple("OK")
	case sub == "reload":
		debugReload(s, c)
	case sub == "loadaof":
		debugLoadAOF(s, c)
	case sub == "object" && argc == 3:
		debugObject(s, c)
	case sub == "populate" && argc >= 3 && argc <= 5:
		debugPopulate(c)
	case sub == "clusterlink" && argc == 5 && strings.EqualFold(string(c.Argv[2]), "kill"):
		s.debugClusterLinkKill(c)
	case sub == "drop-cluster-packet-filter" && argc == 3:
		v, ok := types.ParseInt(c.Argv[2])
		if !ok {
			c.Error(rerr.NotInteger)
			return
		}
		s.clusterDropFilter = v
		c.Simple("OK")
	case sub == "replicate" && argc >= 3:
		// The command goes to replicas only, not executed here (tests
		// use it to make data diverge).
		s.feedReplicas(s.repl.selDB, c.Argv[2:])
		c.Simple("OK")
	case sub == "digest" && argc == 2:
		d := datasetDigest(s.ks)
		c.Simple(hex.EncodeToString(d[:]))
	case sub == "digest-value":
		c.Array(argc - 2)
		for _, key := range c.Argv[2:] {
			// As Redis, a logically expired key still has its digest.
			var d [20]byte
			if e := c.DB.Find(key); e != nil {
				objectDigest(&d, e)
			}
			c.Simple(hex.EncodeToString(d[:]))
		}
	case sub == "protocol" && argc == 3:
		debugProtocol(c)
	case sub == "sleep" && argc == 3:
		f, _ := strconv.ParseFloat(strings.TrimSpace(string(c.Argv[2])), 64)
		time.Sleep(time.Duration(f * float64(time.Second)))
		c.Simple("OK")
	case sub == "set-active-expire" && argc == 3:
		s.activeExpire = atoi(c.Argv[2]) != 0
		c.Simple("OK")
	case sub == "quicklist-packed-threshold" && argc == 3:
		sz, ok := config.ParseMemory(string(c.Argv[2]))
		if !ok || sz > 1<<32-1<<20 {
			c.Error(rerr.Line("ERR argument must be a memory value bigger than 1 and smaller than 4gb"))
			return
		}
		if sz == 0 {
			sz = 1 << 30
		}
		dbg.QuicklistPackedThreshold = int64(sz)
		c.Simple("OK")
	case sub == "set-skip-checksum-validation" && argc == 3:
		dbg.SkipChecksum = atoi(c.Argv[2]) != 0
		c.Simple("OK")
	case sub == "error" && argc == 3:
		// Written as is, so it is not counted in errorstats (addReplySds).
		c.ErrorString(string(c.Argv[2]))
	case sub == "htstats" && argc == 3:
		debugHTStats(s, c)
	case sub == "htstats-key" && argc == 3:
		debugHTStatsKey(c)
	case sub == "change-repl-id" && argc == 2:
		s.logf(logWarning, "Changing replication IDs after receiving DEBUG change-repl-id")
		s.repl.ids.ID = randomHex(s.rnd, repl.IDLen)
		s.repl.ids.ClearID2()
		c.Simple("OK")
	case sub == "stringmatch-test" && argc == 2:
		stringmatchFuzz(s.rnd.Uint64)
		c.Simple("Apparently Redis did not crash: test passed")
	case sub == "pause-cron" && argc == 3:
		dbg.PauseCron = atoi(c.Argv[2]) != 0
		c.Simple("OK")
	case sub == "replybuffer" && argc == 4:
		debugReplyBuffer(c, dbg)
	case sub == "config-rewrite-force-all" && argc == 2:
		if err := s.cfg.RewriteAll(); err != nil {
			reason := errText(err)
			if errors.Is(err, config.ErrNoConfigFile) {
				reason = "The server is running without a config file"
			}
			c.Error(rerr.Line("ERR CONFIG-REWRITE-FORCE-ALL failed: " + reason))
			return
		}
		c.Simple("OK")
	default:
		c.Error(debugUnknown(c.Argv[1]))
	}
}

// debugUnknown is addReplySubcommandSyntaxError for DEBUG.
func debugUnknown(sub []byte) []byte {
	if len(sub) > 128 {
		sub = sub[:128]
	}
	return rerr.Line("ERR unknown subcommand or wrong number of arguments for '" + string(sub) + "'. Try DEBUG HELP.")
}

// debugReplyBuffer is DEBUG REPLYBUFFER PEAK-RESET-TIME|RESIZING value.
func debugReplyBuffer(c *conn, dbg *command.DebugFlags) {
	arg := c.Argv[3]
	switch strings.ToLower(string(c.Argv[2])) {
	case "peak-reset-time":
		switch {
		case strings.EqualFold(string(arg), "never"):
			dbg.ReplyBufferPeakResetTime = -1
		case strings.EqualFold(string(arg), "reset"):
			dbg.ReplyBufferPeakResetTime = replyBufferPeakResetDefault
		default:
			v, ok := types.ParseInt(arg)
			if !ok {
				c.Error(rerr.NotInteger)
				return
			}
			dbg.ReplyBufferPeakResetTime = v
		}
	case "resizing":
		dbg.ReplyBufferResizing = atoi(arg) != 0
	default:
		c.Error(debugUnknown(c.Argv[1]))
		return
	}
	c.Simple("OK")
}

// debugObject is DEBUG OBJECT key: the fields of debug.c's reply. The
// address is the entry's, serializedlength the length of the value as RDB
// writes it (rdbSavedObjectLen), and a list adds its quicklist figures.
func debugObject(s *Server, c *conn) {
	e := c.DB.Find(c.Argv[2])
	if e == nil {
		c.Error(rerr.NoSuchKey)
		return
	}
	enc := entryEncoding(e)
	body, err := rdb.AppendObject(nil, e, s.cfg.RDBCompression)
	if err != nil {
		c.Error(rerr.Line("ERR " + err.Error()))
		return
	}
	now := s.ks.LRUClock()
	idle := int64(now) - int64(e.LRU)
	if now < e.LRU {
		idle = int64(now) + lruClockMax - int64(e.LRU)
	}
	line := fmt.Sprintf("Value at:%p refcount:%d encoding:%s serializedlength:%d lru:%d lru_seconds_idle:%d",
		e, entryRefcount(s, e), enc, len(body), e.LRU, idle)
	if l, ok := e.Obj.(*types.List); ok && e.Type == keyspace.TypeList {
		size := 0
		for i := 0; i < l.NodeCount(); i++ {
			size += len(l.Node(i))
		}
		compressed := 0
		if s.core.Limits.ListCompressDepth != 0 {
			compressed = 1
		}
		line += fmt.Sprintf(" ql_nodes:%d ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d ql_uncompressed_size:%d",
			l.NodeCount(), float64(l.Len())/float64(l.NodeCount()), s.core.Limits.ListMaxListpackSize, compressed, size)
	}
	c.Simple(line)
}

// entryEncoding is OBJECT ENCODING's name for e's value.
func entryEncoding(e *keyspace.Entry) string {
	if e.Type != keyspace.TypeString {
		if enc, ok := e.Obj.(interface{ Encoding() string }); ok {
			return enc.Encoding()
		}
		return "unknown"
	}
	switch e.Enc {
	case keyspace.EncInt:
		return "int"
	case keyspace.EncEmbstr:
		return "embstr"
	}
	return "raw"
}

// entryRefcount is the refcount Redis would report: a small non-negative
// integer string is a shared object (OBJ_SHARED_REFCOUNT) unless the
// eviction policy forbids sharing; anything else has one reference.
func entryRefcount(s *Server, e *keyspace.Entry) int64 {
	if e.Type == keyspace.TypeString && e.Enc == keyspace.EncInt && s.core.Limits.SharedIntegers {
		if v, ok := types.ParseInt(e.Str); ok && v >= 0 && v < 10000 {
			return 1<<31 - 1
		}
	}
	return 1
}

// debugPopulate is DEBUG POPULATE count [prefix] [size]: string keys
// prefix:N holding "value:N", cut or zero-padded to size bytes when size
// is given. Existing keys are left alone. Nothing is propagated and the
// dirty counter does not move, as in Redis.
func debugPopulate(c *conn) {
	count, ok := types.ParseInt(c.Argv[2])
	if !ok || count < 0 {
		c.Error(rerr.PositiveInt)
		return
	}
	size := int64(0)
	if len(c.Argv) == 5 {
		if size, ok = types.ParseInt(c.Argv[4]); !ok || size < 0 {
			c.Error(rerr.PositiveInt)
			return
		}
	}
	prefix := []byte("key")
	if len(c.Argv) >= 4 {
		prefix = c.Argv[3]
	}
	key := make([]byte, 0, len(prefix)+21)
	var val [32]byte
	for j := int64(0); j < count; j++ {
		key = strconv.AppendInt(append(append(key[:0], prefix...), ':'), j, 10)
		if c.DB.LookupWrite(key) != nil {
			continue
		}
		v := strconv.AppendInt(append(val[:0], "value:"...), j, 10)
		e := c.DB.Add(key, keyspace.TypeString)
		if size == 0 {
			e.Str = append([]byte(nil), v...)
		} else {
			e.Str = make([]byte, size)
			copy(e.Str, v)
		}
		e.Enc = keyspace.EncRaw
		if len(e.Str) <= embstrMax {
			e.Enc = keyspace.EncEmbstr
		}
		c.DB.Touched(key)
	}
	c.Simple("OK")
}

// embstrMax is OBJ_ENCODING_EMBSTR_SIZE_LIMIT.
const embstrMax = 44

// debugProtocol is DEBUG PROTOCOL type: one test reply of each RESP type.
func debugProtocol(c *conn) {
	switch strings.ToLower(string(c.Argv[2])) {
	case "string":
		c.BulkString("Hello World")
	case "integer":
		c.Int(12345)
	case "double":
		c.Double(3.141)
	case "bignum":
		c.BigNumber("1234567999999999999999999999999999999")
	case "null":
		c.Null()
	case "array":
		c.Array(3)
		for j := int64(0); j < 3; j++ {
			c.Int(j)
		}
	case "set":
		c.Set(3)
		for j := int64(0); j < 3; j++ {
			c.Int(j)
		}
	case "map":
		c.Map(3)
		for j := int64(0); j < 3; j++ {
			c.Int(j)
			c.Bool(j == 1)
		}
	case "attrib":
		if c.Proto == 3 {
			c.Attribute(1)
			c.BulkString("key-popularity")
			c.Array(2)
			c.BulkString("key:123")
			c.Int(90)
		}
		c.BulkString("Some real reply following the attribute")
	case "push":
		if c.Proto != 3 {
			c.Error(rerr.Line("ERR RESP2 is not supported by this command"))
			return
		}
		start := len(c.B)
		c.Push(2)
		c.BulkString("server-cpu-usage")
		c.Int(42)
		c.markPush(start)
		c.BulkString("Some real reply following the push reply")
	case "true":
		c.Bool(true)
	case "false":
		c.Bool(false)
	case "verbatim":
		c.Verbatim([]byte("This is a verbatim\nstring"), "txt")
	default:
		c.Error(rerr.Line("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"))
	}
}

// Digests, as debug.c's DEBUG DIGEST: every unordered collection is the
// XOR of its elements' SHA1s, every ordered sequence feeds the running
// digest back into SHA1 (mixDigest), so two servers holding the same
// dataset agree whatever their encodings or iteration orders.

// xorDigest XORs SHA1(p) into d.
func xorDigest(d *[20]byte, p []byte) {
	h := sha1.Sum(p)
	for i := range d {
		d[i] ^= h[i]
	}
}

// mixDigest sets d to SHA1(d XOR SHA1(p)).
func mixDigest(d *[20]byte, p []byte) {
	xorDigest(d, p)
	*d = sha1.Sum(d[:])
}

// redisObjType maps Shoal's type numbers to Redis's OBJ_* codes, which
// the digest mixes in (OBJ_MODULE is 5, so streams are 6 there).
var redisObjType = [...]uint32{
	keyspace.TypeString: 0,
	keyspace.TypeList:   1,
	keyspace.TypeSet:    2,
	keyspace.TypeZSet:   3,
	keyspace.TypeHash:   4,
	keyspace.TypeStream: 6,
}

// objectDigest mixes e's type, value and whether it expires into d, as
// xorObjectDigest.
func objectDigest(d *[20]byte, e *keyspace.Entry) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], redisObjType[e.Type])
	mixDigest(d, b[:])
	switch v := e.Obj.(type) {
	case nil:
		mixDigest(d, e.Str)
	case *types.List:
		v.Each(func(el []byte) bool {
			mixDigest(d, el)
			return true
		})
	case *types.Set:
		v.Each(func(m []byte) bool {
			xorDigest(d, m)
			return true
		})
	case *types.ZSet:
		var buf [32]byte
		v.Each(func(m []byte, score float64) bool {
			var ed [20]byte
			mixDigest(&ed, m)
			mixDigest(&ed, resp.AppendDouble(buf[:0], score))
			xorDigest(d, ed[:])
			return true
		})
	case *types.Hash:
		v.Range(func(f, val []byte) bool {
			var ed [20]byte
			mixDigest(&ed, f)
			mixDigest(&ed, val)
			xorDigest(d, ed[:])
			return true
		})
	case *types.Stream:
		var buf [48]byte
		it := v.Iter(types.StreamID{}, types.MaxStreamID, false)
		for {
			id, n, ok := it.Next()
			if !ok {
				break
			}
			b := strconv.AppendUint(buf[:0], id.Ms, 10)
			b = strconv.AppendUint(append(b, '.'), id.Seq, 10)
			mixDigest(d, b)
			for ; n > 0; n-- {
				f, val := it.Field()
				mixDigest(d, f)
				mixDigest(d, val)
			}
		}
	}
	if e.Expire != 0 {
		xorDigest(d, []byte("!!expire!!"))
	}
}

// datasetDigest is computeDatasetDigest: for each non-empty database mix
// its number in, then XOR in each key's digest (key mixed, then value).
// All zeros for an empty dataset.
func datasetDigest(ks *keyspace.Keyspace) [20]byte {
	var final [20]byte
	for _, db := range ks.DBs {
		if db.Len() == 0 {
			continue
		}
		var b [4]byte
		binary.BigEndian.PutUint32(b[:], uint32(db.ID))
		mixDigest(&final, b[:])
		db.Each(func(e *keyspace.Entry) bool {
			var d [20]byte
			mixDigest(&d, []byte(e.Key))
			objectDigest(&d, e)
			xorDigest(&final, d[:])
			return true
		})
	}
	return final
}

// dictStats is the shape of one hash table for DEBUG HTSTATS: its bucket
// count, its element count and how many buckets hold chains of each
// length (chains[0] counts the empty buckets).
type dictStats struct {
	size, used int
	chains     []int
}

// dictStatsVectLen is DICT_STATS_VECTLEN: longer chains count as the last.
const dictStatsVectLen = 50

// modelDictStats is the table Redis's dict would have after n insertions:
// a power of two of at least 4 buckets and at least n (the load factor
// stays at most 1 outside a rehash), each element in its own bucket.
// Shoal's tables do not export their bucket layout, so the chain figures
// are this ideal rather than a measurement.
func modelDictStats(n int) dictStats {
	if n == 0 {
		return dictStats{}
	}
	size := 4
	if n > size {
		size = 1 << bits.Len(uint(n-1))
	}
	return dictStats{size: size, used: n, chains: []int{size - n, n}}
}

// appendDictStats writes _dictGetStatsHt's report for table ht (0 is the
// main table, 1 the rehashing target).
func appendDictStats(b []byte, ht int, st dictStats) []byte {
	name := "main hash table"
	if ht == 1 {
		name = "rehashing target"
	}
	if st.used == 0 {
		return fmt.Appendf(b, "Hash table %d stats (%s):\nNo stats available for empty dictionaries\n", ht, name)
	}
	slots, maxChain, total := 0, 0, 0
	for l, n := range st.chains {
		if l == 0 || n == 0 {
			continue
		}
		slots += n
		total += l * n
		maxChain = l
	}
	// debug.c computes the averages and percentages in float.
	b = fmt.Appendf(b, "Hash table %d stats (%s):\n table size: %d\n number of elements: %d\n different slots: %d\n max chain length: %d\n avg chain length (counted): %.02f\n avg chain length (computed): %.02f\n Chain length distribution:\n",
		ht, name, st.size, st.used, slots, maxChain,
		float64(float32(total)/float32(slots)), float64(float32(st.used)/float32(slots)))
	for l, n := range st.chains {
		if n == 0 || l >= dictStatsVectLen-1 {
			continue
		}
		b = fmt.Appendf(b, "   %d: %d (%.02f%%)\n", l, n, float64(float32(n)/float32(st.size)*100))
	}
	return b
}

// debugHTStats is DEBUG HTSTATS dbid: the main and expires tables of a
// database, as a verbatim string.
func debugHTStats(s *Server, c *conn) {
	id, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if id < 0 || id >= int64(len(s.ks.DBs)) {
		c.Error(rerr.Line("ERR Out of range database"))
		return
	}
	db := s.ks.DBs[id]
	b := append([]byte(nil), "[Dictionary HT]\n"...)
	b = appendDictStats(b, 0, modelDictStats(db.Len()))
	b = append(b, "[Expires HT]\n"...)
	b = appendDictStats(b, 0, modelDictStats(db.ExpiresLen()))
	c.Verbatim(b, "txt")
}

// debugHTStatsKey is DEBUG HTSTATS-KEY key, for values Redis keeps in a
// dict: hashtable-encoded sets and hashes, skiplist-encoded sorted sets.
func debugHTStatsKey(c *conn) {
	e := c.DB.Lookup(c.Argv[2])
	if e == nil {
		c.Error(rerr.NoSuchKey)
		return
	}
	n := -1
	switch v := e.Obj.(type) {
	case *types.Set:
		if !v.IsIntset() && v.Encoding() == "hashtable" {
			n = v.Len()
		}
	case *types.Hash:
		if v.Encoding() == "hashtable" {
			n = v.Len()
		}
	case *types.ZSet:
		if !v.IsListpack() {
			n = v.Len()
		}
	}
	if n < 0 {
		c.Error(rerr.Line("ERR The value stored at the specified key is not represented using an hash table"))
		return
	}
	c.Verbatim(appendDictStats(nil, 0, modelDictStats(n)), "txt")
}

// stringmatchFuzz is stringmatchlen_fuzz_test: glob-match random patterns
// against random strings, only to show the matcher neither panics nor
// hangs on any input.
func stringmatchFuzz(rnd func() uint64) {
	const alphabet = "*?[]^-\\abcAB"
	var pat, str [32]byte
	for i := 0; i < 100000; i++ {
		r := rnd()
		p := pat[:r%uint64(len(pat))]
		sl := str[:(r>>8)%uint64(len(str))]
		for j := range p {
			p[j] = alphabet[rnd()%uint64(len(alphabet))]
		}
		for j := range sl {
			sl[j] = byte(rnd())
		}
		glob.Match(p, sl, r>>16&1 == 1)
	}
}

// atoi is C's atoi: optional blanks and sign, then digits up to the first
// other byte; 0 when there are none.
func atoi(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || b[i] >= '\t' && b[i] <= '\r') {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '-' || b[i] == '+') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// debugReload is DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save the RDB,
// empty the dataset and load the file back.
func debugReload(s *Server, c *conn) {
	c.PreventPropagation()
	save, flush, merge := true, true, false
	for _, a := range c.Argv[2:] {
		switch strings.ToLower(string(a)) {
		case "merge":
			merge = true
		case "noflush":
			flush = false
		case "nosave":
			save = false
		default:
			c.Error(rerr.Line("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options."))
			return
		}
	}
	if save {
		if err := s.rdbSave(); err != nil {
			c.Error(rerr.Line("ERR"))
			return
		}
	}
	if _, err := os.Stat(s.cfg.DBFilename); err != nil {
		c.Error(rerr.Line("ERR Error trying to load the RDB dump"))
		return
	}
	if flush {
		for _, db := range s.ks.DBs {
			db.Flush()
		}
		s.flushFunctions()
	}
	s.ks.Loading = true
	s.ks.Now = time.Now().UnixMilli()
	err := s.loadRDBFile(s.cfg.DBFilename, merge)
	s.ks.Loading = false
	if err != nil {
		s.logf(logWarning, "%v", err)
		c.Error(rerr.Line("ERR Error trying to load the RDB dump"))
		return
	}
	s.logf(logWarning, "DB reloaded by DEBUG RELOAD")
	c.Simple("OK")
}

// debugLoadAOF is DEBUG LOADAOF: flush the AOF, empty the dataset and
// replay the AOF.
func debugLoadAOF(s *Server, c *conn) {
	// Never propagated: the replay would otherwise append this very
	// command to the file it replays.
	c.PreventPropagation()
	if s.aof.state == aofOn {
		s.flushAOF(true)
	}
	for _, db := range s.ks.DBs {
		db.Flush()
	}
	s.flushFunctions()
	s.ks.Loading = true
	_, err := s.loadAOF(false)
	s.ks.Loading = false
	if err != nil {
		s.logf(logWarning, "%v", err)
		c.Error(rerr.Line("ERR Error loading the AOF file, check server logs."))
		return
	}
	s.core.Dirty = 0
	s.logf(logWarning, "Append Only File loaded by DEBUG LOADAOF")
	c.Simple("OK")
}
