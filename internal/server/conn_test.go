package server

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"shoal/internal/config"
	"shoal/internal/testutil"
)

func TestDropReply(t *testing.T) {
	tests := []struct {
		name       string
		buf        string
		replyStart int
		keep       []int
		want       string
	}{
		{"nothing kept", "prev|reply", 5, nil, "prev|"},
		{"all kept", "prev|push", 5, []int{5, 9}, "prev|push"},
		{"push after reply", "prev|:1\r\n>push", 5, []int{9, 14}, "prev|>push"},
		{"two pushes around replies", "p|A+OK|B-x", 2, []int{2, 3, 7, 8}, "p|AB"},
		{"buffer discarded meanwhile", "", 5, []int{5, 9}, ""},
		{"range past a shortened buffer", "prev|pu", 5, []int{5, 9}, "prev|"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &conn{}
			c.B = append(c.B, tt.buf...)
			c.keep = tt.keep
			c.dropReply(tt.replyStart)
			if string(c.B) != tt.want {
				t.Errorf("got %q, want %q", c.B, tt.want)
			}
		})
	}
}

// TestClientListQbuf checks the qbuf field of CLIENT LIST for another
// client's partial command and for the caller, against values read from
// Redis 7.0.15.
func TestClientListQbuf(t *testing.T) {
	_, addr := startInProcess(t, 1)
	tests := []struct {
		name    string
		partial string
		want    string
	}{
		{"cut at an argument boundary", "*3\r\n$3\r\nSET\r\n$1\r\na\r\n", "qbuf=0"},
		{"cut inside a bulk", "*1\r\n$4\r\nPI", "qbuf=2"},
		{"cut inside a bulk header", "*2\r\n$4\r\nECHO\r\n$1", "qbuf=2"},
		{"cut inside the count", "*1", "qbuf=2"},
		{"partial inline command", "PIN", "qbuf=3"},
	}
	ctl := testutil.Dial(t, addr)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := testutil.Dial(t, addr)
			defer c.Close()
			if got := string(c.Do("CLIENT", "SETNAME", "half")); got != "+OK\r\n" {
				t.Fatalf("SETNAME: %q", got)
			}
			c.DoRawSend([]byte(tt.partial))
			re := regexp.MustCompile(`name=half .* (qbuf=\d+) `)
			var got string
			testutil.WaitFor(t, 2*time.Second, func() bool {
				m := re.FindStringSubmatch(string(ctl.Do("CLIENT", "LIST")))
				got = ""
				if m != nil {
					got = m[1]
				}
				return got == tt.want
			})
		})
	}
	self := regexp.MustCompile(` qbuf=26 `)
	if got := ctl.Do("CLIENT", "INFO"); !self.Match(got) {
		t.Errorf("CLIENT INFO of the caller: %q, want qbuf=26 (the command itself)", got)
	}
	if got := ctl.DoRaw([]byte("CLIENT INFO\r\n")); !regexp.MustCompile(` qbuf=13 `).Match(got) {
		t.Errorf("inline CLIENT INFO of the caller: %q, want qbuf=13", got)
	}
}

// TestSlowReaderQueue: replies for a client whose socket is behind are
// queued as copies in chunks of at least replyChunk bytes, filled before a
// new one starts, and the reply buffer is kept for the next replies; a
// reply buffer over replyCopyMax is queued itself. The client's share of
// used_memory follows the queue.
func TestSlowReaderQueue(t *testing.T) {
	cfg := config.Default()
	cfg.LogFile = filepath.Join(t.TempDir(), "shoal.log")
	s := New(cfg)
	c := &conn{srv: s}
	c.wbuf = []byte("not yet written")
	msg := make([]byte, 144)
	const passes, perPass = 300, 10
	for i := 0; i < passes; i++ {
		for j := 0; j < perPass; j++ {
			c.B = append(c.B, msg...)
		}
		c.takeOutput()
	}
	queued := passes * perPass * len(msg)
	if c.wqBytes != queued {
		t.Fatalf("wqBytes %d, want %d", c.wqBytes, queued)
	}
	// A chunk takes whole passes: at most one pass of room is left over.
	if maxChunks := queued/(replyChunk-perPass*len(msg)) + 1; len(c.wq) > maxChunks {
		t.Fatalf("%d chunks for %d bytes, want at most %d", len(c.wq), queued, maxChunks)
	}
	if cap(c.B) == 0 {
		t.Fatal("reply buffer not kept for the next replies")
	}
	if want := int64(cap(c.B)+c.wcap) + clientOverhead; c.memAcct != want {
		t.Fatalf("client counted %d, holds %d", c.memAcct, want)
	}
	big := make([]byte, replyCopyMax+1)
	c.B = append(c.B[:0], big...)
	c.takeOutput()
	if last := c.wq[len(c.wq)-1]; len(last) != len(big) || c.B != nil {
		t.Fatalf("big reply buffer copied (last chunk %d bytes, B kept %v)", len(last), c.B != nil)
	}
}
