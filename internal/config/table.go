package config

import (
	"math"
	"strconv"
	"strings"
)

// flag marks a directive's behaviour, after Redis's config flags.
type flag uint8

const (
	// immutable directives are only read at startup: CONFIG SET refuses them.
	immutable flag = 1 << iota
	// protected directives are refused by CONFIG SET unless
	// enable-protected-configs allows it.
	protected
	// sensitive directives hold secrets and must be redacted from logs.
	sensitive
	// hidden directives (testing knobs) answer CONFIG GET only when asked
	// by their exact name, never through a pattern, as HIDDEN_CONFIG.
	hidden
	// denyLoading directives cannot change while the dataset loads
	// (DENY_LOADING_CONFIG): CONFIG SET answers -LOADING.
	denyLoading
)

// directive is one entry of the table. set parses args onto c and returns a
// failure reason ("" on success); get renders the CONFIG GET value; rw
// renders the value written by CONFIG REWRITE, and lines, when set, renders
// the whole rewrite of a directive that spans several lines.
type directive struct {
	name  string
	alias string
	flags flag
	// multi directives take a variable number of arguments; CONFIG SET splits
	// their single value argument like a config line.
	multi bool
	def   string
	set   func(c *Config, args []string) string
	get   func(c *Config) string
	rw    func(c *Config) string
	lines func(c *Config) []rwLine
}

// rwLine is one line CONFIG REWRITE writes; force is false for a value equal
// to its default, written only where the file already names the directive.
type rwLine struct {
	text  string
	force bool
}

const (
	intMax   = math.MaxInt32
	intMin   = math.MinInt32
	uintMax  = math.MaxUint32
	llongMax = math.MaxInt64
)

func single(args []string) (string, string) {
	if len(args) != 1 {
		return "", reasonArgs
	}
	return args[0], ""
}

func boolD(name, alias string, fl flag, def bool, p func(*Config) *bool) *directive {
	return &directive{name: name, alias: alias, flags: fl, def: formatBool(def),
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			v, ok := parseBool(s)
			if !ok {
				return reasonNotBool
			}
			*p(c) = v
			return ""
		},
		get: func(c *Config) string { return formatBool(*p(c)) },
	}
}

func intD[T int | int64](name, alias string, fl flag, lo, hi, def int64, p func(*Config) *T) *directive {
	return &directive{name: name, alias: alias, flags: fl, def: strconv.FormatInt(def, 10),
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			v, ok := parseInt(s)
			if !ok {
				return reasonNotInt
			}
			if v < lo || v > hi {
				return rangeReason(strconv.FormatInt(lo, 10), strconv.FormatInt(hi, 10))
			}
			*p(c) = T(v)
			return ""
		},
		get: func(c *Config) string { return strconv.FormatInt(int64(*p(c)), 10) },
	}
}

// octalD is an integer written in octal, as Redis's OCTAL_CONFIG: parsed
// as strtoll base 8 does (leading blanks and a sign allowed, no digits at
// all reads as 0), shown and rewritten in octal.
func octalD(name string, fl flag, hi int64, p func(*Config) *int) *directive {
	return &directive{name: name, flags: fl, def: "0",
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			v, ok := parseOctal(s)
			if !ok {
				return reasonNotOctal
			}
			if v < 0 || v > hi {
				return rangeReason("0", strconv.FormatInt(hi, 8))
			}
			*p(c) = int(v)
			return ""
		},
		get: func(c *Config) string { return strconv.FormatInt(int64(*p(c)), 8) },
	}
}

// parseOctal reads s as C's strtoll(s, &end, 8) with *end required to be
// the terminating NUL.
func parseOctal(s string) (int64, bool) {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	if s == "" {
		return 0, true
	}
	v, err := strconv.ParseInt(s, 8, 64)
	return v, err == nil
}

func memD[T int64 | uint64](name, alias string, fl flag, lo, hi, def uint64, p func(*Config) *T) *directive {
	return &directive{name: name, alias: alias, flags: fl, def: strconv.FormatUint(def, 10),
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			v, ok := ParseMemory(s)
			if !ok {
				return reasonNotMemory
			}
			if v < lo || v > hi {
				return rangeReason(strconv.FormatUint(lo, 10), strconv.FormatUint(hi, 10))
			}
			*p(c) = T(v)
			return ""
		},
		get: func(c *Config) string { return strconv.FormatUint(uint64(*p(c)), 10) },
		rw:  func(c *Config) string { return formatMemory(uint64(*p(c))) },
	}
}

func enumD(name, alias string, fl flag, vals []string, def int, p func(*Config) *int) *directive {
	reason := "argument(s) must be one of the following: " + strings.Join(vals, ", ")
	return &directive{name: name, alias: alias, flags: fl, def: vals[def],
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			for i, v := range vals {
				if strings.EqualFold(v, s) {
					*p(c) = i
					return ""
				}
			}
			return reason
		},
		get: func(c *Config) string { return vals[*p(c)] },
	}
}

// checkHostname is isValidAnnouncedHostname (cluster-announce-hostname).
func checkHostname(v string) string {
	if len(v) >= 256 {
		return "Hostnames must be less than 256 characters"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.') {
			return "Hostnames may only contain alphanumeric characters, hyphens or dots"
		}
	}
	return ""
}

func strD(name, alias string, fl flag, def string, check func(string) string, p func(*Config) *string) *directive {
	return &directive{name: name, alias: alias, flags: fl, def: def,
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			if check != nil {
				if r := check(s); r != "" {
					return r
				}
			}
			*p(c) = s
			return ""
		},
		get: func(c *Config) string { return *p(c) },
		rw:  func(c *Config) string { return repr(*p(c)) },
	}
}

// notPath refuses file names with a slash, as Redis does for dbfilename,
// appendfilename and appenddirname.
func notPath(name, what string) func(string) string {
	return func(s string) string {
		if strings.ContainsRune(s, '/') {
			return name + " can't be a path, just a " + what
		}
		return ""
	}
}

// Values of the enum directives, in Redis's order (the order of the
// "must be one of the following" error).
var (
	loglevelNames   = []string{"debug", "verbose", "notice", "warning"}
	policyNames     = []string{"volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl", "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"}
	fsyncNames      = []string{"everysec", "always", "no"}
	supervisedNames = []string{"upstart", "systemd", "auto", "no"}
	disklessNames   = []string{"disabled", "on-empty-db", "swapdb"}
	endpointNames   = []string{"ip", "hostname", "unknown-endpoint"}
	enableNames     = []string{"no", "yes", "local"}
	sanitizeNames   = []string{"no", "yes", "clients"}
	propErrNames    = []string{"ignore", "panic", "panic-on-replicas"}
	// SyslogFacilities are syslog-facility's values, in Redis's order.
	SyslogFacilities = []string{"user", "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7"}
)

// Loglevel values.
const (
	LogDebug = iota
	LogVerbose
	LogNotice
	LogWarning
)

// MaxmemoryPolicy values.
const (
	PolicyVolatileLRU = iota
	PolicyVolatileLFU
	PolicyVolatileRandom
	PolicyVolatileTTL
	PolicyAllkeysLRU
	PolicyAllkeysLFU
	PolicyAllkeysRandom
	PolicyNoEviction
)

// Appendfsync values.
const (
	FsyncEverysec = iota
	FsyncAlways
	FsyncNo
)

// Supervised values.
const (
	SupervisedUpstart = iota
	SupervisedSystemd
	SupervisedAuto
	SupervisedNo
)

// ReplDisklessLoad values.
const (
	DisklessLoadDisabled = iota
	DisklessLoadOnEmptyDB
	DisklessLoadSwapDB
)

// ClusterPreferredEndpointType values.
const (
	EndpointIP = iota
	EndpointHostname
	EndpointUnknown
)

// Values of enable-debug-command, enable-protected-configs and
// enable-module-command.
const (
	EnableNo = iota
	EnableYes
	EnableLocal
)

// SanitizeDumpPayload values.
const (
	SanitizeNo = iota
	SanitizeYes
	SanitizeClients
)

// PropagationErrorBehavior values: what a command that fails while
// replaying the AOF (or, later, a master's stream) does.
const (
	PropErrIgnore = iota
	PropErrPanic
	PropErrPanicOnReplicas
)

// table lists every directive Shoal understands; byName indexes it by name
// and alias.
var (
	table  []*directive
	byName map[string]*directive
)

func init() {
	table = []*directive{
		// Network.
		specialBind(),
		boolD("protected-mode", "", 0, true, func(c *Config) *bool { return &c.ProtectedMode }),
		intD("port", "", 0, 0, 65535, 6379, func(c *Config) *int { return &c.Port }),
		intD("tcp-backlog", "", immutable, 0, intMax, 511, func(c *Config) *int { return &c.TCPBacklog }),
		strD("unixsocket", "", immutable, "", nil, func(c *Config) *string { return &c.UnixSocket }),
		strD("bind-source-addr", "", 0, "", nil, func(c *Config) *string { return &c.BindSourceAddr }),
		octalD("unixsocketperm", immutable, 0o777, func(c *Config) *int { return &c.UnixSocketPerm }),
		intD("timeout", "", 0, 0, intMax, 0, func(c *Config) *int64 { return &c.Timeout }),
		intD("tcp-keepalive", "", 0, 0, intMax, 300, func(c *Config) *int { return &c.TCPKeepAlive }),

		// General.
		boolD("daemonize", "", immutable, false, func(c *Config) *bool { return &c.Daemonize }),
		enumD("supervised", "", immutable, supervisedNames, SupervisedNo, func(c *Config) *int { return &c.Supervised }),
		strD("pidfile", "", immutable, "", nil, func(c *Config) *string { return &c.PidFile }),
		enumD("loglevel", "", 0, loglevelNames, LogNotice, func(c *Config) *int { return &c.Loglevel }),
		strD("logfile", "", immutable, "", nil, func(c *Config) *string { return &c.LogFile }),
		boolD("syslog-enabled", "", immutable, false, func(c *Config) *bool { return &c.SyslogEnabled }),
		strD("syslog-ident", "", immutable, "redis", nil, func(c *Config) *string { return &c.SyslogIdent }),
		enumD("syslog-facility", "", immutable, SyslogFacilities, 1, func(c *Config) *int { return &c.SyslogFacility }),
		intD("databases", "", immutable, 1, intMax, 16, func(c *Config) *int { return &c.Databases }),
		boolD("always-show-logo", "", immutable, false, func(c *Config) *bool { return &c.AlwaysShowLogo }),
		intD("shutdown-timeout", "", 0, 0, intMax, 10, func(c *Config) *int { return &c.ShutdownTimeout }),
		enumD("enable-protected-configs", "", immutable, enableNames, EnableNo, func(c *Config) *int { return &c.EnableProtectedConfigs }),
		enumD("enable-debug-command", "", immutable, enableNames, EnableNo, func(c *Config) *int { return &c.EnableDebugCommand }),
		enumD("enable-module-command", "", immutable, enableNames, EnableNo, func(c *Config) *int { return &c.EnableModuleCommand }),

		// Snapshotting.
		specialSave(),
		boolD("stop-writes-on-bgsave-error", "", 0, true, func(c *Config) *bool { return &c.StopWritesOnBgsaveError }),
		boolD("rdbcompression", "", 0, true, func(c *Config) *bool { return &c.RDBCompression }),
		boolD("rdbchecksum", "", 0, true, func(c *Config) *bool { return &c.RDBChecksum }),
		enumD("sanitize-dump-payload", "", 0, sanitizeNames, SanitizeNo, func(c *Config) *int { return &c.SanitizeDumpPayload }),
		intD("rdb-key-save-delay", "", hidden, intMin, intMax, 0, func(c *Config) *int { return &c.RDBKeySaveDelay }),
		intD("key-load-delay", "", hidden, intMin, intMax, 0, func(c *Config) *int { return &c.KeyLoadDelay }),
		intD("watchdog-period", "", hidden, 0, intMax, 0, func(c *Config) *int { return &c.WatchdogPeriod }),
		intD("loading-process-events-interval-bytes", "", hidden, 1024, intMax, 2<<20, func(c *Config) *int { return &c.LoadingEventsInterval }),
		enumD("propagation-error-behavior", "", 0, propErrNames, PropErrIgnore, func(c *Config) *int { return &c.PropagationErrorBehavior }),
		strD("dbfilename", "", protected, "dump.rdb", notPath("dbfilename", "filename"), func(c *Config) *string { return &c.DBFilename }),
		boolD("rdb-del-sync-files", "", 0, false, func(c *Config) *bool { return &c.RDBDelSyncFiles }),
		specialDir(),

		// Replication.
		specialReplicaof(),
		strD("masterauth", "", sensitive, "", nil, func(c *Config) *string { return &c.MasterAuth }),
		strD("masteruser", "", 0, "", nil, func(c *Config) *string { return &c.MasterUser }),
		boolD("replica-serve-stale-data", "slave-serve-stale-data", 0, true, func(c *Config) *bool { return &c.ReplicaServeStaleData }),
		boolD("replica-read-only", "slave-read-only", 0, true, func(c *Config) *bool { return &c.ReplicaReadOnly }),
		boolD("repl-diskless-sync", "", 0, true, func(c *Config) *bool { return &c.ReplDisklessSync }),
		intD("repl-diskless-sync-delay", "", 0, 0, intMax, 5, func(c *Config) *int { return &c.ReplDisklessSyncDelay }),
		intD("repl-diskless-sync-max-replicas", "", 0, 0, intMax, 0, func(c *Config) *int { return &c.ReplDisklessSyncMaxReplicas }),
		enumD("repl-diskless-load", "", denyLoading, disklessNames, DisklessLoadDisabled, func(c *Config) *int { return &c.ReplDisklessLoad }),
		intD("repl-ping-replica-period", "repl-ping-slave-period", 0, 1, intMax, 10, func(c *Config) *int { return &c.ReplPingReplicaPeriod }),
		intD("repl-timeout", "", 0, 1, intMax, 60, func(c *Config) *int { return &c.ReplTimeout }),
		boolD("repl-disable-tcp-nodelay", "", 0, false, func(c *Config) *bool { return &c.ReplDisableTCPNoDelay }),
		memD("repl-backlog-size", "", 0, 1, llongMax, 1<<20, func(c *Config) *int64 { return &c.ReplBacklogSize }),
		intD("repl-backlog-ttl", "", 0, 0, intMax, 3600, func(c *Config) *int64 { return &c.ReplBacklogTTL }),
		intD("replica-priority", "slave-priority", 0, 0, intMax, 100, func(c *Config) *int { return &c.ReplicaPriority }),
		strD("replica-announce-ip", "slave-announce-ip", 0, "", nil, func(c *Config) *string { return &c.ReplicaAnnounceIP }),
		intD("replica-announce-port", "slave-announce-port", 0, 0, 65535, 0, func(c *Config) *int { return &c.ReplicaAnnouncePort }),
		boolD("replica-announced", "", 0, true, func(c *Config) *bool { return &c.ReplicaAnnounced }),
		boolD("replica-lazy-flush", "slave-lazy-flush", 0, false, func(c *Config) *bool { return &c.ReplicaLazyFlush }),
		boolD("replica-ignore-maxmemory", "slave-ignore-maxmemory", 0, true, func(c *Config) *bool { return &c.ReplicaIgnoreMaxmemory }),
		intD("min-replicas-to-write", "min-slaves-to-write", 0, 0, intMax, 0, func(c *Config) *int { return &c.MinReplicasToWrite }),
		intD("min-replicas-max-lag", "min-slaves-max-lag", 0, 0, intMax, 10, func(c *Config) *int { return &c.MinReplicasMaxLag }),

		// Security and clients.
		strD("requirepass", "", sensitive, "", nil, func(c *Config) *string { return &c.RequirePass }),
		intD("maxclients", "", 0, 1, uintMax, 10000, func(c *Config) *int64 { return &c.MaxClients }),

		// Memory management.
		memD("maxmemory", "", 0, 0, math.MaxUint64, 0, func(c *Config) *uint64 { return &c.MaxMemory }),
		enumD("maxmemory-policy", "", 0, policyNames, PolicyNoEviction, func(c *Config) *int { return &c.MaxmemoryPolicy }),
		intD("maxmemory-samples", "", 0, 1, intMax, 5, func(c *Config) *int { return &c.MaxmemorySamples }),
		intD("maxmemory-eviction-tenacity", "", 0, 0, 100, 10, func(c *Config) *int { return &c.MaxmemoryEvictionTenacity }),
		specialMaxmemoryClients(),
		intD("active-expire-effort", "", 0, 1, 10, 1, func(c *Config) *int { return &c.ActiveExpireEffort }),
		boolD("lazyfree-lazy-eviction", "", 0, false, func(c *Config) *bool { return &c.LazyfreeLazyEviction }),
		boolD("lazyfree-lazy-expire", "", 0, false, func(c *Config) *bool { return &c.LazyfreeLazyExpire }),
		boolD("lazyfree-lazy-server-del", "", 0, false, func(c *Config) *bool { return &c.LazyfreeLazyServerDel }),
		boolD("lazyfree-lazy-user-del", "", 0, false, func(c *Config) *bool { return &c.LazyfreeLazyUserDel }),
		boolD("lazyfree-lazy-user-flush", "", 0, false, func(c *Config) *bool { return &c.LazyfreeLazyUserFlush }),
		intD("lfu-log-factor", "", 0, 0, intMax, 10, func(c *Config) *int { return &c.LFULogFactor }),
		intD("lfu-decay-time", "", 0, 0, intMax, 1, func(c *Config) *int { return &c.LFUDecayTime }),

		// Threads.
		intD("io-threads", "", immutable, 1, 128, 1, func(c *Config) *int { return &c.IOThreads }),
		boolD("io-threads-do-reads", "", immutable, false, func(c *Config) *bool { return &c.IOThreadsDoReads }),

		// Append only file.
		boolD("appendonly", "", denyLoading, false, func(c *Config) *bool { return &c.AppendOnly }),
		strD("appendfilename", "", immutable, "appendonly.aof", notPath("appendfilename", "filename"), func(c *Config) *string { return &c.AppendFilename }),
		strD("appenddirname", "", immutable, "appendonlydir", notPath("appenddirname", "dirname"), func(c *Config) *string { return &c.AppendDirname }),
		enumD("appendfsync", "", 0, fsyncNames, FsyncEverysec, func(c *Config) *int { return &c.AppendFsync }),
		boolD("no-appendfsync-on-rewrite", "", 0, false, func(c *Config) *bool { return &c.NoAppendfsyncOnRewrite }),
		intD("auto-aof-rewrite-percentage", "", 0, 0, intMax, 100, func(c *Config) *int { return &c.AutoAOFRewritePercentage }),
		memD("auto-aof-rewrite-min-size", "", 0, 0, llongMax, 64<<20, func(c *Config) *int64 { return &c.AutoAOFRewriteMinSize }),
		boolD("aof-load-truncated", "", 0, true, func(c *Config) *bool { return &c.AOFLoadTruncated }),
		boolD("aof-use-rdb-preamble", "", 0, true, func(c *Config) *bool { return &c.AOFUseRDBPreamble }),
		boolD("aof-timestamp-enabled", "", 0, false, func(c *Config) *bool { return &c.AOFTimestampEnabled }),
		boolD("aof-rewrite-incremental-fsync", "", 0, true, func(c *Config) *bool { return &c.AOFRewriteIncrementalFsync }),
		boolD("rdb-save-incremental-fsync", "", 0, true, func(c *Config) *bool { return &c.RDBSaveIncrementalFsync }),

		// Scripting.
		intD("busy-reply-threshold", "lua-time-limit", 0, 0, llongMax, 5000, func(c *Config) *int64 { return &c.BusyReplyThreshold }),

		// Cluster.
		boolD("cluster-enabled", "", immutable, false, func(c *Config) *bool { return &c.ClusterEnabled }),
		strD("cluster-config-file", "", immutable, "nodes.conf", nil, func(c *Config) *string { return &c.ClusterConfigFile }),
		intD("cluster-node-timeout", "", 0, 0, llongMax, 15000, func(c *Config) *int64 { return &c.ClusterNodeTimeout }),
		intD("cluster-port", "", immutable, 0, 65535, 0, func(c *Config) *int { return &c.ClusterPort }),
		intD("cluster-replica-validity-factor", "cluster-slave-validity-factor", 0, 0, intMax, 10, func(c *Config) *int { return &c.ClusterReplicaValidityFactor }),
		intD("cluster-migration-barrier", "", 0, 0, intMax, 1, func(c *Config) *int { return &c.ClusterMigrationBarrier }),
		boolD("cluster-allow-replica-migration", "", 0, true, func(c *Config) *bool { return &c.ClusterAllowReplicaMigration }),
		boolD("cluster-require-full-coverage", "", 0, true, func(c *Config) *bool { return &c.ClusterRequireFullCoverage }),
		boolD("cluster-replica-no-failover", "cluster-slave-no-failover", 0, false, func(c *Config) *bool { return &c.ClusterReplicaNoFailover }),
		boolD("cluster-allow-reads-when-down", "", 0, false, func(c *Config) *bool { return &c.ClusterAllowReadsWhenDown }),
		boolD("cluster-allow-pubsubshard-when-down", "", 0, true, func(c *Config) *bool { return &c.ClusterAllowPubsubshardWhenDown }),
		strD("cluster-announce-ip", "", 0, "", nil, func(c *Config) *string { return &c.ClusterAnnounceIP }),
		strD("cluster-announce-hostname", "", 0, "", checkHostname, func(c *Config) *string { return &c.ClusterAnnounceHostname }),
		intD("cluster-announce-port", "", 0, 0, 65535, 0, func(c *Config) *int { return &c.ClusterAnnouncePort }),
		intD("cluster-announce-bus-port", "", 0, 0, 65535, 0, func(c *Config) *int { return &c.ClusterAnnounceBusPort }),
		enumD("cluster-preferred-endpoint-type", "", 0, endpointNames, EndpointIP, func(c *Config) *int { return &c.ClusterPreferredEndpointType }),
		memD("cluster-link-sendbuf-limit", "", 0, 0, llongMax, 0, func(c *Config) *int64 { return &c.ClusterLinkSendbufLimit }),

		// Slow log, latency monitor, notifications.
		intD("slowlog-log-slower-than", "", 0, -1, llongMax, 10000, func(c *Config) *int64 { return &c.SlowlogLogSlowerThan }),
		intD("slowlog-max-len", "", 0, 0, llongMax, 128, func(c *Config) *int64 { return &c.SlowlogMaxLen }),
		intD("latency-monitor-threshold", "", 0, 0, llongMax, 0, func(c *Config) *int64 { return &c.LatencyMonitorThreshold }),
		boolD("latency-tracking", "", 0, true, func(c *Config) *bool { return &c.LatencyTracking }),
		specialLatencyPercentiles(),
		specialNotify(),

		// Encodings.
		intD("hash-max-listpack-entries", "hash-max-ziplist-entries", 0, 0, llongMax, 512, func(c *Config) *int64 { return &c.HashMaxListpackEntries }),
		intD("hash-max-listpack-value", "hash-max-ziplist-value", 0, 0, llongMax, 64, func(c *Config) *int64 { return &c.HashMaxListpackValue }),
		intD("list-max-listpack-size", "list-max-ziplist-size", 0, intMin, intMax, -2, func(c *Config) *int { return &c.ListMaxListpackSize }),
		intD("list-compress-depth", "", 0, 0, intMax, 0, func(c *Config) *int { return &c.ListCompressDepth }),
		intD("set-max-intset-entries", "", 0, 0, llongMax, 512, func(c *Config) *int64 { return &c.SetMaxIntsetEntries }),
		intD("zset-max-listpack-entries", "zset-max-ziplist-entries", 0, 0, llongMax, 128, func(c *Config) *int64 { return &c.ZsetMaxListpackEntries }),
		intD("zset-max-listpack-value", "zset-max-ziplist-value", 0, 0, llongMax, 64, func(c *Config) *int64 { return &c.ZsetMaxListpackValue }),
		memD("hll-sparse-max-bytes", "", 0, 0, llongMax, 3000, func(c *Config) *int64 { return &c.HLLSparseMaxBytes }),
		memD("stream-node-max-bytes", "", 0, 0, llongMax, 4096, func(c *Config) *int64 { return &c.StreamNodeMaxBytes }),
		intD("stream-node-max-entries", "", 0, 0, llongMax, 100, func(c *Config) *int64 { return &c.StreamNodeMaxEntries }),

		// Advanced.
		boolD("activerehashing", "", 0, true, func(c *Config) *bool { return &c.ActiveRehashing }),
		specialBufferLimit(),
		memD("client-query-buffer-limit", "", 0, 1<<20, llongMax, 1<<30, func(c *Config) *int64 { return &c.ClientQueryBufferLimit }),
		memD("proto-max-bulk-len", "", 0, 1<<20, llongMax, 512<<20, func(c *Config) *int64 { return &c.ProtoMaxBulkLen }),
		specialHz(),
		boolD("dynamic-hz", "", 0, true, func(c *Config) *bool { return &c.DynamicHz }),
		boolD("jemalloc-bg-thread", "", 0, true, func(c *Config) *bool { return &c.JemallocBgThread }),
		specialActivedefrag(),
	}
	table = append(table, moreDirectives()...)
	byName = make(map[string]*directive, 2*len(table))
	for _, d := range table {
		if d.rw == nil {
			d.rw = d.get
		}
		byName[d.name] = d
		if d.alias != "" {
			byName[d.alias] = d
		}
	}
}

func lookup(name string) *directive {
	return byName[strings.ToLower(name)]
}

// specialHz clamps hz into 1..500 after the range check, as Redis does.
func specialHz() *directive {
	d := intD("hz", "", 0, 0, intMax, 10, func(c *Config) *int { return &c.Hz })
	set := d.set
	d.set = func(c *Config, args []string) string {
		if r := set(c, args); r != "" {
			return r
		}
		c.Hz = min(max(c.Hz, 1), 500)
		return ""
	}
	return d
}

// specialActivedefrag accepts "yes" from the config file but refuses it at
// runtime: Shoal, like a Redis built without its jemalloc, cannot defrag.
func specialActivedefrag() *directive {
	d := boolD("activedefrag", "", 0, false, func(c *Config) *bool { return &c.ActiveDefrag })
	set := d.set
	d.set = func(c *Config, args []string) string {
		if r := set(c, args); r != "" {
			return r
		}
		if c.ActiveDefrag && !c.loading {
			c.ActiveDefrag = false
			return reasonDefrag
		}
		return ""
	}
	return d
}

// specialMaxmemoryClients takes a memory value or a percentage of
// maxmemory ("10%"), stored negated. Like Redis, a memory value past
// LLONG_MAX wraps negative and so reads as a percentage.
func specialMaxmemoryClients() *directive {
	render := func(c *Config, mem func(uint64) string) string {
		if v := c.MaxmemoryClients; v < 0 {
			return strconv.FormatInt(-v, 10) + "%"
		}
		return mem(uint64(c.MaxmemoryClients))
	}
	return &directive{name: "maxmemory-clients", def: "0",
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			v, ok := parseMemoryOrPercent(s)
			if !ok {
				return reasonNotMemPct
			}
			if v < -100 {
				return reasonPercent
			}
			c.MaxmemoryClients = v
			return ""
		},
		get: func(c *Config) string {
			return render(c, func(v uint64) string { return strconv.FormatUint(v, 10) })
		},
		rw: func(c *Config) string { return render(c, formatMemory) },
	}
}

func specialDir() *directive {
	d := strD("dir", "", protected|denyLoading, "./", nil, func(c *Config) *string { return &c.Dir })
	// Redis always writes the working directory on rewrite.
	d.lines = func(c *Config) []rwLine { return []rwLine{{text: "dir " + repr(c.Dir), force: true}} }
	return d
}

func specialBind() *directive {
	return &directive{name: "bind", multi: true, def: "* -::*",
		set: func(c *Config, args []string) string {
			if len(args) > 16 {
				return "Too many bind addresses specified."
			}
			// A single empty argument binds nothing (setConfigBindOption).
			if len(args) == 1 && args[0] == "" {
				args = nil
			}
			c.Bind = append([]string(nil), args...)
			return ""
		},
		get: func(c *Config) string { return strings.Join(c.Bind, " ") },
	}
}

func specialSave() *directive {
	return &directive{name: "save", multi: true, def: "3600 1 300 100 60 10000",
		set: func(c *Config, args []string) string {
			reset := len(args) == 1 && args[0] == ""
			if reset {
				args = nil
			}
			pts, ok := parseSave(args)
			if !ok {
				return reasonSave
			}
			// While loading, the first save line drops the defaults and
			// later ones add to it, unless one is save "" which empties
			// the list; at runtime a value replaces the list.
			if c.loading && c.saveLoaded && !reset {
				pts = append(append([]SavePoint(nil), c.Save...), pts...)
			}
			c.saveLoaded = c.loading
			c.Save = pts
			return ""
		},
		get: func(c *Config) string { return formatSave(c.Save) },
		// Like Redis, every save rule is written, so a rewritten file never
		// falls back to the defaults.
		lines: func(c *Config) []rwLine {
			if len(c.Save) == 0 {
				return []rwLine{{text: `save ""`, force: true}}
			}
			out := make([]rwLine, len(c.Save))
			for i, p := range c.Save {
				out[i] = rwLine{text: "save " + strconv.FormatInt(p.Seconds, 10) + " " + strconv.FormatInt(p.Changes, 10), force: true}
			}
			return out
		},
	}
}

func specialBufferLimit() *directive {
	return &directive{name: "client-output-buffer-limit", multi: true,
		def: "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		set: func(c *Config, args []string) string {
			v, r := parseBufferLimits(c.ClientOutputBufferLimit, args)
			if r != "" {
				return r
			}
			c.ClientOutputBufferLimit = v
			return ""
		},
		get: func(c *Config) string {
			parts := make([]string, 0, 4*numClientClasses)
			for i, l := range c.ClientOutputBufferLimit {
				parts = append(parts, obufGetNames[i], strconv.FormatInt(l.Hard, 10),
					strconv.FormatInt(l.Soft, 10), strconv.FormatInt(l.SoftSeconds, 10))
			}
			return strings.Join(parts, " ")
		},
		lines: func(c *Config) []rwLine {
			out := make([]rwLine, numClientClasses)
			for i, l := range c.ClientOutputBufferLimit {
				out[i] = rwLine{
					text: "client-output-buffer-limit " + obufRewriteNames[i] + " " + formatMemory(uint64(l.Hard)) +
						" " + formatMemory(uint64(l.Soft)) + " " + strconv.FormatInt(l.SoftSeconds, 10),
					force: l != defaults.ClientOutputBufferLimit[i],
				}
			}
			return out
		},
	}
}

func specialNotify() *directive {
	return &directive{name: "notify-keyspace-events", def: "",
		set: func(c *Config, args []string) string {
			s, r := single(args)
			if r != "" {
				return r
			}
			v, ok := parseNotify(s)
			if !ok {
				return reasonNotify
			}
			c.NotifyKeyspaceEvents = v
			return ""
		},
		get: func(c *Config) string { return formatNotify(c.NotifyKeyspaceEvents) },
		rw:  func(c *Config) string { return repr(formatNotify(c.NotifyKeyspaceEvents)) },
	}
}

// specialLatencyPercentiles is latency-tracking-info-percentiles: a list
// of doubles in [0,100], each parsed as strtod would, shown as "%f" with
// trailing zeros trimmed. As Redis 7.0, a single empty argument empties
// the list, and the rewrite always writes the line, "" when empty, so a
// rewritten file never falls back to the defaults.
func specialLatencyPercentiles() *directive {
	return &directive{name: "latency-tracking-info-percentiles", multi: true, def: "50 99 99.9",
		set: func(c *Config, args []string) string {
			if len(args) == 1 && args[0] == "" {
				args = nil
			}
			ps := make([]float64, len(args))
			for i, a := range args {
				v, ok := parseStrtod(a)
				if !ok {
					return "Invalid latency-tracking-info-percentiles parameters"
				}
				if v > 100 || v < 0 {
					return "latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
				}
				ps[i] = v
			}
			c.LatencyTrackingInfoPercentiles = ps
			return ""
		},
		get: func(c *Config) string {
			parts := make([]string, len(c.LatencyTrackingInfoPercentiles))
			for i, p := range c.LatencyTrackingInfoPercentiles {
				parts[i] = string(AppendTrimmedFloat(nil, p))
			}
			return strings.Join(parts, " ")
		},
		lines: func(c *Config) []rwLine {
			text := "latency-tracking-info-percentiles "
			if len(c.LatencyTrackingInfoPercentiles) == 0 {
				text += `""`
			} else {
				for i, p := range c.LatencyTrackingInfoPercentiles {
					if i > 0 {
						text += " "
					}
					text += string(AppendTrimmedFloat(nil, p))
				}
			}
			return []rwLine{{text: text, force: true}}
		},
	}
}

// AppendTrimmedFloat appends f as C's "%f" with trailing zeros, then a
// trailing point, removed (trimDoubleString): 99.9 is "99.9", 50 is "50",
// 1e-7 is "0". INFO latencystats names its percentiles this way.
func AppendTrimmedFloat(dst []byte, f float64) []byte {
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', 6, 64)
	if !strings.Contains(string(dst[start:]), ".") {
		return dst
	}
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	return dst
}

// parseStrtod reads s as Redis's string2d: C strtod over the whole string,
// so "1e1", ".5", "+5", "inf" and hex such as "0x10" are accepted, while an
// empty string, a leading space, "nan", overflow and underflow to zero are
// refused.
func parseStrtod(s string) (float64, bool) {
	if s == "" || strings.ContainsAny(s, " \t\n\v\f\r_") {
		return 0, false
	}
	body := strings.TrimLeft(s, "+-")
	if len(s)-len(body) > 1 {
		return 0, false
	}
	lower := strings.ToLower(body)
	mant := lower
	if strings.HasPrefix(lower, "0x") {
		if i := strings.IndexByte(lower, 'p'); i >= 0 {
			mant = lower[2:i]
		} else {
			// strtod takes a hex mantissa without a binary exponent.
			mant = lower[2:]
			s += "p0"
		}
	} else if i := strings.IndexByte(lower, 'e'); i >= 0 {
		mant = lower[:i]
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) {
		return 0, false
	}
	if v == 0 && strings.Trim(mant, "0.x") != "" {
		return 0, false // underflow: ERANGE with a zero result
	}
	return v, true
}

// specialReplicaof takes "host port" or "no one"; CONFIG SET refuses it
// (REPLICAOF is the runtime command), as Redis 7.0 does.
func specialReplicaof() *directive {
	return &directive{name: "replicaof", alias: "slaveof", flags: immutable, multi: true, def: "",
		set: func(c *Config, args []string) string {
			if len(args) == 1 && args[0] == "" {
				c.MasterHost, c.MasterPort = "", 0
				return ""
			}
			if len(args) != 2 {
				return reasonArgs
			}
			if strings.EqualFold(args[0], "no") && strings.EqualFold(args[1], "one") {
				c.MasterHost, c.MasterPort = "", 0
				return ""
			}
			port, ok := masterPort(args[1])
			if !ok {
				return "Invalid master port"
			}
			c.MasterHost, c.MasterPort = args[0], port
			return ""
		},
		get: func(c *Config) string {
			if c.MasterHost == "" {
				return ""
			}
			return c.MasterHost + " " + strconv.Itoa(c.MasterPort)
		},
		lines: func(c *Config) []rwLine {
			if c.MasterHost == "" {
				return nil
			}
			return []rwLine{{text: "replicaof " + c.MasterHost + " " + strconv.Itoa(c.MasterPort), force: true}}
		},
	}
}

// masterPort reads the replicaof port as Redis's setConfigReplicaOfOption:
// strtol must consume the whole argument (leading blanks and a sign
// allowed; an empty one reads 0) and give 0..65535.
func masterPort(s string) (int, bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	neg := false
	if len(t) > 0 && (t[0] == '-' || t[0] == '+') {
		neg = t[0] == '-'
		t = t[1:]
	}
	digits := 0
	n := 0
	for digits < len(t) && t[digits] >= '0' && t[digits] <= '9' {
		if n <= 65535 {
			n = n*10 + int(t[digits]-'0')
		}
		digits++
	}
	switch {
	case digits == 0:
		// No conversion: strtol points back at the start.
		return 0, s == ""
	case digits != len(t):
		return 0, false
	case neg && n != 0, n > 65535:
		return 0, false
	}
	return n, true
}

func formatSave(pts []SavePoint) string {
	parts := make([]string, 0, 2*len(pts))
	for _, p := range pts {
		parts = append(parts, strconv.FormatInt(p.Seconds, 10), strconv.FormatInt(p.Changes, 10))
	}
	return strings.Join(parts, " ")
}

func init() {
	defaults = Default()
}
