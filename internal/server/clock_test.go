package server

import (
	"testing"
	"time"
)

// TestCmdClockNotBehindWall checks the command clock against the wall clock
// read just before: a key given PXAT now+10000 by a client must never show
// a PTTL above 10000 (Redis's unit/type/string "GETEX PXAT option").
func TestCmdClockNotBehindWall(t *testing.T) {
	var k cmdClock
	for i := 0; i < 40; i++ {
		// Sync at varied sub-millisecond phases of the wall clock, then
		// read for a few ms so the readings cross millisecond boundaries.
		k.sync()
		end := time.Now().Add(3 * time.Millisecond)
		for time.Now().Before(end) {
			before := time.Now().UnixMilli()
			k.start()
			if got := k.nowMs(); got < before {
				t.Fatalf("command clock %d ms behind the wall clock read before it", before-got)
			}
		}
	}
}
