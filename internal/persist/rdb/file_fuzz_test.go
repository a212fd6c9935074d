package rdb

import (
	"bytes"
	"encoding/hex"
	"testing"
	"testing/iotest"

	"shoal/internal/keyspace"
)

// FuzzLoad feeds arbitrary files to Load, with and without checksum
// verification (so that mutations past the header reach the record
// decoders). Loading must never panic; a file that loads must report an
// End inside it, and every value it yields must encode again; LoadFrom
// must agree with Load.
func FuzzLoad(f *testing.F) {
	f.Add(smallFile(f))
	golden, err := hex.DecodeString(goldenFile)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(golden)
	var recs []record
	for _, e := range testEntries() {
		if e.Key != "list" && e.Key != "set" && e.Key != "hht" && e.Key != "zsl" {
			recs = append(recs, record{db: 0, e: e})
		}
	}
	f.Add(writeFile(f, fileSpec{records: recs, compress: true, checksum: false}))
	f.Add([]byte("REDIS0004\xfd\x10\x00\x00\x00\x00\x01k\x01v\xff"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, checksum := range []bool{true, false} {
			h := &Handler{
				Aux:      func(k, v []byte) error { return nil },
				Function: func(code []byte) error { return nil },
				SelectDB: func(int) error { return nil },
				ResizeDB: func(uint64, uint64) {},
				Entry: func(k []byte, v Value, _ int64, _ RecordMeta) error {
					exercise(v)
					e := &keyspace.Entry{Key: string(k), Type: v.Type, Str: v.Str, Obj: v.Obj}
					if _, err := AppendRecord(nil, e, RecordMeta{}, true); err != nil {
						t.Fatalf("encode loaded %q: %v", k, err)
					}
					return nil
				},
			}
			info, err := Load(data, testLimits, checksum, h)
			if err == nil && (info.End <= headerSize || info.End > len(data)) {
				t.Fatalf("End %d outside a %d-byte file", info.End, len(data))
			}
			// Streaming, in small reads and without knowing the length,
			// reads the same.
			sinfo, serr := LoadFrom(iotest.HalfReader(bytes.NewReader(data)), -1, testLimits, checksum, nil)
			if (err == nil) != (serr == nil) || sinfo.End != info.End {
				t.Fatalf("LoadFrom: end %d, %v; Load: end %d, %v", sinfo.End, serr, info.End, err)
			}
		}
	})
}
