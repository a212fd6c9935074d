package types

import (
	"bytes"
	"math/rand"
	"strconv"
	"testing"

	"shoal/internal/encoding"
)

// listModel is the reference a List must agree with: a plain slice.
type listModel [][]byte

func listCheck(t *testing.T, step string, l *List, m listModel) {
	t.Helper()
	if l.Len() != len(m) {
		t.Fatalf("%s: Len = %d, want %d", step, l.Len(), len(m))
	}
	total := 0
	for i := 0; i < l.NodeCount(); i++ {
		lp := l.Node(i)
		if err := encoding.LPValidate(lp); err != nil {
			t.Fatalf("%s: node %d: %v", step, i, err)
		}
		n := encoding.LPLen(lp)
		if n == 0 || n != l.nodes[i].n {
			t.Fatalf("%s: node %d holds %d entries, cached %d", step, i, n, l.nodes[i].n)
		}
		total += n
	}
	if total != len(m) {
		t.Fatalf("%s: nodes hold %d entries, want %d", step, total, len(m))
	}
	lpBytes := 0
	for _, nd := range l.nodes {
		lpBytes += cap(nd.lp)
	}
	if l.lpBytes != lpBytes {
		t.Fatalf("%s: lpBytes %d, nodes hold %d", step, l.lpBytes, lpBytes)
	}
	i := 0
	l.Each(func(v []byte) bool {
		if !bytes.Equal(v, m[i]) {
			t.Fatalf("%s: element %d = %q, want %q", step, i, v, m[i])
		}
		i++
		return true
	})
	it := l.Iter(len(m)-1, false)
	for j := len(m) - 1; j >= 0; j-- {
		v, ok := it.Next()
		if !ok || !bytes.Equal(v, m[j]) {
			t.Fatalf("%s: backwards element %d = %q, %v, want %q", step, j, v, ok, m[j])
		}
	}
	if _, ok := it.Next(); ok {
		t.Fatalf("%s: backwards iterator did not stop", step)
	}
}

func listRandValue(r *rand.Rand) []byte {
	switch r.Intn(6) {
	case 0:
		return []byte(strconv.Itoa(r.Intn(10)))
	case 1:
		return bytes.Repeat([]byte{'L'}, 100+r.Intn(300))
	case 2:
		return []byte{}
	default:
		return []byte{'a' + byte(r.Intn(4))}
	}
}

func TestListMatchesModel(t *testing.T) {
	for _, fill := range []int{-2, -1, 1, 2, 5, 128} {
		r := rand.New(rand.NewSource(int64(fill) + 100))
		l := NewList()
		var m listModel
		for op := 0; op < 4000; op++ {
			step := "fill " + strconv.Itoa(fill) + " op " + strconv.Itoa(op)
			switch r.Intn(10) {
			case 0, 1:
				v := listRandValue(r)
				l.Push(v, true, fill)
				m = append(listModel{v}, m...)
			case 2, 3:
				v := listRandValue(r)
				l.Push(v, false, fill)
				m = append(m, v)
			case 4:
				head := r.Intn(2) == 0
				got, ok := l.Pop(head, nil)
				if ok != (len(m) > 0) {
					t.Fatalf("%s: Pop ok = %v", step, ok)
				}
				if ok {
					want := m[len(m)-1]
					if head {
						want, m = m[0], m[1:]
					} else {
						m = m[:len(m)-1]
					}
					if !bytes.Equal(got, want) {
						t.Fatalf("%s: Pop = %q, want %q", step, got, want)
					}
				}
			case 5:
				pivot, v := listRandValue(r), listRandValue(r)
				after := r.Intn(2) == 0
				found := l.Insert(pivot, v, after, fill)
				at := -1
				for i, x := range m {
					if bytes.Equal(x, pivot) {
						at = i
						break
					}
				}
				if found != (at >= 0) {
					t.Fatalf("%s: Insert found = %v", step, found)
				}
				if at >= 0 {
					if after {
						at++
					}
					m = append(m[:at], append(listModel{v}, m[at:]...)...)
				}
			case 6:
				v := listRandValue(r)
				count := r.Intn(5) - 2
				got := l.Remove(v, count)
				want := 0
				var keep listModel
				if count >= 0 {
					for _, x := range m {
						if bytes.Equal(x, v) && (count == 0 || want < count) {
							want++
							continue
						}
						keep = append(keep, x)
					}
				} else {
					for i := len(m) - 1; i >= 0; i-- {
						if bytes.Equal(m[i], v) && want < -count {
							want++
							continue
						}
						keep = append(listModel{m[i]}, keep...)
					}
				}
				m = keep
				if got != want {
					t.Fatalf("%s: Remove = %d, want %d", step, got, want)
				}
			case 7:
				if len(m) > 0 {
					i := r.Intn(len(m))
					v := listRandValue(r)
					if !l.Set(i-len(m)*r.Intn(2), v) {
						t.Fatalf("%s: Set out of range", step)
					}
					m[i] = v
					got, _ := l.Index(i, nil)
					if !bytes.Equal(got, v) {
						t.Fatalf("%s: Index = %q, want %q", step, got, v)
					}
				}
			case 8:
				if len(m) > 0 && r.Intn(4) == 0 {
					s := r.Intn(len(m))
					e := s + r.Intn(len(m)-s)
					l.Trim(s, e, false)
					m = append(listModel(nil), m[s:e+1]...)
				}
			default:
				if len(m) > 0 {
					s := r.Intn(len(m))
					n := r.Intn(len(m) - s + 1)
					l.DeleteRange(s, n)
					m = append(m[:s:s], m[s+n:]...)
				}
			}
			listCheck(t, step, l, m)
		}
	}
}

func TestListNodeFill(t *testing.T) {
	tests := []struct {
		fill, n, size int
		wantNodes     int
	}{
		{fill: 2, n: 10, size: 1, wantNodes: 5},
		{fill: 128, n: 300, size: 1, wantNodes: 3},
		{fill: -1, n: 100, size: 100, wantNodes: 3},   // ~110 bytes each, 4 KiB nodes
		{fill: -2, n: 100, size: 100, wantNodes: 2},   // 8 KiB nodes
		{fill: -5, n: 100, size: 100, wantNodes: 1},   // 64 KiB nodes
		{fill: 1000, n: 100, size: 200, wantNodes: 3}, // safety limit 8 KiB
		{fill: -2, n: 3, size: 9000, wantNodes: 3},    // too big to share
	}
	for _, tt := range tests {
		l := NewList()
		v := bytes.Repeat([]byte("z"), tt.size)
		for i := 0; i < tt.n; i++ {
			l.Push(v, false, tt.fill)
		}
		if l.NodeCount() != tt.wantNodes {
			t.Errorf("fill %d, %d x %d bytes: %d nodes, want %d", tt.fill, tt.n, tt.size, l.NodeCount(), tt.wantNodes)
		}
	}
}

func TestListPos(t *testing.T) {
	l := ListFromValues([][]byte{[]byte("a"), []byte("b"), []byte("c"), []byte("1"), []byte("2"), []byte("3"), []byte("c"), []byte("c")}, 2)
	tests := []struct {
		v                   string
		rank, count, maxlen int
		want                []int
	}{
		{"c", 1, 1, 0, []int{2}},
		{"c", 1, 0, 0, []int{2, 6, 7}},
		{"c", 2, 0, 0, []int{6, 7}},
		{"c", -1, 0, 0, []int{7, 6, 2}},
		{"c", -3, 1, 0, []int{2}},
		{"c", 1, 0, 3, []int{2}},
		{"c", -1, 0, 2, []int{7, 6}},
		{"2", 1, 1, 0, []int{4}},
		{"x", 1, 0, 0, nil},
		{"c", 4, 1, 0, nil},
	}
	for _, tt := range tests {
		var got []int
		l.Pos([]byte(tt.v), tt.rank, tt.count, tt.maxlen, func(i int) { got = append(got, i) })
		if len(got) != len(tt.want) {
			t.Errorf("Pos(%q, %d, %d, %d) = %v, want %v", tt.v, tt.rank, tt.count, tt.maxlen, got, tt.want)
			continue
		}
		for i := range got {
			if got[i] != tt.want[i] {
				t.Errorf("Pos(%q, %d, %d, %d) = %v, want %v", tt.v, tt.rank, tt.count, tt.maxlen, got, tt.want)
				break
			}
		}
	}
}

func TestListNodesRoundTrip(t *testing.T) {
	var vals [][]byte
	for i := 0; i < 1000; i++ {
		vals = append(vals, []byte(strconv.Itoa(i*7919)))
	}
	l := ListFromValues(vals, 16)
	var nodes [][]byte
	for i := 0; i < l.NodeCount(); i++ {
		nodes = append(nodes, append([]byte(nil), l.Node(i)...))
	}
	nodes = append(nodes, encoding.NewListpack())
	r, err := ListFromNodes(nodes)
	if err != nil {
		t.Fatal(err)
	}
	listCheck(t, "restored", r, vals)
	d := r.Dup().(*List)
	d.Push([]byte("extra"), true, 16)
	listCheck(t, "original after Dup", r, vals)
	if d.Len() != len(vals)+1 || d.Encoding() != "quicklist" || d.MemoryUsage() <= 0 {
		t.Errorf("dup: Len %d, Encoding %q", d.Len(), d.Encoding())
	}
	if _, err := ListFromNodes([][]byte{{1, 2, 3}}); err == nil {
		t.Error("ListFromNodes accepted a corrupt node")
	}
}

func TestListPopAllocs(t *testing.T) {
	l := NewList()
	l.Push([]byte("keep"), false, -2)
	buf := make([]byte, 0, 64)
	allocs := testing.AllocsPerRun(1000, func() {
		l.Push([]byte("hello"), false, -2)
		buf, _ = l.Pop(true, buf[:0])
	})
	if allocs > 0.01 {
		t.Errorf("push+pop allocates %.2f times", allocs)
	}
}
