package cluster

// The CLUSTER subcommands that change state (cluster.c clusterCommand).
// Argument parsing (integers, slot ranges, arity) is the caller's; these
// check the cluster-side conditions in Redis's order and return the
// sentinel errors of errors.go.

// Meet is CLUSTER MEET ip port cport (clusterStartHandshake). A handshake
// already in progress for the address is not an error.
// Errors: ErrInvalidAddress.
func (s *State) Meet(ip string, port, cport int) error {
	norm, ok := normalizeIP(ip)
	if !ok || port <= 0 || port > 65535 || cport <= 0 || cport > 65535 {
		return ErrInvalidAddress
	}
	for _, n := range s.order {
		if n.Flags&FlagHandshake != 0 && n.IP == norm && n.Port == port && n.CPort == cport {
			return nil
		}
	}
	n := s.newNode(s.randomID(), FlagHandshake|FlagMeet)
	n.IP, n.Port, n.CPort = norm, port, cport
	s.addNode(n)
	return nil
}

func (s *State) checkSlots(slots []int, del bool) error {
	seen := make(map[int]bool, len(slots))
	for _, j := range slots {
		if del && s.slots[j] == nil {
			return slotErr(j, ErrSlotUnassigned)
		}
		if !del && s.slots[j] != nil {
			return slotErr(j, ErrSlotBusy)
		}
		if seen[j] {
			return slotErr(j, ErrSlotRepeated)
		}
		seen[j] = true
	}
	return nil
}

// AddSlots is CLUSTER ADDSLOTS / ADDSLOTSRANGE (slots expanded, in argument
// order). Errors (SlotError): ErrSlotBusy, ErrSlotRepeated.
func (s *State) AddSlots(slots []int) error {
	if err := s.checkSlots(slots, false); err != nil {
		return err
	}
	for _, j := range slots {
		s.importingFrom[j] = nil
		s.addSlot(s.myself, j)
	}
	s.save(false)
	s.updateStateLater()
	return nil
}

// DelSlots is CLUSTER DELSLOTS / DELSLOTSRANGE.
// Errors (SlotError): ErrSlotUnassigned, ErrSlotRepeated.
func (s *State) DelSlots(slots []int) error {
	if err := s.checkSlots(slots, true); err != nil {
		return err
	}
	for _, j := range slots {
		s.importingFrom[j] = nil
		s.delSlot(j)
	}
	s.save(false)
	s.updateStateLater()
	return nil
}

// FlushSlots is CLUSTER FLUSHSLOTS. Errors: ErrDBNotEmpty.
func (s *State) FlushSlots() error {
	if s.dbSize() != 0 {
		return ErrDBNotEmpty
	}
	s.delNodeSlots(s.myself)
	s.save(false)
	s.updateStateLater()
	return nil
}

func (s *State) setSlotTarget(id string) (*Node, error) {
	n := s.nodes[id]
	if n == nil {
		return nil, ErrDontKnowNode
	}
	if n.IsReplica() {
		return nil, ErrTargetNotMaster
	}
	return n, nil
}

// SetSlotMigrating is CLUSTER SETSLOT slot MIGRATING id. Errors:
// ErrSetSlotNotMaster, ErrNotOwner (SlotError), ErrDontKnowNode, ErrTargetNotMaster.
func (s *State) SetSlotMigrating(slot int, id string) error {
	if s.myself.IsReplica() {
		return ErrSetSlotNotMaster
	}
	if s.slots[slot] != s.myself {
		return slotErr(slot, ErrNotOwner)
	}
	n, err := s.setSlotTarget(id)
	if err != nil {
		return err
	}
	s.migratingTo[slot] = n
	s.save(false)
	s.updateStateLater()
	return nil
}

// SetSlotImporting is CLUSTER SETSLOT slot IMPORTING id. Errors:
// ErrSetSlotNotMaster, ErrAlreadyOwner (SlotError), ErrDontKnowNode, ErrTargetNotMaster.
func (s *State) SetSlotImporting(slot int, id string) error {
	if s.myself.IsReplica() {
		return ErrSetSlotNotMaster
	}
	if s.slots[slot] == s.myself {
		return slotErr(slot, ErrAlreadyOwner)
	}
	n, err := s.setSlotTarget(id)
	if err != nil {
		return err
	}
	s.importingFrom[slot] = n
	s.save(false)
	s.updateStateLater()
	return nil
}

// SetSlotStable is CLUSTER SETSLOT slot STABLE. Errors: ErrSetSlotNotMaster.
func (s *State) SetSlotStable(slot int) error {
	if s.myself.IsReplica() {
		return ErrSetSlotNotMaster
	}
	s.migratingTo[slot] = nil
	s.importingFrom[slot] = nil
	s.save(false)
	s.updateStateLater()
	return nil
}

// SetSlotNode is CLUSTER SETSLOT slot NODE id. Finishing an import bumps my
// configEpoch without consensus and broadcasts a PONG. Errors:
// ErrSetSlotNotMaster, ErrUnknownNode, ErrTargetNotMaster, ErrSlotHasKeys (SlotError).
func (s *State) SetSlotNode(slot int, id string) error {
	me := s.myself
	if me.IsReplica() {
		return ErrSetSlotNotMaster
	}
	n := s.nodes[id]
	if n == nil {
		return ErrUnknownNode
	}
	if n.IsReplica() {
		return ErrTargetNotMaster
	}
	keys := s.countKeysInSlot(slot)
	if s.slots[slot] == me && n != me && keys != 0 {
		return slotErr(slot, ErrSlotHasKeys)
	}
	if keys == 0 && s.migratingTo[slot] != nil {
		s.migratingTo[slot] = nil
	}
	wasMine := s.slots[slot] == me
	s.delSlot(slot)
	s.addSlot(n, slot)
	if wasMine && n != me && me.numSlots == 0 && s.cfg.AllowReplicaMigration {
		s.logf(LogWarning, "Configuration change detected. Reconfiguring myself as a replica of %s", n.ID)
		s.setMaster(n)
		s.save(true)
	}
	if n == me && s.importingFrom[slot] != nil {
		if s.bumpConfigEpochWithoutConsensus() {
			s.logf(LogWarning, "configEpoch updated after importing slot %d", slot)
		}
		s.importingFrom[slot] = nil
		s.broadcastPong(pongAll)
	}
	// As Redis, SETSLOT saves without fsync (only the bumped epoch and the
	// turn into a replica ask for it): a reshard sends thousands.
	s.save(false)
	s.updateStateLater()
	return nil
}

// Forget is CLUSTER FORGET id: delete the node and blacklist its ID for
// 60 s. Errors: ErrUnknownNode, ErrForgetMyself, ErrForgetMaster.
func (s *State) Forget(id string) error {
	n := s.nodes[id]
	switch {
	case n == nil:
		return ErrUnknownNode
	case n == s.myself:
		return ErrForgetMyself
	case s.myself.IsReplica() && s.myself.master == n:
		return ErrForgetMaster
	}
	s.expireBlacklist()
	s.blacklist[id] = s.now/1000 + blacklistTTL
	s.delNode(n)
	s.save(false)
	s.updateStateLater()
	return nil
}

// Replicate is CLUSTER REPLICATE id. Errors: ErrUnknownNode,
// ErrReplicateMyself, ErrReplicateReplica, ErrNotEmpty.
func (s *State) Replicate(id string) error {
	me := s.myself
	n := s.nodes[id]
	switch {
	case n == nil:
		return ErrUnknownNode
	case n == me:
		return ErrReplicateMyself
	case n.IsReplica():
		return ErrReplicateReplica
	case me.IsMaster() && (me.numSlots != 0 || s.dbSize() != 0):
		return ErrNotEmpty
	}
	s.setMaster(n)
	s.save(false)
	s.updateStateLater()
	return nil
}

// Reset is CLUSTER RESET [HARD] (clusterReset). flushData: I was a replica
// and the caller must empty every database. Errors: ErrResetWithKeys.
func (s *State) Reset(hard bool) (flushData bool, err error) {
	me := s.myself
	if me.IsMaster() && s.dbSize() != 0 {
		return false, ErrResetWithKeys
	}
	if me.IsReplica() {
		s.setNodeAsMaster(me)
		flushData = true
	}
	s.closeAllSlots()
	s.resetManualFailover()
	for j := 0; j < NumSlots; j++ {
		s.delSlot(j)
	}
	for _, n := range append([]*Node(nil), s.order...) {
		if n != me {
			s.delNode(n)
		}
	}
	if hard {
		s.currentEpoch = 0
		s.lastVoteEpoch = 0
		me.ConfigEpoch = 0
		s.logf(LogWarning, "configEpoch set to 0 via CLUSTER RESET HARD")
		delete(s.nodes, me.ID)
		me.ID = s.randomID()
		s.nodes[me.ID] = me
		s.logf(LogNotice, "Node hard reset, now I'm %s", me.ID)
	}
	s.save(true)
	s.updateStateLater()
	return flushData, nil
}

// SetConfigEpoch is CLUSTER SET-CONFIG-EPOCH. Errors: ErrInvalidConfigEpoch,
// ErrConfigEpochOthersKnown, ErrConfigEpochNonZero.
func (s *State) SetConfigEpoch(epoch int64) error {
	switch {
	case epoch < 0:
		return ErrInvalidConfigEpoch
	case len(s.order) > 1:
		return ErrConfigEpochOthersKnown
	case s.myself.ConfigEpoch != 0:
		return ErrConfigEpochNonZero
	}
	s.myself.ConfigEpoch = uint64(epoch)
	s.logf(LogWarning, "configEpoch set to %d via CLUSTER SET-CONFIG-EPOCH", epoch)
	if s.currentEpoch < uint64(epoch) {
		s.currentEpoch = uint64(epoch)
	}
	// No fsync, as Redis: a config epoch lost to a crash is made unique
	// again by the collision resolution.
	s.save(false)
	s.updateStateLater()
	return nil
}

// BumpEpoch is CLUSTER BUMPEPOCH: the reply is "BUMPED <epoch>" if bumped,
// else "STILL <epoch>".
func (s *State) BumpEpoch() (epoch uint64, bumped bool) {
	bumped = s.bumpConfigEpochWithoutConsensus()
	return s.myself.ConfigEpoch, bumped
}
