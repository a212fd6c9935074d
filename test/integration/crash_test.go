package integration

import (
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestCrashReportAndWatchdog: as Redis's integration/logging, the log
// shows every goroutine's stack when watchdog-period finds the cron
// stalled (DEBUG SLEEP inside debugCommand), and a crash report with the
// stacks when another process sends SIGABRT or on DEBUG SEGFAULT, after
// which the process is gone.
func TestCrashReportAndWatchdog(t *testing.T) {
	p, addr := startShoal(t, "--enable-debug-command", "yes")
	c := testutil.Dial(t, addr)
	if r := replyText(c.Do("CONFIG", "SET", "watchdog-period", "200")); r != "OK" {
		t.Fatalf("CONFIG SET watchdog-period: %q", r)
	}
	c.Do("DEBUG", "SLEEP", "1")
	testutil.WaitFor(t, 10*time.Second, func() bool {
		out := p.Output()
		return strings.Contains(out, "--- WATCHDOG TIMER EXPIRED ---") && strings.Contains(out, "debugCommand")
	})
	c.Do("CONFIG", "SET", "watchdog-period", "0")
	if err := syscall.Kill(p.Pid(), syscall.SIGABRT); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, p.Exited)
	if out := p.Output(); !strings.Contains(out, "crashed by signal: 6") || !strings.Contains(out, "------ STACK TRACE ------") {
		t.Fatalf("no crash report after SIGABRT:\n%s", out)
	}

	// use-exit-on-panic: the same report, then exit status 1.
	p, addr = startShoal(t, "--enable-debug-command", "yes", "--use-exit-on-panic", "yes")
	c = testutil.Dial(t, addr)
	c.Send("DEBUG", "SEGFAULT")
	testutil.WaitFor(t, 10*time.Second, p.Exited)
	if out := p.Output(); !strings.Contains(out, "crashed by signal: 11") || !strings.Contains(out, "------ STACK TRACE ------") {
		t.Fatalf("no crash report after DEBUG SEGFAULT:\n%s", out)
	}
	var exit *exec.ExitError
	if err := p.Stop(); !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("DEBUG SEGFAULT under use-exit-on-panic: %v, want exit status 1", err)
	}
}
