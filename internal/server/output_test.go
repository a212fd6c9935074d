package server

import (
	"runtime"
	"strconv"
	"testing"

	"shoal/internal/config"
)

// TestBackloggedOutputIsQueued: replies made while the socket is behind
// (wbuf not yet written) are queued as chunks, not appended to wbuf, which
// would copy everything pending at each growth: a subscriber that never
// reads must cost about what it was sent (Redis's reply list), not a
// trail of doubled copies.
func TestBackloggedOutputIsQueued(t *testing.T) {
	s := New(config.Default())
	c := &conn{srv: s}
	c.wbuf = make([]byte, 100)
	c.wpos = 10 // the socket took only part of it
	msg := make([]byte, 1000)
	const passes = 2000
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := 0; i < passes; i++ {
		c.B = append(c.B, msg...)
		c.takeOutput()
	}
	runtime.ReadMemStats(&after)
	sent := passes * len(msg)
	if got := len(c.wbuf) - c.wpos + c.wqBytes; got != sent+90 {
		t.Fatalf("pending output %d bytes, want %d", got, sent+90)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > uint64(2*sent) {
		t.Errorf("queuing %d bytes allocated %d bytes", sent, alloc)
	}
	if c.wcap > 2*sent {
		t.Errorf("output holds %d bytes of buffers for %d bytes", c.wcap, sent)
	}
}

// TestHugeArgvNotKept: after a command with a huge argc the connection
// drops its argv tables (Redis frees argv after each command), and the
// query buffer's trimmed capacity stops counting in used_memory.
func TestHugeArgvNotKept(t *testing.T) {
	s, addr := startInProcess(t, 1)
	c, err := dialClient(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.close()
	args := []string{"SADD", "myset"}
	for i := 0; i < 5000; i++ {
		args = append(args, strconv.Itoa(i))
	}
	if err := c.expect(":5000\r\n", args...); err != nil {
		t.Fatal(err)
	}
	if err := c.expect("+PONG\r\n", "PING"); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cl := range s.clients {
		if cap(cl.argv) > argvKeep || cap(cl.Argv) > argvKeep {
			t.Fatalf("connection keeps argv tables of %d/%d entries", cap(cl.argv), cap(cl.Argv))
		}
	}
}
