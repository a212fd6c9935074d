package cluster

import "shoal/internal/cluster/bus"

// Tick is clusterCron: call it every 100 ms (spec §7).
func (s *State) Tick(nowMs int64) {
	s.now = nowMs
	s.iteration++
	timeout := s.cfg.NodeTimeout
	handshakeTimeout := timeout
	if handshakeTimeout < 1000 {
		handshakeTimeout = 1000
	}
	s.expireBlacklist()

	s.pfailNodes = 0
	for _, n := range append([]*Node(nil), s.order...) {
		if n.Flags&(FlagMyself|FlagNoAddr) != 0 {
			continue
		}
		if n.Flags&FlagPFail != 0 {
			s.pfailNodes++
		}
		if n.Flags&FlagHandshake != 0 && nowMs-n.CreateTime > handshakeTimeout {
			s.delNode(n)
			continue
		}
		if n.link == nil {
			l := s.newLink(n, false)
			l.peerIP = n.IP
			n.link = l
			s.rd.Dials = append(s.rd.Dials, Dial{Link: l.id, IP: n.IP, BusPort: n.CPort})
		}
	}

	// Once a second, PING the node with the oldest PONG among 5 random ones.
	if s.iteration%10 == 0 {
		var minPong *Node
		for j := 0; j < 5; j++ {
			t := s.order[s.rnd.IntN(len(s.order))]
			if t.link == nil || t.PingSent != 0 {
				continue
			}
			if t.Flags&(FlagMyself|FlagHandshake) != 0 {
				continue
			}
			if minPong == nil || minPong.PongReceived > t.PongReceived {
				minPong = t
			}
		}
		if minPong != nil {
			s.logf(LogDebug, "Pinging node %s", minPong.ID)
			s.sendPing(minPong.link, bus.Ping)
		}
	}

	orphanedMasters, maxReplicas, thisReplicas := 0, 0, 0
	updateState, newPFail := false, false
	me := s.myself
	for _, n := range s.order {
		if n.Flags&(FlagMyself|FlagNoAddr|FlagHandshake) != 0 {
			continue
		}
		if me.IsReplica() && n.IsMaster() && !n.failed() {
			ok := n.countNonFailingReplicas()
			if ok == 0 && n.numSlots > 0 && n.Flags&FlagMigrateTo != 0 {
				orphanedMasters++
			}
			if ok > maxReplicas {
				maxReplicas = ok
			}
			if me.master == n {
				thisReplicas = ok
			}
		}
		pingDelay := nowMs - n.PingSent
		dataDelay := nowMs - n.DataReceived
		// Free a link that sends nothing back, to reconnect it.
		if n.link != nil && nowMs-n.link.createTime > timeout && n.PingSent != 0 &&
			pingDelay > timeout/2 && dataDelay > timeout/2 {
			s.freeLink(n.link)
		}
		// A link still connecting queues the PING (the driver sends it once
		// connected), so a connect that hangs still times the node out.
		if n.link != nil && n.PingSent == 0 && nowMs-n.PongReceived > timeout/2 {
			s.sendPing(n.link, bus.Ping)
			continue
		}
		if s.fo.mfEnd != 0 && me.IsMaster() && s.fo.mfSlave == n && n.link != nil {
			s.sendPing(n.link, bus.Ping)
			continue
		}
		if n.PingSent == 0 {
			continue
		}
		delay := pingDelay
		if dataDelay < delay {
			delay = dataDelay
		}
		if delay > timeout && n.Flags&(FlagPFail|FlagFail) == 0 {
			s.logf(LogDebug, "*** NODE %s possibly failing", n.ID)
			n.Flags |= FlagPFail
			s.pfailNodes++
			updateState, newPFail = true, true
		}
	}
	if newPFail && me.IsMaster() {
		// Spread my failure report now rather than with the next PINGs
		// (up to node-timeout/2 away): every PING and PONG gossips the
		// PFAIL nodes, and the masters that agree mark the node FAIL
		// as soon as they hear it. A PONG, so that no pending PING's
		// clock is reset.
		s.broadcastPong(pongAll)
	}

	s.cronFailover(orphanedMasters, maxReplicas, thisReplicas)

	if updateState || !s.ok {
		// Slots do not move here: only a change of cluster_state matters
		// to blocked clients.
		was := s.ok
		s.updateState()
		if s.ok != was {
			s.rd.UpdateState = true
		}
	}
}

func (s *State) expireBlacklist() {
	sec := s.now / 1000
	for id, exp := range s.blacklist {
		if exp < sec {
			delete(s.blacklist, id)
		}
	}
}

func (s *State) blacklisted(id string) bool {
	exp, ok := s.blacklist[id]
	return ok && exp >= s.now/1000
}
