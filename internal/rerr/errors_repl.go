package rerr

// Errors of replication (replication.c, and the replica checks of
// processCommand).
var (
	// MasterDown is a replica's reply while its link is down under
	// replica-serve-stale-data no.
	MasterDown = []byte("-MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.\r\n")
	// NoReplicas refuses a write under min-replicas-to-write.
	NoReplicas = []byte("-NOREPLICAS Not enough good replicas to write.\r\n")
	// NoMasterLink is SYNC/PSYNC on a replica that is not connected.
	NoMasterLink = []byte("-NOMASTERLINK Can't SYNC while not connected with my master\r\n")
	// SyncPendingOutput is SYNC/PSYNC from a client with replies unsent.
	SyncPendingOutput = []byte("-ERR SYNC and PSYNC are invalid with pending output\r\n")
	// ReplicaofCluster is REPLICAOF in cluster mode.
	ReplicaofCluster = []byte("-ERR REPLICAOF not allowed in cluster mode.\r\n")
	// WaitOnReplica is WAIT sent to a replica.
	WaitOnReplica = []byte("-ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.\r\n")
	// ReplicaKeyspace refuses a keyspace command on a replica's link.
	ReplicaKeyspace = []byte("-ERR Replica can't interact with the keyspace\r\n")
	// Unblocked answers blocked clients when a master becomes a replica.
	Unblocked = []byte("-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n")
	// TimeoutNotInteger and TimeoutNegative are WAIT's timeout errors
	// (getTimeoutFromObjectOrReply).
	TimeoutNotInteger = []byte("-ERR timeout is not an integer or out of range\r\n")
	TimeoutNegative   = []byte("-ERR timeout is negative\r\n")
)
