package clustertool

import (
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
)

func removeNode(list []*node, n *node) []*node {
	for i, x := range list {
		if x == n {
			return append(list[:i], list[i+1:]...)
		}
	}
	return list
}

func addrList(nodes []*node) string {
	var b []string
	for _, n := range nodes {
		b = append(b, n.ip+":"+strconv.Itoa(n.port))
	}
	return strings.Join(b, ",")
}

func (t *tool) refuseUnreachable(what string) {
	if t.unreachable > 0 && t.opt.Flags&FlagFixWithUnreachableMasters == 0 {
		t.logWarn("*** Fixing %s with %d unreachable masters is dangerous: redis-cli will assume that slots about masters that are not reachable are not covered, and will try to reassign them to the reachable nodes. This can cause data loss and is rarely what you want to do. If you really want to proceed use the --cluster-fix-with-unreachable-masters option.\n", what, t.unreachable)
		t.flush()
		os.Exit(1)
	}
}

// fixOpenSlot is clusterManagerFixOpenSlot.
func (t *tool) fixOpenSlot(slot int) bool {
	t.refuseUnreachable("open slots")
	t.logInfo(">>> Fixing open slot %d\n", slot)
	var owners, migrating, importing []*node
	for _, n := range t.nodes {
		if n.isSlave() {
			continue
		}
		if n.slots[slot] {
			owners = append(owners, n)
			continue
		}
		c := t.countKeysInSlot(n, slot)
		if c < 0 {
			return false
		}
		if c > 0 {
			t.logWarn("*** Found keys about slot %d in non-owner node %s:%d!\n", slot, n.ip, n.port)
			owners = append(owners, n)
		}
	}
	var owner *node
	if len(owners) == 1 {
		owner = owners[0]
	}
	s := strconv.Itoa(slot)
	var migStr, impStr []string
	for _, n := range t.nodes {
		if n.isSlave() {
			continue
		}
		isMig, isImp := false, false
		for _, m := range n.migrating {
			if atoi(m[0]) == slot {
				migrating = append(migrating, n)
				migStr = append(migStr, n.ip+":"+strconv.Itoa(n.port))
				isMig = true
				break
			}
		}
		if !isMig {
			for _, m := range n.importing {
				if atoi(m[0]) == slot {
					importing = append(importing, n)
					impStr = append(impStr, n.ip+":"+strconv.Itoa(n.port))
					isImp = true
					break
				}
			}
		}
		if !isMig && !isImp && n != owner {
			c := t.countKeysInSlot(n, slot)
			if c < 0 {
				return false
			}
			if c > 0 {
				t.logWarn("*** Found keys about slot %d in node %s:%d!\n", slot, n.ip, n.port)
				importing = append(importing, n)
				impStr = append(impStr, n.ip+":"+strconv.Itoa(n.port))
			}
		}
	}
	if len(migStr) > 0 {
		t.printf("Set as migrating in: %s\n", strings.Join(migStr, ","))
	}
	if len(impStr) > 0 {
		t.printf("Set as importing in: %s\n", strings.Join(impStr, ","))
	}
	if owner == nil {
		t.logInfo(">>> No single clear owner for the slot, selecting an owner by # of keys...\n")
		if owner = t.mostKeysInSlot(t.nodes, slot); owner == nil {
			t.logErr("[ERR] Can't select a slot owner. Impossible to fix.\n")
			return false
		}
		t.logWarn("*** Configuring %s:%d as the slot owner\n", owner.ip, owner.port)
		if !t.clearSlotStatus(owner, slot) || !t.setSlotOwner(owner, slot, false) {
			return false
		}
		owner.slots[slot] = true
		migrating = removeNode(migrating, owner)
		importing = removeNode(importing, owner)
	}
	if len(owners) > 1 {
		for _, n := range owners {
			if n == owner {
				continue
			}
			if !t.delSlot(n, slot, true) {
				return false
			}
			n.slots[slot] = false
			if _, ok := t.setSlot(n, owner, slot, "node", true); !ok {
				return false
			}
			if _, ok := t.setSlot(n, owner, slot, "importing", true); !ok {
				return false
			}
			importing = append(removeNode(importing, n), n)
			migrating = removeNode(migrating, n)
		}
	}
	switch {
	case len(migrating) == 1 && len(importing) == 1:
		src, dst := migrating[0], importing[0]
		t.logInfo(">>> Case 1: Moving slot %d from %s:%d to %s:%d\n", slot, src.ip, src.port, dst.ip, dst.port)
		_, ok := t.moveSlot(src, dst, slot, optVerbose|optUpdate)
		return ok
	case len(migrating) == 0 && len(importing) > 0:
		t.logInfo(">>> Case 2: Moving all the %d slot keys to its owner %s:%d\n", slot, owner.ip, owner.port)
		for _, n := range importing {
			if n == owner {
				continue
			}
			if _, ok := t.moveSlot(n, owner, slot, optVerbose|optCold); !ok {
				return false
			}
			t.logInfo(">>> Setting %d as STABLE in %s:%d\n", slot, n.ip, n.port)
			if !t.clearSlotStatus(n, slot) {
				return false
			}
		}
		for _, n := range t.nodes {
			if n == owner || n.isSlave() {
				continue
			}
			if _, ok := t.setSlot(n, owner, slot, "NODE", true); !ok {
				return false
			}
		}
		return true
	case len(migrating) == 1 && len(importing) > 1:
		src := migrating[0]
		target := ""
		for _, m := range src.migrating {
			if atoi(m[0]) == slot {
				target = m[1]
				break
			}
		}
		var dst *node
		for _, n := range importing {
			if t.countKeysInSlot(n, slot) > 0 {
				return t.unhandled(migStr, impStr, owner)
			}
			if n.name == target {
				dst = n
			}
		}
		if dst != nil {
			t.logInfo(">>> Case 3: Moving slot %d from %s:%d to %s:%d and closing it on all the other importing nodes.\n", slot, src.ip, src.port, dst.ip, dst.port)
			if _, ok := t.moveSlot(src, dst, slot, optVerbose); !ok {
				return false
			}
			for _, n := range importing {
				if n != dst && !t.clearSlotStatus(n, slot) {
					return false
				}
			}
			return true
		}
		t.logInfo(">>> Case 3: Closing slot %d on both migrating and importing nodes.\n", slot)
		if !t.clearSlotStatus(src, slot) {
			return false
		}
		for _, n := range importing {
			if !t.clearSlotStatus(n, slot) {
				return false
			}
		}
		return true
	}
	closeSlot := len(importing) == 0 && len(migrating) == 1
	if closeSlot {
		n := migrating[0]
		if owner == nil || owner != n {
			v, ok := n.do("CLUSTER", "GETKEYSINSLOT", s, "10")
			if !t.checkReply(n, v, ok) {
				return false
			}
			closeSlot = len(v.Elems) == 0
		}
	}
	if !closeSlot {
		return t.unhandled(migStr, impStr, owner)
	}
	n := migrating[0]
	t.logInfo(">>> Case 4: Closing slot %d on %s:%d\n", slot, n.ip, n.port)
	v, ok := n.do("CLUSTER", "SETSLOT", s, "STABLE")
	return t.checkReply(n, v, ok)
}

func (t *tool) unhandled(migStr, impStr []string, owner *node) bool {
	t.logErr("[ERR] Sorry, redis-cli can't fix this slot yet (work in progress). Slot is set as migrating in %s, as importing in %s, owner is %s:%d\n",
		strings.Join(migStr, ","), strings.Join(impStr, ","), owner.ip, owner.port)
	return false
}

// fixSlotsCoverage is clusterManagerFixSlotsCoverage; it returns the
// number of slots fixed, -1 on error.
func (t *tool) fixSlotsCoverage(covered *[numSlots]bool) int {
	t.refuseUnreachable("slots coverage")
	t.logInfo(">>> Fixing slots coverage...\n")
	holders := map[int][]*node{}
	var none, single, multi []int
	for i := 0; i < numSlots; i++ {
		if covered[i] {
			continue
		}
		var with []*node
		for _, n := range t.nodes {
			if n.isSlave() || n.replicate != "" {
				continue
			}
			v, ok := n.do("CLUSTER", "GETKEYSINSLOT", strconv.Itoa(i), "1")
			if !t.checkReply(n, v, ok) {
				return -1
			}
			if len(v.Elems) > 0 {
				with = append(with, n)
			}
		}
		holders[i] = with
		switch len(with) {
		case 0:
			none = append(none, i)
		case 1:
			single = append(single, i)
		default:
			multi = append(multi, i)
		}
	}
	fixed := 0
	slotList := func(slots []int) string {
		var s [numSlots]bool
		for _, x := range slots {
			s[x] = true
		}
		return slotsString(&s)
	}
	if len(none) > 0 {
		t.printf("The following uncovered slots have no keys across the cluster:\n%s\n", slotList(none))
		if t.confirm("Fix these slots by covering with a random node?", true) {
			var masters []*node
			for _, n := range t.nodes {
				if !n.isSlave() {
					masters = append(masters, n)
				}
			}
			for _, s := range none {
				n := masters[rand.IntN(len(masters))]
				t.logInfo(">>> Covering slot %d with %s:%d\n", s, n.ip, n.port)
				if !t.setSlotOwner(n, s, false) {
					return -1
				}
				n.slots[s] = true
				fixed++
			}
		}
	}
	if len(single) > 0 {
		t.printf("The following uncovered slots have keys in just one node:\n%s\n", slotList(single))
		if t.confirm("Fix these slots by covering with those nodes?", true) {
			for _, s := range single {
				n := holders[s][0]
				t.logInfo(">>> Covering slot %d with %s:%d\n", s, n.ip, n.port)
				if !t.setSlotOwner(n, s, false) {
					return -1
				}
				n.slots[s] = true
				fixed++
			}
		}
	}
	if len(multi) > 0 {
		t.printf("The following uncovered slots have keys in multiple nodes:\n%s\n", slotList(multi))
		if t.confirm("Fix these slots by moving keys into a single node?", true) {
			for _, s := range multi {
				target := t.mostKeysInSlot(holders[s], s)
				if target == nil {
					return -1
				}
				t.logInfo(">>> Covering slot %d moving keys to %s:%d\n", s, target.ip, target.port)
				if !t.setSlotOwner(target, s, true) {
					return -1
				}
				target.slots[s] = true
				for _, src := range holders[s] {
					if src == target {
						continue
					}
					if _, ok := t.setSlot(src, target, s, "NODE", true); !ok {
						return -1
					}
					if _, ok := t.setSlot(src, target, s, "IMPORTING", true); !ok {
						return -1
					}
					if _, ok := t.moveSlot(src, target, s, optVerbose|optCold); !ok {
						return -1
					}
					if !t.clearSlotStatus(src, s) {
						return -1
					}
				}
				fixed++
			}
		}
	}
	return fixed
}

// fixMultipleSlotOwners is clusterManagerFixMultipleSlotOwners.
func (t *tool) fixMultipleSlotOwners(slot int, owners []*node) bool {
	t.logInfo(">>> Fixing multiple owners for slot %d...\n", slot)
	owner := t.mostKeysInSlot(owners, slot)
	if owner == nil {
		owner = owners[0]
	}
	t.logInfo(">>> Setting slot %d owner: %s:%d\n", slot, owner.ip, owner.port)
	if !t.setSlotOwner(owner, slot, false) {
		return false
	}
	success := false
	for _, n := range t.nodes {
		if n == owner || n.isSlave() {
			continue
		}
		count := t.countKeysInSlot(n, slot)
		if success = count >= 0; !success {
			break
		}
		t.delSlot(n, slot, true)
		if _, ok := t.setSlot(n, owner, slot, "node", true); !ok {
			return false
		}
		if count > 0 {
			if _, success = t.moveSlot(n, owner, slot, optVerbose|optCold); !success {
				break
			}
		}
	}
	return success
}
