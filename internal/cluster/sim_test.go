package cluster

import (
	"testing"
)

// slotMap renders a node's view of slot ownership as owner IDs per slot.
func slotMapOf(s *State) [NumSlots]string {
	var m [NumSlots]string
	for j := 0; j < NumSlots; j++ {
		if o := s.SlotOwner(j); o != nil {
			m[j] = o.ID
		}
	}
	return m
}

// TestSimulation100 runs 100 masters on an in-memory bus that loses 5% of
// messages: they form one cluster from MEETs to a single node, converge on
// one slot map, and all mark a killed node FAIL.
func TestSimulation100(t *testing.T) {
	const N = 100
	w := newSimNet(42, Config{NodeTimeout: 15000, RequireFullCoverage: true})
	per := NumSlots / N
	for i := 0; i < N; i++ {
		n := w.addNode()
		lo, hi := i*per, (i+1)*per-1
		if i == N-1 {
			hi = NumSlots - 1
		}
		var slots []int
		for j := lo; j <= hi; j++ {
			slots = append(slots, j)
		}
		if err := n.st.AddSlots(slots); err != nil {
			t.Fatal(err)
		}
		if err := n.st.SetConfigEpoch(int64(i + 1)); err != nil {
			t.Fatal(err)
		}
		w.apply(n)
	}
	// MEETs are not retried (a lost handshake is abandoned, as in Redis):
	// the joins run without loss, everything after with 5% of messages lost.
	for i := 1; i < N; i++ {
		w.meet(w.nodes[i], w.nodes[0])
	}
	w.tick(300)
	w.lossPct = 5
	converged := func() bool {
		want := slotMapOf(w.nodes[0].st)
		for _, n := range w.nodes {
			if len(n.st.Nodes()) != N || !n.st.OK() || slotMapOf(n.st) != want {
				return false
			}
			for j := 0; j < NumSlots; j++ {
				if want[j] == "" {
					return false
				}
			}
		}
		return true
	}
	deadline := w.now + 60_000
	for !converged() {
		if w.now > deadline {
			n := w.nodes[N-1]
			t.Fatalf("no convergence after 60 s of simulated time; %s knows %d nodes, ok=%v", n.name, len(n.st.Nodes()), n.st.OK())
		}
		w.tick(500)
	}
	t.Logf("converged at +%d ms, %d messages dropped", w.now-1_700_000_000_000, w.dropped)

	dead := w.nodes[37]
	deadID := dead.st.Myself().ID
	w.kill(dead)
	start := w.now
	allFail := func() bool {
		for _, n := range w.nodes {
			if n.down {
				continue
			}
			if d := n.st.Node(deadID); d == nil || d.Flags&FlagFail == 0 {
				return false
			}
		}
		return true
	}
	for !allFail() {
		if w.now-start > 30_000 {
			t.Fatal("the killed node is not FAIL everywhere after 30 s")
		}
		w.tick(500)
	}
	t.Logf("FAIL everywhere %d ms after the kill", w.now-start)
	for _, n := range w.nodes {
		if !n.down && n.st.OK() {
			t.Fatalf("%s: cluster_state ok with a failed master and full coverage required", n.name)
		}
	}
}
