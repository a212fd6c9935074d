package compat

import (
	"errors"
	"slices"
	"testing"
)

// errQuotes reports a script line whose quotes do not balance, or a closing
// quote not followed by a space, as redis-cli rejects them.
var errQuotes = errors.New("unbalanced quotes")

// splitArgs splits a script line into arguments the way redis-cli and
// Redis's inline protocol do: double quotes understand \n \r \t \b \a \xHH
// and \<char>; single quotes understand only \'.
func splitArgs(line string) ([]string, error) {
	var args []string
	i := 0
	for {
		for i < len(line) && isSpace(line[i]) {
			i++
		}
		if i == len(line) {
			return args, nil
		}
		var cur []byte
		inDouble, inSingle := false, false
	token:
		for {
			switch {
			case inDouble:
				if i == len(line) {
					return nil, errQuotes
				}
				c := line[i]
				switch {
				case c == '\\' && i+3 < len(line) && line[i+1] == 'x' && isHex(line[i+2]) && isHex(line[i+3]):
					cur = append(cur, unhex(line[i+2])<<4|unhex(line[i+3]))
					i += 3
				case c == '\\' && i+1 < len(line):
					i++
					cur = append(cur, unescape(line[i]))
				case c == '"':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errQuotes
					}
					i++
					break token
				default:
					cur = append(cur, c)
				}
			case inSingle:
				if i == len(line) {
					return nil, errQuotes
				}
				c := line[i]
				switch {
				case c == '\\' && i+1 < len(line) && line[i+1] == '\'':
					i++
					cur = append(cur, '\'')
				case c == '\'':
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, errQuotes
					}
					i++
					break token
				default:
					cur = append(cur, c)
				}
			default:
				if i == len(line) {
					break token
				}
				switch c := line[i]; c {
				case ' ', '\n', '\r', '\t', 0:
					break token
				case '"':
					inDouble = true
				case '\'':
					inSingle = true
				default:
					cur = append(cur, c)
				}
			}
			i++
		}
		args = append(args, string(cur))
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

func unescape(c byte) byte {
	switch c {
	case 'n':
		return '\n'
	case 'r':
		return '\r'
	case 't':
		return '\t'
	case 'b':
		return '\b'
	case 'a':
		return '\a'
	}
	return c
}

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  bool
	}{
		{"", nil, false},
		{"   ", nil, false},
		{"SET k v", []string{"SET", "k", "v"}, false},
		{"  SET   k\tv  ", []string{"SET", "k", "v"}, false},
		{`SET k ""`, []string{"SET", "k", ""}, false},
		{`SET "a b" "c\nd\r\t\x41\x7a\"\\"`, []string{"SET", "a b", "c\nd\r\tAz\"\\"}, false},
		{`SET k "\xZZ"`, []string{"SET", "k", "xZZ"}, false},
		{`SET 'a "b' 'it\'s' '\n'`, []string{"SET", `a "b`, "it's", `\n`}, false},
		{`SET a"b c"`, []string{"SET", "ab c"}, false},
		{`SET "abc`, nil, true},
		{`SET 'abc`, nil, true},
		{`SET "a"b`, nil, true},
		{`SET 'a'b`, nil, true},
	}
	for _, tt := range tests {
		got, err := splitArgs(tt.in)
		if tt.err {
			if !errors.Is(err, errQuotes) {
				t.Errorf("splitArgs(%q) err = %v; want errQuotes", tt.in, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestEqualReplies(t *testing.T) {
	tests := []struct {
		mode      compareMode
		want, got string
		ok        bool
	}{
		{exact, "+OK\r\n", "+OK\r\n", true},
		{exact, "+OK\r\n", "+ok\r\n", false},
		{sorted, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{sorted, "*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\nb\r\n$1\r\nb\r\n", false},
		{sorted, "~1\r\n$1\r\na\r\n", "*1\r\n$1\r\na\r\n", false},
		{sorted, "-ERR x\r\n", "-ERR x\r\n", true},
		{typeOnly, ":1\r\n", ":2\r\n", true},
		{typeOnly, "*2\r\n:1\r\n:2\r\n", "*3\r\n:1\r\n:2\r\n:3\r\n", false},
		{nocompare, "+a\r\n", ":1\r\n", true},
		{scan, "*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n", "*2\r\n$1\r\n0\r\n*2\r\n$1\r\nb\r\n$1\r\na\r\n", true},
		{scan, "*2\r\n$1\r\n7\r\n*0\r\n", "*2\r\n$1\r\n7\r\n*0\r\n", false},
		{hello, "%2\r\n$2\r\nid\r\n:5\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n", "%2\r\n$2\r\nid\r\n:9\r\n$4\r\nmode\r\n$10\r\nstandalone\r\n", true},
		{hello, "*2\r\n$2\r\nid\r\n:5\r\n", "*2\r\n$2\r\nid\r\n$1\r\n5\r\n", true},
		{hello, "*2\r\n$2\r\nxx\r\n:5\r\n", "*2\r\n$2\r\nxx\r\n:6\r\n", false},
	}
	for _, tt := range tests {
		err := equalReplies(tt.mode, []byte(tt.want), []byte(tt.got))
		if (err == nil) != tt.ok {
			t.Errorf("equalReplies(%d, %q, %q) = %v; want ok=%v", tt.mode, tt.want, tt.got, err, tt.ok)
		}
	}
}
