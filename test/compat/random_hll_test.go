package compat

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomHLL sends a seeded random stream of HyperLogLog commands to
// both servers and compares every reply, GET included, so the exact sparse
// opcodes, the promotion to dense under changing hll-sparse-max-bytes and
// the cached cardinality must all match Redis byte for byte.
func TestRandomHLL(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &hllGen{rnd: rand.New(rand.NewPCG(seed, seed^0x5bd1e9955bd1e995)), corrupt: map[string]bool{}}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	var wbuf []byte
	for i := range *opsFlag {
		args := g.next()
		wbuf = testutil.AppendCommand(wbuf[:0], args...)
		want, got := rc.DoRaw(wbuf), sc.DoRaw(wbuf)
		if !bytes.Equal(want, got) {
			if len(want) > 200 || len(got) > 200 {
				t.Fatalf("seed %d, op %d: %q: replies differ (lengths %d and %d)", seed, i, args[:min(len(args), 4)], len(want), len(got))
			}
			t.Fatalf("seed %d, op %d: %q\n  redis: %s\n  shoal: %s", seed, i, args[:min(len(args), 4)],
				strconv.Quote(string(want)), strconv.Quote(string(got)))
		}
	}
}

// hllGen draws random HLL commands over a few keys.
type hllGen struct {
	rnd *rand.Rand
	// corrupt holds the keys a SETRANGE may have corrupted: they are only
	// read until deleted. Writing into a sparse value whose last opcode is
	// a truncated XZERO makes Redis keep a byte past the end of its sds
	// and read it back later; Shoal does not model that memory.
	corrupt map[string]bool
}

var hllKeys = []string{"h1", "h2", "h3", "h4", "h5", "str"}

func (g *hllGen) key() string { return hllKeys[g.rnd.IntN(len(hllKeys))] }

// elem draws an element from pools of different sizes, so that repeats
// (no register change) are common as well as fresh values.
func (g *hllGen) elem() string {
	switch g.rnd.IntN(3) {
	case 0:
		return strconv.Itoa(g.rnd.IntN(50))
	case 1:
		return "e" + strconv.Itoa(g.rnd.IntN(5000))
	}
	return strconv.FormatUint(g.rnd.Uint64(), 36)
}

func (g *hllGen) next() []string {
	switch n := g.rnd.IntN(100); {
	case n < 40:
		key := g.key()
		if g.corrupt[key] {
			return []string{"PFCOUNT", key}
		}
		args := []string{"PFADD", key}
		count := g.rnd.IntN(4)
		if g.rnd.IntN(10) == 0 {
			count = 100 + g.rnd.IntN(400)
		}
		for range count {
			args = append(args, g.elem())
		}
		return args
	case n < 55:
		args := []string{"PFCOUNT", g.key()}
		for range g.rnd.IntN(3) {
			args = append(args, g.key())
		}
		return args
	case n < 65:
		dest := g.key()
		if g.corrupt[dest] {
			return []string{"GET", dest}
		}
		args := []string{"PFMERGE", dest}
		for range g.rnd.IntN(4) {
			args = append(args, g.key())
		}
		return args
	case n < 80:
		return []string{"GET", g.key()}
	case n < 85:
		sub := []string{"ENCODING", "DECODE", "TODENSE", "GETREG"}[g.rnd.IntN(4)]
		return []string{"PFDEBUG", sub, g.key()}
	case n < 89:
		limit := []string{"0", "40", "100", "300", "1000", "3000", "8000"}[g.rnd.IntN(7)]
		return []string{"CONFIG", "SET", "hll-sparse-max-bytes", limit}
	case n < 92:
		key := g.key()
		delete(g.corrupt, key)
		return []string{"DEL", key}
	case n < 94:
		return []string{"SET", "str", g.elem()}
	case n < 96:
		// Corrupt a value: a random byte somewhere in the first 40.
		key := g.key()
		g.corrupt[key] = true
		off := strconv.Itoa(g.rnd.IntN(40))
		return []string{"SETRANGE", key, off, string([]byte{byte(g.rnd.IntN(256))})}
	case n < 98:
		return []string{"GETRANGE", g.key(), "8", "15"}
	}
	return []string{"STRLEN", g.key()}
}
