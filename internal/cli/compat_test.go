package cli_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shoal/internal/resp"
	"shoal/internal/testutil"
)

// binDir holds the shoal-cli built once for this package's tests.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "shoal-cli-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := testutil.BuildBinaries(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func shoalCli() string { return filepath.Join(binDir, "shoal-cli") }

func redisCli(t testing.TB) string {
	p, err := exec.LookPath("redis-cli")
	if err != nil {
		t.Skip("redis-cli not installed")
	}
	return p
}

// dataset is loaded before every command line, so that each starts from
// the same state.
var dataset = [][]string{
	{"FLUSHALL"},
	{"SET", "s1", "hello"},
	{"SET", "s2", "a\x00b\n\"q\"\tc\xff"},
	{"SET", "n", "10"},
	{"RPUSH", "l", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"},
	{"HSET", "h", "f1", "v1", "f2", "v2"},
	{"SADD", "st", "a", "b", "c"},
	{"ZADD", "z", "1", "one", "2.5", "two", "3", "three"},
	{"XADD", "x", "1-1", "f", "v"},
	{"XADD", "x", "2-1", "a", "1", "b", "2"},
	{"CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"},
}

func loadDataset(t testing.TB, addr string) {
	c := testutil.Dial(t, addr)
	defer c.Close()
	for _, cmd := range dataset {
		c.Do(cmd...)
	}
}

type cliRun struct {
	stdout, stderr []byte
	code           int
}

func run(t testing.TB, bin string, env []string, stdin string, args []string) cliRun {
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Env = append(cmd.Env, "HOME="+t.TempDir())
	cmd.Stdin = strings.NewReader(stdin)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return cliRun{o.Bytes(), e.Bytes(), code}
}

// normalize makes redis-cli's self-naming shoal-cli's.
func normalize(b []byte) []byte {
	return bytes.ReplaceAll(b, []byte("redis-cli 7.0.15"), []byte("shoal-cli 7.0.15"))
}

type caseLine struct {
	stdin string
	args  []string
	text  string
}

func readCases(t *testing.T) []caseLine {
	f, err := os.Open("testdata/oneshot.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []caseLine
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		c := caseLine{text: line}
		if rest, ok := strings.CutPrefix(line, "stdin:"); ok {
			sp := strings.IndexByte(rest, ' ')
			c.stdin, line = rest[:sp], rest[sp+1:]
		}
		args, err := resp.SplitArgs([]byte(line))
		if err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		for _, a := range args {
			c.args = append(c.args, string(a))
		}
		out = append(out, c)
	}
	return out
}

// TestOneShotMatchesRedisCli runs every line of testdata/oneshot.txt
// through Debian's redis-cli and shoal-cli against the same redis-server
// and requires the same stdout, stderr and exit status, with stdout a pipe
// (raw output) and with FAKETTY=1 (redis-cli's standard output).
func TestOneShotMatchesRedisCli(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t, "--enable-debug-command", "yes")
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	cases := readCases(t)
	if len(cases) < 100 {
		t.Fatalf("only %d command lines", len(cases))
	}
	for _, env := range [][]string{nil, {"FAKETTY=1"}} {
		for _, c := range cases {
			args := append([]string{"-h", host, "-p", port}, c.args...)
			loadDataset(t, addr)
			want := run(t, rcli, env, c.stdin, args)
			loadDataset(t, addr)
			got := run(t, shoalCli(), env, c.stdin, args)
			want.stdout, want.stderr = normalize(want.stdout), normalize(want.stderr)
			if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
				t.Errorf("%v %s:\nredis-cli (exit %d):\n%q\n%q\nshoal-cli (exit %d):\n%q\n%q",
					env, c.text, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
			}
		}
	}
}

// TestOneShotOnTerminal runs command lines with a pseudo-terminal as
// stdin and stdout: standard output and push messages on.
func TestOneShotOnTerminal(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t, "--enable-debug-command", "yes")
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	lines := []string{
		"lrange l 0 -1", "hgetall h", "-3 hgetall h", "get s2", "get nokey",
		"wrongcommand", "-3 debug protocol push", "-3 debug protocol map",
		"-3 xinfo stream x", "zrange z 0 -1 withscores", "--raw lrange l 0 -1",
		"--csv hgetall h", "info keyspace", "-e wrongcommand", "-p 1 ping",
	}
	for _, line := range lines {
		args, _ := resp.SplitArgs([]byte(line))
		argv := []string{"-h", host, "-p", port}
		for _, a := range args {
			argv = append(argv, string(a))
		}
		loadDataset(t, addr)
		want := runPTY(t, exec.Command(rcli, argv...))
		loadDataset(t, addr)
		got := runPTY(t, exec.Command(shoalCli(), argv...))
		if !bytes.Equal(normalize(want), got) {
			t.Errorf("%s:\nredis-cli: %q\nshoal-cli: %q", line, want, got)
		}
	}
}

var _ = strconv.Itoa
