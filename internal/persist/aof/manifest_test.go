package aof

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The expectations below were checked against Redis 7.0.15 by writing each
// manifest into a scratch appendonlydir and reading the server's log.
func TestParse(t *testing.T) {
	long := func(n int) string { return "file a seq 1 type b" + strings.Repeat(" ", n-19) }
	tests := []struct {
		name    string
		in      string
		want    *Manifest
		err     error
		line    int
		content string
	}{
		{
			name: "redis after two rewrites",
			in:   "file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n",
			want: &Manifest{
				Base:       &File{"appendonly.aof.3.base.rdb", 3, 'b'},
				Incr:       []File{{"appendonly.aof.3.incr.aof", 3, 'i'}, {"appendonly.aof.4.incr.aof", 4, 'i'}},
				CurBaseSeq: 3, CurIncrSeq: 4,
			},
		},
		{
			name: "keys in any order and any case, incr before base",
			in:   "TYPE i SEQ 2 FILE x.2\r\nseq 7 file x.7 type base\n",
			want: &Manifest{Base: &File{"x.7", 7, 'b'}, Incr: []File{{"x.2", 2, 'i'}}, CurBaseSeq: 7, CurIncrSeq: 2},
		},
		{
			name: "history keeps file order, comments skipped",
			in:   "# hi\nfile h2 seq 2 type h\nfile h1 seq 1 type h\n#x\n",
			want: &Manifest{History: []File{{"h2", 2, 'h'}, {"h1", 1, 'h'}}},
		},
		{name: "only comments", in: "# nothing\n", want: &Manifest{}},
		{
			name: "later pairs win, unknown pairs ignored",
			in:   "file a seq 1 type b file c foo bar\n",
			want: &Manifest{Base: &File{"c", 1, 'b'}, CurBaseSeq: 1},
		},
		{
			name: "quoted names",
			in:   "file 'a b' seq 1 type h\nfile \"a\\x41\\tb\\\"\" seq 2 type h\nfile a\"b c\" seq 3 type h\n",
			want: &Manifest{History: []File{{"a b", 1, 'h'}, {"aA\tb\"", 2, 'h'}, {"ab c", 3, 'h'}}},
		},
		{
			name: "atoll leniency and clamping",
			in:   "file a seq 1abc type b\nfile b seq 99999999999999999999 type i\n",
			want: &Manifest{Base: &File{"a", 1, 'b'}, Incr: []File{{"b", 9223372036854775807, 'i'}}, CurBaseSeq: 1, CurIncrSeq: 9223372036854775807},
		},
		{name: "empty name is accepted", in: `file "" seq 1 type b` + "\n", want: &Manifest{Base: &File{"", 1, 'b'}, CurBaseSeq: 1}},
		{name: "1023 bytes plus newline", in: long(1023) + "\n", want: &Manifest{Base: &File{"a", 1, 'b'}, CurBaseSeq: 1}},
		{
			name: "long comment's tail is the next line",
			in:   "#" + strings.Repeat("x", 1023) + "file a seq 1 type b\n",
			want: &Manifest{Base: &File{"a", 1, 'b'}, CurBaseSeq: 1},
		},
		{name: "empty", in: "", err: ErrEmptyManifest},
		{name: "no final newline", in: "file a seq 1 type b", err: ErrLineTooLong},
		{name: "1024 bytes plus newline", in: long(1024) + "\n", err: ErrLineTooLong},
		{name: "NUL hides the newline", in: "file a\x00 seq 1 type b\n", err: ErrLineTooLong},
		{name: "blank line", in: "\n", err: ErrInvalidManifest, line: 1, content: ""},
		{name: "blank line after", in: "file a seq 1 type b\n\n", err: ErrInvalidManifest, line: 2, content: ""},
		{name: "indented comment", in: " # c\n", err: ErrInvalidManifest, line: 1, content: "# c"},
		{name: "too few fields", in: "file a seq 1\n", err: ErrInvalidManifest, line: 1, content: "file a seq 1"},
		{name: "odd fields", in: "file a seq 1 type b x\n", err: ErrInvalidManifest, line: 1, content: "file a seq 1 type b x"},
		{name: "zero seq", in: "file a seq 0 type b\n", err: ErrInvalidManifest, line: 1, content: "file a seq 0 type b"},
		{name: "bad seq", in: "file a seq x type b\n", err: ErrInvalidManifest, line: 1, content: "file a seq x type b"},
		{name: "empty type", in: `file a seq 1 type ""` + "\n", err: ErrInvalidManifest, line: 1, content: `file a seq 1 type ""`},
		{name: "missing file", in: "seq 1 type b x y\n", err: ErrInvalidManifest, line: 1, content: "seq 1 type b x y"},
		{name: "unbalanced quote", in: "file \"a seq 1 type b\n", err: ErrInvalidManifest, line: 1, content: "file \"a seq 1 type b"},
		{name: "text after quote", in: "file \"a\"b seq 1 type b\n", err: ErrInvalidManifest, line: 1, content: "file \"a\"b seq 1 type b"},
		{name: "path", in: "file a/b seq 1 type b\n", err: ErrFileIsPath, line: 1, content: "file a/b seq 1 type b"},
		{name: "backslash path", in: "file a\\b seq x type b\n", err: ErrFileIsPath, line: 1, content: "file a\\b seq x type b"},
		{name: "duplicate base", in: "file a seq 1 type b\nfile b seq 2 type b\n", err: ErrDuplicateBase, line: 2, content: "file b seq 2 type b"},
		{name: "equal incr seq", in: "file a seq 2 type i\nfile b seq 2 type i\n", err: ErrNonMonotonic, line: 2, content: "file b seq 2 type i"},
		{name: "falling incr seq", in: "file a seq 2 type i\nfile b seq 1 type i\n", err: ErrNonMonotonic, line: 2, content: "file b seq 1 type i"},
		{name: "negative incr seq", in: "file a seq -1 type i\n", err: ErrNonMonotonic, line: 1, content: "file a seq -1 type i"},
		{name: "unknown type", in: "file a seq 2 type x\n", err: ErrUnknownType, line: 1, content: "file a seq 2 type x"},
		{
			name: "long comment's tail is counted as a line",
			in:   "#" + strings.Repeat("x", 1500) + "\nfile a seq 1 type b\n",
			err:  ErrInvalidManifest, line: 2, content: strings.Repeat("x", 477),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.in))
			if tt.err != nil {
				var me *ManifestError
				if !errors.Is(err, tt.err) || !errors.As(err, &me) {
					t.Fatalf("Parse error = %v, want %v", err, tt.err)
				}
				if me.Line != tt.line || me.Content != tt.content {
					t.Fatalf("error at line %d %q, want line %d %q", me.Line, me.Content, tt.line, tt.content)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		m    Manifest
		want string
	}{
		{name: "empty", m: Manifest{}, want: ""},
		{
			name: "base, history, incr",
			m: Manifest{
				Base:    &File{"appendonly.aof.2.base.rdb", 2, 'b'},
				History: []File{{"appendonly.aof.1.incr.aof", 1, 'h'}, {"appendonly.aof.1.base.rdb", 1, 'h'}},
				Incr:    []File{{"appendonly.aof.2.incr.aof", 2, 'i'}},
			},
			want: "file appendonly.aof.2.base.rdb seq 2 type b\n" +
				"file appendonly.aof.1.incr.aof seq 1 type h\n" +
				"file appendonly.aof.1.base.rdb seq 1 type h\n" +
				"file appendonly.aof.2.incr.aof seq 2 type i\n",
		},
		{
			name: "quoted as sdscatrepr",
			m:    Manifest{Incr: []File{{"my fi\"le\\\n\r\t\a\b\x01\xff'.aof", 5, 'i'}}},
			want: `file "my fi\"le\\\n\r\t\a\b\x01\xff'.aof" seq 5 type i` + "\n",
		},
		{name: "single quote alone is not quoted", m: Manifest{Incr: []File{{"a'b", 1, 'i'}}}, want: "file a'b seq 1 type i\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(tt.m.Format()); got != tt.want {
				t.Fatalf("Format =\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

func TestFormatParseRoundTrip(t *testing.T) {
	names := []string{"appendonly.aof.1.base.rdb", "a b", "tab\there", `q"uote`, "x\x00y\x7f\x80", "#hash", "\"lead"}
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			m := &Manifest{
				Base:       &File{name, 4, TypeBase},
				History:    []File{{name + "h", -3, TypeHist}},
				Incr:       []File{{name + "1", 1, TypeIncr}, {name + "9", 9, TypeIncr}},
				CurBaseSeq: 4, CurIncrSeq: 9,
			}
			got, err := Parse(m.Format())
			if err != nil {
				t.Fatalf("Parse(Format()): %v\n%q", err, m.Format())
			}
			want := m.Clone()
			// Redis keeps names as C strings: a NUL ends them on reading.
			cut := func(f *File) { f.Name = cStr(f.Name) }
			cut(want.Base)
			for i := range want.Incr {
				cut(&want.Incr[i])
			}
			for i := range want.History {
				cut(&want.History[i])
			}
			if strings.IndexByte(name, 0) >= 0 {
				// A NUL cut can collide the incr names; seqs still differ.
				want.Incr[0].Name, want.Incr[1].Name = got.Incr[0].Name, got.Incr[1].Name
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("round trip = %+v, want %+v", got, want)
			}
		})
	}
}

func TestNames(t *testing.T) {
	tests := []struct{ got, want string }{
		{BaseName("appendonly.aof", 1, true), "appendonly.aof.1.base.rdb"},
		{BaseName("appendonly.aof", 12, false), "appendonly.aof.12.base.aof"},
		{IncrName("appendonly.aof", 3), "appendonly.aof.3.incr.aof"},
		{ManifestName("appendonly.aof"), "appendonly.aof.manifest"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
}

// TestRewriteSequence walks the manifest through what the server does:
// enable AOF, rewrite twice, and checks each step's Format against what
// Redis 7.0.15 writes at the same point.
func TestRewriteSequence(t *testing.T) {
	const p = "appendonly.aof"
	m := &Manifest{}
	// CONFIG SET appendonly yes leaves base 1 and incr 1.
	m.NextIncr(p)
	m.NextBase(p, true)
	m.MarkIncrsHistory(true)
	if h := m.TakeHistory(); len(h) != 0 {
		t.Fatalf("history after first rewrite = %v", h)
	}
	steps := []struct {
		do   func()
		want string
	}{
		{func() {}, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n"},
		{func() { m.NextIncr(p) }, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\n"},
		{func() { m.NextIncr(p) }, "file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\nfile appendonly.aof.2.incr.aof seq 2 type i\nfile appendonly.aof.3.incr.aof seq 3 type i\n"},
		{
			func() { m.NextBase(p, false); m.MarkIncrsHistory(true) },
			"file appendonly.aof.2.base.aof seq 2 type b\n" +
				"file appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.2.incr.aof seq 2 type h\nfile appendonly.aof.1.base.rdb seq 1 type h\n" +
				"file appendonly.aof.3.incr.aof seq 3 type i\n",
		},
		{func() { m.TakeHistory() }, "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\n"},
		{func() { m.MarkIncrsHistory(false) }, "file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.3.incr.aof seq 3 type h\n"},
	}
	for i, s := range steps {
		s.do()
		if got := string(m.Format()); got != s.want {
			t.Fatalf("step %d: Format =\n%s\nwant\n%s", i, got, s.want)
		}
	}
	want := []File{{"appendonly.aof.2.base.aof", 2, 'b'}}
	if got := m.LoadOrder(); !reflect.DeepEqual(got, want) {
		t.Fatalf("LoadOrder = %v, want %v", got, want)
	}
}

func TestLoadOrder(t *testing.T) {
	tests := []struct {
		in   string
		want []File
	}{
		{"# c\n", []File{}},
		{"file i1 seq 1 type i\nfile i2 seq 2 type i\n", []File{{"i1", 1, 'i'}, {"i2", 2, 'i'}}},
		{"file i1 seq 1 type i\nfile h seq 1 type h\nfile b seq 1 type b\n", []File{{"b", 1, 'b'}, {"i1", 1, 'i'}}},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(tt.in))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.LoadOrder(); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("LoadOrder(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestClone(t *testing.T) {
	m, err := Parse([]byte("file b seq 1 type b\nfile i seq 1 type i\nfile h seq 1 type h\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := m.Clone()
	c.NextBase("x", true)
	c.NextIncr("x")
	c.History[1].Name = "changed"
	if got := string(m.Format()); got != "file b seq 1 type b\nfile h seq 1 type h\nfile i seq 1 type i\n" {
		t.Fatalf("original changed by clone edits: %q", got)
	}
}

func TestManifestErrorText(t *testing.T) {
	_, err := Parse([]byte("file a seq 1 type b\nfile b seq 2 type b\n"))
	if want := "aof manifest: line 2 'file b seq 2 type b': Found duplicate base file information"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	_, err = Parse(nil)
	if want := "aof manifest: Found an empty AOF manifest"; err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
}
