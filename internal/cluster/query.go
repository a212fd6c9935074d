package cluster

import (
	"fmt"

	"shoal/internal/cluster/bus"
)

// Myself is the local node.
func (s *State) Myself() *Node { return s.myself }

// Node looks a node up by ID (nil if unknown).
func (s *State) Node(id string) *Node { return s.nodes[id] }

// Nodes returns every known node in node-table order, myself and handshake
// nodes included. The slice is the state's: do not modify it.
func (s *State) Nodes() []*Node { return s.order }

// SlotOwner is the node a slot is bound to (nil: unbound).
func (s *State) SlotOwner(slot int) *Node { return s.slots[slot] }

// Migrating is the node a slot of mine is migrating to (nil: none).
func (s *State) Migrating(slot int) *Node { return s.migratingTo[slot] }

// Importing is the node a slot is being imported from (nil: none).
func (s *State) Importing(slot int) *Node { return s.importingFrom[slot] }

// OK reports cluster_state:ok.
func (s *State) OK() bool { return s.ok }

// Size is cluster_size: masters serving slots, as of the last state update.
func (s *State) Size() int { return s.size }

// CurrentEpoch is cluster_current_epoch.
func (s *State) CurrentEpoch() uint64 { return s.currentEpoch }

// LastVoteEpoch is the last epoch this master voted in.
func (s *State) LastVoteEpoch() uint64 { return s.lastVoteEpoch }

// MyEpoch is cluster_my_epoch: my configEpoch, or my master's if I am a replica.
func (s *State) MyEpoch() uint64 {
	if s.myself.IsReplica() && s.myself.master != nil {
		return s.myself.master.ConfigEpoch
	}
	return s.myself.ConfigEpoch
}

// ReplOffset is my replication offset as last set by SetReplOffset.
func (s *State) ReplOffset() int64 { return s.replOffset }

// Endpoint is n's preferred endpoint (getPreferredEndpoint): its IP, its
// hostname ("?" if it has none), or "" for unknown-endpoint.
func (s *State) Endpoint(n *Node) string {
	switch s.cfg.PreferredEndpoint {
	case EndpointHostname:
		if n.Hostname != "" {
			return n.Hostname
		}
		return "?"
	case EndpointUnknown:
		return ""
	}
	return n.IP
}

// CountFailureReports is CLUSTER COUNT-FAILURE-REPORTS: valid reports
// about node id. Errors: ErrUnknownNode.
func (s *State) CountFailureReports(id string) (int, error) {
	n := s.nodes[id]
	if n == nil {
		return 0, ErrUnknownNode
	}
	return s.failureReportsCount(n), nil
}

// Replicas is CLUSTER REPLICAS/SLAVES. Errors: ErrUnknownNode, ErrNotAMaster.
func (s *State) Replicas(id string) ([]*Node, error) {
	n := s.nodes[id]
	if n == nil {
		return nil, ErrUnknownNode
	}
	if n.IsReplica() {
		return nil, ErrNotAMaster
	}
	return n.replicas, nil
}

// MessagesSent and MessagesReceived are the bus counters by type
// (cluster_stats_messages_*).
func (s *State) MessagesSent(t bus.Type) uint64 { return s.statsSent[t] }

// MessagesReceived counts received messages of type t.
func (s *State) MessagesReceived(t bus.Type) uint64 { return s.statsRecv[t] }

// AppendInfo appends the CLUSTER INFO text (clusterGenClusterInfoString);
// linksBufferLimitExceeded is the driver's counter of links closed for
// exceeding cluster-link-sendbuf-limit.
func (s *State) AppendInfo(dst []byte, linksBufferLimitExceeded uint64) []byte {
	assigned, ok, pfail, fail := 0, 0, 0, 0
	for _, n := range s.slots {
		if n == nil {
			continue
		}
		assigned++
		switch {
		case n.failed():
			fail++
		case n.timedOut():
			pfail++
		default:
			ok++
		}
	}
	st := "fail"
	if s.ok {
		st = "ok"
	}
	dst = fmt.Appendf(dst, "cluster_state:%s\r\ncluster_slots_assigned:%d\r\ncluster_slots_ok:%d\r\ncluster_slots_pfail:%d\r\ncluster_slots_fail:%d\r\ncluster_known_nodes:%d\r\ncluster_size:%d\r\ncluster_current_epoch:%d\r\ncluster_my_epoch:%d\r\n",
		st, assigned, ok, pfail, fail, len(s.order), s.size, s.currentEpoch, s.MyEpoch())
	var tot uint64
	for t := bus.Type(0); t < bus.NumTypes; t++ {
		if c := s.statsSent[t]; c != 0 {
			dst = fmt.Appendf(dst, "cluster_stats_messages_%s_sent:%d\r\n", t, c)
			tot += c
		}
	}
	dst = fmt.Appendf(dst, "cluster_stats_messages_sent:%d\r\n", tot)
	tot = 0
	for t := bus.Type(0); t < bus.NumTypes; t++ {
		if c := s.statsRecv[t]; c != 0 {
			dst = fmt.Appendf(dst, "cluster_stats_messages_%s_received:%d\r\n", t, c)
			tot += c
		}
	}
	dst = fmt.Appendf(dst, "cluster_stats_messages_received:%d\r\n", tot)
	return fmt.Appendf(dst, "total_cluster_links_buffer_limit_exceeded:%d\r\n", linksBufferLimitExceeded)
}
