package cluster

import "testing"

// TestSetSlotFsync: CLUSTER SETSLOT asks for nodes.conf to be saved but
// fsynced only when Redis 7.0 fsyncs (clusterCommand's setslot branch sets
// CLUSTER_TODO_SAVE_CONFIG; FSYNC_CONFIG comes from a bumped configEpoch or
// a master left without slots turning replica). An fsync per SETSLOT made
// `redis-cli --cluster reshard` of 1000 slots an order of magnitude slower
// than Redis (bench/cluster.sh).
func TestSetSlotFsync(t *testing.T) {
	w := newSimNet(1, Config{NodeTimeout: 5000, AllowReplicaMigration: true})
	a, b := w.addNode(), w.addNode()
	w.meet(a, b)
	w.tick(3000)
	if err := a.st.AddSlots([]int{1, 2}); err != nil {
		t.Fatal(err)
	}
	w.apply(a)
	w.tick(3000)
	aid, bid := a.st.Myself().ID, b.st.Myself().ID
	steps := []struct {
		name  string
		n     *simNode
		do    func(s *State) error
		fsync bool
	}{
		{"importing", b, func(s *State) error { return s.SetSlotImporting(1, aid) }, false},
		{"migrating", a, func(s *State) error { return s.SetSlotMigrating(1, bid) }, false},
		{"node on the source", a, func(s *State) error { return s.SetSlotNode(1, bid) }, false},
		{"node on the target bumps its epoch", b, func(s *State) error { return s.SetSlotNode(1, bid) }, true},
		{"stable", a, func(s *State) error { return s.SetSlotStable(2) }, false},
		{"last slot given away: turn replica", a, func(s *State) error { return s.SetSlotNode(2, bid) }, true},
	}
	for _, st := range steps {
		if err := st.do(st.n.st); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		rd := st.n.st.Ready()
		if !rd.SaveConfig || rd.Fsync != st.fsync {
			t.Fatalf("%s: SaveConfig=%v Fsync=%v, want true %v", st.name, rd.SaveConfig, rd.Fsync, st.fsync)
		}
		w.apply(st.n)
	}
}
