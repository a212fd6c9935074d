package server

import (
	"os"
	"path/filepath"
	"slices"
	"syscall"
	"testing"

	"shoal/internal/config"
)

func TestParseCPUList(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want []int
		ok   bool
	}{
		{"", nil, true},
		{"0", []int{0}, true},
		{"0,2,3", []int{0, 2, 3}, true},
		{"0-3,8", []int{0, 1, 2, 3, 8}, true},
		{"0-10:4", []int{0, 4, 8}, true},
		{"3-1", nil, false},
		{"0-4:0", nil, false},
		{"1:2", nil, false},
		{"a", nil, false},
		{"0,", nil, false},
		{"-1", nil, false},
		{"1024", nil, false},
	} {
		got, ok := parseCPUList(tc.in)
		if ok != tc.ok || !slices.Equal(got, tc.want) {
			t.Errorf("%q: got %v %v, want %v %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestOOMScoreTarget(t *testing.T) {
	for _, tc := range []struct{ mode, value, base, want int }{
		{config.OOMScoreAdjRelative, 200, 0, 200},
		{config.OOMScoreAdjRelative, 200, 100, 300},
		{config.OOMScoreAdjRelative, 900, 300, 1000},
		{config.OOMScoreAdjRelative, -2000, 0, -1000},
		{config.OOMScoreAdjAbsolute, 200, 100, 200},
		{config.OOMScoreAdjAbsolute, 2000, 0, 1000},
	} {
		if got := oomScoreTarget(tc.mode, tc.value, tc.base); got != tc.want {
			t.Errorf("%+v: got %d", tc, got)
		}
	}
}

// TestOOMAdjState: the base is read when Shoal first adjusts the score,
// "relative" adds to it, and "no" writes it back once.
func TestOOMAdjState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "oom_score_adj")
	os.WriteFile(path, []byte("50\n"), 0o644)
	read := func() string { b, _ := os.ReadFile(path); return string(b) }
	var st oomAdjState
	vals := [3]int{100, 200, 800}
	steps := []struct {
		mode, class int
		want        string
	}{
		{config.OOMScoreAdjNo, config.OOMClassMaster, "50\n"},
		{config.OOMScoreAdjRelative, config.OOMClassMaster, "150\n"},
		{config.OOMScoreAdjRelative, config.OOMClassReplica, "250\n"},
		{config.OOMScoreAdjAbsolute, config.OOMClassMaster, "100\n"},
		{config.OOMScoreAdjNo, config.OOMClassMaster, "50\n"},
	}
	for i, s := range steps {
		if err := st.apply(path, s.mode, vals, s.class); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if got := read(); got != s.want {
			t.Errorf("step %d: file %q, want %q", i, got, s.want)
		}
	}
	os.WriteFile(path, []byte("7\n"), 0o644)
	st.apply(path, config.OOMScoreAdjNo, vals, 0)
	if got := read(); got != "7\n" {
		t.Errorf("no twice rewrote the score: %q", got)
	}
}

func TestSignalShutdownFlags(t *testing.T) {
	c := config.Default()
	c.ShutdownOnSigint = config.ShutdownNoSave | config.ShutdownNow
	c.ShutdownOnSigterm = config.ShutdownSave | config.ShutdownForce
	if got := signalShutdownFlags(c, syscall.SIGINT); got != (shutdownFlags{nosave: true, now: true}) {
		t.Errorf("SIGINT: %+v", got)
	}
	if got := signalShutdownFlags(c, syscall.SIGTERM); got != (shutdownFlags{save: true, force: true}) {
		t.Errorf("SIGTERM: %+v", got)
	}
	if got := signalShutdownFlags(config.Default(), syscall.SIGTERM); got != (shutdownFlags{}) {
		t.Errorf("default: %+v", got)
	}
}

func TestCommName(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"shoal-server", "shoal-server"},
		{"shoal-server 127.0.0.1:6379", "shoal-server 12"},
	} {
		if got := commName(tc.in); got != tc.want {
			t.Errorf("%q: %q", tc.in, got)
		}
	}
}

func TestMoreDirectiveWarnings(t *testing.T) {
	for _, tc := range []struct{ name, feature string }{
		{"aclfile", "ACL"}, {"tls-port", "TLS"}, {"tracking-table-max-keys", ""},
		{"active-defrag-cycle-min", "active defragmentation"}, {"replica-ignore-disk-write-errors", "exempting replicas from disk errors"}, {"masterauth", ""},
		{"cluster-announce-tls-port", "TLS"}, {"cluster-node-timeout", ""}, {"oom-score-adj", ""}, {"server_cpulist", ""},
	} {
		if got := unimplementedFeature(tc.name); got != tc.feature {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.feature)
		}
	}
	for _, name := range []string{"crash-memcheck-enabled", "ignore-warnings", "bio_cpulist"} {
		if ineffectiveReason(name) == "" {
			t.Errorf("%s: no reason", name)
		}
	}
}
