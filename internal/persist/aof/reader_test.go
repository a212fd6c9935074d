package aof

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"testing/iotest"
)

const (
	setA    = "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1\r\n" // 27 bytes
	multi   = "*1\r\n$5\r\nMULTI\r\n"                     // 15 bytes
	execCmd = "*1\r\n$4\r\nEXEC\r\n"                      // 14 bytes
)

// readerKinds builds a Reader over the same file in memory and streamed
// in reads of one byte and of half what is asked.
var readerKinds = map[string]func(data []byte) *Reader{
	"memory": NewReader,
	"bytes":  func(data []byte) *Reader { return NewStreamReader(iotest.OneByteReader(bytes.NewReader(data)), 0) },
	"half":   func(data []byte) *Reader { return NewStreamReader(iotest.HalfReader(bytes.NewReader(data)), 0) },
}

// readAll drains r, returning the commands as strings and the final error.
func readAll(r *Reader) ([][]string, error) {
	var cmds [][]string
	for {
		argv, err := r.Next()
		if err != nil {
			return cmds, err
		}
		cmd := make([]string, len(argv))
		for i, a := range argv {
			cmd[i] = string(a)
		}
		cmds = append(cmds, cmd)
	}
}

// The expectations were checked against Redis 7.0.15 loading each stream
// as its only incr file: what it loaded, whether it stopped with "Bad file
// format" or "Unexpected end of file", and the offset it truncated to.
func TestReader(t *testing.T) {
	set := []string{"set", "a", "1"}
	tests := []struct {
		name     string
		in       string
		want     [][]string
		err      error
		valid    int
		reverted bool
	}{
		{name: "empty", in: "", err: io.EOF},
		{name: "one command", in: setA, want: [][]string{set}, err: io.EOF, valid: 27},
		{
			name: "select and timestamp annotation",
			in:   "#TS:1795614363\r\n*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n" + setA,
			want: [][]string{{"SELECT", "0"}, set}, err: io.EOF, valid: 16 + 23 + 27,
		},
		{name: "annotation at the end without newline", in: setA + "#foo", want: [][]string{set}, err: io.EOF, valid: 27},
		{name: "empty bulk", in: "*2\r\n$3\r\nget\r\n$0\r\n\r\n", want: [][]string{{"get", ""}}, err: io.EOF, valid: 19},
		{name: "binary bulk holds CRLF", in: "*1\r\n$4\r\n\r\n\r\n\r\n", want: [][]string{{"\r\n\r\n"}}, err: io.EOF, valid: 14},
		{name: "atoi leniency", in: "*3xyz\r\n$3 x\r\nset\r\n$ 1\r\na\r\n$+1\r\n1\r\n", want: [][]string{set}, err: io.EOF, valid: 34},
		{name: "LF only lines", in: "*1\n$4\nPING\r\n", want: [][]string{{"PING"}}, err: io.EOF, valid: 12},
		{name: "CRLF after bulk is not checked", in: "*3\r\n$3\r\nset\r\n$1\r\na\r\n$1\r\n1XY*1\r\n$4\r\nPING\r\n", want: [][]string{set, {"PING"}}, err: io.EOF, valid: 41},
		{name: "skipped CRLF eats the next $", in: "*3\n$3\nset\n$1\nb\n$1\n1XX", err: ErrBadFormat},
		{name: "argc zero", in: setA + "*0\r\n", want: [][]string{set}, err: ErrBadFormat, valid: 27},
		{name: "argc empty", in: setA + "*\r\n", want: [][]string{set}, err: ErrBadFormat, valid: 27},
		{name: "argc negative", in: "*-1\r\n", err: ErrBadFormat},
		{name: "argc cut to a negative int", in: "*4294967295\r\n", err: ErrBadFormat},
		{name: "argc clamped, then cut", in: "*99999999999999999999\r\n", err: ErrBadFormat},
		{name: "argc cut to a positive int", in: "*4294967297\r\n$4\r\nPING\r\n", want: [][]string{{"PING"}}, err: io.EOF, valid: 23},
		{name: "huge argc is only truncation", in: "*2147483647\r\n$4\r\nPING\r\n", err: ErrTruncated},
		{name: "blank line", in: setA + "\r\n", want: [][]string{set}, err: ErrBadFormat, valid: 27},
		{name: "inline command", in: "PING\r\n", err: ErrBadFormat},
		{name: "not a bulk", in: "*1\r\n:4\r\n", err: ErrBadFormat},
		{name: "negative bulk length", in: "*1\r\n$-1\r\n", err: ErrBadFormat},
		{name: "NUL after star", in: "*\x00\r\n", err: ErrBadFormat},
		{name: "lone star at the end", in: setA + "*", want: [][]string{set}, err: ErrTruncated, valid: 27},
		{name: "cut in a bulk header", in: setA + "*3\r\n$3\r\nset\r\n$1\r\nb\r\n$1", want: [][]string{set}, err: ErrTruncated, valid: 27},
		{name: "cut before the CRLF", in: setA + "*1\r\n$4\r\nPING\r", want: [][]string{set}, err: ErrTruncated, valid: 27},
		{name: "bulk longer than the data", in: "*1\r\n$1000000000000\r\nxx", err: ErrTruncated},
		{
			name: "open MULTI is reverted",
			in:   setA + multi + setA,
			want: [][]string{set, {"MULTI"}, set}, err: ErrTruncated, valid: 27, reverted: true,
		},
		{
			name: "cut inside MULTI keeps the queued commands",
			in:   setA + multi + setA + "*3\r\n$3\r\nset",
			want: [][]string{set, {"MULTI"}, set}, err: ErrTruncated, valid: 69,
		},
		{
			name: "nested MULTI moves the revert point",
			in:   multi + setA + multi + setA,
			want: [][]string{{"MULTI"}, set, {"MULTI"}, set}, err: ErrTruncated, valid: 42, reverted: true,
		},
		{
			name: "EXEC closes, a second MULTI reopens",
			in:   multi + setA + execCmd + multi,
			want: [][]string{{"MULTI"}, set, {"EXEC"}, {"MULTI"}}, err: ErrTruncated, valid: 56, reverted: true,
		},
		{
			name: "DISCARD is only queued",
			in:   "*1\r\n$5\r\nmulti\r\n" + setA + "*1\r\n$7\r\ndiscard\r\n",
			want: [][]string{{"multi"}, set, {"discard"}}, err: ErrTruncated, valid: 0, reverted: true,
		},
		{name: "closed MULTI", in: multi + setA + "*1\r\n$4\r\nexec\r\n", want: [][]string{{"MULTI"}, set, {"exec"}}, err: io.EOF, valid: 56},
		{
			name: "long annotation's tail is a line of its own",
			in:   "#" + strings.Repeat("x", 1021) + "\r\n" + setA,
			err:  ErrBadFormat,
		},
		{
			name: "annotation piece ends right before a command",
			in:   "#" + strings.Repeat("x", 1022) + "*1\r\n$4\r\nPING\r\n" + setA,
			want: [][]string{{"PING"}, set}, err: io.EOF, valid: 1023 + 14 + 27,
		},
	}
	for _, tt := range tests {
		for kind, newReader := range readerKinds {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				r := newReader([]byte(tt.in))
				got, err := readAll(r)
				if err != tt.err {
					t.Fatalf("err = %v, want %v", err, tt.err)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("commands = %q, want %q", got, tt.want)
				}
				if err != ErrBadFormat && r.ValidLen() != tt.valid {
					t.Fatalf("ValidLen = %d, want %d", r.ValidLen(), tt.valid)
				}
				if r.RevertedMulti() != tt.reverted {
					t.Fatalf("RevertedMulti = %v, want %v", r.RevertedMulti(), tt.reverted)
				}
				if _, again := r.Next(); again != err {
					t.Fatalf("second error = %v, want %v again", again, err)
				}
			})
		}
	}
}

// TestReaderTruncatedAtEveryOffset cuts a small file at every offset: the
// commands wholly before the cut come back, then io.EOF at a command
// boundary and ErrTruncated, with ValidLen at the last boundary, elsewhere.
func TestReaderTruncatedAtEveryOffset(t *testing.T) {
	cmds := [][][]byte{
		{[]byte("SELECT"), []byte("0")},
		{[]byte("set"), []byte("key"), []byte("")},
		{[]byte("rpush"), []byte("l"), []byte("a\r\nb"), []byte("c")},
		{[]byte("del"), []byte("key")},
	}
	var full []byte
	ends := []int{0}
	annLen := 0
	for i, c := range cmds {
		if i == 2 {
			annLen = len(full)
			full = AppendTimestamp(full, 1700000000)
			annLen = len(full) - annLen
		}
		full = AppendCommand(full, c)
		ends = append(ends, len(full))
	}
	for cut := 0; cut <= len(full); cut++ {
		for _, newReader := range readerKinds {
			r := newReader(full[:cut])
			n := 0
			var err error
			for {
				var argv [][]byte
				argv, err = r.Next()
				if err != nil {
					break
				}
				if !reflect.DeepEqual(argv, cmds[n]) {
					t.Fatalf("cut %d: command %d = %q, want %q", cut, n, argv, cmds[n])
				}
				n++
			}
			// Past the last whole command there may be a piece of the
			// annotation before command 2, which is skipped like a whole one.
			wantErr := ErrTruncated
			if cut == ends[n] || (n == 2 && cut <= ends[2]+annLen) {
				wantErr = io.EOF
			}
			if err != wantErr {
				t.Fatalf("cut %d: err = %v after %d commands, want %v", cut, err, n, wantErr)
			}
			if r.ValidLen() != ends[n] {
				t.Fatalf("cut %d: ValidLen = %d, want %d", cut, r.ValidLen(), ends[n])
			}
		}
	}
}

// TestStreamReaderLargeCommands streams commands larger than the window
// after a preamble offset: arguments stay intact while the window grows,
// and offsets count from the start of the file.
func TestStreamReaderLargeCommands(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789"), 3*streamWindow/10)
	var data []byte
	var want [][]string
	for i := range 2000 {
		argv := [][]byte{[]byte("set"), []byte(strconv.Itoa(i)), []byte(strconv.Itoa(i * i))}
		if i%500 == 7 {
			argv = append(argv, big)
		}
		data = AppendCommand(data, argv)
		cmd := make([]string, len(argv))
		for j, a := range argv {
			cmd[j] = string(a)
		}
		want = append(want, cmd)
	}
	r := NewStreamReader(iotest.HalfReader(bytes.NewReader(data)), 100)
	got, err := readAll(r)
	if err != io.EOF || !reflect.DeepEqual(got, want) {
		t.Fatalf("err %v, %d commands of %d, equal %v", err, len(got), len(want), reflect.DeepEqual(got, want))
	}
	if r.ValidLen() != 100+len(data) || r.Offset() != 100+len(data) {
		t.Fatalf("ValidLen %d, Offset %d, want %d", r.ValidLen(), r.Offset(), 100+len(data))
	}
}

func TestNewReaderAt(t *testing.T) {
	data := []byte("REDIS0010\xff" + setA + "*1\r\n$4\r\nPI")
	if !HasRDBPreamble(data) {
		t.Fatal("HasRDBPreamble = false")
	}
	r := NewReaderAt(data, 10)
	got, err := readAll(r)
	if err != ErrTruncated || len(got) != 1 || r.ValidLen() != 37 {
		t.Fatalf("got %q, %v, ValidLen %d; want one command, ErrTruncated, 37", got, err, r.ValidLen())
	}
	if r := NewReaderAt(data, 1000); r.ValidLen() != len(data) {
		t.Fatalf("offset past the end: ValidLen = %d", r.ValidLen())
	}
}

func TestHasRDBPreamble(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"REDIS0010", true},
		{"REDIS", true},
		{"REDI", false},
		{"redis0010", false},
		{setA, false},
		{"", false},
	}
	for _, tt := range tests {
		if got := HasRDBPreamble([]byte(tt.in)); got != tt.want {
			t.Errorf("HasRDBPreamble(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestAppend(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"set", AppendCommand(nil, [][]byte{[]byte("set"), []byte("a"), []byte("1")}), setA},
		{"empty arg", AppendCommand([]byte("x"), [][]byte{[]byte("get"), {}}), "x*2\r\n$3\r\nget\r\n$0\r\n\r\n"},
		{"select 0", AppendSelect(nil, 0), "*2\r\n$6\r\nSELECT\r\n$1\r\n0\r\n"},
		{"select 15", AppendSelect(nil, 15), "*2\r\n$6\r\nSELECT\r\n$2\r\n15\r\n"},
		{"timestamp", AppendTimestamp(nil, 1795614363), "#TS:1795614363\r\n"},
	}
	for _, tt := range tests {
		if string(tt.got) != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	argv := [][]byte{[]byte("set"), []byte("key:000001"), []byte(strings.Repeat("v", 100))}
	buf := make([]byte, 0, 4096)
	allocs := testing.AllocsPerRun(100, func() {
		buf = AppendCommand(buf[:0], argv)
		buf = AppendSelect(buf, 9)
		buf = AppendTimestamp(buf, 1795614363)
	})
	if allocs != 0 {
		t.Fatalf("append allocates %.1f times per call", allocs)
	}
}

func TestReaderAllocs(t *testing.T) {
	var data []byte
	for range 100 {
		data = AppendCommand(data, [][]byte{[]byte("set"), []byte("k"), []byte("v")})
	}
	r := NewReader(data)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := r.Next(); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("Next allocates %.1f times per command", allocs)
	}
}

func TestReaderErrorsAreSentinels(t *testing.T) {
	_, err := readAll(NewReader([]byte("PING\r\n")))
	if !errors.Is(err, ErrBadFormat) {
		t.Fatalf("err = %v", err)
	}
}
