package testutil

import (
	"fmt"
	"net"
	"os/exec"
	"testing"
	"time"
)

func TestFreePort(t *testing.T) {
	seen := map[int]bool{}
	for range 20 {
		p := FreePort(t)
		if seen[p] || seen[p+busOffset] {
			t.Fatalf("port %d handed out twice", p)
		}
		seen[p], seen[p+busOffset] = true, true
		for _, q := range []int{p, p + busOffset} {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", q))
			if err != nil {
				t.Fatalf("port %d not free: %v", q, err)
			}
			l.Close()
		}
	}
}

func TestWaitFor(t *testing.T) {
	n := 0
	WaitFor(t, 5*time.Second, func() bool { n++; return n == 5 })
	if n != 5 {
		t.Fatalf("cond called %d times; want 5", n)
	}
	if Poll(20*time.Millisecond, func() bool { return false }) {
		t.Fatal("Poll of a false condition returned true")
	}
}

func TestProcStopAndKill(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep binary")
	}
	p := StartProc(t, sleep, "60")
	if p.Exited() {
		t.Fatal("exited at once")
	}
	p.Stop()
	if !p.Exited() {
		t.Fatal("still running after Stop")
	}
	p.Stop() // idempotent

	q := StartProc(t, "sh", "-c", "echo hello; exec sleep 60")
	WaitFor(t, 5*time.Second, func() bool { return q.Output() == "hello\n" })
	q.Kill()
	if !q.Exited() {
		t.Fatal("still running after Kill")
	}
}

func TestStartRedisAndConn(t *testing.T) {
	addr, ok := StartRedis(t)
	if !ok {
		t.Skip("redis-server not on PATH")
	}
	c := Dial(t, addr)
	steps := []struct {
		args []string
		want string
	}{
		{[]string{"PING"}, "+PONG\r\n"},
		{[]string{"SET", "k", "a\r\nb"}, "+OK\r\n"},
		{[]string{"GET", "k"}, "$4\r\na\r\nb\r\n"},
		{[]string{"RPUSH", "l", "x", "y"}, ":2\r\n"},
		{[]string{"LRANGE", "l", "0", "-1"}, "*2\r\n$1\r\nx\r\n$1\r\ny\r\n"},
		{[]string{"HELLO", "3", "SETNAME", "x"}, ""},
		{[]string{"CONFIG", "GET", "appendonly"}, "%1\r\n$10\r\nappendonly\r\n$2\r\nno\r\n"},
		{[]string{"SUBSCRIBE", "ch"}, ">3\r\n$9\r\nsubscribe\r\n$2\r\nch\r\n:1\r\n"},
	}
	for _, s := range steps {
		got := c.Do(s.args...)
		if s.want != "" && string(got) != s.want {
			t.Fatalf("%v = %q; want %q", s.args, got, s.want)
		}
	}
	if got := string(c.DoRaw([]byte("PING\r\n"))); got != "+PONG\r\n" {
		t.Fatalf("inline PING in RESP3 subscribe = %q", got)
	}
	pub := Dial(t, addr)
	if got := string(pub.Do("PUBLISH", "ch", "m")); got != ":1\r\n" {
		t.Fatalf("PUBLISH = %q", got)
	}
	if got, want := string(c.ReadReply()), ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$1\r\nm\r\n"; got != want {
		t.Fatalf("push = %q; want %q", got, want)
	}
	if _, err := c.TryReadReply(20 * time.Millisecond); err == nil {
		t.Fatal("TryReadReply with nothing pending returned a reply")
	}
}
