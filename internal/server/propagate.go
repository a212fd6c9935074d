package server

// propagate feeds a write to the AOF and replicas, in execution order.
// Nothing is propagated while the dataset is being loaded.
func (s *Server) propagate(dbid int, argv [][]byte) {
	if s.ks.Loading {
		return
	}
	s.stats.propagated++
	if s.aof.state != aofOff {
		s.feedAOF(dbid, argv)
	}
}

// beforeReplies runs before a loop writes a pass's replies (Redis's
// beforeSleep): the AOF must have what the replies acknowledge, fsynced
// under appendfsync always.
func (s *Server) beforeReplies() {
	if s.aof.file != nil && (len(s.aof.buf) > 0 || s.aof.unsynced) {
		s.flushAOF(false)
	}
}
