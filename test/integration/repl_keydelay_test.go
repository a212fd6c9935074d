package integration

import (
	"bufio"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestDisklessSyncStreamsUnderKeyDelay: with rdb-key-save-delay (10 ms per
// key here, 100 keys of 100 KB) a diskless full sync sends each key as it is
// written, as Redis's fork child does, so a replica sees the transfer
// begin at once and can load it progressively; Redis's Tcl tests (the
// replica's loading state, the watchdog during a diskless load) rely on
// it. The first payload bytes must come long before the 1 s the whole
// image takes; both servers side by side.
func TestDisklessSyncStreamsUnderKeyDelay(t *testing.T) {
	for _, srv := range startBoth(t, "--repl-diskless-sync", "yes", "--repl-diskless-sync-delay", "0") {
		t.Run(srv.name, func(t *testing.T) {
			c := testutil.Dial(t, srv.addr)
			defer c.Close()
			for i := range 100 {
				c.Send("SET", fmt.Sprintf("k%d", i), strings.Repeat("v", 100000))
			}
			for range 100 {
				c.ReadReply()
			}
			c.Do("CONFIG", "SET", "rdb-key-save-delay", "10000")
			nc, err := net.Dial("tcp", srv.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer nc.Close()
			nc.SetDeadline(time.Now().Add(20 * time.Second))
			br := bufio.NewReader(nc)
			nc.Write([]byte("REPLCONF capa eof capa psync2\r\n"))
			if l, _ := br.ReadString('\n'); l != "+OK\r\n" {
				t.Fatalf("REPLCONF: %q", l)
			}
			nc.Write([]byte("PSYNC ? -1\r\n"))
			if l, _ := br.ReadString('\n'); !strings.HasPrefix(l, "+FULLRESYNC") {
				t.Fatalf("PSYNC: %q", l)
			}
			start := time.Now()
			var pre string
			for pre == "" || pre == "\n" {
				// The master sends newlines while it prepares.
				pre, err = br.ReadString('\n')
				if err != nil {
					t.Fatal(err)
				}
			}
			if !strings.HasPrefix(pre, "$EOF:") {
				t.Fatalf("payload preamble %q", pre)
			}
			if _, err := br.ReadByte(); err != nil {
				t.Fatal(err)
			}
			if first := time.Since(start); first > 600*time.Millisecond {
				t.Errorf("first payload byte after %v; the whole image takes 1 s", first)
			}
		})
	}
}
