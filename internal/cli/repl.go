package cli

import (
	"bufio"
	"errors"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/chzyer/readline"

	"shoal/internal/cli/format"
	"shoal/internal/resp"
)

// brokenLink reports the connection errors the shell reconnects from
// instead of exiting (ECONNRESET, EPIPE), as cliReadReply.
func brokenLink(err error) bool {
	return errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// historyMax is linenoise's default history length.
const historyMax = 100

// lineReader is what the shell reads lines from: readline on a terminal, a
// plain line reader otherwise (linenoise prints no prompt then).
type lineReader interface {
	readLine(prompt string) (string, error)
	addHistory(line string)
	close()
}

type plainReader struct{ r *bufio.Reader }

func (p *plainReader) readLine(string) (string, error) {
	line, err := p.r.ReadString('\n')
	if err != nil && line == "" {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}
func (p *plainReader) addHistory(string) {}
func (p *plainReader) close()            {}

type ttyReader struct {
	rl      *readline.Instance
	s       *session
	file    string
	history []string
}

func (t *ttyReader) readLine(prompt string) (string, error) {
	t.rl.SetPrompt(prompt)
	return t.rl.Readline()
}

// addHistory keeps linenoise's semantics: the last historyMax lines, no
// two equal lines in a row, the whole list written to the file each time.
func (t *ttyReader) addHistory(line string) {
	if n := len(t.history); n > 0 && t.history[n-1] == line {
		return
	}
	t.history = append(t.history, line)
	if len(t.history) > historyMax {
		t.history = t.history[1:]
	}
	t.rl.SaveHistory(line)
	if t.file != "" {
		os.WriteFile(t.file, []byte(strings.Join(t.history, "\n")+"\n"), 0o600)
	}
}

func (t *ttyReader) close() { t.rl.Close() }

// painter draws the argument hint after the cursor, in grey.
type painter struct{ s *session }

func (p painter) Paint(line []rune, pos int) []rune {
	if !p.s.hints || pos != len(line) {
		return line
	}
	// A line ending in a newline is the one Enter submits: linenoise
	// redraws it without its hint. Ctrl-C leaves the hint on screen.
	nl := len(line) > 0 && line[len(line)-1] == '\n'
	if nl && !p.s.interrupted.Load() {
		return line
	}
	typed := line
	if nl {
		typed = line[:len(line)-1]
	}
	h := []rune(p.s.help.hint(string(typed)))
	// readline knows nothing of the hint: keep it on the cursor's row so
	// that its redraws erase it.
	room := readline.GetScreenWidth() - len([]rune(p.s.prompt)) - len(typed) - 1
	if room < len(h) {
		h = h[:max(room, 0)]
	}
	if len(h) == 0 {
		return line
	}
	w := len(h)
	out := append([]rune(nil), typed...)
	out = append(out, []rune("\x1b[90m"+string(h)+"\x1b[0m\x1b["+strconv.Itoa(w)+"D")...)
	if nl {
		out = append(out, '\n')
	}
	return out
}

// completer is linenoise's completion on readline: Tab replaces the line
// with the first COMMAND DOCS name it is a prefix of, more Tabs cycle
// through the others and back to the line as typed, Esc restores it, any
// other key keeps the shown completion and goes on. It is a readline
// Listener; readline's own completer is given nothing to offer.
type completer struct {
	s      *session
	active bool
	orig   []rune
	cands  []string
	idx    int
}

func (c *completer) OnChange(line []rune, pos int, key rune) ([]rune, int, bool) {
	show := func(r []rune) ([]rune, int, bool) { return r, len(r), true }
	switch {
	case key == readline.CharTab && !c.active:
		c.cands = c.s.help.completions(string(line))
		if len(c.cands) == 0 {
			return nil, 0, false
		}
		c.active, c.orig, c.idx = true, append([]rune(nil), line...), 0
		return show([]rune(c.cands[0]))
	case key == readline.CharTab:
		c.idx = (c.idx + 1) % (len(c.cands) + 1)
		if c.idx == len(c.cands) {
			return show(c.orig)
		}
		return show([]rune(c.cands[c.idx]))
	case key == readline.CharEsc && c.active:
		c.active = false
		return show(c.orig)
	}
	c.active = false
	return nil, 0, false
}

// noCompletions keeps readline's default completer, which inserts a
// Tab, out of the way of completer.
type noCompletions struct{}

func (noCompletions) Do([]rune, int) ([][]rune, int) { return nil, 0 }

// dotfile is getDotfilePath: $env, or $HOME/name; "" for /dev/null.
func dotfile(env, name string) string {
	if p := os.Getenv(env); p != "" {
		if p == "/dev/null" {
			return ""
		}
		return p
	}
	if home := os.Getenv("HOME"); home != "" {
		return filepath.Join(home, name)
	}
	return ""
}

func (s *session) newLineReader() lineReader {
	if !s.ttyIn {
		return &plainReader{r: bufio.NewReader(s.stdin)}
	}
	t := &ttyReader{s: s}
	cfg := &readline.Config{
		Stdin:                  io.NopCloser(s.stdin),
		Stdout:                 s.outWriter(),
		Stderr:                 s.stderr,
		DisableAutoSaveHistory: true,
		HistoryLimit:           historyMax,
		AutoComplete:           noCompletions{},
		Listener:               &completer{s: s},
		Painter:                painter{s},
		InterruptPrompt:        "\n", // readline's way of saying none
		EOFPrompt:              "\n", // none: linenoise only ends the line
		FuncFilterInputRune: func(r rune) (rune, bool) {
			if r == readline.CharInterrupt {
				s.interrupted.Store(true)
			}
			return r, true
		},
	}
	rl, err := readline.NewEx(cfg)
	if err != nil {
		return &plainReader{r: bufio.NewReader(s.stdin)}
	}
	t.rl = rl
	t.file = dotfile("REDISCLI_HISTFILE", ".rediscli_history")
	if t.file != "" {
		if b, err := os.ReadFile(t.file); err == nil {
			for _, l := range strings.Split(strings.TrimRight(string(b), "\n"), "\n") {
				if l = strings.TrimRight(l, "\r"); l != "" {
					t.history = append(t.history, l)
					rl.SaveHistory(l)
				}
			}
		}
	}
	return t
}

// outWriter is stdout for readline, which writes directly: anything we
// buffered goes first.
func (s *session) outWriter() io.Writer { return flushFirst{s} }

type flushFirst struct{ s *session }

func (f flushFirst) Write(p []byte) (int, error) {
	f.s.out.Flush()
	n, err := f.s.out.Write(p)
	f.s.out.Flush()
	return n, err
}

// loadPreferences reads ~/.redisclirc (:set hints / :set nohints).
func (s *session) loadPreferences() {
	rc := dotfile("REDISCLI_RCFILE", ".redisclirc")
	if rc == "" {
		return
	}
	b, err := os.ReadFile(rc)
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		argv, err := resp.SplitArgs([]byte(line))
		if err == nil && len(argv) > 0 {
			s.setPreference(toStrings(argv), false)
		}
	}
}

func toStrings(b [][]byte) []string {
	out := make([]string, len(b))
	for i, a := range b {
		out[i] = string(a)
	}
	return out
}

// setPreference is cliSetPreferences.
func (s *session) setPreference(argv []string, interactive bool) {
	pfx := ".redisclirc: "
	if interactive {
		pfx = ""
	}
	if strings.EqualFold(argv[0], ":set") && len(argv) >= 2 {
		switch strings.ToLower(argv[1]) {
		case "hints":
			s.hints = true
		case "nohints":
			s.hints = false
		default:
			s.outf("%sunknown redis-cli preference '%s'\n", pfx, argv[1])
		}
		return
	}
	s.outf("%sunknown redis-cli internal command '%s'\n", pfx, argv[0])
}

// isSensitive is isSensitiveCommand: lines kept out of the history.
func isSensitive(argv []string) bool {
	n := len(argv)
	eq := strings.EqualFold
	switch {
	case eq(argv[0], "auth"):
		return true
	case n > 1 && eq(argv[0], "acl") && eq(argv[1], "setuser"):
		return true
	case n > 2 && eq(argv[0], "config") && eq(argv[1], "set") &&
		(eq(argv[2], "masterauth") || eq(argv[2], "masteruser") || eq(argv[2], "requirepass")):
		return true
	case n > 4 && eq(argv[0], "hello"):
		for j := 2; j < n; j++ {
			more := n - 1 - j
			switch {
			case eq(argv[j], "auth") && more >= 2:
				return true
			case eq(argv[j], "setname") && more > 0:
				j++
			default:
				return false
			}
		}
	case n > 7 && eq(argv[0], "migrate"):
		for j := 6; j < n; j++ {
			more := n - 1 - j
			switch {
			case eq(argv[j], "auth") && more > 0:
				return true
			case eq(argv[j], "auth2") && more >= 2:
				return true
			case eq(argv[j], "keys") && more > 0:
				return false
			}
		}
	}
	return false
}

// repl is redis-cli's interactive loop.
func (s *session) repl() {
	s.initHelp()
	s.interactive = true
	s.hints = true
	lr := s.newLineReader()
	defer lr.close()
	if s.ttyIn {
		s.loadPreferences()
	}
	s.refreshPrompt()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	go func() {
		for range sig {
			if s.monitorMode || s.pubsubMode {
				s.aborted.Store(true)
				if c := s.conn; c != nil {
					c.Close()
				}
				continue
			}
			s.out.Flush()
			os.Exit(1)
		}
	}()
	for {
		prompt := s.prompt
		if s.conn == nil {
			prompt = "not connected> "
		}
		line, err := lr.readLine(prompt)
		if err != nil {
			if errors.Is(err, readline.ErrInterrupt) || errors.Is(err, io.EOF) {
				s.exit(0)
			}
			s.exit(0)
		}
		if line == "" {
			continue
		}
		args, err := resp.SplitArgs([]byte(line))
		if err != nil {
			s.outf("Invalid argument(s)\n")
			s.out.Flush()
			lr.addHistory(line)
			continue
		}
		if len(args) == 0 {
			continue
		}
		argv := toStrings(args)
		repeat, skip := int64(1), 0
		if n, err := strconv.ParseInt(argv[0], 10, 64); len(argv) > 1 && (err == nil || isRangeErr(err)) && isNumber(argv[0]) {
			if err != nil || n <= 0 {
				s.outf("Invalid redis-cli repeat command option value.\n")
				s.out.Flush()
				continue
			}
			repeat, skip = n, 1
		}
		if !isSensitive(argv[skip:]) {
			lr.addHistory(line)
		}
		switch {
		case strings.EqualFold(argv[0], "quit"), strings.EqualFold(argv[0], "exit"):
			s.exit(0)
		case argv[0][0] == ':':
			s.setPreference(argv, true)
			continue
		case strings.EqualFold(argv[0], "restart"):
			s.outf("Use 'restart' only in Lua debugging mode.\n")
		case len(argv) == 3 && strings.EqualFold(argv[0], "connect"):
			s.cfg.host = argv[1]
			s.cfg.port = atoi(argv[2])
			s.refreshPrompt()
			s.connect(ccForce)
		case len(argv) == 1 && strings.EqualFold(argv[0], "clear"):
			s.outf("\x1b[H\x1b[2J")
		default:
			start := time.Now()
			s.issueCommandRepeat(argv[skip:], repeat)
			if el := time.Since(start); el >= 500*time.Millisecond && s.cfg.output == format.Standard {
				s.outf("(%.2fs)\n", el.Seconds())
			}
		}
		s.out.Flush()
	}
}

func isRangeErr(err error) bool {
	var ne *strconv.NumError
	return errors.As(err, &ne) && ne.Err == strconv.ErrRange
}

// isNumber is strtol's "the whole argument is a number" (*endptr == 0).
func isNumber(a string) bool {
	i := 0
	for i < len(a) && isSpace(a[i]) {
		i++
	}
	if i < len(a) && (a[i] == '-' || a[i] == '+') {
		i++
	}
	if i == len(a) {
		return false
	}
	for ; i < len(a); i++ {
		if a[i] < '0' || a[i] > '9' {
			return false
		}
	}
	return true
}

// askPassword is redis-cli's: the prompt on stdout, the password typed
// behind '*' on a terminal (linenoise's mask mode), a plain line otherwise.
func (s *session) askPassword(msg string) string {
	if s.ttyIn {
		rl, err := readline.NewEx(&readline.Config{
			Prompt:          msg,
			Stdin:           io.NopCloser(s.stdin),
			Stdout:          s.outWriter(),
			Stderr:          s.stderr,
			EnableMask:      true,
			MaskRune:        '*',
			AutoComplete:    noCompletions{},
			InterruptPrompt: "\n",
			EOFPrompt:       "\n",
		})
		if err == nil {
			defer rl.Close()
			line, _ := rl.Readline()
			return line
		}
	}
	line, _ := bufio.NewReader(s.stdin).ReadString('\n')
	return strings.TrimRight(line, "\r\n")
}
