package integration

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shoal/internal/testutil"
)

func TestConfigFile(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	port, addr := freeAddr(t)
	dir := t.TempDir()
	conf := filepath.Join(dir, "redis.conf")
	body := fmt.Sprintf("port %d\nappendonly no\nsave \"\"\nmaxmemory 100mb\nhz 20\n", port)
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	p := testutil.StartProc(t, shoalBin, conf, "--dir", dir)
	waitPing(t, p, addr)
	c := testutil.Dial(t, addr)
	for _, tc := range []struct{ param, want string }{
		{"port", strconv.Itoa(port)},
		{"maxmemory", "104857600"},
		{"hz", "20"},
		{"appendonly", "no"},
		{"save", ""},
	} {
		want := fmt.Sprintf("*2\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", len(tc.param), tc.param, len(tc.want), tc.want)
		if got := string(c.Do("CONFIG", "GET", tc.param)); got != want {
			t.Errorf("CONFIG GET %s = %q, want %q", tc.param, got, want)
		}
	}
	if got := string(c.Do("INFO", "server")); !strings.Contains(got, "config_file:"+conf+"\r\n") {
		t.Errorf("INFO server does not name the config file:\n%s", got)
	}
}

func TestConfigFilePortOverride(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	filePort, fileAddr := freeAddr(t)
	port, addr := freeAddr(t)
	conf := filepath.Join(t.TempDir(), "redis.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf("port %d\nsave \"\"\n", filePort)), 0o644)
	p := testutil.StartProc(t, shoalBin, conf, "--port", strconv.Itoa(port))
	waitPing(t, p, addr)
	if pingOnce(fileAddr) {
		t.Errorf("the port from the file (%d) answers although --port overrode it", filePort)
	}
}

func TestConfigFileErrors(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	tests := []struct {
		name, body string
		want       []string
	}{
		{"bad directive", "port 0\nnosuch-directive yes\n", []string{
			"*** FATAL CONFIG FILE ERROR", "Reading the configuration file, at line 2",
			">>> 'nosuch-directive yes'", "Bad directive or wrong number of arguments"}},
		{"bad value", "# comment\n\nmaxmemory abc\n", []string{
			"at line 3", ">>> 'maxmemory abc'", "argument must be a memory value"}},
		{"wrong arity", "port\n", []string{"at line 1", ">>> 'port'"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conf := filepath.Join(t.TempDir(), "bad.conf")
			os.WriteFile(conf, []byte(tt.body), 0o644)
			p := testutil.StartProc(t, shoalBin, conf)
			testutil.WaitFor(t, 10*time.Second, p.Exited)
			err := p.Stop()
			if ee, ok := err.(interface{ ExitCode() int }); !ok || ee.ExitCode() != 1 {
				t.Errorf("exit status = %v, want 1", err)
			}
			out := p.Output()
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		p := testutil.StartProc(t, shoalBin, filepath.Join(t.TempDir(), "nosuch.conf"))
		testutil.WaitFor(t, 10*time.Second, p.Exited)
		if err := p.Stop(); err == nil {
			t.Errorf("started without its config file:\n%s", p.Output())
		}
	})
}

func TestSIGTERM(t *testing.T) {
	p, addr := startShoal(t)
	c := testutil.Dial(t, addr)
	c.Do("SET", "k", "v")
	if err := syscall.Kill(p.Pid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 10*time.Second, p.Exited)
	if err := p.Stop(); err != nil {
		t.Errorf("exit after SIGTERM: %v\n%s", err, p.Output())
	}
	if !closedByPeer(c, 2*time.Second) {
		t.Error("client connection still open after shutdown")
	}
	if out := p.Output(); !strings.Contains(out, "Received SIGTERM") || !strings.Contains(out, "ready to exit") {
		t.Errorf("log does not show a clean shutdown:\n%s", out)
	}
}

// TestSIGTERMAtFirstAccept: a SIGTERM sent the moment the port accepts
// (as a supervisor or a test harness that waits for the port does) shuts
// the server down cleanly, because the handlers are installed before the
// server listens, as Redis's initServer does. Cluster mode widens the
// start-up steps between listening and loading (nodes.conf is written and
// fsynced), where a signal once killed the process.
func TestSIGTERMAtFirstAccept(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	for i := range 5 {
		dir := t.TempDir()
		port, addr := freeAddr(t)
		p := testutil.StartProc(t, shoalBin, "--port", strconv.Itoa(port), "--dir", dir,
			"--save", "", "--cluster-enabled", "yes")
		deadline := time.Now().Add(20 * time.Second)
		for {
			if c, err := net.Dial("tcp", addr); err == nil {
				c.Close()
				break
			}
			if p.Exited() || time.Now().After(deadline) {
				t.Fatalf("start %d: never accepted:\n%s", i, p.Output())
			}
		}
		if err := syscall.Kill(p.Pid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, 10*time.Second, p.Exited)
		if err := p.Stop(); err != nil {
			t.Fatalf("start %d: exit after SIGTERM at first accept: %v\n%s", i, err, p.Output())
		}
		if out := p.Output(); !strings.Contains(out, "ready to exit") {
			t.Fatalf("start %d: log does not show a clean shutdown:\n%s", i, out)
		}
	}
}

func TestShutdownCommand(t *testing.T) {
	p, addr := startShoal(t)
	c := testutil.Dial(t, addr)
	if got := string(c.Do("SHUTDOWN", "BADARG")); got != "-ERR syntax error\r\n" {
		t.Errorf("SHUTDOWN BADARG = %q", got)
	}
	if got := string(c.Do("SHUTDOWN", "ABORT")); got != "-ERR No shutdown in progress.\r\n" {
		t.Errorf("SHUTDOWN ABORT = %q", got)
	}
	c.Send("SHUTDOWN", "NOSAVE")
	if !closedByPeer(c, 5*time.Second) {
		t.Error("SHUTDOWN replied instead of closing the connection")
	}
	testutil.WaitFor(t, 10*time.Second, p.Exited)
	if err := p.Stop(); err != nil {
		t.Errorf("exit after SHUTDOWN: %v", err)
	}
}

func TestRequirePass(t *testing.T) {
	// The password is set after start-up, so the harness's PING still
	// finds the server ready.
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		admin := testutil.Dial(t, addr)
		var b strings.Builder
		b.Write(admin.Do("CONFIG", "SET", "requirepass", "s3cret"))
		// Connections made before keep their authentication.
		b.Write(admin.Do("PING"))
		c := testutil.Dial(t, addr)
		for _, cmd := range [][]string{
			{"PING"}, {"GET", "k"}, {"AUTH", "wrong"}, {"AUTH", "default", "wrong"},
			{"HELLO", "3"}, {"AUTH", "s3cret"}, {"SET", "k", "v"}, {"GET", "k"},
		} {
			b.Write(c.Do(cmd...))
		}
		c2 := testutil.Dial(t, addr)
		b.Write(c2.Do("GET", "k"))
		b.Write(c2.Do("AUTH", "default", "s3cret"))
		b.Write(c2.Do("GET", "k"))
		b.Write(c2.Do("RESET"))
		b.Write(c2.Do("GET", "k"))
		b.Write(helloID.ReplaceAll(c2.Do("HELLO", "2", "AUTH", "default", "s3cret"), []byte("$2\r\nid\r\n:0\r\n")))
		b.Write(c2.Do("GET", "k"))
		b.Write(admin.Do("CONFIG", "SET", "requirepass", ""))
		return b.String()
	})
}

// helloID matches the connection id field of a RESP2 HELLO reply.
var helloID = regexp.MustCompile(`\$2\r\nid\r\n:\d+\r\n`)

func TestProtectedModeLoopback(t *testing.T) {
	_, addr := startShoal(t, "--protected-mode", "yes")
	c := testutil.Dial(t, addr)
	if got := string(c.Do("PING")); got != "+PONG\r\n" {
		t.Fatalf("loopback PING under protected-mode = %q", got)
	}
}

func TestMaxClients(t *testing.T) {
	sameOnBoth(t, []string{"--maxclients", "2"}, func(t *testing.T, addr string) string {
		c1 := testutil.Dial(t, addr)
		c2 := testutil.Dial(t, addr)
		c1.Do("PING")
		c2.Do("PING")
		c3 := testutil.Dial(t, addr)
		got := string(c3.ReadReply())
		if !closedByPeer(c3, 5*time.Second) {
			t.Error("the client over maxclients stays connected")
		}
		// A slot frees up once a client leaves.
		c1.Close()
		testutil.WaitFor(t, 5*time.Second, func() bool {
			c := testutil.Dial(t, addr)
			defer c.Close()
			r, err := c.TryReadReply(100 * time.Millisecond)
			return err != nil && r == nil && string(c.Do("PING")) == "+PONG\r\n"
		})
		return got
	})
}

func TestIdleTimeout(t *testing.T) {
	_, addr := startShoal(t, "--timeout", "1")
	idle := testutil.Dial(t, addr)
	idle.Do("PING")
	testutil.WaitFor(t, 10*time.Second, func() bool { return closedByPeer(idle, 200*time.Millisecond) })
	// Subscribers are exempt from the timeout, as in Redis.
	sub := testutil.Dial(t, addr)
	sub.Do("SUBSCRIBE", "ch")
	time.Sleep(2500 * time.Millisecond)
	if got := string(sub.Do("PING")); got != "*2\r\n$4\r\npong\r\n$0\r\n\r\n" {
		t.Errorf("subscriber after the timeout: PING = %q", got)
	}
}

func TestProtocolErrors(t *testing.T) {
	cases := []struct{ name, in string }{
		{"bad bulk length", "*1\r\n$x\r\n"},
		{"bad multibulk length", "*x\r\n"},
		{"expected $", "*1\r\n+GET\r\n"},
		{"bulk too big", "*1\r\n$2000000\r\n"},
		{"multibulk too big", "*2000000\r\n"},
		{"unbalanced quotes", "SET k \"v\r\n"},
		{"inline command", "PING\r\nECHO hi\r\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sameOnBoth(t, []string{"--proto-max-bulk-len", "1mb"}, func(t *testing.T, addr string) string {
				c := testutil.Dial(t, addr)
				c.DoRawSend([]byte(tc.in))
				return transcript(c, 2*time.Second)
			})
		})
	}
}

func TestQueryBufferLimit(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
	}{
		// An inline request without a newline passes the 64KB inline limit
		// (small enough to sit in socket buffers: a bigger one races the
		// server closing the connection with our own write).
		{"long inline", bytes.Repeat([]byte("a"), 100<<10)},
		// A multibulk argument may be bigger than the query buffer limit.
		{"big bulk", append(testutil.AppendCommand(nil, "SET", "k", string(bytes.Repeat([]byte("v"), 3<<20))), testutil.AppendCommand(nil, "STRLEN", "k")...)},
		// Many small pending arguments are not.
		{"many args", []byte("*100000\r\n" + strings.Repeat("$100\r\n"+strings.Repeat("x", 100)+"\r\n", 20000))},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sameOnBoth(t, []string{"--client-query-buffer-limit", "1mb"}, func(t *testing.T, addr string) string {
				c := testutil.Dial(t, addr)
				c.DoRawSend(tc.in)
				out := transcript(c, 2*time.Second)
				if got := string(testutil.Dial(t, addr).Do("PING")); got != "+PONG\r\n" {
					t.Errorf("PING from another client = %q", got)
				}
				return out
			})
		})
	}
}

// transcript reads replies from c until it is closed, "(closed)", or
// nothing comes for wait, "(open)".
func transcript(c *testutil.Conn, wait time.Duration) string {
	var b strings.Builder
	for {
		r, err := c.TryReadReply(wait)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				b.WriteString("(open)")
			} else {
				b.WriteString("(closed)")
			}
			return b.String()
		}
		b.Write(r)
	}
}

func TestPipelining(t *testing.T) {
	_, addr := startShoal(t)
	c := testutil.Dial(t, addr)
	const n = 10000
	var buf []byte
	for i := range n {
		buf = testutil.AppendCommand(buf, "INCR", "counter")
		_ = i
	}
	c.DoRawSend(buf)
	for i := 1; i <= n; i++ {
		want := ":" + strconv.Itoa(i) + "\r\n"
		if got := string(c.ReadReply()); got != want {
			t.Fatalf("reply %d = %q, want %q", i, got, want)
		}
	}
}

func TestClientReplyOffSkip(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var buf []byte
		for _, cmd := range [][]string{
			{"CLIENT", "REPLY", "SKIP"}, {"SET", "a", "1"}, {"GET", "a"},
			{"CLIENT", "REPLY", "OFF"}, {"SET", "b", "2"}, {"GET", "b"}, {"NOSUCH"},
			{"CLIENT", "REPLY", "SKIP"}, {"PING"},
			{"CLIENT", "REPLY", "ON"}, {"GET", "b"},
			{"CLIENT", "REPLY", "SKIP"}, {"CLIENT", "REPLY", "SKIP"}, {"PING", "first"}, {"PING", "second"},
		} {
			buf = testutil.AppendCommand(buf, cmd...)
		}
		c.DoRawSend(buf)
		var b strings.Builder
		for {
			r, err := c.TryReadReply(300 * time.Millisecond)
			if err != nil {
				return b.String()
			}
			b.Write(r)
		}
	})
}

func TestClientPauseWrite(t *testing.T) {
	_, addr := startShoal(t)
	admin := testutil.Dial(t, addr)
	writer := testutil.Dial(t, addr)
	if got := string(admin.Do("CLIENT", "PAUSE", "20000", "WRITE")); got != "+OK\r\n" {
		t.Fatalf("CLIENT PAUSE = %q", got)
	}
	writer.Send("SET", "k", "v")
	if r, err := writer.TryReadReply(300 * time.Millisecond); err == nil {
		t.Fatalf("SET answered during CLIENT PAUSE WRITE: %q", r)
	}
	// Reads go on.
	if got := string(admin.Do("GET", "k")); got != "$-1\r\n" {
		t.Fatalf("GET during the pause = %q", got)
	}
	if got := string(admin.Do("CLIENT", "UNPAUSE")); got != "+OK\r\n" {
		t.Fatalf("CLIENT UNPAUSE = %q", got)
	}
	if got := string(writer.ReadReply()); got != "+OK\r\n" {
		t.Fatalf("SET after unpause = %q", got)
	}
	if got := string(admin.Do("GET", "k")); got != "$1\r\nv\r\n" {
		t.Fatalf("GET after unpause = %q", got)
	}

	// A pause also ends by itself.
	admin.Do("CLIENT", "PAUSE", "300", "ALL")
	start := time.Now()
	if got := string(writer.Do("GET", "k")); got != "$1\r\nv\r\n" {
		t.Fatalf("GET after a timed pause = %q", got)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("GET under CLIENT PAUSE ALL answered after %v", d)
	}
}

func TestClientKill(t *testing.T) {
	_, addr := startShoal(t)
	admin := testutil.Dial(t, addr)
	victim := testutil.Dial(t, addr)
	id := strings.TrimSuffix(strings.TrimPrefix(string(victim.Do("CLIENT", "ID")), ":"), "\r\n")
	if got := string(admin.Do("CLIENT", "KILL", "ID", id)); got != ":1\r\n" {
		t.Fatalf("CLIENT KILL ID = %q", got)
	}
	if !closedByPeer(victim, 5*time.Second) {
		t.Fatal("killed client still connected")
	}
	if got := string(admin.Do("CLIENT", "KILL", "ID", id)); got != ":0\r\n" {
		t.Fatalf("second CLIENT KILL ID = %q", got)
	}

	// Old form: by address, answers +OK.
	victim2 := testutil.Dial(t, addr)
	victim2.Do("PING")
	local := victimAddr(t, victim2)
	if got := string(admin.Do("CLIENT", "KILL", local)); got != "+OK\r\n" {
		t.Fatalf("CLIENT KILL addr = %q", got)
	}
	if !closedByPeer(victim2, 5*time.Second) {
		t.Fatal("client killed by address still connected")
	}

	// SKIPME no kills the caller too, after its reply.
	other := testutil.Dial(t, addr)
	other.Do("PING")
	if got := string(admin.Do("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no")); got != ":2\r\n" {
		t.Fatalf("CLIENT KILL TYPE normal SKIPME no = %q", got)
	}
	if !closedByPeer(admin, 5*time.Second) || !closedByPeer(other, 5*time.Second) {
		t.Fatal("clients still connected after CLIENT KILL TYPE normal SKIPME no")
	}
}

// victimAddr is the address the server sees for c, from CLIENT INFO.
func victimAddr(t *testing.T, c *testutil.Conn) string {
	info := string(c.Do("CLIENT", "INFO"))
	m := regexp.MustCompile(` addr=(\S+) `).FindStringSubmatch(info)
	if m == nil {
		t.Fatalf("CLIENT INFO without addr: %q", info)
	}
	return m[1]
}

func TestClientListFields(t *testing.T) {
	fields := func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		c.Do("CLIENT", "SETNAME", "me")
		var names []string
		for _, kv := range strings.Fields(bulkText(t, c.Do("CLIENT", "INFO"))) {
			k, _, _ := strings.Cut(kv, "=")
			names = append(names, k)
		}
		return strings.Join(names, " ")
	}
	sameOnBoth(t, nil, fields)
}

// bulkText is the payload of a bulk or verbatim reply.
func bulkText(t *testing.T, r []byte) string {
	t.Helper()
	i := bytes.Index(r, []byte("\r\n"))
	if i < 0 || (r[0] != '$' && r[0] != '=') {
		t.Fatalf("not a bulk reply: %q", r)
	}
	body := r[i+2 : len(r)-2]
	if r[0] == '=' {
		body = body[4:]
	}
	return string(body)
}

func TestMonitor(t *testing.T) {
	_, addr := startShoal(t)
	mon := testutil.Dial(t, addr)
	if got := string(mon.Do("MONITOR")); got != "+OK\r\n" {
		t.Fatalf("MONITOR = %q", got)
	}
	c := testutil.Dial(t, addr)
	c.Do("SELECT", "2")
	c.Do("SET", "k", "a \"quoted\"\n\x01value")
	c.Do("CONFIG", "GET", "hz") // admin commands are not shown
	c.Do("GET", "k")
	want := []string{
		`"SELECT" "2"`,
		`"SET" "k" "a \"quoted\"\n\x01value"`,
		`"GET" "k"`,
	}
	re := regexp.MustCompile(`^\+(\d+)\.(\d{6}) \[(\d+) (127\.0\.0\.1:\d+)\] (.*)\r\n$`)
	for i, w := range want {
		line := string(mon.ReadReply())
		m := re.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("MONITOR line %d = %q", i, line)
		}
		if sec, _ := strconv.ParseInt(m[1], 10, 64); time.Since(time.Unix(sec, 0)) > time.Minute {
			t.Errorf("MONITOR line %d has time %s", i, m[1])
		}
		// Redis 7.0 feeds monitors after the command ran, so SELECT's own
		// line already shows the new database.
		db := "2"
		if m[3] != db || m[5] != w {
			t.Errorf("MONITOR line %d = %q; want db %s and %s", i, line, db, w)
		}
	}
	if r, err := mon.TryReadReply(200 * time.Millisecond); err == nil {
		t.Errorf("unexpected MONITOR line %q", r)
	}
}

func TestPubSubOutputBufferLimit(t *testing.T) {
	p, addr := startShoal(t, "--client-output-buffer-limit", "pubsub", "1mb", "512kb", "60")
	// The subscriber asks for a small receive buffer and never reads.
	d := net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) {
			syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096)
		})
	}}
	sub, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	sub.Write(testutil.AppendCommand(nil, "SUBSCRIBE", "flood"))
	pub := testutil.Dial(t, addr)
	testutil.WaitFor(t, 5*time.Second, func() bool {
		return string(pub.Do("PUBSUB", "NUMSUB", "flood")) == "*2\r\n$5\r\nflood\r\n:1\r\n"
	})
	msg := strings.Repeat("x", 16<<10)
	rssBefore := rssOf(t, p.Pid())
	var disconnected bool
	for i := 0; i < 4000; i++ {
		r := string(pub.Do("PUBLISH", "flood", msg))
		if r == ":0\r\n" {
			disconnected = true
			break
		}
		if r != ":1\r\n" {
			t.Fatalf("PUBLISH %d = %q", i, r)
		}
	}
	if !disconnected {
		t.Fatal("a subscriber that never reads was not disconnected after 64MB of messages")
	}
	// The server drops what it had queued and closes the socket.
	if !testutil.Poll(10*time.Second, func() bool {
		return string(pub.Do("PUBSUB", "NUMSUB", "flood")) == "*2\r\n$5\r\nflood\r\n:0\r\n"
	}) {
		t.Error("the disconnected subscriber is still counted by PUBSUB NUMSUB")
	}
	sub.SetReadDeadline(time.Now().Add(10 * time.Second))
	if n, err := io.Copy(io.Discard, sub); err != nil {
		t.Errorf("subscriber socket not closed by the server after %d bytes: %v", n, err)
	}
	// The publisher keeps going.
	for range 100 {
		if r := string(pub.Do("PUBLISH", "flood", msg)); r != ":0\r\n" {
			t.Fatalf("PUBLISH after the disconnect = %q", r)
		}
	}
	if grew := rssOf(t, p.Pid()) - rssBefore; grew > 48<<20 {
		t.Errorf("RSS grew by %d MB", grew>>20)
	}
	if !strings.Contains(p.Output(), "scheduled to be closed ASAP for overcoming of output buffer limits") {
		t.Errorf("no output buffer limit warning in the log:\n%s", p.Output())
	}
}

// rssOf reads a process's resident set size in bytes from /proc.
func rssOf(t *testing.T, pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/statm", pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func TestWatchExpiredKey(t *testing.T) {
	// A watched key that expires before EXEC aborts the transaction; a key
	// already expired when watched does not, as in Redis 7.0.
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var b strings.Builder
		b.Write(c.Do("SET", "k", "v", "PX", "100"))
		b.Write(c.Do("WATCH", "k"))
		time.Sleep(200 * time.Millisecond)
		b.Write(c.Do("MULTI"))
		b.Write(c.Do("PING"))
		b.Write(c.Do("EXEC"))
		b.Write(c.Do("SET", "gone", "v", "PX", "1"))
		time.Sleep(20 * time.Millisecond)
		b.Write(c.Do("WATCH", "gone"))
		b.Write(c.Do("MULTI"))
		b.Write(c.Do("PING"))
		b.Write(c.Do("EXEC"))
		return b.String()
	})
}

func TestKeyspaceExpiredEvents(t *testing.T) {
	sameOnBoth(t, []string{"--notify-keyspace-events", "KEA"}, func(t *testing.T, addr string) string {
		sub := testutil.Dial(t, addr)
		sub.Do("PSUBSCRIBE", "__key*@0__:*")
		c := testutil.Dial(t, addr)
		c.Do("SET", "k", "v", "PX", "50")
		var b strings.Builder
		for range 4 {
			b.Write(sub.ReadReply()) // set and expire, keyspace and keyevent
		}
		// Active expiry finds the key without anyone touching it.
		for range 2 {
			r, err := sub.TryReadReply(5 * time.Second)
			if err != nil {
				t.Fatalf("no expired event: %v", err)
			}
			b.Write(r)
		}
		return b.String()
	})
}

func TestImmutableConfig(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		c := testutil.Dial(t, addr)
		var b strings.Builder
		b.Write(c.Do("CONFIG", "SET", "daemonize", "yes"))
		b.Write(c.Do("CONFIG", "SET", "databases", "4"))
		b.Write(c.Do("CONFIG", "SET", "hz", "15", "databases", "4"))
		b.Write(c.Do("CONFIG", "GET", "hz"))
		return b.String()
	})
}

func TestQuotedMultiValueDirective(t *testing.T) {
	// redis-server takes a directive's several values as one quoted
	// argument too, on the command line as in a config file.
	sameOnBoth(t, []string{"--client-output-buffer-limit", "pubsub 1mb 512kb 60"}, func(t *testing.T, addr string) string {
		return string(testutil.Dial(t, addr).Do("CONFIG", "GET", "client-output-buffer-limit"))
	})
}

// TestProtectedModeRemote: with protected mode on and no password, a client
// from a non-loopback address is refused whatever the bind addresses are
// (Redis 7.0; unit/networking "Protected mode works as expected").
func TestProtectedModeRemote(t *testing.T) {
	var ip string
	addrs, _ := net.InterfaceAddrs()
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.To4() != nil && !n.IP.IsLoopback() {
			ip = n.IP.String()
			break
		}
	}
	if ip == "" {
		t.Skip("no non-loopback IPv4 address")
	}
	for _, bind := range []string{"* -::*", "0.0.0.0"} {
		sameOnBoth(t, []string{"--protected-mode", "yes", "--bind", bind}, func(t *testing.T, addr string) string {
			_, port, _ := net.SplitHostPort(addr)
			c := testutil.Dial(t, net.JoinHostPort(ip, port))
			got := string(c.Do("PING"))
			return strings.SplitN(got, " ", 2)[0]
		})
	}
}

// TestShutdownAbortCancelsSignal: SIGTERM only schedules the shutdown, which
// the cron performs; SHUTDOWN ABORT cancels it before (unit/shutdown
// "SHUTDOWN ABORT can cancel SIGTERM"). ABORT with other options is a
// syntax error.
func TestShutdownAbortCancelsSignal(t *testing.T) {
	srvs := startBoth(t, "--enable-debug-command", "yes")
	var out [2]string
	for i, srv := range srvs {
		c := testutil.Dial(t, srv.addr)
		var b strings.Builder
		b.Write(c.Do("SHUTDOWN", "ABORT"))
		b.Write(c.Do("SHUTDOWN", "NOSAVE", "ABORT"))
		b.Write(c.Do("SHUTDOWN", "ABORT", "NOW"))
		c.Do("DEBUG", "PAUSE-CRON", "1")
		if err := syscall.Kill(srv.proc.Pid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		// The signal is handled asynchronously: ABORT succeeds once it
		// has been seen.
		testutil.WaitFor(t, 5*time.Second, func() bool {
			return strings.Contains(srv.proc.Output(), "scheduling shutdown")
		})
		b.Write(c.Do("SHUTDOWN", "ABORT"))
		c.Do("DEBUG", "PAUSE-CRON", "0")
		b.Write(c.Do("PING"))
		out[i] = b.String()
		if err := syscall.Kill(srv.proc.Pid(), syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		testutil.WaitFor(t, 10*time.Second, srv.proc.Exited)
	}
	if out[0] != out[1] {
		t.Errorf("redis: %q\nshoal: %q", out[0], out[1])
	}
}
