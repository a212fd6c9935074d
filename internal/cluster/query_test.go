package cluster

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"shoal/internal/cluster/bus"
)

func TestAnnouncedPorts(t *testing.T) {
	cases := []struct {
		name               string
		cfg                Config
		port, pport, bport int
	}{
		{"plain", Config{Port: 6379, BusPort: 16379}, 6379, 0, 16379},
		{"announce", Config{Port: 6379, BusPort: 16379, AnnouncePort: 7000, AnnounceBusPort: 17000}, 7000, 0, 17000},
		{"tls", Config{Port: 6379, TLSPort: 6380, TLSCluster: true, BusPort: 16379}, 6380, 6379, 16379},
		{"tls announce", Config{Port: 6379, TLSPort: 6380, TLSCluster: true, BusPort: 16379, AnnounceTLSPort: 7380, AnnouncePort: 7379}, 7380, 7379, 16379},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.cfg.Rand = rand.New(rand.NewPCG(1, 1))
			s, err := Open(c.cfg, nil, 1)
			if err != nil {
				t.Fatal(err)
			}
			me := s.Myself()
			if me.Port != c.port || me.PPort != c.pport || me.CPort != c.bport {
				t.Fatalf("got %d %d %d", me.Port, me.PPort, me.CPort)
			}
			h := s.buildHeader(bus.Ping)
			if int(h.Port) != c.port || int(h.PPort) != c.pport || int(h.CPort) != c.bport {
				t.Fatalf("header %d %d %d", h.Port, h.PPort, h.CPort)
			}
		})
	}
}

func TestNodeLineAndEndpoint(t *testing.T) {
	s, err := Open(testConfig(), []byte(capturedConf), 5)
	if err != nil {
		t.Fatal(err)
	}
	r := s.Node("055a9dbced911f948e0ad87a1dc6f4f7c76ffcc9")
	want := "055a9dbced911f948e0ad87a1dc6f4f7c76ffcc9 127.0.0.1:47101@57101,host-a.example slave 39ac9893db315a098bcf4a3a8a4347c65e433258 0 5 10 disconnected"
	if got := string(s.AppendNodeLine(nil, r, false)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
	m := s.Node("bf2f14854c952743c16a61adfed7f08b205ee7fb")
	for _, c := range []struct {
		typ  EndpointType
		n    *Node
		want string
	}{
		{EndpointIP, r, "127.0.0.1"},
		{EndpointHostname, r, "host-a.example"},
		{EndpointHostname, m, "?"},
		{EndpointUnknown, r, ""},
	} {
		cfg := s.Config()
		cfg.PreferredEndpoint = c.typ
		s.SetConfig(cfg)
		if got := s.Endpoint(c.n); got != c.want {
			t.Errorf("type %d: %q want %q", c.typ, got, c.want)
		}
	}
	if _, err := s.Replicas(r.ID); !errors.Is(err, ErrNotAMaster) {
		t.Fatal(err)
	}
	if reps, err := s.Replicas(s.Myself().ID); err != nil || len(reps) != 1 || reps[0] != r {
		t.Fatal(reps, err)
	}
	if _, err := s.CountFailureReports(strings.Repeat("0", 40)); !errors.Is(err, ErrUnknownNode) {
		t.Fatal(err)
	}
	if got := string(AppendFlags(nil, FlagMeet|FlagMigrateTo)); got != "noflags" {
		t.Fatal(got)
	}
	if got := string(AppendFlags(nil, FlagMyself|FlagSlave|FlagFail|FlagNoFailover)); got != "myself,slave,fail,nofailover" {
		t.Fatal(got)
	}
}

// A PING claiming our own ID, or gossip with a MYSELF flag or a malformed
// ID, does not corrupt the node table.
func TestHostileMessages(t *testing.T) {
	w := newSimNet(3, Config{NodeTimeout: 5000})
	a, b := w.addNode(), w.addNode()
	w.meet(a, b)
	w.tick(2000)
	st := a.st
	in := st.Accepted("10.9.9.9", a.ip)
	m := st.buildHeader(bus.Meet)
	m.Gossip = []bus.Gossip{
		{Name: bus.NameOf(strings.Repeat("z", 39) + "!"), IP: "1.1.1.1", Port: 1, CPort: 2},
		{Name: bus.NameOf(strings.Repeat("e", 40)), IP: "1.1.1.1", Port: 1, CPort: 2, Flags: FlagMyself | FlagMaster},
	}
	st.Step(in, m, w.now) // claims to be a
	before := len(st.Nodes())
	m.Sender = bus.NameOf(strings.Repeat("f", 40))
	m.Type = bus.Ping
	st.Step(in, m, w.now) // unknown sender: PONG, nothing learnt
	if len(st.Nodes()) != before {
		t.Fatal("a PING from an unknown sender added nodes")
	}
	// From a known sender, gossip may add nodes, never a second myself
	// nor an invalid ID.
	m.Sender = bus.NameOf(b.st.Myself().ID)
	st.Step(in, m, w.now)
	mine := 0
	for _, n := range st.Nodes() {
		if n.Has(FlagMyself) {
			mine++
		}
		if !ValidID(n.ID) {
			t.Fatalf("invalid ID %q in the table", n.ID)
		}
	}
	if mine != 1 {
		t.Fatalf("%d myself nodes", mine)
	}
	if n := st.Node(strings.Repeat("e", 40)); n == nil || n.Has(FlagMyself) {
		t.Fatal("gossiped node missing or flagged myself")
	}
}

// Slots leaving my shard are reported so the server drops the shard
// channels subscribed there (removeChannelsInSlot).
func TestShardChannelsRemovedWithSlots(t *testing.T) {
	s, err := Open(testConfig(), nil, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddSlots([]int{5, 6, 7}); err != nil {
		t.Fatal(err)
	}
	if rd := s.Ready(); len(rd.RemoveShardChannelsInSlots) != 0 {
		t.Fatal(rd.RemoveShardChannelsInSlots)
	}
	if err := s.DelSlots([]int{7, 5}); err != nil {
		t.Fatal(err)
	}
	if got := s.Ready().RemoveShardChannelsInSlots; len(got) != 2 || got[0] != 5 || got[1] != 7 {
		t.Fatal(got)
	}
}

// A message of a type 7.0 does not know still carries a valid header: the
// receiver takes the sender's epochs from it and ignores the body.
func TestUnknownTypeHeaderCounts(t *testing.T) {
	w := newSimNet(4, Config{NodeTimeout: 5000})
	a, b := w.addNode(), w.addNode()
	w.meet(a, b)
	w.tick(2000)
	m := b.st.buildHeader(bus.Type(42))
	m.CurrentEpoch = 77
	m.Body = []byte("later-version body")
	frame := bus.Append(nil, m)
	got, err := bus.Decode(frame)
	if !errors.Is(err, bus.ErrUnknownType) {
		t.Fatal(err)
	}
	a.st.Step(a.st.Node(b.st.Myself().ID).InLink(), got, w.now)
	if a.st.CurrentEpoch() != 77 {
		t.Fatalf("currentEpoch %d", a.st.CurrentEpoch())
	}
}

// cluster-announce-ip set at run time replaces my IP; removed, it clears it
// so that the next MEET tells me my address (clusterUpdateMyselfIp).
func TestAnnounceIPChanges(t *testing.T) {
	s, err := Open(testConfig(), []byte(capturedConf), 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.Myself().IP != "127.0.0.1" {
		t.Fatal(s.Myself().IP)
	}
	cfg := s.Config()
	cfg.AnnounceIP = "10.1.1.1"
	s.SetConfig(cfg)
	if ip := s.Myself().IP; ip != "10.1.1.1" || s.buildHeader(bus.Ping).MyIP != "10.1.1.1" {
		t.Fatal(ip)
	}
	cfg.AnnounceIP = ""
	s.SetConfig(cfg)
	if ip := s.Myself().IP; ip != "" || s.buildHeader(bus.Ping).MyIP != "" {
		t.Fatal(ip)
	}
	cfg.ReplicaNoFailover = true
	s.SetConfig(cfg)
	if !s.Myself().Has(FlagNoFailover) || !s.Ready().SaveConfig {
		t.Fatal("nofailover flag")
	}
}

// Once a link is bound to a node, a message naming another sender on it is
// dropped: a peer cannot speak for a node it is not.
func TestSenderMismatchDropped(t *testing.T) {
	w := newSimNet(5, Config{NodeTimeout: 5000})
	a, b, c := w.addNode(), w.addNode(), w.addNode()
	w.meet(a, b)
	w.meet(a, c)
	w.tick(3000)
	bOnA := a.st.Node(b.st.Myself().ID)
	m := c.st.buildHeader(bus.Fail)
	m.FailNode = bus.NameOf(a.st.Node(c.st.Myself().ID).ID) // "c says c failed"
	a.st.Step(bOnA.InLink(), m, w.now)                      // ...on b's link
	if a.st.Node(c.st.Myself().ID).Has(FlagFail) {
		t.Fatal("a FAIL naming another sender was accepted")
	}
	m.Sender = bus.NameOf(b.st.Myself().ID)
	a.st.Step(bOnA.InLink(), m, w.now)
	if !a.st.Node(c.st.Myself().ID).Has(FlagFail) {
		t.Fatal("a FAIL from b on b's link was ignored")
	}
}
