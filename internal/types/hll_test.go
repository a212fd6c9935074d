package types

import (
	"bytes"
	"encoding/binary"
	"math/rand"
	"strconv"
	"testing"

	"shoal/internal/testutil"
)

// hllHeader builds a header: encoding and the eight cardinality bytes.
func hllHeader(enc byte, card string) string {
	return "HYLL" + string([]byte{enc, 0, 0, 0}) + card
}

const (
	hllValidCard = "\x00\x00\x00\x00\x00\x00\x00\x00"
	hllStaleCard = "\x00\x00\x00\x00\x00\x00\x00\x80"
)

// hllBuild adds every element to a fresh HLL.
func hllBuild(t testing.TB, sparseMax int, elems ...string) []byte {
	t.Helper()
	b := NewHLL()
	for _, e := range elems {
		var ok bool
		if b, _, ok = HLLAdd(b, []byte(e), sparseMax); !ok {
			t.Fatalf("HLLAdd(%q) reports corruption", e)
		}
	}
	return b
}

func TestHLLExactBytes(t *testing.T) {
	// Values recorded from redis-server 7.0.15 (PFADD then GET).
	tests := []struct {
		name  string
		elems []string
		want  string
	}{
		{"empty", nil, hllHeader(1, hllValidCard) + "\x7f\xff"},
		{"abc", []string{"a", "b", "c"},
			hllHeader(1, hllStaleCard) + "\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := hllBuild(t, 3000, tc.elems...)
			if string(got) != tc.want {
				t.Errorf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestHLLPatLen(t *testing.T) {
	// PFDEBUG DECODE of "a", "b", "c" in redis-server 7.0.15 gives
	// Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603.
	want := map[[2]int]bool{{8436, 1}: true, {12711, 2}: true, {15780, 1}: true}
	for _, s := range []string{"a", "b", "c"} {
		idx, cnt := HLLPatLen([]byte(s))
		if !want[[2]int{idx, int(cnt)}] {
			t.Errorf("HLLPatLen(%q) = %d,%d, not in %v", s, idx, cnt, want)
		}
		delete(want, [2]int{idx, int(cnt)})
	}
}

func TestHLLValid(t *testing.T) {
	dense, _ := HLLToDense(NewHLL())
	tests := []struct {
		name string
		b    string
		want bool
	}{
		{"new", string(NewHLL()), true},
		{"dense", string(dense), true},
		{"short", "HYLL", false},
		{"magic", "HYLX" + string(NewHLL()[4:]), false},
		{"encoding", "HYLL\x02" + string(NewHLL()[5:]), false},
		{"dense wrong length", hllHeader(0, hllValidCard) + "\x7f\xff", false},
		{"header only sparse", hllHeader(1, hllValidCard), true},
	}
	for _, tc := range tests {
		if got := HLLValid([]byte(tc.b)); got != tc.want {
			t.Errorf("%s: HLLValid = %v want %v", tc.name, got, tc.want)
		}
	}
}

func TestHLLCorruptSparse(t *testing.T) {
	tests := []struct {
		name string
		ops  string
	}{
		{"too short", "\x7f\xfe"},
		{"tail garbage", "\x7f\xff" + "hello"},
		{"no opcodes", ""},
		{"val overflow", "\x7f\xfe\x83"},
		{"truncated xzero", "\x7f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := []byte(hllHeader(1, hllStaleCard) + tc.ops)
			if _, ok := HLLCount(b); ok {
				t.Error("HLLCount accepted a corrupt value")
			}
			var regs [HLLRegisters]uint8
			if HLLMergeInto(&regs, b) {
				t.Error("HLLMergeInto accepted a corrupt value")
			}
			if _, ok := HLLToDense(b); ok {
				t.Error("HLLToDense accepted a corrupt value")
			}
		})
	}
}

func TestHLLDecode(t *testing.T) {
	b := hllBuild(t, 3000, "a", "b", "c")
	got := string(HLLAppendDecode(nil, b))
	if want := "Z:8436 v:1,1 Z:4274 v:2,1 Z:3068 v:1,1 Z:603"; got != want {
		t.Errorf("decode = %q want %q", got, want)
	}
}

// TestHLLSparseDenseAgree feeds the same elements to sparse HLLs under
// several hll-sparse-max-bytes values and to a dense one: registers and
// estimates must agree, the sparse value must never exceed its limit, and
// the cache must be stale after a change.
func TestHLLSparseDenseAgree(t *testing.T) {
	for _, limit := range []int{0, 30, 100, 500, 3000, 20000} {
		t.Run(strconv.Itoa(limit), func(t *testing.T) {
			rng := rand.New(rand.NewSource(int64(limit) + 1))
			sparse := NewHLL()
			dense, _ := HLLToDense(NewHLL())
			for n := 0; n < 5000; n++ {
				ele := strconv.Itoa(rng.Intn(1 << 30))
				var c1, c2, ok bool
				sparse, c1, ok = HLLAdd(sparse, []byte(ele), limit)
				if !ok {
					t.Fatal("corrupt")
				}
				dense, c2, _ = HLLAdd(dense, []byte(ele), limit)
				if c1 != c2 {
					t.Fatalf("add %d: changed sparse=%v dense=%v", n, c1, c2)
				}
				if HLLIsSparse(sparse) && len(sparse) > max(limit, hllNewLen) {
					t.Fatalf("sparse length %d over limit %d", len(sparse), limit)
				}
				if c1 && HLLIsSparse(sparse) {
					if _, valid := HLLCachedCard(sparse); valid {
						t.Fatal("cache still valid after a change")
					}
				}
				if n%97 == 0 {
					a, okA := HLLCount(sparse)
					b, _ := HLLCount(dense)
					if !okA || a != b {
						t.Fatalf("count sparse %d (ok %v) dense %d", a, okA, b)
					}
				}
			}
			var r1, r2 [HLLRegisters]uint8
			if !HLLMergeInto(&r1, sparse) || !HLLMergeInto(&r2, dense) || r1 != r2 {
				t.Fatal("registers differ")
			}
			d, ok := HLLToDense(sparse)
			if !ok || !bytes.Equal(d[HLLHeaderSize:], dense[HLLHeaderSize:]) {
				t.Fatal("converted sparse differs from dense")
			}
			if HLLCountRegisters(&r1) != mustCount(t, dense) {
				t.Fatal("register count differs from dense count")
			}
		})
	}
}

func mustCount(t testing.TB, b []byte) uint64 {
	t.Helper()
	c, ok := HLLCount(b)
	if !ok {
		t.Fatal("corrupt")
	}
	return c
}

func TestHLLDenseRegisters(t *testing.T) {
	b, _ := HLLToDense(NewHLL())
	rng := rand.New(rand.NewSource(7))
	var want [HLLRegisters]uint8
	for i := range want {
		want[i] = uint8(rng.Intn(64))
		hllDenseWrite(b[HLLHeaderSize:], i, want[i])
	}
	var got [HLLRegisters]uint8
	HLLRegisterValues(b, &got)
	if got != want {
		t.Fatal("registers read back differ")
	}
	if len(b) != HLLDenseSize {
		t.Fatalf("dense length %d", len(b))
	}
}

func TestHLLCache(t *testing.T) {
	b := NewHLL()
	if c, ok := HLLCachedCard(b); !ok || c != 0 {
		t.Fatalf("new: cache %d %v", c, ok)
	}
	HLLInvalidateCache(b)
	if _, ok := HLLCachedCard(b); ok {
		t.Fatal("cache valid after invalidation")
	}
	HLLSetCachedCard(b, 0x0102030405060708)
	if c, ok := HLLCachedCard(b); !ok || c != 0x0102030405060708 {
		t.Fatalf("cache %x %v", c, ok)
	}
	if got := binary.LittleEndian.Uint64(b[8:16]); got != 0x0102030405060708 {
		t.Fatalf("stored little endian: %x", got)
	}
}

func TestHLLSelfTest(t *testing.T) {
	if !HLLSelfTest() {
		t.Fatal("self test failed")
	}
}

func TestHLLAddAllocs(t *testing.T) {
	b, _ := HLLToDense(NewHLL())
	ele := []byte("element")
	if n := testing.AllocsPerRun(100, func() { b, _, _ = HLLAdd(b, ele, 3000) }); n != 0 {
		t.Errorf("dense HLLAdd allocates %v times", n)
	}
}

// hllRedisValue returns GET key from a live server.
func hllRedisValue(t *testing.T, c *testutil.Conn, key string) []byte {
	t.Helper()
	r := c.Do("GET", key)
	nl := bytes.Index(r, []byte("\r\n"))
	n, err := strconv.Atoi(string(r[1:max(nl, 1)]))
	if r[0] != '$' || err != nil || nl+2+n+2 != len(r) {
		t.Fatalf("GET %s: %q", key, r)
	}
	return r[nl+2 : nl+2+n]
}

// TestHLLAgainstRedis builds HLLs from random element sets here and in a
// live redis-server and compares the exact bytes of GET and the PFCOUNT
// results, sparse and dense, under several hll-sparse-max-bytes values,
// plus PFCOUNT of unions and the bytes PFMERGE produces.
func TestHLLAgainstRedis(t *testing.T) {
	addr, ok := testutil.StartRedis(t)
	if !ok {
		t.Skip("redis-server not on PATH")
	}
	c := testutil.Dial(t, addr)
	defer c.Close()
	sizes := []int{0, 1, 3, 10, 100, 300, 1000, 5000, 50000, 200000}
	if testing.Short() {
		sizes = sizes[:8]
	}
	rng := rand.New(rand.NewSource(20240601))
	for _, limit := range []int{3000, 100, 500, 10000} {
		c.Do("CONFIG", "SET", "hll-sparse-max-bytes", strconv.Itoa(limit))
		var keys []string
		var mine [][]byte
		for i, size := range sizes {
			key := "h" + strconv.Itoa(limit) + ":" + strconv.Itoa(i)
			b := NewHLL()
			args := []string{"PFADD", key}
			for j := 0; j < size; j++ {
				ele := strconv.FormatUint(rng.Uint64()>>uint(rng.Intn(64)), 36)
				if rng.Intn(10) == 0 {
					ele = strconv.Itoa(rng.Intn(100))
				}
				var ok bool
				if b, _, ok = HLLAdd(b, []byte(ele), limit); !ok {
					t.Fatal("corrupt")
				}
				args = append(args, ele)
				if len(args) == 502 || j == size-1 {
					c.Do(args...)
					args = args[:2]
				}
			}
			if size == 0 {
				c.Do(args...)
				HLLInvalidateCache(b)
			}
			if got := hllRedisValue(t, c, key); !bytes.Equal(got, b) {
				t.Fatalf("limit %d size %d: GET differs (len redis %d, ours %d)", limit, size, len(got), len(b))
			}
			card, ok := HLLCount(b)
			if !ok {
				t.Fatal("corrupt")
			}
			if want := string(c.Do("PFCOUNT", key)); want != ":"+strconv.FormatUint(card, 10)+"\r\n" {
				t.Fatalf("limit %d size %d: PFCOUNT redis %q ours %d", limit, size, want, card)
			}
			keys = append(keys, key)
			mine = append(mine, b)
		}
		// Unions of neighbours, as PFCOUNT k1 k2 and PFMERGE compute them.
		for i := 0; i+1 < len(keys); i++ {
			var regs [HLLRegisters]uint8
			HLLMergeInto(&regs, mine[i])
			HLLMergeInto(&regs, mine[i+1])
			want := ":" + strconv.FormatUint(HLLCountRegisters(&regs), 10) + "\r\n"
			if got := string(c.Do("PFCOUNT", keys[i], keys[i+1])); got != want {
				t.Fatalf("PFCOUNT %s %s: redis %q ours %q", keys[i], keys[i+1], got, want)
			}
			dest := "m" + keys[i]
			c.Do("PFMERGE", dest, keys[i], keys[i+1])
			m := NewHLL()
			if !HLLIsSparse(mine[i]) || !HLLIsSparse(mine[i+1]) {
				m, _ = HLLToDense(m)
			}
			for r, v := range &regs {
				if v != 0 {
					m, _, _ = HLLSetRegister(m, r, v, limit)
				}
			}
			HLLInvalidateCache(m)
			if got := hllRedisValue(t, c, dest); !bytes.Equal(got, m) {
				t.Fatalf("PFMERGE %s %s: bytes differ (len redis %d, ours %d)", keys[i], keys[i+1], len(got), len(m))
			}
		}
	}
}
