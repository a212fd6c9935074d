package rdb

import (
	"encoding/hex"
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/types"
)

// FuzzDecodeDump feeds arbitrary payloads to DecodeDump, and the same
// bytes without the checksum (first byte the type, the rest the body) to
// DecodeObject so the fuzzer reaches the body decoders. Decoding must
// never panic; a value that decodes must be usable and must survive an
// encode/decode round trip.
func FuzzDecodeDump(f *testing.F) {
	for _, h := range capturedPayloads {
		b, err := hex.DecodeString(strings.ReplaceAll(h, " ", ""))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
		f.Add(b[:len(b)-10])
	}
	small := Limits{HashMaxListpackEntries: 2, HashMaxListpackValue: 4, ListMaxListpackSize: 2, SetMaxIntsetEntries: 2, ZSetMaxListpackEntries: 2, ZSetMaxListpackValue: 4}
	f.Fuzz(func(t *testing.T, p []byte) {
		if _, err := DecodeDump(p, testLimits); err == nil {
			return
		}
		if len(p) == 0 || !IsObjectType(p[0]) {
			return
		}
		for _, lim := range []Limits{testLimits, small} {
			v, err := DecodeObject(p[0], NewReader(p[1:]), lim)
			if err != nil {
				continue
			}
			exercise(v)
			e := &keyspace.Entry{Type: v.Type, Str: v.Str, Obj: v.Obj}
			out, err := AppendDump(nil, e, true)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if _, err := DecodeDump(out, lim); err != nil {
				t.Fatalf("re-decode of %x: %v", out, err)
			}
		}
	})
}

// exercise walks a decoded value through its type's read paths.
func exercise(v Value) {
	switch o := v.Obj.(type) {
	case *types.List:
		o.Each(func([]byte) bool { return true })
		it := o.Iter(o.Len()-1, false)
		for _, ok := it.Next(); ok; _, ok = it.Next() {
		}
	case *types.Set:
		o.Each(func([]byte) bool { return true })
	case *types.Hash:
		o.Range(func(f, _ []byte) bool { o.Get(f, nil); return true })
	case *types.ZSet:
		o.Each(func(m []byte, _ float64) bool { o.Score(m); return true })
	case *types.Stream:
		it := o.Iter(types.StreamID{}, types.MaxStreamID, false)
		for _, n, ok := it.Next(); ok; _, n, ok = it.Next() {
			for range n {
				it.Field()
			}
		}
		it = o.Iter(types.StreamID{}, types.MaxStreamID, true)
		for _, _, ok := it.Next(); ok; _, _, ok = it.Next() {
		}
		o.LastValidID()
	}
}
