package repl

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

func TestBacklogFeedAndAppendFrom(t *testing.T) {
	var stream []byte
	b := NewBacklog(16, 0)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 500; i++ {
		p := make([]byte, r.IntN(40))
		for j := range p {
			p[j] = byte(r.IntN(256))
		}
		b.Feed(p)
		stream = append(stream, p...)
		end := int64(len(stream))
		wantHist := min(len(stream), 16)
		if b.Histlen() != wantHist || b.FirstByte() != end-int64(wantHist)+1 {
			t.Fatalf("step %d: histlen %d first %d, want %d %d", i, b.Histlen(), b.FirstByte(), wantHist, end-int64(wantHist)+1)
		}
		for off := b.FirstByte(); off <= end+1; off++ {
			if got := b.AppendFrom(nil, off); !bytes.Equal(got, stream[off-1:]) {
				t.Fatalf("step %d offset %d: %q, want %q", i, off, got, stream[off-1:])
			}
		}
		if b.Has(b.FirstByte()-1) && len(stream) > 16 {
			t.Fatalf("step %d: has an offset before the first byte", i)
		}
	}
	b.Resize(8)
	if got := b.AppendFrom(nil, b.FirstByte()); !bytes.Equal(got, stream[len(stream)-8:]) || b.Histlen() != 8 {
		t.Fatalf("after shrink: %q", got)
	}
	b.Resize(64)
	b.Feed([]byte("abc"))
	stream = append(stream, "abc"...)
	if got := b.AppendFrom(nil, b.FirstByte()); !bytes.Equal(got, stream[len(stream)-11:]) {
		t.Fatalf("after grow: %q", got)
	}
}

func TestCanContinue(t *testing.T) {
	a, c := "a"+NoID[1:], "c"+NoID[1:]
	x := NewIDs(a)
	b := NewBacklog(100, 0)
	b.Feed(make([]byte, 50))
	x.Offset = 50
	cases := []struct {
		id   string
		off  int64
		want bool
	}{
		{a, 1, true}, {a, 51, true}, {a, 52, false}, {c, 10, false},
	}
	for _, tc := range cases {
		if got := x.CanContinue(tc.id, tc.off, b); got != tc.want {
			t.Errorf("before shift: %s %d = %v", tc.id[:1], tc.off, got)
		}
	}
	x.Shift(c)
	b.Feed(make([]byte, 10))
	x.Offset = 60
	for _, tc := range []struct {
		id   string
		off  int64
		want bool
	}{{a, 51, true}, {a, 52, false}, {c, 61, true}, {c, 30, true}} {
		if got := x.CanContinue(tc.id, tc.off, b); got != tc.want {
			t.Errorf("after shift: %s %d = %v", tc.id[:1], tc.off, got)
		}
	}
	if x.CanContinue(c, 1, nil) {
		t.Error("continued without a backlog")
	}
}

func TestParsers(t *testing.T) {
	id := "0123456789012345678901234567890123456789"
	if gid, off, err := ParseFullResync([]byte("+FULLRESYNC " + id + " 1234")); err != nil || gid != id || off != 1234 {
		t.Fatalf("FULLRESYNC: %q %d %v", gid, off, err)
	}
	for _, bad := range []string{"+FULLRESYNC", "+FULLRESYNC x 1", "+FULLRESYNC " + id + " x", "-ERR"} {
		if _, _, err := ParseFullResync([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if gid, err := ParseContinue([]byte("+CONTINUE " + id)); err != nil || gid != id {
		t.Fatalf("CONTINUE id: %q %v", gid, err)
	}
	if gid, err := ParseContinue([]byte("+CONTINUE")); err != nil || gid != "" {
		t.Fatalf("CONTINUE: %q %v", gid, err)
	}
	if n, m, err := ParseBulkPreamble([]byte("$42")); err != nil || n != 42 || m != nil {
		t.Fatalf("$42: %d %q %v", n, m, err)
	}
	if n, m, err := ParseBulkPreamble([]byte("$EOF:" + id)); err != nil || n != -1 || string(m) != id {
		t.Fatalf("$EOF: %d %q %v", n, m, err)
	}
	for _, bad := range []string{"$", "$-1", "$EOF:short", "+OK"} {
		if _, _, err := ParseBulkPreamble([]byte(bad)); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
}

func TestEOFScanner(t *testing.T) {
	mark := []byte("0123456789012345678901234567890123456789")
	payload := bytes.Repeat([]byte("payload-"), 20)
	full := append(append([]byte(nil), payload...), mark...)
	for _, chunk := range []int{1, 3, 39, 40, 41, 1000} {
		s := NewEOFScanner(mark)
		var out []byte
		done := false
		for i := 0; i < len(full); i += chunk {
			if done {
				t.Fatalf("chunk %d: done early", chunk)
			}
			out, done = s.Write(out, full[i:min(i+chunk, len(full))])
		}
		if !done || !bytes.Equal(out, payload) {
			t.Fatalf("chunk %d: done %v, payload %q", chunk, done, out)
		}
	}
}

func FuzzParseBulkPreamble(f *testing.F) {
	f.Add([]byte("$123"))
	f.Add([]byte("$EOF:0123456789012345678901234567890123456789"))
	f.Fuzz(func(t *testing.T, line []byte) {
		n, m, err := ParseBulkPreamble(line)
		if err == nil && n < 0 && len(m) != EOFMarkLen {
			t.Fatalf("bad mark %q", m)
		}
	})
}

func FuzzParsePSYNCReply(f *testing.F) {
	f.Add([]byte("+FULLRESYNC 0123456789012345678901234567890123456789 10"))
	f.Add([]byte("+CONTINUE 0123456789012345678901234567890123456789"))
	f.Fuzz(func(t *testing.T, line []byte) {
		if id, _, err := ParseFullResync(line); err == nil && len(id) != IDLen {
			t.Fatalf("bad id %q", id)
		}
		if id, err := ParseContinue(line); err == nil && id != "" && len(id) != IDLen {
			t.Fatalf("bad id %q", id)
		}
	})
}
