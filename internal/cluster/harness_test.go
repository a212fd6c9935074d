package cluster

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"

	"shoal/internal/cluster/bus"
)

// simNet is an in-memory bus: nodes, their links paired into connections,
// messages in flight, partitions and message loss. It is deterministic for
// a given seed.
type simNet struct {
	now     int64
	rnd     *rand.Rand
	nodes   []*simNode
	byAddr  map[string]*simNode
	peer    map[endpoint]endpoint // one end of a connection -> the other
	flight  []flight
	lossPct int             // percent of messages dropped
	cut     map[[2]int]bool // partition: node pairs that cannot talk
	conf    Config
	logs    bool
	out     *strings.Builder
	dropped int
}

type endpoint struct {
	node int
	link LinkID
}

type flight struct {
	to  endpoint
	msg []byte
}

type simNode struct {
	idx       int
	name      string // label used in scripts: n1, n2...
	ip        string
	port      int
	st        *State
	down      bool
	saves     int      // SaveConfig requests
	delivered []string // PUBLISH/PUBLISHSHARD deliveries, as kind:channel:message
	keys      map[int]int
}

func (k *simNode) CountKeysInSlot(slot int) int { return k.keys[slot] }
func (k *simNode) Size() int {
	t := 0
	for _, c := range k.keys {
		t += c
	}
	return t
}

func newSimNet(seed uint64, conf Config) *simNet {
	if conf.NodeTimeout == 0 {
		conf.NodeTimeout = 5000
	}
	return &simNet{
		now:    1_700_000_000_000,
		rnd:    rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)),
		byAddr: map[string]*simNode{},
		peer:   map[endpoint]endpoint{},
		cut:    map[[2]int]bool{},
		conf:   conf,
	}
}

func (w *simNet) addNode() *simNode {
	i := len(w.nodes)
	n := &simNode{idx: i, name: fmt.Sprintf("n%d", i+1), ip: fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), port: 7000, keys: map[int]int{}}
	cfg := w.conf
	cfg.Port, cfg.BusPort = n.port, n.port+10000
	cfg.Rand = rand.New(rand.NewPCG(w.rnd.Uint64(), uint64(i)))
	cfg.Keys = n
	st, err := Open(cfg, nil, w.now)
	if err != nil {
		panic(err)
	}
	n.st = st
	w.nodes = append(w.nodes, n)
	w.byAddr[fmt.Sprintf("%s:%d", n.ip, n.port+10000)] = n
	w.apply(n)
	return n
}

func (w *simNet) blocked(a, b int) bool {
	if a > b {
		a, b = b, a
	}
	return w.cut[[2]int{a, b}]
}

// apply drains a node's Ready and performs it on the network.
func (w *simNet) apply(n *simNode) {
	for {
		rd := n.st.Ready()
		if len(rd.Dials)+len(rd.Sends)+len(rd.Closes)+len(rd.Deliveries) == 0 && !rd.SaveConfig && len(rd.Logs) == 0 {
			return
		}
		if w.logs && w.out != nil {
			for _, l := range rd.Logs {
				if l.Level >= LogNotice {
					fmt.Fprintf(w.out, "%s: %s\n", n.name, l.Text)
				}
			}
		}
		if rd.SaveConfig {
			n.saves++
		}
		for _, d := range rd.Deliveries {
			kind := "publish"
			if d.Shard {
				kind = "spublish"
			}
			n.delivered = append(n.delivered, kind+":"+string(d.Channel)+":"+string(d.Message))
		}
		var connected []LinkID
		for _, d := range rd.Dials {
			t := w.byAddr[fmt.Sprintf("%s:%d", d.IP, d.BusPort)]
			if t == nil || t.down || n.down || w.blocked(n.idx, t.idx) {
				n.st.LinkClosed(d.Link, w.now)
				continue
			}
			in := t.st.Accepted(n.ip, t.ip)
			a, b := endpoint{n.idx, d.Link}, endpoint{t.idx, in}
			w.peer[a], w.peer[b] = b, a
			connected = append(connected, d.Link)
		}
		for _, s := range rd.Sends {
			to, ok := w.peer[endpoint{n.idx, s.Link}]
			if !ok {
				continue
			}
			w.flight = append(w.flight, flight{to: to, msg: s.Msg})
		}
		// Connected after the sends queued before it, as a driver's link queue.
		for _, id := range connected {
			n.st.Connected(id, n.ip, w.now)
		}
		for _, id := range rd.Closes {
			me := endpoint{n.idx, id}
			if to, ok := w.peer[me]; ok {
				delete(w.peer, me)
				delete(w.peer, to)
				t := w.nodes[to.node]
				if !t.down {
					t.st.LinkClosed(to.link, w.now)
					defer w.apply(t)
				}
			}
		}
	}
}

// deliver delivers every message in flight (and those they cause) up to max.
func (w *simNet) deliver(max int) int {
	c := 0
	for len(w.flight) > 0 && c < max {
		f := w.flight[0]
		w.flight = w.flight[1:]
		c++
		t := w.nodes[f.to.node]
		from, ok := w.peer[f.to]
		if !ok || t.down || w.blocked(from.node, t.idx) || (w.lossPct > 0 && w.rnd.IntN(100) < w.lossPct) {
			w.dropped++
			continue
		}
		m, err := bus.Decode(f.msg)
		if err != nil {
			panic(err)
		}
		t.st.Step(f.to.link, m, w.now)
		w.apply(t)
	}
	return c
}

// tick advances time by ms in 100 ms cron steps, delivering in between.
func (w *simNet) tick(ms int64) {
	for end := w.now + ms; w.now < end; {
		w.now += 100
		for _, n := range w.nodes {
			if n.down {
				continue
			}
			n.st.Tick(w.now)
			w.apply(n)
		}
		w.deliver(1 << 30)
	}
}

// kill stops a node: its connections break.
func (w *simNet) kill(n *simNode) {
	n.down = true
	w.breakLinks(func(a, b int) bool { return a == n.idx || b == n.idx })
}

func (w *simNet) breakLinks(match func(a, b int) bool) {
	var eps []endpoint
	for a, b := range w.peer {
		if match(a.node, b.node) {
			eps = append(eps, a)
		}
	}
	sort.Slice(eps, func(i, j int) bool {
		if eps[i].node != eps[j].node {
			return eps[i].node < eps[j].node
		}
		return eps[i].link < eps[j].link
	})
	for _, e := range eps {
		delete(w.peer, e)
		n := w.nodes[e.node]
		if !n.down {
			n.st.LinkClosed(e.link, w.now)
			w.apply(n)
		}
	}
}

func (w *simNet) partition(groups [][]int) {
	w.cut = map[[2]int]bool{}
	g := map[int]int{}
	for i, grp := range groups {
		for _, n := range grp {
			g[n] = i + 1
		}
	}
	for a := range w.nodes {
		for b := a + 1; b < len(w.nodes); b++ {
			if g[a] != g[b] {
				w.cut[[2]int{a, b}] = true
			}
		}
	}
	w.breakLinks(func(a, b int) bool { return w.blocked(a, b) })
}

func (w *simNet) heal() { w.cut = map[[2]int]bool{} }

func (w *simNet) meet(a, b *simNode) {
	if err := a.st.Meet(b.ip, b.port, b.port+10000); err != nil {
		panic(err)
	}
	w.apply(a)
}

func (w *simNet) find(name string) *simNode {
	for _, n := range w.nodes {
		if n.name == name {
			return n
		}
	}
	return nil
}

// label renders a node ID as the script name of its node.
func (w *simNet) label(id string) string {
	for _, n := range w.nodes {
		if n.st.Myself().ID == id {
			return n.name
		}
	}
	if len(id) > 8 {
		return id[:8]
	}
	return id
}
