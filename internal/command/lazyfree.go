package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/types"
)

// Lazy freeing, as Redis's lazyfree.c, reduced to what a client can see.
// Redis frees a large value on its background thread instead of inside the
// command when the deletion is asynchronous (UNLINK, FLUSH* ASYNC, or DEL
// and FLUSH* under lazyfree-lazy-user-del / -user-flush), and counts it in
// INFO memory lazyfreed_objects. In Shoal every free is already lazy: a
// deleted value is unreachable at once and the concurrent garbage collector
// reclaims it later, whichever path deleted it, so the directives change no
// work here. They change the counter only, under Redis's rules, so INFO
// reports what Redis reports for the same commands.

// LazyfreeThreshold is the free effort above which Redis frees a deleted
// value in the background (LAZYFREE_THRESHOLD).
const LazyfreeThreshold = 64

// FreeEffort estimates, as lazyfreeGetFreeEffort, how many allocations
// freeing the value takes: quicklist nodes of a list; members of a
// hashtable set or hash and of a skiplist sorted set; for a stream its
// nodes plus its consumer groups times one more than the first group's
// pending entries (Redis counts radix tree nodes; Shoal counts its
// listpack nodes, which the tree indexes). Everything else is 1.
func FreeEffort(e *keyspace.Entry) int {
	switch v := e.Obj.(type) {
	case *types.List:
		return v.NodeCount()
	case *types.Set:
		if v.Encoding() == "hashtable" {
			return v.Len()
		}
	case *types.Hash:
		if v.Encoding() == "hashtable" {
			return v.Len()
		}
	case *types.ZSet:
		if !v.IsListpack() {
			return v.Len()
		}
	case *types.Stream:
		n := v.NodeCount()
		if gs := v.Groups(); len(gs) > 0 {
			n += len(gs) * (1 + gs[0].PEL.Len())
		}
		return n
	}
	return 1
}

// CountLazyFree counts e in LazyFreed when Redis would free it in the
// background after an asynchronous delete (free effort over the threshold).
// Call it before the entry is deleted.
func (core *Core) CountLazyFree(e *keyspace.Entry) {
	if e != nil && FreeEffort(e) > LazyfreeThreshold {
		core.LazyFreed++
	}
}
