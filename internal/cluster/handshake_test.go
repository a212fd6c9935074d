package cluster

import "testing"

func TestHandshakeThreeNodes(t *testing.T) {
	w := newSimNet(1, Config{NodeTimeout: 5000, RequireFullCoverage: true})
	a, b, c := w.addNode(), w.addNode(), w.addNode()
	w.meet(a, b)
	w.meet(a, c)
	w.tick(3000)
	for _, n := range []*simNode{a, b, c} {
		if got := len(n.st.Nodes()); got != 3 {
			t.Fatalf("%s knows %d nodes:\n%s", n.name, got, n.st.AppendNodes(nil, false))
		}
		for _, o := range n.st.Nodes() {
			if o.Flags&(FlagHandshake|FlagPFail|FlagFail|FlagNoAddr) != 0 || !o.Connected() {
				t.Fatalf("%s: bad node line:\n%s", n.name, n.st.AppendNodes(nil, false))
			}
		}
	}
}
