package cli_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestUtilitiesMatchRedisCli compares --bigkeys, --memkeys, --hotkeys and
// --scan with redis-cli's on the same dataset, and checks the form of
// --latency's one-line report.
func TestUtilitiesMatchRedisCli(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t, "--maxmemory-policy", "allkeys-lfu")
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	loadDataset(t, addr)
	// Small databases leave redis-cli's type dict half rehashed: the
	// summary's order differs with the number of keys seen.
	c := testutil.Dial(t, addr)
	for db, keys := range map[string]int{"3": 1, "4": 2, "5": 3, "6": 5} {
		c.Do("SELECT", db)
		for i := range keys {
			c.Do("SET", "k"+strconv.Itoa(i), "v")
		}
	}
	c.Close()
	for _, args := range [][]string{
		{"-n", "3", "--bigkeys"},
		{"-n", "4", "--bigkeys"},
		{"-n", "5", "--memkeys"},
		{"-n", "6", "--bigkeys"},
		{"--bigkeys"},
		{"--memkeys"},
		{"--memkeys-samples", "2"},
		{"--hotkeys"},
		{"--scan"},
		{"--scan", "--pattern", "s*"},
		{"--scan", "--no-raw"},
		{"--bigkeys", "--pattern", "nomatch*"},
	} {
		full := append([]string{"-h", host, "-p", port}, args...)
		want := run(t, rcli, nil, "", full)
		got := run(t, shoalCli(), nil, "", full)
		if args[0] == "--scan" {
			// SCAN's order is the server's; compare the sets of lines.
			want.stdout, got.stdout = sortLines(want.stdout), sortLines(got.stdout)
		}
		if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
			t.Errorf("%v:\nredis-cli (exit %d):\n%s%s\nshoal-cli (exit %d):\n%s%s", args, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
		}
	}
	r := run(t, shoalCli(), nil, "", []string{"-h", host, "-p", port, "--latency"})
	if !regexp.MustCompile(`^\d+ \d+ \d+\.\d\d \d+\n$`).Match(r.stdout) {
		t.Errorf("--latency printed %q", r.stdout)
	}
	r = run(t, shoalCli(), nil, "", []string{"-h", host, "-p", port, "--latency", "--csv"})
	if !regexp.MustCompile(`^\d+,\d+,\d+\.\d\d,\d+\n$`).Match(r.stdout) {
		t.Errorf("--latency --csv printed %q", r.stdout)
	}
}

func sortLines(b []byte) []byte {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	for i := 1; i < len(lines); i++ {
		for j := i; j > 0 && lines[j] < lines[j-1]; j-- {
			lines[j], lines[j-1] = lines[j-1], lines[j]
		}
	}
	return []byte(strings.Join(lines, "\n") + "\n")
}

// streamOutput runs a CLI that never ends by itself (SUBSCRIBE, MONITOR,
// --stat), lets action happen once it is connected, then stops it and
// returns what it printed.
func streamOutput(t *testing.T, bin string, env []string, args []string, action func()) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = append(cmd.Environ(), env...)
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	testutil.WaitFor(t, 5*time.Second, func() bool { return out.Len() > 0 })
	action()
	time.Sleep(300 * time.Millisecond)
	cmd.Process.Kill()
	cmd.Wait()
	return out.String()
}

// TestSubscribeAndMonitor compares the output of SUBSCRIBE and MONITOR
// (timestamps and client addresses aside), raw and standard.
func TestSubscribeAndMonitor(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t)
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	publish := func() {
		c := testutil.Dial(t, addr)
		defer c.Close()
		c.Do("PUBLISH", "ch1", "hello")
		c.Do("SET", "k", "a \"b\"\n")
		c.Do("PUBLISH", "ch2", "x y")
	}
	stamp := regexp.MustCompile(`\d+\.\d+ \[0 127\.0\.0\.1:\d+\]`)
	for _, env := range [][]string{nil, {"FAKETTY=1"}} {
		for _, args := range [][]string{
			{"SUBSCRIBE", "ch1", "ch2"},
			{"PSUBSCRIBE", "ch*"},
			{"-3", "SUBSCRIBE", "ch1", "ch2"},
			{"MONITOR"},
		} {
			full := append([]string{"-h", host, "-p", port}, args...)
			want := stamp.ReplaceAllString(streamOutput(t, rcli, env, full, publish), "T [0 A]")
			got := stamp.ReplaceAllString(streamOutput(t, shoalCli(), env, full, publish), "T [0 A]")
			if want != got {
				t.Errorf("%v %v:\nredis-cli:\n%s\nshoal-cli:\n%s", env, args, want, got)
			}
		}
	}
	// --stat prints its header and a line per interval.
	out := streamOutput(t, shoalCli(), nil, []string{"-h", host, "-p", port, "--stat", "-i", "0.1"}, func() {})
	if !strings.HasPrefix(out, "------- data ------ --------------------- load -------------------- - child -\nkeys       mem      clients blocked requests            connections          \n") ||
		!regexp.MustCompile(`\n\d+ +\d+\.\d\d[KMG]? +\d+ +\d+ +\d+ \(\+\d+\) +\d+`).MatchString(out) {
		t.Errorf("--stat printed:\n%s", out)
	}
}

// TestEvalAndRDB compares --eval (keys and arguments split at ",") and
// --rdb/--functions-rdb (an RDB over the replication protocol) with
// redis-cli's.
func TestEvalAndRDB(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t, "--repl-diskless-sync-delay", "0")
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	loadDataset(t, addr)
	dir := t.TempDir()
	script := filepath.Join(dir, "s.lua")
	os.WriteFile(script, []byte(`return {KEYS[1], ARGV[1], redis.call("GET", KEYS[1])}`), 0o644)
	for _, args := range [][]string{
		{"--eval", script, "s1", ",", "x"},
		{"--eval", script},
		{"--eval", filepath.Join(dir, "missing.lua")},
	} {
		full := append([]string{"-h", host, "-p", port}, args...)
		want := run(t, rcli, nil, "", full)
		got := run(t, shoalCli(), nil, "", full)
		if !bytes.Equal(want.stdout, got.stdout) || !bytes.Equal(want.stderr, got.stderr) || want.code != got.code {
			t.Errorf("%v:\nredis-cli (exit %d): %q %q\nshoal-cli (exit %d): %q %q", args, want.code, want.stdout, want.stderr, got.code, got.stdout, got.stderr)
		}
	}
	for _, opt := range []string{"--rdb", "--functions-rdb"} {
		a, b := filepath.Join(dir, "a.rdb"), filepath.Join(dir, "b.rdb")
		want := run(t, rcli, nil, "", []string{"-h", host, "-p", port, opt, a})
		got := run(t, shoalCli(), nil, "", []string{"-h", host, "-p", port, opt, b})
		wantErr := strings.ReplaceAll(string(want.stderr), a, b)
		ra, _ := os.ReadFile(a)
		rb, _ := os.ReadFile(b)
		if wantErr != string(got.stderr) || want.code != got.code || got.code != 0 || len(ra) != len(rb) || !bytes.HasPrefix(rb, []byte("REDIS")) {
			t.Errorf("%s: redis-cli (exit %d, %d bytes): %q\nshoal-cli (exit %d, %d bytes): %q", opt, want.code, len(ra), wantErr, got.code, len(rb), got.stderr)
		}
		os.Remove(a)
		os.Remove(b)
	}
}

// TestLatencyDistShape runs --latency-dist with redis-cli and shoal-cli
// until each has drawn two spectrum lines: the legend must be the same
// byte for byte and each line the same sequence of 31 colored samples,
// the colors (the measured spread) aside.
func TestLatencyDistShape(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t)
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	row := regexp.MustCompile(`(?m)^\x1b\[38;5;0m((?:\x1b\[48;5;\d+m.){31})\x1b\[0m\n`)
	cell := regexp.MustCompile(`\x1b\[48;5;(\d+)m(.)`)
	palette := map[string]bool{}
	for _, c := range []int{0, 233, 234, 235, 237, 239, 241, 243, 245, 247, 144, 143, 142, 184, 226, 214, 208, 202, 196} {
		palette[strconv.Itoa(c)] = true
	}
	draw := func(bin string) string {
		cmd := exec.Command(bin, "-h", host, "-p", port, "-i", "0.2", "--latency-dist")
		var out syncBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() {
			cmd.Process.Kill()
			cmd.Wait()
		}()
		testutil.WaitFor(t, 10*time.Second, func() bool {
			return len(row.FindAllStringIndex(out.String(), -1)) >= 2
		})
		s := out.String()
		// Two lines and the legend before them, nothing partial after.
		return s[:row.FindAllStringIndex(s, -1)[1][1]]
	}
	shape := func(s string) string {
		return row.ReplaceAllStringFunc(s, func(line string) string {
			return cell.ReplaceAllStringFunc(line, func(c string) string {
				m := cell.FindStringSubmatch(c)
				if !palette[m[1]] {
					t.Errorf("color %s is not in the palette", m[1])
				}
				return "\x1b[48;5;Nm" + m[2]
			})
		})
	}
	want, got := shape(draw(rcli)), shape(draw(shoalCli()))
	if want != got {
		t.Errorf("--latency-dist:\nredis-cli:\n%q\nshoal-cli:\n%q", want, got)
	}
	if !strings.HasPrefix(got, "---------------------------------------------\n. - * #          .01 .125 .25 .5 milliseconds\n") {
		t.Errorf("--latency-dist legend:\n%q", got)
	}
	var chars strings.Builder
	for _, m := range regexp.MustCompile(`\x1b\[48;5;Nm(.)`).FindAllStringSubmatch(got, 31) {
		chars.WriteString(m[1])
	}
	if chars.String() != ".-*#123456789ABCDEFGHIJKLMNOPQ?" {
		t.Errorf("--latency-dist samples %q", chars.String())
	}
}
