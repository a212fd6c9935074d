package server

import (
	"shoal/internal/command"
	"shoal/internal/keyspace"
	"sync/atomic"
)

// blockedServer tracks clients waiting in blocking commands (blocked.c):
// per database and key, the clients in the order they blocked, and the
// keys signalled ready since the last time they were served.
type blockedServer struct {
	byKey   map[blockKey][]*conn
	ready   []blockKey
	isReady map[blockKey]bool
	clients map[*conn]struct{}
	// count is len(clients), readable without the lock: loop 0 checks it
	// before taking the lock for blocking timeouts.
	count atomic.Int32
}

type blockKey struct {
	db  *keyspace.DB
	key string
}

// blockState is a blocked client's saved command, re-executed when a key
// it waits for becomes ready.
type blockState struct {
	cmd  *command.Command
	argv [][]byte
}

func (b *blockedServer) init() {
	b.byKey = make(map[blockKey][]*conn)
	b.isReady = make(map[blockKey]bool)
	b.clients = make(map[*conn]struct{})
}

// parkClient registers a client whose command just called Block.
func (s *Server) parkClient(c *conn) {
	argv := make([][]byte, len(c.Argv))
	for i, a := range c.Argv {
		argv[i] = append([]byte(nil), a...)
	}
	c.block = blockState{cmd: c.Cmd, argv: argv}
	for _, k := range c.Blocking.Keys {
		bk := blockKey{c.DB, string(k)}
		s.blocked.byKey[bk] = append(s.blocked.byKey[bk], c)
	}
	s.blocked.clients[c] = struct{}{}
	s.blocked.count.Store(int32(len(s.blocked.clients)))
}

// unparkClient removes c from the blocking tables and clears its state.
func (s *Server) unparkClient(c *conn) {
	for _, k := range c.Blocking.Keys {
		bk := blockKey{c.DB, string(k)}
		if l := removeConn(s.blocked.byKey[bk], c); len(l) == 0 {
			delete(s.blocked.byKey, bk)
		} else {
			s.blocked.byKey[bk] = l
		}
	}
	delete(s.blocked.clients, c)
	s.blocked.count.Store(int32(len(s.blocked.clients)))
	c.Flags &^= command.ClientBlocked
	c.Blocking = command.BlockRequest{Keys: c.Blocking.Keys[:0]}
	c.block = blockState{}
}

// signalKeyAsReady queues key for serving if some client waits on it.
func (s *Server) signalKeyAsReady(db *keyspace.DB, key []byte) {
	if len(s.blocked.byKey) == 0 {
		return
	}
	bk := blockKey{db, string(key)}
	if _, ok := s.blocked.byKey[bk]; !ok || s.blocked.isReady[bk] {
		return
	}
	s.blocked.isReady[bk] = true
	s.blocked.ready = append(s.blocked.ready, bk)
}

// handleClientsBlockedOnKeys serves clients blocked on keys that became
// ready, in the order they blocked, by re-executing their commands. Serving
// one may make other keys ready (BLMOVE), so it loops until none is left.
func (s *Server) handleClientsBlockedOnKeys() {
	for len(s.blocked.ready) > 0 {
		ready := s.blocked.ready
		s.blocked.ready = nil
		for _, bk := range ready {
			delete(s.blocked.isReady, bk)
			waiting := append([]*conn(nil), s.blocked.byKey[bk]...)
			for _, c := range waiting {
				// An expired key is deleted here, and its DEL propagated,
				// as lookupKeyReadWithFlags does in Redis 7.0.
				e := bk.db.LookupNoTouch([]byte(bk.key))
				// Stream readers are re-run even when their key went away
				// or changed type: XREADGROUP then answers UNBLOCKED, as
				// Redis 7.0; other waiters keep waiting.
				stream := c.Blocking.Type == keyspace.TypeStream
				if e == nil && !stream {
					continue
				}
				if e != nil && e.Type != c.Blocking.Type && !stream {
					continue
				}
				c.Blocking.ReadyKey = []byte(bk.key)
				s.retryBlocked(c)
			}
		}
	}
}

// retryBlocked re-executes a blocked client's command; if it still cannot
// be served the client stays in place.
func (s *Server) retryBlocked(c *conn) {
	if c.Flags&command.ClientBlocked == 0 {
		return
	}
	c.Blocking.Retrying = true
	c.Blocking.StillBlocked = false
	savedArgv := c.Argv
	c.Argv = c.block.argv
	c.Cmd = c.block.cmd
	s.call(c, c.block.cmd)
	// The retry continues the call counted when the command first ran:
	// Redis adds its time to the command's stats but not another call.
	c.block.cmd.Calls--
	s.stats.totalCommands--
	c.Argv = savedArgv
	c.Blocking.Retrying = false
	c.Blocking.ReadyKey = nil
	if c.Blocking.StillBlocked {
		return
	}
	s.unparkClient(c)
	c.queueWrite()
	s.resumeInput(c)
}

// resumeInput marks c so its loop processes input that arrived while it
// was blocked.
func (s *Server) resumeInput(c *conn) {
	if len(c.qbuf) > 0 {
		c.resume = true
		c.queueWrite()
	}
}

// blockedTimeouts answers clients whose wait passed its deadline.
func (s *Server) blockedTimeouts() {
	now := s.cron.nowMs
	for c := range s.blocked.clients {
		if c.Blocking.Deadline != 0 && c.Blocking.Deadline <= now {
			s.unblockWithTimeout(c)
		}
	}
}

// unblockWithTimeout answers a blocked client as if its wait timed out.
func (s *Server) unblockWithTimeout(c *conn) {
	s.unparkClient(c)
	if c.waitNum != 0 {
		s.waitTimedOut(c)
		c.queueWrite()
		s.resumeInput(c)
		return
	}
	c.NullArray()
	c.queueWrite()
	s.resumeInput(c)
}

// unblockOnFree drops a client that is being freed from the tables.
func (s *Server) unblockOnFree(c *conn) {
	if c.Flags&command.ClientBlocked != 0 {
		s.unparkClient(c)
	}
}

// clientsWithTimeout counts the blocked clients whose wait has a deadline
// (Redis's timeout table leaves out those blocked forever).
func (s *Server) clientsWithTimeout() int {
	n := 0
	for c := range s.blocked.clients {
		if c.Blocking.Deadline != 0 {
			n++
		}
	}
	return n
}

// nearestBlockDeadline is the earliest deadline of a blocked client, or 0.
func (s *Server) nearestBlockDeadline() int64 {
	var min int64
	for c := range s.blocked.clients {
		if d := c.Blocking.Deadline; d != 0 && (min == 0 || d < min) {
			min = d
		}
	}
	return min
}

// signalSwappedDBs marks as ready every key that clients of either database
// wait on and that now has data (scanDatabaseForReadyKeys after SWAPDB).
func (s *Server) signalSwappedDBs(a, b *keyspace.DB) {
	for bk := range s.blocked.byKey {
		if (bk.db == a || bk.db == b) && bk.db.FindString(bk.key) != nil {
			s.signalKeyAsReady(bk.db, []byte(bk.key))
		}
	}
}

// signalFlushedDB marks every key clients of db wait on as ready, before
// FLUSHDB/FLUSHALL empties it.
func (s *Server) signalFlushedDB(db *keyspace.DB) {
	for bk := range s.blocked.byKey {
		if bk.db == db {
			s.signalKeyAsReady(db, []byte(bk.key))
		}
	}
}
