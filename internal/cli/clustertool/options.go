package clustertool

// Flags of a --cluster command, as redis-cli's CLUSTER_MANAGER_CMD_FLAG_*.
const (
	FlagFix = 1 << iota
	FlagSlave
	FlagYes
	FlagAutoweights
	FlagEmptyMaster
	FlagSimulate
	FlagReplace
	FlagCopy
	FlagColor
	FlagCheckOwners
	FlagFixWithUnreachableMasters
	FlagMastersOnly
	FlagSlavesOnly
)

// Defaults of redis-cli 7.0 (CLUSTER_MANAGER_MIGRATE_TIMEOUT,
// CLUSTER_MANAGER_MIGRATE_PIPELINE, CLUSTER_MANAGER_REBALANCE_THRESHOLD).
const (
	DefaultTimeout   = 60000
	DefaultPipeline  = 10
	DefaultThreshold = 2.0
)

// Options is the --cluster command and its --cluster-* options.
type Options struct {
	Name      string
	Argv      []string
	Flags     int
	Replicas  int
	MasterID  string
	From      string
	To        string
	FromUser  string
	FromPass  string
	Weights   []string
	Slots     int
	Timeout   int
	Pipeline  int
	Threshold float64
	// Auth and User authenticate to every node (-a, --user).
	Auth, User string
}

// NewOptions returns the defaults.
func NewOptions() Options {
	return Options{Timeout: DefaultTimeout, Pipeline: DefaultPipeline, Threshold: DefaultThreshold}
}
