package integration

import (
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestPauseWriteScripts: under CLIENT PAUSE WRITE a script whose shebang
// declares no-writes runs at once, alone or queued in MULTI, while a
// script that may write waits for CLIENT UNPAUSE, as processCommand
// decides from getCommandFlags (Redis's unit/pause "Test RO scripts are
// not blocked by pause RO", which hung here). Each reply is marked
// "answered" or "paused" by whether it came within a short wait; the
// transcripts are compared with redis-server's.
func TestPauseWriteScripts(t *testing.T) {
	const (
		noWrites = "#!lua flags=no-writes\nreturn 'ro'"
		mayWrite = "#!lua\nreturn 'rw'"
		noFlags  = "return 'plain'"
	)
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		admin := testutil.Dial(t, addr)
		defer admin.Close()
		var out strings.Builder
		outcome := func(c *testutil.Conn, args ...string) {
			c.Send(args...)
			r, err := c.TryReadReply(300 * time.Millisecond)
			if err != nil {
				out.WriteString("paused\n")
				admin.Do("CLIENT", "UNPAUSE")
				r = c.ReadReply()
				admin.Do("CLIENT", "PAUSE", "100000", "WRITE")
			} else {
				out.WriteString("answered\n")
			}
			out.WriteString(replyText(r) + "\n")
		}
		admin.Do("CLIENT", "PAUSE", "100000", "WRITE")
		c := testutil.Dial(t, addr)
		defer c.Close()
		outcome(c, "EVAL", noWrites, "0")
		outcome(c, "EVAL_RO", noWrites, "0")
		outcome(c, "EVAL", mayWrite, "0")
		outcome(c, "EVAL", noFlags, "0")
		outcome(c, "MULTI")
		outcome(c, "EVAL", noWrites, "0")
		outcome(c, "EXEC")
		outcome(c, "MULTI")
		outcome(c, "EVAL", mayWrite, "0")
		outcome(c, "EXEC")
		admin.Do("CLIENT", "UNPAUSE")
		return out.String()
	})
}
