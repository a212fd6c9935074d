package rdb

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"shoal/internal/encoding"
	"shoal/internal/keyspace"
	"shoal/internal/testutil"
	"shoal/internal/types"
)

// goldenFile is a dump.rdb redis-server 7.0.15 saved with rdbcompression
// on: five aux fields, one function library, db 0 with b=hello and a=1,
// db 2 with d=x (expiring) and c=12345678901.
const goldenFile = "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040" +
	"fa056374696d65c2e3e5066bfa08757365642d6d656dc210190f00fa08616f662d62617365c000" +
	"f5404723216c7561206e616d653d6d796c69620a72656469732e72656769737465725f66756e6374696f6e" +
	"28276631272c2066756e6374696f6e28292072657475726e203120656e6429" +
	"fe00fb02000001620568656c6c6f000161c001" +
	"fe02fb0201fc2f88f312a201000000016401780001630b3132333435363738393031" +
	"ff71f8474023eb449d"

// record is one key of a test file.
type record struct {
	db   int
	e    *keyspace.Entry
	meta RecordMeta
}

// fileSpec is what a test file holds.
type fileSpec struct {
	aux       []Aux
	functions []string
	records   []record
	compress  bool
	checksum  bool
}

// writeFile builds a file as the server does: small appends, each chunk
// folded into the running CRC-64 before the next one is written.
func writeFile(t testing.TB, s fileSpec) []byte {
	t.Helper()
	var out, chunk []byte
	var crc uint64
	flush := func() {
		crc = encoding.CRC64(crc, chunk)
		out = append(out, chunk...)
		chunk = chunk[:0]
	}
	chunk = AppendHeader(chunk, s.aux, s.compress)
	flush()
	for _, f := range s.functions {
		chunk = AppendFunction(chunk, []byte(f), s.compress)
		flush()
	}
	for i := 0; i < len(s.records); {
		db := s.records[i].db
		j, expires := i, 0
		for ; j < len(s.records) && s.records[j].db == db; j++ {
			if s.records[j].e.Expire != 0 {
				expires++
			}
		}
		chunk = AppendSelectDB(chunk, db)
		chunk = AppendResizeDB(chunk, uint64(j-i), uint64(expires))
		flush()
		for ; i < j; i++ {
			var err error
			if chunk, err = AppendRecord(chunk, s.records[i].e, s.records[i].meta, s.compress); err != nil {
				t.Fatal(err)
			}
			flush()
		}
	}
	return AppendEOF(out, crc, s.checksum)
}

// loaded is one key as Load handed it over.
type loaded struct {
	db     int
	key    string
	v      Value
	expire int64
	meta   RecordMeta
}

// loadAll loads data and collects everything the handler sees.
func loadAll(data []byte, checksum bool) (info LoadInfo, aux []Aux, funcs []string, keys []loaded, err error) {
	db := -1
	h := &Handler{
		Aux:      func(k, v []byte) error { aux = append(aux, Aux{string(k), string(v)}); return nil },
		Function: func(code []byte) error { funcs = append(funcs, string(code)); return nil },
		SelectDB: func(n int) error { db = n; return nil },
		Entry: func(k []byte, v Value, exp int64, m RecordMeta) error {
			keys = append(keys, loaded{db, string(k), v, exp, m})
			return nil
		},
	}
	info, err = Load(data, testLimits, checksum, h)
	return
}

// describe renders a value's type, encoding and contents in an order that
// does not depend on hash tables.
func describe(v Value) string {
	var parts []string
	switch o := v.Obj.(type) {
	case nil:
		return "string:" + string(v.Str)
	case *types.List:
		o.Each(func(m []byte) bool { parts = append(parts, string(m)); return true })
		return fmt.Sprintf("list/%d:%q", o.NodeCount(), parts)
	case *types.Set:
		o.Each(func(m []byte) bool { parts = append(parts, string(m)); return true })
		slices.Sort(parts)
		return fmt.Sprintf("set/%s:%q", o.Encoding(), parts)
	case *types.Hash:
		o.Range(func(f, x []byte) bool { parts = append(parts, string(f)+"="+string(x)); return true })
		slices.Sort(parts)
		return fmt.Sprintf("hash/%s:%q", o.Encoding(), parts)
	case *types.ZSet:
		o.Each(func(m []byte, s float64) bool {
			parts = append(parts, string(m)+"="+strconv.FormatFloat(s, 'g', -1, 64))
			return true
		})
		return fmt.Sprintf("zset/%s:%q", o.Encoding(), parts)
	case *types.Stream:
		b, _ := AppendObject(nil, &keyspace.Entry{Type: keyspace.TypeStream, Obj: o}, false)
		return fmt.Sprintf("stream/%d:%x", o.Len(), b)
	}
	return fmt.Sprintf("unknown %T", v.Obj)
}

func valueOf(e *keyspace.Entry) Value { return Value{Type: e.Type, Str: e.Str, Obj: e.Obj} }

func str(key, v string, expire int64) *keyspace.Entry {
	return &keyspace.Entry{Key: key, Type: keyspace.TypeString, Str: []byte(v), Expire: expire}
}

// testEntries returns one key of every type and encoding Redis 7.0 writes.
func testEntries() []*keyspace.Entry {
	hl := types.HashLimits{MaxEntries: 128, MaxValue: 64}
	zl := types.ZSetLimits{MaxListpackEntries: 128, MaxListpackValue: 64}

	list := types.NewList()
	for i := range 3000 {
		list.Push([]byte(strings.Repeat("e", i%40)+strconv.Itoa(i)), false, -2)
	}
	small := types.NewList()
	for _, v := range []string{"a", "1", "-5", "1000000", "bb"} {
		small.Push([]byte(v), false, -2)
	}
	intset := types.NewSet()
	for _, v := range []string{"3", "-100", "70000", "1"} {
		intset.Add([]byte(v), 512)
	}
	set := types.NewSet()
	for i := range 200 {
		set.Add([]byte("m"+strconv.Itoa(i)), 512)
	}
	hlp := types.NewHash()
	hlp.Set([]byte("f1"), []byte("v1"), hl)
	hlp.Set([]byte("f2"), []byte("2"), hl)
	hht := types.NewHash()
	for i := range 200 {
		hht.Set([]byte("f"+strconv.Itoa(i)), []byte(strings.Repeat("v", i%30)), hl)
	}
	zlp := types.NewZSet()
	zlp.Add([]byte("a"), 1, 0, zl)
	zlp.Add([]byte("b"), 2.5, 0, zl)
	zlp.Add([]byte("c"), -3, 0, zl)
	zsl := types.NewZSetSkiplist(0)
	for i := range 200 {
		zsl.Add([]byte("z"+strconv.Itoa(i)), float64(i)/7, 0, zl)
	}

	st := types.NewStream()
	for i := range 20 {
		id := types.StreamID{Ms: uint64(i/3 + 1), Seq: uint64(i % 3)}
		st.Append(id, [][]byte{[]byte("f"), []byte("v"), []byte("n"), []byte("12")}[:2+2*(i%2)], 4096, 100)
		st.LastID = id
		st.EntriesAdded++
	}
	st.FirstID = types.StreamID{Ms: 1}
	g := st.CreateGroup([]byte("grp"), types.StreamID{Ms: 3}, 7)
	c := g.CreateConsumer([]byte("alice"), 1234)
	for i := range 3 {
		n := &types.StreamNACK{ID: types.StreamID{Ms: uint64(i + 1)}, DeliveryTime: 99, DeliveryCount: 2}
		g.PEL.Insert(n)
		g.Assign(n, c)
	}
	st.CreateGroup([]byte("idle"), types.StreamID{}, types.InvalidEntriesRead)

	return []*keyspace.Entry{
		str("int", "12345", 0),
		str("embstr", "hello", 0),
		str("raw", strings.Repeat("abc", 30), 0),
		str("bigint", "12345678901", 0),
		str("42", "", 0),
		{Key: "list", Type: keyspace.TypeList, Obj: list},
		{Key: "smalllist", Type: keyspace.TypeList, Obj: small},
		{Key: "intset", Type: keyspace.TypeSet, Obj: intset},
		{Key: "set", Type: keyspace.TypeSet, Obj: set},
		{Key: "hlp", Type: keyspace.TypeHash, Obj: hlp},
		{Key: "hht", Type: keyspace.TypeHash, Obj: hht},
		{Key: "zlp", Type: keyspace.TypeZSet, Obj: zlp},
		{Key: "zsl", Type: keyspace.TypeZSet, Obj: zsl},
		{Key: "stream", Type: keyspace.TypeStream, Obj: st},
	}
}

func TestFileRoundTrip(t *testing.T) {
	entries := testEntries()
	var recs []record
	for i, e := range entries {
		recs = append(recs, record{db: 0, e: e})
		if i == 0 {
			recs[0].e = str("int", "12345", 1700000000123)
		}
	}
	recs = append(recs,
		record{db: 3, e: str("idle", "x", 0), meta: RecordMeta{HasIdle: true, Idle: 1 << 20}},
		record{db: 3, e: str("freq", "y", 4102444800000), meta: RecordMeta{HasFreq: true, Freq: 5}},
		record{db: 15, e: str("both", "z", 0), meta: RecordMeta{HasIdle: true, Idle: 7, HasFreq: true, Freq: 255}},
	)
	aux := []Aux{{"redis-ver", "7.0.15"}, {"redis-bits", "64"}, {"ctime", "1795548643"}, {"used-mem", "99999999999"}, {"aof-base", "0"}}
	funcs := []string{"#!lua name=lib\nredis.register_function('f', function() return 1 end)" + strings.Repeat(" ", 40)}
	tests := []struct {
		name               string
		compress, checksum bool
	}{
		{"compress+checksum", true, true},
		{"plain", false, true},
		{"no checksum", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := writeFile(t, fileSpec{aux: aux, functions: funcs, records: recs, compress: tt.compress, checksum: tt.checksum})
			// An AOF preamble is followed by commands; End points at them.
			tail := "*1\r\n$4\r\nPING\r\n"
			info, gotAux, gotFuncs, keys, err := loadAll(append(data, tail...), true)
			if err != nil {
				t.Fatal(err)
			}
			if info.End != len(data) || info.Version != Version || info.Keys != len(recs) {
				t.Fatalf("info %+v, file is %d bytes", info, len(data))
			}
			if tt.checksum != (info.Checksum != 0) {
				t.Fatalf("stored checksum %x", info.Checksum)
			}
			if !slices.Equal(gotAux, aux) || !slices.Equal(gotFuncs, funcs) {
				t.Fatalf("aux %q functions %q", gotAux, gotFuncs)
			}
			if len(keys) != len(recs) {
				t.Fatalf("%d keys, want %d", len(keys), len(recs))
			}
			for i, k := range keys {
				want := recs[i]
				wantExp := want.e.Expire
				if wantExp == 0 {
					wantExp = -1
				}
				if k.db != want.db || k.key != want.e.Key || k.expire != wantExp || k.meta != want.meta {
					t.Errorf("key %d: db %d %q exp %d meta %+v, want db %d %q exp %d meta %+v",
						i, k.db, k.key, k.expire, k.meta, want.db, want.e.Key, wantExp, want.meta)
				}
				if got, w := describe(k.v), describe(valueOf(want.e)); got != w {
					t.Errorf("key %q:\n got %.300s\nwant %.300s", k.key, got, w)
				}
			}
		})
	}
}

func TestGoldenFile(t *testing.T) {
	data := unhex(t, goldenFile)
	info, aux, funcs, keys, err := loadAll(data, true)
	if err != nil {
		t.Fatal(err)
	}
	if info.End != len(data) || info.Keys != 4 {
		t.Fatalf("info %+v", info)
	}
	wantAux := []Aux{{"redis-ver", "7.0.15"}, {"redis-bits", "64"}, {"ctime", "1795614179"}, {"used-mem", "989456"}, {"aof-base", "0"}}
	if !slices.Equal(aux, wantAux) {
		t.Fatalf("aux %q", aux)
	}
	if len(funcs) != 1 || !strings.HasPrefix(funcs[0], "#!lua name=mylib\n") {
		t.Fatalf("functions %q", funcs)
	}
	// Writing the same contents gives the same file, checksum included.
	var recs []record
	for _, k := range keys {
		e := &keyspace.Entry{Key: k.key, Type: k.v.Type, Str: k.v.Str, Obj: k.v.Obj}
		if k.expire >= 0 {
			e.Expire = k.expire
		}
		recs = append(recs, record{db: k.db, e: e, meta: k.meta})
	}
	got := writeFile(t, fileSpec{aux: aux, functions: funcs, records: recs, compress: true, checksum: true})
	if !bytes.Equal(got, data) {
		t.Fatalf("rewritten\n got %x\nwant %x", got, data)
	}
	if keys[2].key != "d" || keys[2].db != 2 || keys[2].expire != 1795614279727 {
		t.Fatalf("expiring key %+v", keys[2])
	}
}

func TestAppendFraming(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"header", AppendHeader(nil, nil, true), "524544495330303130"},
		{"aux int", AppendAux(nil, "redis-bits", "64", true), "fa0a72656469732d62697473c040"},
		{"aux big int", AppendAux(nil, "k", "4294967296", true), "fa016b0a34323934393637323936"},
		{"select 0", AppendSelectDB(nil, 0), "fe00"},
		{"select 100", AppendSelectDB(nil, 100), "fe4064"},
		{"resize", AppendResizeDB(nil, 2, 1), "fb0201"},
		{"eof unchecked", AppendEOF(nil, 12345, false), "ff0000000000000000"},
		{"function", AppendFunction(nil, []byte("x"), false), "f50178"},
	}
	for _, tt := range tests {
		if got := hex.EncodeToString(tt.got); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	// The stored CRC covers the EOF opcode.
	pre := []byte("REDIS0010")
	eof := AppendEOF(nil, encoding.CRC64(0, pre), true)
	if want := AppendUint64LE([]byte{0xff}, encoding.CRC64(0, append(pre, 0xff))); !bytes.Equal(eof, want) {
		t.Errorf("eof %x, want %x", eof, want)
	}
}

func TestAppendRecord(t *testing.T) {
	tests := []struct {
		name string
		e    *keyspace.Entry
		meta RecordMeta
		want string
	}{
		{"plain", str("a", "1", 0), RecordMeta{}, "000161c001"},
		{"expire", str("d", "x", 1795614279727), RecordMeta{}, "fc2f88f312a20100000001640178"},
		{"idle", str("a", "x", 0), RecordMeta{HasIdle: true, Idle: 300}, "f8412c00016101" + "78"},
		{"freq", str("a", "x", 0), RecordMeta{HasFreq: true, Freq: 5}, "f905000161" + "0178"},
		{"int key", str("7", "", 0), RecordMeta{}, "00c00700"},
	}
	for _, tt := range tests {
		got, err := AppendRecord([]byte{1}, tt.e, tt.meta, true)
		if err != nil || hex.EncodeToString(got[1:]) != tt.want || got[0] != 1 {
			t.Errorf("%s: %x, %v; want %s", tt.name, got, err, tt.want)
		}
	}
	bad := &keyspace.Entry{Key: "k", Type: keyspace.TypeHash, Obj: "not a hash"}
	if got, err := AppendRecord([]byte{1, 2}, bad, RecordMeta{}, true); !errors.Is(err, ErrUnsupported) || len(got) != 2 {
		t.Errorf("unsupported: %x, %v", got, err)
	}
}

// smallFile is a valid file with a bit of everything, for the corruption
// tests and the fuzz seeds.
func smallFile(t testing.TB) []byte {
	z := types.NewZSet()
	z.Add([]byte("m"), 1.5, 0, types.ZSetLimits{MaxListpackEntries: 128, MaxListpackValue: 64})
	return writeFile(t, fileSpec{
		aux:       []Aux{{"redis-ver", "7.0.15"}, {"ctime", "1795548643"}},
		functions: []string{"#!lua name=l\n"},
		records: []record{
			{db: 0, e: str("k", "v", 1795614279727), meta: RecordMeta{HasIdle: true, Idle: 3}},
			{db: 1, e: &keyspace.Entry{Key: "z", Type: keyspace.TypeZSet, Obj: z}, meta: RecordMeta{HasFreq: true, Freq: 9}},
		},
		compress: true, checksum: true,
	})
}

func TestLoadErrors(t *testing.T) {
	good := smallFile(t)
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-1] ^= 1
	withVersion := func(v string, body ...byte) []byte {
		return append([]byte("REDIS"+v), body...)
	}
	tests := []struct {
		name     string
		data     []byte
		checksum bool
		want     error
		msg      string
	}{
		{"bad crc", badCRC, true, ErrWrongChecksum, ""},
		{"empty", nil, true, ErrShortRead, shortReadMsg},
		{"signature", []byte("RIDES0010\xff"), true, ErrSignature, "Wrong signature trying to load DB from file"},
		{"version 11", withVersion("0011", 0xff), true, ErrVersion, "Can't handle RDB format version 11"},
		{"version 0", withVersion("0000", 0xff), true, ErrVersion, "Can't handle RDB format version 0"},
		{"version text", withVersion("abcd", 0xff), true, ErrVersion, "Can't handle RDB format version 0"},
		{"no eof", withVersion("0010"), true, ErrShortRead, shortReadMsg},
		{"no checksum", withVersion("0010", 0xff, 1, 2), true, ErrShortRead, shortReadMsg},
		{"unknown type", withVersion("0010", 0xf4), true, ErrBadFormat, "Unknown RDB encoding type 244"},
		{"type 8", withVersion("0010", 8, 1, 'k', 0), true, ErrBadFormat, "Unknown RDB encoding type 8"},
		{"module", withVersion("0010", TypeModule2, 1, 'k'), true, ErrBadFormat, ""},
		{"pre-GA function", withVersion("0010", 0xf6, 1, 'x'), true, ErrBadFormat, "Pre-release function format not supported."},
		{"module aux", withVersion("0010", 0xf7, 0), true, ErrBadFormat, ""},
		{"bad body", withVersion("0010", TypeSet, 1, 'k', 2, 1, 'a', 1, 'a', 0xff, 0, 0, 0, 0, 0, 0, 0, 0), true, ErrShortRead, shortReadMsg},
		{"huge string", withVersion("0010", 0xfa, 0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), true, ErrShortRead, ""},
	}
	for _, tt := range tests {
		_, err := Load(tt.data, testLimits, tt.checksum, &Handler{})
		var le *LoadError
		if !errors.As(err, &le) || !errors.Is(err, tt.want) {
			t.Errorf("%s: err %v, want %v", tt.name, err, tt.want)
			continue
		}
		if tt.msg != "" && err.Error() != tt.msg {
			t.Errorf("%s: message %q, want %q", tt.name, err.Error(), tt.msg)
		}
	}
	if _, err := Load(badCRC, testLimits, true, nil); err == nil ||
		!strings.HasPrefix(err.Error(), "Wrong RDB checksum expected: (") {
		t.Errorf("bad crc message: %v", err)
	}
	// The body decoder's error stays reachable.
	if _, err := Load(tests[13].data, testLimits, true, nil); !errors.Is(err, ErrBadFormat) {
		t.Errorf("bad body: %v does not wrap ErrBadFormat", err)
	}
}

func TestLoadChecksumSkipped(t *testing.T) {
	good := smallFile(t)
	badCRC := bytes.Clone(good)
	badCRC[len(badCRC)-1] ^= 1
	zeroCRC := bytes.Clone(good)
	clear(zeroCRC[len(zeroCRC)-8:])
	// Files before version 5 have no checksum; EXPIRETIME is in seconds.
	v4 := append([]byte("REDIS0004"), 0xfd, 0x10, 0, 0, 0, 0, 1, 'k', 1, 'v', 0xff)
	tests := []struct {
		name     string
		data     []byte
		checksum bool
		end      int
	}{
		{"rdbchecksum no", badCRC, false, len(good)},
		{"stored zero", zeroCRC, true, len(good)},
		{"version 4", v4, true, len(v4)},
	}
	for _, tt := range tests {
		info, _, _, keys, err := loadAll(tt.data, tt.checksum)
		if err != nil || info.End != tt.end || len(keys) == 0 {
			t.Errorf("%s: %+v, %d keys, %v", tt.name, info, len(keys), err)
		}
	}
	_, _, _, keys, _ := loadAll(v4, true)
	if keys[0].expire != 16000 {
		t.Errorf("EXPIRETIME: %d", keys[0].expire)
	}
}

func TestLoadTruncated(t *testing.T) {
	good := smallFile(t)
	for n := range len(good) {
		if _, err := Load(good[:n], testLimits, true, nil); err == nil {
			t.Fatalf("truncated to %d of %d bytes: no error", n, len(good))
		}
	}
}

func TestLoadHandlerError(t *testing.T) {
	stop := errors.New("stop")
	h := &Handler{SelectDB: func(db int) error {
		if db > 0 {
			return stop
		}
		return nil
	}}
	if _, err := Load(smallFile(t), testLimits, true, h); err != stop {
		t.Fatalf("err %v, want the handler's", err)
	}
}

// TestRedisDifferential saves keys of every type in redis-server 7.0 and
// checks that Load reads them back and that what we write for the same
// contents is the same bytes.
func TestRedisDifferential(t *testing.T) {
	addr, ok := testutil.StartRedis(t, "--rdbcompression", "yes")
	if !ok {
		t.Skip("redis-server not on PATH")
	}
	c := testutil.Dial(t, addr)
	defer c.Close()
	_, dirReply, err := testutil.Elements(c.Do("CONFIG", "GET", "dir"))
	if err != nil || len(dirReply) != 2 {
		t.Fatalf("CONFIG GET dir: %q %v", dirReply, err)
	}
	// The element is a bulk string frame: "$N\r\n" then the path.
	dir := strings.TrimSuffix(string(dirReply[1][bytes.IndexByte(dirReply[1], '\n')+1:]), "\r\n")
	do := func(args ...string) {
		t.Helper()
		if r := c.Do(args...); r[0] == '-' {
			t.Fatalf("%q: %s", args, r)
		}
	}

	// db 0 holds encodings whose bytes are deterministic; the constructed
	// entries hold the same contents. db 9 holds hash tables, whose order
	// differs, so only their contents are compared.
	want := map[string]*keyspace.Entry{}
	for _, e := range testEntries() {
		want[e.Key] = e
	}
	do("SET", "int", "12345")
	do("SET", "embstr", "hello")
	do("SET", "raw", strings.Repeat("abc", 30))
	do("SET", "bigint", "12345678901")
	do("SET", "42", "")
	do("SET", "exp", "e")
	do("PEXPIREAT", "exp", "4102444800000")
	want["exp"] = str("exp", "e", 4102444800000)
	push := []string{"RPUSH", "list"}
	for i := range 3000 {
		push = append(push, strings.Repeat("e", i%40)+strconv.Itoa(i))
	}
	do(push...)
	do("RPUSH", "smalllist", "a", "1", "-5", "1000000", "bb")
	do("SADD", "intset", "3", "-100", "70000", "1")
	do("HSET", "hlp", "f1", "v1", "f2", "2")
	do("ZADD", "zlp", "1", "a", "2.5", "b", "-3", "c")
	zadd := []string{"ZADD", "zsl"}
	for i := range 200 {
		zadd = append(zadd, strconv.FormatFloat(float64(i)/7, 'g', 17, 64), "z"+strconv.Itoa(i))
	}
	do(zadd...)
	for i := range 20 {
		args := []string{"XADD", "stream", fmt.Sprintf("%d-%d", i/3+1, i%3), "f", "v", "n", "12"}
		do(args[:5+2*(i%2)]...)
	}
	do("XGROUP", "CREATE", "stream", "grp", "0")
	do("XREADGROUP", "GROUP", "grp", "alice", "COUNT", "3", "STREAMS", "stream", ">")
	do("XGROUP", "CREATE", "stream", "idle", "$")
	do("SELECT", "9")
	sadd := []string{"SADD", "set"}
	for i := range 200 {
		sadd = append(sadd, "m"+strconv.Itoa(i))
	}
	do(sadd...)
	hset := []string{"HSET", "hht"}
	for i := range 200 {
		hset = append(hset, "f"+strconv.Itoa(i), strings.Repeat("v", i%30))
	}
	do(hset...)
	do("FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)")

	for _, policy := range []string{"noeviction", "allkeys-lru", "allkeys-lfu"} {
		t.Run(policy, func(t *testing.T) {
			do("CONFIG", "SET", "maxmemory-policy", policy)
			do("SAVE")
			data, err := os.ReadFile(filepath.Join(dir, "dump.rdb"))
			if err != nil {
				t.Fatal(err)
			}
			info, aux, funcs, keys, err := loadAll(data, true)
			if err != nil {
				t.Fatal(err)
			}
			if info.End != len(data) || len(keys) != len(want) || len(funcs) != 1 {
				t.Fatalf("info %+v, %d keys, %d functions", info, len(keys), len(funcs))
			}
			// Header, aux fields and functions come back byte for byte.
			prefix := AppendFunction(AppendHeader(nil, aux, true), []byte(funcs[0]), true)
			if !bytes.HasPrefix(data, prefix) {
				t.Fatalf("header\n got %x\nfile %x", prefix, data[:len(prefix)])
			}
			db0 := AppendSelectDB(nil, 0)
			db0 = AppendResizeDB(db0, uint64(len(want)-2), 1)
			for _, k := range keys {
				w := want[k.key]
				if w == nil {
					t.Fatalf("unexpected key %q", k.key)
				}
				switch policy {
				case "allkeys-lru":
					if !k.meta.HasIdle || k.meta.HasFreq {
						t.Errorf("%s: meta %+v", k.key, k.meta)
					}
				case "allkeys-lfu":
					if k.meta.HasIdle || !k.meta.HasFreq {
						t.Errorf("%s: meta %+v", k.key, k.meta)
					}
				default:
					if k.meta != (RecordMeta{}) {
						t.Errorf("%s: meta %+v", k.key, k.meta)
					}
				}
				got, wantDesc := describe(k.v), describe(valueOf(w))
				if k.key == "stream" {
					// Delivery and seen times are Redis's clock: compare
					// the entries and re-encode what was loaded.
					wantDesc = got
					if s := k.v.Obj.(*types.Stream); s.Len() != 20 || len(s.Groups()) != 2 || s.Group([]byte("grp")).PEL.Len() != 3 {
						t.Errorf("stream: %d entries, %d groups", s.Len(), len(s.Groups()))
					}
					w = &keyspace.Entry{Key: k.key, Type: k.v.Type, Obj: k.v.Obj}
				}
				if got != wantDesc {
					t.Errorf("%s:\n got %.300s\nwant %.300s", k.key, got, wantDesc)
				}
				wantExp := w.Expire
				if wantExp == 0 {
					wantExp = -1
				}
				if k.expire != wantExp {
					t.Errorf("%s: expire %d, want %d", k.key, k.expire, wantExp)
				}
				if k.db == 0 {
					if db0, err = AppendRecord(db0, w, k.meta, true); err != nil {
						t.Fatal(err)
					}
				}
			}
			if !bytes.HasPrefix(data[len(prefix):], db0) {
				t.Fatalf("db 0 differs\n got %x\nfile %x", db0, data[len(prefix):min(len(data), len(prefix)+len(db0))])
			}
		})
	}
}

func TestAppendRecordAllocs(t *testing.T) {
	e := str("key", "value", 1795614279727)
	buf := make([]byte, 0, 256)
	allocs := testing.AllocsPerRun(100, func() {
		buf, _ = AppendRecord(buf[:0], e, RecordMeta{HasIdle: true, Idle: 9}, true)
	})
	if allocs != 0 {
		t.Fatalf("AppendRecord allocates %v times", allocs)
	}
}

// TestLoadSkipsEmptyKeys: a record whose value has no elements (written by
// older servers, Redis #8453) is skipped and reported, and the load goes
// on, as rdbLoad's RDB_LOAD_ERR_EMPTY_KEY; RESTORE of the same body is
// still bad data.
func TestLoadSkipsEmptyKeys(t *testing.T) {
	body := []byte{
		TypeSet, 1, 'e', 0, // empty set
		TypeHash, 1, 'h', 0, // empty hash
		TypeString, 1, 'k', 1, 'v',
		0xff, 0, 0, 0, 0, 0, 0, 0, 0,
	}
	var skipped []string
	keys := 0
	h := &Handler{
		EmptyKey: func(key []byte) { skipped = append(skipped, string(key)) },
		Entry: func(key []byte, v Value, expireMs int64, meta RecordMeta) error {
			keys++
			return nil
		},
	}
	info, err := Load(append([]byte("REDIS0010"), body...), testLimits, false, h)
	if err != nil {
		t.Fatal(err)
	}
	if keys != 1 || info.EmptyKeys != 2 || strings.Join(skipped, ",") != "e,h" {
		t.Fatalf("keys %d, empty %d, skipped %q", keys, info.EmptyKeys, skipped)
	}
	if _, err := DecodeObject(TypeSet, NewReader([]byte{0}), testLimits); !errors.Is(err, ErrBadFormat) {
		t.Fatalf("empty set body: %v, want ErrBadFormat", err)
	}
}
