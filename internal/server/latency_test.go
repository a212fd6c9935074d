package server

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/testutil"
)

// sample is one (time, ms) pair of a latency history.
type sample struct {
	time int64
	ms   uint32
}

func history(ts *latencySeries) []sample {
	var out []sample
	ts.each(func(e latencySample) { out = append(out, sample{e.time, e.latency}) })
	return out
}

func TestLatencyAdd(t *testing.T) {
	var wrap []sample
	var wrapWant []sample
	for i := int64(1); i <= latencyTSLen+10; i++ {
		wrap = append(wrap, sample{1000 + i, uint32(i)})
		if i > 10 {
			wrapWant = append(wrapWant, sample{1000 + i, uint32(i)})
		}
	}
	tests := []struct {
		name    string
		adds    []sample
		want    []sample
		wantMax uint32
	}{
		{"one", []sample{{100, 7}}, []sample{{100, 7}}, 7},
		{"same second keeps the max", []sample{{100, 7}, {100, 3}, {100, 9}}, []sample{{100, 9}}, 9},
		{"new seconds append", []sample{{100, 7}, {101, 3}, {105, 5}}, []sample{{100, 7}, {101, 3}, {105, 5}}, 7},
		{"ring keeps the latest 160 seconds", wrap, wrapWant, latencyTSLen + 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l latencyState
			for _, a := range tt.adds {
				l.add("command", a.ms, a.time)
			}
			ts := l.find("command")
			if ts == nil {
				t.Fatal("no series")
			}
			got := history(ts)
			if len(got) != len(tt.want) {
				t.Fatalf("history has %d samples, want %d", len(got), len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("sample %d = %v, want %v", i, got[i], tt.want[i])
				}
			}
			if ts.max != tt.wantMax {
				t.Errorf("max = %d, want %d", ts.max, tt.wantMax)
			}
		})
	}
}

func TestLatencyReset(t *testing.T) {
	tests := []struct {
		name  string
		event string
		all   bool
		want  int
		left  []string
	}{
		{"all", "", true, 3, nil},
		{"case-insensitive", "COMMAND", false, 1, []string{"fast-command", "expire-cycle"}},
		{"unknown", "fork", false, 0, []string{"command", "fast-command", "expire-cycle"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l latencyState
			for _, e := range []string{"command", "fast-command", "expire-cycle"} {
				l.add(e, 10, 100)
			}
			if got := l.reset(tt.event, tt.all); got != tt.want {
				t.Errorf("reset = %d, want %d", got, tt.want)
			}
			var left []string
			for _, ts := range l.events {
				left = append(left, ts.event)
			}
			if strings.Join(left, ",") != strings.Join(tt.left, ",") {
				t.Errorf("left %v, want %v", left, tt.left)
			}
			if l.find("command") != nil && tt.want == 1 {
				t.Error("command still found after reset")
			}
		})
	}
}

// The expected graphs are redis-server 7.0.15's replies for the same
// samples, read at the same second.
func TestLatencyGraph(t *testing.T) {
	const rule = "--------------------------------------------------------------------------------\n"
	tests := []struct {
		name    string
		samples []sample
		now     int64
		want    string
	}{
		{
			"one sample", []sample{{1795615316, 200}}, 1795615316,
			"command - high 200 ms, low 200 ms (all time high 200 ms)\n" + rule + " \n \n \n_\n \n0\ns\n",
		},
		{
			"two samples", []sample{{1000, 100}, {1001, 200}}, 1002,
			"command - high 200 ms, low 100 ms (all time high 200 ms)\n" + rule + " #\n |\n |\n_|\n  \n21\nss\n",
		},
		{
			"six samples",
			[]sample{{1795615604, 50}, {1795615605, 81}, {1795615606, 12}, {1795615607, 300}, {1795615609, 150}, {1795615610, 20}},
			1795615612,
			"command - high 300 ms, low 12 ms (all time high 300 ms)\n" + rule + "   #  \n   |  \n   |# \no#_||_\n      \n876532\nssssss\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l latencyState
			for _, s := range tt.samples {
				l.add("command", s.ms, s.time)
			}
			if got := string(latencyGraph(nil, l.find("command"), tt.now)); got != tt.want {
				t.Errorf("graph:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestLatencyAgoLabel(t *testing.T) {
	tests := []struct {
		elapsed int64
		want    string
	}{
		{0, "0s"}, {59, "59s"}, {60, "1m"}, {3599, "59m"}, {3600, "1h"}, {86399, "23h"}, {86400, "1d"}, {200000, "2d"},
	}
	for _, tt := range tests {
		if got := agoLabel(tt.elapsed); got != tt.want {
			t.Errorf("agoLabel(%d) = %q, want %q", tt.elapsed, got, tt.want)
		}
	}
}

func TestLatencySparklineWraps(t *testing.T) {
	values := make([]float64, 5)
	labels := []string{"a", "b", "c", "d", "e"}
	got := string(sparkline(nil, values, labels, 3, 1))
	want := "___\n   \nabc\n\n__\n  \nde\n"
	if got != want {
		t.Errorf("sparkline = %q, want %q", got, want)
	}
}

// The expected reports follow redis-server 7.0.15's wording; the first
// cases are its replies verbatim.
func TestLatencyReport(t *testing.T) {
	const (
		spikes     = "Dave, I have observed latency spikes in this Redis instance. You don't mind talking about it, do you Dave?\n\n"
		advices    = "\nI have a few advices for you:\n\n"
		inspect    = "- Check your Slow Log to understand what are the commands you are running which are too slow to execute. Please check https://redis.io/commands/slowlog for more information.\n"
		large      = "- Deleting, expiring or evicting (because of maxmemory policy) large objects is a blocking operation. If you have very large objects that are often deleted, expired, or evicted, try to fragment those objects into multiple smaller objects.\n"
		hz         = "- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n"
		relaxFsync = "- Your fsync policy is set to 'always'. It is very hard to get good performances with such a setup, if possible try to relax the fsync policy to 'onesec'.\n"
	)
	six := []sample{{1795615604, 50}, {1795615605, 81}, {1795615606, 12}, {1795615607, 300}, {1795615609, 150}, {1795615610, 20}}
	def := doctorEnv{threshold: 10, slowlogUs: 10000, hz: 10}
	tests := []struct {
		name   string
		events map[string][]sample
		env    doctorEnv
		now    int64
		want   string
	}{
		{
			"disabled", nil, doctorEnv{slowlogUs: 10000, hz: 10}, 0,
			"I'm sorry, Dave, I can't do that. Latency monitoring is disabled in this Redis instance. You may use \"CONFIG SET latency-monitor-threshold <milliseconds>.\" in order to enable it. If we weren't in a deep space mission I'd suggest to take a look at https://redis.io/topics/latency-monitor.\n",
		},
		{
			"no spikes", nil, def, 0,
			"Dave, no latency spike was observed during the lifetime of this Redis instance, not in the slightest bit. I honestly think you ought to sit down calmly, take a stress pill, and think things over.\n",
		},
		{
			"command", map[string][]sample{"command": six}, def, 1795615612,
			spikes + "1. command: 6 latency spikes (average 102ms, mean deviation 81ms, period 1.33 sec). Worst all time event 300ms.\n" + advices + inspect + large,
		},
		{
			"command with slowlog above the threshold",
			map[string][]sample{"command": {{1795615316, 200}}}, doctorEnv{slowlogUs: 10000, hz: 10}, 1795615316,
			spikes + "1. command: 1 latency spikes (average 200ms, mean deviation 0ms, period 1.00 sec). Worst all time event 200ms.\n" + advices +
				"- Your current Slow Log configuration only logs events that are slower than your configured latency monitor threshold. Please use 'CONFIG SET slowlog-log-slower-than 0'.\n" + inspect + large,
		},
		{
			"command with slowlog disabled",
			map[string][]sample{"command": {{1000, 200}, {1001, 100}}}, doctorEnv{threshold: 100, slowlogUs: -1, hz: 10}, 1003,
			spikes + "1. command: 2 latency spikes (average 150ms, mean deviation 50ms, period 1.50 sec). Worst all time event 200ms.\n" + advices +
				"- There are latency issues with potentially slow commands you are using. Try to enable the Slow Log Redis feature using the command 'CONFIG SET slowlog-log-slower-than 100000'. If the Slow log is disabled Redis is not able to log slow commands execution for you.\n" + inspect + large,
		},
		{
			"event without advice", map[string][]sample{"aof-write": {{1000, 20}}}, def, 1000,
			spikes + "1. aof-write: 1 latency spikes (average 20ms, mean deviation 0ms, period 1.00 sec). Worst all time event 20ms.\n" +
				"\nWhile there are latency events logged, I'm not able to suggest any easy fix. Please use the Redis community to get some help, providing this report in your help request.\n",
		},
		{
			"expire cycle at hz 10", map[string][]sample{"expire-cycle": {{1000, 20}}}, def, 1000,
			spikes + "1. expire-cycle: 1 latency spikes (average 20ms, mean deviation 0ms, period 1.00 sec). Worst all time event 20ms.\n" + advices + hz + large,
		},
		{
			"expire cycle at hz 100", map[string][]sample{"expire-cycle": {{1000, 20}}}, doctorEnv{threshold: 10, slowlogUs: 10000, hz: 100}, 1000,
			spikes + "1. expire-cycle: 1 latency spikes (average 20ms, mean deviation 0ms, period 1.00 sec). Worst all time event 20ms.\n" + advices + large,
		},
		{
			"fsync always, policy changed since", map[string][]sample{"aof-fsync-always": {{1000, 20}}}, def, 1000,
			spikes + "1. aof-fsync-always: 1 latency spikes (average 20ms, mean deviation 0ms, period 1.00 sec). Worst all time event 20ms.\n" + advices,
		},
		{
			"fsync always", map[string][]sample{"aof-fsync-always": {{1000, 20}}}, doctorEnv{threshold: 10, slowlogUs: 10000, hz: 10, fsyncAlways: true}, 1000,
			spikes + "1. aof-fsync-always: 1 latency spikes (average 20ms, mean deviation 0ms, period 1.00 sec). Worst all time event 20ms.\n" + advices + relaxFsync,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l latencyState
			for event, samples := range tt.events {
				for _, s := range samples {
					l.add(event, s.ms, s.time)
				}
			}
			if got := string(latencyReport(nil, &l, tt.env, tt.now)); got != tt.want {
				t.Errorf("report:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestLatencyAfterCall(t *testing.T) {
	get, debug := command.Lookup([]byte("get")), command.Lookup([]byte("debug"))
	tests := []struct {
		name      string
		threshold int64
		cmd       *command.Command
		dur       time.Duration
		want      string // the event recorded, "" for none
	}{
		{"monitor off", 0, debug, time.Second, ""},
		{"below the threshold", 50, debug, 49 * time.Millisecond, ""},
		{"at the threshold", 50, debug, 50 * time.Millisecond, "command"},
		{"fast command", 50, get, 60 * time.Millisecond, "fast-command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &Server{cfg: config.Default()}
			s.cfg.LatencyMonitorThreshold = tt.threshold
			s.latencyAfterCall(tt.cmd, int64(tt.dur))
			var got string
			if len(s.latency.events) > 0 {
				got = s.latency.events[0].event
			}
			if got != tt.want || len(s.latency.events) > 1 {
				t.Errorf("events %v, want %q", s.latency.events, tt.want)
			}
		})
	}
}

func TestLatencyHooksOffAllocateNothing(t *testing.T) {
	s := &Server{cfg: config.Default()}
	cmd := command.Lookup([]byte("get"))
	allocs := testing.AllocsPerRun(100, func() {
		s.latencyAfterCall(cmd, int64(time.Second))
		s.latencyEnd("eviction-cycle", s.latencyStart())
		s.latencyTimed("eviction-del", func() {})
	})
	if allocs != 0 {
		t.Errorf("%v allocations per run with the monitor off", allocs)
	}
}

// TestLatencyCommand runs LATENCY against an in-process server, with a
// DEBUG SLEEP slow enough to be recorded.
func TestLatencyCommand(t *testing.T) {
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Port = 0
	cfg.Bind = []string{"127.0.0.1"}
	cfg.Save = nil
	cfg.Dir = dir
	cfg.LogFile = filepath.Join(dir, "shoal.log")
	cfg.EnableDebugCommand = config.EnableYes
	s := New(cfg)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		s.Shutdown()
		<-done
	})
	c := testutil.Dial(t, net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port())))
	defer c.Close()
	steps := []struct {
		args []string
		want string // exact reply, or a prefix when it ends in "..."
	}{
		{[]string{"LATENCY", "LATEST"}, "*0\r\n"},
		{[]string{"DEBUG", "SLEEP", "0.06"}, "+OK\r\n"},
		{[]string{"LATENCY", "LATEST"}, "*0\r\n"},
		{[]string{"CONFIG", "SET", "latency-monitor-threshold", "50"}, "+OK\r\n"},
		{[]string{"LATENCY", "DOCTOR"}, "$196\r\nDave, no latency spike was observed..."},
		{[]string{"DEBUG", "SLEEP", "0.06"}, "+OK\r\n"},
		{[]string{"LATENCY", "LATEST"}, "*1\r\n*4\r\n$7\r\ncommand\r\n:..."},
		{[]string{"LATENCY", "HISTORY", "command"}, "*1\r\n*2\r\n:..."},
		{[]string{"LATENCY", "HISTORY", "COMMAND"}, "*0\r\n"},
		{[]string{"LATENCY", "GRAPH", "command"}, "$...command - high ..."}, // DEBUG SLEEP 0.06 may overshoot on a loaded machine
		{[]string{"LATENCY", "GRAPH", "fork"}, "-ERR No samples available for event 'fork'\r\n"},
		{[]string{"LATENCY", "DOCTOR"}, "$...Dave, I have observed latency spikes..."},
		{[]string{"CONFIG", "RESETSTAT"}, "+OK\r\n"},
		{[]string{"LATENCY", "RESET", "COMMAND", "command", "fork"}, ":1\r\n"},
		{[]string{"LATENCY", "LATEST"}, "*0\r\n"},
		{[]string{"LATENCY", "RESET"}, ":0\r\n"},
	}
	for _, st := range steps {
		got := string(c.Do(st.args...))
		if want, ok := strings.CutSuffix(st.want, "..."); ok {
			parts := strings.SplitN(want, "...", 2)
			if !strings.HasPrefix(got, parts[0]) || (len(parts) == 2 && !strings.Contains(got, parts[1])) {
				t.Errorf("%v = %q, want %q", st.args, got, st.want)
			}
			continue
		}
		if got != st.want {
			t.Errorf("%v = %q, want %q", st.args, got, st.want)
		}
	}
}
