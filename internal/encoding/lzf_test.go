package encoding

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"os"
	"strings"
	"testing"
)

func readHex(t testing.TB, name string) []byte {
	t.Helper()
	h, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.TrimSpace(string(h)))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLZFRedisPayloads decompresses strings Redis compressed in DUMP
// payloads and checks LZFCompress reproduces Redis's bytes exactly.
func TestLZFRedisPayloads(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"lzf200a", strings.Repeat("a", 200)},
		{"lzf2", strings.Repeat("abcdefghij", 30) + strings.Repeat("xyz", 100)},
	}
	for _, tt := range tests {
		p, _ := hex.DecodeString(dumpPayloads[tt.name])
		got, comp, _ := rdbString(t, p, 1)
		if string(got) != tt.want {
			t.Errorf("%s: decompressed %q", tt.name, got)
		}
		if c := LZFCompress(nil, []byte(tt.want)); !bytes.Equal(c, comp) {
			t.Errorf("%s: compressed\n%x, redis wrote\n%x", tt.name, c, comp)
		}
	}
}

// TestLZFQuicklistNode checks a quicklist node Redis compressed in a DUMP.
func TestLZFQuicklistNode(t *testing.T) {
	p := readHex(t, "dump-list-quicklist.hex")
	if p[0] != 18 {
		t.Fatalf("type %d", p[0])
	}
	nodes, q, _ := rdbLen(t, p, 1)
	if nodes != 1 {
		t.Fatalf("nodes %d", nodes)
	}
	_, q, _ = rdbLen(t, p, q) // container: packed
	lp, comp, _ := rdbString(t, p, q)
	if err := LPValidate(lp); err != nil {
		t.Fatal(err)
	}
	want := listElems()[:26]
	checkLP(t, lp, want)
	if c := LZFCompress(nil, lp); !bytes.Equal(c, comp) {
		t.Errorf("compressed listpack differs from redis:\n%x\n%x", c, comp)
	}
}

func TestLZFRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	inputs := [][]byte{
		[]byte("hello"),
		[]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
		bytes.Repeat([]byte("0123456789"), 1000),
		bytes.Repeat([]byte{0}, 100000),
	}
	for range 200 {
		n := r.IntN(20000)
		b := make([]byte, n)
		alpha := 1 + r.IntN(255)
		for i := range b {
			b[i] = byte(r.IntN(alpha))
		}
		inputs = append(inputs, b)
	}
	for _, in := range inputs {
		c := LZFCompress([]byte("pre"), in)
		if c == nil {
			continue
		}
		if string(c[:3]) != "pre" || len(c)-3 > len(in)-4 {
			t.Fatalf("bad output framing for len %d", len(in))
		}
		out, err := LZFDecompress([]byte("x"), c[3:], len(in))
		if err != nil {
			t.Fatalf("len %d: %v", len(in), err)
		}
		if !bytes.Equal(out[1:], in) || out[0] != 'x' {
			t.Fatalf("round trip mismatch len %d", len(in))
		}
	}
	if LZFCompress(nil, []byte("abcd")) != nil {
		t.Error("4-byte input must not compress")
	}
	if LZFCompress(nil, []byte("abcdefghijklmnopqrstuvwxyz")) != nil {
		t.Error("incompressible input must return nil")
	}
}

func TestLZFDecompressErrors(t *testing.T) {
	tests := []struct {
		name string
		src  []byte
		n    int
	}{
		{"truncated literal", []byte{5, 'a'}, 6},
		{"back ref before start", []byte{0, 'a', 0x20, 5}, 4},
		{"missing offset", []byte{0, 'a', 0x20}, 4},
		{"missing long length", []byte{0, 'a', 0xE0}, 12},
		{"too short output", []byte{2, 'a', 'b', 'c'}, 2},
		{"too long output", []byte{2, 'a', 'b', 'c'}, 4},
		{"impossible ratio", []byte{0, 'a'}, 1000},
		{"negative", []byte{0, 'a'}, -1},
	}
	for _, tt := range tests {
		if _, err := LZFDecompress(nil, tt.src, tt.n); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
}

func FuzzLZFDecompress(f *testing.F) {
	for _, name := range []string{"lzf200a", "lzf2"} {
		p, _ := hex.DecodeString(dumpPayloads[name])
		f.Add(p[4:], 200)
	}
	f.Add([]byte{0, 'a', 0xE0, 0xFF, 0}, 265)
	f.Fuzz(func(t *testing.T, src []byte, n int) {
		out, err := LZFDecompress(nil, src, n)
		if err != nil {
			return
		}
		if len(out) != n || n > len(src)*lzfMaxRatio {
			t.Fatalf("len %d for n %d", len(out), n)
		}
		if c := LZFCompress(nil, out); c != nil {
			back, err := LZFDecompress(nil, c, n)
			if err != nil || !bytes.Equal(back, out) {
				t.Fatal("recompress round trip failed")
			}
		}
	})
}

// TestLZFRunsToTheEnd covers matches that reach the last byte of the input
// (liblzf's unrolled comparison), e.g. 21 × "a" → 01 61 61 e0 0a 00.
func TestLZFRunsToTheEnd(t *testing.T) {
	if got := LZFCompress(nil, bytes.Repeat([]byte("a"), 21)); !bytes.Equal(got, []byte{0x01, 0x61, 0x61, 0xe0, 0x0a, 0x00}) {
		t.Fatalf("21 x a = % x", got)
	}
	for n := 1; n < 600; n++ {
		for _, src := range [][]byte{bytes.Repeat([]byte("a"), n), bytes.Repeat([]byte("abc"), n)} {
			c := LZFCompress(nil, src)
			if c == nil {
				continue
			}
			back, err := LZFDecompress(nil, c, len(src))
			if err != nil || !bytes.Equal(back, src) {
				t.Fatalf("len %d: round trip failed: %v", len(src), err)
			}
		}
	}
}
