package cluster

import (
	"testing"

	"shoal/internal/cluster/bus"
)

// checkInvariants fails if the state is inconsistent: one myself, valid IDs,
// the slot table and the nodes' bitmaps agreeing, masters and replicas
// pointing at each other.
func checkInvariants(t *testing.T, s *State) {
	t.Helper()
	mine := 0
	for _, n := range s.Nodes() {
		if n.Has(FlagMyself) {
			mine++
		}
		if !ValidID(n.ID) || s.Node(n.ID) != n {
			t.Fatalf("bad node entry %q", n.ID)
		}
		if m := n.Master(); m != nil {
			found := false
			for _, r := range m.Replicas() {
				found = found || r == n
			}
			if !found && n.IsReplica() {
				t.Fatalf("%s is not among its master's replicas", n.ID)
			}
		}
		c := 0
		for j := 0; j < NumSlots; j++ {
			if n.Slots().Has(j) {
				c++
				if s.SlotOwner(j) != n {
					t.Fatalf("slot %d in %s's bitmap, owned by another", j, n.ID)
				}
			}
		}
		if c != n.NumSlots() {
			t.Fatalf("%s: %d slots in bitmap, count %d", n.ID, c, n.NumSlots())
		}
	}
	if mine != 1 || s.Myself() == nil || !s.Myself().Has(FlagMyself) {
		t.Fatalf("%d myself nodes", mine)
	}
	for j := 0; j < NumSlots; j++ {
		if o := s.SlotOwner(j); o != nil && s.Node(o.ID) != o {
			t.Fatalf("slot %d owned by a deleted node", j)
		}
	}
}

// FuzzStep feeds any frame that decodes to a node through every kind of
// link: nothing panics and the node table stays consistent.
func FuzzStep(f *testing.F) {
	s0, err := Open(testConfig(), []byte(capturedConf), 1_795_549_000_000)
	if err != nil {
		f.Fatal(err)
	}
	peer := s0.Node("bf2f14854c952743c16a61adfed7f08b205ee7fb")
	for _, typ := range []bus.Type{bus.Ping, bus.Pong, bus.Meet, bus.Fail, bus.Update, bus.Publish, bus.FailoverAuthRequest, bus.FailoverAuthAck, bus.MFStart, bus.Module, bus.PublishShard, 42} {
		m := s0.buildHeader(typ)
		m.Sender = bus.NameOf(peer.ID)
		m.Gossip = []bus.Gossip{s0.gossipEntry(peer), s0.gossipEntry(s0.Myself())}
		m.Gossip[0].Flags |= FlagPFail
		m.FailNode = bus.NameOf(s0.Myself().ID)
		m.UpdateNode = bus.NameOf(peer.ID)
		m.UpdateConfigEpoch = 99
		m.UpdateSlots.Set(5)
		m.Channel, m.Payload = []byte("ch"), []byte("msg")
		f.Add(bus.Append(nil, m))
	}
	f.Fuzz(func(t *testing.T, frame []byte) {
		m, err := bus.Decode(frame)
		if err != nil && err != bus.ErrUnknownType {
			return
		}
		s, err := Open(testConfig(), []byte(capturedConf), 1_795_549_000_000)
		if err != nil {
			t.Fatal(err)
		}
		now := int64(1_795_549_000_100)
		s.Tick(now) // dials every node: outbound links exist
		s.Ready()
		for _, n := range s.Nodes() {
			if l := n.OutLink(); l != 0 {
				s.Connected(l, "127.0.0.1", now)
			}
		}
		s.Meet("127.0.0.9", 7000, 17000)
		s.Tick(now + 100) // and one to a handshake node
		s.Ready()
		var links []LinkID
		for _, n := range s.Nodes() {
			if l := n.OutLink(); l != 0 {
				s.Connected(l, "127.0.0.1", now)
				links = append(links, l)
			}
		}
		links = append(links, s.Accepted("127.0.0.2", "127.0.0.1"))
		for _, l := range links {
			s.Step(l, m, now+200)
			s.Ready()
			checkInvariants(t, s)
		}
		s.Tick(now + 300)
		s.Ready()
		checkInvariants(t, s)
	})
}
