package cluster

import (
	"net/netip"

	"shoal/internal/cluster/bus"
)

// Discard records a frame that failed to decode (bus.Decode's error other
// than ErrUnknownType): it is counted by type, as clusterProcessPacket
// counts before its checks, and logged. The link stays open unless the
// driver closes it (bad signature or short totlen, as clusterReadHandler).
func (s *State) Discard(id LinkID, t bus.Type, err error) {
	if t < bus.NumTypes {
		s.statsRecv[t]++
	}
	s.logf(LogWarning, "Discarding cluster bus message of type %s on link %d: %v", t, id, err)
}

// nodeFromLinkAndMsg is getNodeFromLinkAndMsg.
func (s *State) nodeFromLinkAndMsg(l *link, m *bus.Message) *Node {
	if l.node != nil && l.node.Flags&FlagHandshake == 0 {
		return l.node
	}
	sender := s.nodes[m.Sender.String()]
	if sender != nil && l.node == nil && sender != s.myself {
		// Only inbound links have no node: bind it (setClusterNodeToInboundClusterLink).
		if sender.inLink != nil && sender.inLink != l {
			s.logf(LogVerbose, "Replacing inbound link fd from node %s", sender.ID)
			s.freeLink(sender.inLink)
		}
		sender.inLink = l
		l.node = sender
	}
	return sender
}

// peerAddr is nodeIp2String: the announced IP, else the connection's peer.
func peerAddr(l *link, m *bus.Message) string {
	if m.MyIP != "" {
		return m.MyIP
	}
	return l.peerIP
}

// Step processes one decoded message received on a link
// (clusterProcessPacket, spec §6). A message bus.Decode returned with
// bus.ErrUnknownType is Step-ed too: its header counts (sender, epochs).
func (s *State) Step(id LinkID, m *bus.Message, nowMs int64) {
	s.now = nowMs
	l := s.links[id]
	if l == nil {
		return
	}
	t := m.Type
	if t < bus.NumTypes {
		s.statsRecv[t]++
	}
	if m.Ver != bus.Version {
		return
	}
	me := s.myself
	if n := l.node; n != nil && n.Flags&FlagHandshake == 0 && n.ID != m.Sender.String() &&
		(l.inbound || (t != bus.Ping && t != bus.Pong && t != bus.Meet)) {
		// A link speaks for one node: a message naming another sender is
		// dropped. (A PING/PONG/MEET on an outbound link is the handshake's
		// ID-mismatch case below, as Redis handles it.)
		s.logf(LogWarning, "Discarding %s from %s on the link of node %s", t, m.Sender.String(), n.ID)
		return
	}
	sender := s.nodeFromLinkAndMsg(l, m)
	if sender == me {
		// A peer claiming our own ID: nothing it says about "us" is trusted.
		s.logf(LogWarning, "Discarding message claiming to be sent by myself on link %d", id)
		return
	}
	if sender != nil {
		sender.DataReceived = nowMs
	}
	if sender != nil && sender.Flags&FlagHandshake == 0 {
		if m.CurrentEpoch > s.currentEpoch {
			s.currentEpoch = m.CurrentEpoch
		}
		if m.ConfigEpoch > sender.ConfigEpoch {
			sender.ConfigEpoch = m.ConfigEpoch
			s.save(true)
		}
		sender.ReplOffset = int64(m.Offset)
		if s.fo.mfEnd != 0 && me.IsReplica() && me.master == sender && m.MFlags&bus.MFlagPaused != 0 && s.fo.mfMasterOffset == -1 {
			s.fo.mfMasterOffset = sender.ReplOffset
			s.logf(LogWarning, "Received replication offset for paused master manual failover: %d", s.fo.mfMasterOffset)
		}
	}

	if t >= bus.NumTypes {
		// Redis takes the epochs above from any well-formed header, then
		// ignores the body of a type it does not know.
		s.logf(LogVerbose, "Received unknown packet type: %d", t)
		return
	}

	if t == bus.Ping || t == bus.Meet {
		if (t == bus.Meet || me.IP == "") && s.cfg.AnnounceIP == "" && l.localIP != "" && l.localIP != me.IP {
			me.IP = l.localIP
			s.logf(LogWarning, "IP address for this node updated to %s", me.IP)
			s.save(false)
		}
		if sender == nil && t == bus.Meet {
			n := s.newNode(s.randomID(), FlagHandshake)
			n.IP = peerAddr(l, m)
			n.Port, n.PPort, n.CPort = int(m.Port), int(m.PPort), int(m.CPort)
			s.addNode(n)
			s.save(false)
			// Redis processes this MEET's gossip with no sender: only
			// already-known nodes are touched (no reports, no new nodes).
			s.processGossip(m, nil)
		}
		s.sendPing(l, bus.Pong)
	}

	switch t {
	case bus.Ping, bus.Pong, bus.Meet:
		if !s.processPingPong(l, m, sender) {
			return
		}
	case bus.Fail:
		if sender == nil {
			s.logf(LogNotice, "Ignoring FAIL message from unknown node %s about %s", m.Sender.String(), m.FailNode.String())
			return
		}
		failing := s.nodes[m.FailNode.String()]
		if failing != nil && failing.Flags&(FlagFail|FlagMyself) == 0 {
			s.logf(LogNotice, "FAIL message received from %s about %s", sender.ID, failing.ID)
			failing.Flags |= FlagFail
			failing.FailTime = nowMs
			failing.Flags &^= FlagPFail
			s.save(false)
			s.updateStateLater()
		}
	case bus.Publish, bus.PublishShard:
		if sender == nil {
			return
		}
		s.rd.Deliveries = append(s.rd.Deliveries, Delivery{
			Channel: append([]byte(nil), m.Channel...),
			Message: append([]byte(nil), m.Payload...),
			Shard:   t == bus.PublishShard,
		})
	case bus.FailoverAuthRequest:
		if sender == nil {
			return
		}
		s.handleAuthRequest(sender, m)
	case bus.FailoverAuthAck:
		if sender == nil {
			return
		}
		s.handleAuthAck(sender, m)
	case bus.MFStart:
		if sender == nil || sender.master != me {
			return
		}
		s.handleMFStart(l, sender)
	case bus.Update:
		if sender == nil {
			return
		}
		n := s.nodes[m.UpdateNode.String()]
		if n == nil || n.ConfigEpoch >= m.UpdateConfigEpoch {
			return
		}
		if n.IsReplica() {
			s.setNodeAsMaster(n)
		}
		n.ConfigEpoch = m.UpdateConfigEpoch
		s.save(true)
		s.updateSlotsConfigWith(n, m.UpdateConfigEpoch, &m.UpdateSlots)
	case bus.Module:
		// No modules: nothing registers a receiver.
	}
}

// processPingPong handles the config part of PING/PONG/MEET; false if the
// link or the sender's handshake node was freed.
func (s *State) processPingPong(l *link, m *bus.Message, sender *Node) bool {
	me := s.myself
	t := m.Type
	if !l.inbound {
		if l.node.Flags&FlagHandshake != 0 {
			if sender != nil {
				s.logf(LogVerbose, "Handshake: we already know node %s, updating the address if needed.", sender.ID)
				if s.updateAddressIfNeeded(sender, l, m) {
					s.save(false)
					s.updateStateLater()
				}
				s.delNode(l.node)
				return false
			}
			id := m.Sender.String()
			if !ValidID(id) {
				s.logf(LogWarning, "Handshake: peer sent an invalid node ID, dropping the message")
				return false
			}
			s.renameNode(l.node, id)
			s.logf(LogDebug, "Handshake with node %s completed.", id)
			l.node.Flags &^= FlagHandshake
			l.node.Flags |= m.Flags & (FlagMaster | FlagSlave)
			s.save(false)
			// Once this message is processed (Redis waits for its random pings).
			defer s.announceNewNode(l)
		} else if l.node.ID != m.Sender.String() {
			n := l.node
			s.logf(LogDebug, "PONG contains mismatching sender ID. About node %s added %d ms ago, having flags %d", n.ID, s.now-n.CreateTime, n.Flags)
			n.Flags |= FlagNoAddr
			n.IP = ""
			n.Port, n.PPort, n.CPort = 0, 0, 0
			s.freeLink(l)
			s.save(false)
			return false
		}
	}

	if sender != nil {
		sender.Flags = sender.Flags&^FlagNoFailover | m.Flags&FlagNoFailover
	}

	if sender != nil && t == bus.Ping && sender.Flags&FlagHandshake == 0 && s.updateAddressIfNeeded(sender, l, m) {
		s.save(false)
		s.updateStateLater()
	}

	if !l.inbound && t == bus.Pong {
		n := l.node
		n.PongReceived = s.now
		n.PingSent = 0
		if n.timedOut() {
			n.Flags &^= FlagPFail
			s.save(false)
			s.updateStateLater()
		} else if n.failed() {
			s.clearNodeFailureIfNeeded(n)
		}
	}

	if sender != nil {
		if m.SlaveOf.IsZero() {
			s.setNodeAsMaster(sender)
		} else {
			master := s.nodes[m.SlaveOf.String()]
			if sender.IsMaster() {
				s.delNodeSlots(sender)
				sender.Flags &^= FlagMaster | FlagMigrateTo
				sender.Flags |= FlagSlave
				s.save(false)
				s.updateStateLater()
			}
			if master != nil && master != sender && sender.master != master {
				if sender.master != nil {
					sender.master.removeReplica(sender)
				}
				master.addReplica(sender)
				sender.master = master
				s.save(false)
			}
		}
	}

	var senderMaster *Node
	dirty := false
	if sender != nil {
		senderMaster = sender
		if !sender.IsMaster() {
			senderMaster = sender.master
		}
		if senderMaster != nil {
			dirty = senderMaster.slots != m.MySlots
		}
	}
	if sender != nil && sender.IsMaster() && dirty {
		s.updateSlotsConfigWith(sender, m.ConfigEpoch, &m.MySlots)
	}
	if sender != nil && dirty {
		for j := 0; j < NumSlots; j++ {
			if !m.MySlots.Has(j) || s.slots[j] == sender || s.slotUnclaimed(j) {
				continue
			}
			if s.slots[j].ConfigEpoch > m.ConfigEpoch {
				s.logf(LogVerbose, "Node %s has old slots configuration, sending an UPDATE message about %s", sender.ID, s.slots[j].ID)
				s.sendUpdate(sender.link, s.slots[j])
				break
			}
		}
	}

	if sender != nil && me.IsMaster() && sender.IsMaster() && m.ConfigEpoch == me.ConfigEpoch {
		s.handleConfigEpochCollision(sender)
	}

	if sender != nil {
		s.processGossip(m, sender)
		s.updateHostname(sender, m)
	}
	return true
}

// updateHostname is updateAnnouncedHostname: the HOSTNAME extension, or
// none if the message had none. (Redis does not save the config for it.)
func (s *State) updateHostname(n *Node, m *bus.Message) {
	n.Hostname = m.Hostname
}

// updateAddressIfNeeded is nodeUpdateAddressIfNeeded (§5.6).
func (s *State) updateAddressIfNeeded(n *Node, l *link, m *bus.Message) bool {
	if l == n.link {
		return false
	}
	ip := peerAddr(l, m)
	if ip == "" {
		return false
	}
	port, pport, cport := int(m.Port), int(m.PPort), int(m.CPort)
	if n.Port == port && n.CPort == cport && n.PPort == pport && n.IP == ip {
		return false
	}
	n.IP = ip
	n.Port, n.PPort, n.CPort = port, pport, cport
	if n.link != nil {
		s.freeLink(n.link)
	}
	n.Flags &^= FlagNoAddr
	s.logf(LogWarning, "Address updated for node %s, now %s:%d", n.ID, n.IP, n.Port)
	if s.myself.IsReplica() && s.myself.master == n {
		s.rd.MasterChanged = true
	}
	return true
}

// processGossip is clusterProcessGossipSection (§6.1).
func (s *State) processGossip(m *bus.Message, sender *Node) {
	for i := range m.Gossip {
		g := &m.Gossip[i]
		flags := g.Flags
		id := g.Name.String()
		n := s.nodes[id]
		if n != nil {
			if sender != nil && sender.IsMaster() && n != s.myself {
				if flags&(FlagFail|FlagPFail) != 0 {
					if n.addFailureReport(sender, s.now) {
						s.logf(LogVerbose, "Node %s reported node %s as not reachable.", sender.ID, n.ID)
					}
					s.markNodeAsFailingIfNeeded(n)
				} else if n.delFailureReport(sender) {
					s.logf(LogVerbose, "Node %s reported node %s is back online.", sender.ID, n.ID)
				}
			}
			if flags&(FlagFail|FlagPFail) == 0 && n.PingSent == 0 && s.failureReportsCount(n) == 0 {
				pong := int64(g.PongReceived) * 1000
				if pong <= s.now+500 && pong > n.PongReceived {
					n.PongReceived = pong
				}
			}
			if n.Flags&(FlagFail|FlagPFail) != 0 && flags&(FlagNoAddr|FlagFail|FlagPFail) == 0 &&
				(n.IP != g.IP || n.Port != int(g.Port) || n.CPort != int(g.CPort)) {
				if n.link != nil {
					s.freeLink(n.link)
				}
				n.IP = g.IP
				n.Port, n.PPort, n.CPort = int(g.Port), int(g.PPort), int(g.CPort)
				n.Flags &^= FlagNoAddr
			}
			continue
		}
		if sender != nil && flags&FlagNoAddr == 0 && !s.blacklisted(id) && ValidID(id) {
			// MYSELF is never true of another node; a hostile peer cannot make it so.
			n := s.newNode(id, flags&^FlagMyself)
			n.IP = g.IP
			n.Port, n.PPort, n.CPort = int(g.Port), int(g.PPort), int(g.CPort)
			s.addNode(n)
		}
	}
}

// normalizeIP validates and canonicalizes an IP for CLUSTER MEET.
func normalizeIP(ip string) (string, bool) {
	a, err := netip.ParseAddr(ip)
	if err != nil || a.Zone() != "" {
		return "", false
	}
	return a.String(), true
}
