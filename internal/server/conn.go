package server

import (
	"errors"
	"sync/atomic"
	"syscall"

	"shoal/internal/command"
	"shoal/internal/resp"
)

// conn is one client connection: the command side (command.Client, whose
// Writer is the reply buffer) plus the socket side owned by its loop.
type conn struct {
	command.Client
	srv  *Server
	loop *loop
	fd   int

	rd   resp.Reader
	qbuf []byte // bytes of a command not yet complete
	argv [][]byte

	// wbuf is the output being written by the loop, outside the lock;
	// Client.B collects new replies under the lock meanwhile.
	wbuf []byte
	wpos int
	// wq holds replies made while wbuf was still being written, as
	// chunks in order (Redis's reply list): a client that does not read
	// costs what it was sent, not a contiguous buffer doubled again and
	// again with every old copy left to the collector. wqBytes and wqCap
	// are their total length and capacity. Owned by c's loop.
	wq      [][]byte
	wqBytes int
	wqCap   int
	// queued: the connection is on its loop's pending list.
	queued bool
	// wantWrite: EPOLLOUT is armed because the socket was full. Set by
	// the loop without the lock, read by CLIENT LIST from any loop.
	wantWrite atomic.Bool
	// wcap is cap(wbuf) as of the last hand-over, for CLIENT LIST, which
	// may not read wbuf while the loop writes it.
	wcap   int
	closed bool
	// closeAfterWrite mirrors ClientCloseAfterReply for the loop's
	// lock-free write path; set under the lock when output is handed over.
	closeAfterWrite bool
	// resume: input arrived while the client was blocked or paused and
	// must be processed when its loop next flushes.
	resume bool
	// postponed: the client waits for CLIENT UNPAUSE.
	postponed bool
	// muted: c's own command is running under CLIENT REPLY OFF|SKIP, so
	// its reply is dropped afterwards except for the pushes listed in
	// keep (start, end pairs into Client.B), which Redis writes anyway.
	muted bool
	keep  []int
	// qcur is set while c's own command runs: the bytes of the input from
	// that command's start to the end of what was read (see queryBuf).
	qcur int
	// qbufPeak is the most input c had pending after one read since the
	// last clientsCron pass (querybuf_peak); qbufResize asks c's loop to
	// cut qbuf's capacity to qbufResizeTo (clientsCronResizeQueryBuffer).
	qbufPeak     int
	qbufResize   bool
	qbufResizeTo int

	addr, laddr string
	created     int64 // unix ms
	lastSeen    int64 // unix ms of the last command (idle time)
	lastCmd     string
	// unix: accepted on the unixsocket listener (CLIENT LIST flag U).
	unix bool

	multi  multiState
	pubsub pubsubState
	block  blockState
	// track is the CLIENT TRACKING state (tracking.go).
	track trackingClient
	// obufPending is the unwritten part of wbuf: set at each hand-over
	// and by the loop after each write, read under the lock for output
	// buffer limits and CLIENT LIST's omem.
	obufPending   atomic.Int64
	obufSoftSince int64
	// prevBigBurst is set when the last burst of replies written out was
	// over replyBufRetain (writeOut; the loop's own).
	prevBigBurst bool
	// inCommand: c's parsed arguments count as its memory (client
	// eviction before a command runs).
	inCommand bool
	// memAcct is c's share of the maxmemory-clients total as last
	// accounted (clienteviction.go).
	memAcct int64
	// repl is set on a replica's link to us (repl_master.go).
	repl *replicaConn
	// rsegs are a replica's stream, handed to its loop as slices of the
	// shared replication buffer's blocks (takeStream) and written after
	// wbuf and wq; rsegIdx and rsegPos are how far the loop got, rmore
	// that the buffer held more than was handed over. rsent counts the
	// stream bytes written since the reader last advanced (settleReplica).
	rsegs            [][]byte
	rsegIdx, rsegPos int
	rmore            bool
	rsent            atomic.Int64
	// woff is the replication offset after this client's last write, and
	// waitOff/waitNum a blocked WAIT's target (WAIT).
	woff, waitOff, waitNum int64
	// forceReply: on the master's link, the reply of this command (an
	// ACK) is sent, where every other reply is dropped.
	forceReply bool
	// Stats for CLIENT LIST.
	totNetIn, totNetOut int64
}

// bigArg is PROTO_MBULK_BIG_ARG: a bulk at least this long gets its room
// in the query buffer as soon as its length is read.
const bigArg = 32 * 1024

// argvKeep is the argument count up to which a connection keeps its argv
// tables between commands.
const argvKeep = 1024

// maxReadGrow bounds how much a query buffer grows per read, so a declared
// huge bulk length never allocates up front.
const maxReadGrow = 1 << 20

// readAndProcess reads what the socket has, executes every complete
// command under the executor lock and leaves the rest for the next read.
func (c *conn) readAndProcess() {
	l := c.loop
	// qb is c.qbuf, grown if needed: other loops read c.qbuf's length
	// under the lock (CLIENT LIST, INFO), so it is stored back only once
	// the lock is held.
	var buf, qb []byte
	usingLoopBuf := len(c.qbuf) == 0 && c.rd.Need() <= len(l.readBuf)
	if usingLoopBuf {
		buf = l.readBuf
	} else {
		need := c.rd.Need()
		if need < readBufSize {
			need = readBufSize
		}
		if need > maxReadGrow {
			need = maxReadGrow
		}
		qb = c.qbuf
		if cap(qb)-len(qb) < need {
			qb = make([]byte, len(c.qbuf), len(c.qbuf)+need)
			copy(qb, c.qbuf)
		}
		buf = qb[len(qb):cap(qb)]
	}
	n, err := rawRead(c.fd, buf)
	if n <= 0 {
		if err == syscall.EAGAIN || err == syscall.EINTR {
			return
		}
		c.srv.mu.Lock()
		c.srv.freeClient(c)
		c.srv.mu.Unlock()
		return
	}
	srv := c.srv
	srv.mu.Lock()
	var data []byte
	if usingLoopBuf {
		data = buf[:n]
	} else {
		c.qbuf = qb[:len(qb)+n]
		data = c.qbuf
	}
	srv.curLoop = l
	srv.clock.start()
	c.lastSeen = srv.clock.nowMs()
	if len(data) > c.qbufPeak {
		c.qbufPeak = len(data)
	}
	srv.stats.netInput += int64(n)
	c.totNetIn += int64(n)
	consumed := c.processInput(data)
	if cap(c.argv) > argvKeep {
		// A command with a huge argc (SADD of 100000 members): Redis frees
		// argv after each command; the reused tables go too.
		c.argv, c.Argv = nil, nil
		c.rd.Trim(argvKeep)
	}
	if !c.closed {
		rest := data[consumed:]
		switch {
		case usingLoopBuf && c.rd.Need() >= bigArg && cap(c.qbuf) < len(rest)+c.rd.Need():
			// A big bulk is on its way: room for all of it now, as Redis
			// makes room for bulklen when it reads such a header, so the
			// client's memory shows (client eviction) from the first read.
			qb := make([]byte, len(rest), len(rest)+min(c.rd.Need(), maxReadGrow))
			c.qbuf = qb[:copy(qb, rest)]
		case usingLoopBuf:
			c.qbuf = append(c.qbuf[:0], rest...)
		case consumed > 0:
			c.qbuf = c.qbuf[:copy(c.qbuf, rest)]
		}
		if int64(len(c.qbuf)-c.rd.Parsed()) > srv.cfgQueryBufLimit() {
			srv.logf(logWarning, "Closing client that reached max query buffer length: id=%d addr=%s (qbuf initial bytes: %q)", c.ID, c.addr, head(c.qbuf, 64))
			srv.freeClient(c)
		}
	}
	srv.evictClientsAfterRead(c)
	srv.curLoop = nil
	srv.mu.Unlock()
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// processInput executes complete commands from data and returns how many
// bytes were consumed. Called with srv.mu held.
func (c *conn) processInput(data []byte) int {
	srv := c.srv
	pos := 0
	for pos < len(data) && !c.closed {
		if c.Flags&(command.ClientBlocked|command.ClientCloseAfterReply|command.ClientCloseASAP) != 0 {
			break
		}
		c.rd.AuthRequired = c.Flags&command.ClientAuthenticated == 0
		if c.Flags&command.ClientMaster == 0 {
			// Read per command, as Redis reads proto_max_bulk_len: a CONFIG
			// SET reaches connections already open.
			c.rd.MaxBulkLen = srv.cfg.ProtoMaxBulkLen
		}
		argv, n, err := c.rd.Next(data[pos:], c.argv[:0])
		if err != nil {
			var pe *resp.ProtocolError
			if errors.As(err, &pe) {
				c.protocolError(pe.Msg)
			}
			return len(data)
		}
		if n == 0 {
			break
		}
		pos += n
		c.argv = argv[:0]
		if len(argv) == 0 {
			continue
		}
		if srv.pause.active && srv.pauseBlocks(c, argv) {
			// Leave the command in the buffer; it runs after CLIENT UNPAUSE.
			pos -= n
			c.rd.Reset()
			srv.postpone(c)
			break
		}
		c.Argv = argv
		replyStart := len(c.B)
		if c.Flags&command.ClientReplySkipNext != 0 {
			c.Flags = c.Flags&^command.ClientReplySkipNext | command.ClientReplySkip
		}
		c.muted = c.Flags&(command.ClientReplyOff|command.ClientReplySkip) != 0
		c.qcur = len(data) - pos + n
		wasReplica := c.Flags&(command.ClientReplica|command.ClientMonitor) == command.ClientReplica
		srv.processCommand(c)
		if wasReplica && len(c.B) > replyStart {
			srv.replicaReplied(c, replyStart)
		}
		if c.Flags&command.ClientMaster != 0 {
			srv.masterApplied(c, replyStart, data[pos-n:pos])
		}
		c.qcur = 0
		if c.Flags&command.ClientAsking != 0 && c.Flags&command.ClientMulti == 0 && (c.Cmd == nil || c.Cmd.Name != "asking") {
			// ASKING lasts one command, or until EXEC (resetClient).
			c.Flags &^= command.ClientAsking
		}
		if c.track.flags&trackCaching != 0 {
			c.trackingResetCaching()
		}
		if c.Flags&(command.ClientReplyOff|command.ClientReplySkip) != 0 {
			c.dropReply(replyStart)
			c.Flags &^= command.ClientReplySkip
		}
		c.muted = false
		c.keep = c.keep[:0]
		c.Argv = nil
	}
	if len(c.B) > 0 {
		c.queueWrite()
	}
	return pos
}

// dropReply discards what the current command wrote from replyStart on,
// keeping the pushes recorded by markPush: under CLIENT REPLY OFF|SKIP
// Redis still sends subscribe confirmations and published messages.
func (c *conn) dropReply(replyStart int) {
	if len(c.B) < replyStart {
		// The buffer was discarded meanwhile (output limit reached).
		return
	}
	end := replyStart
	for i := 0; i+1 < len(c.keep); i += 2 {
		from, to := c.keep[i], c.keep[i+1]
		if from < replyStart || to > len(c.B) {
			continue
		}
		end += copy(c.B[end:], c.B[from:to])
	}
	c.B = c.B[:end]
}

// markPush records that c.B[start:] is a push (subscribe confirmation or
// message) that must survive dropReply. Called with srv.mu held.
func (c *conn) markPush(start int) {
	if c.muted {
		c.keep = append(c.keep, start, len(c.B))
	}
}

// queryBuf reports the qbuf and qbuf-free fields of CLIENT LIST. Called
// with srv.mu held.
//
// qbuf matches Redis 7.0, whose parser moves each complete multibulk
// header and argument out of the query buffer as it reads it: for the
// client running the command, the bytes from that command's start to the
// end of the input read so far; for any other client, the bytes of its
// pending command not yet parsed into arguments (so 0 for a command cut
// at an argument boundary).
//
// qbuf-free differs: Redis reports the spare room of the client's own
// query buffer, while Shoal reads into a buffer shared by the loop and
// copies only an incomplete command into the client's, so the spare room
// of that private buffer (often 0) is reported.
func (c *conn) queryBuf() (qbuf, free int) {
	if c.qcur > 0 {
		return c.qcur, cap(c.qbuf) - len(c.qbuf)
	}
	return len(c.qbuf) - c.rd.Parsed(), cap(c.qbuf) - len(c.qbuf)
}

// resizeQueryBuf applies the cut clientsCron asked for: qbuf keeps its
// bytes and at least qbufResizeTo bytes of capacity. Only c's own loop may
// replace qbuf (it reads into it without the lock), so the cron leaves the
// cut to flushPending. Called with srv.mu held, on c's loop.
func (c *conn) resizeQueryBuf() {
	c.qbufResize = false
	size := max(c.qbufResizeTo, len(c.qbuf))
	if size >= cap(c.qbuf) {
		return
	}
	if size == 0 {
		c.qbuf = nil
	} else {
		c.qbuf = append(make([]byte, 0, size), c.qbuf...)
	}
	c.srv.accountClientMemory(c)
}

// protocolError replies "-ERR Protocol error: ..." and closes after the
// reply, as Redis's setProtocolError.
func (c *conn) protocolError(msg string) {
	c.srv.logf(logVerbose, "Protocol error (%s) from client: id=%d addr=%s", msg, c.ID, c.addr)
	c.Writer.Error([]byte("-ERR " + msg + "\r\n"))
	c.Flags |= command.ClientCloseAfterReply
	c.queueWrite()
}

// queueWrite puts c on its loop's pending list. Called with srv.mu held.
func (c *conn) queueWrite() {
	if c.queued || c.closed {
		return
	}
	c.queued = true
	c.loop.pending = append(c.loop.pending, c)
	if cur := c.srv.curLoop; cur != c.loop {
		c.loop.wake()
	}
}

// takeOutput moves new replies to the write buffer. Called with srv.mu held.
func (c *conn) takeOutput() {
	switch {
	case len(c.B) == 0:
	case c.wpos == len(c.wbuf) && len(c.wq) == 0:
		c.wbuf, c.B = c.B, c.wbuf[:0]
		c.wpos = 0
	case len(c.wq) == 0 && len(c.wbuf)+len(c.B) <= cap(c.wbuf):
		c.wbuf = append(c.wbuf, c.B...)
		c.B = c.B[:0]
	default:
		// The socket is behind: queue the new replies, in the last
		// chunk if they fit there, else as a chunk of their own.
		n := len(c.B)
		switch k := len(c.wq); {
		case k > 0 && len(c.wq[k-1])+n <= cap(c.wq[k-1]):
			c.wq[k-1] = append(c.wq[k-1], c.B...)
			c.B = c.B[:0]
		case cap(c.B) <= replyCopyMax:
			// Copy the replies into a chunk of their own (at least 16 KB,
			// as Redis's reply list blocks) and keep c.B for the next
			// ones: a subscriber that does not read is then sent into
			// full chunks, with no trail of doubled copies of c.B to
			// collect, and no chunk per small reply.
			chunk := make([]byte, n, max(n, replyChunk))
			copy(chunk, c.B)
			c.wq = append(c.wq, chunk)
			c.wqCap += cap(chunk)
			c.B = c.B[:0]
		default:
			c.wq = append(c.wq, c.B)
			c.wqCap += cap(c.B)
			c.B = nil
		}
		c.wqBytes += n
	}
	c.wcap = cap(c.wbuf) + c.wqCap
	c.srv.accountClientMemory(c)
}

// replyChunk is the size of the chunks small replies are queued in while
// the socket is behind (Redis's PROTO_REPLY_CHUNK_BYTES).
const replyChunk = 16 << 10

// replyCopyMax bounds the reply buffer a connection keeps while queueing
// copies of its content; a larger one is queued itself and dropped.
const replyCopyMax = 1 << 20

// replyBufRetain is the write buffer a connection keeps once its replies
// are out (Redis's PROTO_REPLY_CHUNK_BYTES buffer); a larger one is freed.
const replyBufRetain = 16 << 10

// writeOut writes as much of wbuf, wq and a replica's stream as the
// socket takes, without the lock.
func (c *conn) writeOut() {
	for {
		var p []byte
		switch {
		case c.wpos < len(c.wbuf):
			p = c.wbuf[c.wpos:]
		case len(c.wq) > 0:
			// wbuf is out: the next queued chunk takes its place.
			c.srv.stats.netOutputAdd(int64(len(c.wbuf)))
			next := c.wq[0]
			c.wq[0] = nil
			c.wq = c.wq[1:]
			if len(c.wq) == 0 {
				c.wq = nil
			}
			c.wqBytes -= len(next)
			c.wqCap -= cap(next)
			c.wbuf, c.wpos = next, 0
			continue
		case c.rsegIdx < len(c.rsegs):
			p = c.rsegs[c.rsegIdx][c.rsegPos:]
		case c.rmore:
			// A replica far behind: the next part of its stream.
			c.srv.mu.Lock()
			c.takeStream()
			c.srv.mu.Unlock()
			if len(c.rsegs) > 0 {
				continue
			}
		}
		if p == nil {
			break
		}
		n, err := rawWrite(c.fd, p)
		if n > 0 {
			c.totNetOut += int64(n)
			if c.wpos < len(c.wbuf) {
				c.wpos += n
				continue
			}
			c.srv.stats.netOutputAdd(int64(n))
			c.rsent.Add(int64(n))
			if c.rsegPos += n; c.rsegPos == len(c.rsegs[c.rsegIdx]) {
				c.rsegs[c.rsegIdx] = nil
				c.rsegIdx++
				c.rsegPos = 0
			}
			continue
		}
		if err == syscall.EAGAIN {
			c.obufPending.Store(int64(len(c.wbuf) - c.wpos + c.wqBytes))
			if !c.wantWrite.Load() {
				c.wantWrite.Store(true)
				c.loop.modify(c.fd, syscall.EPOLLIN|syscall.EPOLLOUT)
			}
			return
		}
		if err == syscall.EINTR {
			continue
		}
		c.srv.mu.Lock()
		c.srv.freeClient(c)
		c.srv.mu.Unlock()
		return
	}
	c.srv.stats.netOutputAdd(int64(len(c.wbuf)))
	bigBurst := len(c.wbuf) > replyBufRetain
	c.wbuf = c.wbuf[:0]
	c.wpos = 0
	c.obufPending.Store(0)
	keep := bigBurst && c.prevBigBurst
	c.prevBigBurst = bigBurst
	if cap(c.wbuf) > replyBufRetain && !keep {
		// A burst of replies is out: give its buffer back, as Redis frees
		// its reply list and keeps only its 16 KB buffer, so the client's
		// share of used_memory drops now, not at its next reply (a burst
		// of invalidations to a tracking client, say). A client whose
		// bursts are big one after another (GETs of large values) keeps
		// it: regrowing it for each reply cost 5x the CPU.
		c.wbuf = nil
		c.srv.mu.Lock()
		c.wcap = c.wqCap
		c.srv.accountClientMemory(c)
		c.srv.mu.Unlock()
	}
	if c.wantWrite.Load() {
		c.wantWrite.Store(false)
		c.loop.modify(c.fd, syscall.EPOLLIN)
	}
	if c.repl != nil {
		c.replicaDrained()
	}
	if c.closeAfterWrite {
		c.srv.mu.Lock()
		if len(c.B) == 0 || c.Flags&command.ClientCloseASAP != 0 {
			c.srv.freeClient(c)
		}
		c.srv.mu.Unlock()
	}
}

// close releases the socket. Called from the owning loop only.
func (c *conn) close() {
	if c.closed {
		return
	}
	c.closed = true
	delete(c.loop.conns, c.fd)
	syscall.Close(c.fd)
	if c.memAcct != 0 {
		c.srv.cevict.total.Add(-c.memAcct)
		c.memAcct = 0
	}
}

// processBuffered runs commands left in the query buffer after the client
// was unblocked or unpaused. Called with srv.mu held, from c's loop.
func (c *conn) processBuffered() {
	if len(c.qbuf) == 0 {
		return
	}
	consumed := c.processInput(c.qbuf)
	c.qbuf = c.qbuf[:copy(c.qbuf, c.qbuf[consumed:])]
	// processInput queued c on the pending list again if it replied; the
	// caller is flushing it now, so drop that flag.
	c.queued = false
}
