// Package clustertool is shoal-cli's --cluster admin tool, redis-cli 7.0's
// cluster manager: it loads every node's CLUSTER NODES into a model and
// runs create, check, info, fix, reshard, rebalance, add-node, del-node,
// call, set-timeout, import and backup over it, sending the commands
// /work/shared/spec/cluster-commands.md §6 lists and printing redis-cli's
// lines. Long slot moves also draw a progress bar on a terminal.
//
// It imports internal/resp and cli/conn, cli/format.
package clustertool

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"shoal/internal/cli/conn"
	"shoal/internal/resp"
)

// Log levels as CLUSTER_MANAGER_LOG_LVL_*.
const (
	lvlInfo = iota + 1
	lvlWarn
	lvlErr
	lvlOK
)

// tool is one run of a --cluster command: redis-cli's cluster_manager.
type tool struct {
	opt         Options
	stdin       *bufio.Reader
	out         *bufio.Writer
	stderr      io.Writer
	color       bool
	progressTTY bool

	nodes       []*node
	errors      []string
	unreachable int
	progress    *progress
}

type command struct {
	name    string
	run     func(*tool, []string) bool
	arity   int
	args    string
	options string
}

var commands []command

func init() {
	hostArg := "<host:port> or <host> <port> - separated by either colon or space"
	commands = []command{
		{"create", (*tool).create, -2, "host1:port1 ... hostN:portN", "replicas <arg>"},
		{"check", (*tool).check, -1, hostArg, "search-multiple-owners"},
		{"info", (*tool).infoCmd, -1, hostArg, ""},
		{"fix", (*tool).fix, -1, hostArg, "search-multiple-owners,fix-with-unreachable-masters"},
		{"reshard", (*tool).reshard, -1, hostArg, "from <arg>,to <arg>,slots <arg>,yes,timeout <arg>,pipeline <arg>,replace"},
		{"rebalance", (*tool).rebalance, -1, hostArg, "weight <node1=w1...nodeN=wN>,use-empty-masters,timeout <arg>,simulate,pipeline <arg>,threshold <arg>,replace"},
		{"add-node", (*tool).addNode, 2, "new_host:new_port existing_host:existing_port", "slave,master-id <arg>"},
		{"del-node", (*tool).delNode, 2, "host:port node_id", ""},
		{"call", (*tool).call, -2, "host:port command arg arg .. arg", "only-masters,only-replicas"},
		{"set-timeout", (*tool).setTimeout, 2, "host:port milliseconds", ""},
		{"import", (*tool).importCmd, 1, "host:port", "from <arg>,from-user <arg>,from-pass <arg>,from-askpass,copy,replace"},
		{"backup", (*tool).backup, 2, "host:port backup_directory", ""},
		{"help", (*tool).help, 0, "", ""},
	}
}

// Run runs the --cluster command in opt and returns the exit status.
// stdout receives redis-cli's output; the progress bar of slot moves goes
// to stderr when stderrTTY says it is a terminal.
func Run(opt Options, stdin io.Reader, stdout io.Writer, stderr io.Writer, stderrTTY bool) int {
	out, ok := stdout.(*bufio.Writer)
	if !ok {
		out = bufio.NewWriter(stdout)
	}
	t := &tool{opt: opt, stdin: bufio.NewReader(stdin), out: out, stderr: stderr, progressTTY: stderrTTY}
	if term := os.Getenv("TERM"); strings.Contains(term, "xterm") {
		t.color = true
	}
	defer func() {
		out.Flush()
		for _, n := range t.nodes {
			if n.c != nil {
				n.c.Close()
			}
		}
	}()
	var cmd *command
	for i := range commands {
		c := &commands[i]
		if c.name == opt.Name {
			argc := len(opt.Argv)
			if (c.arity > 0 && argc != c.arity) || (c.arity < 0 && argc < -c.arity) {
				t.errf("[ERR] Wrong number of arguments for specified --cluster sub command\n")
				return 1
			}
			cmd = c
		}
	}
	if cmd == nil {
		t.errf("Unknown --cluster subcommand\n")
		return 1
	}
	if cmd.run(t, opt.Argv) {
		return 0
	}
	return 1
}

func (t *tool) printf(f string, a ...any) { fmt.Fprintf(t.out, f, a...) }

func (t *tool) flush() { t.out.Flush() }

func (t *tool) errf(f string, a ...any) {
	t.out.Flush()
	fmt.Fprintf(t.stderr, f, a...)
}

// log is clusterManagerLog: colored when TERM names an xterm.
func (t *tool) log(level int, f string, a ...any) {
	if t.color {
		switch level {
		case lvlInfo:
			t.printf("\033[1m")
		case lvlWarn:
			t.printf("\033[33;1m")
		case lvlErr:
			t.printf("\033[31;1m")
		case lvlOK:
			t.printf("\033[32;1m")
		}
	}
	t.printf(f, a...)
	if t.color {
		t.printf("\033[0m")
	}
	t.flush()
}

func (t *tool) logInfo(f string, a ...any) { t.log(lvlInfo, f, a...) }
func (t *tool) logWarn(f string, a ...any) { t.log(lvlWarn, f, a...) }
func (t *tool) logErr(f string, a ...any)  { t.log(lvlErr, f, a...) }
func (t *tool) logOK(f string, a ...any)   { t.log(lvlOK, f, a...) }

func (t *tool) printReplyError(n *node, err string) {
	t.logErr("Node %s:%d replied with error:\n%s\n", n.ip, n.port, err)
}

const invalidHostArg = "[ERR] Invalid arguments: you need to pass either a valid " +
	"address (ie. 120.0.0.1:7000) or space separated IP " +
	"and port (ie. 120.0.0.1 7000)\n"

// connect is clusterManagerNodeConnect.
func (t *tool) connect(n *node) bool {
	if n.c != nil {
		n.c.Close()
	}
	c, err := conn.DialHost(n.ip, n.port, 0)
	if err != nil {
		t.errf("Could not connect to Redis at %s:%d: %s\n", n.ip, n.port, err)
		n.c = nil
		return false
	}
	c.DiscardPush = true
	n.c = c
	if t.opt.Auth != "" {
		var v resp.Value
		var err error
		if t.opt.User == "" {
			v, err = c.Do("AUTH", t.opt.Auth)
		} else {
			v, err = c.Do("AUTH", t.opt.User, t.opt.Auth)
		}
		if err != nil {
			return false
		}
		if v.Kind == '-' {
			t.printReplyError(n, string(v.Str))
			return false
		}
	}
	return true
}

// replyError is the text redis-cli prints for a failed call: the error
// reply's, or "NULL reply" when none came.
func replyError(v resp.Value, ok bool) string {
	if !ok {
		return "NULL reply"
	}
	return string(v.Str)
}

// checkReply is clusterManagerCheckRedisReply without an err pointer:
// errors are printed.
func (t *tool) checkReply(n *node, v resp.Value, ok bool) bool {
	if !ok {
		return false
	}
	if v.Kind == '-' {
		t.printReplyError(n, string(v.Str))
		return false
	}
	return true
}

// redisInfo returns INFO's text, or the error reply's text.
func (n *node) redisInfo() (info, errStr string, ok bool) {
	v, okIO := n.do("INFO")
	if !okIO {
		return "", "", false
	}
	if v.Kind == '-' {
		return "", string(v.Str), false
	}
	return string(v.Str), "", true
}

// infoField is redis-cli's getInfoField.
func infoField(info, field string) (string, bool) {
	p := strings.Index(info, field)
	if p < 0 {
		return "", false
	}
	v := info[min(p+len(field)+1, len(info)):]
	if n := strings.IndexAny(v, "\r,"); n >= 0 {
		v = v[:n]
	}
	return v, true
}

func (n *node) isCluster() (errStr string, ok bool) {
	info, e, okInfo := n.redisInfo()
	if !okInfo {
		return e, false
	}
	v, _ := infoField(info, "cluster_enabled")
	return "", atoi(v) != 0
}

// isEmpty is clusterManagerNodeIsEmpty: no key in db0 and no other node
// known.
func (t *tool) isEmpty(n *node) (errStr string, ok bool) {
	info, e, okInfo := n.redisInfo()
	if !okInfo {
		return e, false
	}
	if strings.Contains(info, "db0:") {
		return "", false
	}
	v, okIO := n.do("CLUSTER", "INFO")
	if !okIO {
		return "", false
	}
	if v.Kind == '-' {
		return string(v.Str), false
	}
	known, _ := infoField(string(v.Str), "cluster_known_nodes")
	return "", atoi(known) == 1
}

func (t *tool) notClusterError(n *node, e string) {
	if e == "" {
		e = "is not configured as a cluster node."
	}
	t.logErr("[ERR] Node %s:%d %s\n", n.ip, n.port, e)
}

func (t *tool) notEmptyError(n *node, e string) {
	if e == "" {
		e = "is not empty. Either the node already knows other nodes (check with CLUSTER NODES) or contains some key in database 0."
	}
	t.logErr("[ERR] Node %s:%d %s\n", n.ip, n.port, e)
}

// loadClusterNode checks that n runs in cluster mode and loads its view of
// the cluster (its friends too with friends), printing what went wrong.
func (t *tool) loadClusterNode(n *node, friends bool) bool {
	if e, ok := n.isCluster(); !ok {
		t.notClusterError(n, e)
		return false
	}
	if e, ok := n.loadInfo(friends); !ok {
		if e != "" {
			t.printReplyError(n, e)
		}
		return false
	}
	return true
}

// checkNewNode checks a node that create or add-node is to join: in
// cluster mode, its view loaded, and empty (no keys, no other node known).
func (t *tool) checkNewNode(n *node) bool {
	if !t.loadClusterNode(n, false) {
		return false
	}
	if e, ok := t.isEmpty(n); !ok {
		t.notEmptyError(n, e)
		return false
	}
	return true
}

// loadFromNode is clusterManagerLoadInfoFromNode.
func (t *tool) loadFromNode(n *node) bool {
	if n.c == nil && !t.connect(n) {
		return false
	}
	if !t.loadClusterNode(n, true) {
		return false
	}
	for _, old := range t.nodes {
		if old != n && old.c != nil {
			old.c.Close()
		}
	}
	t.nodes = []*node{n}
	for _, f := range n.friends {
		valid := false
		if f.ip != "" && f.port != 0 && t.connect(f) {
			if _, ok := f.loadInfo(false); ok {
				valid = f.flags&(nodeNoAddr|nodeDisconnect|nodeFail) == 0
			} else {
				t.logErr("[ERR] Unable to load info for node %s:%d\n", f.ip, f.port)
			}
		}
		if valid {
			t.nodes = append(t.nodes, f)
			continue
		}
		if !f.isSlave() {
			t.unreachable++
		}
		if f.c != nil {
			f.c.Close()
		}
	}
	n.friends = nil
	for _, x := range t.nodes {
		if x.replicate != "" {
			if m := t.byName(x.replicate); m == nil {
				t.logWarn("*** WARNING: %s:%d claims to be slave of unknown node ID %s.\n", x.ip, x.port, x.replicate)
			} else {
				m.replicas++
			}
		}
	}
	return true
}

func (t *tool) byName(name string) *node {
	name = strings.ToLower(name)
	for _, n := range t.nodes {
		if n.name != "" && n.name == name {
			return n
		}
	}
	return nil
}

func (t *tool) byAbbreviatedName(name string) *node {
	name = strings.ToLower(name)
	for _, n := range t.nodes {
		if n.name != "" && strings.HasPrefix(n.name, name) {
			return n
		}
	}
	return nil
}

func (t *tool) showNodes() {
	for _, n := range t.nodes {
		t.printf("%s\n", n.info(0))
	}
}

// showClusterInfo is clusterManagerShowClusterInfo.
func (t *tool) showClusterInfo() {
	masters, keys := 0, 0
	for _, n := range t.nodes {
		if n.isSlave() || n.name == "" {
			continue
		}
		replicas := 0
		for _, r := range t.nodes {
			if r != n && r.isSlave() && r.replicate == n.name {
				replicas++
			}
		}
		v, ok := n.do("DBSIZE")
		if !ok || v.Kind != ':' {
			e := ""
			if ok && v.Kind == '-' {
				e = string(v.Str)
			}
			t.printReplyError(n, e)
			return
		}
		t.printf("%s:%d (%s...) -> %d keys | %d slots | %d slaves.\n", n.ip, n.port, n.name[:min(8, len(n.name))], v.Int, n.nslots, replicas)
		masters++
		keys += int(v.Int)
	}
	t.logOK("[OK] %d keys in %d masters.\n", keys, masters)
	t.printf("%.2f keys per slot on average.\n", float32(keys)/float32(numSlots))
}

func (t *tool) isConfigConsistent() bool {
	if len(t.nodes) <= 1 {
		return len(t.nodes) == 1
	}
	first := ""
	for i, n := range t.nodes {
		sig := n.signature()
		if sig == "" {
			return false
		}
		if i == 0 {
			first = sig
		} else if sig != first {
			return false
		}
	}
	return true
}

func (t *tool) onError(e string) {
	t.errors = append(t.errors, e)
	t.logErr("%s\n", e)
}

// checkCluster is clusterManagerCheckCluster.
func (t *tool) checkCluster(quiet bool) bool {
	if len(t.nodes) == 0 {
		return false
	}
	first := t.nodes[0]
	t.logInfo(">>> Performing Cluster Check (using node %s:%d)\n", first.ip, first.port)
	result := true
	fix := t.opt.Flags&FlagFix != 0
	if !quiet {
		t.showNodes()
	}
	if !t.isConfigConsistent() {
		t.onError("[ERR] Nodes don't agree about configuration!")
		result = false
	} else {
		t.logOK("[OK] All nodes agree about slots configuration.\n")
	}
	t.logInfo(">>> Check for open slots...\n")
	var open []string
	seen := map[string]bool{}
	for _, n := range t.nodes {
		for _, st := range []struct {
			list  [][2]string
			state string
		}{{n.migrating, "migrating"}, {n.importing, "importing"}} {
			if len(st.list) == 0 {
				continue
			}
			var slots []string
			for _, m := range st.list {
				slots = append(slots, m[0])
				if !seen[m[0]] {
					seen[m[0]] = true
					open = append(open, m[0])
				}
			}
			t.onError(fmt.Sprintf("[WARNING] Node %s:%d has slots in %s state %s.", n.ip, n.port, st.state, strings.Join(slots, ",")))
		}
	}
	if len(open) > 0 {
		result = false
		t.logErr("[WARNING] The following slots are open: %s.\n", strings.Join(open, ","))
		if fix {
			for _, s := range open {
				if result = t.fixOpenSlot(atoi(s)); !result {
					break
				}
			}
		}
	}
	t.logInfo(">>> Check slots coverage...\n")
	var covered [numSlots]bool
	if t.coveredSlots(&covered) == numSlots {
		t.logOK("[OK] All %d slots covered.\n", numSlots)
	} else {
		t.onError(fmt.Sprintf("[ERR] Not all %d slots are covered by nodes.\n", numSlots))
		result = false
		if fix {
			if t.fixSlotsCoverage(&covered) > 0 {
				result = true
			}
		}
	}
	if t.opt.Flags&FlagCheckOwners != 0 {
		t.logInfo(">>> Check for multiple slot owners...\n")
		multi := 0
		for slot := 0; slot < numSlots; slot++ {
			var owners []*node
			for _, n := range t.nodes {
				if n.isSlave() {
					continue
				}
				if n.slots[slot] || t.countKeysInSlot(n, slot) > 0 {
					owners = append(owners, n)
				}
			}
			if len(owners) > 1 {
				result = false
				t.logErr("[WARNING] Slot %d has %d owners:\n", slot, len(owners))
				for _, n := range owners {
					t.logErr("    %s:%d\n", n.ip, n.port)
				}
				multi++
				if fix {
					if result = t.fixMultipleSlotOwners(slot, owners); !result {
						t.logErr("Failed to fix multiple owners for slot %d\n", slot)
						break
					}
					multi--
				}
			}
		}
		if multi == 0 {
			t.logOK("[OK] No multiple owners found.\n")
		}
	}
	return result
}

func (t *tool) coveredSlots(all *[numSlots]bool) int {
	total := 0
	for _, n := range t.nodes {
		for i := 0; i < numSlots; i++ {
			if n.slots[i] && !all[i] {
				all[i] = true
				total++
			}
		}
	}
	return total
}

func (t *tool) countKeysInSlot(n *node, slot int) int {
	v, ok := n.do("CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(slot))
	if !t.checkReply(n, v, ok) || v.Kind != ':' {
		return -1
	}
	return int(v.Int)
}

// waitForClusterJoin is clusterManagerWaitForClusterJoin.
func (t *tool) waitForClusterJoin() {
	t.printf("Waiting for the cluster to join\n")
	t.flush()
	counter := 0
	checkAfter := 10 + int(float32(len(t.nodes))*0.15)
	for !t.isConfigConsistent() {
		t.printf(".")
		t.flush()
		time.Sleep(time.Second)
		counter++
		if counter > checkAfter {
			t.reportUnreachable()
			counter = 0
		}
	}
	t.printf("\n")
}

// reportUnreachable prints the links every node reports as disconnected
// or in handshake (clusterManagerGetLinkStatus).
func (t *tool) reportUnreachable() {
	type entry struct {
		addr string
		from []string
	}
	var status []*entry
	find := func(addr string) *entry {
		for _, e := range status {
			if e.addr == addr {
				return e
			}
		}
		e := &entry{addr: addr}
		status = append(status, e)
		return e
	}
	for _, n := range t.nodes {
		v, ok := n.do("CLUSTER", "NODES")
		if !ok || v.Kind == '-' {
			continue
		}
		for _, line := range strings.Split(string(v.Str), "\n") {
			f := strings.Split(line, " ")
			if len(f) < 8 || strings.Contains(f[2], "myself") {
				continue
			}
			if strings.Contains(f[2], "disconnected") || strings.Contains(f[7], "disconnected") || strings.Contains(f[2], "handshake") {
				e := find(f[1])
				e.from = append(e.from, n.ip+":"+strconv.Itoa(n.port))
			}
		}
	}
	if len(status) == 0 {
		return
	}
	t.printf("\n")
	t.logErr("Warning: %d node(s) may be unreachable\n", len(status))
	for _, e := range status {
		if ip, _, bus, ok := parseAddr(e.addr); ok && bus != 0 {
			t.logErr(" - The port %d of node %s may be unreachable from:\n", bus, ip)
		} else {
			t.logErr(" - Node %s may be unreachable from:\n", e.addr)
		}
		for _, f := range e.from {
			t.logErr("   %s\n", f)
		}
		t.logErr("Cluster bus ports must be reachable by every node.\nRemember that cluster bus ports are different from standard instance ports.\n")
	}
}

// confirm is confirmWithYes.
func (t *tool) confirm(msg string, ignoreForce bool) bool {
	if !ignoreForce && t.opt.Flags&FlagYes != 0 {
		return true
	}
	t.printf("%s (type 'yes' to accept): ", msg)
	t.flush()
	return t.readAnswer(4) == "yes"
}

// readAnswer reads at most max-1 bytes of a line as redis-cli's read()
// into a small buffer does.
func (t *tool) readAnswer(max int) string {
	line, err := t.stdin.ReadString('\n')
	if err != nil && line == "" {
		return ""
	}
	if len(line) > max-1 {
		line = line[:max-1]
	}
	return strings.TrimRight(line, "\n")
}

// resolve returns an IP address for host, as anetResolve.
func resolve(host string) (string, bool) {
	if ip := net.ParseIP(host); ip != nil {
		return host, true
	}
	addrs, err := net.LookupHost(host)
	if err != nil || len(addrs) == 0 {
		return "", false
	}
	return addrs[0], true
}

// meet sends n a CLUSTER MEET of first (at firstIP), in the two-argument
// form when first's bus port is the default, as redis-cli.
func (t *tool) meet(n, first *node, firstIP string) (resp.Value, bool) {
	if first.busPort == 0 || first.busPort == first.port+portIncr {
		return n.do("CLUSTER", "MEET", firstIP, strconv.Itoa(first.port))
	}
	return n.do("CLUSTER", "MEET", firstIP, strconv.Itoa(first.port), strconv.Itoa(first.busPort))
}

// help is clusterManagerCommandHelp; like redis-cli's it exits 1.
func (t *tool) help([]string) bool {
	const padding = 15
	t.printf("Cluster Manager Commands:\n")
	for _, c := range commands {
		t.printf("  %s%s%s\n", c.name, strings.Repeat(" ", max(0, padding-len(c.name))), c.args)
		if c.options != "" {
			for _, o := range strings.Split(c.options, ",") {
				t.printf("%s  --cluster-%s\n", strings.Repeat(" ", padding), o)
			}
		}
	}
	t.printf("\nFor check, fix, reshard, del-node, set-timeout, info, rebalance, call, import, backup you can specify the host and port of any working node in the cluster.\n")
	t.printf("\nCluster Manager Options:\n")
	t.printf("  --cluster-yes  Automatic yes to cluster commands prompts\n")
	t.printf("\n")
	return false
}

func newRand() *rand.Rand {
	return rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), uint64(os.Getpid())))
}
