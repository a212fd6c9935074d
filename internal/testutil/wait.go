package testutil

import (
	"testing"
	"time"
)

// WaitFor polls cond with a short, growing backoff until it returns true,
// and fails the test if it has not by the end of timeout. Tests use it to
// synchronise with servers; they never sleep for a fixed time.
func WaitFor(t testing.TB, timeout time.Duration, cond func() bool) {
	t.Helper()
	if !Poll(timeout, cond) {
		t.Fatalf("testutil: condition not met within %v", timeout)
	}
}

// Poll is WaitFor without the test: it reports whether cond became true
// before timeout.
func Poll(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	backoff := time.Millisecond
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, 50*time.Millisecond)
	}
}
