package cluster

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
)

var rewrite = flag.Bool("rewrite", false, "rewrite the expected output of testdata/*.txt")

// TestScenarios runs the datadriven scenarios of testdata/*.txt. Each block
// is a command, "----", and its expected output up to a blank line. Nodes
// are named n1, n2... in the order add-nodes creates them; node IDs are
// printed as those names.
func TestScenarios(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.txt")
	if len(files) == 0 {
		t.Fatal("no scenarios")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runScenario(t, f) })
	}
}

func runScenario(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	var out strings.Builder
	w := newSimNet(1, Config{NodeTimeout: 5000, RequireFullCoverage: true, AllowReplicaMigration: true, MigrationBarrier: 1})
	for i := 0; i < len(lines); {
		l := lines[i]
		if strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#") {
			out.WriteString(l + "\n")
			i++
			continue
		}
		cmd := l
		i++
		if i >= len(lines) || lines[i] != "----" {
			t.Fatalf("%s:%d: command without ----", path, i)
		}
		i++
		var want []string
		for i < len(lines) && lines[i] != "" {
			want = append(want, lines[i])
			i++
		}
		got := strings.TrimRight(w.run(t, cmd), "\n")
		for _, n := range w.nodes {
			checkInvariants(t, n.st)
		}
		out.WriteString(cmd + "\n----\n" + got + "\n")
		if !*rewrite && got != strings.Join(want, "\n") {
			t.Errorf("%s: %s\ngot:\n%s\nwant:\n%s", path, cmd, got, strings.Join(want, "\n"))
		}
	}
	if *rewrite {
		res := strings.TrimRight(out.String(), "\n") + "\n"
		if err := os.WriteFile(path, []byte(res), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parseSlots(t *testing.T, args []string) []int {
	var slots []int
	for _, a := range args {
		lo, hi, _ := strings.Cut(a, "-")
		x, err := strconv.Atoi(lo)
		if err != nil {
			t.Fatalf("bad slot %q", a)
		}
		y := x
		if hi != "" {
			y, _ = strconv.Atoi(hi)
		}
		for ; x <= y; x++ {
			slots = append(slots, x)
		}
	}
	return slots
}

func (w *simNet) node(t *testing.T, name string) *simNode {
	n := w.find(name)
	if n == nil {
		t.Fatalf("unknown node %s", name)
	}
	return n
}

func (w *simNet) errText(err error) string {
	if err == nil {
		return "ok"
	}
	return "error: " + err.Error()
}

// run executes one scenario command and returns its output.
func (w *simNet) run(t *testing.T, cmd string) string {
	f := strings.Fields(cmd)
	verb, args := f[0], f[1:]
	switch verb {
	case "add-nodes":
		k, _ := strconv.Atoi(args[0])
		var names []string
		for j := 0; j < k; j++ {
			names = append(names, w.addNode().name)
		}
		return strings.Join(names, " ")
	case "meet":
		a, b := w.node(t, args[0]), w.node(t, args[1])
		w.meet(a, b)
		return "ok"
	case "tick":
		ms, _ := strconv.Atoi(args[0])
		w.tick(int64(ms))
		return fmt.Sprintf("t=+%d", w.now-1_700_000_000_000)
	case "cron":
		// One clusterCron on every live node, without delivering.
		w.now += 100
		for _, n := range w.nodes {
			if !n.down {
				n.st.Tick(w.now)
				w.apply(n)
			}
		}
		return fmt.Sprintf("t=+%d in-flight=%d", w.now-1_700_000_000_000, len(w.flight))
	case "config":
		// config <key> <value> [node]: for every node (and those added later), or one.
		apply := func(c *Config) {
			switch args[0] {
			case "require-full-coverage":
				c.RequireFullCoverage = args[1] == "yes"
			case "announce-hostname":
				c.AnnounceHostname = strings.TrimPrefix(args[1], "-") // "-": none
			case "announce-ip":
				c.AnnounceIP = args[1]
			case "node-timeout":
				v, _ := strconv.Atoi(args[1])
				c.NodeTimeout = int64(v)
			case "replica-validity-factor":
				v, _ := strconv.Atoi(args[1])
				c.ReplicaValidityFactor = v
				c.ReplPingReplicaPeriod = 10
			case "replica-no-failover":
				c.ReplicaNoFailover = args[1] == "yes"
			case "allow-replica-migration":
				c.AllowReplicaMigration = args[1] == "yes"
			default:
				t.Fatalf("unknown config %q", args[0])
			}
		}
		targets := w.nodes
		if len(args) > 2 {
			targets = []*simNode{w.node(t, args[2])}
		} else {
			apply(&w.conf)
		}
		for _, n := range targets {
			c := n.st.Config()
			apply(&c)
			n.st.SetConfig(c)
		}
		return "ok"
	case "info":
		return string(w.node(t, args[0]).st.AppendInfo(nil, 0))
	case "publish":
		n := w.node(t, args[0])
		n.st.Publish([]byte(args[1]), []byte(args[2]), len(args) > 3 && args[3] == "shard")
		w.apply(n)
		return fmt.Sprintf("in-flight=%d", len(w.flight))
	case "repl-link":
		// repl-link <node> up|down <ms ago>: the last interaction with the
		// master (up) or when the link went down.
		n := w.node(t, args[0])
		ago, _ := strconv.Atoi(args[2])
		n.st.SetMasterDataTime(w.now - int64(ago))
		return "ok"
	case "offset":
		n := w.node(t, args[0])
		v, _ := strconv.Atoi(args[1])
		n.st.SetReplOffset(int64(v))
		return "ok"
	case "received":
		var b strings.Builder
		for _, n := range w.nodes {
			if len(n.delivered) > 0 {
				fmt.Fprintf(&b, "%s: %s\n", n.name, strings.Join(n.delivered, " "))
			}
			n.delivered = nil
		}
		return b.String()
	case "deliver":
		return fmt.Sprintf("delivered %d", w.deliver(1<<30))
	case "drop":
		k := len(w.flight)
		w.flight = nil
		return fmt.Sprintf("dropped %d", k)
	case "stabilize":
		// Run until 4 x node-timeout pass with no change in anyone's view
		// (failure detection and elections take a few timeouts).
		prev, same := "", 0
		for k := 0; k < 600 && same < 20; k++ {
			w.tick(1000)
			v := w.view()
			if v == prev {
				same++
			} else {
				same = 0
			}
			prev = v
		}
		return "ok"
	case "partition":
		var groups [][]int
		for _, g := range args {
			var grp []int
			for _, name := range strings.Split(g, ",") {
				grp = append(grp, w.node(t, name).idx)
			}
			groups = append(groups, grp)
		}
		w.partition(groups)
		return "ok"
	case "heal":
		w.heal()
		return "ok"
	case "kill":
		w.kill(w.node(t, args[0]))
		return "ok"
	case "revive":
		n := w.node(t, args[0])
		n.down = false
		return "ok"
	case "loss":
		w.lossPct, _ = strconv.Atoi(args[0])
		return "ok"
	case "addslots", "delslots":
		n := w.node(t, args[0])
		var err error
		if verb == "addslots" {
			err = n.st.AddSlots(parseSlots(t, args[1:]))
		} else {
			err = n.st.DelSlots(parseSlots(t, args[1:]))
		}
		w.apply(n)
		return w.errText(err)
	case "set-config-epoch":
		n := w.node(t, args[0])
		e, _ := strconv.Atoi(args[1])
		err := n.st.SetConfigEpoch(int64(e))
		w.apply(n)
		return w.errText(err)
	case "bumpepoch":
		n := w.node(t, args[0])
		e, b := n.st.BumpEpoch()
		w.apply(n)
		return fmt.Sprintf("%v %d", map[bool]string{true: "BUMPED", false: "STILL"}[b], e)
	case "replicate", "forget", "setslot-node", "setslot-migrating", "setslot-importing":
		n := w.node(t, args[0])
		var err error
		switch verb {
		case "replicate":
			err = n.st.Replicate(w.node(t, args[1]).st.Myself().ID)
		case "forget":
			err = n.st.Forget(w.node(t, args[1]).st.Myself().ID)
		default:
			slot, _ := strconv.Atoi(args[1])
			id := w.node(t, args[2]).st.Myself().ID
			switch verb {
			case "setslot-node":
				err = n.st.SetSlotNode(slot, id)
			case "setslot-migrating":
				err = n.st.SetSlotMigrating(slot, id)
			default:
				err = n.st.SetSlotImporting(slot, id)
			}
		}
		w.apply(n)
		return w.errText(err)
	case "flushslots-check":
		n := w.node(t, args[0])
		err := n.st.FlushSlots()
		w.apply(n)
		return w.errText(err)
	case "keys":
		n := w.node(t, args[0])
		slot, _ := strconv.Atoi(args[1])
		c, _ := strconv.Atoi(args[2])
		n.keys[slot] = c
		return "ok"
	case "failover":
		n := w.node(t, args[0])
		mode := FailoverDefault
		if len(args) > 1 {
			mode = map[string]FailoverMode{"force": FailoverForce, "takeover": FailoverTakeover}[args[1]]
		}
		err := n.st.Failover(mode)
		w.apply(n)
		return w.errText(err)
	case "reset":
		n := w.node(t, args[0])
		flush, err := n.st.Reset(len(args) > 1 && args[1] == "hard")
		w.apply(n)
		return fmt.Sprintf("%s flush=%v", w.errText(err), flush)
	case "nodes":
		return w.nodesOf(w.node(t, args[0]))
	case "slots":
		return w.slotsOf(w.node(t, args[0]))
	case "state":
		var b strings.Builder
		for _, n := range w.nodes {
			if n.down {
				fmt.Fprintf(&b, "%s: down\n", n.name)
				continue
			}
			st := "fail"
			if n.st.OK() {
				st = "ok"
			}
			fmt.Fprintf(&b, "%s: %s size=%d currentEpoch=%d myEpoch=%d known=%d\n", n.name, st, n.st.Size(), n.st.CurrentEpoch(), n.st.MyEpoch(), len(n.st.Nodes()))
		}
		return b.String()
	case "flags":
		// flags <about>: how every live node sees one node.
		about := w.node(t, args[0]).st.Myself().ID
		var b strings.Builder
		for _, n := range w.nodes {
			if n.down {
				continue
			}
			o := n.st.Node(about)
			if o == nil {
				fmt.Fprintf(&b, "%s: unknown\n", n.name)
				continue
			}
			fmt.Fprintf(&b, "%s: %s\n", n.name, AppendFlags(nil, o.Flags))
		}
		return b.String()
	case "failure-reports":
		about := w.node(t, args[0]).st.Myself().ID
		var b strings.Builder
		for _, n := range w.nodes {
			if n.down {
				continue
			}
			c, err := n.st.CountFailureReports(about)
			if err != nil {
				fmt.Fprintf(&b, "%s: %v\n", n.name, err)
				continue
			}
			fmt.Fprintf(&b, "%s: %d\n", n.name, c)
		}
		return b.String()
	case "log":
		w.logs = args[0] == "on"
		return "ok"
	}
	t.Fatalf("unknown verb %q", verb)
	return ""
}

// view summarizes every node's view, for stabilize.
func (w *simNet) view() string {
	var b strings.Builder
	for _, n := range w.nodes {
		if !n.down {
			b.WriteString(w.nodesOf(n))
			fmt.Fprintf(&b, "%v %d\n", n.st.OK(), n.st.CurrentEpoch())
		}
	}
	return b.String()
}

// nodesOf is CLUSTER NODES with IDs as names and without addresses and times.
func (w *simNet) nodesOf(n *simNode) string {
	var lines []string
	for _, o := range n.st.Nodes() {
		master := "-"
		if o.Master() != nil {
			master = w.label(o.Master().ID)
		}
		epoch := o.ConfigEpoch
		if o.IsReplica() && o.Master() != nil {
			epoch = o.Master().ConfigEpoch
		}
		link := "disconnected"
		if o.Connected() {
			link = "connected"
		}
		var slots []string
		for _, r := range SlotRanges(o.Slots()) {
			if r[0] == r[1] {
				slots = append(slots, strconv.Itoa(r[0]))
			} else {
				slots = append(slots, fmt.Sprintf("%d-%d", r[0], r[1]))
			}
		}
		name := w.label(o.ID)
		if sn := w.find(name); o.IP != "" && (sn == nil || o.IP != sn.ip) {
			name += "@" + o.IP
		}
		if o.Hostname != "" {
			name += "," + o.Hostname
		}
		l := fmt.Sprintf("%s %s %s %d %s", name, AppendFlags(nil, o.Flags), master, epoch, link)
		if len(slots) > 0 {
			l += " " + strings.Join(slots, " ")
		}
		lines = append(lines, l)
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

func (w *simNet) slotsOf(n *simNode) string {
	var b strings.Builder
	start := 0
	for j := 1; j <= NumSlots; j++ {
		if j < NumSlots && n.st.SlotOwner(j) == n.st.SlotOwner(start) {
			continue
		}
		owner := "-"
		if o := n.st.SlotOwner(start); o != nil {
			owner = w.label(o.ID)
		}
		fmt.Fprintf(&b, "%d-%d %s\n", start, j-1, owner)
		start = j
	}
	return b.String()
}
