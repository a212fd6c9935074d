package types

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math/rand"
	"runtime"
	"slices"
	"testing"
)

func sid(ms, seq uint64) StreamID { return StreamID{ms, seq} }

func fv(s ...string) [][]byte {
	out := make([][]byte, len(s))
	for i, x := range s {
		out[i] = []byte(x)
	}
	return out
}

func TestParseStreamID(t *testing.T) {
	const max = ^uint64(0)
	tests := []struct {
		in       string
		missing  uint64
		strict   bool
		star     bool
		want     StreamID
		seqGiven bool
		ok       bool
	}{
		{"1-2", 0, false, false, sid(1, 2), true, true},
		{"5", 0, false, false, sid(5, 0), true, true},
		{"5", max, false, false, sid(5, max), true, true},
		{"-", 0, false, false, sid(0, 0), true, true},
		{"+", 0, false, false, sid(max, max), true, true},
		{"-", 0, true, false, StreamID{}, false, false},
		{"+", 0, true, false, StreamID{}, false, false},
		{"7-*", 0, true, true, sid(7, 0), false, true},
		{"7-*", 0, true, false, StreamID{}, false, false},
		{"007", 0, false, false, sid(7, 0), true, true},
		{"+8", 0, false, false, sid(8, 0), true, true},
		{" 9", 0, false, false, sid(9, 0), true, true},
		{"9-01", 0, false, false, sid(9, 1), true, true},
		{"-1", 0, false, false, StreamID{}, false, false},
		{"-01", 0, false, false, StreamID{}, false, false}, // "" before the dash
		{"1-", 0, false, false, StreamID{}, false, false},
		{"abc", 0, false, false, StreamID{}, false, false},
		{"18446744073709551615-18446744073709551615", 0, false, false, sid(max, max), true, true},
		{"18446744073709551616", 0, false, false, StreamID{}, false, false},
		{"1-2-3", 0, false, false, StreamID{}, false, false},
		{"", 0, false, false, StreamID{}, false, false},
		{"3\x00junk", 0, false, false, sid(3, 0), true, true},
	}
	for _, tc := range tests {
		id, seqGiven, ok := ParseStreamID([]byte(tc.in), tc.missing, tc.strict, tc.star)
		if ok != tc.ok || ok && (id != tc.want || seqGiven != tc.seqGiven) {
			t.Errorf("ParseStreamID(%q) = %v %v %v, want %v %v %v", tc.in, id, seqGiven, ok, tc.want, tc.seqGiven, tc.ok)
		}
	}
}

// TestStreamListpackMatchesRedis checks the node bytes against the DUMP
// payload redis-server 7.0.15 gives for the same commands (with
// rdbcompression no, stream-node-max-entries 3):
//
//	XADD s 1-1 name alice age 30
//	XADD s 1-2 name bob age -7
//	XADD s 5-0 other 123456789012
//	XADD s 6-0 name carol age ""
//	XDEL s 1-2
func TestStreamListpackMatchesRedis(t *testing.T) {
	dump, _ := hex.DecodeString("130210000000000000000100000000000000014057570000001900020101010201846e616d65058361676504000102010001000185616c696365061e01050103010001010183626f6204dff902050100010401dfff020101856f7468657206f4141a99be1c000000090601ff10000000000000000600000000000000002b2b0000000c00010100010201846e616d650583616765040001020100010001856361726f6c0680010501ff0306000101010204000a005bec81fb66dd8af8")
	// RDB_TYPE_STREAM_LISTPACKS_2, node count, then per node the 16-byte
	// master key and the listpack, each a length-prefixed string.
	p := 2
	readStr := func() []byte {
		n := int(dump[p] & 0x3F)
		p++
		if dump[p-1]&0xC0 == 0x40 {
			n = n<<8 | int(dump[p])
			p++
		}
		b := dump[p : p+n]
		p += n
		return b
	}
	s := NewStream()
	s.Append(sid(1, 1), fv("name", "alice", "age", "30"), 4096, 3)
	s.Append(sid(1, 2), fv("name", "bob", "age", "-7"), 4096, 3)
	s.Append(sid(5, 0), fv("other", "123456789012"), 4096, 3)
	s.Append(sid(6, 0), fv("name", "carol", "age", ""), 4096, 3)
	if n := s.DeleteIDs([]StreamID{sid(1, 2)}); n != 1 {
		t.Fatalf("DeleteIDs = %d", n)
	}
	i := 0
	s.EachNode(func(master StreamID, lp []byte) bool {
		key, want := readStr(), readStr()
		if got := master.Key(); !bytes.Equal(got[:], key) {
			t.Errorf("node %d key %x, want %x", i, got, key)
		}
		if !bytes.Equal(lp, want) {
			t.Errorf("node %d listpack\n got %x\nwant %x", i, lp, want)
		}
		i++
		return true
	})
	if i != int(dump[1]) {
		t.Errorf("%d nodes, want %d", i, dump[1])
	}
	if s.Len() != 3 || s.FirstID != sid(1, 1) || s.MaxDeletedID != sid(1, 2) {
		t.Errorf("len %d first %v maxdel %v", s.Len(), s.FirstID, s.MaxDeletedID)
	}
}

// streamModel is the reference a stream is checked against.
type streamModel struct {
	ids  []StreamID
	vals map[StreamID][]string
}

func (m *streamModel) rangeOf(start, end StreamID, rev bool) []string {
	var out []string
	for _, id := range m.ids {
		if id.Less(start) || end.Less(id) {
			continue
		}
		out = append(out, id.String()+fmt.Sprint(m.vals[id]))
	}
	if rev {
		slices.Reverse(out)
	}
	return out
}

func streamRange(s *Stream, start, end StreamID, rev bool) []string {
	var out []string
	it := s.Iter(start, end, rev)
	for {
		id, nf, ok := it.Next()
		if !ok {
			return out
		}
		var kv []string
		for ; nf > 0; nf-- {
			f, v := it.Field()
			kv = append(kv, string(f), string(v))
		}
		out = append(out, id.String()+fmt.Sprint(kv))
	}
}

// TestStreamRandom runs random appends, deletes and trims under random
// node limits and compares every range with a plain model.
func TestStreamRandom(t *testing.T) {
	for seed := int64(1); seed <= 30; seed++ {
		r := rand.New(rand.NewSource(seed))
		maxBytes := []int{0, 40, 120, 4096}[r.Intn(4)]
		maxEntries := []int{0, 1, 2, 5, 100}[r.Intn(5)]
		s := NewStream()
		m := &streamModel{vals: map[StreamID][]string{}}
		var ms uint64
		randID := func() StreamID {
			return StreamID{uint64(r.Intn(int(ms) + 2)), uint64(r.Intn(4))}
		}
		for op := 0; op < 600; op++ {
			switch k := r.Intn(10); {
			case k < 6:
				ms += uint64(r.Intn(3))
				id := StreamID{ms, 0}
				if !s.LastID.Less(id) {
					id, _ = s.LastID.Incr()
				}
				ms = id.Ms
				var kv []string
				if r.Intn(2) == 0 {
					kv = []string{"f", fmt.Sprint(r.Intn(300) - 150), "g", "x"}
				} else {
					for i := r.Intn(3) + 1; i > 0; i-- {
						kv = append(kv, fmt.Sprint("k", r.Intn(3)), fmt.Sprint("v", r.Intn(100)))
					}
				}
				s.Append(id, fv(kv...), maxBytes, maxEntries)
				m.ids = append(m.ids, id)
				m.vals[id] = kv
			case k < 8:
				id := randID()
				if len(m.ids) > 0 && r.Intn(2) == 0 {
					id = m.ids[r.Intn(len(m.ids))]
				}
				i := slices.Index(m.ids, id)
				if got := s.Delete(id); got != (i >= 0) {
					t.Fatalf("seed %d: Delete(%v) = %v", seed, id, got)
				}
				if i >= 0 {
					m.ids = slices.Delete(m.ids, i, i+1)
				}
			case k < 9:
				a := TrimArgs{Strategy: TrimMaxLen, MaxLen: int64(r.Intn(len(m.ids) + 2))}
				want := max(len(m.ids)-int(a.MaxLen), 0)
				got := s.Trim(&a)
				if int(got) != want {
					t.Fatalf("seed %d: Trim MAXLEN %d removed %d, want %d", seed, a.MaxLen, got, want)
				}
				m.ids = m.ids[want:]
			default:
				a := TrimArgs{Strategy: TrimMinID, MinID: randID(), Approx: r.Intn(2) == 0}
				before := s.Len()
				got := s.Trim(&a)
				// Approximate trims remove a prefix of whole nodes.
				m.ids = m.ids[got:]
				if s.Len() != before-uint64(got) {
					t.Fatalf("seed %d: length %d after removing %d of %d", seed, s.Len(), got, before)
				}
				if !a.Approx && len(m.ids) > 0 && m.ids[0].Less(a.MinID) {
					t.Fatalf("seed %d: MINID %v left %v", seed, a.MinID, m.ids[0])
				}
			}
			if s.Len() != uint64(len(m.ids)) {
				t.Fatalf("seed %d op %d: Len %d, model %d", seed, op, s.Len(), len(m.ids))
			}
			if got, want := s.lpBytes, streamWalkBytes(s); got != want {
				t.Fatalf("seed %d op %d: lpBytes %d, nodes hold %d", seed, op, got, want)
			}
			lo, hi := randID(), randID()
			if hi.Less(lo) {
				lo, hi = hi, lo
			}
			for _, rev := range []bool{false, true} {
				if got, want := streamRange(s, lo, hi, rev), m.rangeOf(lo, hi, rev); !slices.Equal(got, want) {
					t.Fatalf("seed %d op %d: range %v..%v rev=%v\n got %v\nwant %v", seed, op, lo, hi, rev, got, want)
				}
			}
		}
		if got, want := streamRange(s, StreamID{}, MaxStreamID, false), m.rangeOf(StreamID{}, MaxStreamID, false); !slices.Equal(got, want) {
			t.Fatalf("seed %d: full range differs", seed)
		}
		d := s.Dup().(*Stream)
		if d.lpBytes != streamWalkBytes(d) {
			t.Fatalf("seed %d: Dup's lpBytes %d, nodes hold %d", seed, d.lpBytes, streamWalkBytes(d))
		}
		if got := streamRange(d, StreamID{}, MaxStreamID, true); !slices.Equal(got, m.rangeOf(StreamID{}, MaxStreamID, true)) {
			t.Fatalf("seed %d: Dup differs", seed)
		}
	}
}

func TestStreamTrimApprox(t *testing.T) {
	s := NewStream()
	for i := uint64(1); i <= 10; i++ {
		s.Append(sid(i, 0), fv("a", "1"), 4096, 4)
	}
	a := TrimArgs{Strategy: TrimMaxLen, MaxLen: 5, Approx: true}
	if got := s.Trim(&a); got != 4 || s.Len() != 6 || s.FirstID != sid(5, 0) {
		t.Fatalf("approx MAXLEN 5 removed %d, len %d, first %v", got, s.Len(), s.FirstID)
	}
	a = TrimArgs{Strategy: TrimMaxLen, MaxLen: 0, Approx: true, Limit: 3}
	if got := s.Trim(&a); got != 0 {
		t.Fatalf("LIMIT 3 removed %d", got)
	}
	a = TrimArgs{Strategy: TrimMinID, MinID: sid(7, 0)}
	if got := s.Trim(&a); got != 2 || s.FirstID != sid(7, 0) || s.FirstEntryID() != sid(5, 0) {
		t.Fatalf("MINID removed %d, first %v, first entry %v", got, s.FirstID, s.FirstEntryID())
	}
}

func TestStreamRaxNodes(t *testing.T) {
	s := NewStream()
	if n := s.RaxNodes(); n != 1 {
		t.Errorf("empty: %d", n)
	}
	s.Append(sid(1, 0), fv("a", "1"), 4096, 1)
	if n := s.RaxNodes(); n != 2 {
		t.Errorf("one key: %d", n)
	}
	// Two keys differing in the last byte: a compressed node for the 15
	// shared bytes, a branch node, and two leaves.
	s.Append(sid(1, 1), fv("a", "1"), 4096, 1)
	if n := s.RaxNodes(); n != 4 {
		t.Errorf("two keys: %d", n)
	}
}

func TestPEL(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	var p PEL
	model := map[StreamID]bool{}
	for op := 0; op < 20000; op++ {
		id := sid(uint64(r.Intn(2000)), uint64(r.Intn(2)))
		switch r.Intn(3) {
		case 0, 1:
			if got := p.Insert(&StreamNACK{ID: id}); got == model[id] {
				t.Fatalf("Insert(%v) = %v", id, got)
			}
			model[id] = true
		default:
			if got := p.Delete(id); (got != nil) != model[id] {
				t.Fatalf("Delete(%v) = %v", id, got)
			}
			delete(model, id)
		}
	}
	if p.Len() != len(model) {
		t.Fatalf("Len %d, model %d", p.Len(), len(model))
	}
	var ids []StreamID
	for id := range model {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, StreamID.Compare)
	i := 0
	for n := p.Seek(StreamID{}); n != nil; n = p.Next(n.ID) {
		if n.ID != ids[i] {
			t.Fatalf("walk %d: %v, want %v", i, n.ID, ids[i])
		}
		if p.Get(n.ID) != n {
			t.Fatalf("Get(%v)", n.ID)
		}
		i++
	}
	if i != len(ids) || p.First().ID != ids[0] || p.Last().ID != ids[len(ids)-1] {
		t.Fatalf("walked %d of %d", i, len(ids))
	}
}

func TestStreamGroups(t *testing.T) {
	s := NewStream()
	for _, n := range []string{"b", "a", "c"} {
		if s.CreateGroup([]byte(n), StreamID{}, InvalidEntriesRead) == nil {
			t.Fatal("CreateGroup failed")
		}
	}
	if s.CreateGroup([]byte("a"), StreamID{}, 0) != nil {
		t.Fatal("duplicate group created")
	}
	if g := s.Groups(); g[0].Name != "a" || g[2].Name != "c" {
		t.Fatal("groups not sorted")
	}
	g := s.Group([]byte("b"))
	alice := g.CreateConsumer([]byte("alice"), 1)
	bob := g.CreateConsumer([]byte("bob"), 1)
	for i := uint64(1); i <= 3; i++ {
		n := &StreamNACK{ID: sid(i, 0), Consumer: alice}
		g.PEL.Insert(n)
		alice.PEL.Insert(n)
	}
	g.Assign(g.PEL.Get(sid(2, 0)), bob)
	if alice.PEL.Len() != 2 || bob.PEL.Len() != 1 {
		t.Fatalf("assign: alice %d bob %d", alice.PEL.Len(), bob.PEL.Len())
	}
	d := s.Dup().(*Stream)
	if !g.Ack(sid(1, 0)) || g.Ack(sid(1, 0)) || alice.PEL.Len() != 1 {
		t.Fatal("ack")
	}
	g.DeleteConsumer(alice)
	if g.PEL.Len() != 1 || g.Consumer([]byte("alice")) != nil {
		t.Fatal("delete consumer")
	}
	dg := d.Group([]byte("b"))
	if dg.PEL.Len() != 3 || dg.Consumer([]byte("alice")).PEL.Len() != 2 || dg.PEL.Get(sid(2, 0)).Consumer != dg.Consumer([]byte("bob")) {
		t.Fatal("Dup did not copy the groups")
	}
	if !s.DestroyGroup([]byte("b")) || s.DestroyGroup([]byte("b")) || len(s.Groups()) != 2 {
		t.Fatal("destroy")
	}
}

// TestStreamAllocs checks that entries are packed: appending many entries
// costs a small fraction of an allocation each.
func TestStreamAllocs(t *testing.T) {
	const n = 200_000
	s := NewStream()
	args := fv("sensor", "12", "temp", "21.5")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for i := uint64(1); i <= n; i++ {
		s.Append(sid(i, 0), args, 4096, 100)
	}
	runtime.ReadMemStats(&after)
	if allocs := after.Mallocs - before.Mallocs; allocs > n/20 {
		t.Fatalf("%d allocations for %d entries", allocs, n)
	}
	if s.Len() != n || s.NodeCount() != n/100 {
		t.Fatalf("len %d nodes %d", s.Len(), s.NodeCount())
	}
}

// streamWalkBytes is what lpBytes must equal: the nodes' capacities.
func streamWalkBytes(s *Stream) int {
	n := 0
	for _, nd := range s.nodes {
		n += cap(nd.lp)
	}
	return n
}
