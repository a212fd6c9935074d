package repl

// IDLen is the length of a replication ID (CONFIG_RUN_ID_SIZE).
const IDLen = 40

// NoID is the all-zero replication ID of a cleared replid2.
const NoID = "0000000000000000000000000000000000000000"

// IDs is a server's replication history: its current replication ID and
// offset, and the ID it had before its last change of role with the
// offset up to which that one is valid (PSYNC2).
type IDs struct {
	ID     string // master_replid
	ID2    string // master_replid2
	Offset int64  // master_repl_offset
	// SecondOffset is second_replid_offset: ID2 is valid for offsets
	// strictly below it; -1 when ID2 is cleared.
	SecondOffset int64
}

// NewIDs returns the IDs of a fresh master with replication ID id.
func NewIDs(id string) IDs { return IDs{ID: id, ID2: NoID, SecondOffset: -1} }

// Shift makes newID current and keeps the old ID valid up to the current
// offset (shiftReplicationId): a replica promoted to master can still serve
// partial resyncs to replicas of its old master.
func (x *IDs) Shift(newID string) {
	x.ID2 = x.ID
	x.SecondOffset = x.Offset + 1
	x.ID = newID
}

// ClearID2 forgets the secondary ID (clearReplicationId2).
func (x *IDs) ClearID2() {
	x.ID2 = NoID
	x.SecondOffset = -1
}

// CanContinue is masterTryPartialResynchronization's decision for
// "PSYNC id offset": the history must be ours (current ID, or the previous
// one up to where it was valid) and the backlog must still hold offset.
func (x *IDs) CanContinue(id string, offset int64, b *Buffer) bool {
	if id != x.ID && (id != x.ID2 || offset > x.SecondOffset) {
		return false
	}
	return b != nil && b.Has(offset)
}
