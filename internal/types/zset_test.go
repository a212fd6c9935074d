package types

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"testing"
	"unsafe"

	"shoal/internal/encoding"
)

// zmodel is the reference: a slice kept sorted by (score, member).
type zmodel []zpair

type zpair struct {
	m string
	s float64
}

func (mo zmodel) find(m string) int {
	for i, p := range mo {
		if p.m == m {
			return i
		}
	}
	return -1
}

func (mo *zmodel) set(m string, s float64) {
	if i := mo.find(m); i >= 0 {
		*mo = append((*mo)[:i], (*mo)[i+1:]...)
	}
	*mo = append(*mo, zpair{m, s})
	sort.Slice(*mo, func(i, j int) bool {
		a, b := (*mo)[i], (*mo)[j]
		return a.s < b.s || a.s == b.s && a.m < b.m
	})
}

func (mo *zmodel) del(keep func(i int, p zpair) bool) int {
	out := (*mo)[:0]
	n := 0
	for i, p := range *mo {
		if keep(i, p) {
			out = append(out, p)
		} else {
			n++
		}
	}
	*mo = out
	return n
}

func zcollect(z *ZSet, f func(fn func([]byte, float64) bool)) []zpair {
	var out []zpair
	f(func(m []byte, s float64) bool {
		out = append(out, zpair{string(m), s})
		return true
	})
	return out
}

func zcheck(t *testing.T, z *ZSet, mo zmodel, step int) {
	t.Helper()
	got := zcollect(z, z.Each)
	if len(got) != len(mo) || z.Len() != len(mo) {
		t.Fatalf("step %d: len %d/%d, want %d", step, len(got), z.Len(), len(mo))
	}
	for i := range mo {
		if got[i] != mo[i] {
			t.Fatalf("step %d: elem %d = %v, want %v", step, i, got[i], mo[i])
		}
	}
	if z.lp == nil {
		zslCheck(t, z, step)
	}
}

// zslCheck verifies the skiplist's spans, backward links and dict.
func zslCheck(t *testing.T, z *ZSet, step int) {
	t.Helper()
	nodeBytes := 0
	for n := z.zsl.header.lv(0).forward; n != nil; n = n.lv(0).forward {
		nodeBytes += zslNodeBytes(n)
	}
	if z.dict.bytes != nodeBytes {
		t.Fatalf("step %d: dict.bytes %d, nodes take %d", step, z.dict.bytes, nodeBytes)
	}
	l := &z.zsl
	for i := 0; i < l.level; i++ {
		rank := 0
		for n := l.header; n != nil; {
			next := n.lv(i).forward
			if next == nil {
				break
			}
			rank += n.lv(i).span
			if got := l.rankOf(next); got != rank {
				t.Fatalf("step %d: level %d span gives rank %d, node rank %d", step, i, rank, got)
			}
			n = next
		}
	}
	var prev *zslNode
	for n := l.header.lv(0).forward; n != nil; n = n.lv(0).forward {
		if n.backward != prev {
			t.Fatalf("step %d: bad backward link", step)
		}
		if z.dict.find([]byte(n.member)) != n {
			t.Fatalf("step %d: dict misses %q", step, n.member)
		}
		prev = n
	}
	if l.tail != prev || z.dict.count != l.length {
		t.Fatalf("step %d: tail or dict count wrong", step)
	}
}

func TestZSetModel(t *testing.T) {
	for _, lim := range []ZSetLimits{{128, 64}, {0, 64}, {16, 4}} {
		t.Run(fmt.Sprint(lim), func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, uint64(lim.MaxListpackEntries)))
			z := NewZSet()
			var mo zmodel
			member := func() string {
				if r.IntN(4) == 0 {
					return fmt.Sprint(r.IntN(40) - 20)
				}
				return string(rune('a'+r.IntN(26))) + string(rune('a'+r.IntN(3)))
			}
			for step := 0; step < 6000; step++ {
				switch op := r.IntN(10); op {
				case 0, 1, 2, 3:
					m, s := member(), float64(r.IntN(20)-10)/2
					if r.IntN(10) == 0 {
						s = math.Inf(1 - 2*r.IntN(2))
					}
					out, ns := z.Add([]byte(m), s, 0, lim)
					i := mo.find(m)
					switch {
					case i < 0 && out != ZAddOutAdded,
						i >= 0 && mo[i].s != s && out != ZAddOutUpdated,
						ns != s:
						t.Fatalf("step %d: add %q %v = %d %v", step, m, s, out, ns)
					}
					mo.set(m, s)
				case 4:
					m := member()
					if z.Remove([]byte(m)) != (mo.find(m) >= 0) {
						t.Fatalf("step %d: remove %q", step, m)
					}
					mo.del(func(_ int, p zpair) bool { return p.m != m })
				case 5:
					m := member()
					rev := r.IntN(2) == 0
					rank, ok := z.Rank([]byte(m), rev)
					i := mo.find(m)
					if rev && i >= 0 {
						i = len(mo) - 1 - i
					}
					if ok != (i >= 0) || ok && rank != i {
						t.Fatalf("step %d: rank %q = %d %v, want %d", step, m, rank, ok, i)
					}
					if ok {
						if gm, _ := z.At(mo.find(m)); string(gm) != m {
							t.Fatalf("step %d: At", step)
						}
					}
				case 6:
					rg := ZScoreRange{Min: float64(r.IntN(20)-10) / 2, Max: float64(r.IntN(20)-10) / 2, MinEx: r.IntN(2) == 0, MaxEx: r.IntN(2) == 0}
					rev := r.IntN(2) == 0
					off, lim := r.IntN(3), r.IntN(6)-1
					var want []zpair
					for _, p := range mo {
						if rg.gteMin(p.s) && rg.lteMax(p.s) {
							want = append(want, p)
						}
					}
					if z.CountByScore(rg) != len(want) {
						t.Fatalf("step %d: count %v = %d want %d", step, rg, z.CountByScore(rg), len(want))
					}
					if rev {
						for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
							want[i], want[j] = want[j], want[i]
						}
					}
					want = zwindow(want, off, lim)
					got := zcollect(z, func(fn func([]byte, float64) bool) { z.RangeByScore(rg, rev, off, lim, fn) })
					zsame(t, step, got, want)
				case 7:
					a, b := member(), member()
					rg, _ := ParseZLexRange([]byte("["+a), []byte("("+b))
					if r.IntN(5) == 0 {
						rg.MinKind = -1
					}
					rev := r.IntN(2) == 0
					var want []zpair
					for _, p := range mo {
						if rg.gteMin([]byte(p.m)) && rg.lteMax([]byte(p.m)) {
							want = append(want, p)
						}
					}
					// Lex ranges assume equal scores; the model only checks
					// what the walk sees, which is exact when all are equal.
					if len(mo) > 0 && mo[0].s == mo[len(mo)-1].s {
						if z.CountByLex(rg) != len(want) {
							t.Fatalf("step %d: lexcount", step)
						}
						if rev {
							for i, j := 0, len(want)-1; i < j; i, j = i+1, j-1 {
								want[i], want[j] = want[j], want[i]
							}
						}
						got := zcollect(z, func(fn func([]byte, float64) bool) { z.RangeByLex(rg, rev, 0, -1, fn) })
						zsame(t, step, got, want)
					}
				case 8:
					n := len(mo)
					s, e := r.IntN(n+2)-1, r.IntN(n+2)-1
					if s < 0 {
						s = 0
					}
					if e >= n {
						e = n - 1
					}
					rev := r.IntN(2) == 0
					var want []zpair
					for i := s; i <= e && i < n; i++ {
						j := i
						if rev {
							j = n - 1 - i
						}
						want = append(want, mo[j])
					}
					got := zcollect(z, func(fn func([]byte, float64) bool) { z.RangeByRank(s, e, rev, fn) })
					zsame(t, step, got, want)
					if r.IntN(4) == 0 {
						n := z.RemoveRangeByRank(s, e)
						if w := mo.del(func(i int, _ zpair) bool { return i < s || i > e }); w != n {
							t.Fatalf("step %d: remrangebyrank %d want %d", step, n, w)
						}
					}
				case 9:
					rg := ZScoreRange{Min: float64(r.IntN(20)-10) / 2, Max: float64(r.IntN(20)-10) / 2}
					if r.IntN(2) == 0 {
						n := z.RemoveRangeByScore(rg)
						if w := mo.del(func(_ int, p zpair) bool { return !(rg.gteMin(p.s) && rg.lteMax(p.s)) }); w != n {
							t.Fatalf("step %d: remrangebyscore %d want %d", step, n, w)
						}
					} else {
						rl, _ := ParseZLexRange([]byte("["+member()), []byte("["+member()))
						if len(mo) == 0 || mo[0].s != mo[len(mo)-1].s {
							break
						}
						n := z.RemoveRangeByLex(rl)
						if w := mo.del(func(_ int, p zpair) bool { return !(rl.gteMin([]byte(p.m)) && rl.lteMax([]byte(p.m))) }); w != n {
							t.Fatalf("step %d: remrangebylex %d want %d", step, n, w)
						}
					}
				}
				zcheck(t, z, mo, step)
				if step%500 == 499 {
					// Flatten scores sometimes so lex operations get checked.
					for _, p := range append(zmodel(nil), mo...) {
						z.Add([]byte(p.m), 1, 0, lim)
						mo.set(p.m, 1)
					}
				}
			}
		})
	}
}

func zwindow(p []zpair, off, lim int) []zpair {
	if off >= len(p) {
		return nil
	}
	p = p[off:]
	if lim >= 0 && lim < len(p) {
		p = p[:lim]
	}
	return p
}

func zsame(t *testing.T, step int, got, want []zpair) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("step %d: got %v want %v", step, got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("step %d: got %v want %v", step, got, want)
		}
	}
}

func TestZSetAddFlags(t *testing.T) {
	lim := ZSetLimits{128, 64}
	tests := []struct {
		name  string
		flags int
		score float64
		out   int
		want  float64
	}{
		{"nx existing", ZAddNX, 5, ZAddOutNop, 2},
		{"xx update", ZAddXX, 5, ZAddOutUpdated, 5},
		{"gt lower", ZAddGT, 1, ZAddOutNop, 2},
		{"gt higher", ZAddGT, 3, ZAddOutUpdated, 3},
		{"lt higher", ZAddLT, 3, ZAddOutNop, 2},
		{"incr", ZAddIncr, 3, ZAddOutUpdated, 5},
		{"incr zero", ZAddIncr, 0, 0, 2},
		{"same", 0, 2, 0, 2},
	}
	for _, skip := range []bool{false, true} {
		for _, tt := range tests {
			z := NewZSet()
			z.Add([]byte("m"), 2, 0, lim)
			if skip {
				z.ConvertToSkiplist()
			}
			out, ns := z.Add([]byte("m"), tt.score, tt.flags, lim)
			s, _ := z.Score([]byte("m"))
			if out != tt.out || ns != tt.want && out != ZAddOutNop || s != tt.want {
				t.Errorf("%s (skiplist %v): out %d score %v/%v", tt.name, skip, out, ns, s)
			}
		}
	}
	z := NewZSet()
	z.Add([]byte("m"), math.Inf(1), 0, lim)
	if out, _ := z.Add([]byte("m"), math.Inf(-1), ZAddIncr, lim); out != ZAddOutNaN {
		t.Errorf("inf-inf: out %d", out)
	}
	if out, _ := z.Add([]byte("x"), 1, ZAddXX, lim); out != ZAddOutNop || z.Len() != 1 {
		t.Errorf("xx absent: out %d", out)
	}
}

func TestZSetEncodingAndCompact(t *testing.T) {
	lim := ZSetLimits{3, 5}
	z := NewZSet()
	for i, m := range []string{"a", "b", "c"} {
		z.Add([]byte(m), float64(i), 0, lim)
	}
	if z.Encoding() != "listpack" {
		t.Fatal("want listpack")
	}
	z.Add([]byte("d"), 9, 0, lim)
	if z.Encoding() != "skiplist" {
		t.Fatal("want skiplist after 4 entries")
	}
	z.Remove([]byte("d"))
	z.Compact(lim)
	if z.Encoding() != "listpack" || z.Len() != 3 {
		t.Fatal("want compact listpack")
	}
	z2 := NewZSet()
	z2.Add([]byte("toolong"), 1, 0, lim)
	if z2.Encoding() != "skiplist" {
		t.Fatal("long member must convert")
	}
	// -0 reads back as 0 from a listpack, stays -0 in a skiplist.
	z3 := NewZSet()
	z3.Add([]byte("z"), math.Copysign(0, -1), 0, lim)
	if s, _ := z3.Score([]byte("z")); math.Signbit(s) {
		t.Error("listpack keeps -0")
	}
}

func TestZSetListpackRoundTrip(t *testing.T) {
	lim := ZSetLimits{128, 64}
	z := NewZSet()
	for i, m := range []string{"c", "1", "a", "b", "-7", "xyz"} {
		z.Add([]byte(m), float64(i%3)+0.5*float64(i), 0, lim)
	}
	z.Add([]byte("inf"), math.Inf(1), 0, lim)
	z2, err := ZSetFromListpack(append([]byte(nil), z.Listpack()...))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(z2.Listpack(), z.Listpack()) || z2.Len() != z.Len() {
		t.Fatal("round trip differs")
	}
	// Redis 7.0's listpack for ZADD z 1.5 a 2 b -3 c.
	redis := []byte{0x1a, 0, 0, 0, 6, 0, 0x81, 'c', 2, 0xdf, 0xfd, 2, 0x81, 'a', 2, 0x83, '1', '.', '5', 4, 0x81, 'b', 2, 2, 1, 0xff}
	z3 := NewZSet()
	z3.Add([]byte("a"), 1.5, 0, lim)
	z3.Add([]byte("b"), 2, 0, lim)
	z3.Add([]byte("c"), -3, 0, lim)
	if !bytes.Equal(z3.Listpack(), redis) {
		t.Fatalf("listpack %x, want %x", z3.Listpack(), redis)
	}
	bad := encoding.NewListpack()
	for _, e := range []string{"b", "2", "a", "1"} {
		bad = encoding.LPAppend(bad, []byte(e))
	}
	if _, err := ZSetFromListpack(bad); err == nil {
		t.Error("unordered listpack accepted")
	}
	if _, err := ZSetFromListpack(redis[:len(redis)-1]); err == nil {
		t.Error("truncated listpack accepted")
	}
}

func TestZSetScanSkiplist(t *testing.T) {
	lim := ZSetLimits{0, 64}
	z := NewZSet()
	want := map[string]bool{}
	for i := 0; i < 1000; i++ {
		m := fmt.Sprint("m", i)
		z.Add([]byte(m), float64(i), 0, lim)
		want[m] = true
	}
	seen := map[string]bool{}
	cursor := uint64(0)
	for {
		cursor = z.Scan(cursor, 10, func(m []byte, _ float64) { seen[string(m)] = true })
		// Shrink the table mid-scan: survivors must still all be seen.
		if len(seen) > 300 && len(seen) < 320 {
			for i := 0; i < 950; i += 1 {
				if i%20 != 0 {
					z.Remove([]byte(fmt.Sprint("m", i)))
					delete(want, fmt.Sprint("m", i))
				}
			}
		}
		if cursor == 0 {
			break
		}
	}
	for m := range want {
		if !seen[m] {
			t.Fatalf("scan missed %s", m)
		}
	}
}

func TestParseZRanges(t *testing.T) {
	tests := []struct {
		min, max string
		ok       bool
		r        ZScoreRange
	}{
		{"1", "(2", true, ZScoreRange{1, 2, false, true}},
		{"-inf", "+inf", true, ZScoreRange{math.Inf(-1), math.Inf(1), false, false}},
		{"", "(", true, ZScoreRange{0, 0, false, true}},
		{" 1", "1e400", true, ZScoreRange{1, math.Inf(1), false, false}},
		{"nan", "1", false, ZScoreRange{}},
		{"1 ", "1", false, ZScoreRange{}},
		{"0x1p1", "1", true, ZScoreRange{2, 1, false, false}},
	}
	for _, tt := range tests {
		r, ok := ParseZScoreRange([]byte(tt.min), []byte(tt.max))
		if ok != tt.ok || ok && r != tt.r {
			t.Errorf("%q %q: %v %v", tt.min, tt.max, r, ok)
		}
	}
	for _, tt := range []struct {
		arg string
		ok  bool
	}{{"[a", true}, {"(a", true}, {"-", true}, {"+", true}, {"a", false}, {"", false}, {"+a", false}} {
		if _, ok := ParseZLexRange([]byte(tt.arg), []byte("+")); ok != tt.ok {
			t.Errorf("lex %q: %v", tt.arg, ok)
		}
	}
}

// TestZslNodeLayout: every node type puts its levels where lv looks for
// them.
func TestZslNodeLayout(t *testing.T) {
	offs := []uintptr{
		unsafe.Offsetof(zslNode1{}.lv), unsafe.Offsetof(zslNode2{}.lv), unsafe.Offsetof(zslNode3{}.lv),
		unsafe.Offsetof(zslNode4{}.lv), unsafe.Offsetof(zslNodeMax{}.lv),
	}
	for i, off := range offs {
		if off != zslLevelsOffset {
			t.Errorf("node type %d: levels at %d, lv reads them at %d", i, off, zslLevelsOffset)
		}
	}
}
