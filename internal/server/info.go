package server

import (
	"fmt"
	"os"
	"runtime"
	"runtime/metrics"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/glob"
)

func init() {
	handle("info", infoCommand)
}

// infoSections are INFO's sections in Redis's order; the flag says whether
// a bare INFO (or "default") includes it.
var infoSections = []struct {
	name    string
	dflt    bool
	writeFn func(s *Server, b *strings.Builder)
}{
	{"server", true, (*Server).infoServer},
	{"clients", true, (*Server).infoClients},
	{"memory", true, (*Server).infoMemory},
	{"persistence", true, (*Server).infoPersistence},
	{"stats", true, (*Server).infoStats},
	{"replication", true, (*Server).infoReplication},
	{"cpu", true, (*Server).infoCPU},
	{"modules", true, func(*Server, *strings.Builder) {}},
	{"commandstats", false, (*Server).infoCommandstats},
	{"errorstats", true, (*Server).infoErrorstats},
	{"latencystats", false, (*Server).infoLatencystats},
	{"cluster", true, (*Server).infoCluster},
	{"keyspace", true, (*Server).infoKeyspace},
}

var infoTitles = map[string]string{
	"server": "Server", "clients": "Clients", "memory": "Memory", "persistence": "Persistence",
	"stats": "Stats", "replication": "Replication", "cpu": "CPU", "modules": "Modules",
	"commandstats": "Commandstats", "errorstats": "Errorstats", "latencystats": "Latencystats", "cluster": "Cluster", "keyspace": "Keyspace",
}

func infoCommand(s *Server, c *conn) {
	want := map[string]bool{}
	all, everything := false, false
	if len(c.Argv) == 1 {
		want["default"] = true
	}
	for _, a := range c.Argv[1:] {
		name := strings.ToLower(string(a))
		switch name {
		case "all":
			all = true
		case "everything":
			everything = true
		default:
			want[name] = true
		}
	}
	var b strings.Builder
	for _, sec := range infoSections {
		include := everything || want[sec.name] || (want["default"] && sec.dflt) || (all && sec.name != "modules")
		if !include {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString("# " + infoTitles[sec.name] + "\r\n")
		sec.writeFn(s, &b)
	}
	c.Verbatim([]byte(b.String()), "txt")
}

func field(b *strings.Builder, name string, v any) {
	fmt.Fprintf(b, "%s:%v\r\n", name, v)
}

var osRelease = func() string {
	var u syscall.Utsname
	if syscall.Uname(&u) != nil {
		return runtime.GOOS
	}
	str := func(a [65]int8) string {
		var sb strings.Builder
		for _, ch := range a {
			if ch == 0 {
				break
			}
			sb.WriteByte(byte(ch))
		}
		return sb.String()
	}
	return str(u.Sysname) + " " + str(u.Release) + " " + str(u.Machine)
}()

func (s *Server) infoServer(b *strings.Builder) {
	now := time.Now()
	up := now.Sub(s.started)
	mode := "standalone"
	if s.cfg.ClusterEnabled {
		mode = "cluster"
	}
	exe, _ := os.Executable()
	field(b, "redis_version", redisVersion)
	field(b, "redis_git_sha1", "00000000")
	field(b, "redis_git_dirty", 0)
	field(b, "redis_build_id", "0")
	field(b, "redis_mode", mode)
	field(b, "os", osRelease)
	field(b, "arch_bits", 64)
	field(b, "monotonic_clock", "POSIX clock_gettime")
	field(b, "multiplexing_api", "epoll")
	field(b, "atomicvar_api", "c11-builtin")
	field(b, "gcc_version", "0.0.0")
	field(b, "go_version", runtime.Version())
	field(b, "shoal_version", Version)
	field(b, "process_id", pid)
	field(b, "process_supervised", supervisedName(s.supervised))
	field(b, "run_id", s.runID)
	field(b, "tcp_port", s.cfg.Port)
	field(b, "server_time_usec", now.UnixMicro())
	field(b, "uptime_in_seconds", int64(up.Seconds()))
	field(b, "uptime_in_days", int64(up.Hours()/24))
	field(b, "hz", s.cron.hz)
	field(b, "configured_hz", s.cfg.Hz)
	field(b, "lru_clock", s.cron.clock)
	field(b, "executable", exe)
	field(b, "config_file", s.cfg.Path())
	active := 0
	if len(s.loops) > 1 {
		active = 1
	}
	field(b, "io_threads_active", active)
	if ms := s.shutdownInMs(); ms >= 0 {
		field(b, "shutdown_in_milliseconds", ms)
	}
}

// Version is Shoal's own version, reported in INFO beside redis_version.
const Version = "0.1.0"

func (s *Server) infoClients(b *strings.Builder) {
	pubsub := 0
	for _, c := range s.clients {
		if c.Flags&command.ClientPubSub != 0 {
			pubsub++
		}
	}
	// Replicas are not clients here (connected_slaves counts them).
	field(b, "connected_clients", len(s.clients)-len(s.repl.replicas))
	field(b, "cluster_connections", s.clusterConnections())
	field(b, "maxclients", s.cfg.MaxClients)
	field(b, "client_recent_max_input_buffer", 0)
	field(b, "client_recent_max_output_buffer", 0)
	field(b, "blocked_clients", len(s.blocked.clients)+s.postponedClients())
	field(b, "tracking_clients", s.tracking.clients)
	field(b, "clients_in_timeout_table", s.clientsWithTimeout())
}

func humanBytes(n uint64) string {
	switch {
	case n < 1024:
		return strconv.FormatUint(n, 10) + "B"
	case n < 1024*1024:
		return fmt.Sprintf("%.2fK", float64(n)/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%.2fM", float64(n)/(1024*1024))
	case n < 1024*1024*1024*1024:
		return fmt.Sprintf("%.2fG", float64(n)/(1024*1024*1024))
	}
	return fmt.Sprintf("%.2fT", float64(n)/(1024*1024*1024*1024))
}

// rssBytes reads the resident set size from /proc.
func rssBytes() uint64 {
	data, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(data))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

func totalSystemMemory() uint64 {
	var si syscall.Sysinfo_t
	if syscall.Sysinfo(&si) != nil {
		return 0
	}
	return uint64(si.Totalram) * uint64(si.Unit)
}

var policyNames = map[int]string{
	config.PolicyVolatileLRU: "volatile-lru", config.PolicyVolatileLFU: "volatile-lfu",
	config.PolicyVolatileRandom: "volatile-random", config.PolicyVolatileTTL: "volatile-ttl",
	config.PolicyAllkeysLRU: "allkeys-lru", config.PolicyAllkeysLFU: "allkeys-lfu",
	config.PolicyAllkeysRandom: "allkeys-random", config.PolicyNoEviction: "noeviction",
}

func (s *Server) infoMemory(b *strings.Builder) {
	// The same figure eviction compares with maxmemory, as Redis's
	// used_memory.
	used := s.usedMemory()
	if used > s.mem.peak {
		s.mem.peak = used
	}
	dataset := uint64(s.ks.DataBytes())
	overhead := used - min(dataset, used)
	rss := rssBytes()
	field(b, "used_memory", used)
	field(b, "used_memory_human", humanBytes(used))
	field(b, "used_memory_rss", rss)
	field(b, "used_memory_rss_human", humanBytes(rss))
	field(b, "used_memory_peak", s.mem.peak)
	field(b, "used_memory_peak_human", humanBytes(s.mem.peak))
	field(b, "used_memory_peak_perc", fmt.Sprintf("%.2f%%", float64(used)*100/float64(max(s.mem.peak, 1))))
	field(b, "used_memory_overhead", overhead)
	field(b, "used_memory_startup", s.mem.startup)
	field(b, "used_memory_dataset", dataset)
	field(b, "used_memory_dataset_perc", fmt.Sprintf("%.2f%%", float64(dataset)*100/float64(max(used, 1))))
	field(b, "allocator_allocated", used)
	field(b, "allocator_active", used)
	field(b, "allocator_resident", rss)
	total := totalSystemMemory()
	field(b, "total_system_memory", total)
	field(b, "total_system_memory_human", humanBytes(total))
	s.infoScriptMemory(b)
	field(b, "maxmemory", s.cfg.MaxMemory)
	field(b, "maxmemory_human", humanBytes(s.cfg.MaxMemory))
	field(b, "maxmemory_policy", policyNames[s.cfg.MaxmemoryPolicy])
	frag := float64(rss) / float64(max(used, 1))
	field(b, "mem_fragmentation_ratio", fmt.Sprintf("%.2f", frag))
	field(b, "mem_fragmentation_bytes", int64(rss)-int64(used))
	field(b, "mem_not_counted_for_evict", s.notCountedForEvict())
	field(b, "mem_replication_backlog", s.backlogMemory())
	field(b, "mem_total_replication_buffers", s.replBufferMemory())
	field(b, "mem_clients_slaves", s.replicaBuffers())
	field(b, "mem_clients_normal", max(s.cevict.total.Load(), 0))
	field(b, "mem_aof_buffer", cap(s.aof.buf))
	field(b, "mem_allocator", "go-"+runtime.Version())
	field(b, "active_defrag_running", 0)
	field(b, "lazyfree_pending_objects", 0)
	field(b, "lazyfreed_objects", s.core.LazyFreed)
}

func (s *Server) infoPersistence(b *strings.Builder) {
	job := s.rdb.job
	jobOf := func(k jobKind) bool { return job != nil && job.kind == k }
	since := func(k jobKind) int64 {
		if jobOf(k) {
			return int64(time.Since(job.start).Seconds())
		}
		return -1
	}
	status := func(ok bool) string {
		if ok {
			return "ok"
		}
		return "err"
	}
	var processed, total int64
	if job != nil {
		processed = job.snap.Keys()
		total = int64(s.ks.Size())
	}
	field(b, "loading", boolInt(s.load.active.Load()))
	field(b, "async_loading", boolInt(s.load.async.Load()))
	field(b, "current_cow_peak", 0)
	field(b, "current_cow_size", 0)
	field(b, "current_cow_size_age", 0)
	field(b, "current_fork_perc", "0.00")
	field(b, "current_save_keys_processed", processed)
	field(b, "current_save_keys_total", total)
	field(b, "rdb_changes_since_last_save", s.core.Dirty)
	field(b, "rdb_bgsave_in_progress", boolInt(jobOf(jobRDB)))
	field(b, "rdb_last_save_time", s.lastSave)
	field(b, "rdb_last_bgsave_status", status(s.rdb.lastBgsaveOK))
	field(b, "rdb_last_bgsave_time_sec", s.rdb.lastBgsaveSecs)
	field(b, "rdb_current_bgsave_time_sec", since(jobRDB))
	field(b, "rdb_saves", s.rdb.saves)
	field(b, "rdb_last_cow_size", 0)
	field(b, "rdb_last_load_keys_expired", s.rdb.loadedExpired)
	field(b, "rdb_last_load_keys_loaded", s.rdb.loadedKeys)
	a := &s.aof
	field(b, "aof_enabled", boolInt(a.state != aofOff))
	field(b, "aof_rewrite_in_progress", boolInt(jobOf(jobAOF)))
	field(b, "aof_rewrite_scheduled", boolInt(a.rewriteScheduled))
	field(b, "aof_last_rewrite_time_sec", a.lastRewriteSecs)
	field(b, "aof_current_rewrite_time_sec", since(jobAOF))
	field(b, "aof_last_bgrewrite_status", status(a.lastRewriteOK))
	field(b, "aof_rewrites", a.rewrites)
	field(b, "aof_rewrites_consecutive_failures", a.failures)
	field(b, "aof_last_write_status", status(a.writeErr == nil && a.bioErr.Load() == nil))
	field(b, "aof_last_cow_size", 0)
	field(b, "module_fork_in_progress", 0)
	field(b, "module_fork_last_cow_size", 0)
	if a.state != aofOff {
		field(b, "aof_current_size", a.curSize)
		field(b, "aof_base_size", a.baseSize)
		field(b, "aof_pending_rewrite", boolInt(a.rewriteScheduled))
		field(b, "aof_buffer_length", len(a.buf))
		field(b, "aof_pending_bio_fsync", a.bioPending.Load())
		field(b, "aof_delayed_fsync", a.delayedFsync)
	}
	if s.load.active.Load() || s.load.async.Load() {
		s.loadingInfo(b)
	}
}

func boolInt(v bool) int {
	if v {
		return 1
	}
	return 0
}

func (s *Server) infoStats(b *strings.Builder) {
	st := &s.stats
	field(b, "total_connections_received", st.totalConns)
	field(b, "total_commands_processed", st.totalCommands)
	field(b, "instantaneous_ops_per_sec", s.cron.opsPerSec)
	field(b, "total_net_input_bytes", st.netInput)
	field(b, "total_net_output_bytes", st.netOutput.Load())
	field(b, "total_net_repl_input_bytes", 0)
	field(b, "total_net_repl_output_bytes", 0)
	field(b, "instantaneous_input_kbps", "0.00")
	field(b, "instantaneous_output_kbps", "0.00")
	field(b, "instantaneous_input_repl_kbps", "0.00")
	field(b, "instantaneous_output_repl_kbps", "0.00")
	field(b, "rejected_connections", st.rejectedConns)
	field(b, "sync_full", s.repl.syncFull)
	field(b, "sync_partial_ok", s.repl.syncPartialOK)
	field(b, "sync_partial_err", s.repl.syncPartialErr)
	field(b, "expired_keys", st.expiredKeys)
	field(b, "expired_stale_perc", fmt.Sprintf("%.2f", s.cron.expire.StalePerc*100))
	field(b, "expired_time_cap_reached_count", s.cron.expire.TimeCapReached)
	field(b, "expire_cycle_cpu_milliseconds", 0)
	field(b, "evicted_keys", st.evictedKeys)
	field(b, "evicted_clients", s.cevict.evicted)
	field(b, "total_eviction_exceeded_time", 0)
	field(b, "current_eviction_exceeded_time", 0)
	field(b, "keyspace_hits", s.ks.Hits)
	field(b, "keyspace_misses", s.ks.Misses)
	field(b, "pubsub_channels", len(s.pubsub.channels))
	field(b, "pubsub_patterns", len(s.pubsub.patterns))
	field(b, "pubsubshard_channels", len(s.pubsub.shard))
	field(b, "latest_fork_usec", 0)
	// Shoal takes its snapshots without fork: total_forks counts the
	// background jobs (BGSAVE, AOF rewrite) started, where Redis forks.
	field(b, "total_forks", s.rdb.jobs-st.jobsAtReset)
	field(b, "migrate_cached_sockets", len(s.migrate.socks))
	field(b, "slave_expires_tracked_keys", len(s.repl.replicaExpires))
	field(b, "active_defrag_hits", 0)
	field(b, "active_defrag_misses", 0)
	field(b, "active_defrag_key_hits", 0)
	field(b, "active_defrag_key_misses", 0)
	field(b, "total_active_defrag_time", 0)
	field(b, "current_active_defrag_time", 0)
	trackedKeys, trackedItems, trackedPrefixes := s.trackingInfo()
	field(b, "tracking_total_keys", trackedKeys)
	field(b, "tracking_total_items", trackedItems)
	field(b, "tracking_total_prefixes", trackedPrefixes)
	field(b, "unexpected_error_replies", 0)
	field(b, "total_error_replies", s.core.TotalErrors)
	field(b, "dump_payload_sanitizations", 0)
	field(b, "total_reads_processed", 0)
	field(b, "total_writes_processed", 0)
	field(b, "io_threaded_reads_processed", 0)
	field(b, "io_threaded_writes_processed", 0)
}

func (s *Server) infoCPU(b *strings.Builder) {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	tv := func(t syscall.Timeval) string {
		return fmt.Sprintf("%d.%06d", t.Sec, t.Usec)
	}
	field(b, "used_cpu_sys", tv(ru.Stime))
	field(b, "used_cpu_user", tv(ru.Utime))
	field(b, "used_cpu_sys_children", "0.000000")
	field(b, "used_cpu_user_children", "0.000000")
}

func (s *Server) infoCommandstats(b *strings.Builder) {
	var walk func(cmd *command.Command)
	walk = func(cmd *command.Command) {
		if cmd.Calls > 0 || cmd.RejectedCalls > 0 || cmd.FailedCalls > 0 {
			perCall := 0.0
			if cmd.Calls > 0 {
				perCall = float64(cmd.Usec) / float64(cmd.Calls)
			}
			fmt.Fprintf(b, "cmdstat_%s:calls=%d,usec=%d,usec_per_call=%.2f,rejected_calls=%d,failed_calls=%d\r\n",
				cmd.Name, cmd.Calls, cmd.Usec, perCall, cmd.RejectedCalls, cmd.FailedCalls)
		}
		names := make([]string, 0, len(cmd.Sub))
		for n := range cmd.Sub {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			walk(cmd.Sub[n])
		}
	}
	for _, cmd := range command.All() {
		walk(cmd)
	}
}

func (s *Server) infoErrorstats(b *strings.Builder) {
	names := make([]string, 0, len(s.core.ErrorStats))
	for n := range s.core.ErrorStats {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(b, "errorstat_%s:count=%d\r\n", n, s.core.ErrorStats[n])
	}
}

func (s *Server) infoCluster(b *strings.Builder) {
	enabled := 0
	if s.cfg.ClusterEnabled {
		enabled = 1
	}
	field(b, "cluster_enabled", enabled)
}

func (s *Server) infoKeyspace(b *strings.Builder) {
	for _, db := range s.ks.DBs {
		if db.Len() == 0 {
			continue
		}
		fmt.Fprintf(b, "db%d:keys=%d,expires=%d,avg_ttl=%d\r\n", db.ID, db.Len(), db.ExpiresLen(), db.AvgTTL)
	}
}

// memState tracks memory figures for INFO and maxmemory.
type memState struct {
	peak uint64
	// startup is used_memory_startup: the Go heap found live once the
	// server was initialised (tables, command table, histograms), the
	// fixed part of used_memory.
	startup uint64
}

// usedMemory is used_memory, Shoal's counterpart of zmalloc's count: the
// fixed startup figure, the dataset as the keyspace counts it on every
// write (keyspace/memory.go), the clients' buffers and state as client
// eviction counts them, the AOF and replication buffers and the records a
// background snapshot holds (what mem_not_counted_for_evict takes out). Unlike the Go
// heap, it drops the moment a key or a buffer is released, not at the next
// collection, so INFO and maxmemory see what the data holds. Called with
// s.mu held, between commands.
func (s *Server) usedMemory() uint64 {
	s.ks.Settle()
	n := int64(s.mem.startup) + s.ks.DataBytes() + max(s.cevict.total.Load(), 0) +
		int64(cap(s.aof.buf)) + s.replicaBuffers() + int64(s.backlogMemory())
	if j := s.rdb.job; j != nil {
		n += int64(j.snap.Buffered())
	}
	return uint64(max(n, 0))
}

// startupHeap is the live Go heap after a collection, measured once the
// server is initialised (used_memory_startup).
func startupHeap() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

func globMatchFold(pattern, s string) bool { return glob.MatchString(pattern, s, true) }
