// Package cli is shoal-cli: redis-cli 7.0's command line, one-shot and
// interactive modes, cluster redirections and utilities. The reply printer
// lives in cli/format, the connection in cli/conn, the --cluster admin tool
// in cli/clustertool and the local cluster in cli/localcluster.
//
// It imports internal/resp and its own sub-packages; nothing of the server.
package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/term"

	"shoal/internal/cli/clustertool"
	"shoal/internal/cli/conn"
	"shoal/internal/cli/format"
	"shoal/internal/resp"
)

// session is one run of shoal-cli: redis-cli's globals (config, context).
type session struct {
	cfg    config
	stdin  io.Reader
	out    *bufio.Writer
	stderr io.Writer
	ttyIn  bool

	conn        *conn.Conn
	connErr     string // hiredis errstr of the last failure, for cliPrintContextError
	dbnum       int    // the database selected on conn
	inMulti     bool
	preMultiDB  int
	interactive bool
	prompt      string

	monitorMode, pubsubMode, shutdown bool
	reissue, sendAsking               bool
	lastType                          byte
	aborted                           atomic.Bool // Ctrl-C in MONITOR or subscribe mode
	cancel                            atomic.Bool // Ctrl-C in a stat loop
	interrupted                       atomic.Bool // Ctrl-C at the prompt

	help  helpTable
	hints bool
}

// Main runs shoal-cli with args (without the program name) and returns its
// exit status.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	s := &session{stdin: stdin, out: bufio.NewWriterSize(stdout, 64<<10), stderr: stderr}
	defer func() {
		s.out.Flush()
		if r := recover(); r != nil {
			e, ok := r.(exitCode)
			if !ok {
				panic(r)
			}
			code = int(e)
		}
		if s.conn != nil {
			s.conn.Close()
		}
	}()
	s.cfg = defaultConfig(isTerminal(stdout))
	s.ttyIn = isTerminal(stdin)
	first := s.parseOptions(args)
	args = args[first:]
	if s.cfg.localCluster {
		return s.localCluster(args)
	}
	if v := os.Getenv("REDISCLI_AUTH"); v != "" && !s.cfg.hasAuth {
		s.cfg.auth, s.cfg.hasAuth = v, true
	}
	if os.Getenv("REDISCLI_CLUSTER_YES") == "1" {
		s.cfg.clusterCmd.Flags |= clustertool.FlagYes
	}
	if s.cfg.askpass {
		s.cfg.auth, s.cfg.hasAuth = s.askPassword("Please input password: "), true
	}
	if s.cfg.clusterSet {
		s.cfg.clusterCmd.Auth, s.cfg.clusterCmd.User = s.cfg.auth, s.cfg.user
		return s.clusterTool()
	}
	switch {
	case s.cfg.latency:
		s.mustConnect()
		s.latencyMode()
	case s.cfg.latencyDist:
		s.mustConnect()
		s.latencyDistMode()
	case s.cfg.rdbFile != "":
		s.mustConnect()
		s.rdbMode()
	case s.cfg.pipe:
		s.mustConnect()
		s.pipeMode()
	case s.cfg.bigkeys:
		s.mustConnect()
		s.findBigKeys(false)
	case s.cfg.memkeys:
		s.mustConnect()
		s.findBigKeys(true)
	case s.cfg.hotkeys:
		s.mustConnect()
		s.findHotKeys()
	case s.cfg.stat:
		s.mustConnect()
		if s.cfg.interval == 0 {
			s.cfg.interval = 1
		}
		s.statMode()
	case s.cfg.scan:
		s.mustConnect()
		s.scanMode()
	}
	if len(args) == 0 && s.cfg.eval == "" {
		s.connect(0)
		s.repl()
		return 0
	}
	if s.cfg.eval != "" {
		if !s.connect(0) {
			return 1
		}
		return s.evalMode(args)
	}
	s.connect(ccQuiet)
	return s.noninteractive(args)
}

func isTerminal(f any) bool {
	if fd, ok := f.(interface{ Fd() uintptr }); ok {
		return term.IsTerminal(int(fd.Fd()))
	}
	return false
}

func (s *session) outf(f string, a ...any) { fmt.Fprintf(s.out, f, a...) }

func (s *session) errf(f string, a ...any) {
	s.out.Flush()
	fmt.Fprintf(s.stderr, f, a...)
}

func (s *session) usage(code int) {
	text := strings.Replace(usageText, "VERSION", Version, 1)
	if code != 0 {
		s.errf("%s", text)
	} else {
		s.outf("%s", text)
	}
	s.exit(code)
}

func (s *session) readStdin() string {
	b, _ := io.ReadAll(s.stdin)
	return string(b)
}

// splitOne is unquoteCString: s must hold exactly one (quoted) argument.
func splitOne(s string) (string, error) {
	args, err := resp.SplitArgs([]byte(s))
	if err != nil || len(args) != 1 {
		return "", errors.New("invalid quoted string")
	}
	return string(args[0]), nil
}

const (
	ccForce = 1 << iota
	ccQuiet
)

func (s *session) addr() string { return net.JoinHostPort(s.cfg.host, strconv.Itoa(s.cfg.port)) }

// refreshPrompt is cliRefreshPrompt.
func (s *session) refreshPrompt() {
	var b strings.Builder
	if s.cfg.socket != "" {
		b.WriteString("redis " + s.cfg.socket)
	} else {
		b.WriteString(s.addr())
	}
	if s.dbnum != 0 {
		b.WriteString("[" + strconv.Itoa(s.dbnum) + "]")
	}
	if s.inMulti {
		b.WriteString("(TX)")
	}
	b.WriteString("> ")
	s.prompt = b.String()
}

// connect is cliConnect: it reports whether a usable connection exists.
func (s *session) connect(flags int) bool {
	if s.conn != nil && flags&ccForce == 0 {
		return true
	}
	if s.conn != nil {
		s.conn.Close()
		s.conn = nil
		s.dbnum, s.inMulti = 0, false
		s.refreshPrompt()
	}
	tcp := s.cfg.socket == "" || (s.cfg.cluster && s.reissue)
	var c *conn.Conn
	var err error
	if tcp {
		c, err = conn.DialHost(s.cfg.host, s.cfg.port, 0)
	} else {
		c, err = conn.Dial("unix", s.cfg.socket, 0)
	}
	if err != nil {
		if flags&ccQuiet == 0 {
			if tcp {
				s.errf("Could not connect to Redis at %s:%d: %s\n", s.cfg.host, s.cfg.port, err)
			} else {
				s.errf("Could not connect to Redis at %s: %s\n", s.cfg.socket, err)
			}
		}
		return false
	}
	s.conn = c
	s.setPushHandler()
	if s.cfg.hasAuth {
		var v resp.Value
		if s.cfg.user == "" {
			v, err = c.Do("AUTH", s.cfg.auth)
		} else {
			v, err = c.Do("AUTH", s.cfg.user, s.cfg.auth)
		}
		if err != nil {
			s.errf("\nI/O error\n")
			return false
		}
		if v.Kind == '-' {
			s.errf("AUTH failed: %s\n", v.Str)
			return false
		}
	}
	if !s.selectDB() {
		return false
	}
	if s.cfg.resp3 != 0 && !s.cfg.resp2 {
		v, err := c.Do("HELLO", "3")
		if err != nil {
			s.errf("\nI/O error\n")
			return false
		}
		if v.Kind == '-' {
			s.errf("HELLO 3 failed: %s\n", v.Str)
			if s.cfg.resp3 == 1 {
				return false
			}
		}
	}
	return true
}

// selectDB is cliSelect.
func (s *session) selectDB() bool {
	if s.cfg.dbnum == s.dbnum {
		return true
	}
	v, err := s.conn.Do("SELECT", strconv.Itoa(s.cfg.dbnum))
	if err != nil {
		s.errf("\nI/O error\n")
		return false
	}
	if v.Kind == '-' {
		s.errf("SELECT %d failed: %s\n", s.cfg.dbnum, v.Str)
		return false
	}
	s.dbnum = s.cfg.dbnum
	s.refreshPrompt()
	return true
}

func (s *session) setPushHandler() {
	if s.conn == nil {
		return
	}
	s.conn.DiscardPush = true
	if s.cfg.pushOutput {
		s.conn.Push = s.printPush
	} else {
		s.conn.Push = nil
	}
}

// printPush is cliPushHandler.
func (s *session) printPush(v resp.Value) {
	var out []byte
	ok := false
	if s.cfg.output == format.Standard {
		out, ok = format.Invalidate(nil, v)
	}
	if !ok {
		var err error
		if out, err = format.Reply(nil, v, s.cfg.output, false, s.cfg.mbDelim, s.cfg.cmdDelim); err != nil {
			s.formatFailed(err)
		}
	}
	s.out.Write(out)
	s.out.Flush()
}

func (s *session) formatFailed(err error) {
	var ut *format.UnknownTypeError
	if errors.As(err, &ut) {
		s.errf("%s\n", err)
	} else {
		s.errf("Error: %s\n", err)
	}
	s.exit(1)
}

func (s *session) mustConnect() {
	if !s.connect(0) {
		s.exit(1)
	}
}

// printContextError is cliPrintContextError.
func (s *session) printContextError() {
	if s.conn == nil {
		return
	}
	if err := s.conn.Err(); err != nil {
		s.errf("Error: %s\n", err)
	}
}

// rawOutput reports the commands whose replies redis-cli prints raw even
// in standard mode (cliSendCommand's output_raw).
func rawOutput(argv []string) bool {
	cmd := strings.ToLower(argv[0])
	sub := ""
	if len(argv) >= 2 {
		sub = strings.ToLower(argv[1])
	}
	n := len(argv)
	switch cmd {
	case "info", "lolwut":
		return true
	case "debug":
		return n >= 2 && (sub == "htstats" || sub == "htstats-key" || sub == "client-eviction")
	case "memory":
		return n >= 2 && (sub == "malloc-stats" || sub == "doctor")
	case "cluster":
		return n == 2 && (sub == "nodes" || sub == "info")
	case "client":
		return n >= 2 && (sub == "list" || sub == "info")
	case "latency":
		return (n == 3 && sub == "graph") || (n == 2 && sub == "doctor")
	case "proxy":
		return n >= 2 && sub == "info"
	}
	return false
}

// readReply is cliReadReply. It returns false when the connection broke
// in a way the shell reconnects from.
func (s *session) readReply(outputRaw bool) bool {
	v, err := s.conn.Read()
	if err == nil && v.Kind == '|' {
		err = format.ErrAttribute
	}
	if err != nil {
		if s.aborted.Swap(false) {
			s.monitorMode, s.pubsubMode = false, false
			return s.connect(ccForce)
		}
		if s.shutdown {
			s.conn.Close()
			s.conn = nil
			return true
		}
		var ce *conn.Error
		if s.interactive && errors.As(err, &ce) {
			if ce.EOF || brokenLink(err) {
				return false
			}
		}
		s.errf("Error: %s\n", err)
		s.exit(1)
	}
	s.lastType = v.Kind
	if v.Null {
		s.lastType = '_'
	}
	output := true
	if s.cfg.cluster && v.Kind == '-' && (hasPrefix(v.Str, "MOVED ") || hasPrefix(v.Str, "ASK ")) {
		output = false
		f := strings.Fields(string(v.Str))
		slot := atoi(f[1])
		hp := f[2]
		colon := strings.LastIndexByte(hp, ':')
		s.cfg.host = hp[:colon]
		s.cfg.port = atoi(hp[colon+1:])
		if s.interactive {
			s.outf("-> Redirected to slot [%d] located at %s:%d\n", slot, s.cfg.host, s.cfg.port)
		}
		s.reissue = true
		if hasPrefix(v.Str, "ASK ") {
			s.sendAsking = true
		}
		s.refreshPrompt()
	} else if !s.interactive && s.cfg.setErrcode && v.Kind == '-' {
		s.errf("%s\n", cstr(v.Str))
		s.exit(1)
	}
	if output {
		out, err := format.Reply(nil, v, s.cfg.output, outputRaw, s.cfg.mbDelim, s.cfg.cmdDelim)
		if err != nil {
			s.formatFailed(err)
		}
		s.out.Write(out)
		s.out.Flush()
	}
	return true
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

func cstr(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// sendCommand is cliSendCommand.
func (s *session) sendCommand(argv []string, repeat int64) bool {
	if s.conn == nil {
		return false
	}
	cmd := strings.ToLower(argv[0])
	raw := rawOutput(argv)
	switch cmd {
	case "shutdown":
		s.shutdown = true
	case "monitor":
		s.monitorMode = true
	case "subscribe", "psubscribe", "ssubscribe":
		s.pubsubMode = true
	}
	for repeat < 0 || repeat > 0 {
		repeat--
		s.conn.Append(argv...)
		s.conn.Flush()
		if s.monitorMode {
			for s.monitorMode {
				if !s.readReply(raw) {
					s.printContextError()
					s.exit(1)
				}
				if s.lastType == '-' {
					s.monitorMode = false
				}
			}
			return true
		}
		if s.pubsubMode {
			if s.cfg.output != format.Raw {
				s.outf("Reading messages... (press Ctrl-C to quit)\n")
				s.out.Flush()
			}
			s.conn.Push = nil
			s.conn.DiscardPush = false
			for s.pubsubMode {
				if !s.readReply(raw) {
					s.printContextError()
					s.exit(1)
				}
				if !s.pubsubMode || s.lastType == '-' {
					s.setPushHandler()
					s.pubsubMode = false
				}
			}
			continue
		}
		if !s.readReply(raw) {
			return false
		}
		s.afterReply(cmd, argv)
		if s.reissue {
			break
		}
		if s.cfg.interval > 0 {
			time.Sleep(time.Duration(s.cfg.interval * float64(time.Second)))
		}
	}
	return true
}

// afterReply tracks SELECT, MULTI, EXEC, DISCARD, RESET and AUTH for the
// prompt and reconnection, as the tail of cliSendCommand.
func (s *session) afterReply(cmd string, argv []string) {
	ok := s.lastType != '-'
	switch {
	case cmd == "select" && len(argv) == 2 && ok:
		s.cfg.dbnum = atoi(argv[1])
		s.dbnum = s.cfg.dbnum
		s.refreshPrompt()
	case cmd == "auth" && (len(argv) == 2 || len(argv) == 3):
		s.selectDB()
	case cmd == "multi" && len(argv) == 1 && ok:
		s.inMulti = true
		s.preMultiDB = s.dbnum
		s.refreshPrompt()
	case cmd == "exec" && len(argv) == 1 && s.inMulti:
		s.inMulti = false
		if s.lastType == '-' || s.lastType == '_' {
			s.cfg.dbnum, s.dbnum = s.preMultiDB, s.preMultiDB
		}
		s.refreshPrompt()
	case cmd == "discard" && len(argv) == 1 && ok:
		s.inMulti = false
		s.cfg.dbnum, s.dbnum = s.preMultiDB, s.preMultiDB
		s.refreshPrompt()
	case cmd == "reset" && len(argv) == 1 && ok:
		s.inMulti = false
		s.cfg.dbnum, s.dbnum = 0, 0
		s.cfg.resp3 = 0
		s.refreshPrompt()
	}
}

// issueCommandRepeat is redis-cli's: reconnect when needed, follow
// cluster redirections.
func (s *session) issueCommandRepeat(argv []string, repeat int64) bool {
	if c := strings.ToLower(argv[0]); c == "help" || c == "?" {
		s.outputHelp(argv[1:])
		return true
	}
	for {
		if s.reissue || s.conn == nil || s.conn.Err() != nil {
			if !s.connect(ccForce) {
				s.printContextError()
				s.reissue = false
				return false
			}
		}
		s.reissue = false
		if s.sendAsking {
			s.sendAsking = false
			v, err := s.conn.Do("ASKING")
			if err != nil {
				s.errf("\nI/O error\n")
				return false
			}
			if v.Kind == '-' {
				s.errf("ASKING failed: %s\n", v.Str)
				return false
			}
		}
		if !s.sendCommand(argv, repeat) {
			s.printContextError()
			s.conn.Close()
			s.conn = nil
			return false
		}
		if s.cfg.cluster && s.reissue {
			continue
		}
		return true
	}
}

// noninteractive is redis-cli's one-shot mode.
func (s *session) noninteractive(args []string) int {
	argv := append([]string(nil), args...)
	if s.cfg.quoted {
		for i, a := range argv {
			u, err := splitOne(a)
			if err != nil {
				s.outf("Invalid quoted string\n")
				return 1
			}
			argv[i] = u
		}
	}
	switch {
	case s.cfg.stdinLast:
		argv = append(argv, s.readStdin())
	case s.cfg.stdinTag != "":
		found := false
		for i, a := range argv {
			if a == s.cfg.stdinTag {
				argv[i] = s.readStdin()
				found = true
				break
			}
		}
		if !found {
			s.errf("Using -X option but stdin tag not match.\n")
			return 1
		}
	}
	if s.issueCommandRepeat(argv, s.cfg.repeat) {
		return 0
	}
	return 1
}
