package integration

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestConfigSetRebind changes port and bind with CONFIG SET on
// redis-server and shoal-server and compares what clients see: the new
// address accepts, the old one refuses, a port or address that cannot be
// bound fails with Redis's error and leaves the old sockets serving, and
// connections accepted before a change stay open throughout.
func TestConfigSetRebind(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		var out strings.Builder
		step := func(format string, args ...any) {
			fmt.Fprintf(&out, format+"\n", args...)
		}
		c := testutil.Dial(t, addr)
		do := func(args ...string) {
			step("%s -> %q", strings.Join(args, " "), c.Do(args...))
		}
		_, oldPort, _ := net.SplitHostPort(addr)
		p2 := strconv.Itoa(testutil.FreePort(t))
		addr2 := net.JoinHostPort("127.0.0.1", p2)

		// A port change: the new port accepts, the old one refuses.
		step("set port: %q", c.Do("CONFIG", "SET", "port", p2))
		step("new port pings: %v", pingOnce(addr2))
		step("old port pings: %v", pingOnce(addr))
		do("PING")

		// A port in use fails; the current one keeps serving.
		taken, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(testutil.FreePort(t)))
		if err != nil {
			t.Fatal(err)
		}
		defer taken.Close()
		_, p3, _ := net.SplitHostPort(taken.Addr().String())
		step("set taken port: %q", c.Do("CONFIG", "SET", "port", p3))
		step("port unchanged: %v", string(c.Do("CONFIG", "GET", "port")) == fmt.Sprintf("*2\r\n$4\r\nport\r\n$%d\r\n%s\r\n", len(p2), p2))
		step("port still pings: %v", pingOnce(addr2))
		step("set taken port and bind: %q", c.Do("CONFIG", "SET", "port", p3, "bind", "127.0.0.1"))
		do("CONFIG", "GET", "bind")
		step("port still pings: %v", pingOnce(addr2))

		// Bind changes: to loopback only, with an optional address that
		// cannot be bound, then to addresses that fail.
		do("CONFIG", "SET", "bind", "127.0.0.1")
		step("loopback pings: %v", pingOnce(addr2))
		do("CONFIG", "SET", "bind", "127.0.0.1 -192.0.2.1")
		do("CONFIG", "GET", "bind")
		step("loopback pings: %v", pingOnce(addr2))
		do("CONFIG", "SET", "bind", "192.0.2.1")
		do("CONFIG", "SET", "bind", "127.0.0.1 127.0.0.1")
		do("CONFIG", "GET", "bind")
		step("loopback pings after failed binds: %v", pingOnce(addr2))

		// A client accepted on the new port works as well as the first.
		c2 := testutil.Dial(t, addr2)
		step("second client: %q", c2.Do("PING"))

		// Port 0 listens nowhere; existing connections stay.
		do("CONFIG", "SET", "port", "0")
		step("port 0 pings: %v", pingOnce(addr2))
		do("PING")
		step("set port back: %q", c.Do("CONFIG", "SET", "port", oldPort))
		step("old port pings again: %v", testutil.Poll(2*time.Second, func() bool { return pingOnce(addr) }))
		step("second client still open: %q", c2.Do("PING"))
		return out.String()
	})
}
