package cli_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"shoal/internal/testutil"
)

// shellSession runs a CLI interactively on a pseudo-terminal, typing each
// line, and returns the rendered screen and the history file it wrote.
func shellSession(t *testing.T, bin string, args []string, lines []string) (string, string) {
	home := t.TempDir()
	hist := filepath.Join(home, "hist")
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "HOME="+home, "REDISCLI_HISTFILE="+hist, "TERM=xterm")
	var steps []ptyStep
	for _, l := range lines {
		if raw, ok := strings.CutPrefix(l, "raw:"); ok {
			steps = append(steps, ptyStep{in: raw, prompt: raw == "\r"})
		} else {
			steps = append(steps, ptyStep{in: l + "\r", prompt: l != "quit"})
		}
	}
	out := runPTYSteps(t, cmd, steps)
	sc := newScreen(200)
	sc.write(out)
	h, _ := os.ReadFile(hist)
	return sc.text(), string(h)
}

// TestShellMatchesRedisCli drives the interactive shell of both CLIs
// through a pseudo-terminal with the same lines and compares what the
// terminal shows (prompts with [db] and (TX), replies, errors), the
// history file (sensitive commands left out), and the "not connected>"
// prompt.
func TestShellMatchesRedisCli(t *testing.T) {
	rcli := redisCli(t)
	addr, ok := testutil.StartRedis(t)
	if !ok {
		t.Skip("redis-server not installed")
	}
	host, port, _ := strings.Cut(addr, ":")
	lines := []string{
		"set k v",
		"get k",
		"get nokey",
		"rpush l a b c d e f g h i j k",
		"lrange l 0 -1",
		"hset h f1 v1 f2 v2",
		"hgetall h",
		"select 2",
		"set x 1",
		"multi",
		"incr x",
		"get x",
		"exec",
		"select 0",
		"multi",
		"discard",
		"wrongcommand a",
		"set a \"unbalanced",
		"3 incr n",
		"0 ping",
		"auth secret",
		"hgetall h",
		"connect " + host + " " + port,
		"get k",
		"quit",
	}
	args := []string{"-h", host, "-p", port}
	c := testutil.Dial(t, addr)
	c.Do("FLUSHALL")
	want, wantHist := shellSession(t, rcli, args, lines)
	c.Do("FLUSHALL")
	c.Do("SELECT", "2")
	c.Do("FLUSHDB")
	c.Close()
	got, gotHist := shellSession(t, shoalCli(), args, lines)
	if want != got {
		t.Errorf("screen differs\nredis-cli:\n%s\n\nshoal-cli:\n%s", want, got)
	}
	if wantHist != gotHist || strings.Contains(gotHist, "auth") {
		t.Errorf("history differs\nredis-cli:\n%q\nshoal-cli:\n%q", wantHist, gotHist)
	}
	if !strings.Contains(got, host+":"+port+"[2]> ") || !strings.Contains(got, host+":"+port+"(TX)> ") {
		t.Errorf("prompts missing [2] or (TX):\n%s", got)
	}

	// Hints from COMMAND DOCS while typing, then Ctrl-C leaves.
	typing := []string{"raw:set k", "raw: ", "raw:v", "raw:\x03"}
	want, _ = shellSession(t, rcli, args, typing)
	got, _ = shellSession(t, shoalCli(), args, typing)
	if want != got || !strings.Contains(got, "set k v [NX|XX]") {
		t.Errorf("hints:\nredis-cli:\n%s\nshoal-cli:\n%s", want, got)
	}

	// Tab completes a command name from COMMAND DOCS.
	tab := []string{"raw:hgetal", "raw:\t", "raw:\r", "raw:zr", "raw:\t", "raw:\t", "raw: 0", "raw:\x15", "raw:\x04"}
	want, _ = shellSession(t, rcli, args, tab)
	got, _ = shellSession(t, shoalCli(), args, tab)
	if want != got || !strings.Contains(got, "HGETALL") {
		t.Errorf("completion:\nredis-cli:\n%s\nshoal-cli:\n%s", want, got)
	}

	// The server closes the connection: the next command reports it and
	// the prompt says "not connected>"; the one after reconnects.
	reconnect := []string{"set a 1", "client kill type normal skipme no", "get a", "get a", "select 1", "client kill type normal skipme no", "get a", "get a", "quit"}
	want, _ = shellSession(t, rcli, args, reconnect)
	got, _ = shellSession(t, shoalCli(), args, reconnect)
	if want != got {
		t.Errorf("reconnect:\nredis-cli:\n%s\nshoal-cli:\n%s", want, got)
	}

	dead := []string{"-p", "1"}
	want, _ = shellSession(t, rcli, dead, []string{"ping", "quit"})
	got, _ = shellSession(t, shoalCli(), dead, []string{"ping", "quit"})
	if want != got || !strings.Contains(got, "not connected> ") {
		t.Errorf("not connected:\nredis-cli:\n%s\nshoal-cli:\n%s", want, got)
	}
}
