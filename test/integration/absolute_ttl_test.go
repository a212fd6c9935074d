package integration

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestAbsoluteExpiryTTL gives keys an absolute expiry 10 s after the wall
// clock the client reads just before sending (SET PXAT/EXAT, GETEX
// PXAT/EXAT, PEXPIREAT, EXPIREAT) and reads PTTL back at once: as on Redis,
// it must never exceed 10000 ms, however the server snapshots its command
// time (Redis's unit/type/string "GETEX PXAT option").
func TestAbsoluteExpiryTTL(t *testing.T) {
	_, shoal := startShoal(t)
	addrs := []string{shoal}
	if r, ok := testutil.StartRedis(t); ok {
		addrs = append(addrs, r)
	}
	forms := []func(ms int64) []string{
		func(ms int64) []string { return []string{"SET", "k", "v", "PXAT", itoa(ms)} },
		func(ms int64) []string { return []string{"SET", "k", "v", "EXAT", itoa(ms / 1000)} },
		func(ms int64) []string { return []string{"GETEX", "k", "PXAT", itoa(ms)} },
		func(ms int64) []string { return []string{"GETEX", "k", "EXAT", itoa(ms / 1000)} },
		func(ms int64) []string { return []string{"PEXPIREAT", "k", itoa(ms)} },
		func(ms int64) []string { return []string{"EXPIREAT", "k", itoa(ms / 1000)} },
	}
	for _, addr := range addrs {
		c := testutil.Dial(t, addr)
		c.Do("SET", "k", "v")
		for i := 0; i < 150; i++ {
			for f, form := range forms {
				at := time.Now().UnixMilli() + 10000
				c.Do(form(at)...)
				got := strings.TrimSpace(strings.TrimPrefix(string(c.Do("PTTL", "k")), ":"))
				pttl, err := strconv.ParseInt(got, 10, 64)
				if err != nil || pttl > 10000 || pttl < 8000 {
					t.Fatalf("%s: %v then PTTL = %s, want 8000..10000", addr, form(at), got)
				}
				if f == 0 {
					if pt := string(c.Do("PEXPIRETIME", "k")); pt != ":"+itoa(at)+"\r\n" {
						t.Fatalf("%s: PEXPIRETIME = %q, want %d", addr, pt, at)
					}
				}
			}
		}
		c.Close()
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
