package compat

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomSet sends a seeded random stream of set commands to both
// servers, under a changing set-max-intset-entries, and compares every
// reply. Aggregates of members are compared sorted (hash-table order is
// the servers' own); everything else, OBJECT ENCODING included, exactly.
// Random commands only appear in forms whose outcome is determined: a
// count at least the size of any set.
func TestRandomSet(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &setGen{rnd: rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	var wbuf []byte
	t.Cleanup(func() {
		wbuf = testutil.AppendCommand(wbuf[:0], "CONFIG", "SET", "set-max-intset-entries", "512")
		rc.DoRaw(wbuf)
		sc.DoRaw(wbuf)
	})
	for i := range *opsFlag {
		args := g.next()
		wbuf = testutil.AppendCommand(wbuf[:0], args...)
		want, got := rc.DoRaw(wbuf), sc.DoRaw(wbuf)
		compare := equalSorted
		if args[0] == "SSCAN" {
			compare = equalScan
		}
		if err := compare(want, got); err != nil {
			t.Fatalf("seed %d, op %d: %q: %v\n  redis: %s\n  shoal: %s", seed, i, args, err,
				strconv.Quote(string(want)), strconv.Quote(string(got)))
		}
		if bytes.HasPrefix(want, []byte("-")) && !bytes.Equal(want, got) {
			t.Fatalf("seed %d, op %d: %q: errors differ", seed, i, args)
		}
	}
}

// setGen draws random set commands over a few keys and a member pool of
// integers (intset material), strings and integer look-alikes.
type setGen struct {
	rnd *rand.Rand
}

var setKeys = []string{"s1", "s2", "s3", "s4", "str"}

// setRandomAll is a count no set of the test reaches, so SPOP and
// SRANDMEMBER with it return (and SPOP removes) the whole set.
const setRandomAll = "10000"

func (g *setGen) key() string { return setKeys[g.rnd.IntN(len(setKeys))] }

func (g *setGen) member() string {
	switch g.rnd.IntN(10) {
	case 0:
		return "m" + strconv.Itoa(g.rnd.IntN(30))
	case 1:
		return []string{"-0", "01", "+1", " 1", "1.0", "", "9223372036854775808"}[g.rnd.IntN(7)]
	case 2:
		return strconv.FormatInt(int64(g.rnd.Uint64()), 10)
	case 3:
		return strconv.Itoa(g.rnd.IntN(200000) - 100000)
	}
	return strconv.Itoa(g.rnd.IntN(40) - 10)
}

func (g *setGen) keys(cmd string, min int) []string {
	args := []string{cmd}
	for range min + g.rnd.IntN(3) {
		args = append(args, g.key())
	}
	return args
}

func (g *setGen) next() []string {
	switch n := g.rnd.IntN(100); {
	case n < 30:
		args := []string{"SADD", g.key()}
		for range 1 + g.rnd.IntN(6) {
			args = append(args, g.member())
		}
		return args
	case n < 42:
		args := []string{"SREM", g.key()}
		for range 1 + g.rnd.IntN(4) {
			args = append(args, g.member())
		}
		return args
	case n < 46:
		return []string{"SMOVE", g.key(), g.key(), g.member()}
	case n < 50:
		return []string{"SISMEMBER", g.key(), g.member()}
	case n < 53:
		return []string{"SMISMEMBER", g.key(), g.member(), g.member()}
	case n < 57:
		return []string{"SCARD", g.key()}
	case n < 62:
		return []string{"SMEMBERS", g.key()}
	case n < 67:
		return []string{"OBJECT", "ENCODING", g.key()}
	case n < 70:
		return g.keys("SINTER", 1)
	case n < 73:
		return g.keys("SUNION", 1)
	case n < 76:
		return g.keys("SDIFF", 1)
	case n < 79:
		return append([]string{"SINTERSTORE", g.key()}, g.keys("", 1)[1:]...)
	case n < 82:
		return append([]string{"SUNIONSTORE", g.key()}, g.keys("", 1)[1:]...)
	case n < 85:
		return append([]string{"SDIFFSTORE", g.key()}, g.keys("", 1)[1:]...)
	case n < 88:
		ks := g.keys("", 1)[1:]
		args := append([]string{"SINTERCARD", strconv.Itoa(len(ks))}, ks...)
		if g.rnd.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(g.rnd.IntN(4)))
		}
		return args
	case n < 90:
		return []string{"SRANDMEMBER", g.key(), setRandomAll}
	case n < 91:
		return []string{"SPOP", g.key(), setRandomAll}
	case n < 93:
		limit := []string{"0", "1", "3", "8", "20", "512"}[g.rnd.IntN(6)]
		return []string{"CONFIG", "SET", "set-max-intset-entries", limit}
	case n < 95:
		return []string{"DEL", g.key()}
	case n < 96:
		return []string{"SET", "str", "x"}
	case n < 98:
		return []string{"SSCAN", g.key(), "0", "COUNT", "1000"}
	}
	return []string{"SSCAN", g.key(), "0", "MATCH", "*1*", "COUNT", "1000"}
}
