package repl

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// TestBufferShared drives the shared buffer with random feeds and readers
// that attach, advance and detach, and checks every reader's segments,
// the backlog's contents, the reference counts and the trimming bound.
func TestBufferShared(t *testing.T) {
	const size = MinSize
	r := rand.New(rand.NewPCG(1, 2))
	var stream []byte
	b := NewBuffer(size, 0)
	type reader struct {
		Reader
		off int64 // next byte to send
	}
	readers := make([]*reader, 4)
	for i := range readers {
		readers[i] = &reader{}
	}
	for step := 0; step < 3000; step++ {
		rd := readers[r.IntN(len(readers))]
		switch op := r.IntN(10); {
		case op < 5:
			n := r.IntN(3000)
			if r.IntN(50) == 0 {
				n = 70000
			}
			p := make([]byte, n)
			for j := range p {
				p[j] = byte(r.IntN(256))
			}
			b.Feed(p)
			stream = append(stream, p...)
		case op < 6:
			if !rd.Attached() {
				off := b.FirstByte() + r.Int64N(int64(len(stream))+2-b.FirstByte())
				b.Attach(&rd.Reader, off)
				rd.off = off
			}
		case op < 9:
			if rd.Attached() {
				n := r.Int64N(b.Pending(&rd.Reader) + 1)
				b.Advance(&rd.Reader, n)
				rd.off += n
			}
		default:
			b.Detach(&rd.Reader)
		}
		end := int64(len(stream))
		if got := backlogBytes(b); !bytes.Equal(got, stream[b.FirstByte()-1:]) {
			t.Fatalf("step %d: backlog holds the wrong bytes", step)
		}
		held := false
		for _, rd := range readers {
			if !rd.Attached() {
				continue
			}
			held = true
			if rd.off < b.FirstByte() {
				t.Fatalf("step %d: a reader's bytes were trimmed", step)
			}
			got := bytes.Join(b.AppendSegments(nil, &rd.Reader, 1<<30), nil)
			if want := stream[rd.off-1:]; !bytes.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Fatalf("step %d: reader at %d gets %d bytes, want %d", step, rd.off, len(got), len(want))
			}
			if b.Pending(&rd.Reader) > 0 && b.Pending(&rd.Reader) != end-rd.off+1 {
				t.Fatalf("step %d: pending %d, want %d", step, b.Pending(&rd.Reader), end-rd.off+1)
			}
		}
		b.Trim(1 << 30)
		if !held && b.Histlen() > size+70000 {
			t.Fatalf("step %d: histlen %d without readers", step, b.Histlen())
		}
		refs := map[*block]int{}
		for i, blk := range b.live() {
			if i == 0 {
				refs[blk]++
			}
		}
		for _, rd := range readers {
			if rd.blk != nil {
				refs[rd.blk]++
			}
		}
		var mem int64
		for _, blk := range b.live() {
			if blk.refs != refs[blk] {
				t.Fatalf("step %d: block %d has %d references, want %d", step, blk.id, blk.refs, refs[blk])
			}
			mem += int64(cap(blk.buf)) + BlockOverhead
		}
		if mem != b.Mem() {
			t.Fatalf("step %d: Mem %d, want %d", step, b.Mem(), mem)
		}
	}
}

// backlogBytes is everything the backlog holds.
func backlogBytes(b *Buffer) []byte {
	var all []byte
	for _, blk := range b.live() {
		all = append(all, blk.buf...)
	}
	return all
}

// TestBufferBlockSize checks that a big write is split into blocks of at
// most size/16 (and at least MinBlock), so the backlog can let go of most
// of it while a replica still needs its end.
func TestBufferBlockSize(t *testing.T) {
	b := NewBuffer(1<<20, 0)
	b.Feed(make([]byte, 1<<20+100))
	for _, blk := range b.live() {
		if cap(blk.buf) > 1<<16 {
			t.Fatalf("block of %d bytes", cap(blk.buf))
		}
	}
	small := NewBuffer(MinSize, 0)
	small.Feed([]byte("x"))
	if got := cap(small.live()[0].buf); got != MinBlock {
		t.Fatalf("first block %d bytes, want %d", got, MinBlock)
	}
}

func TestCanContinue(t *testing.T) {
	a, c := "a"+NoID[1:], "c"+NoID[1:]
	x := NewIDs(a)
	b := NewBuffer(100, 0)
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
