package integration

import (
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestPauseKeepsExpiredKeys: while writes are paused an expired key reads
// as missing but is not deleted (that would be a write), so DBSIZE still
// counts it until CLIENT UNPAUSE; Redis 7.0 and Shoal must agree.
func TestPauseKeepsExpiredKeys(t *testing.T) {
	_, shoal := startShoal(t)
	addrs := []string{shoal}
	if r, ok := testutil.StartRedis(t); ok {
		addrs = append(addrs, r)
	}
	var transcripts [][]string
	for _, addr := range addrs {
		c := testutil.Dial(t, addr)
		var got []string
		do := func(args ...string) { got = append(got, string(c.Do(args...))) }
		do("SET", "k", "v", "PX", "50")
		do("SET", "live", "v")
		do("CLIENT", "PAUSE", "5000", "WRITE")
		testutil.WaitFor(t, 2*time.Second, func() bool { return string(c.Do("PTTL", "k")) == ":-2\r\n" })
		do("GET", "k")
		do("EXISTS", "k")
		do("DBSIZE")
		do("CLIENT", "UNPAUSE")
		do("GET", "k")
		do("DBSIZE")
		transcripts = append(transcripts, got)
		c.Close()
	}
	want := []string{"+OK\r\n", "+OK\r\n", "+OK\r\n", "$-1\r\n", ":0\r\n", ":2\r\n", "+OK\r\n", "$-1\r\n", ":1\r\n"}
	for i, got := range transcripts {
		for j := range want {
			if got[j] != want[j] {
				t.Fatalf("server %s step %d: got %q want %q", addrs[i], j, got[j], want[j])
			}
		}
	}
}
