package rerr

// Cluster mode and slot migration (cluster.c), verbatim.
var (
	// ClusterDisabled answers CLUSTER, ASKING, READONLY and READWRITE on a
	// node started without cluster-enabled.
	ClusterDisabled = []byte("-ERR This instance has cluster support disabled\r\n")
	// MigrateKeysArg is MIGRATE's reply when KEYS is given with a key.
	MigrateKeysArg = []byte("-ERR When using MIGRATE KEYS option, the key argument must be set to the empty string\r\n")
	// MigrateConnect is MIGRATE's reply when the target cannot be reached.
	MigrateConnect = []byte("-IOERR error or timeout connecting to the client\r\n")
	// MigrateWrite and MigrateRead are MIGRATE's replies to a socket error
	// or timeout while sending the batch or reading its replies.
	MigrateWrite = []byte("-IOERR error or timeout writing to target instance\r\n")
	MigrateRead  = []byte("-IOERR error or timeout reading to target instance\r\n")
)

// MigrateTarget is MIGRATE's reply quoting the target's first error line
// (without its '-').
func MigrateTarget(msg []byte) []byte {
	return Line("ERR Target instance replied with error: " + string(msg))
}

// CLUSTER subcommands' argument errors.
var (
	ClusterInvalidSlot        = []byte("-ERR Invalid slot\r\n")
	ClusterInvalidSlotOrCount = []byte("-ERR Invalid slot or number of keys\r\n")
	// ClusterBadSlot is getSlotOrReply's error.
	ClusterBadSlot = []byte("-ERR Invalid or out of range slot\r\n")
)

// Redirections and cluster-state errors (clusterRedirectClient).
var (
	CrossSlot          = []byte("-CROSSSLOT Keys in request don't hash to the same slot\r\n")
	TryAgain           = []byte("-TRYAGAIN Multiple keys request during rehashing of slot\r\n")
	ClusterDown        = []byte("-CLUSTERDOWN The cluster is down\r\n")
	ClusterDownRO      = []byte("-CLUSTERDOWN The cluster is down and only accepts read commands\r\n")
	ClusterDownUnbound = []byte("-CLUSTERDOWN Hash slot not served\r\n")
)

// UnblockedRoleChange answers blocked clients of a master turned replica
// (disconnectAllBlockedClients).
var UnblockedRoleChange = []byte("-UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)\r\n")
