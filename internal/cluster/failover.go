package cluster

import "shoal/internal/cluster/bus"

// failoverState is the election and manual-failover part of clusterState
// (spec §11–§13).
type failoverState struct {
	authTime  int64  // failover_auth_time: when the election starts
	authCount int    // votes received
	authSent  bool   // FAILOVER_AUTH_REQUEST sent for this election
	authRank  int    // my rank among my master's replicas
	authEpoch uint64 // the election's epoch

	mfEnd          int64 // manual failover deadline; 0: none in progress
	mfSlave        *Node // master side: the replica doing the manual failover
	mfMasterOffset int64 // replica side: the paused master's offset, -1 unknown
	mfCanStart     bool  // replica side: the election may start

	handleFailover bool // CLUSTER_TODO_HANDLE_FAILOVER
	handleManual   bool // CLUSTER_TODO_HANDLE_MANUALFAILOVER

	masterDataTime int64 // last interaction with my master, or when its link went down
}

func (f *failoverState) reset() {
	f.mfEnd = 0
	f.mfCanStart = false
	f.mfSlave = nil
	f.mfMasterOffset = -1
}

// SetMasterDataTime records, for the data-age check of an election, the ms
// of the replica's last interaction with its master while the replication
// link is up, or the ms the link went down (0, as Redis's repl_down_since
// before any link: data of unknown age, no automatic failover).
func (s *State) SetMasterDataTime(ms int64) {
	s.fo.masterDataTime = ms
}

// resetManualFailover is resetManualFailover.
func (s *State) resetManualFailover() {
	if s.fo.mfSlave != nil {
		s.rd.UnpauseClients = true
	}
	s.fo.reset()
}

// cronFailover is the replica part of clusterCron: manual-failover timeout,
// manual failover, election, replica migration.
func (s *State) cronFailover(orphanedMasters, maxReplicas, thisReplicas int) {
	if s.fo.mfEnd != 0 && s.fo.mfEnd < s.now {
		s.logf(LogWarning, "Manual failover timed out.")
		s.resetManualFailover()
	}
	if !s.myself.IsReplica() {
		return
	}
	s.handleManualFailover()
	s.handleReplicaFailover()
	if orphanedMasters > 0 && maxReplicas >= 2 && thisReplicas == maxReplicas && s.cfg.AllowReplicaMigration {
		s.handleReplicaMigration(maxReplicas)
	}
}

// beforeSleep runs what clusterBeforeSleep runs when flagged.
func (s *State) beforeSleep() {
	if s.fo.handleManual {
		s.fo.handleManual = false
		if s.myself.IsReplica() {
			s.handleManualFailover()
			s.handleReplicaFailover()
		}
	} else if s.fo.handleFailover {
		s.fo.handleFailover = false
		s.handleReplicaFailover()
	}
}

// handleManualFailover is clusterHandleManualFailover.
func (s *State) handleManualFailover() {
	f := &s.fo
	if f.mfEnd == 0 || f.mfCanStart || f.mfMasterOffset == -1 {
		return
	}
	if f.mfMasterOffset == s.replOffset {
		f.mfCanStart = true
		s.logf(LogWarning, "All master replication stream processed, manual failover can start.")
		f.handleFailover = true
		return
	}
	f.handleManual = true
}

// rank is clusterGetSlaveRank.
func (s *State) rank() int {
	master := s.myself.master
	if master == nil {
		return 0
	}
	r := 0
	for _, o := range master.replicas {
		if o != s.myself && o.Flags&FlagNoFailover == 0 && o.ReplOffset > s.replOffset {
			r++
		}
	}
	return r
}

// electionDelayUnit is the fixed part of the wait before an election, and
// the span of its random part. Redis waits 500 ms + random 0-500 ms, so
// that the FAIL broadcast reaches the masters before the vote request and
// replicas of equal rank rarely ask in the same epoch; both need only a
// few message times, which a fortieth of the node timeout covers well
// (125 ms at 5000, 50 ms at 2000, never below 50 ms nor above Redis's
// 500 ms). The rest of Redis's rules are kept: the rank orders replicas,
// and votes are cast exactly as Redis casts them.
func (s *State) electionDelayUnit() int64 {
	return min(max(s.cfg.NodeTimeout/40, 50), 500)
}

// rankDelay is the wait per rank (Redis: 1 s): longer than the random
// span plus one cron period (the election starts from the cron) and a
// vote round trip, so a better-ranked replica wins its election before the
// next one asks.
func (s *State) rankDelay() int64 {
	return min(2*s.electionDelayUnit()+200, 1000)
}

// handleReplicaFailover is clusterHandleSlaveFailover (§11).
func (s *State) handleReplicaFailover() {
	f := &s.fo
	f.handleFailover = false
	me := s.myself
	authAge := s.now - f.authTime
	quorum := s.size/2 + 1
	manual := f.mfEnd != 0 && f.mfCanStart
	authTimeout := s.cfg.NodeTimeout * 2
	if authTimeout < 2000 {
		authTimeout = 2000
	}
	authRetry := authTimeout * 2
	if me.IsMaster() || me.master == nil || (!me.master.failed() && !manual) ||
		(s.cfg.ReplicaNoFailover && !manual) || me.master.numSlots == 0 {
		return
	}
	dataAge := s.now - f.masterDataTime
	if dataAge > s.cfg.NodeTimeout {
		dataAge -= s.cfg.NodeTimeout
	}
	if s.cfg.ReplicaValidityFactor != 0 &&
		dataAge > s.cfg.ReplPingReplicaPeriod*1000+s.cfg.NodeTimeout*int64(s.cfg.ReplicaValidityFactor) && !manual {
		return
	}
	if authAge > authRetry {
		unit := s.electionDelayUnit()
		f.authTime = s.now + unit + s.rnd.Int64N(unit)
		f.authCount = 0
		f.authSent = false
		f.authRank = s.rank()
		f.authTime += int64(f.authRank) * s.rankDelay()
		if f.mfEnd != 0 {
			f.authTime = s.now
			f.authRank = 0
			f.handleFailover = true
		}
		s.logf(LogWarning, "Start of election delayed for %d milliseconds (rank #%d, offset %d).", f.authTime-s.now, f.authRank, s.replOffset)
		s.broadcastPong(pongLocalSlaves)
		return
	}
	if !f.authSent && f.mfEnd == 0 {
		if r := s.rank(); r > f.authRank {
			added := int64(r-f.authRank) * s.rankDelay()
			f.authTime += added
			f.authRank = r
			s.logf(LogWarning, "Replica rank updated to #%d, added %d milliseconds of delay.", r, added)
		}
	}
	if s.now < f.authTime || authAge > authTimeout {
		return
	}
	if !f.authSent {
		s.currentEpoch++
		f.authEpoch = s.currentEpoch
		s.logf(LogWarning, "Starting a failover election for epoch %d.", s.currentEpoch)
		m := s.buildHeader(bus.FailoverAuthRequest)
		if f.mfEnd != 0 {
			m.MFlags |= bus.MFlagForceAck
		}
		s.broadcast(m)
		f.authSent = true
		s.save(true)
		s.updateStateLater()
		return
	}
	if f.authCount >= quorum {
		s.logf(LogWarning, "Failover election won: I'm the new master.")
		if me.ConfigEpoch < f.authEpoch {
			me.ConfigEpoch = f.authEpoch
			s.logf(LogWarning, "configEpoch set to %d after successful failover", me.ConfigEpoch)
		}
		s.replaceMaster()
	}
}

// replaceMaster is clusterFailoverReplaceYourMaster (§11.2).
func (s *State) replaceMaster() {
	me := s.myself
	old := me.master
	if me.IsMaster() || old == nil {
		return
	}
	s.setNodeAsMaster(me)
	for j := 0; j < NumSlots; j++ {
		if old.slots.Has(j) {
			s.delSlot(j)
			s.addSlot(me, j)
		}
	}
	s.updateState()
	s.rd.UpdateState = true
	s.save(true)
	s.broadcastPong(pongAll)
	s.resetManualFailover()
}

// handleAuthRequest is clusterSendFailoverAuthIfNeeded (§11.1).
func (s *State) handleAuthRequest(n *Node, m *bus.Message) {
	me := s.myself
	master := n.master
	if me.IsReplica() || me.numSlots == 0 {
		return
	}
	if m.CurrentEpoch < s.currentEpoch {
		s.logf(LogWarning, "Failover auth denied to %s: reqEpoch (%d) < curEpoch(%d)", n.ID, m.CurrentEpoch, s.currentEpoch)
		return
	}
	if s.lastVoteEpoch == s.currentEpoch {
		s.logf(LogWarning, "Failover auth denied to %s: already voted for epoch %d", n.ID, s.currentEpoch)
		return
	}
	force := m.MFlags&bus.MFlagForceAck != 0
	switch {
	case n.IsMaster():
		s.logf(LogWarning, "Failover auth denied to %s: it is a master node", n.ID)
		return
	case master == nil:
		s.logf(LogWarning, "Failover auth denied to %s: I don't know its master", n.ID)
		return
	case !master.failed() && !force:
		s.logf(LogWarning, "Failover auth denied to %s: its master is up", n.ID)
		return
	}
	if s.now-master.VotedTime < s.cfg.NodeTimeout*2 {
		s.logf(LogWarning, "Failover auth denied to %s: can't vote about this master before %d milliseconds", n.ID, s.cfg.NodeTimeout*2-(s.now-master.VotedTime))
		return
	}
	for j := 0; j < NumSlots; j++ {
		if !m.MySlots.Has(j) || s.slotUnclaimed(j) || s.slots[j].ConfigEpoch <= m.ConfigEpoch {
			continue
		}
		s.logf(LogWarning, "Failover auth denied to %s: slot %d epoch (%d) > reqEpoch (%d)", n.ID, j, s.slots[j].ConfigEpoch, m.ConfigEpoch)
		return
	}
	s.lastVoteEpoch = s.currentEpoch
	master.VotedTime = s.now
	s.save(true)
	s.send(n.link, s.buildHeader(bus.FailoverAuthAck))
	s.logf(LogWarning, "Failover auth granted to %s for epoch %d", n.ID, s.currentEpoch)
}

// handleAuthAck counts a vote (clusterProcessPacket, FAILOVER_AUTH_ACK).
func (s *State) handleAuthAck(n *Node, m *bus.Message) {
	cur := m.CurrentEpoch
	if n.Flags&FlagHandshake != 0 {
		cur = 0
	}
	if n.IsMaster() && n.numSlots > 0 && cur >= s.fo.authEpoch {
		s.fo.authCount++
		s.fo.handleFailover = true
	}
}

// handleMFStart: a replica of mine asks for a manual failover.
func (s *State) handleMFStart(l *link, n *Node) {
	s.resetManualFailover()
	s.fo.mfEnd = s.now + mfTimeout
	s.fo.mfSlave = n
	s.rd.PauseClientsUntil = s.now + mfTimeout*mfPauseMult
	s.rd.UnpauseClients = false
	s.logf(LogWarning, "Manual failover requested by replica %s.", n.ID)
	s.sendPing(l, bus.Ping)
}

// handleReplicaMigration is clusterHandleSlaveMigration (§13).
func (s *State) handleReplicaMigration(maxReplicas int) {
	me := s.myself
	mymaster := me.master
	if !s.ok || mymaster == nil {
		return
	}
	ok := 0
	for _, r := range mymaster.replicas {
		if !r.failed() && !r.timedOut() {
			ok++
		}
	}
	if ok <= s.cfg.MigrationBarrier {
		return
	}
	candidate := me
	var target *Node
	for _, n := range s.order {
		okr := 0
		orphaned := !(n.IsReplica() || n.failed()) && n.Flags&FlagMigrateTo != 0
		if n.IsMaster() {
			okr = n.countNonFailingReplicas()
		}
		if okr > 0 {
			orphaned = false
		}
		if orphaned {
			if target == nil && n.numSlots > 0 {
				target = n
			}
			if n.OrphanedTime == 0 {
				n.OrphanedTime = s.now
			}
		} else {
			n.OrphanedTime = 0
		}
		if okr == maxReplicas {
			for _, r := range n.replicas {
				if r.ID < candidate.ID {
					candidate = r
				}
			}
		}
	}
	if target != nil && candidate == me && s.now-target.OrphanedTime > slaveMigrationDelay {
		s.logf(LogWarning, "Migrating to orphaned master %s", target.ID)
		s.setMaster(target)
	}
}

// FailoverMode is CLUSTER FAILOVER's option.
type FailoverMode int

// Failover modes.
const (
	FailoverDefault FailoverMode = iota
	FailoverForce
	FailoverTakeover
)

// Failover is CLUSTER FAILOVER [FORCE|TAKEOVER] (§12).
func (s *State) Failover(mode FailoverMode) error {
	me := s.myself
	if me.IsMaster() {
		return ErrFailoverNotReplica
	}
	if me.master == nil {
		return ErrFailoverNoMaster
	}
	if mode == FailoverDefault && (me.master.failed() || me.master.link == nil) {
		return ErrFailoverMasterDown
	}
	s.resetManualFailover()
	s.fo.mfEnd = s.now + mfTimeout
	switch mode {
	case FailoverTakeover:
		s.logf(LogWarning, "Taking over the master (user request).")
		s.bumpConfigEpochWithoutConsensus()
		s.replaceMaster()
	case FailoverForce:
		s.logf(LogWarning, "Forced failover user request accepted.")
		s.fo.mfCanStart = true
	default:
		s.logf(LogWarning, "Manual failover user request accepted.")
		s.send(me.master.link, s.buildHeader(bus.MFStart))
	}
	return nil
}
