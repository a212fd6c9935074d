package integration

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRestoreLogsCorruptReason: RESTORE of a corrupt payload answers Bad
// data format and logs why at verbose level ("Ziplist integrity check
// failed." and the like, after "-> " in Redis's rdbReportError line),
// compared with redis-server on payloads from Redis's corrupt-dump.tcl.
func TestRestoreLogsCorruptReason(t *testing.T) {
	payloads := []struct{ key, payload string }{
		{"hashzl", "\x0D\x1B\x1B\x00\x00\x00\x16\x00\x00\x00\x04\x00\x00\x02\x61\x00\x04\x02\x62\x00\x04\x14\x63\x00\x04\x02\x64\x00\xFF\x09\x00\xD9\x10\x54\x92\x15\xF5\x5F\x52"},
		{"qlzl", "\x0E\x01\x13\x13\x00\x00\x00\x0E\x00\x00\x00\x02\x00\x00\x02\x61\x00\x0E\x02\x62\x00\xFF\x09\x00\x49\x97\x30\xB2\x0D\xA1\xED\xAA"},
		{"stream", "\x0F\x00\x00\x00\x00\x01\x07\x6D\x79\x67\x72\x6F\x75\x70\x00\x00\x00\x02\x04\x6E\x61\x6D\x65\x2A\x4C\xAA\x9A\x7D\x01\x00\x00\x00\x04\x6E\x61\x6D\x65\x2B\x4C\xAA\x9A\x7D\x01\x00\x00\x00\x0A\x00\xCC\xED\x8C\xA7\x62\xEE\xC7\xC8"},
		{"zipmap", "\x09\x02\x00\xFF\x09\x00\xC0\xF1\xB8\x67\x4C\x16\xAC\xE3"},
		{"zsetzl", "\x0C\x3D\x3D\x00\x00\x00\x3A\x00\x00\x00\x14\x00\x00\xF1\x02\xF1\x02\x02\x5F\x31\x04\xF2\x02\xF3\x02\xF3\x02\x02\x5F\x33\x04\xF4\x02\xEE\x02\xF5\x02\x02\x5F\x35\x04\xF6\x02\xF7\x02\xF7\x02\x02\x5F\x37\x04\xF8\x02\xF9\x02\xF9\x02\x02\x5F\x39\x04\xFA\xFF\x09\x00\xAE\xF9\x77\x2A\x47\x24\x33\xF6"},
	}
	reason := regexp.MustCompile(`-> (.*)`)
	var results []string
	for _, srv := range startBoth(t, "--loglevel", "verbose", "--sanitize-dump-payload", "yes", "--enable-debug-command", "yes") {
		c := testutil.Dial(t, srv.addr)
		c.Do("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "1")
		var out strings.Builder
		for _, p := range payloads {
			out.WriteString(p.key + ": " + replyText(c.Do("RESTORE", p.key, "0", p.payload)) + "\n")
			c.Do("PING") // the log line is written before the reply
		}
		c.Close()
		var logged []string
		testutil.WaitFor(t, 5*time.Second, func() bool {
			logged = logged[:0]
			for _, m := range reason.FindAllStringSubmatch(srv.proc.Output(), -1) {
				logged = append(logged, m[1])
			}
			return len(logged) >= len(payloads)
		})
		out.WriteString(strings.Join(logged, "\n"))
		results = append(results, out.String())
	}
	if results[0] != results[1] {
		t.Errorf("redis:\n%s\nshoal:\n%s", results[0], results[1])
	}
}
