package cluster

import "shoal/internal/cluster/bus"

// Node flags (clusterNode.flags), the same bits as on the wire.
const (
	FlagMaster     = bus.FlagMaster
	FlagSlave      = bus.FlagSlave
	FlagPFail      = bus.FlagPFail
	FlagFail       = bus.FlagFail
	FlagMyself     = bus.FlagMyself
	FlagHandshake  = bus.FlagHandshake
	FlagNoAddr     = bus.FlagNoAddr
	FlagMeet       = bus.FlagMeet
	FlagMigrateTo  = bus.FlagMigrateTo
	FlagNoFailover = bus.FlagNoFailover
)

// Node is one entry of the node table (clusterNode). The driver and the
// CLUSTER commands read its exported fields under the executor lock and
// never write them.
type Node struct {
	ID         string
	Flags      uint16
	CreateTime int64 // ms
	IP         string
	Port       int // client port as announced (the TLS port in a TLS cluster)
	PPort      int // plaintext port in a TLS cluster, else 0
	CPort      int // cluster bus port
	Hostname   string

	ConfigEpoch  uint64
	PingSent     int64 // ms of the pending PING, 0 if none
	PongReceived int64 // ms of the last PONG
	DataReceived int64 // ms of the last message of any type
	FailTime     int64 // ms when FAIL was set
	VotedTime    int64 // ms of the last vote given to a replica of this master
	ReplOffset   int64 // last replication offset seen in its headers
	OrphanedTime int64 // since when this master has no working replica

	master      *Node
	replicas    []*Node
	slots       bus.Bitmap
	numSlots    int
	link        *link // outbound
	inLink      *link // inbound
	failReports []failReport
}

type failReport struct {
	node *Node // the master that reported
	time int64
}

// Has reports whether any of the flags f is set.
func (n *Node) Has(f uint16) bool { return n.Flags&f != 0 }

// IsMaster reports the MASTER flag.
func (n *Node) IsMaster() bool { return n.Flags&FlagMaster != 0 }

// IsReplica reports the SLAVE flag.
func (n *Node) IsReplica() bool { return n.Flags&FlagSlave != 0 }

// Master is the node this replica replicates, or nil.
func (n *Node) Master() *Node { return n.master }

// Replicas returns this master's replicas in the order they were added.
// The slice is the state's: do not modify it.
func (n *Node) Replicas() []*Node { return n.replicas }

// Slots is the bitmap of the slots bound to n. Read only.
func (n *Node) Slots() *bus.Bitmap { return &n.slots }

// NumSlots is the number of slots bound to n.
func (n *Node) NumSlots() int { return n.numSlots }

// Connected reports what CLUSTER NODES prints as the link state: myself, or
// an outbound link exists.
func (n *Node) Connected() bool { return n.link != nil || n.Flags&FlagMyself != 0 }

// OutLink and InLink return the node's links (0 if none).
func (n *Node) OutLink() LinkID {
	if n.link == nil {
		return 0
	}
	return n.link.id
}

// InLink returns the node's inbound link, 0 if none.
func (n *Node) InLink() LinkID {
	if n.inLink == nil {
		return 0
	}
	return n.inLink.id
}

// hasAddr is nodeHasAddr.
func (n *Node) hasAddr() bool { return n.Flags&FlagNoAddr == 0 }

func (n *Node) timedOut() bool { return n.Flags&FlagPFail != 0 }
func (n *Node) failed() bool   { return n.Flags&FlagFail != 0 }

func (n *Node) addReplica(r *Node) bool {
	for _, x := range n.replicas {
		if x == r {
			return false
		}
	}
	n.replicas = append(n.replicas, r)
	n.Flags |= FlagMigrateTo
	return true
}

func (n *Node) removeReplica(r *Node) {
	for i, x := range n.replicas {
		if x == r {
			n.replicas = append(n.replicas[:i], n.replicas[i+1:]...)
			break
		}
	}
	if len(n.replicas) == 0 {
		n.Flags &^= FlagMigrateTo
	}
}

// countNonFailingReplicas is clusterCountNonFailingSlaves.
func (n *Node) countNonFailingReplicas() int {
	c := 0
	for _, r := range n.replicas {
		if !r.failed() {
			c++
		}
	}
	return c
}

// shardMaster is the master of n's shard: n itself, or its master.
func (n *Node) shardMaster() *Node {
	if n.IsReplica() {
		return n.master
	}
	return n
}
