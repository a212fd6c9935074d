package clustertool

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"shoal/internal/cli/conn"
	"shoal/internal/cli/format"
	"shoal/internal/encoding"
	"shoal/internal/resp"
)

// create is clusterManagerCommandCreate.
func (t *tool) create(argv []string) bool {
	for _, addr := range argv {
		ip, port, _, ok := parseAddr(addr)
		if !ok {
			t.errf("Invalid address format: %s\n", addr)
			return false
		}
		n := newNode(ip, port, 0)
		if !t.connect(n) {
			return false
		}
		t.nodes = append(t.nodes, n)
		if !t.checkNewNode(n) {
			return false
		}
	}
	replicas := t.opt.Replicas
	masters := len(t.nodes) / (replicas + 1)
	if masters < 3 {
		t.logErr("*** ERROR: Invalid configuration for cluster creation.\n"+
			"*** Redis Cluster requires at least 3 master nodes.\n"+
			"*** This is not possible with %d nodes and %d replicas per node.", len(t.nodes), replicas)
		t.logErr("\n*** At least %d nodes are required.\n", 3*(replicas+1))
		return false
	}
	t.logInfo(">>> Performing hash slots allocation on %d nodes...\n", len(t.nodes))
	// Group by IP, then interleave the groups.
	var ips []string
	byIP := map[string][]*node{}
	for _, n := range t.nodes {
		if _, ok := byIP[n.ip]; !ok {
			ips = append(ips, n.ip)
		}
		byIP[n.ip] = append(byIP[n.ip], n)
	}
	var interleaved []*node
	queues := map[string][]*node{}
	for ip, l := range byIP {
		queues[ip] = append([]*node(nil), l...)
	}
	for len(interleaved) < len(t.nodes) {
		for _, ip := range ips {
			if q := queues[ip]; len(q) > 0 {
				interleaved = append(interleaved, q[0])
				queues[ip] = q[1:]
			}
		}
	}
	mlist := interleaved[:masters]
	rest := append([]*node(nil), interleaved[masters:]...)
	perNode := float32(numSlots) / float32(masters)
	first := 0
	cursor := float32(0)
	for i, m := range mlist {
		last := int(math.Round(float64(cursor + perNode - 1)))
		if last > numSlots || i == masters-1 {
			last = numSlots - 1
		}
		if last < first {
			last = first
		}
		t.printf("Master[%d] -> Slots %d - %d\n", i, first, last)
		m.resetSlots()
		for s := first; s <= last; s++ {
			m.slots[s] = true
			m.nslots++
		}
		m.dirty = true
		first = last + 1
		cursor += perNode
	}
	if len(rest) > 0 {
		rest = append(rest[1:], rest[0])
	}
	available := len(rest)
	assignUnused := false
	for {
		for _, m := range mlist {
			assigned := 0
			for assigned < replicas && available > 0 {
				var slave *node
				firstIdx := -1
				for j, n := range rest {
					if n == nil {
						continue
					}
					if n.ip != m.ip {
						slave = n
						rest[j] = nil
						break
					}
					if firstIdx < 0 {
						firstIdx = j
					}
				}
				if slave == nil && firstIdx >= 0 {
					slave = rest[firstIdx]
					rest = rest[firstIdx+1:]
				}
				if slave == nil {
					break
				}
				assigned++
				available--
				slave.replicate = m.name
				slave.dirty = true
				t.printf("Adding replica %s:%d to %s:%d\n", slave.ip, slave.port, m.ip, m.port)
				if assignUnused {
					break
				}
			}
		}
		if assignUnused || available == 0 {
			break
		}
		assignUnused = true
		t.printf("Adding extra replicas...\n")
	}
	t.optimizeAntiAffinity(ips, byIP)
	t.showNodes()
	if !t.confirm("Can I set the above configuration?", false) {
		return true
	}
	for _, n := range t.nodes {
		if e, ok := t.flushNodeConfig(n); !ok && n.dirty && n.replicate == "" {
			if e != "" {
				t.printReplyError(n, e)
			}
			return false
		}
	}
	t.logInfo(">>> Nodes configuration updated\n")
	t.logInfo(">>> Assign a different config epoch to each node\n")
	for i, n := range t.nodes {
		n.do("cluster", "set-config-epoch", strconv.Itoa(i+1))
	}
	t.logInfo(">>> Sending CLUSTER MEET messages to join the cluster\n")
	head := t.nodes[0]
	headIP, ok := resolve(head.ip)
	if !ok {
		t.errf("Invalid IP address or hostname specified: %s\n", head.ip)
		return false
	}
	for _, n := range t.nodes[1:] {
		var v resp.Value
		var ok bool
		if head.busPort == 0 || head.busPort == head.port+portIncr {
			v, ok = n.do("cluster", "meet", headIP, strconv.Itoa(head.port))
		} else {
			v, ok = n.do("cluster", "meet", headIP, strconv.Itoa(head.port), strconv.Itoa(head.busPort))
		}
		if !ok {
			t.errf("Failed to send CLUSTER MEET command.\n")
			return false
		}
		if v.Kind == '-' {
			t.printReplyError(n, string(v.Str))
			return false
		}
	}
	time.Sleep(time.Second)
	t.waitForClusterJoin()
	for _, n := range t.nodes {
		if !n.dirty {
			continue
		}
		if e, ok := t.flushNodeConfig(n); !ok && n.replicate == "" {
			if e != "" {
				t.printReplyError(n, e)
			}
			return false
		}
	}
	for _, n := range t.nodes[1:] {
		n.c.Close()
		n.c = nil
	}
	head.friends, head.flags, head.replicas = nil, 0, 0
	t.nodes = []*node{head}
	if !t.loadFromNode(head) {
		return false
	}
	t.checkCluster(false)
	return true
}

// flushNodeConfig is clusterManagerFlushNodeConfig: CLUSTER REPLICATE for
// a replica, CLUSTER ADDSLOTS for a master.
func (t *tool) flushNodeConfig(n *node) (string, bool) {
	if !n.dirty {
		return "", false
	}
	if n.replicate != "" {
		v, ok := n.do("CLUSTER", "REPLICATE", n.replicate)
		if !ok {
			return "", false
		}
		if v.Kind == '-' {
			return string(v.Str), false
		}
	} else {
		args := []string{"CLUSTER", "ADDSLOTS"}
		for s := 0; s < numSlots; s++ {
			if n.slots[s] {
				args = append(args, strconv.Itoa(s))
			}
		}
		if len(args) == 2 {
			n.dirty = false
			return "", false
		}
		v, ok := n.do(args...)
		if !ok {
			n.dirty = false
			return "", false
		}
		if v.Kind == '-' {
			n.dirty = false
			return string(v.Str), false
		}
	}
	n.dirty = false
	return "", true
}

// antiAffinityScore is clusterManagerGetAntiAffinityScore.
func (t *tool) antiAffinityScore(ips []string, byIP map[string][]*node) (int, []*node) {
	score := 0
	var offending []*node
	for _, ip := range ips {
		types := map[string]string{}
		var order []string
		for _, n := range byIP[ip] {
			key := n.replicate
			if key == "" {
				key = n.name
			}
			if _, ok := types[key]; !ok {
				order = append(order, key)
			}
			if n.replicate != "" {
				types[key] += "s"
			} else {
				types[key] = "m" + types[key]
			}
		}
		for _, key := range order {
			ty := types[key]
			if len(ty) < 2 {
				continue
			}
			if ty[0] == 'm' {
				score += 10000 * (len(ty) - 1)
			} else {
				score += len(ty)
			}
			for _, n := range t.nodes {
				if n.replicate == key && n.ip == ip {
					offending = append(offending, n)
					break
				}
			}
		}
	}
	return score, offending
}

// optimizeAntiAffinity is clusterManagerOptimizeAntiAffinity: random
// swaps of replicas' masters while the score does not get worse.
func (t *tool) optimizeAntiAffinity(ips []string, byIP map[string][]*node) {
	score, _ := t.antiAffinityScore(ips, byIP)
	if score == 0 {
		return
	}
	t.logInfo(">>> Trying to optimize slaves allocation for anti-affinity\n")
	rng := newRand()
	for iter := 500 * len(t.nodes); iter > 0; iter-- {
		var off []*node
		score, off = t.antiAffinityScore(ips, byIP)
		if score == 0 || len(off) == 0 {
			break
		}
		first := off[rng.IntN(len(off))]
		var others []*node
		for _, n := range t.nodes {
			if n != first && n.replicate != "" {
				others = append(others, n)
			}
		}
		if len(others) == 0 {
			break
		}
		second := others[rng.IntN(len(others))]
		fm, sm := first.replicate, second.replicate
		first.replicate, second.replicate = sm, fm
		if ns, _ := t.antiAffinityScore(ips, byIP); ns > score {
			first.replicate, second.replicate = fm, sm
		}
	}
	score, _ = t.antiAffinityScore(ips, byIP)
	switch {
	case score == 0:
		t.logOK("%s\n", "[OK] Perfect anti-affinity obtained!")
	case score >= 10000:
		t.logWarn("%s\n", "[WARNING] Some slaves are in the same host as their master")
	default:
		t.logWarn("%s\n", "[WARNING] Some slaves of the same master are in the same host")
	}
}

func (t *tool) loadFromArgs(argv []string) bool {
	ip, port, ok := hostFromArgs(argv)
	if !ok {
		t.errf(invalidHostArg)
		return false
	}
	return t.loadFromNode(newNode(ip, port, 0))
}

func (t *tool) check(argv []string) bool {
	if !t.loadFromArgs(argv) {
		return false
	}
	t.showClusterInfo()
	return t.checkCluster(false)
}

func (t *tool) fix(argv []string) bool {
	t.opt.Flags |= FlagFix
	return t.check(argv)
}

func (t *tool) infoCmd(argv []string) bool {
	if !t.loadFromArgs(argv) {
		return false
	}
	t.showClusterInfo()
	return true
}

// addNode is clusterManagerCommandAddNode.
func (t *tool) addNode(argv []string) bool {
	refIP, refPort, ok1 := hostFromArgs(argv[1:])
	ip, port, ok2 := hostFromArgs(argv[:1])
	if !ok1 || !ok2 {
		t.errf(invalidHostArg)
		return false
	}
	t.logInfo(">>> Adding node %s:%d to cluster %s:%d\n", ip, port, refIP, refPort)
	ref := newNode(refIP, refPort, 0)
	if !t.loadFromNode(ref) || !t.checkCluster(false) {
		return false
	}
	var master *node
	if t.opt.Flags&FlagSlave != 0 {
		if t.opt.MasterID != "" {
			if master = t.byName(t.opt.MasterID); master == nil {
				t.logErr("[ERR] No such master ID %s\n", t.opt.MasterID)
				return false
			}
		} else {
			master = t.leastReplicas()
			t.printf("Automatically selected master %s:%d\n", master.ip, master.port)
		}
	}
	nn := newNode(ip, port, 0)
	c, err := conn.DialHost(ip, port, 0)
	if err != nil {
		t.errf("Could not connect to Redis at %s:%d: %s\n", ip, port, err)
		t.logErr("[ERR] Sorry, can't connect to node %s:%d\n", ip, port)
		return false
	}
	nn.c = c
	if t.opt.Auth != "" {
		args := []string{"AUTH", t.opt.Auth}
		if t.opt.User != "" {
			args = []string{"AUTH", t.opt.User, t.opt.Auth}
		}
		if v, ok := nn.do(args...); !t.checkReply(nn, v, ok) {
			t.logErr("[ERR] Sorry, can't connect to node %s:%d\n", ip, port)
			return false
		}
	}
	added := false
	defer func() {
		if !added {
			nn.c.Close()
		}
	}()
	if !t.checkNewNode(nn) {
		return false
	}
	head := t.nodes[0]
	if master == nil {
		t.logInfo(">>> Getting functions from cluster\n")
		v, ok := ref.do("FUNCTION", "DUMP")
		if !ok || v.Kind == '-' {
			t.logInfo(">>> Failed retrieving Functions from the cluster, skip this step as Redis version do not support function command (error = '%s')\n", replyError(v, ok))
		} else {
			t.logInfo(">>> Send FUNCTION LIST to %s:%d to verify there is no functions in it\n", ip, port)
			l, ok := nn.do("FUNCTION", "LIST")
			if !ok || l.Kind == '-' {
				t.logErr(">>> Failed on CLUSTER LIST (error = '%s')\r\n", replyError(l, ok))
				return false
			}
			if len(l.Elems) > 0 {
				t.logErr(">>> New node already contains functions and can not be added to the cluster. Use FUNCTION FLUSH and try again.\r\n")
				return false
			}
			t.logInfo(">>> Send FUNCTION RESTORE to %s:%d\n", ip, port)
			r, ok := nn.do("FUNCTION", "RESTORE", string(v.Str))
			if !ok || r.Kind == '-' {
				t.logErr(">>> Failed loading functions to the new node (error = '%s')\r\n", replyError(r, ok))
				return false
			}
		}
	}
	t.logInfo(">>> Send CLUSTER MEET to node %s:%d to make it join the cluster.\n", ip, port)
	headIP, ok := resolve(head.ip)
	if !ok {
		t.errf("Invalid IP address or hostname specified: %s\n", head.ip)
		return false
	}
	v, ok := t.meet(nn, head, headIP)
	if !t.checkReply(nn, v, ok) {
		return false
	}
	t.nodes = append(t.nodes, nn)
	added = true
	if master != nil {
		time.Sleep(time.Second)
		t.waitForClusterJoin()
		t.logInfo(">>> Configure node as replica of %s:%d.\n", master.ip, master.port)
		v, ok = nn.do("CLUSTER", "REPLICATE", master.name)
		if !t.checkReply(nn, v, ok) {
			return false
		}
	}
	t.logOK("[OK] New node added correctly.\n")
	return true
}

// delNode is clusterManagerCommandDeleteNode.
func (t *tool) delNode(argv []string) bool {
	ip, port, ok := hostFromArgs(argv[:1])
	if !ok {
		t.errf(invalidHostArg)
		return false
	}
	id := argv[1]
	t.logInfo(">>> Removing node %s from cluster %s:%d\n", id, ip, port)
	if !t.loadFromNode(newNode(ip, port, 0)) {
		return false
	}
	n := t.byName(id)
	if n == nil {
		t.logErr("[ERR] No such node ID %s\n", id)
		return false
	}
	if n.nslots != 0 {
		t.logErr("[ERR] Node %s:%d is not empty! Reshard data away and try again.\n", n.ip, n.port)
		return false
	}
	t.logInfo(">>> Sending CLUSTER FORGET messages to the cluster...\n")
	for _, x := range t.nodes {
		if x == n {
			continue
		}
		if x.replicate != "" && strings.EqualFold(x.replicate, id) {
			m := t.leastReplicas()
			t.logInfo(">>> %s:%d as replica of %s:%d\n", x.ip, x.port, m.ip, m.port)
			if v, ok := x.do("CLUSTER", "REPLICATE", m.name); !t.checkReply(x, v, ok) {
				return false
			}
		}
		if v, ok := x.do("CLUSTER", "FORGET", id); !t.checkReply(x, v, ok) {
			return false
		}
	}
	t.logInfo(">>> Sending CLUSTER RESET SOFT to the deleted node.\n")
	v, ok := n.do("CLUSTER", "RESET", "SOFT")
	return t.checkReply(n, v, ok)
}

func (t *tool) forResharding(id string, target *node) (n *node, raise bool) {
	n = t.byName(id)
	if n == nil || n.isSlave() {
		t.logErr("*** The specified node (%s) is not known or not a master, please retry.\n", id)
		return nil, true
	}
	if target != nil && n.name == target.name {
		t.logErr("*** It is not possible to use the target node as source node.\n")
		return nil, false
	}
	return n, false
}

// prompt prints a question and reads a line of at most max-1 bytes,
// retrying on an empty read as redis-cli's loops do; ok is false at EOF.
func (t *tool) prompt(q string, max int) (string, bool) {
	t.printf("%s", q)
	t.flush()
	line, err := t.stdin.ReadString('\n')
	if err != nil && line == "" {
		return "", false
	}
	line = strings.TrimRight(line, "\n")
	if len(line) > max-1 {
		line = line[:max-1]
	}
	return line, true
}

// reshard is clusterManagerCommandReshard.
func (t *tool) reshard(argv []string) bool {
	if !t.loadFromArgs(argv) {
		return false
	}
	t.checkCluster(false)
	if len(t.errors) > 0 {
		t.errf("*** Please fix your cluster problems before resharding\n")
		return false
	}
	slots := t.opt.Slots
	for slots <= 0 || slots > numSlots {
		line, ok := t.prompt(fmt.Sprintf("How many slots do you want to move (from 1 to %d)? ", numSlots), 6)
		if !ok {
			return false
		}
		slots = atoi(line)
	}
	to, from := t.opt.To, t.opt.From
	for to == "" {
		line, ok := t.prompt("What is the receiving node ID? ", 255)
		if !ok {
			return false
		}
		to = line
	}
	target, _ := t.forResharding(to, nil)
	if target == nil {
		return false
	}
	var sources []*node
	all := false
	add := func(id string) bool {
		src, raise := t.forResharding(id, target)
		if src != nil {
			sources = append(sources, src)
		}
		return !raise
	}
	if from == "" && t.opt.From == "" {
		t.printf("Please enter all the source node IDs.\n")
		t.printf("  Type 'all' to use all the nodes as source nodes for the hash slots.\n")
		t.printf("  Type 'done' once you entered all the source nodes IDs.\n")
		for {
			line, ok := t.prompt(fmt.Sprintf("Source node #%d: ", len(sources)+1), 255)
			if !ok {
				return false
			}
			if line == "done" {
				break
			}
			if line == "all" {
				all = true
				break
			}
			if !add(line) {
				return false
			}
		}
	} else {
		for _, id := range strings.Split(from, ",") {
			if id == "all" {
				all = true
				break
			}
			if id != "" && !add(id) {
				return false
			}
		}
	}
	if all {
		sources = nil
		for _, n := range t.nodes {
			if n.isSlave() || n.replicate != "" || n.name == target.name {
				continue
			}
			sources = append(sources, n)
		}
	}
	if len(sources) == 0 {
		t.errf("*** No source nodes given, operation aborted.\n")
		return false
	}
	t.printf("\nReady to move %d slots.\n", slots)
	t.printf("  Source nodes:\n")
	for _, s := range sources {
		t.printf("%s\n", s.info(4))
	}
	t.printf("  Destination node:\n")
	t.printf("%s\n", target.info(4))
	table := reshardTable(sources, slots)
	t.printf("  Resharding plan:\n")
	for _, it := range table {
		t.printf("    Moving slot %d from %s\n", it.slot, it.src.name)
	}
	if t.opt.Flags&FlagYes == 0 {
		t.printf("Do you want to proceed with the proposed reshard plan (yes/no)? ")
		t.flush()
		if t.readAnswer(4) != "yes" {
			return false
		}
	}
	t.startProgress(len(table))
	defer t.endProgress()
	for _, it := range table {
		if e, ok := t.moveSlot(it.src, target, it.slot, optVerbose); !ok {
			if e != "" {
				t.logErr("clusterManagerMoveSlot failed: %s\n", e)
			}
			return false
		}
	}
	return true
}

// rebalance is clusterManagerCommandRebalance.
func (t *tool) rebalance(argv []string) bool {
	if !t.loadFromArgs(argv) {
		return false
	}
	for _, w := range t.opt.Weights {
		name, val, ok := strings.Cut(w, "=")
		if !ok {
			t.logErr("*** invalid input %s\n", w)
			return false
		}
		n := t.byAbbreviatedName(name)
		if n == nil {
			t.logErr("*** No such master node %s\n", name)
			return false
		}
		f, _ := strconv.ParseFloat(val, 32)
		n.weight = float64(float32(f))
	}
	useEmpty := t.opt.Flags&FlagEmptyMaster != 0
	var involved []*node
	total := float32(0)
	for _, n := range t.nodes {
		if n.isSlave() || n.replicate != "" {
			continue
		}
		if !useEmpty && n.nslots == 0 {
			n.weight = 0
			continue
		}
		total += float32(n.weight)
		involved = append(involved, n)
	}
	t.checkCluster(true)
	if len(t.errors) > 0 {
		t.logErr("*** Please fix your cluster problems before rebalancing\n")
		return false
	}
	reached := false
	totalBalance := 0
	threshold := float32(t.opt.Threshold)
	for _, n := range involved {
		expected := int(float32(numSlots) / total * float32(n.weight))
		n.balance = n.nslots - expected
		totalBalance += n.balance
		over := false
		if threshold > 0 {
			if n.nslots > 0 {
				errPerc := float32(math.Abs(100 - 100.0*float64(expected)/float64(n.nslots)))
				over = errPerc > threshold
			} else if expected > 1 {
				over = true
			}
		}
		if over {
			reached = true
		}
	}
	if !reached {
		t.logWarn("*** No rebalancing needed! All nodes are within the %.2f%% threshold.\n", t.opt.Threshold)
		return true
	}
	for totalBalance > 0 {
		for _, n := range involved {
			if n.balance <= 0 && totalBalance > 0 {
				n.balance--
				totalBalance--
			}
		}
	}
	sorted := append([]*node(nil), involved...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].balance < sorted[j-1].balance; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	t.logInfo(">>> Rebalancing across %d nodes. Total weight = %.2f\n", len(involved), total)
	simulate := t.opt.Flags&FlagSimulate != 0
	toMove := 0
	for _, n := range sorted {
		if n.balance > 0 {
			toMove += n.balance
		}
	}
	if !simulate {
		t.startProgress(toMove)
		defer t.endProgress()
	}
	dstIdx, srcIdx := 0, len(sorted)-1
	for dstIdx < srcIdx {
		dst, src := sorted[dstIdx], sorted[srcIdx]
		db, sb := abs(dst.balance), abs(src.balance)
		num := min(db, sb)
		if num > 0 {
			t.printf("Moving %d slots from %s:%d to %s:%d\n", num, src.ip, src.port, dst.ip, dst.port)
			table := reshardTable([]*node{src}, num)
			if len(table) != num {
				t.logErr("*** Assertion failed: Reshard table != number of slots")
				return false
			}
			if simulate {
				t.printf("%s", strings.Repeat("#", len(table)))
			} else {
				for _, it := range table {
					if e, ok := t.moveSlot(it.src, dst, it.slot, optQuiet|optUpdate); !ok {
						t.logErr("*** clusterManagerMoveSlot: %s\n", e)
						return false
					}
					t.printf("#")
					t.flush()
				}
			}
			t.printf("\n")
		}
		dst.balance += num
		src.balance -= num
		if dst.balance == 0 {
			dstIdx++
		}
		if src.balance == 0 {
			srcIdx--
		}
	}
	return true
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// setTimeout is clusterManagerCommandSetTimeout.
func (t *tool) setTimeout(argv []string) bool {
	ip, port, ok := hostFromArgs(argv[:1])
	if !ok {
		t.errf(invalidHostArg)
		return false
	}
	timeout := atoi(argv[1])
	if timeout < 100 {
		t.errf("Setting a node timeout of less than 100 milliseconds is a bad idea.\n")
		return false
	}
	if !t.loadFromNode(newNode(ip, port, 0)) {
		return false
	}
	okCount, errCount := 0, 0
	t.logInfo(">>> Reconfiguring node timeout in every cluster node...\n")
	for _, n := range t.nodes {
		e := ""
		v, ok := n.do("CONFIG", "SET", "cluster-node-timeout", strconv.Itoa(timeout))
		if ok && v.Kind != '-' {
			v, ok = n.do("CONFIG", "REWRITE")
		}
		if ok && v.Kind != '-' {
			t.logWarn("*** New timeout set for %s:%d\n", n.ip, n.port)
			okCount++
			continue
		}
		if ok {
			e = string(v.Str)
		}
		t.logErr("ERR setting node-timeout for %s:%d: %s\n", n.ip, n.port, e)
		errCount++
	}
	t.logInfo(">>> New node timeout set. %d OK, %d ERR.\n", okCount, errCount)
	return true
}

// call is clusterManagerCommandCall.
func (t *tool) call(argv []string) bool {
	if !t.loadFromArgs(argv[:1]) {
		return false
	}
	cmd := argv[1:]
	t.logInfo(">>> Calling")
	for _, a := range cmd {
		t.printf(" %s", a)
	}
	t.printf("\n")
	for _, n := range t.nodes {
		if t.opt.Flags&FlagMastersOnly != 0 && n.replicate != "" {
			continue
		}
		if t.opt.Flags&FlagSlavesOnly != 0 && n.replicate == "" {
			continue
		}
		if n.c == nil && !t.connect(n) {
			continue
		}
		v, ok := n.do(cmd...)
		if !ok {
			t.printf("%s:%d: Failed!\n", n.ip, n.port)
			continue
		}
		out, err := format.Reply(nil, v, format.Raw, true, "\n", "\n")
		if err != nil {
			t.printf("%s:%d: Failed!\n", n.ip, n.port)
			continue
		}
		t.printf("%s:%d: %s\n", n.ip, n.port, out)
	}
	t.flush()
	return true
}

// importCmd is clusterManagerCommandImport.
func (t *tool) importCmd(argv []string) bool {
	ip, port, ok := hostFromArgs(argv)
	if !ok {
		t.errf(invalidHostArg)
		return false
	}
	if t.opt.From == "" {
		t.errf("[ERR] Option '--cluster-from' is required for subcommand 'import'.\n")
		return false
	}
	srcIP, srcPort, ok := hostFromArgs([]string{t.opt.From})
	if !ok {
		t.errf("[ERR] Invalid --cluster-from host. You need to pass a valid address (ie. 120.0.0.1:7000).\n")
		return false
	}
	t.logInfo(">>> Importing data from %s:%d to cluster %s:%d\n", srcIP, srcPort, ip, port)
	if !t.loadFromNode(newNode(ip, port, 0)) || !t.checkCluster(false) {
		return false
	}
	src, err := conn.DialHost(srcIP, srcPort, 0)
	if err != nil {
		t.errf("Could not connect to Redis at %s:%d: %s.\n", srcIP, srcPort, err)
		return false
	}
	defer src.Close()
	replyErr := func(v resp.Value) bool {
		t.logErr("Source %s:%d replied with error:\n%s\n", srcIP, srcPort, v.Str)
		return false
	}
	if t.opt.FromPass != "" {
		args := []string{"AUTH", t.opt.FromPass}
		if t.opt.FromUser != "" {
			args = []string{"AUTH", t.opt.FromUser, t.opt.FromPass}
		}
		v, err := src.Do(args...)
		if err != nil {
			t.errf("\nI/O error\n")
			return false
		}
		if v.Kind == '-' {
			t.errf("AUTH failed: %s\n", v.Str)
			return false
		}
	}
	v, err := src.Do("INFO")
	if err != nil {
		return false
	}
	if v.Kind == '-' {
		return replyErr(v)
	}
	if ce, _ := infoField(string(v.Str), "cluster_enabled"); atoi(ce) != 0 {
		t.logErr("[ERR] The source node should not be a cluster node.\n")
		return false
	}
	v, err = src.Do("DBSIZE")
	if err != nil {
		return false
	}
	if v.Kind == '-' {
		return replyErr(v)
	}
	t.logWarn("*** Importing %d keys from DB 0\n", v.Int)
	var owners [numSlots]*node
	for s := 0; s < numSlots; s++ {
		for _, n := range t.nodes {
			if !n.isSlave() && n.nslots > 0 && n.slots[s] {
				owners[s] = n
				break
			}
		}
	}
	cursor := "0"
	for {
		v, err = src.Do("SCAN", cursor, "COUNT", "1000")
		if err != nil {
			return false
		}
		if v.Kind == '-' {
			return replyErr(v)
		}
		if len(v.Elems) < 2 {
			return false
		}
		cursor = strconv.Itoa(atoi(string(v.Elems[0].Str)))
		for _, k := range v.Elems[1].Elems {
			key := string(k.Str)
			dst := owners[encoding.KeyHashSlot(k.Str)]
			t.printf("Migrating %s to %s:%d: ", key, dst.ip, dst.port)
			args := []string{"MIGRATE", dst.ip, strconv.Itoa(dst.port), key, "0", strconv.Itoa(t.opt.Timeout)}
			if t.opt.Auth != "" {
				if t.opt.User != "" {
					args = append(args, "AUTH2", t.opt.User, t.opt.Auth)
				} else {
					args = append(args, "AUTH", t.opt.Auth)
				}
			}
			if t.opt.Flags&FlagCopy != 0 {
				args = append(args, "COPY")
			}
			if t.opt.Flags&FlagReplace != 0 {
				args = append(args, "REPLACE")
			}
			r, err := src.Do(args...)
			if err != nil {
				return false
			}
			if r.Kind == '-' {
				return replyErr(r)
			}
			t.logOK("OK\n")
		}
		if cursor == "0" {
			return true
		}
	}
}

// backup is clusterManagerCommandBackup: nodes.json plus an RDB of every
// master fetched over the replication protocol (SYNC).
func (t *tool) backup(argv []string) bool {
	if !t.loadFromArgs(argv[:1]) {
		return false
	}
	noIssues := t.checkCluster(false)
	errCount := 0
	if !noIssues {
		errCount = len(t.errors)
	}
	dir := argv[1]
	var js []string
	success := true
	for _, n := range t.nodes {
		js = append(js, n.json(errCount))
		if n.replicate != "" {
			continue
		}
		t.logInfo(">>> Node %s:%d -> Saving RDB...\n", n.ip, n.port)
		file := filepath.Join(dir, fmt.Sprintf("redis-node-%s-%d-%s.rdb", n.ip, n.port, n.name))
		if !t.getRDB(n, file) {
			success = false
			break
		}
	}
	path := strings.TrimSuffix(dir, "/") + "/nodes.json"
	if success {
		t.logInfo("Saving cluster configuration to: %s\n", path)
		if err := os.WriteFile(path, []byte("[\n"+strings.Join(js, ",\n")+"\n]"), 0o644); err != nil {
			t.logErr("Could not save nodes to: %s\n", path)
			success = false
		}
	}
	if success {
		if !noIssues {
			t.logWarn("*** Cluster seems to have some problems, please be aware of it if you're going to restore this backup.\n")
		}
		t.logOK("[OK] Backup created into: %s\n", dir)
	} else {
		t.logOK("[ERR] Failed to back cluster!\n")
	}
	return success
}

// json is clusterManagerNodeGetJSON.
func (n *node) json(errCount int) string {
	rep := "null"
	if n.replicate != "" {
		rep = `"` + n.replicate + `"`
	}
	slots := strings.ReplaceAll(slotsString(&n.slots), "-", ",")
	s := fmt.Sprintf("  {\n    \"name\": \"%s\",\n    \"host\": \"%s\",\n    \"port\": %d,\n    \"replicate\": %s,\n    \"slots\": [%s],\n    \"slots_count\": %d,\n    \"flags\": \"%s\",\n    \"current_epoch\": %d",
		n.name, n.ip, n.port, rep, slots, n.nslots, n.flagString(), n.epoch)
	if errCount > 0 {
		s += fmt.Sprintf(",\n    \"cluster_errors\": %d", errCount)
	}
	pairs := func(l [][2]string) string {
		var p []string
		for _, m := range l {
			p = append(p, fmt.Sprintf("\"%s\": \"%s\"", m[0], m[1]))
		}
		return strings.Join(p, ",")
	}
	if len(n.migrating) > 0 {
		s += ",\n    \"migrating\": {" + pairs(n.migrating) + "}"
	}
	if len(n.importing) > 0 {
		s += ",\n    \"importing\": {" + pairs(n.importing) + "}"
	}
	return s + "\n  }"
}

// getRDB fetches n's RDB over its connection (SYNC), as redis-cli's
// getRDB(node), and closes that connection afterwards.
func (t *tool) getRDB(n *node, file string) bool {
	f, err := os.OpenFile(file, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		t.errf("Error opening '%s': %s\n", file, err)
		return false
	}
	defer f.Close()
	t.flush()
	err = conn.SyncRDB(n.c, f, file, t.stderr)
	n.c.Close()
	n.c = nil
	if err != nil {
		return false
	}
	if err := f.Sync(); err != nil {
		t.errf("Fail to fsync '%s': %s\n", file, err)
		return false
	}
	return true
}
