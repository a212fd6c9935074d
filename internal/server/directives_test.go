package server

import (
	"math"
	"net"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/config"
	"shoal/internal/keyspace"
)

func TestDirectiveWarnings(t *testing.T) {
	tests := []struct {
		names []string
		want  []string
	}{
		{nil, nil},
		{[]string{"port", "maxmemory", "hz"}, nil},
		// Replication directives take effect.
		{[]string{"replicaof", "masterauth", "repl-timeout", "replica-priority", "min-replicas-to-write", "shutdown-timeout"}, nil},
		{[]string{"replica-ignore-disk-write-errors"}, []string{
			"WARNING: 'replica-ignore-disk-write-errors' is accepted for compatibility but has no effect yet: exempting replicas from disk errors is not implemented in this version.",
		}},
		{[]string{"cluster-enabled", "cluster-node-timeout", "cluster-announce-ip"}, nil},
		// Failover directives take effect.
		{[]string{"cluster-replica-no-failover", "cluster-replica-validity-factor", "cluster-migration-barrier", "cluster-allow-replica-migration"}, nil},
		{[]string{"cluster-announce-tls-port"}, []string{
			"WARNING: 'cluster-announce-tls-port' is accepted for compatibility but has no effect yet: TLS is not implemented in this version.",
		}},
		{[]string{"enable-module-command"}, nil},
		{[]string{"io-threads-do-reads", "sanitize-dump-payload"}, []string{
			"WARNING: 'io-threads-do-reads' has no effect: Shoal's I/O threads always read and parse their clients' commands.",
			"WARNING: 'sanitize-dump-payload' has no effect: Shoal always validates RESTORE and RDB payloads deeply.",
		}},
	}
	for _, tt := range tests {
		if got := directiveWarnings(tt.names); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("directiveWarnings(%q) =\n%q\nwant\n%q", tt.names, got, tt.want)
		}
	}
}

func TestEffectiveHz(t *testing.T) {
	tests := []struct {
		hz      int
		dynamic bool
		clients int
		want    int
	}{
		{10, true, 0, 10},
		{10, true, 2009, 10},
		{10, true, 2010, 20},
		{10, true, 4010, 20},
		{10, true, 4020, 40},
		{10, false, 100000, 10},
		{10, true, 1000000, 500},
		{100, true, 20099, 100},
		{100, true, 20100, 200},
		{500, true, 1000000, 500},
	}
	for _, tt := range tests {
		if got := effectiveHz(tt.hz, tt.dynamic, tt.clients); got != tt.want {
			t.Errorf("effectiveHz(%d, %v, %d) = %d, want %d", tt.hz, tt.dynamic, tt.clients, got, tt.want)
		}
	}
}

func TestEvictionTimeLimit(t *testing.T) {
	tests := []struct {
		tenacity int
		want     time.Duration
	}{
		{0, 0},
		{1, 50 * time.Microsecond},
		{10, 500 * time.Microsecond},
		{11, 575 * time.Microsecond},
		{20, time.Duration(500*math.Pow(1.15, 10)) * time.Microsecond},
		{99, time.Duration(500*math.Pow(1.15, 89)) * time.Microsecond},
		{100, math.MaxInt64},
	}
	for _, tt := range tests {
		if got := evictionTimeLimit(tt.tenacity); got != tt.want {
			t.Errorf("evictionTimeLimit(%d) = %v, want %v", tt.tenacity, got, tt.want)
		}
	}
}

// newEvictServer is an unstarted server holding n keys with maxmemory far
// below what the process uses, so eviction always has work.
func newEvictServer(t *testing.T, tenacity, n int) *Server {
	t.Helper()
	cfg := config.Default()
	cfg.Save = nil
	cfg.LogFile = filepath.Join(t.TempDir(), "shoal.log")
	cfg.MaxMemory = 1
	cfg.MaxmemoryPolicy = config.PolicyAllkeysRandom
	cfg.MaxmemoryEvictionTenacity = tenacity
	s := New(cfg)
	// What no eviction can free, as a running server's start-up memory.
	s.mem.startup = 1 << 20
	for i := 0; i < n; i++ {
		e := s.ks.DBs[0].Add([]byte("k"+strconv.Itoa(i)), keyspace.TypeString)
		e.Str = []byte("v")
	}
	s.ks.Settle()
	return s
}

func TestEvictionTenacity(t *testing.T) {
	const n = 200
	// Tenacity 0 allows no time: each call evicts one key, then hands over
	// to the time proc, which keeps evicting until nothing is left.
	s := newEvictServer(t, 0, n)
	if got := s.evictKeys(); got != evictRunning {
		t.Fatalf("tenacity 0: evictKeys = %v, want evictRunning", got)
	}
	if got := s.ks.DBs[0].Len(); got != n-1 {
		t.Fatalf("tenacity 0: %d keys left after one call, want %d", got, n-1)
	}
	if !s.evict.procRunning.Load() || !s.performEvictions() {
		t.Fatal("tenacity 0: eviction proc not running, or the command was refused")
	}
	for i := 0; s.evict.procRunning.Load(); i++ {
		if i > 10*n {
			t.Fatal("eviction proc never stopped")
		}
		s.evictionTimeProc()
	}
	if got := s.ks.DBs[0].Len(); got != 0 {
		t.Fatalf("tenacity 0: eviction proc stopped with %d keys left", got)
	}

	// Tenacity 100 has no limit: one call evicts everything it can.
	s = newEvictServer(t, 100, n)
	if got := s.evictKeys(); got != evictFail {
		t.Fatalf("tenacity 100: evictKeys = %v, want evictFail", got)
	}
	if s.evict.procRunning.Load() || s.ks.DBs[0].Len() != 0 {
		t.Fatalf("tenacity 100: proc running %v, %d keys left", s.evict.procRunning.Load(), s.ks.DBs[0].Len())
	}
}

func TestShowLogo(t *testing.T) {
	tests := []struct {
		always, syslog bool
		logfile        string
		tty            bool
		want           bool
	}{
		{false, false, "", false, false},
		{false, false, "", true, true},
		{false, true, "", true, false},
		{false, false, "x.log", true, false},
		{true, true, "x.log", false, true},
	}
	for _, tt := range tests {
		if got := showLogo(tt.always, tt.syslog, tt.logfile, tt.tty); got != tt.want {
			t.Errorf("showLogo(%v, %v, %q, %v) = %v, want %v", tt.always, tt.syslog, tt.logfile, tt.tty, got, tt.want)
		}
	}
}

// fakeSyslog records messages by priority.
type fakeSyslog struct{ got []string }

func (f *fakeSyslog) Debug(m string) error   { f.got = append(f.got, "debug "+m); return nil }
func (f *fakeSyslog) Info(m string) error    { f.got = append(f.got, "info "+m); return nil }
func (f *fakeSyslog) Notice(m string) error  { f.got = append(f.got, "notice "+m); return nil }
func (f *fakeSyslog) Warning(m string) error { f.got = append(f.got, "warning "+m); return nil }

func TestLoggerSyslogLevels(t *testing.T) {
	var file strings.Builder
	fs := &fakeSyslog{}
	l := &logger{w: &file, role: 'M', sys: fs}
	l.level.Store(logVerbose)
	l.printf(logDebug, "d")
	l.printf(logVerbose, "v %d", 1)
	l.printf(logNotice, "n")
	l.printf(logWarning, "w")
	l.raw(logNotice, "logo\n")
	want := []string{"info v 1", "notice n", "warning w", "notice logo\n"}
	if !reflect.DeepEqual(fs.got, want) {
		t.Fatalf("syslog got %q, want %q", fs.got, want)
	}
	if n := strings.Count(file.String(), "\n"); n != 4 {
		t.Fatalf("file got %d lines, want 4:\n%s", n, file.String())
	}
}

// listenNotify opens a unixgram socket standing in for systemd's.
func listenNotify(t *testing.T) (*net.UnixConn, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, path
}

func readNotify(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 512)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatal(err)
	}
	return string(buf[:n])
}

func TestSuperviseStart(t *testing.T) {
	conn, path := listenNotify(t)
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	sv := superviseStart(config.SupervisedSystemd, env(map[string]string{"NOTIFY_SOCKET": path}))
	if !sv.ok || sv.mode != supervisedSystemd {
		t.Fatalf("systemd: %+v", sv)
	}
	if got := readNotify(t, conn); got != "STATUS=Shoal is loading...\n" {
		t.Fatalf("systemd sent %q", got)
	}
	sv = superviseStart(config.SupervisedAuto, env(map[string]string{"NOTIFY_SOCKET": path}))
	if !sv.ok || sv.mode != supervisedSystemd || sv.logs[0].msg != "Systemd supervision detected." {
		t.Fatalf("auto with NOTIFY_SOCKET: %+v", sv)
	}
	readNotify(t, conn)

	tests := []struct {
		name string
		mode int
		env  map[string]string
		logs []string
	}{
		{"no", config.SupervisedNo, map[string]string{"NOTIFY_SOCKET": path}, nil},
		{"auto without env", config.SupervisedAuto, nil, nil},
		{"systemd without socket", config.SupervisedSystemd, nil, []string{"systemd supervision error: NOTIFY_SOCKET not found!"}},
		{"systemd socket missing", config.SupervisedSystemd, map[string]string{"NOTIFY_SOCKET": path + ".gone"}, []string{"systemd supervision error: sd_notify: -2"}},
		{"upstart without job", config.SupervisedUpstart, nil, []string{"upstart supervision requested, but UPSTART_JOB not found!"}},
	}
	for _, tt := range tests {
		sv := superviseStart(tt.mode, env(tt.env))
		var logs []string
		for _, l := range sv.logs {
			logs = append(logs, l.msg)
		}
		if sv.ok || !reflect.DeepEqual(logs, tt.logs) {
			t.Errorf("%s: ok %v logs %q, want not ok, logs %q", tt.name, sv.ok, logs, tt.logs)
		}
	}
}
