package resp

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
		err  bool
	}{
		{in: "", want: nil},
		{in: " \t\r\n\v\f", want: nil},
		{in: "set k v", want: []string{"set", "k", "v"}},
		{in: "  a   b  ", want: []string{"a", "b"}},
		{in: "a\vb", want: []string{"a\vb"}},
		{in: "\va\v", want: []string{"a\v"}},
		{in: `"a b" c`, want: []string{"a b", "c"}},
		{in: `"\n\r\t\b\a\\\"\q"`, want: []string{"\n\r\t\b\a\\\"q"}},
		{in: `"\x41\x6a\x4A"`, want: []string{"AjJ"}},
		{in: `"\x4g\x4"`, want: []string{"x4gx4"}},
		{in: `"\xzz"`, want: []string{"xzz"}},
		{in: `'it\'s' '\n' 'a\b'`, want: []string{"it's", `\n`, `a\b`}},
		{in: `'\\'`, err: true},
		{in: `ab"cd ef"`, want: []string{"abcd ef"}},
		{in: `ab'cd'`, want: []string{"abcd"}},
		{in: `"" ''`, want: []string{"", ""}},
		{in: "\"a\"\tb", want: []string{"a", "b"}},
		{in: "\"a\"\vb", want: []string{"a", "b"}},
		{in: "dir /tmp\x00rest", want: []string{"dir", "/tmp"}},
		{in: `"abc`, err: true},
		{in: `'abc`, err: true},
		{in: `"abc"x`, err: true},
		{in: `'abc'x`, err: true},
		{in: `"a""b"`, err: true},
		{in: `"a\"`, err: true},
		{in: `'a\'`, err: true},
		{in: `a"b c"d`, err: true},
	}
	for _, c := range cases {
		in := []byte(c.in)
		got, err := SplitArgs(in)
		if c.err {
			if !errors.Is(err, ErrUnbalancedQuotes) {
				t.Errorf("SplitArgs(%q) err = %v, want ErrUnbalancedQuotes", c.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("SplitArgs(%q) err = %v", c.in, err)
			continue
		}
		if len(got) != 0 || len(c.want) != 0 {
			if !reflect.DeepEqual(strs(got), c.want) {
				t.Errorf("SplitArgs(%q) = %q, want %q", c.in, strs(got), c.want)
			}
		}
		if string(in) != c.in {
			t.Errorf("SplitArgs modified its input: %q", in)
		}
	}
}
