package format

import (
	"bufio"
	"strings"
	"testing"

	"shoal/internal/resp"
)

func parse(t testing.TB, s string) resp.Value {
	v, err := resp.ReadValue(bufio.NewReader(strings.NewReader(s)))
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return v
}

// Expected outputs are redis-cli 7.0.15's for the same replies.
func TestReply(t *testing.T) {
	cases := []struct {
		in                  string
		tty, raw, csv, json string
	}{
		{"+OK\r\n", "OK\n", "OK\n", "\"OK\"\n", "\"OK\"\n"},
		{"-ERR bad\r\n", "(error) ERR bad\n", "ERR bad\n\n", "ERROR,\"ERR bad\"\n", "error:\"ERR bad\"\n"},
		{":-7\r\n", "(integer) -7\n", "-7\n", "-7\n", "-7\n"},
		{"$-1\r\n", "(nil)\n", "\n", "NULL\n", "null\n"},
		{"_\r\n", "(nil)\n", "\n", "NULL\n", "null\n"},
		{"*-1\r\n", "(nil)\n", "\n", "NULL\n", "null\n"},
		{"$5\r\na\"b\n\x01\r\n", "\"a\\\"b\\n\\x01\"\n", "a\"b\n\x01\n", "\"a\\\"b\\n\\x01\"\n", "\"a\\\"b\\n\\u0001\"\n"},
		{"*0\r\n", "(empty array)\n", "\n", "\n", "[]\n"},
		{"%0\r\n", "(empty hash)\n", "\n", "\n", "{}\n"},
		{"~0\r\n", "(empty set)\n", "\n", "\n", "[]\n"},
		{",3.14\r\n", "(double) 3.14\n", "3.14\n", "3.14\n", "3.14\n"},
		{"#t\r\n", "(true)\n", "(true)\n", "true\n", "true\n"},
		{"=8\r\ntxt:ab\nc\r\n", "ab\nc\n", "ab\nc\n", "\"ab\\nc\"\n", "\"ab\\nc\"\n"},
		{"*2\r\n$1\r\na\r\n*2\r\n:1\r\n$1\r\nb\r\n", "1) \"a\"\n2) 1) (integer) 1\n   2) \"b\"\n", "a\n1\nb\n", "\"a\",1,\"b\"\n", "[\"a\",[1,\"b\"]]\n"},
		{"%2\r\n$1\r\nk\r\n$1\r\nv\r\n:1\r\n*2\r\n:1\r\n:2\r\n", "1# \"k\" => \"v\"\n2# (integer) 1 => \n   1) (integer) 1\n   2) (integer) 2\n", "k v\n1 1\n2\n", "\"k\",\"v\",1,1,2\n", "{\"k\":\"v\",\"1\":[1,2]}\n"},
		{"~2\r\n:1\r\n:2\r\n", "1~ (integer) 1\n2~ (integer) 2\n", "1\n2\n", "1,2\n", "[1,2]\n"},
		{">2\r\n$1\r\na\r\n:1\r\n", "1) \"a\"\n2) (integer) 1\n", "a\n1\n", "\"a\",1\n", "[\"a\",1]\n"},
	}
	for _, c := range cases {
		v := parse(t, c.in)
		for _, m := range []struct {
			mode Mode
			want string
		}{{Standard, c.tty}, {Raw, c.raw}, {CSV, c.csv}, {JSON, c.json}} {
			got, err := Reply(nil, v, m.mode, false, "\n", "\n")
			if err != nil || string(got) != m.want {
				t.Errorf("%q mode %d: got %q, %v; want %q", c.in, m.mode, got, err, m.want)
			}
		}
	}
}

func TestNumberingWidth(t *testing.T) {
	in := "*10\r\n"
	for range 9 {
		in += ":1\r\n"
	}
	in += "*2\r\n:1\r\n:2\r\n"
	got, _ := Reply(nil, parse(t, in), Standard, false, "\n", "\n")
	if !strings.HasPrefix(string(got), " 1) (integer) 1\n") || !strings.HasSuffix(string(got), "10) 1) (integer) 1\n    2) (integer) 2\n") {
		t.Errorf("got %q", got)
	}
}

func TestUnprintable(t *testing.T) {
	if _, err := Reply(nil, parse(t, "(123\r\n"), Standard, false, "\n", "\n"); err == nil || err.Error() != "Unknown reply type: 13" {
		t.Errorf("big number: %v", err)
	}
	if _, err := Reply(nil, parse(t, "|1\r\n+a\r\n+b\r\n"), Raw, false, "\n", "\n"); err != ErrAttribute {
		t.Errorf("attribute: %v", err)
	}
}

func TestInvalidate(t *testing.T) {
	got, ok := Invalidate(nil, parse(t, ">2\r\n$10\r\ninvalidate\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n"))
	if !ok || string(got) != "-> invalidate: 'a', 'b'\n" {
		t.Errorf("got %q %v", got, ok)
	}
}

// FuzzReply formats any reply the reader accepts, in every mode, without
// panicking.
func FuzzReply(f *testing.F) {
	for _, s := range []string{"+OK\r\n", "*2\r\n%1\r\n+a\r\n~1\r\n:1\r\n$-1\r\n", "=5\r\ntxt:a\r\n", ">1\r\n_\r\n", "(1\r\n", "|1\r\n+a\r\n+b\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v, err := resp.ReadValue(bufio.NewReader(strings.NewReader(string(b))))
		if err != nil {
			return
		}
		for _, m := range []Mode{Standard, Raw, CSV, JSON, QuotedJSON} {
			Reply(nil, v, m, false, "\n", "\n")
		}
		Invalidate(nil, v)
	})
}
