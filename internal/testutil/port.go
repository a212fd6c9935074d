package testutil

import (
	"fmt"
	"math/rand/v2"
	"net"
	"sync"
	"testing"
)

// busOffset is the distance between a node's client port and its cluster
// bus port, as Redis Cluster fixes it.
const busOffset = 10000

// Ports are drawn from [portLow, portHigh) so that the bus port stays below
// 65536 and mostly below the kernel's ephemeral range.
const (
	portLow  = 15000
	portHigh = 30000
)

var (
	portMu    sync.Mutex
	portTaken = map[int]bool{}
)

// FreePort returns a TCP port that is free on 127.0.0.1 together with
// port+10000 (its cluster bus port). Ports handed out earlier in this test
// binary, and their bus ports, are never handed out again.
func FreePort(t testing.TB) int {
	t.Helper()
	portMu.Lock()
	defer portMu.Unlock()
	for range 1000 {
		p := portLow + rand.IntN(portHigh-portLow)
		if portTaken[p] || portTaken[p+busOffset] {
			continue
		}
		if !canListen(p) || !canListen(p+busOffset) {
			continue
		}
		portTaken[p] = true
		portTaken[p+busOffset] = true
		return p
	}
	t.Fatalf("testutil: no free port pair in [%d,%d)", portLow, portHigh)
	return 0
}

func canListen(port int) bool {
	l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
