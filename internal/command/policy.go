package command

// PolicyLFU reports whether core's server runs one of the LFU
// maxmemory-policies (allkeys-lfu, volatile-lfu). Entries' LRU field then
// holds Redis's LFU layout (minutes in the high 16 bits, a logarithmic
// counter in the low 8), OBJECT FREQ answers and OBJECT IDLETIME refuses.
// The server sets it from its configuration; left nil, the policy is
// Redis's default, noeviction.
var PolicyLFU func(core *Core) bool

// PolicyIsLFU reports whether the maxmemory-policy is an LFU one; see
// PolicyLFU.
func (core *Core) PolicyIsLFU() bool { return PolicyLFU != nil && PolicyLFU(core) }
