package command

// PolicyIsLFU reports whether the maxmemory-policy is an LFU one
// (allkeys-lfu, volatile-lfu). Entries' LRU field then holds Redis's LFU
// layout (minutes in the high 16 bits, a logarithmic counter in the low 8),
// OBJECT FREQ answers and OBJECT IDLETIME refuses.
func (core *Core) PolicyIsLFU() bool { return core.Limits.LFU }
