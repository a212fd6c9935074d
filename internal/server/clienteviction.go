package server

import (
	"cmp"
	"math"
	"slices"
	"sync/atomic"

	"shoal/internal/command"
)

// Client eviction (maxmemory-clients, Redis 7.0): when the memory of all
// normal and pub/sub clients together reaches the limit, the largest
// evictable clients are closed until it is below again. Clients with
// CLIENT NO-EVICT on count toward the total but are never closed; master
// and replica links neither count nor are closed.
//
// Redis keeps clients in memory buckets so that it finds the largest in
// O(1). Shoal keeps a running total instead: each client's share is
// brought up to date at the end of its read passes and whenever its output
// is handed to its loop, so checking the limit costs one comparison, and
// the clients are only scanned (and their shares refreshed) when the
// total has reached the limit. The total is kept whether or not a limit is
// set: it is the clients' part of used_memory.

// clientEviction is the state of client eviction. Guarded by Server.mu,
// except total (see conn.close).
type clientEviction struct {
	// total is the sum of the clients' memAcct. It is atomic because
	// conn.close subtracts from it without the lock when the loops close
	// their connections at shutdown.
	total atomic.Int64
	// evicted counts the clients closed (INFO stats evicted_clients).
	evicted int64
	// cands is the scan's reused candidate list.
	cands []*conn
}

// clientOverhead is the fixed part of a client's memory in tot-mem,
// standing for the client structure itself.
const clientOverhead = 1024

// totMem is the client's memory as CLIENT LIST's tot-mem reports it: query
// buffer, reply buffer and the buffer being written, plus the fixed
// overhead. Called with srv.mu held.
func (c *conn) totMem() int64 {
	return int64(cap(c.qbuf)+cap(c.B)+c.wcap) + clientOverhead + c.stateMem()
}

// Per-item overheads counted as Redis's getClientMemoryUsage counts them:
// a pointer per argument, a queued command's record, a watched key's list
// node and record, a subscription's table entry.
const (
	argvSlotSize      = 8
	queuedCommandSize = 40
	watchedKeySize    = 56
	subscriptionSize  = 32
	// trackingPrefixSize is a BCAST prefix's list slot and table entry.
	trackingPrefixSize = 48
)

// stateMem is the memory c's transaction queue, watched keys,
// subscriptions and tracking prefixes hold, and during a command its
// arguments.
func (c *conn) stateMem() int64 {
	m := c.multi.bytes + int64(c.Watch.Len())*watchedKeySize +
		int64(len(c.pubsub.channels)+len(c.pubsub.patterns)+len(c.pubsub.shard))*subscriptionSize +
		c.track.prefixMem
	if c.inCommand {
		for _, a := range c.Argv {
			m += int64(len(a)) + argvSlotSize
		}
	}
	return m
}

// evictBeforeCommand is processCommand's evictClients: with the parsed
// command counted against c, the clients over maxmemory-clients are
// evicted, and c is told to stop if it was one of them. Called with s.mu
// held.
func (s *Server) evictBeforeCommand(c *conn) (evicted bool) {
	c.inCommand = true
	s.evictClientsAfterRead(c)
	c.inCommand = false
	return c.Flags&command.ClientCloseASAP != 0
}

// evictionMem is c's share of the maxmemory-clients total: its totMem for
// a normal or pub/sub client (MONITOR included, as in Redis), 0 for master
// and replica links and for a client already being closed.
func (c *conn) evictionMem() int64 {
	if c.closed || c.Flags&command.ClientCloseASAP != 0 || c.Flags&command.ClientMaster != 0 ||
		c.Flags&command.ClientReplica != 0 && c.Flags&command.ClientMonitor == 0 {
		return 0
	}
	return c.totMem()
}

// accountClientMemory brings c's share of the total up to date. Called
// with s.mu held.
func (s *Server) accountClientMemory(c *conn) {
	if m := c.evictionMem(); m != c.memAcct {
		s.cevict.total.Add(m - c.memAcct)
		c.memAcct = m
	}
}

// evictClientsAfterRead runs at the end of c's read pass: it accounts c's
// memory and evicts clients if the total has reached maxmemory-clients.
// Called with s.mu held.
func (s *Server) evictClientsAfterRead(c *conn) {
	s.accountClientMemory(c)
	limit := s.cfg.ClientEvictionLimit()
	if limit == 0 {
		return
	}
	lim := int64(min(limit, math.MaxInt64))
	if s.cevict.total.Load() >= lim {
		s.evictClients(lim)
	}
}

// evictClients closes the largest evictable clients until the total is
// below limit, as Redis's evictClients: each is logged with its CLIENT
// LIST line and counted in evicted_clients, and a warning says when the
// clients left cannot be evicted. A client on another loop is closed by
// that loop (as CLIENT KILL does); its share leaves the total now. Called
// with s.mu held.
func (s *Server) evictClients(limit int64) {
	cands := s.cevict.cands[:0]
	for _, cl := range s.clients {
		s.accountClientMemory(cl)
		if cl.memAcct > 0 && cl.Flags&command.ClientNoEvict == 0 {
			cands = append(cands, cl)
		}
	}
	slices.SortFunc(cands, func(a, b *conn) int {
		if r := cmp.Compare(b.memAcct, a.memAcct); r != 0 {
			return r
		}
		return cmp.Compare(a.ID, b.ID)
	})
	for _, cl := range cands {
		if s.cevict.total.Load() < limit {
			break
		}
		info := s.appendClientInfo(nil, cl)
		s.logf(logNotice, "Evicting client: %s", info[:len(info)-1])
		s.cevict.total.Add(-cl.memAcct)
		cl.memAcct = 0
		s.cevict.evicted++
		if cl.loop == s.curLoop {
			// Ours to close: gone at once, as Redis's freeClient, so no
			// command after this pass still sees it.
			s.freeClient(cl)
		} else {
			s.killClient(cl)
		}
	}
	if s.cevict.total.Load() >= limit {
		s.logf(logWarning, "Over client maxmemory after evicting all evictable clients")
	}
	clear(cands)
	s.cevict.cands = cands[:0]
}
