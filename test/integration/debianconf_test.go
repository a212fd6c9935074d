package integration

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// debianConf is the stock redis.conf of Debian's redis-server 7.0 package.
const debianConf = "/etc/redis/redis.conf"

// TestDebianConf: the stock Debian redis.conf loads unchanged and the
// server answers PING, overriding on the command line only what would
// daemonize it or write outside the test's directory. The OS knobs it
// leaves at their defaults take effect: transparent huge pages are off and
// the process is named after the title template.
func TestDebianConf(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	if f, err := os.Open(debianConf); err != nil {
		t.Skipf("no readable %s: %v", debianConf, err)
	} else {
		f.Close()
	}
	port := testutil.FreePort(t)
	dir := t.TempDir()
	p := testutil.StartProc(t, shoalBin, debianConf,
		"--port", strconv.Itoa(port), "--daemonize", "no", "--logfile", "",
		"--pidfile", "", "--dir", dir, "--supervised", "no")
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if !testutil.Poll(startTimeout(), func() bool { return p.Exited() || pingOnce(addr) }) || p.Exited() {
		t.Fatalf("no PONG from %s:\n%s", addr, p.Output())
	}
	c := testutil.Dial(t, addr)
	defer c.Close()
	if got := string(c.Do("CONFIG", "GET", "proc-title-template")); !strings.Contains(got, "{title} {listen-addr} {server-mode}") {
		t.Errorf("proc-title-template: %q", got)
	}
	pid := strconv.Itoa(p.Pid())
	// "<argv[0]> 127.0.0.1:port" as the command line, as Redis shows it,
	// or, where the kernel refuses to move the command line, as the
	// process name cut to the kernel's 15 bytes.
	cmdline, _ := os.ReadFile("/proc/" + pid + "/cmdline")
	comm, _ := os.ReadFile("/proc/" + pid + "/comm")
	if want := shoalBin + " 127.0.0.1:" + strconv.Itoa(port) + "\x00"; string(cmdline) != want && strings.TrimSpace(string(comm)) != "shoal-server 12" {
		t.Errorf("process title: command line %q, name %q; want command line %q", cmdline, comm, want)
	}
	if status, err := os.ReadFile("/proc/" + pid + "/status"); err == nil && strings.Contains(string(status), "THP_enabled:") {
		if !strings.Contains(string(status), "THP_enabled:\t0") {
			t.Errorf("disable-thp yes left THP on")
		}
	}
}

// TestOOMScoreAdj: oom-score-adj relative adds the master value to the
// score the process started with; CONFIG SET no restores it.
func TestOOMScoreAdj(t *testing.T) {
	raw, err := os.ReadFile("/proc/self/oom_score_adj")
	if err != nil {
		t.Skip("no /proc/self/oom_score_adj")
	}
	base, _ := strconv.Atoi(strings.TrimSpace(string(raw)))
	p, addr := startShoal(t, "--oom-score-adj", "yes", "--oom-score-adj-values", "100 200 800")
	path := "/proc/" + strconv.Itoa(p.Pid()) + "/oom_score_adj"
	score := func() int {
		b, _ := os.ReadFile(path)
		n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
		return n
	}
	if got, want := score(), min(base+100, 1000); got != want {
		t.Errorf("oom_score_adj %d, want %d", got, want)
	}
	c := testutil.Dial(t, addr)
	defer c.Close()
	if r := string(c.Do("CONFIG", "SET", "oom-score-adj", "no")); r != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", r)
	}
	if got := score(); got != base {
		t.Errorf("after no: oom_score_adj %d, want %d", got, base)
	}
}

// TestShutdownOnSigterm: shutdown-on-sigterm nosave skips the final save
// that the save points would otherwise ask for.
func TestShutdownOnSigterm(t *testing.T) {
	p, addr := startShoal(t, "--save", "3600 1", "--shutdown-on-sigterm", "nosave")
	c := testutil.Dial(t, addr)
	c.Do("SET", "k", "v")
	dir := string(c.Do("CONFIG", "GET", "dir"))
	c.Close()
	lines := strings.Split(strings.TrimSpace(dir), "\r\n")
	p.Stop()
	if _, err := os.Stat(filepath.Join(lines[len(lines)-1], "dump.rdb")); err == nil {
		t.Errorf("SIGTERM with shutdown-on-sigterm nosave saved dump.rdb")
	}
	if out := p.Output(); strings.Contains(out, "Saving the final RDB snapshot") {
		t.Errorf("final save logged:\n%s", out)
	}
}

// startTimeout bounds the wait for a server to answer PING.
func startTimeout() time.Duration { return 10 * time.Second }
