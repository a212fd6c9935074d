package resp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"reflect"
	"runtime"
	"strings"
	"testing"
)

// valueCases are replies captured from redis-server 7.0.15 (HELLO 3 and
// DEBUG PROTOCOL <type>, in RESP3 and RESP2), with their debug form.
var valueCases = []struct {
	in    string
	debug string
}{
	{"+OK\r\n", `+"OK"`},
	{"-ERR unknown command\r\n", `-"ERR unknown command"`},
	{":12345\r\n", ":12345"},
	{":-1\r\n", ":-1"},
	{"$11\r\nHello World\r\n", `$"Hello World"`},
	{"$0\r\n\r\n", `$""`},
	{"$-1\r\n", "$nil"},
	{"*-1\r\n", "*nil"},
	{"*0\r\n", "*[]"},
	{"_\r\n", "_"},
	{",3.141\r\n", `,"3.141"`},
	{",inf\r\n", `,"inf"`},
	{"(1234567999999999999999999999999999999\r\n", `("1234567999999999999999999999999999999"`},
	{"*3\r\n:0\r\n:1\r\n:2\r\n", "*[:0 :1 :2]"},
	{"~3\r\n:0\r\n:1\r\n:2\r\n", "~[:0 :1 :2]"},
	{"%3\r\n:0\r\n#f\r\n:1\r\n#t\r\n:2\r\n#f\r\n", "%[:0 #0 :1 #1 :2 #0]"},
	{"*6\r\n:0\r\n:0\r\n:1\r\n:1\r\n:2\r\n:0\r\n", "*[:0 :0 :1 :1 :2 :0]"},
	{"|1\r\n$14\r\nkey-popularity\r\n*2\r\n$7\r\nkey:123\r\n:90\r\n", `|[$"key-popularity" *[$"key:123" :90]]`},
	{">2\r\n$16\r\nserver-cpu-usage\r\n:42\r\n", `>[$"server-cpu-usage" :42]`},
	{"=29\r\ntxt:This is a verbatim\nstring\r\n", `="txt:This is a verbatim\nstring"`},
	{"#t\r\n", "#1"},
	{"#f\r\n", "#0"},
	{"%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:3\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$7\r\nmodules\r\n*0\r\n",
		`%[$"server" $"redis" $"version" $"7.0.15" $"proto" :3 $"id" :3 $"mode" $"standalone" $"role" $"master" $"modules" *[]]`},
	{"*2\r\n*1\r\n$1\r\na\r\n_\r\n", `*[*[$"a"] _]`},
}

func TestReadValue(t *testing.T) {
	for _, c := range valueCases {
		r := bufio.NewReaderSize(strings.NewReader(c.in), 16)
		v, err := ReadValue(r)
		if err != nil {
			t.Errorf("ReadValue(%q): %v", c.in, err)
			continue
		}
		if got := v.String(); got != c.debug {
			t.Errorf("ReadValue(%q) = %s, want %s", c.in, got, c.debug)
		}
		if got := string(AppendValue(nil, v)); got != c.in {
			t.Errorf("AppendValue(ReadValue(%q)) = %q", c.in, got)
		}
		if _, err := r.ReadByte(); err != io.EOF {
			t.Errorf("ReadValue(%q) left bytes unread", c.in)
		}
	}
}

func TestReadValueAttributeThenReply(t *testing.T) {
	in := "|1\r\n$1\r\nk\r\n:1\r\n$4\r\nreal\r\n*2\r\n|1\r\n$1\r\nk\r\n:1\r\n:5\r\n:6\r\n"
	r := bufio.NewReader(strings.NewReader(in))
	var got []string
	for {
		v, err := ReadValue(r)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, v.String())
	}
	want := []string{`|[$"k" :1]`, `$"real"`, "*[:5 :6]"}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestReadValueErrors(t *testing.T) {
	cases := []struct {
		in       string
		eof      bool
		protocol bool
	}{
		{in: "", eof: true},
		{in: "+OK", eof: true},
		{in: "$5\r\nab", eof: true},
		{in: "*2\r\n:1\r\n", eof: true},
		{in: "+OK\n", protocol: true},
		{in: "\r\n", protocol: true},
		{in: "?x\r\n", protocol: true},
		{in: ":1x\r\n", protocol: true},
		{in: "$-2\r\n", protocol: true},
		{in: "$2\r\nabcd\r\n", protocol: true},
		{in: "*-2\r\n", protocol: true},
		{in: "%-1\r\n", protocol: true},
		{in: "#x\r\n", protocol: true},
		{in: "_x\r\n", protocol: true},
		{in: "=3\r\ntxt\r\n", protocol: true},
		{in: strings.Repeat("*1\r\n", 200) + ":1\r\n", protocol: true},
	}
	for _, c := range cases {
		_, err := ReadValue(bufio.NewReader(strings.NewReader(c.in)))
		var pe *ProtocolError
		switch {
		case c.eof && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
			t.Errorf("ReadValue(%q) err = %v, want EOF", c.in, err)
		case c.protocol && !errors.As(err, &pe):
			t.Errorf("ReadValue(%q) err = %v, want a ProtocolError", c.in, err)
		}
	}
}

// TestReadValueHugeDeclared checks that declared lengths allocate nothing by
// themselves: only what arrives is allocated.
func TestReadValueHugeDeclared(t *testing.T) {
	for _, in := range []string{"$1099511627776\r\nabc", "*1099511627776\r\n:1\r\n", "%1099511627776\r\n"} {
		src := strings.NewReader(in)
		r := bufio.NewReader(src)
		allocs := testing.AllocsPerRun(10, func() {
			src.Reset(in)
			r.Reset(src)
			if _, err := ReadValue(r); err == nil {
				t.Fatalf("ReadValue(%q) succeeded", in)
			}
		})
		if allocs > 10 {
			t.Errorf("ReadValue(%q): %v allocations", in, allocs)
		}
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		src.Reset(in)
		r.Reset(src)
		ReadValue(r)
		runtime.ReadMemStats(&after)
		if n := after.TotalAlloc - before.TotalAlloc; n > 1<<20 {
			t.Errorf("ReadValue(%q) allocated %d bytes", in, n)
		}
	}
}

func TestReadValueLongLine(t *testing.T) {
	long := strings.Repeat("x", 10000)
	v, err := ReadValue(bufio.NewReaderSize(strings.NewReader("+"+long+"\r\n"), 16))
	if err != nil || string(v.Str) != long {
		t.Fatalf("long simple string: %v", err)
	}
}

func FuzzReadValue(f *testing.F) {
	for _, c := range valueCases {
		f.Add([]byte(c.in))
	}
	f.Add([]byte("$1099511627776\r\nabc"))
	f.Fuzz(func(t *testing.T, in []byte) {
		v, err := ReadValue(bufio.NewReaderSize(bytes.NewReader(in), 16))
		if err != nil {
			return
		}
		enc := AppendValue(nil, v)
		v2, err := ReadValue(bufio.NewReader(bytes.NewReader(enc)))
		if err != nil {
			t.Fatalf("re-read of %q: %v", enc, err)
		}
		if !bytes.Equal(AppendValue(nil, v2), enc) {
			t.Fatalf("encoding not stable: %q", enc)
		}
	})
}
