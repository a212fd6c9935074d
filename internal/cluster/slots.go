package cluster

import "shoal/internal/cluster/bus"

func (s *State) addSlot(n *Node, j int) bool {
	if s.slots[j] != nil {
		return false
	}
	if !n.slots.Has(j) {
		n.slots.Set(j)
		n.numSlots++
		// A master getting its first slot while others have replicas becomes
		// a replica-migration target (clusterNodeSetSlotBit).
		if n.numSlots == 1 && n.IsMaster() {
			for _, o := range s.order {
				if len(o.replicas) > 0 {
					n.Flags |= FlagMigrateTo
					break
				}
			}
		}
	}
	s.slots[j] = n
	return true
}

func (s *State) delSlot(j int) bool {
	n := s.slots[j]
	if n == nil {
		return false
	}
	// The slot leaves its shard: if that is my shard, my subscribers'
	// shard channels in it go (clusterDelSlot's removeChannelsInSlot).
	if m := n.shardMaster(); m != nil && (s.myself == m || s.myself.master == m) {
		s.channelSlots.Set(j)
		s.channelSlotsDirty = true
	}
	if n.slots.Has(j) {
		n.slots.Clear(j)
		n.numSlots--
	}
	s.slots[j] = nil
	s.ownerNotClaiming.Clear(j)
	return true
}

func (s *State) delNodeSlots(n *Node) int {
	c := 0
	for j := 0; j < NumSlots; j++ {
		if s.slots[j] == n {
			s.delSlot(j)
			c++
		}
	}
	return c
}

func (s *State) closeAllSlots() {
	s.migratingTo = [NumSlots]*Node{}
	s.importingFrom = [NumSlots]*Node{}
}

func (s *State) slotUnclaimed(j int) bool {
	return s.slots[j] == nil || s.ownerNotClaiming.Has(j)
}

func (s *State) countKeysInSlot(j int) int {
	if s.cfg.Keys == nil {
		return 0
	}
	return s.cfg.Keys.CountKeysInSlot(j)
}

func (s *State) dbSize() int {
	if s.cfg.Keys == nil {
		return 0
	}
	return s.cfg.Keys.Size()
}

// setNodeAsMaster is clusterSetNodeAsMaster.
func (s *State) setNodeAsMaster(n *Node) {
	if n.IsMaster() {
		return
	}
	if n.master != nil {
		n.master.removeReplica(n)
		if n != s.myself {
			n.Flags |= FlagMigrateTo
		}
	}
	n.Flags &^= FlagSlave
	n.Flags |= FlagMaster
	n.master = nil
	if n == s.myself {
		s.rd.MasterChanged = true
	}
	s.save(false)
	s.updateStateLater()
}

// setMaster is clusterSetMaster: become a replica of n.
func (s *State) setMaster(n *Node) {
	me := s.myself
	if me.IsMaster() {
		me.Flags &^= FlagMaster | FlagMigrateTo
		me.Flags |= FlagSlave
		s.closeAllSlots()
	} else if me.master != nil {
		me.master.removeReplica(me)
	}
	me.master = n
	n.addReplica(me)
	s.rd.MasterChanged = true
	s.resetManualFailover()
}

// updateSlotsConfigWith is clusterUpdateSlotsConfigWith (spec §9.1).
func (s *State) updateSlotsConfigWith(sender *Node, senderConfigEpoch uint64, slots *bus.Bitmap) {
	me := s.myself
	if sender == me {
		s.logf(LogWarning, "Discarding UPDATE message about myself.")
		return
	}
	curmaster := me
	if !me.IsMaster() {
		curmaster = me.master
	}
	var newmaster *Node
	var dirty []int
	senderSlots, migratedOurs := 0, 0
	for j := 0; j < NumSlots; j++ {
		if slots.Has(j) {
			senderSlots++
			if s.slots[j] == sender {
				s.ownerNotClaiming.Clear(j)
				continue
			}
			if s.importingFrom[j] != nil {
				continue
			}
			if s.slotUnclaimed(j) || s.slots[j].ConfigEpoch < senderConfigEpoch {
				if s.slots[j] == me && s.countKeysInSlot(j) > 0 {
					dirty = append(dirty, j)
				}
				if s.slots[j] != nil && s.slots[j] == curmaster {
					newmaster = sender
					migratedOurs++
				}
				s.delSlot(j)
				s.addSlot(sender, j)
				s.ownerNotClaiming.Clear(j)
				s.save(true)
				s.updateStateLater()
			}
		} else if s.slots[j] == sender {
			s.ownerNotClaiming.Set(j)
		}
	}
	switch {
	case newmaster != nil && curmaster.numSlots == 0 && (s.cfg.AllowReplicaMigration || senderSlots == migratedOurs):
		s.logf(LogWarning, "Configuration change detected. Reconfiguring myself as a replica of %s", sender.ID)
		s.setMaster(sender)
		s.save(true)
		s.updateStateLater()
	case me.master != nil && me.master.master != nil && me.master.master != me:
		s.logf(LogWarning, "I'm a sub-replica! Reconfiguring myself as a replica of grandmaster %s", me.master.master.ID)
		s.setMaster(me.master.master)
		s.save(true)
		s.updateStateLater()
	case len(dirty) > 0:
		s.rd.DeleteKeysInSlots = append(s.rd.DeleteKeysInSlots, dirty...)
	}
}

// maxEpoch is clusterGetMaxEpoch.
func (s *State) maxEpoch() uint64 {
	max := uint64(0)
	for _, n := range s.order {
		if n.ConfigEpoch > max {
			max = n.ConfigEpoch
		}
	}
	if s.currentEpoch > max {
		max = s.currentEpoch
	}
	return max
}

// bumpConfigEpochWithoutConsensus is clusterBumpConfigEpochWithoutConsensus.
func (s *State) bumpConfigEpochWithoutConsensus() bool {
	max := s.maxEpoch()
	if s.myself.ConfigEpoch == 0 || s.myself.ConfigEpoch != max {
		s.currentEpoch++
		s.myself.ConfigEpoch = s.currentEpoch
		s.save(true)
		s.logf(LogWarning, "New configEpoch set to %d", s.myself.ConfigEpoch)
		return true
	}
	return false
}

// handleConfigEpochCollision is clusterHandleConfigEpochCollision (§10.3).
func (s *State) handleConfigEpochCollision(sender *Node) {
	me := s.myself
	if sender.ConfigEpoch != me.ConfigEpoch || !sender.IsMaster() || !me.IsMaster() {
		return
	}
	if sender.ID <= me.ID {
		return
	}
	s.currentEpoch++
	me.ConfigEpoch = s.currentEpoch
	s.save(true)
	s.logf(LogVerbose, "WARNING: configEpoch collision with node %s. configEpoch set to %d", sender.ID, me.ConfigEpoch)
}

// Failure reports.

func (n *Node) addFailureReport(sender *Node, now int64) bool {
	for i := range n.failReports {
		if n.failReports[i].node == sender {
			n.failReports[i].time = now
			return false
		}
	}
	n.failReports = append(n.failReports, failReport{node: sender, time: now})
	return true
}

func (n *Node) delFailureReport(sender *Node) bool {
	for i := range n.failReports {
		if n.failReports[i].node == sender {
			n.failReports = append(n.failReports[:i], n.failReports[i+1:]...)
			return true
		}
	}
	return false
}

func (s *State) failureReportsCount(n *Node) int {
	max := s.cfg.NodeTimeout * failReportValidityMult
	k := n.failReports[:0]
	for _, r := range n.failReports {
		if s.now-r.time <= max {
			k = append(k, r)
		}
	}
	n.failReports = k
	return len(k)
}

// markNodeAsFailingIfNeeded is markNodeAsFailingIfNeeded (§8.2).
func (s *State) markNodeAsFailingIfNeeded(n *Node) {
	quorum := s.size/2 + 1
	if !n.timedOut() || n.failed() {
		return
	}
	failures := s.failureReportsCount(n)
	if s.myself.IsMaster() {
		failures++
	}
	if failures < quorum {
		return
	}
	s.logf(LogNotice, "Marking node %s as failing (quorum reached).", n.ID)
	n.Flags &^= FlagPFail
	n.Flags |= FlagFail
	n.FailTime = s.now
	s.sendFail(n.ID)
	s.updateStateLater()
	s.save(false)
}

// clearNodeFailureIfNeeded is clearNodeFailureIfNeeded (§8.3).
func (s *State) clearNodeFailureIfNeeded(n *Node) {
	if n.IsReplica() || n.numSlots == 0 {
		s.logf(LogNotice, "Clear FAIL state for node %s: %s is reachable again.", n.ID, map[bool]string{true: "replica", false: "master without slots"}[n.IsReplica()])
		n.Flags &^= FlagFail
		s.updateStateLater()
		s.save(false)
	}
	if n.IsMaster() && n.numSlots > 0 && s.now-n.FailTime > s.cfg.NodeTimeout*failUndoTimeMult {
		s.logf(LogNotice, "Clear FAIL state for node %s: is reachable again and nobody is serving its slots after some time.", n.ID)
		n.Flags &^= FlagFail
		s.updateStateLater()
		s.save(false)
	}
}

// updateState is clusterUpdateState (§14).
func (s *State) updateState() {
	if s.firstCallTime == 0 {
		s.firstCallTime = s.now
	}
	if s.myself.IsMaster() && !s.ok && s.now-s.firstCallTime < writableDelay {
		return
	}
	newOK := true
	if s.cfg.RequireFullCoverage {
		for j := 0; j < NumSlots; j++ {
			if s.slots[j] == nil || s.slots[j].failed() {
				newOK = false
				break
			}
		}
	}
	size, reachable := 0, 0
	for _, n := range s.order {
		if n.IsMaster() && n.numSlots > 0 {
			size++
			if n.Flags&(FlagFail|FlagPFail) == 0 {
				reachable++
			}
		}
	}
	s.size = size
	if reachable < size/2+1 {
		newOK = false
		s.amongMinoritySince = s.now
	}
	if newOK != s.ok {
		rejoin := s.cfg.NodeTimeout
		if rejoin > maxRejoinDelay {
			rejoin = maxRejoinDelay
		}
		if rejoin < minRejoinDelay {
			rejoin = minRejoinDelay
		}
		if newOK && s.myself.IsMaster() && s.now-s.amongMinoritySince < rejoin {
			return
		}
		s.ok = newOK
		if newOK {
			s.logf(LogWarning, "Cluster state changed: ok")
		} else {
			s.logf(LogWarning, "Cluster state changed: fail")
		}
	}
}
