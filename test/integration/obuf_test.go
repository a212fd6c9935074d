package integration

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestOutputLimitPerReply: with a normal-class hard limit, a reply over it
// closes the client before any of it is sent, and a reply built in a long
// loop (HRANDFIELD with a huge negative count, KEYS) stops when the limit
// is hit instead of growing without bound.
func TestOutputLimitPerReply(t *testing.T) {
	_, addr := startShoal(t)
	ctl := testutil.Dial(t, addr)
	defer ctl.Close()
	for i := 0; i < 150; i++ {
		ctl.Do("RPUSH", "big", strings.Repeat("x", 1000))
	}
	ctl.Do("HSET", "h", "a", "b")
	if got := string(ctl.Do("CONFIG", "SET", "client-output-buffer-limit", "normal 100000 0 0")); got != "+OK\r\n" {
		t.Fatalf("CONFIG SET: %q", got)
	}
	for _, cmd := range [][]string{
		{"LRANGE", "big", "0", "-1"},
		{"HRANDFIELD", "h", "-999999999"},
		{"KEYS", "*"},
	} {
		if cmd[0] == "KEYS" {
			for i := 0; i < 5000; i++ {
				ctl.Do("SET", "long-key-name-"+strings.Repeat("-", 80)+strconv.Itoa(i), "v")
			}
		}
		c := testutil.Dial(t, addr)
		c.Send(cmd...)
		if r, err := c.TryReadReply(5 * time.Second); err == nil {
			t.Fatalf("%s: got a %d-byte reply, want the connection closed", cmd[0], len(r))
		}
		c.Close()
		if got := string(ctl.Do("PING")); got != "+PONG\r\n" {
			t.Fatalf("server after %s: %q", cmd[0], got)
		}
	}
}
