package command

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/resp"
)

// infoReply renders the COMMAND INFO reply for specs in protocol proto.
func infoReply(proto int, specs ...*Spec) []byte {
	w := &resp.Writer{Proto: proto}
	w.Array(len(specs))
	for _, s := range specs {
		AppendCommandInfo(w, s)
	}
	return w.B
}

// docsReply renders the COMMAND DOCS reply for specs in protocol proto.
func docsReply(proto int, specs ...*Spec) []byte {
	w := &resp.Writer{Proto: proto}
	w.Map(len(specs))
	for _, s := range specs {
		w.BulkString(s.Name)
		AppendCommandDocs(w, s)
	}
	return w.B
}

// specByName finds a command or, for "container|sub", a subcommand.
func specByName(t *testing.T, name string) *Spec {
	t.Helper()
	parent, _, sub := strings.Cut(name, "|")
	for _, s := range specTable {
		if s.Name != parent {
			continue
		}
		if !sub {
			return s
		}
		for _, c := range s.Subcommands {
			if c.Name == name {
				return c
			}
		}
	}
	t.Fatalf("no spec %q", name)
	return nil
}

// TestCommandReplyCaptures compares with replies captured from
// redis-server 7.0.15 for
// COMMAND INFO/DOCS get set zadd xadd config|get sort migrate.
func TestCommandReplyCaptures(t *testing.T) {
	names := strings.Fields("get set zadd xadd config|get sort migrate")
	specs := make([]*Spec, len(names))
	for i, n := range names {
		specs[i] = specByName(t, n)
	}
	for _, tt := range []struct {
		name string
		got  []byte
		want string
	}{
		{"INFO RESP2", infoReply(2, specs...), capturedInfo2},
		{"INFO RESP3", infoReply(3, specs...), capturedInfo3},
		{"DOCS RESP2", docsReply(2, specs...), capturedDocs2},
		{"DOCS RESP3", docsReply(3, specs...), capturedDocs3},
	} {
		if string(tt.got) != tt.want {
			t.Errorf("%s differs from redis-server:\n%s", tt.name, firstDiff(tt.got, []byte(tt.want)))
		}
	}
}

func TestAppendKeysAndFlags(t *testing.T) {
	argv := [][]byte{[]byte("set"), []byte("k"), []byte("v")}
	keys, err := specByName(t, "set").KeysAndFlags(argv, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		proto int
		want  string
	}{
		{2, "*1\r\n*2\r\n$1\r\nk\r\n*2\r\n+OW\r\n+update\r\n"},
		{3, "*1\r\n*2\r\n$1\r\nk\r\n~2\r\n+OW\r\n+update\r\n"},
	} {
		w := &resp.Writer{Proto: tt.proto}
		AppendKeysAndFlags(w, argv, keys)
		if string(w.B) != tt.want {
			t.Errorf("RESP%d: %q, want %q", tt.proto, w.B, tt.want)
		}
	}
}

// TestCommandRepliesOracle compares COMMAND INFO and COMMAND DOCS of every
// command with a live redis-server 7.0 at $SHOAL_ORACLE_ADDR, in RESP2 and
// RESP3. Redis lists a container's subcommands in hash order, so those are
// compared entry by entry; each subcommand is also compared on its own.
func TestCommandRepliesOracle(t *testing.T) {
	addr := os.Getenv("SHOAL_ORACLE_ADDR")
	if addr == "" {
		t.Skip("SHOAL_ORACLE_ADDR not set")
	}
	for _, proto := range []int{2, 3} {
		c := dialOracle(t, addr, proto)
		var all []*Spec
		for _, s := range specTable {
			all = append(all, s)
			all = append(all, s.Subcommands...)
		}
		for _, s := range all {
			flat := *s
			flat.Subcommands = nil
			info := c.do(t, "COMMAND", "INFO", s.Name)
			docs := c.do(t, "COMMAND", "DOCS", s.Name)
			if len(s.Subcommands) == 0 {
				if got := infoReply(proto, s); !bytes.Equal(got, info) {
					t.Errorf("RESP%d COMMAND INFO %s:\n%s", proto, s.Name, firstDiff(got, info))
				}
				if got := docsReply(proto, s); !bytes.Equal(got, docs) {
					t.Errorf("RESP%d COMMAND DOCS %s:\n%s", proto, s.Name, firstDiff(got, docs))
				}
				continue
			}
			got := infoReply(proto, &flat)
			got = got[:len(got)-len("*0\r\n")]
			if !bytes.HasPrefix(info, got) {
				t.Errorf("RESP%d COMMAND INFO %s:\n%s", proto, s.Name, firstDiff(got, info))
			}
			// The docs must agree up to the subcommands field, and each
			// subcommand's entry must appear whole.
			got = docsReply(proto, s)
			cut := bytes.Index(got, []byte("$11\r\nsubcommands\r\n"))
			if len(got) != len(docs) || !bytes.Equal(got[:cut], docs[:cut]) {
				t.Errorf("RESP%d COMMAND DOCS %s:\n%s", proto, s.Name, firstDiff(got, docs))
			}
			for _, sub := range s.Subcommands {
				w := &resp.Writer{Proto: proto}
				w.BulkString(sub.Name)
				AppendCommandDocs(w, sub)
				if !bytes.Contains(docs, w.B) {
					t.Errorf("RESP%d COMMAND DOCS %s: entry of %s not found", proto, s.Name, sub.Name)
				}
			}
		}
	}
}

// firstDiff describes where got and want first differ.
func firstDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("at byte %d\n got: %q\nwant: %q", i, got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
}

// oracle is a raw RESP connection that returns each reply's bytes.
type oracle struct {
	conn net.Conn
	r    *bufio.Reader
}

func dialOracle(t *testing.T, addr string, proto int) *oracle {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &oracle{conn: conn, r: bufio.NewReader(conn)}
	c.do(t, "HELLO", strconv.Itoa(proto))
	return c
}

func (c *oracle) do(t *testing.T, args ...string) []byte {
	t.Helper()
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if err := c.conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.conn.Write(b.Bytes()); err != nil {
		t.Fatal(err)
	}
	var out []byte
	if err := readRaw(c.r, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// readRaw appends one complete reply, as raw bytes, to out.
func readRaw(r *bufio.Reader, out *[]byte) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	*out = append(*out, line...)
	n, _ := strconv.Atoi(string(bytes.TrimRight(line[1:], "\r\n")))
	switch line[0] {
	case '$', '=', '!':
		if n < 0 {
			return nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(r, buf); err != nil {
			return err
		}
		*out = append(*out, buf...)
	case '%', '|':
		n *= 2
		fallthrough
	case '*', '~', '>':
		for i := 0; i < n; i++ {
			if err := readRaw(r, out); err != nil {
				return err
			}
		}
	}
	return nil
}

// Replies of redis-server 7.0.15 to COMMAND INFO and COMMAND DOCS
// get set zadd xadd config|get sort migrate, after HELLO 2 and HELLO 3.
var (
	capturedDocs2 = "*14\r\n$3\r\nget\r\n*10\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\n" +
		"since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n" +
		"O(1)\r\n$9\r\narguments\r\n*1\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\n" +
		"key\r\n$14\r\nkey_spec_index\r\n:0\r\n$3\r\nset\r\n*12\r\n$7\r\nsummary\r\n$29\r\n" +
		"Set the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\n" +
		"string\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n*4\r\n*2\r\n$6\r\n" +
		"2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n" +
		"$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\n" +
		"Added the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\n" +
		"Allowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n" +
		"*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n" +
		":0\r\n*4\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n*10\r\n$4\r\n" +
		"name\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n" +
		"$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$2\r\n" +
		"nx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n$4\r\nname\r\n" +
		"$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n*10\r\n$4\r\n" +
		"name\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n" +
		"$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n" +
		"$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n" +
		"$9\r\narguments\r\n*5\r\n*8\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\n" +
		"integer\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\n" +
		"name\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\n" +
		"PX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n*8\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n" +
		"$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n" +
		"6.2.0\r\n*8\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\n" +
		"unix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\n" +
		"name\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\n" +
		"KEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n$4\r\nzadd\r\n*12\r\n$7\r\nsummary\r\n$81\r\n" +
		"Add one or more members to a sorted set, or update its score if it already exists\r\n" +
		"$5\r\nsince\r\n$5\r\n1.2.0\r\n$5\r\ngroup\r\n$10\r\nsorted-set\r\n$10\r\ncomplexity\r\n" +
		"$83\r\n" +
		"O(log(N)) for each item added, where N is the number of elements in the sorted set.\r\n" +
		"$7\r\nhistory\r\n*3\r\n*2\r\n$5\r\n2.4.0\r\n$26\r\nAccepts multiple elements.\r\n*2\r\n" +
		"$5\r\n3.0.2\r\n$46\r\nAdded the `XX`, `NX`, `CH` and `INCR` options.\r\n*2\r\n$5\r\n" +
		"6.2.0\r\n$32\r\nAdded the `GT` and `LT` options.\r\n$9\r\narguments\r\n*6\r\n*6\r\n" +
		"$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
		"*10\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n" +
		"$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\n" +
		"name\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n*6\r\n" +
		"$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n" +
		"*10\r\n$4\r\nname\r\n$10\r\ncomparison\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n" +
		"$5\r\n6.2.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\n" +
		"name\r\n$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n*6\r\n" +
		"$4\r\nname\r\n$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n" +
		"*10\r\n$4\r\nname\r\n$6\r\nchange\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n" +
		"$2\r\nCH\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*10\r\n" +
		"$4\r\nname\r\n$9\r\nincrement\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n" +
		"$4\r\nINCR\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n" +
		"$4\r\nname\r\n$12\r\nscore_member\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n*1\r\n" +
		"+multiple\r\n$9\r\narguments\r\n*2\r\n*4\r\n$4\r\nname\r\n$5\r\nscore\r\n$4\r\ntype\r\n" +
		"$6\r\ndouble\r\n*4\r\n$4\r\nname\r\n$6\r\nmember\r\n$4\r\ntype\r\n$6\r\nstring\r\n$4\r\n" +
		"xadd\r\n*12\r\n$7\r\nsummary\r\n$31\r\nAppends a new entry to a stream\r\n$5\r\n" +
		"since\r\n$5\r\n5.0.0\r\n$5\r\ngroup\r\n$6\r\nstream\r\n$10\r\ncomplexity\r\n$93\r\n" +
		"O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.\r\n" +
		"$7\r\nhistory\r\n*2\r\n*2\r\n$5\r\n6.2.0\r\n$80\r\n" +
		"Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option.\r\n" +
		"*2\r\n$5\r\n7.0.0\r\n$48\r\nAdded support for the `<ms>-*` explicit ID form.\r\n$9\r\n" +
		"arguments\r\n*5\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\n" +
		"key_spec_index\r\n:0\r\n*10\r\n$4\r\nname\r\n$10\r\nnomkstream\r\n$4\r\ntype\r\n$10\r\n" +
		"pure-token\r\n$5\r\ntoken\r\n$10\r\nNOMKSTREAM\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\n" +
		"flags\r\n*1\r\n+optional\r\n*8\r\n$4\r\nname\r\n$4\r\ntrim\r\n$4\r\ntype\r\n$5\r\n" +
		"block\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*4\r\n*6\r\n$4\r\nname\r\n" +
		"$8\r\nstrategy\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\n" +
		"name\r\n$6\r\nmaxlen\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\n" +
		"MAXLEN\r\n*8\r\n$4\r\nname\r\n$5\r\nminid\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\n" +
		"token\r\n$5\r\nMINID\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n*8\r\n$4\r\nname\r\n$8\r\n" +
		"operator\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\n" +
		"arguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$5\r\nequal\r\n$4\r\ntype\r\n$10\r\n" +
		"pure-token\r\n$5\r\ntoken\r\n$1\r\n=\r\n*6\r\n$4\r\nname\r\n$13\r\napproximately\r\n" +
		"$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$1\r\n~\r\n*4\r\n$4\r\nname\r\n$9\r\n" +
		"threshold\r\n$4\r\ntype\r\n$6\r\nstring\r\n*10\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\n" +
		"type\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$5\r\nLIMIT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n" +
		"$5\r\nflags\r\n*1\r\n+optional\r\n*6\r\n$4\r\nname\r\n$10\r\nid_or_auto\r\n$4\r\n" +
		"type\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$7\r\nauto_id\r\n" +
		"$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$1\r\n*\r\n*4\r\n$4\r\nname\r\n$2\r\n" +
		"id\r\n$4\r\ntype\r\n$6\r\nstring\r\n*8\r\n$4\r\nname\r\n$11\r\nfield_value\r\n$4\r\n" +
		"type\r\n$5\r\nblock\r\n$5\r\nflags\r\n*1\r\n+multiple\r\n$9\r\narguments\r\n*2\r\n*4\r\n" +
		"$4\r\nname\r\n$5\r\nfield\r\n$4\r\ntype\r\n$6\r\nstring\r\n*4\r\n$4\r\nname\r\n$5\r\n" +
		"value\r\n$4\r\ntype\r\n$6\r\nstring\r\n$10\r\nconfig|get\r\n*12\r\n$7\r\nsummary\r\n" +
		"$42\r\nGet the values of configuration parameters\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n" +
		"$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$62\r\n" +
		"O(N) when N is the number of configuration parameters provided\r\n$7\r\nhistory\r\n" +
		"*1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\n" +
		"Added the ability to pass multiple pattern parameters in one call\r\n$9\r\narguments\r\n" +
		"*1\r\n*8\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\n" +
		"flags\r\n*1\r\n+multiple\r\n$9\r\narguments\r\n*1\r\n*4\r\n$4\r\nname\r\n$9\r\n" +
		"parameter\r\n$4\r\ntype\r\n$6\r\nstring\r\n$4\r\nsort\r\n*10\r\n$7\r\nsummary\r\n$46\r\n" +
		"Sort the elements in a list, set or sorted set\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\n" +
		"group\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$168\r\n" +
		"O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).\r\n" +
		"$9\r\narguments\r\n*7\r\n*6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
		"$14\r\nkey_spec_index\r\n:0\r\n*10\r\n$4\r\nname\r\n$7\r\npattern\r\n$4\r\ntype\r\n" +
		"$7\r\npattern\r\n$14\r\nkey_spec_index\r\n:1\r\n$5\r\ntoken\r\n$2\r\nBY\r\n$5\r\n" +
		"flags\r\n*1\r\n+optional\r\n*10\r\n$4\r\nname\r\n$12\r\noffset_count\r\n$4\r\ntype\r\n" +
		"$5\r\nblock\r\n$5\r\ntoken\r\n$5\r\nLIMIT\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\n" +
		"arguments\r\n*2\r\n*4\r\n$4\r\nname\r\n$6\r\noffset\r\n$4\r\ntype\r\n$7\r\ninteger\r\n" +
		"*4\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*10\r\n$4\r\nname\r\n" +
		"$7\r\npattern\r\n$4\r\ntype\r\n$7\r\npattern\r\n$14\r\nkey_spec_index\r\n:1\r\n$5\r\n" +
		"token\r\n$3\r\nGET\r\n$5\r\nflags\r\n*3\r\n+optional\r\n+multiple\r\n+multiple_token\r\n" +
		"*8\r\n$4\r\nname\r\n$5\r\norder\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n" +
		"+optional\r\n$9\r\narguments\r\n*2\r\n*6\r\n$4\r\nname\r\n$3\r\nasc\r\n$4\r\ntype\r\n" +
		"$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nASC\r\n*6\r\n$4\r\nname\r\n$4\r\ndesc\r\n" +
		"$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nDESC\r\n*8\r\n$4\r\nname\r\n" +
		"$7\r\nsorting\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$5\r\nALPHA\r\n$5\r\n" +
		"flags\r\n*1\r\n+optional\r\n*10\r\n$4\r\nname\r\n$11\r\ndestination\r\n$4\r\ntype\r\n" +
		"$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:2\r\n$5\r\ntoken\r\n$5\r\nSTORE\r\n$5\r\n" +
		"flags\r\n*1\r\n+optional\r\n$7\r\nmigrate\r\n*12\r\n$7\r\nsummary\r\n$63\r\n" +
		"Atomically transfer a key from a Redis instance to another one.\r\n$5\r\nsince\r\n$5\r\n" +
		"2.6.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$223\r\n" +
		"This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.\r\n" +
		"$7\r\nhistory\r\n*4\r\n*2\r\n$5\r\n3.0.0\r\n$39\r\n" +
		"Added the `COPY` and `REPLACE` options.\r\n*2\r\n$5\r\n3.0.6\r\n$24\r\n" +
		"Added the `KEYS` option.\r\n*2\r\n$5\r\n4.0.7\r\n$24\r\nAdded the `AUTH` option.\r\n" +
		"*2\r\n$5\r\n6.0.0\r\n$25\r\nAdded the `AUTH2` option.\r\n$9\r\narguments\r\n*9\r\n*4\r\n" +
		"$4\r\nname\r\n$4\r\nhost\r\n$4\r\ntype\r\n$6\r\nstring\r\n*4\r\n$4\r\nname\r\n$4\r\n" +
		"port\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*6\r\n$4\r\nname\r\n$19\r\n" +
		"key_or_empty_string\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n*6\r\n" +
		"$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
		"*6\r\n$4\r\nname\r\n$12\r\nempty_string\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\n" +
		"token\r\n$0\r\n\r\n*4\r\n$4\r\nname\r\n$14\r\ndestination-db\r\n$4\r\ntype\r\n$7\r\n" +
		"integer\r\n*4\r\n$4\r\nname\r\n$7\r\ntimeout\r\n$4\r\ntype\r\n$7\r\ninteger\r\n*10\r\n" +
		"$4\r\nname\r\n$4\r\ncopy\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\n" +
		"COPY\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*10\r\n$4\r\n" +
		"name\r\n$7\r\nreplace\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\n" +
		"REPLACE\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n*8\r\n$4\r\n" +
		"name\r\n$14\r\nauthentication\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n*1\r\n" +
		"+optional\r\n$9\r\narguments\r\n*2\r\n*10\r\n$4\r\nname\r\n$8\r\npassword\r\n$4\r\n" +
		"type\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$4\r\nAUTH\r\n$5\r\nsince\r\n$5\r\n4.0.7\r\n" +
		"$5\r\nflags\r\n*1\r\n+optional\r\n*12\r\n$4\r\nname\r\n$17\r\nusername_password\r\n" +
		"$4\r\ntype\r\n$5\r\nblock\r\n$5\r\ntoken\r\n$5\r\nAUTH2\r\n$5\r\nsince\r\n$5\r\n" +
		"6.0.0\r\n$5\r\nflags\r\n*1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n*4\r\n$4\r\nname\r\n" +
		"$8\r\nusername\r\n$4\r\ntype\r\n$6\r\nstring\r\n*4\r\n$4\r\nname\r\n$8\r\npassword\r\n" +
		"$4\r\ntype\r\n$6\r\nstring\r\n*12\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\n" +
		"key\r\n$14\r\nkey_spec_index\r\n:1\r\n$5\r\ntoken\r\n$4\r\nKEYS\r\n$5\r\nsince\r\n$5\r\n" +
		"3.0.6\r\n$5\r\nflags\r\n*2\r\n+optional\r\n+multiple\r\n"
	capturedDocs3 = "%7\r\n$3\r\nget\r\n%5\r\n$7\r\nsummary\r\n$22\r\nGet the value of a key\r\n$5\r\n" +
		"since\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\nstring\r\n$10\r\ncomplexity\r\n$4\r\n" +
		"O(1)\r\n$9\r\narguments\r\n*1\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\n" +
		"key\r\n$14\r\nkey_spec_index\r\n:0\r\n$3\r\nset\r\n%6\r\n$7\r\nsummary\r\n$29\r\n" +
		"Set the string value of a key\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\ngroup\r\n$6\r\n" +
		"string\r\n$10\r\ncomplexity\r\n$4\r\nO(1)\r\n$7\r\nhistory\r\n~4\r\n*2\r\n$6\r\n" +
		"2.6.12\r\n$44\r\nAdded the `EX`, `PX`, `NX` and `XX` options.\r\n*2\r\n$5\r\n6.0.0\r\n" +
		"$27\r\nAdded the `KEEPTTL` option.\r\n*2\r\n$5\r\n6.2.0\r\n$42\r\n" +
		"Added the `GET`, `EXAT` and `PXAT` option.\r\n*2\r\n$5\r\n7.0.0\r\n$55\r\n" +
		"Allowed the `NX` and `GET` options to be used together.\r\n$9\r\narguments\r\n*5\r\n" +
		"%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n" +
		":0\r\n%2\r\n$4\r\nname\r\n$5\r\nvalue\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\n" +
		"name\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n" +
		"$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$2\r\n" +
		"nx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n$4\r\nname\r\n" +
		"$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n%5\r\n$4\r\n" +
		"name\r\n$3\r\nget\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nGET\r\n" +
		"$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n" +
		"$10\r\nexpiration\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n" +
		"$9\r\narguments\r\n*5\r\n%4\r\n$4\r\nname\r\n$7\r\nseconds\r\n$4\r\ntype\r\n$7\r\n" +
		"integer\r\n$5\r\ntoken\r\n$2\r\nEX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\n" +
		"name\r\n$12\r\nmilliseconds\r\n$4\r\ntype\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$2\r\n" +
		"PX\r\n$5\r\nsince\r\n$6\r\n2.6.12\r\n%4\r\n$4\r\nname\r\n$17\r\nunix-time-seconds\r\n" +
		"$4\r\ntype\r\n$9\r\nunix-time\r\n$5\r\ntoken\r\n$4\r\nEXAT\r\n$5\r\nsince\r\n$5\r\n" +
		"6.2.0\r\n%4\r\n$4\r\nname\r\n$22\r\nunix-time-milliseconds\r\n$4\r\ntype\r\n$9\r\n" +
		"unix-time\r\n$5\r\ntoken\r\n$4\r\nPXAT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\n" +
		"name\r\n$7\r\nkeepttl\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\n" +
		"KEEPTTL\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n$4\r\nzadd\r\n%6\r\n$7\r\nsummary\r\n$81\r\n" +
		"Add one or more members to a sorted set, or update its score if it already exists\r\n" +
		"$5\r\nsince\r\n$5\r\n1.2.0\r\n$5\r\ngroup\r\n$10\r\nsorted-set\r\n$10\r\ncomplexity\r\n" +
		"$83\r\n" +
		"O(log(N)) for each item added, where N is the number of elements in the sorted set.\r\n" +
		"$7\r\nhistory\r\n~3\r\n*2\r\n$5\r\n2.4.0\r\n$26\r\nAccepts multiple elements.\r\n*2\r\n" +
		"$5\r\n3.0.2\r\n$46\r\nAdded the `XX`, `NX`, `CH` and `INCR` options.\r\n*2\r\n$5\r\n" +
		"6.2.0\r\n$32\r\nAdded the `GT` and `LT` options.\r\n$9\r\narguments\r\n*6\r\n%3\r\n" +
		"$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
		"%5\r\n$4\r\nname\r\n$9\r\ncondition\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n" +
		"$5\r\n3.0.2\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\n" +
		"name\r\n$2\r\nnx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nNX\r\n%3\r\n" +
		"$4\r\nname\r\n$2\r\nxx\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nXX\r\n" +
		"%5\r\n$4\r\nname\r\n$10\r\ncomparison\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nsince\r\n" +
		"$5\r\n6.2.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\n" +
		"name\r\n$2\r\ngt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nGT\r\n%3\r\n" +
		"$4\r\nname\r\n$2\r\nlt\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$2\r\nLT\r\n" +
		"%5\r\n$4\r\nname\r\n$6\r\nchange\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n" +
		"$2\r\nCH\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%5\r\n$4\r\n" +
		"name\r\n$9\r\nincrement\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\n" +
		"INCR\r\n$5\r\nsince\r\n$5\r\n3.0.2\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\n" +
		"name\r\n$12\r\nscore_member\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\nflags\r\n~1\r\n" +
		"+multiple\r\n$9\r\narguments\r\n*2\r\n%2\r\n$4\r\nname\r\n$5\r\nscore\r\n$4\r\ntype\r\n" +
		"$6\r\ndouble\r\n%2\r\n$4\r\nname\r\n$6\r\nmember\r\n$4\r\ntype\r\n$6\r\nstring\r\n$4\r\n" +
		"xadd\r\n%6\r\n$7\r\nsummary\r\n$31\r\nAppends a new entry to a stream\r\n$5\r\nsince\r\n" +
		"$5\r\n5.0.0\r\n$5\r\ngroup\r\n$6\r\nstream\r\n$10\r\ncomplexity\r\n$93\r\n" +
		"O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted.\r\n" +
		"$7\r\nhistory\r\n~2\r\n*2\r\n$5\r\n6.2.0\r\n$80\r\n" +
		"Added the `NOMKSTREAM` option, `MINID` trimming strategy and the `LIMIT` option.\r\n" +
		"*2\r\n$5\r\n7.0.0\r\n$48\r\nAdded support for the `<ms>-*` explicit ID form.\r\n$9\r\n" +
		"arguments\r\n*5\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\n" +
		"key_spec_index\r\n:0\r\n%5\r\n$4\r\nname\r\n$10\r\nnomkstream\r\n$4\r\ntype\r\n$10\r\n" +
		"pure-token\r\n$5\r\ntoken\r\n$10\r\nNOMKSTREAM\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n$5\r\n" +
		"flags\r\n~1\r\n+optional\r\n%4\r\n$4\r\nname\r\n$4\r\ntrim\r\n$4\r\ntype\r\n$5\r\n" +
		"block\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*4\r\n%3\r\n$4\r\nname\r\n" +
		"$8\r\nstrategy\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\n" +
		"name\r\n$6\r\nmaxlen\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$6\r\n" +
		"MAXLEN\r\n%4\r\n$4\r\nname\r\n$5\r\nminid\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\n" +
		"token\r\n$5\r\nMINID\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n%4\r\n$4\r\nname\r\n$8\r\n" +
		"operator\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\n" +
		"arguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$5\r\nequal\r\n$4\r\ntype\r\n$10\r\n" +
		"pure-token\r\n$5\r\ntoken\r\n$1\r\n=\r\n%3\r\n$4\r\nname\r\n$13\r\napproximately\r\n" +
		"$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$1\r\n~\r\n%2\r\n$4\r\nname\r\n$9\r\n" +
		"threshold\r\n$4\r\ntype\r\n$6\r\nstring\r\n%5\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\n" +
		"type\r\n$7\r\ninteger\r\n$5\r\ntoken\r\n$5\r\nLIMIT\r\n$5\r\nsince\r\n$5\r\n6.2.0\r\n" +
		"$5\r\nflags\r\n~1\r\n+optional\r\n%3\r\n$4\r\nname\r\n$10\r\nid_or_auto\r\n$4\r\n" +
		"type\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$7\r\nauto_id\r\n" +
		"$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$1\r\n*\r\n%2\r\n$4\r\nname\r\n$2\r\n" +
		"id\r\n$4\r\ntype\r\n$6\r\nstring\r\n%4\r\n$4\r\nname\r\n$11\r\nfield_value\r\n$4\r\n" +
		"type\r\n$5\r\nblock\r\n$5\r\nflags\r\n~1\r\n+multiple\r\n$9\r\narguments\r\n*2\r\n%2\r\n" +
		"$4\r\nname\r\n$5\r\nfield\r\n$4\r\ntype\r\n$6\r\nstring\r\n%2\r\n$4\r\nname\r\n$5\r\n" +
		"value\r\n$4\r\ntype\r\n$6\r\nstring\r\n$10\r\nconfig|get\r\n%6\r\n$7\r\nsummary\r\n" +
		"$42\r\nGet the values of configuration parameters\r\n$5\r\nsince\r\n$5\r\n2.0.0\r\n" +
		"$5\r\ngroup\r\n$6\r\nserver\r\n$10\r\ncomplexity\r\n$62\r\n" +
		"O(N) when N is the number of configuration parameters provided\r\n$7\r\nhistory\r\n" +
		"~1\r\n*2\r\n$5\r\n7.0.0\r\n$65\r\n" +
		"Added the ability to pass multiple pattern parameters in one call\r\n$9\r\narguments\r\n" +
		"*1\r\n%4\r\n$4\r\nname\r\n$9\r\nparameter\r\n$4\r\ntype\r\n$5\r\nblock\r\n$5\r\n" +
		"flags\r\n~1\r\n+multiple\r\n$9\r\narguments\r\n*1\r\n%2\r\n$4\r\nname\r\n$9\r\n" +
		"parameter\r\n$4\r\ntype\r\n$6\r\nstring\r\n$4\r\nsort\r\n%5\r\n$7\r\nsummary\r\n$46\r\n" +
		"Sort the elements in a list, set or sorted set\r\n$5\r\nsince\r\n$5\r\n1.0.0\r\n$5\r\n" +
		"group\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$168\r\n" +
		"O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).\r\n" +
		"$9\r\narguments\r\n*7\r\n%3\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
		"$14\r\nkey_spec_index\r\n:0\r\n%5\r\n$4\r\nname\r\n$7\r\npattern\r\n$4\r\ntype\r\n$7\r\n" +
		"pattern\r\n$14\r\nkey_spec_index\r\n:1\r\n$5\r\ntoken\r\n$2\r\nBY\r\n$5\r\nflags\r\n" +
		"~1\r\n+optional\r\n%5\r\n$4\r\nname\r\n$12\r\noffset_count\r\n$4\r\ntype\r\n$5\r\n" +
		"block\r\n$5\r\ntoken\r\n$5\r\nLIMIT\r\n$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\n" +
		"arguments\r\n*2\r\n%2\r\n$4\r\nname\r\n$6\r\noffset\r\n$4\r\ntype\r\n$7\r\ninteger\r\n" +
		"%2\r\n$4\r\nname\r\n$5\r\ncount\r\n$4\r\ntype\r\n$7\r\ninteger\r\n%5\r\n$4\r\nname\r\n" +
		"$7\r\npattern\r\n$4\r\ntype\r\n$7\r\npattern\r\n$14\r\nkey_spec_index\r\n:1\r\n$5\r\n" +
		"token\r\n$3\r\nGET\r\n$5\r\nflags\r\n~3\r\n+optional\r\n+multiple\r\n+multiple_token\r\n" +
		"%4\r\n$4\r\nname\r\n$5\r\norder\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n" +
		"+optional\r\n$9\r\narguments\r\n*2\r\n%3\r\n$4\r\nname\r\n$3\r\nasc\r\n$4\r\ntype\r\n" +
		"$10\r\npure-token\r\n$5\r\ntoken\r\n$3\r\nASC\r\n%3\r\n$4\r\nname\r\n$4\r\ndesc\r\n" +
		"$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\nDESC\r\n%4\r\n$4\r\nname\r\n" +
		"$7\r\nsorting\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$5\r\nALPHA\r\n$5\r\n" +
		"flags\r\n~1\r\n+optional\r\n%5\r\n$4\r\nname\r\n$11\r\ndestination\r\n$4\r\ntype\r\n" +
		"$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:2\r\n$5\r\ntoken\r\n$5\r\nSTORE\r\n$5\r\n" +
		"flags\r\n~1\r\n+optional\r\n$7\r\nmigrate\r\n%6\r\n$7\r\nsummary\r\n$63\r\n" +
		"Atomically transfer a key from a Redis instance to another one.\r\n$5\r\nsince\r\n$5\r\n" +
		"2.6.0\r\n$5\r\ngroup\r\n$7\r\ngeneric\r\n$10\r\ncomplexity\r\n$223\r\n" +
		"This command actually executes a DUMP+DEL in the source instance, and a RESTORE in the target instance. See the pages of these commands for time complexity. Also an O(N) data transfer between the two instances is performed.\r\n" +
		"$7\r\nhistory\r\n~4\r\n*2\r\n$5\r\n3.0.0\r\n$39\r\n" +
		"Added the `COPY` and `REPLACE` options.\r\n*2\r\n$5\r\n3.0.6\r\n$24\r\n" +
		"Added the `KEYS` option.\r\n*2\r\n$5\r\n4.0.7\r\n$24\r\nAdded the `AUTH` option.\r\n" +
		"*2\r\n$5\r\n6.0.0\r\n$25\r\nAdded the `AUTH2` option.\r\n$9\r\narguments\r\n*9\r\n%2\r\n" +
		"$4\r\nname\r\n$4\r\nhost\r\n$4\r\ntype\r\n$6\r\nstring\r\n%2\r\n$4\r\nname\r\n$4\r\n" +
		"port\r\n$4\r\ntype\r\n$7\r\ninteger\r\n%3\r\n$4\r\nname\r\n$19\r\n" +
		"key_or_empty_string\r\n$4\r\ntype\r\n$5\r\noneof\r\n$9\r\narguments\r\n*2\r\n%3\r\n" +
		"$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n$14\r\nkey_spec_index\r\n:0\r\n" +
		"%3\r\n$4\r\nname\r\n$12\r\nempty_string\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\n" +
		"token\r\n$0\r\n\r\n%2\r\n$4\r\nname\r\n$14\r\ndestination-db\r\n$4\r\ntype\r\n$7\r\n" +
		"integer\r\n%2\r\n$4\r\nname\r\n$7\r\ntimeout\r\n$4\r\ntype\r\n$7\r\ninteger\r\n%5\r\n" +
		"$4\r\nname\r\n$4\r\ncopy\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$4\r\n" +
		"COPY\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%5\r\n$4\r\n" +
		"name\r\n$7\r\nreplace\r\n$4\r\ntype\r\n$10\r\npure-token\r\n$5\r\ntoken\r\n$7\r\n" +
		"REPLACE\r\n$5\r\nsince\r\n$5\r\n3.0.0\r\n$5\r\nflags\r\n~1\r\n+optional\r\n%4\r\n$4\r\n" +
		"name\r\n$14\r\nauthentication\r\n$4\r\ntype\r\n$5\r\noneof\r\n$5\r\nflags\r\n~1\r\n" +
		"+optional\r\n$9\r\narguments\r\n*2\r\n%5\r\n$4\r\nname\r\n$8\r\npassword\r\n$4\r\n" +
		"type\r\n$6\r\nstring\r\n$5\r\ntoken\r\n$4\r\nAUTH\r\n$5\r\nsince\r\n$5\r\n4.0.7\r\n" +
		"$5\r\nflags\r\n~1\r\n+optional\r\n%6\r\n$4\r\nname\r\n$17\r\nusername_password\r\n$4\r\n" +
		"type\r\n$5\r\nblock\r\n$5\r\ntoken\r\n$5\r\nAUTH2\r\n$5\r\nsince\r\n$5\r\n6.0.0\r\n" +
		"$5\r\nflags\r\n~1\r\n+optional\r\n$9\r\narguments\r\n*2\r\n%2\r\n$4\r\nname\r\n$8\r\n" +
		"username\r\n$4\r\ntype\r\n$6\r\nstring\r\n%2\r\n$4\r\nname\r\n$8\r\npassword\r\n$4\r\n" +
		"type\r\n$6\r\nstring\r\n%6\r\n$4\r\nname\r\n$3\r\nkey\r\n$4\r\ntype\r\n$3\r\nkey\r\n" +
		"$14\r\nkey_spec_index\r\n:1\r\n$5\r\ntoken\r\n$4\r\nKEYS\r\n$5\r\nsince\r\n$5\r\n" +
		"3.0.6\r\n$5\r\nflags\r\n~2\r\n+optional\r\n+multiple\r\n"
	capturedInfo2 = "*7\r\n*10\r\n$3\r\nget\r\n:2\r\n*2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n" +
		"+@read\r\n+@string\r\n+@fast\r\n*0\r\n*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n" +
		"+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
		"*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\n" +
		"spec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n" +
		"*10\r\n$3\r\nset\r\n:-3\r\n*2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n*3\r\n" +
		"+@write\r\n+@string\r\n+@slow\r\n*0\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$48\r\n" +
		"RW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n*4\r\n+RW\r\n" +
		"+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n" +
		"$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\n" +
		"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n" +
		":1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$4\r\nzadd\r\n:-4\r\n*3\r\n+write\r\n" +
		"+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@sortedset\r\n+@fast\r\n*0\r\n" +
		"*1\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\n" +
		"type\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n" +
		"*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n" +
		"keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n*10\r\n$4\r\nxadd\r\n:-5\r\n*3\r\n+write\r\n" +
		"+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n*3\r\n+@write\r\n+@stream\r\n+@fast\r\n*1\r\n" +
		"$23\r\nnondeterministic_output\r\n*1\r\n*8\r\n$5\r\nnotes\r\n$65\r\n" +
		"UPDATE instead of INSERT because of the optional trimming feature\r\n$5\r\nflags\r\n" +
		"*2\r\n+RW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\n" +
		"spec\r\n*2\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\n" +
		"range\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\n" +
		"limit\r\n:0\r\n*0\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n*4\r\n+admin\r\n+noscript\r\n" +
		"+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n*3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n*0\r\n" +
		"*0\r\n*0\r\n*10\r\n$4\r\nsort\r\n:-2\r\n*3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n" +
		":1\r\n:1\r\n:1\r\n*6\r\n+@write\r\n+@set\r\n+@sortedset\r\n+@list\r\n+@slow\r\n" +
		"+@dangerous\r\n*0\r\n*3\r\n*6\r\n$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\n" +
		"begin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n" +
		":1\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\n" +
		"lastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n*8\r\n$5\r\nnotes\r\n" +
		"$120\r\n" +
		"For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort\r\n" +
		"$5\r\nflags\r\n*2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\n" +
		"unknown\r\n$4\r\nspec\r\n*0\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n" +
		"$4\r\nspec\r\n*0\r\n*8\r\n$5\r\nnotes\r\n$116\r\n" +
		"For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array\r\n" +
		"$5\r\nflags\r\n*2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\n" +
		"unknown\r\n$4\r\nspec\r\n*0\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$7\r\nunknown\r\n" +
		"$4\r\nspec\r\n*0\r\n*0\r\n*10\r\n$7\r\nmigrate\r\n:-6\r\n*2\r\n+write\r\n" +
		"+movablekeys\r\n:3\r\n:3\r\n:1\r\n*4\r\n+@keyspace\r\n+@write\r\n+@slow\r\n" +
		"+@dangerous\r\n*1\r\n$23\r\nnondeterministic_output\r\n*2\r\n*6\r\n$5\r\nflags\r\n*3\r\n" +
		"+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$5\r\nindex\r\n" +
		"$4\r\nspec\r\n*2\r\n$5\r\nindex\r\n:3\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\ntype\r\n$5\r\n" +
		"range\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\n" +
		"limit\r\n:0\r\n*6\r\n$5\r\nflags\r\n*4\r\n+RW\r\n+access\r\n+delete\r\n+incomplete\r\n" +
		"$12\r\nbegin_search\r\n*4\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n*4\r\n$7\r\n" +
		"keyword\r\n$4\r\nKEYS\r\n$9\r\nstartfrom\r\n:-2\r\n$9\r\nfind_keys\r\n*4\r\n$4\r\n" +
		"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n*6\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n" +
		":1\r\n$5\r\nlimit\r\n:0\r\n*0\r\n"
	capturedInfo3 = "*7\r\n*10\r\n$3\r\nget\r\n:2\r\n~2\r\n+readonly\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n" +
		"+@read\r\n+@string\r\n+@fast\r\n~0\r\n~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n" +
		"+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n" +
		"%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\n" +
		"spec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n" +
		"*10\r\n$3\r\nset\r\n:-3\r\n~2\r\n+write\r\n+denyoom\r\n:1\r\n:1\r\n:1\r\n~3\r\n" +
		"+@write\r\n+@string\r\n+@slow\r\n~0\r\n~1\r\n%4\r\n$5\r\nnotes\r\n$48\r\n" +
		"RW and ACCESS due to the optional `GET` argument\r\n$5\r\nflags\r\n~4\r\n+RW\r\n" +
		"+access\r\n+update\r\n+variable_flags\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n" +
		"$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\n" +
		"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n" +
		":1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n*10\r\n$4\r\nzadd\r\n:-4\r\n~3\r\n+write\r\n" +
		"+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@write\r\n+@sortedset\r\n+@fast\r\n~0\r\n" +
		"~1\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\n" +
		"type\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n" +
		"%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\n" +
		"keystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n*10\r\n$4\r\nxadd\r\n:-5\r\n~3\r\n+write\r\n" +
		"+denyoom\r\n+fast\r\n:1\r\n:1\r\n:1\r\n~3\r\n+@write\r\n+@stream\r\n+@fast\r\n~1\r\n" +
		"$23\r\nnondeterministic_output\r\n~1\r\n%4\r\n$5\r\nnotes\r\n$65\r\n" +
		"UPDATE instead of INSERT because of the optional trimming feature\r\n$5\r\nflags\r\n" +
		"~2\r\n+RW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\n" +
		"spec\r\n%1\r\n$5\r\nindex\r\n:1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\n" +
		"range\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\n" +
		"limit\r\n:0\r\n~0\r\n*10\r\n$10\r\nconfig|get\r\n:-3\r\n~4\r\n+admin\r\n+noscript\r\n" +
		"+loading\r\n+stale\r\n:0\r\n:0\r\n:0\r\n~3\r\n+@admin\r\n+@slow\r\n+@dangerous\r\n~0\r\n" +
		"~0\r\n~0\r\n*10\r\n$4\r\nsort\r\n:-2\r\n~3\r\n+write\r\n+denyoom\r\n+movablekeys\r\n" +
		":1\r\n:1\r\n:1\r\n~6\r\n+@write\r\n+@set\r\n+@sortedset\r\n+@list\r\n+@slow\r\n" +
		"+@dangerous\r\n~0\r\n~3\r\n%3\r\n$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\n" +
		"begin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n" +
		":1\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\n" +
		"lastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\nlimit\r\n:0\r\n%4\r\n$5\r\nnotes\r\n" +
		"$120\r\n" +
		"For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort\r\n" +
		"$5\r\nflags\r\n~2\r\n+RO\r\n+access\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\n" +
		"unknown\r\n$4\r\nspec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n" +
		"$4\r\nspec\r\n%0\r\n%4\r\n$5\r\nnotes\r\n$116\r\n" +
		"For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array\r\n" +
		"$5\r\nflags\r\n~2\r\n+OW\r\n+update\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\n" +
		"unknown\r\n$4\r\nspec\r\n%0\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$7\r\nunknown\r\n" +
		"$4\r\nspec\r\n%0\r\n~0\r\n*10\r\n$7\r\nmigrate\r\n:-6\r\n~2\r\n+write\r\n" +
		"+movablekeys\r\n:3\r\n:3\r\n:1\r\n~4\r\n+@keyspace\r\n+@write\r\n+@slow\r\n" +
		"+@dangerous\r\n~1\r\n$23\r\nnondeterministic_output\r\n~2\r\n%3\r\n$5\r\nflags\r\n~3\r\n" +
		"+RW\r\n+access\r\n+delete\r\n$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$5\r\nindex\r\n" +
		"$4\r\nspec\r\n%1\r\n$5\r\nindex\r\n:3\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\ntype\r\n$5\r\n" +
		"range\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:0\r\n$7\r\nkeystep\r\n:1\r\n$5\r\n" +
		"limit\r\n:0\r\n%3\r\n$5\r\nflags\r\n~4\r\n+RW\r\n+access\r\n+delete\r\n+incomplete\r\n" +
		"$12\r\nbegin_search\r\n%2\r\n$4\r\ntype\r\n$7\r\nkeyword\r\n$4\r\nspec\r\n%2\r\n$7\r\n" +
		"keyword\r\n$4\r\nKEYS\r\n$9\r\nstartfrom\r\n:-2\r\n$9\r\nfind_keys\r\n%2\r\n$4\r\n" +
		"type\r\n$5\r\nrange\r\n$4\r\nspec\r\n%3\r\n$7\r\nlastkey\r\n:-1\r\n$7\r\nkeystep\r\n" +
		":1\r\n$5\r\nlimit\r\n:0\r\n~0\r\n"
)
