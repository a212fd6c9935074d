package compat

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomZSet sends a seeded random stream of sorted set commands to
// both servers and compares every reply. The listpack thresholds are drawn
// small so that sets cross between encodings, and member counts stay low
// enough that replies which Redis answers from its hash table (ZSCAN,
// random members) are avoided or whole.
func TestRandomZSet(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &zsetGen{rnd: rand.New(rand.NewPCG(seed, seed^0x51ed27a3c9f0b1d5))}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	entries := strconv.Itoa(1 + g.rnd.IntN(12))
	value := strconv.Itoa(1 + g.rnd.IntN(6))
	for _, c := range []*testutil.Conn{rc, sc} {
		c.Do("CONFIG", "SET", "zset-max-listpack-entries", entries)
		c.Do("CONFIG", "SET", "zset-max-listpack-value", value)
	}
	t.Logf("zset-max-listpack-entries %s, zset-max-listpack-value %s", entries, value)
	var wbuf []byte
	for i := range *opsFlag {
		args := g.next()
		wbuf = testutil.AppendCommand(wbuf[:0], args...)
		want, got := rc.DoRaw(wbuf), sc.DoRaw(wbuf)
		if !bytes.Equal(want, got) {
			t.Fatalf("seed %d, op %d: %q\n  redis: %s\n  shoal: %s", seed, i, args,
				strconv.Quote(string(want)), strconv.Quote(string(got)))
		}
	}
}

type zsetGen struct{ rnd *rand.Rand }

var (
	zsetKeys    = []string{"z0", "z1", "z2", "s0", "str"}
	zsetMembers = []string{"a", "b", "c", "d", "e", "f", "g", "h", "1", "-2", "30", "long-member", ""}
	zsetScores  = []string{"0", "1", "-1", "2", "2.5", "-3.25", "10", "1e3", "+inf", "-inf", "0.1", "-0", "x"}
	zsetBounds  = []string{"-inf", "+inf", "0", "1", "(1", "2", "(2.5", "10", "(10", "-1", "x", ""}
	zsetLex     = []string{"-", "+", "[a", "(a", "[c", "(d", "[h", "[", "(", "a"}
)

func (g *zsetGen) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

func (g *zsetGen) key() string { return g.pick(zsetKeys[:4]) }

func (g *zsetGen) small() string { return strconv.Itoa(g.rnd.IntN(13) - 6) }

func (g *zsetGen) next() []string {
	r := g.rnd
	k := g.key()
	switch r.IntN(31) {
	case 0, 1, 2, 3:
		args := []string{"ZADD", k}
		for _, o := range []string{"NX", "XX", "GT", "LT", "CH", "INCR"} {
			if r.IntN(7) == 0 {
				args = append(args, o)
			}
		}
		for range 1 + r.IntN(4) {
			args = append(args, g.pick(zsetScores), g.pick(zsetMembers))
		}
		return args
	case 4:
		return []string{"ZINCRBY", k, g.pick(zsetScores), g.pick(zsetMembers)}
	case 5:
		return []string{"ZREM", k, g.pick(zsetMembers), g.pick(zsetMembers)}
	case 6:
		return []string{"ZCARD", k}
	case 7:
		return []string{"ZSCORE", k, g.pick(zsetMembers)}
	case 8:
		return []string{"ZMSCORE", k, g.pick(zsetMembers), g.pick(zsetMembers)}
	case 9:
		return []string{g.pick([]string{"ZRANK", "ZREVRANK"}), k, g.pick(zsetMembers)}
	case 10:
		return []string{"ZCOUNT", k, g.pick(zsetBounds), g.pick(zsetBounds)}
	case 11:
		// Lex ranges only on "lx", whose scores are all 0: on mixed scores
		// a skiplist's answer depends on its random levels, even in Redis.
		return []string{"ZLEXCOUNT", "lx", g.pick(zsetLex), g.pick(zsetLex)}
	case 12, 13:
		args := []string{"ZRANGE", k}
		switch r.IntN(3) {
		case 0:
			args = append(args, g.small(), g.small())
		case 1:
			args = append(args, g.pick(zsetBounds), g.pick(zsetBounds), "BYSCORE")
		default:
			args = []string{"ZRANGE", "lx", g.pick(zsetLex), g.pick(zsetLex), "BYLEX"}
		}
		if r.IntN(2) == 0 {
			args = append(args, "REV")
		}
		if r.IntN(3) == 0 {
			args = append(args, "LIMIT", g.small(), g.small())
		}
		if r.IntN(2) == 0 && args[1] != "lx" {
			args = append(args, "WITHSCORES")
		}
		return args
	case 14:
		cmd := g.pick([]string{"ZRANGEBYSCORE", "ZREVRANGEBYSCORE"})
		args := []string{cmd, k, g.pick(zsetBounds), g.pick(zsetBounds)}
		if r.IntN(2) == 0 {
			args = append(args, "WITHSCORES")
		}
		if r.IntN(2) == 0 {
			args = append(args, "LIMIT", g.small(), g.small())
		}
		return args
	case 15:
		cmd := g.pick([]string{"ZRANGEBYLEX", "ZREVRANGEBYLEX"})
		return []string{cmd, "lx", g.pick(zsetLex), g.pick(zsetLex), "LIMIT", g.small(), g.small()}
	case 16:
		return []string{"ZREVRANGE", k, g.small(), g.small(), "WITHSCORES"}
	case 17:
		return []string{"ZRANGESTORE", g.key(), k, g.small(), g.small()}
	case 18:
		switch r.IntN(3) {
		case 0:
			return []string{"ZREMRANGEBYRANK", k, g.small(), g.small()}
		case 1:
			return []string{"ZREMRANGEBYSCORE", k, g.pick(zsetBounds), g.pick(zsetBounds)}
		}
		return []string{"ZREMRANGEBYLEX", "lx", g.pick(zsetLex), g.pick(zsetLex)}
	case 19:
		args := []string{g.pick([]string{"ZPOPMIN", "ZPOPMAX"}), k}
		if r.IntN(2) == 0 {
			args = append(args, g.small())
		}
		return args
	case 20:
		args := []string{"ZMPOP", "2", k, g.key(), g.pick([]string{"MIN", "MAX"})}
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", g.small())
		}
		return args
	case 21:
		// Only the deterministic forms: the whole set, or nothing.
		return []string{"ZRANDMEMBER", k, g.pick([]string{"0", "100"}), "WITHSCORES"}
	case 22, 23, 24:
		cmd := g.pick([]string{"ZUNION", "ZINTER", "ZDIFF", "ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE", "ZINTERCARD"})
		var args []string
		if len(cmd) > 6 && cmd[len(cmd)-5:] == "STORE" {
			args = []string{cmd, g.key()}
		} else {
			args = []string{cmd}
		}
		n := 1 + r.IntN(3)
		args = append(args, strconv.Itoa(n))
		for range n {
			args = append(args, g.key())
		}
		if cmd != "ZDIFF" && cmd != "ZDIFFSTORE" && cmd != "ZINTERCARD" {
			if r.IntN(2) == 0 {
				args = append(args, "WEIGHTS")
				for range n {
					args = append(args, g.pick([]string{"1", "2", "-1", "0", "0.5", "inf"}))
				}
			}
			if r.IntN(2) == 0 {
				args = append(args, "AGGREGATE", g.pick([]string{"SUM", "MIN", "MAX"}))
			}
		}
		if cmd == "ZINTERCARD" && r.IntN(2) == 0 {
			args = append(args, "LIMIT", strconv.Itoa(r.IntN(3)))
		}
		if (cmd == "ZUNION" || cmd == "ZINTER" || cmd == "ZDIFF") && r.IntN(2) == 0 {
			args = append(args, "WITHSCORES")
		}
		return args
	case 25:
		return []string{"SADD", "s0", g.pick(zsetMembers), g.pick(zsetMembers)}
	case 26:
		return []string{"DEL", k}
	case 27:
		return []string{"OBJECT", "ENCODING", k}
	case 28:
		return []string{"ZRANGE", k, "0", "-1", "WITHSCORES"}
	case 29:
		args := []string{"ZADD", "lx"}
		for range 1 + r.IntN(4) {
			args = append(args, "0", g.pick(zsetMembers))
		}
		return args
	}
	return []string{"ZADD", "str", "1", "a"}
}
