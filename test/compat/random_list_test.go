package compat

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomList sends a seeded random stream of non-blocking list
// commands to both servers, under a node fill (list-max-listpack-size)
// that changes during the run, and compares every reply. Few keys and few
// distinct values keep lists long and matches frequent.
func TestRandomList(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &listGen{rnd: rand.New(rand.NewPCG(seed, seed^0x5851f42d4c957f2d))}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	var wbuf []byte
	do := func(i int, args []string) {
		wbuf = testutil.AppendCommand(wbuf[:0], args...)
		want, got := rc.DoRaw(wbuf), sc.DoRaw(wbuf)
		if !bytes.Equal(want, got) {
			t.Fatalf("seed %d, op %d: %q\n  redis: %s\n  shoal: %s", seed, i, args,
				strconv.Quote(string(want)), strconv.Quote(string(got)))
		}
	}
	defer do(-1, []string{"CONFIG", "SET", "list-max-listpack-size", "-2"})
	for i := range *opsFlag {
		do(i, g.next())
	}
}

// listGen generates list commands over a handful of keys.
type listGen struct{ rnd *rand.Rand }

var (
	listKeys   = []string{"la", "lb", "lc", "str"}
	listValues = []string{"a", "b", "c", "1", "2", "-7", "300", "70000", "", strings.Repeat("x", 100), strings.Repeat("y", 3000)}
	listFills  = []string{"-1", "-2", "1", "2", "3", "7", "128"}
)

func (g *listGen) key() string { return listKeys[g.rnd.IntN(len(listKeys))] }

func (g *listGen) val() string { return listValues[g.rnd.IntN(len(listValues))] }

func (g *listGen) idx(n int) string { return strconv.Itoa(g.rnd.IntN(2*n+1) - n) }

func (g *listGen) where() string {
	if g.rnd.IntN(2) == 0 {
		return "LEFT"
	}
	return "RIGHT"
}

func (g *listGen) next() []string {
	r := g.rnd
	switch r.IntN(24) {
	case 0, 1, 2, 3:
		args := []string{[]string{"LPUSH", "RPUSH"}[r.IntN(2)], g.key()}
		for n := 1 + r.IntN(8); n > 0; n-- {
			args = append(args, g.val())
		}
		return args
	case 4:
		return []string{[]string{"LPUSHX", "RPUSHX"}[r.IntN(2)], g.key(), g.val()}
	case 5:
		if r.IntN(2) == 0 {
			return []string{[]string{"LPOP", "RPOP"}[r.IntN(2)], g.key()}
		}
		return []string{[]string{"LPOP", "RPOP"}[r.IntN(2)], g.key(), strconv.Itoa(r.IntN(5))}
	case 6:
		return []string{"LLEN", g.key()}
	case 7, 8:
		return []string{"LRANGE", g.key(), g.idx(30), g.idx(30)}
	case 9:
		return []string{"LINDEX", g.key(), g.idx(30)}
	case 10:
		return []string{"LSET", g.key(), g.idx(30), g.val()}
	case 11:
		return []string{"LINSERT", g.key(), []string{"BEFORE", "AFTER"}[r.IntN(2)], g.val(), g.val()}
	case 12:
		return []string{"LREM", g.key(), g.idx(3), g.val()}
	case 13:
		return []string{"LTRIM", g.key(), g.idx(20), g.idx(40)}
	case 14, 15:
		args := []string{"LPOS", g.key(), g.val()}
		if r.IntN(2) == 0 {
			rank := r.IntN(7) - 3
			if rank == 0 {
				rank = 1
			}
			args = append(args, "RANK", strconv.Itoa(rank))
		}
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(r.IntN(4)))
		}
		if r.IntN(3) == 0 {
			args = append(args, "MAXLEN", strconv.Itoa(r.IntN(20)))
		}
		return args
	case 16:
		return []string{"LMOVE", g.key(), g.key(), g.where(), g.where()}
	case 17:
		return []string{"RPOPLPUSH", g.key(), g.key()}
	case 18:
		args := []string{"LMPOP", "2", g.key(), g.key(), g.where()}
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+r.IntN(6)))
		}
		return args
	case 19:
		return []string{[]string{"BLPOP", "BRPOP"}[r.IntN(2)], g.key(), g.key(), "0.01"}
	case 20:
		return []string{"CONFIG", "SET", "list-max-listpack-size", listFills[r.IntN(len(listFills))]}
	case 21:
		return []string{"SET", "str", g.val()}
	case 22:
		return []string{"DEL", g.key()}
	default:
		return []string{"LRANGE", g.key(), "0", "-1"}
	}
}
