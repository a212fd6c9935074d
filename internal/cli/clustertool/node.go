package clustertool

import (
	"sort"
	"strconv"
	"strings"

	"shoal/internal/cli/conn"
	"shoal/internal/resp"
)

// The number of hash slots and the distance from a node's port to its
// cluster bus port.
const (
	numSlots = 16384
	portIncr = 10000
)

// Node flags as redis-cli's CLUSTER_MANAGER_FLAG_*.
const (
	nodeMyself = 1 << iota
	nodeSlave
	nodeFriend
	nodeNoAddr
	nodeDisconnect
	nodeFail
)

// node is clusterManagerNode: what one node says about itself.
type node struct {
	c         *conn.Conn
	name      string
	ip        string
	port      int
	busPort   int
	epoch     uint64
	flags     int
	flagStr   []string
	replicate string // master ID when a replica
	dirty     bool
	slots     [numSlots]bool
	nslots    int
	replicas  int
	friends   []*node
	// migrating and importing hold slot -> node ID, in the order CLUSTER
	// NODES lists them.
	migrating, importing [][2]string
	weight               float64
	balance              int
}

func newNode(ip string, port, busPort int) *node {
	if busPort == 0 {
		busPort = port + portIncr
	}
	return &node{ip: ip, port: port, busPort: busPort, weight: 1}
}

func (n *node) isSlave() bool { return n.flags&nodeSlave != 0 }

func (n *node) resetSlots() {
	n.slots = [numSlots]bool{}
	n.nslots = 0
}

// do sends a command and reads its reply; ok is false on an I/O error.
func (n *node) do(args ...string) (resp.Value, bool) {
	if n.c == nil {
		return resp.Value{}, false
	}
	v, err := n.c.Do(args...)
	return v, err == nil
}

// parseAddr is parseClusterNodeAddress: ip:port[@busport[,hostname]].
func parseAddr(addr string) (ip string, port, busPort int, ok bool) {
	if at := strings.LastIndexByte(addr, '@'); at >= 0 {
		busPort = atoi(addr[at+1:])
		addr = addr[:at]
	}
	c := strings.LastIndexByte(addr, ':')
	if c < 0 {
		return "", 0, 0, false
	}
	return addr[:c], atoi(addr[c+1:]), busPort, true
}

// hostFromArgs is getClusterHostFromCmdArgs: "ip:port" or "ip port".
func hostFromArgs(argv []string) (string, int, bool) {
	var ip string
	var port int
	if len(argv) == 1 {
		var ok bool
		if ip, port, _, ok = parseAddr(argv[0]); !ok {
			return "", 0, false
		}
	} else {
		ip, port = argv[0], atoi(argv[1])
	}
	if ip == "" || port == 0 {
		return "", 0, false
	}
	return ip, port, true
}

// loadInfo is clusterManagerNodeLoadInfo: parse CLUSTER NODES, filling
// this node from its "myself" line and, with getFriends, listing the
// others as friends.
func (n *node) loadInfo(getFriends bool) (errStr string, ok bool) {
	v, okIO := n.do("CLUSTER", "NODES")
	if !okIO {
		return "", false
	}
	if v.Kind == '-' {
		return string(v.Str), false
	}
	return n.parseNodes(string(v.Str), getFriends)
}

// parseNodes reads a CLUSTER NODES reply as clusterManagerNodeLoadInfo
// does: lines split on "\n", fields on single spaces.
func (n *node) parseNodes(lines string, getFriends bool) (errStr string, ok bool) {
	for {
		nl := strings.IndexByte(lines, '\n')
		if nl < 0 {
			break
		}
		line := lines[:nl]
		lines = lines[nl+1:]
		var f [8]string
		i := 0
		for i < 8 {
			sp := strings.IndexByte(line, ' ')
			if sp < 0 {
				break
			}
			f[i] = line[:sp]
			line = line[sp+1:]
			i++
		}
		if i < 3 {
			return "", false
		}
		name, addr, flags, masterID := f[0], f[1], f[2], f[3]
		ip, port, bus, okAddr := parseAddr(addr)
		if !okAddr {
			return "Error: invalid CLUSTER NODES reply", false
		}
		myself := strings.Contains(flags, "myself")
		var cur *node
		switch {
		case myself:
			n.busPort = bus
			n.flags |= nodeMyself
			cur = n
			n.resetSlots()
			n.migrating, n.importing = nil, nil
			if i == 8 {
				for _, def := range strings.Split(line, " ") {
					n.addSlotDef(def)
				}
			}
			n.dirty = false
		case !getFriends:
			continue
		default:
			cur = newNode(ip, port, bus)
			cur.flags |= nodeFriend
			n.friends = append(n.friends, cur)
		}
		cur.name = name
		cur.flagStr = nil
		for _, fl := range strings.Split(flags, ",") {
			if fl == "" {
				continue
			}
			switch fl {
			case "noaddr":
				cur.flags |= nodeNoAddr
			case "disconnected":
				cur.flags |= nodeDisconnect
			case "fail":
				cur.flags |= nodeFail
			case "slave":
				cur.flags |= nodeSlave
				cur.replicate = masterID
			}
			cur.flagStr = append(cur.flagStr, fl)
		}
		if i >= 7 {
			cur.epoch = uint64(atoi(f[6]))
		}
		if !getFriends && myself {
			break
		}
	}
	return "", true
}

// addSlotDef reads one slot field of a "myself" line: N, A-B,
// [N->-id] or [N-<-id].
func (n *node) addSlotDef(def string) {
	switch {
	case def == "":
	case def[0] == '[':
		def = strings.TrimSuffix(def[1:], "]")
		if a, b, ok := strings.Cut(def, "->-"); ok {
			n.migrating = append(n.migrating, [2]string{a, b})
		} else if a, b, ok := strings.Cut(def, "-<-"); ok {
			n.importing = append(n.importing, [2]string{a, b})
		}
	case strings.IndexByte(def, '-') >= 0:
		a, b, _ := strings.Cut(def, "-")
		start, stop := max(atoi(a), 0), atoi(b)
		for s := start; s <= stop && s < numSlots; s++ {
			if !n.slots[s] {
				n.slots[s] = true
				n.nslots++
			}
		}
	default:
		if s := atoi(def); s >= 0 && s < numSlots && !n.slots[s] {
			n.slots[s] = true
			n.nslots++
		}
	}
}

// flagString is clusterManagerNodeFlagString: the flags but "myself".
func (n *node) flagString() string {
	var out []string
	for _, f := range n.flagStr {
		if f != "myself" {
			out = append(out, f)
		}
	}
	return strings.Join(out, ",")
}

// slotsString is clusterManagerNodeSlotsString: "[0-5460],[6000]".
func slotsString(slots *[numSlots]bool) string {
	var b strings.Builder
	first, last := -1, -1
	flush := func() {
		if last >= 0 {
			if first == last {
				b.WriteString("]")
			} else {
				b.WriteString("-" + strconv.Itoa(last) + "]")
			}
		}
	}
	for i := 0; i < numSlots; i++ {
		if slots[i] {
			if first == -1 {
				if b.Len() > 0 {
					b.WriteString(",")
				}
				first = i
				b.WriteString("[" + strconv.Itoa(i))
			}
			last = i
		} else {
			flush()
			first, last = -1, -1
		}
	}
	flush()
	return b.String()
}

// info is clusterManagerNodeInfo.
func (n *node) info(indent int) string {
	sp := strings.Repeat(" ", indent)
	var b strings.Builder
	b.WriteString(sp)
	role := "M"
	if n.isSlave() {
		role = "S"
	}
	if n.dirty && n.replicate != "" {
		b.WriteString("S: " + n.name + " " + n.ip + ":" + strconv.Itoa(n.port))
	} else {
		b.WriteString(role + ": " + n.name + " " + n.ip + ":" + strconv.Itoa(n.port) + "\n")
		b.WriteString(sp + "   slots:" + slotsString(&n.slots) + " (" + strconv.Itoa(n.nslots) + " slots) " + n.flagString())
	}
	if n.replicate != "" {
		b.WriteString("\n" + sp + "   replicates " + n.replicate)
	} else if n.replicas > 0 {
		b.WriteString("\n" + sp + "   " + strconv.Itoa(n.replicas) + " additional replica(s)")
	}
	return b.String()
}

// signature is clusterManagerGetConfigSignature: "id:slots,..." for every
// node with slots, sorted, joined by "|"; "" when there is none or the
// node cannot answer.
func (n *node) signature() string {
	v, ok := n.do("CLUSTER", "NODES")
	if !ok || v.Kind == '-' {
		return ""
	}
	var cfgs []string
	for _, line := range strings.Split(string(v.Str), "\n") {
		f := strings.SplitN(line, " ", 9)
		if len(f) < 9 || f[8] == "" {
			continue
		}
		var slots []string
		for _, s := range strings.Split(f[8], " ") {
			if s != "" && s[0] != '[' {
				slots = append(slots, s)
			}
		}
		if len(slots) == 0 {
			continue
		}
		sort.Strings(slots)
		cfgs = append(cfgs, f[0]+":"+strings.Join(slots, ","))
	}
	sort.Strings(cfgs)
	return strings.Join(cfgs, "|")
}

// atoi is C's atoi.
func atoi(s string) int {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	n := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
