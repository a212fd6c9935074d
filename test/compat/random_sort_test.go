package compat

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomSort compares random SORT and SORT_RO calls over lists,
// integer sets and sorted sets with weight strings and hash fields that
// tie often, so the order of equal elements (stable sorting, and the
// partial quicksort Redis uses for BY with LIMIT) is checked too.
func TestRandomSort(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &sortGen{rnd: rand.New(rand.NewPCG(seed, seed^0x6a09e667f3bcc909))}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
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

type sortGen struct{ rnd *rand.Rand }

var (
	sortElems   = []string{"1", "2", "3", "10", "-5", "7", "007", "1.5", "a", "b", "B", "", "x y", "42", "0", "99"}
	sortWeights = []string{"1", "2", "2", "3", "-1", "0", "1.5", "abc", "", "b", "a", "10"}
)

func (g *sortGen) pick(s []string) string { return s[g.rnd.IntN(len(s))] }

func (g *sortGen) next() []string {
	r := g.rnd
	switch r.IntN(12) {
	case 0:
		args := []string{"RPUSH", "l"}
		for range 1 + r.IntN(30) {
			args = append(args, g.pick(sortElems))
		}
		return args
	case 1:
		return []string{"SADD", "s", strconv.Itoa(r.IntN(60) - 10)}
	case 2:
		return []string{"ZADD", "z", strconv.Itoa(r.IntN(5)), g.pick(sortElems)}
	case 3:
		return []string{"SET", "w_" + g.pick(sortElems), g.pick(sortWeights)}
	case 4:
		return []string{"HSET", "h_" + g.pick(sortElems), "f", g.pick(sortWeights)}
	case 5:
		return []string{"LTRIM", "l", "0", strconv.Itoa(r.IntN(60))}
	}
	cmd := []string{"SORT", "SORT_RO"}[r.IntN(2)]
	args := []string{cmd, []string{"l", "s", "z", "nokey"}[r.IntN(4)]}
	switch r.IntN(5) {
	case 0:
		args = append(args, "BY", "w_*")
	case 1:
		args = append(args, "BY", "h_*->f")
	case 2:
		args = append(args, "BY", "nosort")
	}
	// Redis walks a sorted set's hash table to fill the vector, so the
	// order of ALPHA BY ties on one is not reproducible.
	if r.IntN(2) == 0 && (args[1] != "z" || len(args) == 2 || args[3] == "nosort") {
		args = append(args, "ALPHA")
	}
	if r.IntN(3) == 0 {
		args = append(args, "DESC")
	}
	if r.IntN(2) == 0 {
		args = append(args, "LIMIT", strconv.Itoa(r.IntN(12)-2), strconv.Itoa(r.IntN(12)-2))
	}
	for range r.IntN(3) {
		args = append(args, "GET", []string{"#", "w_*", "h_*->f", "nokey_*"}[r.IntN(4)])
	}
	if cmd == "SORT" && r.IntN(4) == 0 {
		args = append(args, "STORE", "dst")
	}
	return args
}
