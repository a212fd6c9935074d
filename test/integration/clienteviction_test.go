package integration

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestClientEviction runs client eviction (maxmemory-clients 1mb) against
// redis-server and shoal-server and compares the transcripts: a client
// whose partial bulk grows its query buffer past the limit is
// disconnected, a CLIENT NO-EVICT client with the same buffer survives and
// completes its command, INFO stats counts one evicted client, and the
// log has Redis's eviction line. (Redis's warning that the clients left
// cannot be evicted depends on when its cron accounts a NO-EVICT client's
// memory, so it is not compared; the package's unit tests check Shoal's.)
func TestClientEviction(t *testing.T) {
	srvs := startBoth(t, "--maxmemory-clients", "1mb")
	var transcripts [2]string
	for i, srv := range srvs {
		transcripts[i] = clientEvictionSteps(t, srv)
	}
	if transcripts[0] != transcripts[1] {
		t.Errorf("transcripts differ\nredis:\n%s\nshoal:\n%s", transcripts[0], transcripts[1])
	}
	t.Logf("transcript:\n%s", transcripts[1])
}

func clientEvictionSteps(t *testing.T, srv server) string {
	var out strings.Builder
	step := func(format string, args ...any) { fmt.Fprintf(&out, format+"\n", args...) }
	const declared = 3000000
	head := []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(declared) + "\r\n")
	part := bytes.Repeat([]byte("x"), 1200000)

	ctl := testutil.Dial(t, srv.addr)
	step("ctl NO-EVICT %q", ctl.Do("CLIENT", "NO-EVICT", "on"))

	// The victim's writes may fail once the server has closed it.
	victim, err := net.DialTimeout("tcp", srv.addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer victim.Close()
	victim.SetDeadline(time.Now().Add(10 * time.Second))
	victim.Write(testutil.AppendCommand(nil, "CLIENT", "SETNAME", "victim"))
	buf := make([]byte, 64)
	n, _ := victim.Read(buf)
	step("victim SETNAME %q", buf[:n])
	victim.Write(head)
	victim.Write(part)
	victim.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = victim.Read(buf)
	var ne net.Error
	step("victim disconnected %v", err != nil && !(errors.As(err, &ne) && ne.Timeout()))

	keeper := testutil.Dial(t, srv.addr)
	step("keeper NO-EVICT %q", keeper.Do("CLIENT", "NO-EVICT", "on"))
	keeper.Do("CLIENT", "SETNAME", "keeper")
	keeper.DoRawSend(append(append([]byte(nil), head...), part...))
	step("keeper's buffer seen %v", testutil.Poll(5*time.Second, func() bool {
		return strings.Contains(string(ctl.Do("CLIENT", "LIST")), "name=keeper age=")
	}) && testutil.Poll(5*time.Second, func() bool {
		return strings.Contains(string(ctl.Do("CLIENT", "LIST")), " qbuf=1200000 ")
	}))
	rest := append(bytes.Repeat([]byte("x"), declared-len(part)), "\r\n"...)
	step("keeper SET %q", keeper.DoRaw(rest))
	step("keeper PING %q", keeper.Do("PING"))
	step("STRLEN %q", ctl.Do("STRLEN", "k"))
	info := string(ctl.Do("INFO", "stats"))
	for _, line := range strings.Split(info, "\r\n") {
		if strings.HasPrefix(line, "evicted_clients:") {
			step("%s", line)
		}
	}
	step("ctl PING %q", ctl.Do("PING"))
	log := srv.proc.Output()
	evictLine := ""
	for _, line := range strings.Split(log, "\n") {
		if i := strings.Index(line, "* Evicting client: id="); i >= 0 {
			evictLine = line[i:]
		}
	}
	step("eviction logged for the victim %v", strings.Contains(evictLine, " name=victim "))
	return out.String()
}

// TestClientEvictedOnFirstRead: a client that sends a bulk as big as
// maxmemory-clients is evicted as soon as its length is read (Redis makes
// room for a big bulk at once), and is gone before the next command of
// another client runs (unit/client-eviction "client evicted due to
// percentage of maxmemory").
func TestClientEvictedOnFirstRead(t *testing.T) {
	for _, srv := range startBoth(t) {
		t.Run(srv.name, func(t *testing.T) {
			r := testutil.Dial(t, srv.addr)
			r.Do("CONFIG", "SET", "maxmemory", "6mb")
			r.Do("CONFIG", "SET", "maxmemory-clients", "7%")
			const n = 440401
			payload := []byte(fmt.Sprintf("*1\r\n$%d\r\n%s", n, strings.Repeat("v", n)))
			for i := 0; i < 20; i++ {
				c, err := net.Dial("tcp", srv.addr)
				if err != nil {
					t.Fatal(err)
				}
				name := "big" + strconv.Itoa(i)
				c.Write([]byte("CLIENT SETNAME " + name + "\r\n"))
				buf := make([]byte, 16)
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				c.Read(buf)
				c.Write(payload)
				if strings.Contains(string(r.Do("CLIENT", "LIST")), "name="+name+" ") {
					t.Fatalf("round %d: the client is still listed after sending its bulk", i)
				}
				c.Close()
			}
		})
	}
}
