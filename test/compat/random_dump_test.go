package compat

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomDump builds seeded random values of every type (small and
// large, so that every encoding appears: listpack, intset, hashtable,
// skiplist, multi-node quicklists, streams with groups and PELs) on one
// server, DUMPs them, RESTOREs the payload on the other server and
// compares the contents and encodings, in both directions. Hash tables
// order their elements differently in each server, so contents are
// compared, not payload bytes.
func TestRandomDump(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &dumpGen{rnd: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	rounds := max(*opsFlag/50, 20)
	for i := range rounds {
		build, reads := g.value()
		// Built the same way on both servers, a value whose layout does
		// not depend on hash table order or on the clock DUMPs to the same
		// bytes.
		var payloads [2][]byte
		for j, c := range [2]*testutil.Conn{rc, sc} {
			c.Do("DEL", "src")
			for _, cmd := range build {
				c.Do(cmd...)
			}
			payloads[j], _ = dumpBulk(c.Do("DUMP", "src"))
		}
		enc := string(rc.Do("OBJECT", "ENCODING", "src"))
		if !strings.Contains(enc, "hashtable") && !g.clocked && !bytes.Equal(payloads[0], payloads[1]) {
			d := dumpDiffAt(payloads[0], payloads[1])
			t.Fatalf("seed %d round %d: DUMP of %q (%s) differs at byte %d of %d\n  redis: %q\n  shoal: %q", seed, i, build[0][0], enc, d, len(payloads[0]),
				payloads[0][max(d-40, 0):min(d+40, len(payloads[0]))], payloads[1][max(d-40, 0):min(d+40, len(payloads[1]))])
		}
		for dir, pair := range [2][2]*testutil.Conn{{rc, sc}, {sc, rc}} {
			src, dst := pair[0], pair[1]
			name := [2]string{"redis->shoal", "shoal->redis"}[dir]
			src.Do("DEL", "src")
			dst.Do("DEL", "dst")
			for _, cmd := range build {
				if r := src.Do(cmd...); len(r) > 0 && r[0] == '-' {
					t.Fatalf("seed %d round %d: %q: %s", seed, i, cmd[0], r)
				}
			}
			payload, ok := dumpBulk(src.Do("DUMP", "src"))
			if !ok {
				t.Fatalf("seed %d round %d %s: DUMP failed", seed, i, name)
			}
			if r := dst.Do("RESTORE", "dst", "0", string(payload)); string(r) != "+OK\r\n" {
				t.Fatalf("seed %d round %d %s: RESTORE: %q (payload %q)", seed, i, name, r, payload)
			}
			for _, rd := range append(reads, []string{"OBJECT", "ENCODING", "%"}) {
				want := src.Do(dumpKey(rd, "src")...)
				got := dst.Do(dumpKey(rd, "dst")...)
				if rd[0] == "SMEMBERS" || rd[0] == "HGETALL" {
					want, got = dumpSorted(want, rd[0] == "HGETALL"), dumpSorted(got, rd[0] == "HGETALL")
				}
				if !bytes.Equal(want, got) {
					t.Fatalf("seed %d round %d %s: %q differs\n  source: %q\n  target: %q", seed, i, name, rd, want, got)
				}
			}
		}
	}
}

// dumpKey replaces the "%" placeholder of a read command by key.
func dumpKey(cmd []string, key string) []string {
	out := slices.Clone(cmd)
	for i, a := range out {
		if a == "%" {
			out[i] = key
		}
	}
	return out
}

// dumpBulk extracts the payload of a bulk string reply.
func dumpBulk(r []byte) ([]byte, bool) {
	if len(r) < 4 || r[0] != '$' {
		return nil, false
	}
	i := bytes.Index(r, []byte("\r\n"))
	n, err := strconv.Atoi(string(r[1:i]))
	if err != nil || n < 0 || len(r) < i+2+n {
		return nil, false
	}
	return r[i+2 : i+2+n], true
}

// dumpSorted renders an array reply's elements sorted (pairs kept together
// when pairs is set), for replies in hash table order.
func dumpSorted(r []byte, pairs bool) []byte {
	_, elems, err := testutil.Elements(r)
	if err != nil {
		return r
	}
	var items []string
	step := 1
	if pairs {
		step = 2
	}
	for i := 0; i+step <= len(elems); i += step {
		items = append(items, string(bytes.Join(elems[i:i+step], []byte{0})))
	}
	slices.Sort(items)
	return []byte(strings.Join(items, "\n"))
}

// dumpGen draws random values as the commands that build them on key
// "src" and the commands that read them back ("%" is the key).
type dumpGen struct {
	rnd *rand.Rand
	// clocked is set when the last value holds wall-clock times (stream
	// consumers and deliveries).
	clocked bool
}

// elem is a random element: small or large integers, short strings, long
// compressible strings, binary bytes.
func (g *dumpGen) elem(i int) string {
	switch g.rnd.IntN(6) {
	case 0:
		return strconv.Itoa(g.rnd.IntN(200) - 100)
	case 1:
		return strconv.FormatInt(g.rnd.Int64()>>g.rnd.IntN(63), 10)
	case 2:
		return "e" + strconv.Itoa(i)
	case 3:
		return strings.Repeat("abc", 10+g.rnd.IntN(60)) + strconv.Itoa(i)
	case 4:
		return string([]byte{byte(i), byte(i >> 8), 0, 0xff, byte(g.rnd.IntN(256))})
	default:
		return "m" + strconv.Itoa(i) + strings.Repeat("z", g.rnd.IntN(80))
	}
}

// size picks a small or a large element count.
func (g *dumpGen) size() int {
	if g.rnd.IntN(2) == 0 {
		return 1 + g.rnd.IntN(10)
	}
	return 100 + g.rnd.IntN(900)
}

// chunked turns prefix + items into commands of at most 100 items.
func chunked(prefix []string, items []string, per int) [][]string {
	var cmds [][]string
	for len(items) > 0 {
		n := min(len(items), 100*per)
		cmds = append(cmds, append(slices.Clone(prefix), items[:n]...))
		items = items[n:]
	}
	return cmds
}

func (g *dumpGen) value() (build, reads [][]string) {
	n := g.size()
	g.clocked = false
	switch g.rnd.IntN(6) {
	case 0:
		v := g.elem(g.rnd.IntN(1000))
		if g.rnd.IntN(3) == 0 {
			v = strings.Repeat(v, 1+g.rnd.IntN(200))
		}
		return [][]string{{"SET", "src", v}}, [][]string{{"GET", "%"}}
	case 1:
		var items []string
		for i := range n {
			items = append(items, g.elem(i))
		}
		return chunked([]string{"RPUSH", "src"}, items, 1), [][]string{{"LRANGE", "%", "0", "-1"}}
	case 2:
		var items []string
		ints := g.rnd.IntN(2) == 0
		for i := range n {
			if ints {
				items = append(items, strconv.Itoa(g.rnd.IntN(1<<20)-1<<19))
			} else {
				items = append(items, g.elem(i))
			}
		}
		return chunked([]string{"SADD", "src"}, items, 1), [][]string{{"SMEMBERS", "%"}, {"SCARD", "%"}}
	case 3:
		var items []string
		for i := range n {
			items = append(items, "f"+strconv.Itoa(i)+strings.Repeat("q", g.rnd.IntN(8)), g.elem(i))
		}
		return chunked([]string{"HSET", "src"}, items, 2), [][]string{{"HGETALL", "%"}, {"HLEN", "%"}}
	case 4:
		var items []string
		for i := range n {
			var score string
			switch g.rnd.IntN(4) {
			case 0:
				score = strconv.Itoa(g.rnd.IntN(50))
			case 1:
				score = strconv.FormatFloat(g.rnd.NormFloat64()*1e3, 'g', -1, 64)
			case 2:
				score = []string{"inf", "-inf", "0", "1.5", "-2.25"}[g.rnd.IntN(5)]
			default:
				score = strconv.FormatFloat(g.rnd.Float64(), 'g', 17, 64)
			}
			items = append(items, score, g.elem(i))
		}
		return chunked([]string{"ZADD", "src"}, items, 2), [][]string{{"ZRANGE", "%", "0", "-1", "WITHSCORES"}}
	default:
		return g.stream(n)
	}
}

// stream builds a stream with explicit IDs, deletions, groups, deliveries
// and acknowledgements.
func (g *dumpGen) stream(n int) (build, reads [][]string) {
	ms := uint64(1 + g.rnd.IntN(1000))
	var ids []string
	for i := range n {
		if g.rnd.IntN(3) == 0 {
			ms += uint64(1 + g.rnd.IntN(5))
		}
		id := strconv.FormatUint(ms, 10) + "-" + strconv.Itoa(i)
		ids = append(ids, id)
		cmd := []string{"XADD", "src", id, "f", g.elem(i)}
		if g.rnd.IntN(4) == 0 {
			cmd = append(cmd, "g"+strconv.Itoa(g.rnd.IntN(3)), g.elem(i+1))
		}
		build = append(build, cmd)
	}
	for range g.rnd.IntN(n/2 + 1) {
		build = append(build, []string{"XDEL", "src", ids[g.rnd.IntN(len(ids))]})
	}
	reads = [][]string{{"XRANGE", "%", "-", "+"}, {"XLEN", "%"}, {"XINFO", "GROUPS", "%"}}
	for gi := range g.rnd.IntN(3) {
		grp := "grp" + strconv.Itoa(gi)
		build = append(build, []string{"XGROUP", "CREATE", "src", grp, "0"})
		for ci := range g.rnd.IntN(3) {
			g.clocked = true
			build = append(build, []string{"XREADGROUP", "GROUP", grp, "c" + strconv.Itoa(ci), "COUNT", strconv.Itoa(1 + g.rnd.IntN(20)), "STREAMS", "src", ">"})
		}
		for range g.rnd.IntN(5) {
			build = append(build, []string{"XACK", "src", grp, ids[g.rnd.IntN(len(ids))]})
		}
		reads = append(reads, []string{"XPENDING", "%", grp})
	}
	return build, reads
}

// dumpDiffAt returns the offset of the first byte where a and b differ.
func dumpDiffAt(a, b []byte) int {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}
