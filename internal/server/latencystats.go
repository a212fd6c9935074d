package server

import (
	"sort"
	"strconv"
	"strings"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/hdr"
)

// Per-command latency tracking (Redis 7.0's latency-tracking): every call
// adds its duration to its command's HdrHistogram, which INFO
// latencystats summarises as percentiles and LATENCY HISTOGRAM shows as a
// cumulative distribution.
//
// As Redis 7.0, durations are whole microseconds times 1000 ns (Redis
// times calls with ustime), clamped to 1 ns .. 1 s, so a sub-microsecond
// command counts as 1 ns and INFO prints the same bucket bounds (1.003,
// 4.015...). A command that blocks is recorded once, when a retry serves
// it; Redis also adds the first run's time there and records timeouts,
// which Shoal leaves out.
//
// The histograms live beside the command table's other statistics
// (command.Command's Calls, Usec and Latency), so they are per process,
// and CONFIG RESETSTAT drops them all.

func init() {
	handle("latency|histogram", latencyHistogramCommand)
}

// Redis's LATENCY_HISTOGRAM_* constants: 1 ns to 1 s, 2 significant
// figures.
const (
	latencyHistMin     = 1
	latencyHistMax     = 1_000_000_000
	latencyHistSigFigs = 2
)

// eachCommand calls fn for every command, then its subcommands, top-level
// commands and subcommands each sorted by name, as INFO commandstats
// lists them.
func eachCommand(fn func(cmd *command.Command)) {
	for _, cmd := range command.All() {
		fn(cmd)
		for _, sub := range sortedSubs(cmd) {
			fn(sub)
		}
	}
}

// sortedSubs is cmd's subcommands by name.
func sortedSubs(cmd *command.Command) []*command.Command {
	subs := make([]*command.Command, 0, len(cmd.Sub))
	for _, sub := range cmd.Sub {
		subs = append(subs, sub)
	}
	sort.Slice(subs, func(i, j int) bool { return subs[i].Name < subs[j].Name })
	return subs
}

// latencyTrack is call()'s hook: one histogram record for the command,
// allocating only the command's first histogram (updateCommandLatencyHistogram).
// A client left blocked is recorded when a retry serves it.
func (s *Server) latencyTrack(c *conn, cmd *command.Command, durNs int64) {
	if !s.cfg.LatencyTracking {
		return
	}
	if c.Flags&command.ClientBlocked != 0 && (!c.Blocking.Retrying || c.Blocking.StillBlocked) {
		return
	}
	if cmd.Latency == nil {
		cmd.Latency = newLatencyHist()
	}
	cmd.Latency.Record(latencyHistValue(durNs))
}

// latencyHistValue is what Redis 7.0 records for a call of durNs: whole
// microseconds in ns, within the histogram's range.
func latencyHistValue(durNs int64) int64 {
	return min(max(durNs/1000*1000, latencyHistMin), latencyHistMax)
}

func newLatencyHist() *hdr.Histogram {
	h, err := hdr.New(latencyHistMin, latencyHistMax, latencyHistSigFigs)
	if err != nil {
		panic("latency histogram: " + err.Error())
	}
	return h
}

// resetLatencyHistograms drops every command's histogram (CONFIG
// RESETSTAT, as resetCommandTableStats).
func resetLatencyHistograms() {
	eachCommand(func(cmd *command.Command) { cmd.Latency = nil })
}

// latencyHist returns cmd's histogram, nil without samples.
func latencyHist(cmd *command.Command) *hdr.Histogram { return cmd.Latency }

// infoLatencystats is INFO's latencystats section: one line per command
// with samples, empty while latency-tracking is off.
func (s *Server) infoLatencystats(b *strings.Builder) {
	if !s.cfg.LatencyTracking {
		return
	}
	var buf []byte
	eachCommand(func(cmd *command.Command) {
		if h := latencyHist(cmd); h != nil {
			buf = appendLatencyPercentiles(buf[:0], cmd.Name, h, s.cfg.LatencyTrackingInfoPercentiles)
			b.Write(buf)
		}
	})
}

// appendLatencyPercentiles appends one latencystats line
// (fillPercentileDistributionLatencies): each percentile named as "%f"
// trimmed, its value in µs as "%.3f".
func appendLatencyPercentiles(dst []byte, name string, h *hdr.Histogram, ps []float64) []byte {
	dst = append(dst, "latency_percentiles_usec_"...)
	dst = append(dst, name...)
	dst = append(dst, ':')
	for i, p := range ps {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, 'p')
		dst = config.AppendTrimmedFloat(dst, p)
		dst = append(dst, '=')
		dst = strconv.AppendFloat(dst, float64(h.ValueAtPercentile(p))/1000, 'f', 3, 64)
	}
	return append(dst, "\r\n"...)
}

// latencyHistogramCommand is LATENCY HISTOGRAM [command ...]: a map from
// command name to its calls and cumulative distribution. Without names
// every command with samples is listed; a name that is not a command is
// skipped, and a container command stands for its subcommands with
// samples (latencySpecificCommandsFillCDF).
func latencyHistogramCommand(s *Server, c *conn) {
	var cmds []*command.Command
	if len(c.Argv) == 2 {
		eachCommand(func(cmd *command.Command) {
			if latencyHist(cmd) != nil {
				cmds = append(cmds, cmd)
			}
		})
	} else {
		for _, name := range c.Argv[2:] {
			cmd := lookupCommandPath(name)
			if cmd == nil {
				continue
			}
			if latencyHist(cmd) != nil {
				cmds = append(cmds, cmd)
			}
			for _, sub := range sortedSubs(cmd) {
				if latencyHist(sub) != nil {
					cmds = append(cmds, sub)
				}
			}
		}
	}
	c.Map(len(cmds))
	for _, cmd := range cmds {
		c.BulkString(cmd.Name)
		writeLatencyCDF(c, latencyHist(cmd))
	}
}

// writeLatencyCDF writes one command's entry (fillCommandCDF): calls, then
// histogram_usec mapping each bucket bound in µs (log steps from 1024 ns,
// doubling) to the count of calls up to it, for the steps that added
// calls.
func writeLatencyCDF(c *conn, h *hdr.Histogram) {
	c.Map(2)
	c.BulkString("calls")
	c.Int(h.TotalCount())
	c.BulkString("histogram_usec")
	var pairs [][2]int64
	it := hdr.NewLogIter(h, 1024, 2)
	prev := int64(0)
	for it.Next() {
		if n := it.CumulativeCount(); n > prev {
			pairs = append(pairs, [2]int64{it.HighestEquivalentValue() / 1000, n})
		}
		prev = it.CumulativeCount()
	}
	c.Map(len(pairs))
	for _, p := range pairs {
		c.Int(p[0])
		c.Int(p[1])
	}
}
