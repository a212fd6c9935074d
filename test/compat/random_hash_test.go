package compat

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomHash sends a seeded random stream of hash commands to both
// servers, with small listpack thresholds so that keys convert to the
// hashtable encoding along the way, and compares every reply: exactly,
// except that aggregates of a hashtable-encoded key compare sorted and
// HRANDFIELD's picks compare by type and count.
func TestRandomHash(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &hashGen{rnd: rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	var wbuf []byte
	do := func(args ...string) (want, got []byte) {
		wbuf = testutil.AppendCommand(wbuf[:0], args...)
		return rc.DoRaw(wbuf), sc.DoRaw(wbuf)
	}
	for _, cfg := range [][]string{
		{"CONFIG", "SET", "hash-max-listpack-entries", "12"},
		{"CONFIG", "SET", "hash-max-listpack-value", "12"},
	} {
		if want, got := do(cfg...); !bytes.Equal(want, got) {
			t.Fatalf("%q: %q / %q", cfg, want, got)
		}
	}
	for i := range *opsFlag {
		args, mode := g.next()
		want, got := do(args...)
		var err error
		switch mode {
		case hashTypeByte:
			if want[0] != got[0] {
				err = errors.New("reply types differ")
			}
		case exact:
			if !bytes.Equal(want, got) {
				_, enc := do("OBJECT", "ENCODING", args[1])
				if sorted := strings.Contains(string(enc), "hashtable"); sorted {
					err = equalSorted(want, got)
				} else {
					err = equalReplies(exact, want, got)
				}
			}
		default:
			err = equalReplies(mode, want, got)
		}
		if err != nil {
			t.Fatalf("seed %d, op %d: %q: %v\n  redis: %s\n  shoal: %s", seed, i, args, err,
				strconv.Quote(string(want)), strconv.Quote(string(got)))
		}
	}
}

// hashTypeByte compares only the RESP type of two replies (HRANDFIELD
// without a count: a bulk, or a null for a missing key).
const hashTypeByte compareMode = -1

// hashGen draws random hash commands over a few keys.
type hashGen struct {
	rnd *rand.Rand
}

var (
	hashKeys   = []string{"h0", "h1", "h2", "h3", "str"}
	hashFields = []string{"a", "b", "c", "d", "e", "f", "g", "h", "0", "1", "-1", "12", "007", "x y", "", "longer-field-name", "ff0", "ff1", "ff2", "ff3", "ff4", "ff5", "ff6", "ff7"}
	hashVals   = []string{"", "0", "1", "-7", "100", "3.5", "abc", "1e2", "9223372036854775807", "-9223372036854775808", "a-value-over-twelve-bytes", " 1", "inf"}
	hashIncrs  = []string{"1", "-1", "10", "0", "x", "9223372036854775807", "-9223372036854775808"}
	hashFloats = []string{"1", "0.5", "-2.25", "1e3", "abc", "inf", "3.0e-2"}
)

func (g *hashGen) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

// next returns one command and how to compare its reply.
func (g *hashGen) next() ([]string, compareMode) {
	key := g.pick(hashKeys)
	f := g.pick(hashFields)
	switch g.rnd.IntN(22) {
	case 0, 1, 2:
		args := []string{"HSET", key}
		for n := 1 + g.rnd.IntN(3); n > 0; n-- {
			args = append(args, g.pick(hashFields), g.pick(hashVals))
		}
		return args, exact
	case 3:
		return []string{"HMSET", key, f, g.pick(hashVals)}, exact
	case 4:
		return []string{"HSETNX", key, f, g.pick(hashVals)}, exact
	case 5, 6:
		return []string{"HGET", key, f}, exact
	case 7:
		return []string{"HMGET", key, f, g.pick(hashFields), g.pick(hashFields)}, exact
	case 8:
		return []string{"HDEL", key, f, g.pick(hashFields)}, exact
	case 9:
		return []string{"HLEN", key}, exact
	case 10:
		return []string{"HSTRLEN", key, f}, exact
	case 11:
		return []string{"HEXISTS", key, f}, exact
	case 12:
		return []string{"HINCRBY", key, f, g.pick(hashIncrs)}, exact
	case 13:
		return []string{"HINCRBYFLOAT", key, f, g.pick(hashFloats)}, exact
	case 14:
		return []string{"HGETALL", key}, exact
	case 15:
		return []string{"HKEYS", key}, exact
	case 16:
		return []string{"HVALS", key}, exact
	case 17:
		return []string{"OBJECT", "ENCODING", key}, exact
	case 18:
		return []string{"HSCAN", key, "0", "COUNT", "1000"}, scan
	case 19:
		if g.rnd.IntN(4) == 0 {
			return []string{"HRANDFIELD", key}, hashTypeByte
		}
		args := []string{"HRANDFIELD", key, strconv.Itoa(g.rnd.IntN(41) - 20)}
		if g.rnd.IntN(2) == 0 {
			args = append(args, "WITHVALUES")
		}
		return args, typeOnly
	case 20:
		return []string{"DEL", key}, exact
	default:
		return []string{"SET", "str", g.pick(hashVals)}, exact
	}
}
