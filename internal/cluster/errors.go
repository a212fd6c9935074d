package cluster

import (
	"errors"
	"strconv"
)

// Sentinel errors of the command methods. Each maps to one Redis 7.0 error
// reply, quoted in its comment; <n> is the slot of a SlotError, <id> and the
// address are the command's own arguments.
var (
	// ErrInvalidAddress: "ERR Invalid node address specified: <ip>:<port>"
	ErrInvalidAddress = errors.New("cluster: invalid node address")
	// ErrSlotBusy: "ERR Slot <n> is already busy"
	ErrSlotBusy = errors.New("cluster: slot already busy")
	// ErrSlotUnassigned: "ERR Slot <n> is already unassigned"
	ErrSlotUnassigned = errors.New("cluster: slot already unassigned")
	// ErrSlotRepeated: "ERR Slot <n> specified multiple times"
	ErrSlotRepeated = errors.New("cluster: slot specified multiple times")
	// ErrDBNotEmpty: "ERR DB must be empty to perform CLUSTER FLUSHSLOTS."
	ErrDBNotEmpty = errors.New("cluster: db not empty")
	// ErrSetSlotNotMaster: "ERR Please use SETSLOT only with masters."
	ErrSetSlotNotMaster = errors.New("cluster: setslot on a replica")
	// ErrNotOwner: "ERR I'm not the owner of hash slot <n>"
	ErrNotOwner = errors.New("cluster: not the owner of the slot")
	// ErrAlreadyOwner: "ERR I'm already the owner of hash slot <n>"
	ErrAlreadyOwner = errors.New("cluster: already the owner of the slot")
	// ErrDontKnowNode: "ERR I don't know about node <id>" (SETSLOT MIGRATING/IMPORTING)
	ErrDontKnowNode = errors.New("cluster: node not known")
	// ErrUnknownNode: "ERR Unknown node <id>" (SETSLOT NODE, FORGET,
	// REPLICATE, REPLICAS/SLAVES, COUNT-FAILURE-REPORTS)
	ErrUnknownNode = errors.New("cluster: unknown node")
	// ErrTargetNotMaster: "ERR Target node is not a master"
	ErrTargetNotMaster = errors.New("cluster: target node is not a master")
	// ErrSlotHasKeys: "ERR Can't assign hashslot <n> to a different node while I still hold keys for this hash slot."
	ErrSlotHasKeys = errors.New("cluster: slot still holds keys")
	// ErrForgetMyself: "ERR I tried hard but I can't forget myself..."
	ErrForgetMyself = errors.New("cluster: can't forget myself")
	// ErrForgetMaster: "ERR Can't forget my master!"
	ErrForgetMaster = errors.New("cluster: can't forget my master")
	// ErrReplicateMyself: "ERR Can't replicate myself"
	ErrReplicateMyself = errors.New("cluster: can't replicate myself")
	// ErrReplicateReplica: "ERR I can only replicate a master, not a replica."
	ErrReplicateReplica = errors.New("cluster: can only replicate a master")
	// ErrNotEmpty: "ERR To set a master the node must be empty and without assigned slots."
	ErrNotEmpty = errors.New("cluster: node not empty")
	// ErrNotAMaster: "ERR The specified node is not a master" (REPLICAS/SLAVES)
	ErrNotAMaster = errors.New("cluster: node is not a master")
	// ErrResetWithKeys: "ERR CLUSTER RESET can't be called with master nodes containing keys"
	ErrResetWithKeys = errors.New("cluster: reset of a master with keys")
	// ErrInvalidConfigEpoch: "ERR Invalid config epoch specified: <n>"
	ErrInvalidConfigEpoch = errors.New("cluster: invalid config epoch")
	// ErrConfigEpochOthersKnown: "ERR The user can assign a config epoch only when the node does not know any other node."
	ErrConfigEpochOthersKnown = errors.New("cluster: other nodes known")
	// ErrConfigEpochNonZero: "ERR Node config epoch is already non-zero"
	ErrConfigEpochNonZero = errors.New("cluster: config epoch already non-zero")
	// ErrFailoverNotReplica: "ERR You should send CLUSTER FAILOVER to a replica"
	ErrFailoverNotReplica = errors.New("cluster: failover on a master")
	// ErrFailoverNoMaster: "ERR I'm a replica but my master is unknown to me"
	ErrFailoverNoMaster = errors.New("cluster: master unknown")
	// ErrFailoverMasterDown: "ERR Master is down or failed, please use CLUSTER FAILOVER FORCE"
	ErrFailoverMasterDown = errors.New("cluster: master down")
)

// SlotError carries the slot a command failed on; errors.Is sees Err.
type SlotError struct {
	Slot int
	Err  error
}

func (e *SlotError) Error() string { return e.Err.Error() + " " + strconv.Itoa(e.Slot) }
func (e *SlotError) Unwrap() error { return e.Err }

func slotErr(slot int, err error) error { return &SlotError{Slot: slot, Err: err} }
