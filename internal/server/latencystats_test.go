package server

import (
	"strings"
	"testing"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/testutil"
)

func TestLatencyHistValue(t *testing.T) {
	tests := []struct{ durNs, want int64 }{
		{0, 1},
		{999, 1},
		{1000, 1000},
		{1999, 1000},
		{123456, 123000},
		{1_000_000_000, 1_000_000_000},
		{5_000_000_000, 1_000_000_000},
		{-5, 1},
	}
	for _, tt := range tests {
		if got := latencyHistValue(tt.durNs); got != tt.want {
			t.Errorf("latencyHistValue(%d) = %d, want %d", tt.durNs, got, tt.want)
		}
	}
}

// Lines as redis-server 7.0.15 prints them for the same samples: a 4 µs
// GET is p50=4.015, a 0 µs one 0.001.
func TestAppendLatencyPercentiles(t *testing.T) {
	tests := []struct {
		name    string
		samples []int64 // ns, as call() would pass them
		ps      []float64
		want    string
	}{
		{"one 4us", []int64{4000}, []float64{50, 99, 99.9}, "latency_percentiles_usec_get:p50=4.015,p99=4.015,p99.9=4.015\r\n"},
		{"sub-microsecond", []int64{300}, []float64{50}, "latency_percentiles_usec_get:p50=0.001\r\n"},
		{"no percentiles", []int64{4000}, nil, "latency_percentiles_usec_get:\r\n"},
		{"spread", []int64{1000, 2000, 8000, 122000}, []float64{0, 50, 99.999, 100},
			"latency_percentiles_usec_get:p0=1.000,p50=2.007,p99.999=122.367,p100=122.367\r\n"},
	}
	for _, tt := range tests {
		h := newLatencyHist()
		for _, ns := range tt.samples {
			h.Record(latencyHistValue(ns))
		}
		if got := string(appendLatencyPercentiles(nil, "get", h, tt.ps)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestLatencyTrack(t *testing.T) {
	get := command.Lookup([]byte("get"))
	tests := []struct {
		name     string
		tracking bool
		flags    uint64
		retrying bool
		still    bool
		want     int64 // samples recorded
	}{
		{"tracked", true, 0, false, false, 1},
		{"tracking off", false, 0, false, false, 0},
		{"just blocked", true, command.ClientBlocked, false, false, 0},
		{"retry still blocked", true, command.ClientBlocked, true, true, 0},
		{"retry served", true, command.ClientBlocked, true, false, 1},
	}
	for _, tt := range tests {
		resetLatencyHistograms()
		s := &Server{cfg: config.Default()}
		s.cfg.LatencyTracking = tt.tracking
		c := &conn{}
		c.Flags = tt.flags
		c.Blocking.Retrying = tt.retrying
		c.Blocking.StillBlocked = tt.still
		s.latencyTrack(c, get, 1500)
		var got int64
		if h := latencyHist(get); h != nil {
			got = h.TotalCount()
		}
		if got != tt.want {
			t.Errorf("%s: %d samples, want %d", tt.name, got, tt.want)
		}
	}
	resetLatencyHistograms()
}

func TestLatencyTrackAllocatesOnce(t *testing.T) {
	defer resetLatencyHistograms()
	resetLatencyHistograms()
	s := &Server{cfg: config.Default()}
	c := &conn{}
	get := command.Lookup([]byte("get"))
	s.latencyTrack(c, get, 1500)
	if n := testing.AllocsPerRun(100, func() { s.latencyTrack(c, get, 1500) }); n != 0 {
		t.Errorf("%v allocations per tracked call", n)
	}
}

// TestLatencyHistogramCommand runs LATENCY HISTOGRAM and INFO latencystats
// against an in-process server; replies whose numbers depend on timing are
// checked by prefix.
func TestLatencyHistogramCommand(t *testing.T) {
	_, addr := startInProcess(t, 1)
	c := testutil.Dial(t, addr)
	defer c.Close()
	// One call's entry, up to its first bucket (a map of one pair is
	// "*2" in RESP2).
	entry := func(name string) string {
		return bulk(name) + "*4\r\n" + bulk("calls") + ":1\r\n" + bulk("histogram_usec") + "*2\r\n:"
	}
	steps := []struct {
		args []string
		want string // exact reply, or a prefix when it ends in "..."
	}{
		{[]string{"CONFIG", "SET", "latency-tracking-info-percentiles", ""}, "+OK\r\n"},
		{[]string{"CONFIG", "RESETSTAT"}, "+OK\r\n"},
		{[]string{"LATENCY", "HISTOGRAM", "get", "nosuch", "get|x"}, "*0\r\n"},
		{[]string{"INFO", "latencystats"}, bulk("# Latencystats\r\nlatency_percentiles_usec_config|resetstat:\r\nlatency_percentiles_usec_latency|histogram:\r\n")},
		{[]string{"GET", "x"}, "$-1\r\n"},
		{[]string{"LATENCY", "HISTOGRAM", "GET"}, "*2\r\n" + entry("get") + "..."},
		{[]string{"CLIENT", "ID"}, ":..."},
		{[]string{"LATENCY", "HISTOGRAM", "client"}, "*2\r\n" + entry("client|id") + "..."},
		{[]string{"LATENCY", "HISTOGRAM", "client|id"}, "*2\r\n" + entry("client|id") + "..."},
		{[]string{"CONFIG", "SET", "latency-tracking", "no"}, "+OK\r\n"},
		{[]string{"INFO", "latencystats"}, bulk("# Latencystats\r\n")},
		{[]string{"CONFIG", "RESETSTAT"}, "+OK\r\n"},
		{[]string{"LATENCY", "HISTOGRAM"}, "*0\r\n"},
		{[]string{"CONFIG", "SET", "latency-tracking", "yes"}, "+OK\r\n"},
		{[]string{"LATENCY", "HISTOGRAM"}, "*2\r\n" + entry("config|set") + "..."},
	}
	for _, st := range steps {
		got := string(c.Do(st.args...))
		if want, ok := strings.CutSuffix(st.want, "..."); ok {
			if !strings.HasPrefix(got, want) {
				t.Errorf("%v = %q, want %q", st.args, got, st.want)
			}
			continue
		}
		if got != st.want {
			t.Errorf("%v = %q, want %q", st.args, got, st.want)
		}
	}
	// INFO's default sections leave latencystats out; "all" has it.
	if got := string(c.Do("INFO")); strings.Contains(got, "Latencystats") {
		t.Errorf("INFO shows latencystats")
	}
	if got := string(c.Do("INFO", "all")); !strings.Contains(got, "# Latencystats\r\n") {
		t.Errorf("INFO all lacks latencystats")
	}
}
