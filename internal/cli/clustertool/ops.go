package clustertool

import (
	"strconv"
	"strings"

	"shoal/internal/resp"
)

// Options of moveSlot, as CLUSTER_MANAGER_OPT_*.
const (
	optCold = 1 << iota
	optUpdate
	optQuiet
	optVerbose
)

// setSlot is clusterManagerSetSlot: CLUSTER SETSLOT slot status other-id.
// With report the error is printed; it is returned either way.
func (t *tool) setSlot(n, other *node, slot int, status string, report bool) (string, bool) {
	v, ok := n.do("CLUSTER", "SETSLOT", strconv.Itoa(slot), status, other.name)
	if !ok {
		return "CLUSTER SETSLOT failed to run", false
	}
	if v.Kind == '-' {
		if report {
			t.printReplyError(n, string(v.Str))
		}
		return string(v.Str), false
	}
	return "", true
}

func (t *tool) clearSlotStatus(n *node, slot int) bool {
	v, ok := n.do("CLUSTER", "SETSLOT", strconv.Itoa(slot), "STABLE")
	return t.checkReply(n, v, ok)
}

// slotOwner is clusterManagerGetSlotOwner: who serves slot in n's CLUSTER
// SLOTS; errStr is set when n answered an error.
func (t *tool) slotOwner(n *node, slot int) (owner *node, errStr string) {
	v, ok := n.do("CLUSTER", "SLOTS")
	if !ok {
		return nil, ""
	}
	if v.Kind == '-' {
		return nil, string(v.Str)
	}
	for _, r := range v.Elems {
		if len(r.Elems) < 3 {
			continue
		}
		from, to := int(r.Elems[0].Int), int(r.Elems[1].Int)
		if slot < from || slot > to {
			continue
		}
		nr := r.Elems[2]
		if len(nr.Elems) >= 3 {
			owner = t.byName(string(nr.Elems[2].Str))
		} else if len(nr.Elems) >= 2 {
			ip, port := string(nr.Elems[0].Str), int(nr.Elems[1].Int)
			for _, x := range t.nodes {
				if x.ip == ip && x.port == port {
					owner = x
					break
				}
			}
		}
		if owner != nil {
			break
		}
	}
	return owner, ""
}

// delSlot is clusterManagerDelSlot.
func (t *tool) delSlot(n *node, slot int, ignoreUnassigned bool) bool {
	v, ok := n.do("CLUSTER", "DELSLOTS", strconv.Itoa(slot))
	success := ok && v.Kind != '-'
	if !success && ok && v.Kind == '-' && ignoreUnassigned {
		owner, e := t.slotOwner(n, slot)
		if owner == nil {
			if e == "" {
				success = true
			} else {
				t.printReplyError(n, e)
			}
		}
	}
	if !success && ok && v.Kind == '-' {
		t.printReplyError(n, string(v.Str))
	}
	return success
}

// setSlotOwner is clusterManagerSetSlotOwner: in one transaction DELSLOTS
// (errors ignored), ADDSLOTS (must succeed), optionally SETSLOT STABLE,
// BUMPEPOCH.
func (t *tool) setSlotOwner(owner *node, slot int, clear bool) bool {
	s := strconv.Itoa(slot)
	v, ok := owner.do("MULTI")
	if !t.checkReply(owner, v, ok) {
		return false
	}
	owner.do("CLUSTER", "DELSLOTS", s)
	owner.do("CLUSTER", "ADDSLOTS", s)
	if clear {
		owner.do("CLUSTER", "SETSLOT", s, "STABLE")
	}
	owner.do("CLUSTER", "BUMPEPOCH")
	v, ok = owner.do("EXEC")
	if !t.checkReply(owner, v, ok) || v.Kind != '*' {
		return false
	}
	for i, r := range v.Elems {
		if r.Kind == '-' && i == 1 {
			t.printReplyError(owner, string(r.Str))
			return false
		}
	}
	return true
}

// migrateKeys sends one MIGRATE for keys from src to dst.
func (t *tool) migrateKeys(src, dst *node, keys []resp.Value, replace bool) (resp.Value, bool) {
	args := [][]byte{[]byte("MIGRATE"), []byte(dst.ip), []byte(strconv.Itoa(dst.port)), {}, []byte("0"), []byte(strconv.Itoa(t.opt.Timeout))}
	if replace {
		args = append(args, []byte("REPLACE"))
	}
	if t.opt.Auth != "" {
		if t.opt.User != "" {
			args = append(args, []byte("AUTH2"), []byte(t.opt.User), []byte(t.opt.Auth))
		} else {
			args = append(args, []byte("AUTH"), []byte(t.opt.Auth))
		}
	}
	args = append(args, []byte("KEYS"))
	for _, k := range keys {
		args = append(args, k.Str)
	}
	src.c.AppendBytes(args)
	if src.c.Flush() != nil {
		return resp.Value{}, false
	}
	v, err := src.c.Read()
	return v, err == nil
}

// compareKeys is clusterManagerCompareKeysValues: the keys present on
// both nodes with different DEBUG DIGEST-VALUE.
func (t *tool) compareKeys(n1, n2 *node, keys []resp.Value) ([]string, bool) {
	args := [][]byte{[]byte("DEBUG"), []byte("DIGEST-VALUE")}
	for _, k := range keys {
		args = append(args, k.Str)
	}
	var r [2]resp.Value
	for i, n := range []*node{n1, n2} {
		n.c.AppendBytes(args)
		if n.c.Flush() != nil {
			return nil, false
		}
		v, err := n.c.Read()
		if err != nil {
			return nil, false
		}
		r[i] = v
	}
	ok := true
	for i, n := range []*node{n1, n2} {
		if r[i].Kind == '-' {
			t.printReplyError(n, string(r[i].Str))
			ok = false
		}
	}
	if !ok || len(r[0].Elems) != len(keys) || len(r[1].Elems) != len(keys) {
		return nil, false
	}
	const zero = "0000000000000000000000000000000000000000"
	var diffs []string
	for i, k := range keys {
		h1, h2 := string(r[0].Elems[i].Str), string(r[1].Elems[i].Str)
		if h1 == zero || h2 == zero {
			continue
		}
		if h1 != h2 {
			diffs = append(diffs, string(k.Str))
		}
	}
	return diffs, true
}

// migrateKeysInSlot is clusterManagerMigrateKeysInSlot.
func (t *tool) migrateKeysInSlot(src, dst *node, slot int, verbose bool) (string, bool) {
	fix := t.opt.Flags&FlagFix != 0
	replace := t.opt.Flags&FlagReplace != 0
	for {
		v, ok := src.do("CLUSTER", "GETKEYSINSLOT", strconv.Itoa(slot), strconv.Itoa(t.opt.Pipeline))
		if !ok {
			return "", false
		}
		if v.Kind == '-' {
			t.printReplyError(src, string(v.Str))
			return string(v.Str), false
		}
		keys := v.Elems
		if len(keys) == 0 {
			return "", true
		}
		mr, ok := t.migrateKeys(src, dst, keys, false)
		if !ok {
			return "", false
		}
		if mr.Kind == '-' {
			busy := strings.Contains(string(mr.Str), "BUSYKEY")
			notServed := false
			if !busy {
				owner, e := t.slotOwner(src, slot)
				if owner == nil {
					if e == "" {
						notServed = true
					} else {
						t.printReplyError(src, e)
					}
				}
			}
			if !busy && !notServed {
				t.printf("\n")
				t.printReplyError(src, string(mr.Str))
				return string(mr.Str), false
			}
			if fix && notServed {
				t.logWarn("*** Slot was not served, setting owner to node %s:%d.\n", dst.ip, dst.port)
				t.setSlot(src, dst, slot, "node", true)
			}
			if busy {
				t.logWarn("\n*** Target key exists\n")
				if !replace {
					t.logWarn("*** Checking key values on both nodes...\n")
					diffs, ok := t.compareKeys(src, dst, keys)
					if !ok {
						t.logErr("*** Value check failed!\n")
						return "", false
					}
					if len(diffs) > 0 {
						t.logErr("*** Found %d key(s) in both source node and target node having different values.\n"+
							"    Source node: %s:%d\n    Target node: %s:%d\n    Keys(s):\n",
							len(diffs), src.ip, src.port, dst.ip, dst.port)
						for _, k := range diffs {
							t.logErr("    - %s\n", k)
						}
						t.logErr("Please fix the above key(s) manually and try again or relaunch the command \nwith --cluster-replace option to force key overriding.\n")
						return "", false
					}
				}
				t.logWarn("*** Replacing target keys...\n")
			}
			mr, ok = t.migrateKeys(src, dst, keys, busy)
			if !ok {
				return "", false
			}
			if mr.Kind == '-' {
				t.printf("\n")
				t.printReplyError(src, string(mr.Str))
				return string(mr.Str), false
			}
		}
		if verbose {
			t.printf("%s", strings.Repeat(".", len(keys)))
			t.flush()
		}
		t.progress.addKeys(len(keys))
	}
}

// moveSlot is clusterManagerMoveSlot.
func (t *tool) moveSlot(src, dst *node, slot int, opts int) (string, bool) {
	if opts&optQuiet == 0 {
		t.printf("Moving slot %d from %s:%d to %s:%d: ", slot, src.ip, src.port, dst.ip, dst.port)
		t.flush()
	}
	cold := opts&optCold != 0
	if !cold {
		if e, ok := t.setSlot(dst, src, slot, "importing", false); !ok {
			return e, false
		}
		if e, ok := t.setSlot(src, dst, slot, "migrating", false); !ok {
			return e, false
		}
	}
	e, ok := t.migrateKeysInSlot(src, dst, slot, opts&optVerbose != 0)
	if opts&optQuiet == 0 {
		t.printf("\n")
	}
	if !ok {
		return e, false
	}
	if !cold {
		if e, ok := t.setSlot(dst, dst, slot, "node", false); !ok {
			return e, false
		}
		if e, ok := t.setSlot(src, dst, slot, "node", false); !ok && !strings.HasPrefix(e, "ERR Please use SETSLOT only with masters.") {
			return e, false
		}
		for _, n := range t.nodes {
			if n == src || n == dst || n.isSlave() {
				continue
			}
			if e, ok := t.setSlot(n, dst, slot, "node", false); !ok {
				return e, false
			}
		}
	}
	if opts&optUpdate != 0 {
		if src.slots[slot] {
			src.slots[slot] = false
			src.nslots--
		}
		if !dst.slots[slot] {
			dst.slots[slot] = true
			dst.nslots++
		}
	}
	t.progress.slotDone()
	return "", true
}

// mostKeysInSlot is clusterManagerGetNodeWithMostKeysInSlot.
func (t *tool) mostKeysInSlot(nodes []*node, slot int) *node {
	var best *node
	most := int64(0)
	for _, n := range nodes {
		if n.isSlave() || n.replicate != "" {
			continue
		}
		v, ok := n.do("CLUSTER", "COUNTKEYSINSLOT", strconv.Itoa(slot))
		if !t.checkReply(n, v, ok) {
			return nil
		}
		if v.Int > most || best == nil {
			most, best = v.Int, n
		}
	}
	return best
}

// leastReplicas is clusterManagerNodeWithLeastReplicas.
func (t *tool) leastReplicas() *node {
	var best *node
	for _, n := range t.nodes {
		if n.isSlave() {
			continue
		}
		if best == nil || n.replicas < best.replicas {
			best = n
		}
	}
	return best
}

type reshardItem struct {
	src  *node
	slot int
}

// reshardTable is clusterManagerComputeReshardTable.
func reshardTable(sources []*node, numslots int) []reshardItem {
	sorted := append([]*node(nil), sources...)
	total := 0
	for _, n := range sorted {
		total += n.nslots
	}
	// qsort by slots_count descending; ties keep their order.
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && sorted[j].nslots > sorted[j-1].nslots; j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	var moved []reshardItem
	for i, n := range sorted {
		f := float32(numslots) / float32(total) * float32(n.nslots)
		var want int
		if i == 0 {
			want = int(ceil32(f))
		} else {
			want = int(f)
		}
		count := 0
		for s := 0; s < numSlots; s++ {
			if !n.slots[s] {
				continue
			}
			if count >= want || len(moved) >= numslots {
				break
			}
			moved = append(moved, reshardItem{n, s})
			count++
		}
	}
	return moved
}

func ceil32(f float32) float32 {
	i := float32(int(f))
	if i < f {
		return i + 1
	}
	return i
}
