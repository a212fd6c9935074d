package compat

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// replyTimeout bounds the wait for one reply in a script; a server that
// does not answer in time is a mismatch, and ends the script.
const replyTimeout = 5 * time.Second

// maxConns is how many named connections a script may use per server.
const maxConns = 4

// maxErrors stops a script after this many mismatches.
const maxErrors = 20

// blocking lists the commands whose reply the harness reads only when their
// connection is next used (or at @read), since it may come later.
var blocking = map[string]bool{
	"BLPOP": true, "BRPOP": true, "BRPOPLPUSH": true, "BLMOVE": true, "BLMPOP": true,
	"BZPOPMIN": true, "BZPOPMAX": true, "BZMPOP": true,
}

// compareMode says how two replies are compared.
type compareMode int

const (
	exact     compareMode = iota
	sorted                // aggregate: elements compared as sorted multisets
	nocompare             // nothing compared
	typeOnly              // type byte and header count only
	scan                  // SCAN reply: both cursors "0", key lists sorted
	hello                 // HELLO reply: the connection id is masked
)

// step is one command line (or @read) and how its replies are compared.
type step struct {
	file string
	line int
	text string
	mode compareMode
}

func (s step) String() string { return fmt.Sprintf("%s:%d: %s", s.file, s.line, s.text) }

// conn is one named connection to both servers, with the replies it still
// owes: a blocking command's reply is read when the connection is next used.
type conn struct {
	redis, shoal *testutil.Conn
	deferred     []step
	// ids are the connections' CLIENT IDs on redis and shoal ("" if
	// unknown), used to see that a blocking command has blocked.
	ids [2]string
	// early holds replies read while waiting for a blocking command to
	// block, which completed at once instead (redis, shoal).
	early [2][][]byte
}

// read returns the next reply of side 0 (redis) or 1 (shoal).
func (c *conn) read(side int) ([]byte, error) {
	if len(c.early[side]) > 0 {
		b := c.early[side][0]
		c.early[side] = c.early[side][1:]
		return b, nil
	}
	if side == 0 {
		return c.redis.TryReadReply(replyTimeout)
	}
	return c.shoal.TryReadReply(replyTimeout)
}

// settleTimeout bounds the wait for a blocking command to block.
const settleTimeout = 2 * time.Second

// settle waits until the blocking command just sent on c has either
// blocked (CLIENT LIST shows flag b) or answered, on both servers, so the
// next command of another connection finds it in place as it would in a
// script run by hand.
func (r *runner) settle(c *conn) {
	for side, nc := range []*testutil.Conn{c.redis, c.shoal} {
		if c.ids[side] == "" {
			continue
		}
		ctl := r.control(side)
		deadline := time.Now().Add(settleTimeout)
		for time.Now().Before(deadline) {
			line := string(ctl.Do("CLIENT", "LIST", "ID", c.ids[side]))
			if strings.Contains(line, " flags=b") {
				break
			}
			if b, err := nc.TryReadReply(5 * time.Millisecond); err == nil {
				c.early[side] = append(c.early[side], b)
				break
			}
		}
	}
}

// control returns the runner's side connection to redis (0) or shoal (1).
func (r *runner) control(side int) *testutil.Conn {
	if r.ctl[side] == nil {
		addr := r.p.redis
		if side == 1 {
			addr = r.p.shoal
		}
		r.ctl[side] = testutil.Dial(r.t, addr)
	}
	return r.ctl[side]
}

// clientID asks a fresh connection for its CLIENT ID ("" on error, e.g.
// when a script set a password).
func clientID(c *testutil.Conn) string {
	b := c.Do("CLIENT", "ID")
	if len(b) < 3 || b[0] != ':' {
		return ""
	}
	return strings.TrimSpace(string(b[1:]))
}

func TestScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.txt scripts: %v", err)
	}
	p := startPair(t)
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			r := &runner{t: t, p: p, file: filepath.Base(file), conns: map[string]*conn{}, saved: map[string][2]string{}}
			defer r.reset()
			r.run(file)
		})
	}
}

// runner executes one script against a pair.
type runner struct {
	t     *testing.T
	p     pair
	file  string
	conns map[string]*conn
	cur   string
	errs  int
	saved map[string][2]string // config parameter -> original value on redis, shoal
	ctl   [2]*testutil.Conn    // side connections for settle
}

func (r *runner) run(path string) {
	f, err := os.Open(path)
	if err != nil {
		r.t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	r.cur = "1"
	mode := exact
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		st := step{file: r.file, line: n, text: line, mode: mode}
		if line[0] == '@' {
			var ok bool
			if mode, ok = r.directive(st, mode); !ok {
				return
			}
			continue
		}
		mode = exact
		args, err := splitArgs(line)
		if err != nil {
			r.t.Fatalf("%s: %v", st, err)
		}
		if len(args) == 0 {
			continue
		}
		if !r.command(st, args) {
			return
		}
	}
	if err := sc.Err(); err != nil {
		r.t.Fatal(err)
	}
}

// directive handles one @ line; it returns the mode for the next command
// and false when the script must stop.
func (r *runner) directive(st step, mode compareMode) (compareMode, bool) {
	f := strings.Fields(st.text)
	arg := func() string {
		if len(f) != 2 {
			r.t.Fatalf("%s: %s takes one argument", st, f[0])
		}
		return f[1]
	}
	switch f[0] {
	case "@sort":
		return sorted, true
	case "@nocompare":
		return nocompare, true
	case "@type":
		return typeOnly, true
	case "@scan":
		return scan, true
	case "@proto":
		v := arg()
		if v != "2" && v != "3" {
			r.t.Fatalf("%s: @proto takes 2 or 3", st)
		}
		return exact, r.command(st, []string{"HELLO", v})
	case "@conn":
		name := arg()
		if _, ok := r.conns[name]; !ok && len(r.conns) == maxConns {
			r.t.Fatalf("%s: more than %d connections", st, maxConns)
		}
		r.cur = name
		return mode, true
	case "@closed":
		return exact, r.closed(st, arg())
	case "@read":
		name := arg()
		c := r.conn(name)
		if len(c.deferred) > 0 {
			d := c.deferred[0]
			c.deferred = c.deferred[1:]
			return exact, r.compare(d, c)
		}
		return exact, r.compare(st, c)
	}
	r.t.Fatalf("%s: unknown directive %s", st, f[0])
	return mode, false
}

// conn returns the named connection, dialling both servers on first use.
func (r *runner) conn(name string) *conn {
	c, ok := r.conns[name]
	if !ok {
		if len(r.conns) == maxConns {
			r.t.Fatalf("%s: more than %d connections", r.file, maxConns)
		}
		c = &conn{redis: testutil.Dial(r.t, r.p.redis), shoal: testutil.Dial(r.t, r.p.shoal)}
		c.ids = [2]string{clientID(c.redis), clientID(c.shoal)}
		r.conns[name] = c
	}
	return c
}

// command sends args on the current connection and compares the replies;
// it returns false when the script must stop.
func (r *runner) command(st step, args []string) bool {
	c := r.conn(r.cur)
	for len(c.deferred) > 0 {
		d := c.deferred[0]
		c.deferred = c.deferred[1:]
		if !r.compare(d, c) {
			return false
		}
	}
	name := strings.ToUpper(args[0])
	if name == "HELLO" && st.mode == exact {
		st.mode = hello
	}
	if name == "CONFIG" && len(args) > 2 && strings.EqualFold(args[1], "SET") {
		for i := 2; i < len(args); i += 2 {
			r.save(strings.ToLower(args[i]))
		}
	}
	c.redis.Send(r.withIDs(args, 0)...)
	c.shoal.Send(r.withIDs(args, 1)...)
	if blocking[name] || (name == "XREAD" || name == "XREADGROUP") && slices.ContainsFunc(args, func(a string) bool { return strings.EqualFold(a, "BLOCK") }) {
		c.deferred = append(c.deferred, st)
		r.settle(c)
		return true
	}
	return r.compare(st, c)
}

// withIDs returns args with every "{id:NAME}" replaced by the CLIENT ID of
// connection NAME on side 0 (redis) or 1 (shoal), for CLIENT UNBLOCK and
// CLIENT KILL ID.
func (r *runner) withIDs(args []string, side int) []string {
	var out []string
	for i, a := range args {
		name, ok := strings.CutPrefix(a, "{id:")
		if !ok || !strings.HasSuffix(name, "}") {
			continue
		}
		if out == nil {
			out = slices.Clone(args)
		}
		out[i] = r.conn(strings.TrimSuffix(name, "}")).ids[side]
	}
	if out == nil {
		return args
	}
	return out
}

// closed checks that the server closed connection name on both sides (a
// CLIENT KILL): its deferred replies never come, and reading ends in an
// error. The name may then be used again for a new connection.
func (r *runner) closed(st step, name string) bool {
	c, ok := r.conns[name]
	if !ok {
		r.t.Fatalf("%s: no connection %s", st, name)
	}
	delete(r.conns, name)
	open := false
	for side, nc := range []*testutil.Conn{c.redis, c.shoal} {
		if b, err := c.read(side); err == nil {
			r.t.Errorf("%s: %s still open, sent %q", st, [2]string{"redis", "shoal"}[side], b)
			open = true
		}
		nc.Close()
	}
	return !open
}

// compare reads one reply from each side of c and compares them as st.mode
// says; it returns false when the script must stop.
func (r *runner) compare(st step, c *conn) bool {
	r.t.Helper()
	want, werr := c.read(0)
	got, gerr := c.read(1)
	if werr != nil || gerr != nil {
		r.t.Errorf("%s\n  redis: %s\n  shoal: %s", st, quoteOrErr(want, werr), quoteOrErr(got, gerr))
		return false
	}
	if err := equalReplies(st.mode, want, got); err != nil {
		r.t.Errorf("%s: %v\n  redis: %s\n  shoal: %s", st, err, strconv.Quote(string(want)), strconv.Quote(string(got)))
		r.errs++
		if r.errs >= maxErrors {
			r.t.Errorf("%s: stopping after %d mismatches", r.file, maxErrors)
			return false
		}
	}
	return true
}

func quoteOrErr(b []byte, err error) string {
	if err != nil {
		return "error: " + err.Error()
	}
	return strconv.Quote(string(b))
}

// save records the original value of a configuration parameter on both
// servers, before the script's first CONFIG SET of it.
func (r *runner) save(param string) {
	if _, ok := r.saved[param]; ok {
		return
	}
	var v [2]string
	for i, addr := range []string{r.p.redis, r.p.shoal} {
		c := testutil.Dial(r.t, addr)
		_, elems, err := testutil.Elements(c.Do("CONFIG", "GET", param))
		c.Close()
		if err != nil || len(elems) != 2 {
			return // unknown parameter: the script's CONFIG SET fails on its own
		}
		v[i] = bulkString(elems[1])
	}
	r.saved[param] = v
}

// reset restores what a script may have changed, so the next script meets
// fresh servers: all keys flushed, saved configuration restored.
func (r *runner) reset() {
	for i, addr := range []string{r.p.redis, r.p.shoal} {
		c := testutil.Dial(r.t, addr)
		if got := string(c.Do("FLUSHALL")); got != "+OK\r\n" {
			r.t.Errorf("reset %s: FLUSHALL = %q", addr, got)
		}
		for param, v := range r.saved {
			if got := string(c.Do("CONFIG", "SET", param, v[i])); got != "+OK\r\n" {
				r.t.Errorf("reset %s: CONFIG SET %s %q = %q", addr, param, v[i], got)
			}
		}
		c.Close()
	}
}

// bulkString returns the payload of a bulk string frame, or the frame.
func bulkString(b []byte) string {
	if len(b) > 0 && b[0] == '$' {
		if i := bytes.Index(b, []byte("\r\n")); i >= 0 && len(b) >= i+4 {
			return string(b[i+2 : len(b)-2])
		}
	}
	return string(b)
}

// equalReplies compares two complete replies as mode says.
func equalReplies(mode compareMode, want, got []byte) error {
	switch mode {
	case nocompare:
		return nil
	case typeOnly:
		if want[0] != got[0] || testutil.Count(want) != testutil.Count(got) {
			return errors.New("type or count differs")
		}
		return nil
	case sorted:
		return equalSorted(want, got)
	case scan:
		return equalScan(want, got)
	case hello:
		want, got = maskHelloID(want), maskHelloID(got)
	}
	if !bytes.Equal(want, got) {
		return errors.New("replies differ")
	}
	return nil
}

// equalSorted compares two aggregates element by element after sorting;
// replies that are not aggregates are compared exactly.
func equalSorted(want, got []byte) error {
	wt, we, werr := testutil.Elements(want)
	gt, ge, gerr := testutil.Elements(got)
	if werr != nil || gerr != nil {
		if !bytes.Equal(want, got) {
			return errors.New("replies differ")
		}
		return nil
	}
	slices.SortFunc(we, bytes.Compare)
	slices.SortFunc(ge, bytes.Compare)
	if wt != gt || (we == nil) != (ge == nil) || !slices.EqualFunc(we, ge, bytes.Equal) {
		return errors.New("sorted elements differ")
	}
	return nil
}

// equalScan checks that both replies are a complete scan (cursor "0") and
// that they return the same keys in any order.
func equalScan(want, got []byte) error {
	_, we, werr := testutil.Elements(want)
	_, ge, gerr := testutil.Elements(got)
	if werr != nil || gerr != nil || len(we) != 2 || len(ge) != 2 {
		if !bytes.Equal(want, got) {
			return errors.New("replies differ (not SCAN replies)")
		}
		return nil
	}
	if zero := "$1\r\n0\r\n"; string(we[0]) != zero || string(ge[0]) != zero {
		return errors.New(`cursor is not "0": use a larger COUNT`)
	}
	return equalSorted(we[1], ge[1])
}

// maskHelloID replaces the value of the "id" field of a HELLO reply, which
// depends on how many connections each server has seen.
func maskHelloID(b []byte) []byte {
	typ, elems, err := testutil.Elements(b)
	if err != nil || len(elems)%2 != 0 {
		return b
	}
	out := []byte(fmt.Sprintf("%c%d\r\n", typ, testutil.Count(b)))
	for i := 0; i < len(elems); i += 2 {
		out = append(out, elems[i]...)
		if bulkString(elems[i]) == "id" {
			out = append(out, ":0\r\n"...)
		} else {
			out = append(out, elems[i+1]...)
		}
	}
	return out
}
