package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestScriptBusyInProcess drives BUSY mode with one and several event
// loops in this process, so the race detector sees the script's goroutine
// hand the lock to the loops that answer BUSY and run SCRIPT KILL.
func TestScriptBusyInProcess(t *testing.T) {
	for _, loops := range []int{1, 3} {
		// A subtest each: the first server is stopped before the second
		// starts (command statistics are process-wide).
		t.Run(fmt.Sprintf("io-threads-%d", loops), func(t *testing.T) { busyInProcess(t, loops) })
	}
}

func busyInProcess(t *testing.T, loops int) {
	s, addr := startInProcess(t, loops)
	s.mu.Lock()
	s.cfg.BusyReplyThreshold = 20
	s.mu.Unlock()
	runner, err := dialClient(addr)
	if err != nil {
		t.Fatal(err)
	}
	other, err := dialClient(addr)
	if err != nil {
		t.Fatal(err)
	}
	runner.queue("EVAL", "local i = 0 while true do i = i + 1 end", "0")
	if err := runner.flush(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, func() bool {
		r, err := other.do("PING")
		return err == nil && strings.HasPrefix(string(r), "-BUSY")
	})
	if r, err := other.do("FUNCTION", "STATS"); err != nil || !strings.Contains(string(r), "running_script") {
		t.Fatalf("FUNCTION STATS while busy: %q %v", r, err)
	}
	if err := other.expect("+OK\r\n", "SCRIPT", "KILL"); err != nil {
		t.Fatal(err)
	}
	r, err := runner.read()
	if err != nil || !strings.HasPrefix(string(r), "-ERR Script killed by user with SCRIPT KILL...") {
		t.Fatalf("io-threads %d: killed script replied %q %v", loops, r, err)
	}
	if err := runner.expect("+PONG\r\n", "PING"); err != nil {
		t.Fatal(err)
	}
	runner.close()
	other.close()
}
