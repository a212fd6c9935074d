package server

import (
	"bufio"
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/rerr"
)

// The latency monitor (latency.c): named events whose duration in ms
// reached latency-monitor-threshold are kept as a short per-second history
// that LATENCY LATEST, HISTORY, GRAPH and DOCTOR report. With the threshold
// at 0 (the default) every hook costs one comparison and reads no clock.

func init() {
	handle("latency|latest", latencyLatestCommand)
	handle("latency|history", latencyHistoryCommand)
	handle("latency|reset", latencyResetCommand)
	handle("latency|graph", latencyGraphCommand)
	handle("latency|doctor", latencyDoctorCommand)
	handle("latency|help", latencyHelpCommand)
}

// latencyTSLen is the number of samples kept per event (LATENCY_TS_LEN).
const latencyTSLen = 160

// latencySample is the worst latency of one second.
type latencySample struct {
	time    int64  // unix seconds; 0 marks an unused slot
	latency uint32 // ms
}

// latencySeries is one event's ring of samples. idx is the slot the next
// new second goes to, so the ring read from idx is oldest first.
type latencySeries struct {
	event   string
	samples [latencyTSLen]latencySample
	idx     int
	max     uint32
}

// latencyState holds the events seen so far, in the order they first
// occurred (Redis keeps them in a dict; any order is allowed, a fixed one
// keeps replies reproducible).
type latencyState struct {
	events []*latencySeries
}

// add records latency ms for event at unix second now
// (latencyAddSample): a second sample within the same second only raises
// that second's value.
func (l *latencyState) add(event string, ms uint32, now int64) {
	ts := l.find(event)
	if ts == nil {
		ts = &latencySeries{event: event}
		l.events = append(l.events, ts)
	}
	if ms > ts.max {
		ts.max = ms
	}
	prev := &ts.samples[(ts.idx+latencyTSLen-1)%latencyTSLen]
	if prev.time == now {
		if ms > prev.latency {
			prev.latency = ms
		}
		return
	}
	ts.samples[ts.idx] = latencySample{time: now, latency: ms}
	ts.idx = (ts.idx + 1) % latencyTSLen
}

// find returns the series named exactly event, or nil.
func (l *latencyState) find(event string) *latencySeries {
	for _, ts := range l.events {
		if ts.event == event {
			return ts
		}
	}
	return nil
}

// reset drops the events matching event case-insensitively, or all of
// them when all is set, and returns how many were dropped
// (latencyResetEvent).
func (l *latencyState) reset(event string, all bool) int {
	kept := l.events[:0]
	n := 0
	for _, ts := range l.events {
		if all || strings.EqualFold(ts.event, event) {
			n++
			continue
		}
		kept = append(kept, ts)
	}
	clear(l.events[len(kept):])
	l.events = kept
	return n
}

// each calls fn for the used samples of ts, oldest first.
func (ts *latencySeries) each(fn func(latencySample)) {
	for j := 0; j < latencyTSLen; j++ {
		if s := ts.samples[(ts.idx+j)%latencyTSLen]; s.time != 0 {
			fn(s)
		}
	}
}

// latencyAfterCall is call()'s hook: the command's run time (excluding
// any wait while blocked, which is not part of it) as a "command" event,
// or "fast-command" for commands flagged fast.
func (s *Server) latencyAfterCall(cmd *command.Command, durNs int64) {
	if s.cfg.LatencyMonitorThreshold > 0 {
		s.latencyAfterCallSlow(cmd, durNs)
	}
}

func (s *Server) latencyAfterCallSlow(cmd *command.Command, durNs int64) {
	event := "command"
	if cmd.Has(command.FlagFast) {
		event = "fast-command"
	}
	s.latencyAddIfNeeded(event, durNs/int64(time.Millisecond))
}

// latencyAddIfNeeded records ms for event when the monitor is on and ms
// reaches the threshold (latencyAddSampleIfNeeded).
func (s *Server) latencyAddIfNeeded(event string, ms int64) {
	th := s.cfg.LatencyMonitorThreshold
	if th <= 0 || ms < th {
		return
	}
	if ms > 1<<32-1 {
		ms = 1<<32 - 1
	}
	s.latency.add(event, uint32(ms), time.Now().Unix())
}

// latencyStart is latencyStartMonitor: the monotonic time now, or 0 when
// the monitor is off so that latencyEnd does nothing.
func (s *Server) latencyStart() int64 {
	if s.cfg.LatencyMonitorThreshold > 0 {
		return nanotime()
	}
	return 0
}

// latencyEnd records the time since start (from latencyStart) as event.
func (s *Server) latencyEnd(event string, start int64) {
	if start != 0 {
		s.latencyAddIfNeeded(event, (nanotime()-start)/int64(time.Millisecond))
	}
}

// latencyTimed runs fn and records its duration as event.
func (s *Server) latencyTimed(event string, fn func()) {
	start := s.latencyStart()
	fn()
	s.latencyEnd(event, start)
}

// aofWriteTimed writes the AOF buffer b to f, recording the write as
// "aof-write" and, by what else loads the disk, as
// "aof-write-pending-fsync" (a background fsync is queued),
// "aof-write-active-child" (a background save or rewrite runs) or
// "aof-write-alone" (flushAppendOnlyFile).
func (s *Server) aofWriteTimed(f *os.File, b []byte) (int, error) {
	start := s.latencyStart()
	n, err := f.Write(b)
	if start == 0 {
		return n, err
	}
	ms := (nanotime() - start) / int64(time.Millisecond)
	switch {
	case s.aof.bioPending.Load() > 0:
		s.latencyAddIfNeeded("aof-write-pending-fsync", ms)
	case s.rdb.job != nil:
		s.latencyAddIfNeeded("aof-write-active-child", ms)
	default:
		s.latencyAddIfNeeded("aof-write-alone", ms)
	}
	s.latencyAddIfNeeded("aof-write", ms)
	return n, err
}

// aofFsyncAlwaysTimed is the appendfsync always fsync, recorded as
// "aof-fsync-always".
func (s *Server) aofFsyncAlwaysTimed(f *os.File) error {
	start := s.latencyStart()
	err := fdatasync(f)
	s.latencyEnd("aof-fsync-always", start)
	return err
}

func latencyLatestCommand(s *Server, c *conn) {
	c.Array(len(s.latency.events))
	for _, ts := range s.latency.events {
		last := ts.samples[(ts.idx+latencyTSLen-1)%latencyTSLen]
		c.Array(4)
		c.BulkString(ts.event)
		c.Int(last.time)
		c.Int(int64(last.latency))
		c.Int(int64(ts.max))
	}
}

func latencyHistoryCommand(s *Server, c *conn) {
	ts := s.latency.find(string(c.Argv[2]))
	if ts == nil {
		c.Array(0)
		return
	}
	n := 0
	ts.each(func(latencySample) { n++ })
	c.Array(n)
	ts.each(func(e latencySample) {
		c.Array(2)
		c.Int(e.time)
		c.Int(int64(e.latency))
	})
}

func latencyResetCommand(s *Server, c *conn) {
	if len(c.Argv) == 2 {
		c.Int(int64(s.latency.reset("", true)))
		return
	}
	n := 0
	for _, a := range c.Argv[2:] {
		n += s.latency.reset(string(a), false)
	}
	c.Int(int64(n))
}

func latencyGraphCommand(s *Server, c *conn) {
	ts := s.latency.find(string(c.Argv[2]))
	if ts == nil {
		c.Error(rerr.Line("ERR No samples available for event '" + string(c.Argv[2]) + "'"))
		return
	}
	c.Verbatim(latencyGraph(nil, ts, time.Now().Unix()), "txt")
}

func latencyDoctorCommand(s *Server, c *conn) {
	env := doctorEnv{
		threshold:   s.cfg.LatencyMonitorThreshold,
		slowlogUs:   s.cfg.SlowlogLogSlowerThan,
		fsyncAlways: s.cfg.AppendFsync == config.FsyncAlways,
		hz:          s.cfg.Hz,
		thp:         anonHugePages() > 0,
	}
	c.Verbatim(latencyReport(nil, &s.latency, env, time.Now().Unix()), "txt")
}

func latencyHelpCommand(s *Server, c *conn) {
	// Redis 7.0's text, HISTOGRAM included (latency-tracking).
	replyHelp(c, "LATENCY", []string{
		"DOCTOR",
		"    Return a human readable latency analysis report.",
		"GRAPH <event>",
		"    Return an ASCII latency graph for the <event> class.",
		"HISTORY <event>",
		"    Return time-latency samples for the <event> class.",
		"LATEST",
		"    Return the latest latency samples for all events.",
		"RESET [<event> ...]",
		"    Reset latency data of one or more <event> classes.",
		"    (default: reset all data for all event classes)",
		"HISTOGRAM [COMMAND ...]",
		"    Return a cumulative distribution of latencies in the format of a histogram for the specified command names.",
		"    If no commands are specified then all histograms are replied.",
	})
}

// latencyGraphCols is the width of a LATENCY GRAPH (LATENCY_GRAPH_COLS).
const latencyGraphCols = 80

// latencyGraph appends LATENCY GRAPH's text for ts to dst: a header line,
// a rule, then a four-row sparkline of the samples, oldest first, each
// labelled with how long ago it was taken.
func latencyGraph(dst []byte, ts *latencySeries, now int64) []byte {
	var values []float64
	var labels []string
	var lo, hi uint32
	ts.each(func(e latencySample) {
		if len(values) == 0 || e.latency < lo {
			lo = e.latency
		}
		if len(values) == 0 || e.latency > hi {
			hi = e.latency
		}
		values = append(values, float64(e.latency))
		labels = append(labels, agoLabel(now-e.time))
	})
	dst = append(dst, ts.event...)
	dst = append(dst, " - high "...)
	dst = strconv.AppendUint(dst, uint64(hi), 10)
	dst = append(dst, " ms, low "...)
	dst = strconv.AppendUint(dst, uint64(lo), 10)
	dst = append(dst, " ms (all time high "...)
	dst = strconv.AppendUint(dst, uint64(ts.max), 10)
	dst = append(dst, " ms)\n"...)
	dst = append(dst, strings.Repeat("-", latencyGraphCols)...)
	dst = append(dst, '\n')
	return sparkline(dst, values, labels, latencyGraphCols, 4)
}

// agoLabel is a graph label: seconds, minutes, hours or days ago.
func agoLabel(elapsed int64) string {
	switch {
	case elapsed < 60:
		return strconv.FormatInt(elapsed, 10) + "s"
	case elapsed < 3600:
		return strconv.FormatInt(elapsed/60, 10) + "m"
	case elapsed < 3600*24:
		return strconv.FormatInt(elapsed/3600, 10) + "h"
	}
	return strconv.FormatInt(elapsed/(3600*24), 10) + "d"
}

// sparkline appends the filled ASCII sparkline Redis draws (sparkline.c
// with SPARKLINE_FILL): values scaled between their min and max over
// rows*3 steps, drawn with "_o#" and '|' below the top of each column,
// then one blank line and the labels written vertically. More values than
// columns wrap into further blocks separated by an empty line.
func sparkline(dst []byte, values []float64, labels []string, columns, rows int) []byte {
	const fill = "_o#"
	if len(values) == 0 {
		return dst
	}
	lo, hi := values[0], values[0]
	for _, v := range values[1:] {
		if v < lo {
			lo = v
		} else if v > hi {
			hi = v
		}
	}
	rel := hi - lo
	if rel == 0 {
		rel = 1
	}
	steps := len(fill) * rows
	line := make([]byte, columns)
	for off := 0; off < len(values); off += columns {
		if off != 0 {
			dst = append(dst, '\n')
		}
		n := min(columns, len(values)-off)
		for row := 0; row < rows; row++ {
			for j := 0; j < n; j++ {
				// Truncated twice, as the C (int)(relval*steps)/relmax.
				step := int(float64(int((values[off+j]-lo)*float64(steps))) / rel)
				step = max(0, min(step, steps-1))
				line[j] = ' '
				switch idx := step - (rows-row-1)*len(fill); {
				case idx >= len(fill):
					line[j] = '|'
				case idx >= 0:
					line[j] = fill[idx]
				}
			}
			dst = append(dst, line[:n]...)
			dst = append(dst, '\n')
		}
		longest := 0
		for _, l := range labels[off : off+n] {
			longest = max(longest, len(l))
		}
		if longest == 0 {
			continue
		}
		dst = append(dst, bytes.Repeat([]byte{' '}, n)...)
		dst = append(dst, '\n')
		for k := 0; k < longest; k++ {
			for j, l := range labels[off : off+n] {
				line[j] = ' '
				if k < len(l) {
					line[j] = l[k]
				}
			}
			dst = append(dst, line[:n]...)
			dst = append(dst, '\n')
		}
	}
	return dst
}

// doctorEnv is the configuration LATENCY DOCTOR's advice depends on.
type doctorEnv struct {
	threshold   int64 // latency-monitor-threshold, ms
	slowlogUs   int64 // slowlog-log-slower-than, µs
	fsyncAlways bool
	hz          int
	thp         bool // the process has anonymous huge pages
}

// latencyStats summarises one event's samples (analyzeLatencyForEvent).
type latencyStats struct {
	samples, avg, mad, period int64
}

func analyzeLatency(ts *latencySeries, now int64) latencyStats {
	var st latencyStats
	var sum, oldest int64
	ts.each(func(e latencySample) {
		st.samples++
		sum += int64(e.latency)
		if oldest == 0 || e.time < oldest {
			oldest = e.time
		}
	})
	if st.samples == 0 {
		return st
	}
	st.avg = sum / st.samples
	st.period = max(now-oldest, 1)
	var dev int64
	ts.each(func(e latencySample) {
		d := st.avg - int64(e.latency)
		if d < 0 {
			d = -d
		}
		dev += d
	})
	st.mad = dev / st.samples
	return st
}

// Advice LATENCY DOCTOR can give, in the order it prints them.
const (
	adviseSlowlogEnabled = 1 << iota
	adviseSlowlogTuning
	adviseSlowlogInspect
	adviseScheduler
	adviseLocalDisk
	adviseSSD
	adviseDataWriteback
	adviseDiskContention
	adviseNoAppendfsync
	adviseRelaxFsync
	adviseHz
	adviseLargeObjects
	adviseMassEviction
	adviseDisableTHP
)

// latencyReport appends LATENCY DOCTOR's report (createLatencyReport),
// word for word as Redis 7.0 writes it.
func latencyReport(dst []byte, l *latencyState, env doctorEnv, now int64) []byte {
	if len(l.events) == 0 && env.threshold == 0 {
		return append(dst, "I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n"...)
	}
	advise, advices := 0, 0
	give := func(flags, n int) {
		advise |= flags
		advices += n
	}
	for i, ts := range l.events {
		if i == 0 {
			dst = append(dst, "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n"...)
		}
		st := analyzeLatency(ts, now)
		dst = strconv.AppendInt(dst, int64(i+1), 10)
		dst = append(dst, ". "...)
		dst = append(dst, ts.event...)
		dst = append(dst, ": "...)
		dst = strconv.AppendInt(dst, st.samples, 10)
		dst = append(dst, " latency spikes (average "...)
		dst = strconv.AppendInt(dst, st.avg, 10)
		dst = append(dst, "ms, mean deviation "...)
		dst = strconv.AppendInt(dst, st.mad, 10)
		dst = append(dst, "ms, period "...)
		dst = strconv.AppendFloat(dst, float64(st.period)/float64(st.samples), 'f', 2, 64)
		dst = append(dst, " sec). Worst all time event "...)
		dst = strconv.AppendUint(dst, uint64(ts.max), 10)
		dst = append(dst, "ms.\n"...)
		switch strings.ToLower(ts.event) {
		case "command":
			if env.slowlogUs < 0 {
				give(adviseSlowlogEnabled, 1)
			} else if env.slowlogUs/1000 > env.threshold {
				give(adviseSlowlogTuning, 1)
			}
			give(adviseSlowlogInspect|adviseLargeObjects, 2)
		case "fast-command":
			give(adviseScheduler, 1)
		case "aof-write-pending-fsync":
			give(adviseLocalDisk|adviseDiskContention|adviseSSD|adviseDataWriteback, 4)
		case "aof-write-active-child":
			give(adviseNoAppendfsync|adviseDataWriteback|adviseSSD, 3)
		case "aof-write-alone":
			give(adviseLocalDisk|adviseDataWriteback|adviseSSD, 3)
		case "aof-fsync-always":
			give(adviseRelaxFsync, 1)
		case "expire-cycle":
			give(adviseHz|adviseLargeObjects, 2)
		case "eviction-del":
			give(adviseLargeObjects, 1)
		case "eviction-cycle":
			give(adviseMassEviction, 1)
		}
	}
	if env.thp {
		give(adviseDisableTHP, 1)
	}
	switch {
	case len(l.events) == 0 && advices == 0:
		return append(dst, "Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n"...)
	case advices == 0:
		return append(dst, "\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n"...)
	}
	dst = append(dst, "\nI have a few advices for you:\n\n"...)
	thresholdUs := strconv.FormatUint(uint64(env.threshold)*1000, 10)
	if advise&adviseSlowlogEnabled != 0 {
		dst = append(dst, "- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than "+thresholdUs+"'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n"...)
	}
	if advise&adviseSlowlogTuning != 0 {
		dst = append(dst, "- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than "+thresholdUs+"'.\n"...)
	}
	for _, a := range doctorAdvice {
		if advise&a.flag != 0 && (a.flag != adviseRelaxFsync || env.fsyncAlways) && (a.flag != adviseHz || env.hz < 100) {
			dst = append(dst, a.text...)
		}
	}
	return dst
}

// doctorAdvice is the fixed text of each piece of advice after the slow
// log ones, in print order.
var doctorAdvice = []struct {
	flag int
	text string
}{
	{adviseSlowlogInspect, "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n"},
	{adviseScheduler, "- The system is slow to execute Redis code paths not containing system calls. This usually means the system does not provide Redis CPU time to run for long periods. You should try to:\n" +
		"  1) Lower the system load.\n" +
		"  2) Use a computer / VM just for Redis if you are running other software in the same system.\n" +
		"  3) Check if you have a \"noisy neighbour\" problem.\n" +
		"  4) Check with 'redis-cli --intrinsic-latency 100' what is the intrinsic latency in your system.\n" +
		"  5) Check if the problem is allocator-related by recompiling Redis with MALLOC=libc, if you are using Jemalloc. However this may create fragmentation problems.\n"},
	{adviseLocalDisk, "- It is strongly advised to use local disks for persistence, especially if you are using AOF. Remote disks provided by platform-as-a-service providers are known to be slow.\n"},
	{adviseSSD, "- SSD disks are able to reduce fsync latency, and total time needed for snapshotting and AOF log rewriting (resulting in smaller memory usage and smaller final AOF rewrite buffer flushes). With extremely high write load SSD disks can be a good option. However Redis should perform reasonably with high load using normal disks. Use this advice as a last resort.\n"},
	{adviseDataWriteback, "- Mounting ext3/4 filesystems with data=writeback can provide a performance boost compared to data=ordered, however this mode of operation provides less guarantees, and sometimes it can happen that after a hard crash the AOF file will have a half-written command at the end and will require to be repaired before Redis restarts.\n"},
	{adviseDiskContention, "- Try to lower the disk contention. This is often caused by other disk intensive processes running in the same computer (including other Redis instances).\n"},
	{adviseNoAppendfsync, "- Assuming from the point of view of data safety this is viable in your environment, you could try to enable the 'no-appendfsync-on-rewrite' option, so that fsync will not be performed while there is a child rewriting the AOF file or producing an RDB file (the moment where there is high disk contention).\n"},
	{adviseRelaxFsync, "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n"},
	{adviseHz, "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"},
	{adviseLargeObjects, "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"},
	{adviseMassEviction, "- Sudden changes to the 'maxmemory' setting via 'CONFIG SET', or allocation of large objects via sets or sorted sets intersections, STORE option of SORT, Redis Cluster large keys migrations (RESTORE command), may create sudden memory pressure forcing the server to block trying to evict keys. \n"},
	{adviseDisableTHP, "- I detected a non zero amount of anonymous huge pages used by your process. This creates very serious latency events in different conditions, especially when Redis is persisting on disk. To disable THP support use the command 'echo never > /sys/kernel/mm/transparent_hugepage/enabled', make sure to also add it into /etc/rc.local so that the command will be executed again after a reboot. Note that even if you have already disabled THP, you still need to restart the Redis process to get rid of the huge pages already created.\n"},
}

// anonHugePages is the process's AnonHugePages total in bytes from
// /proc/self/smaps_rollup (0 where it cannot be read), as Redis's
// THPGetAnonHugePagesSize.
func anonHugePages() int64 {
	f, err := os.Open("/proc/self/smaps_rollup")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "AnonHugePages:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
		if err != nil {
			return 0
		}
		return kb * 1024
	}
	return 0
}
