package rdb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// loadAllFrom is loadAll through LoadFrom.
func loadAllFrom(src io.Reader, size int64, checksum bool) (info LoadInfo, keys []string, err error) {
	db := -1
	h := &Handler{
		SelectDB: func(n int) error { db = n; return nil },
		Entry: func(k []byte, v Value, exp int64, m RecordMeta) error {
			keys = append(keys, fmt.Sprintf("%d/%s/%d/%+v/%s", db, k, exp, m, describe(v)))
			return nil
		},
	}
	info, err = LoadFrom(src, size, testLimits, checksum, h)
	return
}

// bigFile holds records larger than the streaming window and enough small
// ones to slide it many times.
func bigFile(t testing.TB) []byte {
	var recs []record
	for _, e := range testEntries() {
		recs = append(recs, record{db: 0, e: e})
	}
	for i := range 40000 {
		recs = append(recs, record{db: 1, e: str(fmt.Sprintf("key:%d", i), strings.Repeat("v", i%200), int64(i))})
	}
	recs = append(recs, record{db: 2, e: str("huge", strings.Repeat("0123456789abcdef", 3*streamWindow/16), 0)})
	recs = append(recs, record{db: 2, e: str("after", "x", 0)})
	return writeFile(t, fileSpec{records: recs, compress: false, checksum: true})
}

// TestLoadFromMatchesLoad streams files through readers that return every
// size of chunk, with the input's length known and not, and checks that
// LoadFrom sees what Load sees, hands back the bytes after the image, and
// verifies the checksum.
func TestLoadFromMatchesLoad(t *testing.T) {
	golden, _ := hex.DecodeString(goldenFile)
	files := map[string][]byte{"small": smallFile(t), "golden": golden, "big": bigFile(t)}
	tail := []byte("*1\r\n$4\r\nPING\r\n")
	for name, data := range files {
		var want []string
		db := -1
		wantInfo, err := Load(data, testLimits, true, &Handler{
			SelectDB: func(n int) error { db = n; return nil },
			Entry: func(k []byte, v Value, exp int64, m RecordMeta) error {
				want = append(want, fmt.Sprintf("%d/%s/%d/%+v/%s", db, k, exp, m, describe(v)))
				return nil
			},
		})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		in := append(bytes.Clone(data), tail...)
		readers := map[string]func() io.Reader{
			"whole": func() io.Reader { return bytes.NewReader(in) },
			"half":  func() io.Reader { return iotest.HalfReader(bytes.NewReader(in)) },
			"eof":   func() io.Reader { return iotest.DataErrReader(bytes.NewReader(in)) },
		}
		if len(in) < 1<<16 {
			readers["byte"] = func() io.Reader { return iotest.OneByteReader(bytes.NewReader(in)) }
		}
		for rname, mk := range readers {
			for _, size := range []int64{int64(len(in)), -1} {
				info, got, err := loadAllFrom(mk(), size, true)
				if err != nil {
					t.Fatalf("%s/%s/%d: %v", name, rname, size, err)
				}
				if info.End != wantInfo.End || info.Keys != wantInfo.Keys || info.Checksum != wantInfo.Checksum {
					t.Fatalf("%s/%s/%d: info %+v, want %+v", name, rname, size, info, wantInfo)
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("%s/%s/%d: keys differ", name, rname, size)
				}
			}
		}
		// Rest plus the unread input continues right after the image.
		src := bytes.NewReader(in)
		info, _, err := loadAllFrom(src, -1, true)
		if err != nil {
			t.Fatal(err)
		}
		after, _ := io.ReadAll(io.MultiReader(bytes.NewReader(info.Rest), src))
		if !bytes.Equal(after, tail) {
			t.Fatalf("%s: after the image %q, want %q", name, after, tail)
		}
	}
}

// TestLoadFromErrors: a streamed file that is cut short, corrupt, or whose
// reader fails gives the error Load gives for the same bytes.
func TestLoadFromErrors(t *testing.T) {
	good := smallFile(t)
	for n := range len(good) {
		for _, size := range []int64{int64(n), -1} {
			if _, err := LoadFrom(iotest.HalfReader(bytes.NewReader(good[:n])), size, testLimits, true, nil); err == nil {
				t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
			}
		}
	}
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 1
	if _, err := LoadFrom(bytes.NewReader(bad), -1, testLimits, true, nil); !errors.Is(err, ErrWrongChecksum) {
		t.Fatalf("bad checksum: %v", err)
	}
	boom := errors.New("boom")
	r := io.MultiReader(bytes.NewReader(good[:20]), iotest.ErrReader(boom))
	if _, err := LoadFrom(r, -1, testLimits, true, nil); !errors.Is(err, boom) || !errors.Is(err, ErrShortRead) {
		t.Fatalf("reader error: %v", err)
	}
	// A huge declared length costs no more memory than the input holds.
	huge := append([]byte("REDIS0010"), 0, 0x81, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)
	if _, err := LoadFrom(bytes.NewReader(huge), -1, testLimits, true, nil); !errors.Is(err, ErrShortRead) {
		t.Fatalf("huge string: %v", err)
	}
}
