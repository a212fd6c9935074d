package testutil

import (
	"errors"
	"testing"
)

func TestFrameLen(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want int // length of the first reply; 0 when incomplete
		err  bool
	}{
		{"simple", "+OK\r\n", 5, false},
		{"simple followed", "+OK\r\n+OK\r\n", 5, false},
		{"error", "-ERR x\r\n", 8, false},
		{"integer", ":12\r\n", 5, false},
		{"bulk", "$3\r\nfoo\r\n", 9, false},
		{"bulk with CRLF inside", "$4\r\na\r\nb\r\n", 10, false},
		{"null bulk", "$-1\r\n", 5, false},
		{"null array", "*-1\r\n", 5, false},
		{"empty array", "*0\r\n", 4, false},
		{"nested", "*2\r\n*1\r\n:1\r\n$1\r\na\r\n", 19, false},
		{"map", "%1\r\n+a\r\n:1\r\n", 12, false},
		{"set", "~2\r\n+a\r\n+b\r\n", 12, false},
		{"push", ">2\r\n+a\r\n+b\r\n", 12, false},
		{"attribute then reply", "|1\r\n+k\r\n+v\r\n:5\r\n", 16, false},
		{"resp3 scalars", "_\r\n", 3, false},
		{"double", ",1.5\r\n", 6, false},
		{"bool", "#t\r\n", 4, false},
		{"big number", "(123\r\n", 6, false},
		{"verbatim", "=7\r\ntxt:abc\r\n", 13, false},
		{"blob error", "!3\r\nERR\r\n", 9, false},
		{"partial line", "+OK", 0, false},
		{"partial bulk", "$3\r\nfo", 0, false},
		{"bulk missing CRLF", "$3\r\nfoo", 0, false},
		{"partial nested", "*2\r\n:1\r\n", 0, false},
		{"partial map", "%1\r\n+a\r\n", 0, false},
		{"empty", "", 0, false},
		{"bad type", "x\r\n", 0, true},
		{"bad length", "$x\r\n", 0, true},
		{"bad terminator", "$1\r\nabc\r\n", 0, true},
		{"empty line", "\r\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := FrameLen([]byte(tt.in))
			if tt.err {
				if !errors.Is(err, ErrProtocol) {
					t.Fatalf("FrameLen(%q) err = %v, want ErrProtocol", tt.in, err)
				}
				return
			}
			if err != nil || n != tt.want {
				t.Fatalf("FrameLen(%q) = %d, %v; want %d", tt.in, n, err, tt.want)
			}
		})
	}
}

func TestElements(t *testing.T) {
	tests := []struct {
		in   string
		typ  byte
		want []string
		err  bool
	}{
		{"*2\r\n$1\r\na\r\n*1\r\n:1\r\n", '*', []string{"$1\r\na\r\n", "*1\r\n:1\r\n"}, false},
		{"%1\r\n+k\r\n:1\r\n", '%', []string{"+k\r\n", ":1\r\n"}, false},
		{"*0\r\n", '*', []string{}, false},
		{"*-1\r\n", '*', nil, false},
		{"+OK\r\n", '+', nil, true},
		{"*1\r\n", 0, nil, true},
	}
	for _, tt := range tests {
		typ, elems, err := Elements([]byte(tt.in))
		if tt.err {
			if err == nil {
				t.Errorf("Elements(%q): no error", tt.in)
			}
			continue
		}
		if err != nil || typ != tt.typ || len(elems) != len(tt.want) || (elems == nil) != (tt.want == nil) {
			t.Errorf("Elements(%q) = %q %q %v; want %q %q", tt.in, typ, elems, err, tt.typ, tt.want)
			continue
		}
		for i := range elems {
			if string(elems[i]) != tt.want[i] {
				t.Errorf("Elements(%q)[%d] = %q; want %q", tt.in, i, elems[i], tt.want[i])
			}
		}
	}
}

func TestCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"*3\r\n", 3}, {"%2\r\n", 2}, {"$5\r\nhello\r\n", 5}, {"+OK\r\n", 0}, {"*-1\r\n", -1}, {"", 0},
	}
	for _, tt := range tests {
		if got := Count([]byte(tt.in)); got != tt.want {
			t.Errorf("Count(%q) = %d; want %d", tt.in, got, tt.want)
		}
	}
}
