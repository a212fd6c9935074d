package cli_test

import (
	"bytes"
	"os/exec"
	"shoal/internal/resp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

type timedRun struct {
	cliRun
	wall, cpu time.Duration
}

func runTimed(t testing.TB, bin string, stdin []byte, args ...string) timedRun {
	cmd := exec.Command(bin, args...)
	cmd.Stdin = bytes.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	ps := cmd.ProcessState
	return timedRun{cliRun{o.Bytes(), e.Bytes(), code}, wall, ps.UserTime() + ps.SystemTime()}
}

// TestPipeMatchesRedisCli sends 1,000,000 SETs with --pipe through both
// CLIs: same summary, every key in, and shoal-cli costs no more CPU than
// redis-cli (CPU time, not wall time: the machine is shared). A stream
// with bad commands prints the same errors and exits 1.
func TestPipeMatchesRedisCli(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t)
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	const n = 1000000
	var stream []byte
	for i := range n {
		s := strconv.Itoa(i)
		stream = resp.AppendCommandStrings(stream, "SET", "key:"+s, "value:"+s)
	}
	flush := func() {
		c := testutil.Dial(t, addr)
		// ASYNC: freeing a million keys must not outlast the reply timeout.
		c.Do("FLUSHALL", "ASYNC")
		c.Close()
	}
	dbsize := func() string {
		c := testutil.Dial(t, addr)
		defer c.Close()
		return string(c.Do("DBSIZE"))
	}
	flush()
	want := runTimed(t, rcli, stream, "-h", host, "-p", port, "--pipe")
	if got := dbsize(); got != ":1000000\r\n" {
		t.Fatalf("redis-cli left DBSIZE %q", got)
	}
	flush()
	got := runTimed(t, shoalCli(), stream, "-h", host, "-p", port, "--pipe")
	if d := dbsize(); d != ":1000000\r\n" {
		t.Fatalf("shoal-cli left DBSIZE %q", d)
	}
	if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
		t.Errorf("redis-cli (exit %d): %q %q\nshoal-cli (exit %d): %q %q", want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
	}
	t.Logf("1,000,000 SETs: redis-cli %v wall, %v CPU; shoal-cli %v wall, %v CPU", want.wall, want.cpu, got.wall, got.cpu)
	if got.cpu > want.cpu*3/2+100*time.Millisecond {
		t.Errorf("shoal-cli used %v CPU, redis-cli %v", got.cpu, want.cpu)
	}

	bad := resp.AppendCommandStrings(nil, "SET", "a", "1")
	bad = resp.AppendCommandStrings(bad, "BOGUS", "x")
	bad = resp.AppendCommandStrings(bad, "INCR", "a")
	bad = resp.AppendCommandStrings(bad, "LPUSH", "a", "x")
	want = runTimed(t, rcli, bad, "-h", host, "-p", port, "--pipe")
	got = runTimed(t, shoalCli(), bad, "-h", host, "-p", port, "--pipe")
	if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
		t.Errorf("with errors: redis-cli (exit %d): %q %q\nshoal-cli (exit %d): %q %q", want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
	}
}
