package aof

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"shoal/internal/keyspace"
	"shoal/internal/persist/snapshot"
	"shoal/internal/testutil"
	"shoal/internal/types"
)

var _ snapshot.Encoder = (*RewriteEncoder)(nil)

// Redis 7.0's default encoding thresholds, which the builders below use so
// that Shoal's values have the encodings Redis gives the same data.
var (
	testHashLimits = types.HashLimits{MaxEntries: 128, MaxValue: 64}
	testZSetLimits = types.ZSetLimits{MaxListpackEntries: 128, MaxListpackValue: 64}
)

const (
	testListFill       = -2
	testMaxIntset      = 512
	testStreamMaxBytes = 4096
	testStreamMaxEnts  = 100
)

// rewriteKey is one key built the same way in Redis (by commands) and in
// Shoal (by the types API).
type rewriteKey struct {
	db    int
	key   string
	redis [][]string
	build func() *keyspace.Entry
	// ordered: Redis's output order is fixed by the encoding (not by a
	// hash table), so the bytes must match exactly.
	ordered bool
	// width is the number of arguments per item of a batched command,
	// used to compare unordered values.
	width int
}

func seq(n int, f func(i int) string) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = f(i)
	}
	return out
}

func reversed(ss []string) []string {
	out := slices.Clone(ss)
	slices.Reverse(out)
	return out
}

func bytesOf(ss []string) [][]byte {
	out := make([][]byte, len(ss))
	for i, s := range ss {
		out[i] = []byte(s)
	}
	return out
}

func cmd(args ...any) []string {
	var out []string
	for _, a := range args {
		switch v := a.(type) {
		case string:
			out = append(out, v)
		case []string:
			out = append(out, v...)
		default:
			panic(fmt.Sprintf("cmd: %T", a))
		}
	}
	return out
}

func strEntry(key, val string, enc uint8, expire int64) *keyspace.Entry {
	return &keyspace.Entry{Key: key, Type: keyspace.TypeString, Str: []byte(val), Enc: enc, Expire: expire}
}

func sid(ms, s uint64) types.StreamID { return types.StreamID{Ms: ms, Seq: s} }

// rewriteKeys is the dataset of the differential tests: every type and
// encoding, TTLs, binary data, multi-command batches and stream groups.
func rewriteKeys() []rewriteKey {
	listVals := seq(150, func(i int) string {
		if i%3 == 0 {
			return strconv.Itoa(i - 75)
		}
		return "v" + strconv.Itoa(i)
	})
	listVals = append(listVals, strings.Repeat("L", 9000), "tail")
	intsetVals := seq(100, func(i int) string { return strconv.Itoa(i*7919%200 - 100) })
	setVals := seq(100, func(i int) string { return "m" + strconv.Itoa(i) })
	zlp := []string{"1.5", "a", "2", "b", "0.1", "c", "inf", "d", "-inf", "e", "1e20", "f",
		"3e-5", "g", "123456789012345678", "h", "7", "42", "-0.25", "neg", "2", "a2"}
	zsk := seq(300, func(i int) string {
		if i%2 == 0 {
			return strconv.FormatFloat(float64(i/2)*0.7, 'g', -1, 64)
		}
		return "z" + strconv.Itoa(i/2)
	})
	hht := seq(300, func(i int) string { return "f" + strconv.Itoa(i/2) + []string{"", "=value"}[i%2] })
	bigStream := seq(250, func(i int) string { return strconv.Itoa(i) })

	return []rewriteKey{
		{key: "str", redis: [][]string{{"SET", "str", "hello"}}, ordered: true,
			build: func() *keyspace.Entry { return strEntry("str", "hello", keyspace.EncEmbstr, 0) }},
		{key: "int", redis: [][]string{{"SET", "int", "-12345"}}, ordered: true,
			build: func() *keyspace.Entry { return strEntry("int", "-12345", keyspace.EncInt, 0) }},
		{key: "bin\r\n", redis: [][]string{{"SET", "bin\r\n", "a\r\nb\x00c"}}, ordered: true,
			build: func() *keyspace.Entry { return strEntry("bin\r\n", "a\r\nb\x00c", keyspace.EncEmbstr, 0) }},
		{key: "empty", redis: [][]string{{"SET", "empty", ""}}, ordered: true,
			build: func() *keyspace.Entry { return strEntry("empty", "", keyspace.EncEmbstr, 0) }},
		{key: "ttl", redis: [][]string{{"SET", "ttl", "v"}, {"PEXPIREAT", "ttl", "4102444800000"}}, ordered: true,
			build: func() *keyspace.Entry { return strEntry("ttl", "v", keyspace.EncEmbstr, 4102444800000) }},
		{key: "lst", ordered: true,
			redis: [][]string{cmd("RPUSH", "lst", listVals), {"PEXPIREAT", "lst", "4102444800123"}},
			build: func() *keyspace.Entry {
				return &keyspace.Entry{Key: "lst", Type: keyspace.TypeList, Obj: types.ListFromValues(bytesOf(listVals), testListFill), Expire: 4102444800123}
			}},
		{key: "iset", ordered: true, redis: [][]string{cmd("SADD", "iset", intsetVals)},
			build: func() *keyspace.Entry {
				return &keyspace.Entry{Key: "iset", Type: keyspace.TypeSet, Obj: types.SetFromMembers(bytesOf(intsetVals), testMaxIntset)}
			}},
		{key: "sset", width: 1, redis: [][]string{cmd("SADD", "sset", setVals)},
			build: func() *keyspace.Entry {
				return &keyspace.Entry{Key: "sset", Type: keyspace.TypeSet, Obj: types.SetFromMembers(bytesOf(setVals), testMaxIntset)}
			}},
		{key: "zlp", ordered: true, redis: [][]string{cmd("ZADD", "zlp", zlp)},
			build: func() *keyspace.Entry {
				return &keyspace.Entry{Key: "zlp", Type: keyspace.TypeZSet, Obj: buildZSet(zlp)}
			}},
		{key: "zsk", width: 2, redis: [][]string{cmd("ZADD", "zsk", zsk)},
			build: func() *keyspace.Entry {
				return &keyspace.Entry{Key: "zsk", Type: keyspace.TypeZSet, Obj: buildZSet(zsk)}
			}},
		{key: "hlp", ordered: true, redis: [][]string{{"HSET", "hlp", "f1", "v1", "f2", "22", "f3", ""}},
			build: func() *keyspace.Entry {
				return &keyspace.Entry{Key: "hlp", Type: keyspace.TypeHash, Obj: buildHash([]string{"f1", "v1", "f2", "22", "f3", ""})}
			}},
		{key: "hht", width: 2, redis: [][]string{cmd("HSET", "hht", hht), {"PEXPIREAT", "hht", "4102444800999"}},
			build: func() *keyspace.Entry {
				return &keyspace.Entry{Key: "hht", Type: keyspace.TypeHash, Obj: buildHash(hht), Expire: 4102444800999}
			}},
		{key: "strm", ordered: true, redis: [][]string{
			{"XADD", "strm", "1-1", "a", "1", "b", "2"},
			{"XADD", "strm", "1-2", "a", "3", "b", "4"},
			{"XADD", "strm", "2-0", "c", "5"},
			{"XADD", "strm", "3-0", "a", "x", "b", "y"},
			{"XDEL", "strm", "2-0"},
			{"XGROUP", "CREATE", "strm", "g1", "0", "ENTRIESREAD", "0"},
			{"XGROUP", "CREATE", "strm", "g0", "$"},
			{"XGROUP", "SETID", "strm", "g1", "1-2", "ENTRIESREAD", "2"},
			{"XCLAIM", "strm", "g1", "alice", "0", "1-1", "TIME", "1700000000000", "RETRYCOUNT", "3", "JUSTID", "FORCE"},
			{"XCLAIM", "strm", "g1", "alice", "0", "3-0", "TIME", "1700000000500", "RETRYCOUNT", "1", "JUSTID", "FORCE"},
			{"XCLAIM", "strm", "g1", "bob", "0", "1-2", "TIME", "1700000001000", "RETRYCOUNT", "7", "JUSTID", "FORCE"},
			{"XGROUP", "CREATECONSUMER", "strm", "g1", "carol"},
			{"XGROUP", "CREATECONSUMER", "strm", "g0", "dave"},
		}, build: func() *keyspace.Entry {
			return &keyspace.Entry{Key: "strm", Type: keyspace.TypeStream, Obj: buildStream()}
		}},
		{key: "sempty", ordered: true, redis: [][]string{{"XADD", "sempty", "MAXLEN", "0", "5-5", "a", "b"}},
			build: func() *keyspace.Entry {
				s := types.NewStream()
				s.LastID, s.EntriesAdded = sid(5, 5), 1
				return &keyspace.Entry{Key: "sempty", Type: keyspace.TypeStream, Obj: s}
			}},
		{key: "sbig", ordered: true, redis: func() [][]string {
			var out [][]string
			for i, v := range bigStream {
				out = append(out, []string{"XADD", "sbig", strconv.Itoa(i+1) + "-0", "f", v, "g", "x"})
			}
			return out
		}(), build: func() *keyspace.Entry {
			s := types.NewStream()
			for i, v := range bigStream {
				s.Append(sid(uint64(i+1), 0), bytesOf([]string{"f", v, "g", "x"}), testStreamMaxBytes, testStreamMaxEnts)
			}
			return &keyspace.Entry{Key: "sbig", Type: keyspace.TypeStream, Obj: s}
		}},
		{db: 3, key: "other", redis: [][]string{{"SET", "other", "in db 3"}}, ordered: true,
			build: func() *keyspace.Entry { return strEntry("other", "in db 3", keyspace.EncRaw, 0) }},
	}
}

func buildZSet(pairs []string) *types.ZSet {
	z := types.NewZSet()
	for i := 0; i < len(pairs); i += 2 {
		score, err := strconv.ParseFloat(pairs[i], 64)
		if err != nil {
			panic(err)
		}
		z.Add([]byte(pairs[i+1]), score, 0, testZSetLimits)
	}
	return z
}

func buildHash(pairs []string) *types.Hash {
	h := types.NewHash()
	for i := 0; i < len(pairs); i += 2 {
		h.Set([]byte(pairs[i]), []byte(pairs[i+1]), testHashLimits)
	}
	return h
}

// buildStream mirrors the "strm" commands of rewriteKeys.
func buildStream() *types.Stream {
	s := types.NewStream()
	add := func(id types.StreamID, fv ...string) {
		s.Append(id, bytesOf(fv), testStreamMaxBytes, testStreamMaxEnts)
	}
	add(sid(1, 1), "a", "1", "b", "2")
	add(sid(1, 2), "a", "3", "b", "4")
	add(sid(2, 0), "c", "5")
	add(sid(3, 0), "a", "x", "b", "y")
	s.DeleteIDs([]types.StreamID{sid(2, 0)})
	g1 := s.CreateGroup([]byte("g1"), sid(1, 2), 2)
	g0 := s.CreateGroup([]byte("g0"), sid(3, 0), types.InvalidEntriesRead)
	claim := func(c *types.StreamConsumer, id types.StreamID, at, count int64) {
		n := &types.StreamNACK{ID: id, DeliveryTime: at, DeliveryCount: count}
		g1.PEL.Insert(n)
		g1.Assign(n, c)
	}
	alice := g1.CreateConsumer([]byte("alice"), 0)
	bob := g1.CreateConsumer([]byte("bob"), 0)
	claim(alice, sid(1, 1), 1700000000000, 3)
	claim(alice, sid(3, 0), 1700000000500, 1)
	claim(bob, sid(1, 2), 1700000001000, 7)
	g1.CreateConsumer([]byte("carol"), 0)
	g0.CreateConsumer([]byte("dave"), 0)
	return s
}

// readCommands parses an AOF command stream, failing on anything but a
// clean end.
func readCommands(t *testing.T, data []byte) [][]string {
	t.Helper()
	var out [][]string
	r := NewReader(data)
	for {
		argv, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("reading %q: %v", data, err)
		}
		cmd := make([]string, len(argv))
		for i, a := range argv {
			cmd[i] = string(a)
		}
		out = append(out, cmd)
	}
}

// normalize turns the commands of a hash-table encoded value into a
// comparable form: each command's name, key and argument count in order,
// and the sorted items (width arguments each) over all commands.
func normalize(cmds [][]string, width int) (heads, items []string) {
	for _, c := range cmds {
		switch c[0] {
		case "SADD", "ZADD", "HMSET":
			heads = append(heads, fmt.Sprintf("%s %q %d", c[0], c[1], len(c)))
			for i := 2; i+width <= len(c); i += width {
				items = append(items, strings.Join(c[i:i+width], "\x00"))
			}
		default:
			heads = append(heads, fmt.Sprintf("%q", c))
		}
	}
	slices.Sort(items)
	return heads, items
}

// batches returns the commands name key items... that Redis writes for
// items (width arguments each), RewriteItemsPerCmd items per command.
func batches(name, key string, items []string, width int) [][]string {
	var out [][]string
	per := RewriteItemsPerCmd * width
	for i := 0; i < len(items); i += per {
		out = append(out, cmd(name, key, items[i:min(i+per, len(items))]))
	}
	return out
}

func TestRewriteRecord(t *testing.T) {
	list130 := seq(130, func(i int) string {
		if i%2 == 0 {
			return strconv.Itoa(i*1000 - 70000)
		}
		return "e" + strconv.Itoa(i)
	})
	intset65 := seq(65, func(i int) string { return strconv.Itoa(i - 32) })
	hash70 := seq(140, func(i int) string { return strconv.Itoa(i) })
	setOf := func(ms ...string) *types.Set { return types.SetFromMembers(bytesOf(ms), testMaxIntset) }
	tests := []struct {
		name  string
		e     *keyspace.Entry
		want  [][]string
		width int // > 0: compare normalized (hash-table order)
	}{
		{name: "string", e: strEntry("k", "v", keyspace.EncEmbstr, 0), want: [][]string{{"SET", "k", "v"}}},
		{name: "int string with ttl", e: strEntry("k", "-5", keyspace.EncInt, 1700000000123),
			want: [][]string{{"SET", "k", "-5"}, {"PEXPIREAT", "k", "1700000000123"}}},
		{name: "past ttl still written", e: strEntry("k", "v", keyspace.EncEmbstr, 1),
			want: [][]string{{"SET", "k", "v"}, {"PEXPIREAT", "k", "1"}}},
		{name: "binary key and value", e: strEntry("a\r\n$1", "\x00\r\n", keyspace.EncRaw, 0),
			want: [][]string{{"SET", "a\r\n$1", "\x00\r\n"}}},
		{name: "list in batches of 64",
			e:    &keyspace.Entry{Key: "l", Type: keyspace.TypeList, Obj: types.ListFromValues(bytesOf(list130), testListFill)},
			want: batches("RPUSH", "l", list130, 1)},
		{name: "list of exactly 64",
			e:    &keyspace.Entry{Key: "l", Type: keyspace.TypeList, Obj: types.ListFromValues(bytesOf(list130[:64]), testListFill)},
			want: [][]string{cmd("RPUSH", "l", list130[:64])}},
		{name: "intset ascending",
			e:    &keyspace.Entry{Key: "s", Type: keyspace.TypeSet, Obj: setOf(reversed(intset65)...)},
			want: batches("SADD", "s", intset65, 1)},
		{name: "hash-table set",
			e:     &keyspace.Entry{Key: "s", Type: keyspace.TypeSet, Obj: setOf("b", "a", "c")},
			want:  [][]string{{"SADD", "s", "a", "b", "c"}},
			width: 1},
		{name: "listpack zset, scores as %.17g",
			e: &keyspace.Entry{Key: "z", Type: keyspace.TypeZSet, Obj: buildZSet([]string{
				"0.1", "a", "inf", "b", "-inf", "c", "1e20", "d", "3e-5", "e", "-0", "f", "5", "7"})},
			want: [][]string{{"ZADD", "z", "-inf", "c", "0", "f", "3.0000000000000001e-05", "e",
				"0.10000000000000001", "a", "5", "7", "1e+20", "d", "inf", "b"}}},
		{name: "skiplist zset keeps -0",
			e: func() *keyspace.Entry {
				z := types.NewZSetSkiplist(3)
				z.Add([]byte("x"), 2.5, 0, testZSetLimits)
				z.Add([]byte("y"), -1, 0, testZSetLimits)
				z.Add([]byte("n"), math.Copysign(0, -1), 0, testZSetLimits)
				return &keyspace.Entry{Key: "z", Type: keyspace.TypeZSet, Obj: z, Expire: 99}
			}(),
			want:  [][]string{{"ZADD", "z", "2.5", "x", "-1", "y", "-0", "n"}, {"PEXPIREAT", "z", "99"}},
			width: 2},
		{name: "listpack hash in insertion order",
			e:    &keyspace.Entry{Key: "h", Type: keyspace.TypeHash, Obj: buildHash([]string{"z", "1", "a", "", "m", "x"})},
			want: [][]string{{"HMSET", "h", "z", "1", "a", "", "m", "x"}}},
		{name: "hash-table hash in batches of 64 pairs",
			e:     &keyspace.Entry{Key: "h", Type: keyspace.TypeHash, Obj: buildHash(hash70)},
			want:  batches("HMSET", "h", hash70, 2),
			width: 2},
		{name: "stream with groups",
			e: &keyspace.Entry{Key: "x", Type: keyspace.TypeStream, Obj: buildStream()},
			want: [][]string{
				{"XADD", "x", "1-1", "a", "1", "b", "2"},
				{"XADD", "x", "1-2", "a", "3", "b", "4"},
				{"XADD", "x", "3-0", "a", "x", "b", "y"},
				{"XSETID", "x", "3-0", "ENTRIESADDED", "4", "MAXDELETEDID", "2-0"},
				{"XGROUP", "CREATE", "x", "g0", "3-0", "ENTRIESREAD", "-1"},
				{"XGROUP", "CREATECONSUMER", "x", "g0", "dave"},
				{"XGROUP", "CREATE", "x", "g1", "1-2", "ENTRIESREAD", "2"},
				{"XCLAIM", "x", "g1", "alice", "0", "1-1", "TIME", "1700000000000", "RETRYCOUNT", "3", "JUSTID", "FORCE"},
				{"XCLAIM", "x", "g1", "alice", "0", "3-0", "TIME", "1700000000500", "RETRYCOUNT", "1", "JUSTID", "FORCE"},
				{"XCLAIM", "x", "g1", "bob", "0", "1-2", "TIME", "1700000001000", "RETRYCOUNT", "7", "JUSTID", "FORCE"},
				{"XGROUP", "CREATECONSUMER", "x", "g1", "carol"},
			}},
		{name: "empty stream",
			e: func() *keyspace.Entry {
				s := types.NewStream()
				s.LastID, s.EntriesAdded, s.MaxDeletedID = sid(9, 1), 3, sid(9, 0)
				return &keyspace.Entry{Key: "x", Type: keyspace.TypeStream, Obj: s, Expire: 5}
			}(),
			want: [][]string{
				{"XADD", "x", "MAXLEN", "0", "0-1", "x", "y"},
				{"XSETID", "x", "9-1", "ENTRIESADDED", "3", "MAXDELETEDID", "9-0"},
				{"PEXPIREAT", "x", "5"},
			}},
	}
	enc := NewRewriteEncoder()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := []byte("prefix")
			out, err := enc.Record(bytes.Clone(prefix), tt.e)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(out, prefix) {
				t.Fatalf("Record clobbered dst: %q", out)
			}
			got := readCommands(t, out[len(prefix):])
			if tt.width == 0 {
				if !slices.EqualFunc(got, tt.want, slices.Equal) {
					t.Fatalf("got\n%q\nwant\n%q", got, tt.want)
				}
				return
			}
			gh, gi := normalize(got, tt.width)
			wh, wi := normalize(tt.want, tt.width)
			if !slices.Equal(gh, wh) || !slices.Equal(gi, wi) {
				t.Fatalf("got\n%q\nwant (any order)\n%q", got, tt.want)
			}
		})
	}
}

func TestRewriteHeaderAndSelect(t *testing.T) {
	enc := NewRewriteEncoder()
	if got := enc.Header([]byte("x")); string(got) != "x" {
		t.Fatalf("Header = %q", got)
	}
	for _, db := range []int{0, 9, 15, 1234} {
		got := enc.SelectDB(nil, db, 10, 2)
		want := "*2\r\n$6\r\nSELECT\r\n$" + strconv.Itoa(len(strconv.Itoa(db))) + "\r\n" + strconv.Itoa(db) + "\r\n"
		if string(got) != want {
			t.Fatalf("SelectDB(%d) = %q, want %q", db, got, want)
		}
	}
}

func TestRewriteRecordErrors(t *testing.T) {
	tests := []struct {
		name string
		e    *keyspace.Entry
	}{
		{name: "type and value disagree", e: &keyspace.Entry{Key: "k", Type: keyspace.TypeList, Obj: types.NewSet()}},
		{name: "nil value", e: &keyspace.Entry{Key: "k", Type: keyspace.TypeHash}},
		{name: "unknown type", e: &keyspace.Entry{Key: "k", Type: 200, Obj: types.NewList()}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := NewRewriteEncoder().Record([]byte("kept"), tt.e)
			if !errors.Is(err, ErrUnsupportedValue) {
				t.Fatalf("err = %v, want ErrUnsupportedValue", err)
			}
			if string(out) != "kept" {
				t.Fatalf("dst = %q, want it unchanged", out)
			}
		})
	}
}

func TestFormatG17(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{1, "1"},
		{-2.5, "-2.5"},
		{0.1, "0.10000000000000001"},
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{123456789012345678, "1.2345678901234568e+17"},
		{1e-4, "0.0001"},
		{1e-5, "1.0000000000000001e-05"},
		{5e-324, "4.9406564584124654e-324"},
		{math.MaxFloat64, "1.7976931348623157e+308"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
	}
	for _, tt := range tests {
		if got := string(formatG17(nil, tt.f)); got != tt.want {
			t.Errorf("formatG17(%v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestRewriteRecordAllocs(t *testing.T) {
	enc := NewRewriteEncoder()
	for _, k := range rewriteKeys() {
		e := k.build()
		dst, err := enc.Record(nil, e)
		if err != nil {
			t.Fatal(err)
		}
		allocs := testing.AllocsPerRun(20, func() {
			dst, _ = enc.Record(dst[:0], e)
		})
		if allocs != 0 {
			t.Errorf("Record(%q) allocates %v times", k.key, allocs)
		}
	}
}

// keyOf returns the key a rewrite command is about.
func keyOf(c []string) string {
	if c[0] == "XGROUP" {
		return c[2]
	}
	return c[1]
}

// splitBase cuts a command-form base file into the commands of each key,
// raw bytes, by "db/key".
func splitBase(t *testing.T, data []byte) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	r := NewReader(data)
	db, prev := "", 0
	for {
		argv, err := r.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("base file: %v", err)
		}
		raw := data[prev:r.ValidLen()]
		prev = r.ValidLen()
		c := readCommands(t, raw)[0]
		if string(argv[0]) == "SELECT" {
			db = c[1]
			continue
		}
		id := db + "/" + keyOf(c)
		out[id] = append(out[id], raw...)
	}
}

// encodeKeys encodes keys as a whole base file, database by database.
func encodeKeys(t *testing.T, keys []rewriteKey) []byte {
	t.Helper()
	enc := NewRewriteEncoder()
	out := enc.Header(nil)
	byDB := map[int][]rewriteKey{}
	var dbs []int
	for _, k := range keys {
		if _, ok := byDB[k.db]; !ok {
			dbs = append(dbs, k.db)
		}
		byDB[k.db] = append(byDB[k.db], k)
	}
	slices.Sort(dbs)
	for _, db := range dbs {
		out = enc.SelectDB(out, db, uint64(len(byDB[db])), 0)
		for _, k := range byDB[db] {
			var err error
			if out, err = enc.Record(out, k.build()); err != nil {
				t.Fatal(err)
			}
		}
	}
	return out
}

func loadRedis(t *testing.T, c *testutil.Conn, keys []rewriteKey) {
	t.Helper()
	for _, k := range keys {
		mustDo(t, c, "+OK\r\n", "SELECT", strconv.Itoa(k.db))
		for _, args := range k.redis {
			if r := c.Do(args...); r[0] == '-' {
				t.Fatalf("%q: %q", args, r)
			}
		}
	}
}

// TestRewriteAgainstRedis loads the same dataset into redis-server and into
// Shoal's types, and compares Redis's rewritten base file with ours key by
// key: byte for byte where Redis's order is fixed, as sets where it walks
// a hash table.
func TestRewriteAgainstRedis(t *testing.T) {
	dir := t.TempDir()
	c := startRedis(t, dir, "--aof-use-rdb-preamble", "no")
	keys := rewriteKeys()
	loadRedis(t, c, keys)
	mustDo(t, c, "+OK\r\n", "CONFIG", "SET", "appendonly", "yes")
	waitRewrite(t, c)

	aofDir := filepath.Join(dir, "appendonlydir")
	man, err := os.ReadFile(filepath.Join(aofDir, ManifestName("appendonly.aof")))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(man)
	if err != nil {
		t.Fatal(err)
	}
	base, err := os.ReadFile(filepath.Join(aofDir, m.Base.Name))
	if err != nil {
		t.Fatal(err)
	}
	theirs := splitBase(t, base)
	ours := splitBase(t, encodeKeys(t, keys))
	if len(theirs) != len(keys) || len(ours) != len(keys) {
		t.Fatalf("keys: redis wrote %d, we wrote %d, want %d", len(theirs), len(ours), len(keys))
	}
	for _, k := range keys {
		id := strconv.Itoa(k.db) + "/" + k.key
		got, want := ours[id], theirs[id]
		if k.ordered {
			if !bytes.Equal(got, want) {
				t.Errorf("%s: we wrote\n%q\nredis wrote\n%q", id, got, want)
			}
			continue
		}
		gh, gi := normalize(readCommands(t, got), k.width)
		wh, wi := normalize(readCommands(t, want), k.width)
		if !slices.Equal(gh, wh) || !slices.Equal(gi, wi) {
			t.Errorf("%s: we wrote\n%q %q\nredis wrote\n%q %q", id, gh, gi, wh, wi)
		}
	}
}

// seenTime masks consumers' seen-time in XINFO STREAM FULL: a replayed
// consumer is seen when it is recreated.
var seenTime = regexp.MustCompile(`(\$9\r\nseen-time\r\n):\d+\r\n`)

// TestRewriteReplayInRedis feeds our base file to redis-server and checks
// that every key comes back as the original Redis holds it.
func TestRewriteReplayInRedis(t *testing.T) {
	keys := rewriteKeys()
	orig := startRedis(t, t.TempDir(), "--enable-debug-command", "yes")
	loadRedis(t, orig, keys)
	replay := startRedis(t, t.TempDir(), "--enable-debug-command", "yes")

	data := encodeKeys(t, keys)
	n := len(readCommands(t, data))
	replay.DoRawSend(data)
	for range n {
		if r := replay.ReadReply(); r[0] == '-' {
			t.Fatalf("replaying our base file: %q", r)
		}
	}
	for _, c := range []*testutil.Conn{orig, replay} {
		if r := string(c.Do("INFO", "keyspace")); !strings.Contains(r, "db0:keys=15,") || !strings.Contains(r, "db3:keys=1,") {
			t.Fatalf("INFO keyspace = %q", r)
		}
	}
	for _, k := range keys {
		queries := [][]string{
			{"TYPE", k.key},
			{"OBJECT", "ENCODING", k.key},
			{"PEXPIRETIME", k.key},
			{"DEBUG", "DIGEST-VALUE", k.key},
		}
		if k.build().Type == keyspace.TypeStream {
			queries = append(queries, []string{"XINFO", "STREAM", k.key, "FULL"})
		}
		for _, c := range []*testutil.Conn{orig, replay} {
			mustDo(t, c, "+OK\r\n", "SELECT", strconv.Itoa(k.db))
		}
		for _, q := range queries {
			want := seenTime.ReplaceAll(orig.Do(q...), []byte("${1}:0\r\n"))
			got := seenTime.ReplaceAll(replay.Do(q...), []byte("${1}:0\r\n"))
			if !bytes.Equal(got, want) {
				t.Errorf("%q: replayed %q, original %q", q, got, want)
			}
		}
	}
}
