package aof

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// FuzzParseManifest checks that Parse never panics, that a parsed
// manifest formats to something that parses back to itself (unless a name
// hits one of Redis's own round-trip gaps), and that Format is stable.
func FuzzParseManifest(f *testing.F) {
	seeds := []string{
		"file appendonly.aof.3.base.rdb seq 3 type b\nfile appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n",
		"file \"my fi\\\"le.aof.1.base.rdb\" seq 1 type b\nfile \"my fi\\\"le.aof.1.incr.aof\" seq 1 type i\n",
		"file a seq 1 type h\nfile b seq 2 type h\n# comment\n",
		"FILE 'x y' SEQ -5 TYPE base extra key\n",
		"file \"\\x41\\xzz\\q\" seq 1abc type i\r\n",
		"#" + strings.Repeat("x", 1030) + "\n",
		"file a seq 1 type b",
		"\n",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := Parse(data)
		if err != nil {
			var me *ManifestError
			if !errors.As(err, &me) {
				t.Fatalf("error %v is not a *ManifestError", err)
			}
			return
		}
		out := m.Format()
		m2, err := Parse(out)
		if len(out) == 0 {
			// A comment-only manifest formats to an empty one.
			if !errors.Is(err, ErrEmptyManifest) {
				t.Fatalf("Parse(empty) = %v", err)
			}
			return
		}
		if err != nil {
			if formatGap(m) {
				return
			}
			t.Fatalf("Parse(Format()) = %v\nin  %q\nout %q", err, data, out)
		}
		if !reflect.DeepEqual(m2.Base, m.Base) || !reflect.DeepEqual(m2.Incr, m.Incr) || !reflect.DeepEqual(m2.History, m.History) {
			t.Fatalf("round trip differs\nin  %q\nout %q", data, out)
		}
		if !bytes.Equal(m2.Format(), out) {
			t.Fatalf("Format not stable: %q then %q", out, m2.Format())
		}
	})
}

// formatGap reports whether m holds a name that Redis's writer cannot read
// back: an empty name, a bare name with a single quote (sdsneedsrepr does
// not quote it), or one that makes its line too long.
func formatGap(m *Manifest) bool {
	for _, f := range m.LoadOrder() {
		if f.Name == "" || (!needsRepr(f.Name) && strings.ContainsRune(f.Name, '\'')) {
			return true
		}
	}
	for _, f := range m.History {
		if f.Name == "" || (!needsRepr(f.Name) && strings.ContainsRune(f.Name, '\'')) {
			return true
		}
	}
	for _, line := range bytes.SplitAfter(m.Format(), []byte("\n")) {
		if len(line) > manifestMaxLine {
			return true
		}
	}
	return false
}

// FuzzReader checks that Reader never panics, reads the same streamed, stops with one of its three
// errors, keeps ValidLen within the data, and that the commands it returns
// re-encode with AppendCommand to a stream that reads back the same, ends
// the same way, and whose prefix up to each command is consistent.
func FuzzReader(f *testing.F) {
	var real []byte
	real = AppendSelect(real, 0)
	real = AppendTimestamp(real, 1795614363)
	real = AppendCommand(real, [][]byte{[]byte("set"), []byte("k"), []byte("v\r\n")})
	seeds := []string{
		string(real),
		string(real[:len(real)-3]),
		setA + multi + setA,
		multi + setA + execCmd,
		"*3xyz\r\n$3 x\r\nset\r\n$ 1\r\na\r\n$+1\r\n1\r\n",
		"*1\n$4\nPING\r\n",
		"*0\r\n",
		"*-1\r\n$-1\r\n",
		"*4294967297\r\n$4\r\nPING\r\n",
		"#" + strings.Repeat("x", 1022) + "*1\r\n$4\r\nPING\r\n",
		"REDIS0010",
		"",
	}
	for _, s := range seeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Streamed in small reads, the same file reads the same.
		want, wantErr := readAll(NewReader(data))
		sr := NewStreamReader(iotest.HalfReader(bytes.NewReader(data)), 0)
		got, gotErr := readAll(sr)
		if gotErr != wantErr || !reflect.DeepEqual(got, want) {
			t.Fatalf("streamed: %q, %v; in memory: %q, %v", got, gotErr, want, wantErr)
		}
		r := NewReader(data)
		var enc []byte
		var cmds [][]string
		var err error
		lastValid := 0
		for {
			var argv [][]byte
			argv, err = r.Next()
			if err != nil {
				break
			}
			if len(argv) == 0 {
				t.Fatal("empty argv")
			}
			if r.ValidLen() <= lastValid || r.ValidLen() > len(data) {
				t.Fatalf("ValidLen %d after %d, data %d", r.ValidLen(), lastValid, len(data))
			}
			lastValid = r.ValidLen()
			enc = AppendCommand(enc, argv)
			cmd := make([]string, len(argv))
			for i, a := range argv {
				cmd[i] = string(a)
			}
			cmds = append(cmds, cmd)
		}
		if err != io.EOF && err != ErrTruncated && err != ErrBadFormat {
			t.Fatalf("unexpected error %v", err)
		}
		if r.ValidLen() > lastValid {
			t.Fatalf("ValidLen %d grew at the end (last command ended at %d)", r.ValidLen(), lastValid)
		}
		r2 := NewReader(enc)
		got, err2 := readAll(r2)
		if !reflect.DeepEqual(got, cmds) {
			t.Fatalf("re-encoded stream reads %q, want %q", got, cmds)
		}
		if r2.ValidLen() > len(enc) {
			t.Fatalf("ValidLen %d past re-encoded %d", r2.ValidLen(), len(enc))
		}
		// The re-encoded stream ends cleanly, unless the original ended
		// inside an open MULTI, which it then reverts just the same.
		if r.inMulti != (err2 == ErrTruncated) || (err2 != io.EOF && err2 != ErrTruncated) {
			t.Fatalf("re-encoded stream ends with %v (original in MULTI: %v)", err2, r.inMulti)
		}
		if err2 == ErrTruncated && !r2.RevertedMulti() {
			t.Fatal("re-encoded stream truncated but not by MULTI")
		}
		// Every prefix of the re-encoded stream that ends at a command
		// boundary reads exactly the commands before it.
		if len(cmds) > 64 {
			return
		}
		end := 0
		for k := range cmds {
			end += len(AppendCommand(nil, argvOf(cmds[k])))
			rk := NewReader(enc[:end])
			got, _ := readAll(rk)
			if !reflect.DeepEqual(got, cmds[:k+1]) {
				t.Fatalf("prefix %d reads %q, want %q", end, got, cmds[:k+1])
			}
			if !rk.RevertedMulti() && rk.ValidLen() != end {
				t.Fatalf("prefix %d: ValidLen %d", end, rk.ValidLen())
			}
		}
	})
}

func argvOf(cmd []string) [][]byte {
	argv := make([][]byte, len(cmd))
	for i, a := range cmd {
		argv[i] = []byte(a)
	}
	return argv
}
