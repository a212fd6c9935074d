package resp

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// readerCase is one request and what Redis 7.0.15 does with it: run the
// command argv, skip an empty command (argv empty, n > 0), wait for more
// (n == 0, no error), or reply the error and close.
type readerCase struct {
	name string
	in   string
	argv []string
	n    int
	err  string
}

// readerCases were checked against redis-server 7.0.15 over a raw socket.
var readerCases = []readerCase{
	{name: "set", in: "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n", argv: []string{"SET", "k", "value"}, n: 31},
	{name: "empty bulk", in: "*1\r\n$0\r\n\r\n", argv: []string{""}, n: 10},
	{name: "binary bulk", in: "*2\r\n$4\r\nECHO\r\n$2\r\na\x00\r\n", argv: []string{"ECHO", "a\x00"}, n: 22},
	{name: "bulk with CRLF inside", in: "*1\r\n$4\r\n\r\n\r\n\r\n", argv: []string{"\r\n\r\n"}, n: 14},
	{name: "zero count", in: "*0\r\nPING\r\n", argv: []string{}, n: 4},
	{name: "minus one count", in: "*-1\r\n", argv: []string{}, n: 5},
	{name: "negative count", in: "*-5\r\n", argv: []string{}, n: 5},
	{name: "bulk trailer unchecked", in: "*1\r\n$4\r\nPINGxx", argv: []string{"PING"}, n: 14},
	{name: "count LF unchecked", in: "*1\rX$4\r\nPING\r\n", argv: []string{"PING"}, n: 14},
	{name: "bulk LF unchecked", in: "*1\r\n$4\rXPING\r\n", argv: []string{"PING"}, n: 14},
	{name: "incomplete bulk", in: "*1\r\n$4\r\nPING"},
	{name: "incomplete count", in: "*1"},
	{name: "count CR last", in: "*1\r"},
	{name: "max bulk", in: "*1\r\n$536870912\r\n"},
	{name: "max count", in: "*2147483647\r\n"},
	{name: "NUL hides count end", in: "*1\x00\r\n$4\r\nPING\r\n"},
	{name: "empty count", in: "*\r\nPING\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "letter count", in: "*x\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "leading zero count", in: "*01\r\n$4\r\nPING\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "plus count", in: "*+1\r\n$4\r\nPING\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "minus zero count", in: "*-0\r\nPING\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "count over INT_MAX", in: "*2147483648\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "count LF only", in: "*1\nPING\r\n", err: "Protocol error: invalid multibulk length"},
	{name: "integer element", in: "*2\r\n$3\r\nfoo\r\n:1\r\n", err: "Protocol error: expected '$', got ':'"},
	{name: "CR element", in: "*1\r\n\r\n\r\n", err: "Protocol error: expected '$', got ' '"},
	{name: "LF element", in: "*1\r\n\nx\r\n", err: "Protocol error: expected '$', got ' '"},
	{name: "control element", in: "*1\r\n\x01x\r\n", err: "Protocol error: expected '$', got '\x01'"},
	{name: "negative bulk", in: "*1\r\n$-1\r\n", err: "Protocol error: invalid bulk length"},
	{name: "letter bulk", in: "*1\r\n$x\r\n", err: "Protocol error: invalid bulk length"},
	{name: "empty bulk length", in: "*1\r\n$\r\n", err: "Protocol error: invalid bulk length"},
	{name: "bulk over max", in: "*1\r\n$536870913\r\n", err: "Protocol error: invalid bulk length"},
	{name: "bulk overflow", in: "*1\r\n$99999999999999999999\r\n", err: "Protocol error: invalid bulk length"},
	{name: "bulk LF only", in: "*1\r\n$4\nPING\r\n", err: "Protocol error: invalid bulk length"},
	{name: "inline LF", in: "PING\n", argv: []string{"PING"}, n: 5},
	{name: "inline CRLF", in: "PING\r\n", argv: []string{"PING"}, n: 6},
	{name: "inline CR CRLF", in: "PING\r\r\n", argv: []string{"PING"}, n: 7},
	{name: "inline empty CRLF", in: "\r\n", argv: []string{}, n: 2},
	{name: "inline empty LF", in: "\n", argv: []string{}, n: 1},
	{name: "inline blanks", in: "  \r\n", argv: []string{}, n: 4},
	{name: "inline args", in: "SET  k\tv\r\n", argv: []string{"SET", "k", "v"}, n: 10},
	{name: "inline escapes", in: "ECHO \"a\\x41\\n\"\r\n", argv: []string{"ECHO", "aA\n"}, n: 16},
	{name: "inline single quotes", in: "ECHO 'it\\'s'\r\n", argv: []string{"ECHO", "it's"}, n: 14},
	{name: "inline empty quotes", in: "ECHO ''\r\n", argv: []string{"ECHO", ""}, n: 9},
	{name: "inline vertical tab", in: "ECHO a\vb\r\n", argv: []string{"ECHO", "a\vb"}, n: 10},
	{name: "inline incomplete", in: "PING"},
	{name: "inline NUL hides end", in: "ECHO a\x00b\r\n"},
	{name: "inline open quote", in: "ECHO \"abc\r\n", err: "Protocol error: unbalanced quotes in request"},
	{name: "inline quote then letter", in: "ECHO \"abc\"x\r\n", err: "Protocol error: unbalanced quotes in request"},
	{name: "inline adjacent quotes", in: "ECHO \"a\"\"b\"\r\n", err: "Protocol error: unbalanced quotes in request"},
	{name: "inline at limit", in: strings.Repeat("A", 65536)},
	{name: "inline too big", in: strings.Repeat("A", 65537), err: "Protocol error: too big inline request"},
	{name: "count at limit", in: "*" + strings.Repeat("1", 65535)},
	{name: "count too big", in: "*" + strings.Repeat("1", 65536), err: "Protocol error: too big mbulk count string"},
	{name: "bulk count at limit", in: "*1\r\n$" + strings.Repeat("1", 65535)},
	{name: "bulk count too big", in: "*1\r\n$" + strings.Repeat("1", 65536), err: "Protocol error: too big bulk count string"},
	{name: "NUL inline too big", in: "A\x00\r\n" + strings.Repeat("A", 65533), err: "Protocol error: too big inline request"},
}

func strs(argv [][]byte) []string {
	out := make([]string, len(argv))
	for i, a := range argv {
		out[i] = string(a)
	}
	return out
}

func checkResult(t *testing.T, c readerCase, argv [][]byte, n int, err error) {
	t.Helper()
	if c.err != "" {
		var pe *ProtocolError
		if !errors.As(err, &pe) || pe.Msg != c.err {
			t.Fatalf("err = %v, want %q", err, c.err)
		}
		return
	}
	if err != nil {
		t.Fatalf("unexpected error %v", err)
	}
	if n != c.n {
		t.Fatalf("n = %d, want %d", n, c.n)
	}
	if c.n > 0 && !reflect.DeepEqual(strs(argv), c.argv) {
		t.Fatalf("argv = %q, want %q", strs(argv), c.argv)
	}
}

func TestReaderWhole(t *testing.T) {
	for _, c := range readerCases {
		t.Run(c.name, func(t *testing.T) {
			var r Reader
			argv, n, err := r.Next([]byte(c.in), nil)
			checkResult(t, c, argv, n, err)
		})
	}
}

// TestReaderSplit feeds every prefix of each case, in a fresh copy each time
// as a growing connection buffer would be: the outcome must appear at the
// same place and be the same as with the whole input.
func TestReaderSplit(t *testing.T) {
	for _, c := range readerCases {
		if len(c.in) > 1000 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			var r Reader
			dst := make([][]byte, 0, 4)
			for k := 1; k <= len(c.in); k++ {
				argv, n, err := r.Next([]byte(c.in[:k]), dst)
				if err != nil || n > 0 {
					checkResult(t, c, argv, n, err)
					if c.err == "" && n != k {
						t.Fatalf("completed at %d bytes, consumed %d", k, n)
					}
					return
				}
				if len(argv) != 0 {
					t.Fatalf("incomplete call returned argv %q", strs(argv))
				}
			}
			if c.err != "" || c.n != 0 {
				t.Fatalf("no result after all %d bytes", len(c.in))
			}
		})
	}
}

// TestReaderBigLimitsSplit checks the 64KB limits byte by byte near their edge.
func TestReaderBigLimitsSplit(t *testing.T) {
	for _, c := range readerCases {
		if len(c.in) <= 1000 {
			continue
		}
		t.Run(c.name, func(t *testing.T) {
			var r Reader
			in := []byte(c.in)
			for k := len(in) - 50; k <= len(in); k++ {
				_, n, err := r.Next(in[:k], nil)
				if err != nil || n > 0 {
					if k != len(in) {
						t.Fatalf("result at %d of %d bytes: %v", k, len(in), err)
					}
					checkResult(t, c, nil, n, err)
					return
				}
			}
			if c.err != "" {
				t.Fatalf("no error after all bytes")
			}
		})
	}
}

func TestReaderPipeline(t *testing.T) {
	in := []byte("*1\r\n$4\r\nPING\r\nECHO hi\r\n\r\n*0\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPI")
	want := [][]string{{"PING"}, {"ECHO", "hi"}, {}, {}, {"GET", "k"}}
	var r Reader
	var got [][]string
	var dst [][]byte
	for {
		argv, n, err := r.Next(in, dst)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		got = append(got, strs(argv))
		in = in[n:]
		dst = argv
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if string(in) != "*1\r\n$4\r\nPI" {
		t.Fatalf("left %q", in)
	}
	if r.Need() != 4 {
		t.Fatalf("Need = %d, want 4", r.Need())
	}
	argv, n, err := r.Next(append(in, "NG\r\n"...), dst)
	if err != nil || n != len(in)+4 || !reflect.DeepEqual(strs(argv), []string{"PING"}) {
		t.Fatalf("resume: %q %d %v", strs(argv), n, err)
	}
}

func TestReaderLimits(t *testing.T) {
	cases := []struct {
		name string
		r    Reader
		in   string
		err  string
	}{
		{"bulk limit", Reader{MaxBulkLen: 3}, "*1\r\n$4\r\nPING\r\n", "Protocol error: invalid bulk length"},
		{"bulk at limit", Reader{MaxBulkLen: 4}, "*1\r\n$4\r\nPING\r\n", ""},
		{"count limit", Reader{MaxMultibulkLen: 1}, "*2\r\n", "Protocol error: invalid multibulk length"},
		{"inline limit", Reader{MaxInlineLen: 3}, "PING\r\n", "Protocol error: too big inline request"},
		{"unauth count", Reader{AuthRequired: true}, "*11\r\n", "Protocol error: unauthenticated multibulk length"},
		{"unauth count 10", Reader{AuthRequired: true}, "*10\r\n", ""},
		{"unauth negative", Reader{AuthRequired: true}, "*-1\r\n", ""},
		{"unauth bulk", Reader{AuthRequired: true}, "*1\r\n$16385\r\n", "Protocol error: unauthenticated bulk length"},
		{"unauth bulk at limit", Reader{AuthRequired: true}, "*1\r\n$16384\r\n", ""},
		{"unauth invalid first", Reader{AuthRequired: true}, "*11x\r\n", "Protocol error: invalid multibulk length"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := c.r.Next([]byte(c.in), nil)
			if c.err == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			var pe *ProtocolError
			if !errors.As(err, &pe) || pe.Msg != c.err {
				t.Fatalf("err = %v, want %q", err, c.err)
			}
		})
	}
}

// TestReaderHugeBulk checks that a declared 512MB bulk allocates nothing and
// that Need tracks what is missing as bytes arrive.
func TestReaderHugeBulk(t *testing.T) {
	head := []byte("*2\r\n$3\r\nSET\r\n$536870912\r\nabc")
	var r Reader
	dst := make([][]byte, 0, 4)
	allocs := testing.AllocsPerRun(100, func() {
		r.Reset()
		if _, n, err := r.Next(head, dst); n != 0 || err != nil {
			t.Fatalf("n=%d err=%v", n, err)
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v, want 0", allocs)
	}
	if want := 536870912 + 2 - 3; r.Need() != want {
		t.Fatalf("Need = %d, want %d", r.Need(), want)
	}
	more := append(bytes.Clone(head), make([]byte, 1000)...)
	if _, n, err := r.Next(more, dst); n != 0 || err != nil {
		t.Fatalf("n=%d err=%v", n, err)
	}
	if want := 536870912 + 2 - 1003; r.Need() != want {
		t.Fatalf("Need = %d, want %d", r.Need(), want)
	}
}

func TestReaderInlineInPlace(t *testing.T) {
	buf := []byte("SET \"a\\tb\" 'c d'\r\nrest")
	var r Reader
	argv, n, err := r.Next(buf, nil)
	if err != nil || n != 18 || !reflect.DeepEqual(strs(argv), []string{"SET", "a\tb", "c d"}) {
		t.Fatalf("%q %d %v", strs(argv), n, err)
	}
	for _, a := range argv {
		if !within(buf, a) {
			t.Fatalf("argument %q is not inside buf", a)
		}
	}
	if string(buf[n:]) != "rest" {
		t.Fatalf("bytes after the line changed: %q", buf[n:])
	}
}

func within(buf, a []byte) bool {
	for i := range buf {
		if &buf[i] == &a[0] {
			return true
		}
	}
	return false
}

// TestReaderResetMisuse checks that a shorter buffer than the pending state
// starts over instead of panicking.
func TestReaderResetMisuse(t *testing.T) {
	var r Reader
	r.Next([]byte("*2\r\n$3\r\nGET\r\n"), nil)
	argv, n, err := r.Next([]byte("PING\r\n"), nil)
	if err != nil || n != 6 || !reflect.DeepEqual(strs(argv), []string{"PING"}) {
		t.Fatalf("%q %d %v", strs(argv), n, err)
	}
}

func TestReaderZeroAllocs(t *testing.T) {
	set := []byte("*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$5\r\nvalue\r\n")
	inline := []byte("GET key\r\n")
	var r Reader
	dst := make([][]byte, 0, 8)
	allocs := testing.AllocsPerRun(1000, func() {
		argv, n, err := r.Next(set, dst)
		if err != nil || n != len(set) || len(argv) != 3 {
			t.Fatal("bad parse")
		}
		argv, n, err = r.Next(inline, dst)
		if err != nil || n != len(inline) || len(argv) != 2 {
			t.Fatal("bad inline parse")
		}
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v, want 0", allocs)
	}
}

func FuzzReader(f *testing.F) {
	for _, c := range readerCases {
		if len(c.in) < 1000 {
			f.Add([]byte(c.in), uint16(len(c.in)/2))
		}
	}
	f.Add([]byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*1\r\n$4\r\nPING\r\n"), uint16(7))
	f.Fuzz(func(t *testing.T, in []byte, split uint16) {
		// Whole input, pipelined.
		var whole [][]string
		var wholeErr error
		var r Reader
		r.MaxInlineLen = 64
		for rest := bytes.Clone(in); ; {
			argv, n, err := r.Next(rest, nil)
			if err != nil {
				wholeErr = err
				break
			}
			if n == 0 {
				break
			}
			if n > len(rest) {
				t.Fatalf("consumed %d of %d", n, len(rest))
			}
			whole = append(whole, strs(argv))
			rest = rest[n:]
		}
		// The same bytes in two pieces must give the same commands.
		s := int(split) % (len(in) + 1)
		var parts [][]string
		var partErr error
		r = Reader{MaxInlineLen: 64}
		buf := bytes.Clone(in[:s])
		fed := s
		for {
			argv, n, err := r.Next(buf, nil)
			if err != nil {
				partErr = err
				break
			}
			if n == 0 {
				if fed == len(in) {
					break
				}
				buf = append(bytes.Clone(buf), in[fed:]...)
				fed = len(in)
				continue
			}
			parts = append(parts, strs(argv))
			buf = buf[n:]
		}
		if !reflect.DeepEqual(whole, parts) || (wholeErr == nil) != (partErr == nil) {
			t.Fatalf("whole %q %v, split at %d %q %v", whole, wholeErr, s, parts, partErr)
		}
		if wholeErr != nil && wholeErr.Error() != partErr.Error() {
			t.Fatalf("errors differ: %v / %v", wholeErr, partErr)
		}
	})
}
