package server

import (
	"runtime/debug"
	"strconv"
	"strings"

	"shoal/internal/keyspace"
	"shoal/internal/rerr"
)

func init() {
	handle("memory|usage", memoryUsageCommand)
	handle("memory|stats", memoryStatsCommand)
	handle("memory|doctor", memoryDoctorCommand)
	handle("memory|purge", memoryPurgeCommand)
	handle("memory|malloc-stats", func(s *Server, c *conn) {
		c.Verbatim([]byte("Stats not supported for the current allocator"), "txt")
	})
	handle("memory|help", memoryHelpCommand)
}

// memoryUsageCommand is MEMORY USAGE key [SAMPLES count]: the estimated
// bytes of the key and its value (every element is counted, so SAMPLES is
// validated but needs no sampling).
func memoryUsageCommand(s *Server, c *conn) {
	for i := 3; i < len(c.Argv); i++ {
		if strings.EqualFold(string(c.Argv[i]), "samples") && i+1 < len(c.Argv) {
			if _, err := strconv.ParseInt(string(c.Argv[i+1]), 10, 64); err != nil {
				c.Error(rerr.NotInteger)
				return
			}
			i++
			continue
		}
		c.Error(rerr.Syntax)
		return
	}
	e := c.DB.LookupNoTouch(c.Argv[2])
	if e == nil {
		c.Null()
		return
	}
	c.Int(keyspace.EntryBytes(e))
}

func memoryStatsCommand(s *Server, c *conn) {
	used := s.usedMemory()
	if used > s.mem.peak {
		s.mem.peak = used
	}
	keys := 0
	for _, db := range s.ks.DBs {
		keys += db.Len()
	}
	dataset := s.ks.DataBytes()
	rss := rssBytes()
	type kv struct {
		k string
		v any
	}
	fields := []kv{
		{"peak.allocated", int64(s.mem.peak)},
		{"total.allocated", int64(used)},
		{"startup.allocated", int64(s.mem.startup)},
		{"replication.backlog", int64(s.backlogMemory())},
		{"clients.slaves", s.replicaBuffers()},
		{"clients.normal", max(s.cevict.total.Load(), 0)},
		{"cluster.links", int64(0)},
		{"aof.buffer", int64(cap(s.aof.buf))},
		{"lua.caches", int64(0)},
		{"functions.caches", int64(0)},
	}
	c.Map(len(fields) + 14)
	for _, f := range fields {
		c.BulkString(f.k)
		c.Int(f.v.(int64))
	}
	// One entry per non-empty database, as Redis: "db.N" -> overheads.
	c.BulkString("overhead.total")
	c.Int(int64(used) - dataset)
	c.BulkString("keys.count")
	c.Int(int64(keys))
	c.BulkString("keys.bytes-per-key")
	if keys > 0 {
		c.Int(dataset / int64(keys))
	} else {
		c.Int(0)
	}
	c.BulkString("dataset.bytes")
	c.Int(dataset)
	c.BulkString("dataset.percentage")
	c.Double(float64(dataset) * 100 / float64(max(used, 1)))
	c.BulkString("peak.percentage")
	c.Double(float64(used) * 100 / float64(max(s.mem.peak, 1)))
	c.BulkString("allocator.allocated")
	c.Int(int64(used))
	c.BulkString("allocator.active")
	c.Int(int64(used))
	c.BulkString("allocator.resident")
	c.Int(int64(rss))
	c.BulkString("allocator-fragmentation.ratio")
	c.Double(1)
	c.BulkString("allocator-fragmentation.bytes")
	c.Int(0)
	c.BulkString("rss-overhead.ratio")
	c.Double(float64(rss) / float64(max(used, 1)))
	c.BulkString("fragmentation")
	c.Double(float64(rss) / float64(max(used, 1)))
	c.BulkString("fragmentation.bytes")
	c.Int(int64(rss) - int64(used))
}

func memoryDoctorCommand(s *Server, c *conn) {
	used := s.usedMemory()
	msg := "Hi Sam, I can't find any memory issue in your instance. I can only account for what occurs on this base."
	if used < 5<<20 {
		msg = "Hi Sam, this instance is empty or is using very little memory, my issues detector can't be used in these conditions. Please, leave for your mission on Earth and fill it with some data. The new Sam and I will be back to our programming as soon as I finished rebooting."
	}
	c.Verbatim([]byte(msg), "txt")
}

// memoryPurgeCommand returns free memory to the OS, as jemalloc's purge.
func memoryPurgeCommand(s *Server, c *conn) {
	debug.FreeOSMemory()
	c.Simple("OK")
}

func memoryHelpCommand(s *Server, c *conn) {
	replyHelp(c, "MEMORY", []string{
		"DOCTOR",
		"    Return memory problems reports.",
		"MALLOC-STATS",
		"    Return internal statistics report from the memory allocator.",
		"PURGE",
		"    Attempt to purge dirty pages for reclamation by the allocator.",
		"STATS",
		"    Return information about the memory usage of the server.",
		"USAGE <key> [SAMPLES <count>]",
		"    Return memory in bytes used by <key> and its value. Nested values are",
		"    sampled up to <count> times (default: 5, 0 means sample all).",
	})
}
