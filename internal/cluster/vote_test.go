package cluster

import (
	"strings"
	"testing"

	"shoal/internal/cluster/bus"
)

func idOf(c string) string { return strings.Repeat(c, 40) }

// A voter (myself, "a": slots 0-100, epoch 5), a failed master "b" (101-200,
// epoch 3) with replicas "c" and "d", a live master "e" (201-300, epoch 4)
// with replica "f".
var voteConf = idOf("a") + ` 127.0.0.1:7001@17001 myself,master - 0 0 5 connected 0-100
` + idOf("b") + ` 127.0.0.1:7002@17002 master,fail - 0 0 3 disconnected 101-200
` + idOf("c") + ` 127.0.0.1:7003@17003 slave ` + idOf("b") + ` 0 0 3 connected
` + idOf("d") + ` 127.0.0.1:7004@17004 slave ` + idOf("b") + ` 0 0 3 connected
` + idOf("e") + ` 127.0.0.1:7005@17005 master - 0 0 4 connected 201-300
` + idOf("f") + ` 127.0.0.1:7006@17006 slave ` + idOf("e") + ` 0 0 4 connected
vars currentEpoch 6 lastVoteEpoch 0
`

type voteReq struct {
	from        string
	epoch       uint64 // the request's currentEpoch (election epoch)
	configEpoch uint64
	slots       [2]int
	force       bool
	after       int64 // ms after the previous request
}

func authRequest(r voteReq) *bus.Message {
	m := &bus.Message{}
	m.Ver = bus.Version
	m.Type = bus.FailoverAuthRequest
	m.Sender = bus.NameOf(idOf(r.from))
	m.CurrentEpoch = r.epoch
	m.ConfigEpoch = r.configEpoch
	for j := r.slots[0]; j <= r.slots[1]; j++ {
		m.MySlots.Set(j)
	}
	if r.from != "b" && r.from != "e" {
		m.SlaveOf = bus.NameOf(idOf(map[string]string{"c": "b", "d": "b", "f": "e"}[r.from]))
	}
	if r.force {
		m.MFlags = bus.MFlagForceAck
	}
	return m
}

// Votes follow clusterSendFailoverAuthIfNeeded exactly (spec §11.1).
func TestVotes(t *testing.T) {
	const timeout = 5000
	req := func(from string, epoch uint64) voteReq {
		cfg := map[string]uint64{"c": 3, "d": 3, "f": 4, "e": 4, "b": 3}[from]
		slots := map[string][2]int{"c": {101, 200}, "d": {101, 200}, "f": {201, 300}, "e": {201, 300}, "b": {101, 200}}[from]
		return voteReq{from: from, epoch: epoch, configEpoch: cfg, slots: slots}
	}
	cases := []struct {
		name  string
		reqs  []voteReq
		votes []bool // whether each request got a vote
	}{
		{"replica of a failed master", []voteReq{req("c", 7)}, []bool{true}},
		{"one vote per epoch", []voteReq{req("c", 7), req("d", 7)}, []bool{true, false}},
		{"stale epoch", []voteReq{req("c", 5)}, []bool{false}},
		{"master up", []voteReq{req("f", 7)}, []bool{false}},
		{"master up, FORCEACK", []voteReq{func() voteReq { r := req("f", 7); r.force = true; return r }()}, []bool{true}},
		{"requester is a master", []voteReq{req("e", 7)}, []bool{false}},
		{"claims my slot with an older epoch", []voteReq{func() voteReq { r := req("c", 7); r.slots = [2]int{50, 200}; return r }()}, []bool{false}},
		{"same master within 2 x node-timeout", []voteReq{req("c", 7), func() voteReq { r := req("d", 8); r.after = 2*timeout - 1; return r }()}, []bool{true, false}},
		{"same master after 2 x node-timeout", []voteReq{req("c", 7), func() voteReq { r := req("d", 8); r.after = 2*timeout + 1; return r }()}, []bool{true, true}},
		{"another master's replica meanwhile", []voteReq{req("c", 7), func() voteReq { r := req("f", 8); r.force = true; r.after = 10; return r }()}, []bool{true, true}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.NodeTimeout = timeout
			now := int64(1_000_000)
			s, err := Open(cfg, []byte(voteConf), now)
			if err != nil {
				t.Fatal(err)
			}
			s.updateState()
			for i, r := range c.reqs {
				now += r.after
				before := s.LastVoteEpoch()
				l := s.Accepted("127.0.0.1", "127.0.0.1")
				s.Step(l, authRequest(r), now)
				voted := s.LastVoteEpoch() != before
				if voted && s.LastVoteEpoch() != r.epoch {
					t.Fatalf("request %d: voted in epoch %d, want %d", i, s.LastVoteEpoch(), r.epoch)
				}
				if voted != c.votes[i] {
					t.Fatalf("request %d from %s: voted=%v, want %v", i, r.from, voted, c.votes[i])
				}
				if voted && !s.Ready().Fsync {
					t.Fatal("a vote must be fsynced before the ACK leaves")
				}
			}
		})
	}
	// A replica never votes.
	conf := strings.Replace(voteConf, "myself,master - 0 0 5 connected 0-100", "myself,slave "+idOf("e")+" 0 0 5 connected", 1)
	conf = strings.Replace(conf, idOf("e")+" 127.0.0.1:7005@17005 master - 0 0 4 connected 201-300", idOf("e")+" 127.0.0.1:7005@17005 master - 0 0 4 connected 0-300", 1)
	s, err := Open(testConfig(), []byte(conf), 1)
	if err != nil {
		t.Fatal(err)
	}
	s.Step(s.Accepted("127.0.0.1", "127.0.0.1"), authRequest(req("c", 7)), 2)
	if s.LastVoteEpoch() != 0 {
		t.Fatal("a replica voted")
	}
}
