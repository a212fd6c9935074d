package server

import (
	"runtime"
	"shoal/internal/command"
	"sync"
	"syscall"
	"unsafe"
)

// loop is one event loop: a goroutine locked to an OS thread with its own
// epoll set over the connections it owns. Loop 0 also owns the listeners
// and runs the server cron.
type loop struct {
	id    int
	srv   *Server
	epfd  int
	evfd  int // eventfd that wakes the loop from other goroutines
	conns map[int]*conn

	// readBuf is the loop's shared read buffer: a connection only keeps
	// bytes of its own when a command straddles two reads.
	readBuf []byte

	// pending lists connections with output to write after this pass.
	// Guarded by srv.mu, since other loops and goroutines add to it.
	pending []*conn
	// handoff holds accepted connections given to this loop by loop 0.
	// Guarded by srv.mu.
	handoff []*conn
	woken   int32 // guarded by srv.mu: a wake-up is already queued

	flushing []*conn // loop-local copy of pending taken under the lock
}

const readBufSize = 16 * 1024

func newLoop(srv *Server, id int) (*loop, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	r, _, errno := syscall.Syscall(syscall.SYS_EVENTFD2, 0, uintptr(syscall.O_NONBLOCK|syscall.O_CLOEXEC), 0)
	if errno != 0 {
		syscall.Close(epfd)
		return nil, errno
	}
	l := &loop{id: id, srv: srv, epfd: epfd, evfd: int(r), conns: make(map[int]*conn), readBuf: make([]byte, readBufSize)}
	if err := l.watch(l.evfd, syscall.EPOLLIN); err != nil {
		return nil, err
	}
	return l, nil
}

func (l *loop) watch(fd int, events uint32) error {
	ev := syscall.EpollEvent{Events: events, Fd: int32(fd)}
	return syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_ADD, fd, &ev)
}

func (l *loop) modify(fd int, events uint32) {
	ev := syscall.EpollEvent{Events: events, Fd: int32(fd)}
	syscall.EpollCtl(l.epfd, syscall.EPOLL_CTL_MOD, fd, &ev)
}

// wake interrupts the loop's epoll_wait. Called with srv.mu held.
func (l *loop) wake() {
	if l.woken != 0 {
		return
	}
	l.woken = 1
	one := uint64(1)
	syscall.Write(l.evfd, (*[8]byte)(unsafe.Pointer(&one))[:])
}

// notify wakes the loop from a goroutine that does not hold srv.mu (a
// background job's step request); the loop sees it as a wake-up.
func (l *loop) notify() {
	one := uint64(1)
	syscall.Write(l.evfd, (*[8]byte)(unsafe.Pointer(&one))[:])
}

// run is the loop body; it returns when the server shuts down.
func (l *loop) run(wg *sync.WaitGroup) {
	defer wg.Done()
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	events := make([]syscall.EpollEvent, 256)
	srv := l.srv
	srv.mu.Lock()
	cpus := srv.cfg.ServerCPUList
	srv.mu.Unlock()
	if err := pinThread(cpus); err != nil {
		srv.logf(logWarning, "Unable to pin loop %d to server_cpulist %s: %v", l.id, cpus, err)
	}
	if l.id == 0 {
		srv.rdb.stepLoop.Store(l)
		defer srv.rdb.stepLoop.Store(nil)
	}
	for {
		timeout := -1
		if l.id == 0 {
			timeout = srv.cronTimeout()
		}
		n := epollPoll(l.epfd, events)
		if n == 0 && timeout != 0 {
			var err error
			n, err = syscall.EpollWait(l.epfd, events, timeout)
			if err != nil && err != syscall.EINTR {
				srv.logf(logWarning, "epoll_wait: %v", err)
			}
		}
		if srv.stopping.Load() {
			l.closeAll()
			return
		}
		for i := 0; i < n; i++ {
			l.handleEvent(&events[i])
		}
		if l.id == 0 {
			srv.cronIfDue()
		}
		l.flushPending()
		if l.id == 0 && srv.rdb.stepReq.Load() != nil {
			// After the pass's replies are out: a command that arrived
			// with the request does not wait for the step.
			srv.mu.Lock()
			srv.runStepRequest()
			srv.mu.Unlock()
		}
	}
}

// handleEvent serves one epoll event: a wake-up, new connections, a
// connection's input or its socket becoming writable again. Called without
// srv.mu (also while a timed-out script has released it).
func (l *loop) handleEvent(ev *syscall.EpollEvent) {
	srv := l.srv
	fd := int(ev.Fd)
	switch {
	case fd == l.evfd:
		var buf [8]byte
		syscall.Read(l.evfd, buf[:])
		srv.mu.Lock()
		l.woken = 0
		l.adoptHandoff()
		srv.mu.Unlock()
	case l.id == 0 && srv.isListener(fd):
		srv.acceptAll(fd)
	default:
		c := l.conns[fd]
		if c == nil {
			return
		}
		if ev.Events&(syscall.EPOLLIN|syscall.EPOLLHUP|syscall.EPOLLERR) != 0 {
			c.readAndProcess()
		}
		if ev.Events&syscall.EPOLLOUT != 0 && !c.closed {
			srv.mu.Lock()
			c.queueWrite()
			srv.mu.Unlock()
		}
	}
}

// adoptHandoff registers connections loop 0 accepted for this loop.
// Called with srv.mu held.
func (l *loop) adoptHandoff() {
	for _, c := range l.handoff {
		l.conns[c.fd] = c
		if err := l.watch(c.fd, syscall.EPOLLIN); err != nil {
			c.closed = true
			syscall.Close(c.fd)
			l.srv.unlinkClient(c)
			delete(l.conns, c.fd)
		}
	}
	l.handoff = l.handoff[:0]
}

// flushPending writes the output of every connection that got some in this
// pass: buffers are swapped under the lock, written without it.
func (l *loop) flushPending() {
	srv := l.srv
	srv.mu.Lock()
	l.flushing = append(l.flushing[:0], l.pending...)
	for i := range l.pending {
		l.pending[i] = nil
	}
	l.pending = l.pending[:0]
	for _, c := range l.flushing {
		c.queued = false
		if c.qbufResize {
			c.resizeQueryBuf()
		}
		if c.resume && !c.closed {
			c.resume = false
			srv.clock.start()
			srv.curLoop = l
			c.processBuffered()
			srv.curLoop = nil
		}
		if c.Flags&command.ClientCloseASAP != 0 {
			// Killed or over its output limit: drop the output, close now.
			c.wbuf, c.wpos = nil, 0
			c.wq, c.wqBytes = nil, 0
			srv.freeClient(c)
			continue
		}
		c.takeOutput()
		if c.repl != nil {
			c.takeStream()
		}
		c.obufPending.Store(int64(len(c.wbuf) - c.wpos + c.wqBytes))
		c.closeAfterWrite = c.Flags&command.ClientCloseAfterReply != 0
	}
	srv.beforeReplies()
	srv.mu.Unlock()
	for i, c := range l.flushing {
		if !c.closed {
			c.writeOut()
		}
		l.flushing[i] = nil
	}
}

// closeAll closes every connection of the loop (shutdown).
func (l *loop) closeAll() {
	srv := l.srv
	for _, c := range l.conns {
		if c.closed {
			continue
		}
		if c.repl != nil {
			// Best effort: a replica is sent what it has not been of the
			// stream (flushSlavesOutputBuffers).
			srv.mu.Lock()
			c.takeOutput()
			c.takeStream()
			srv.mu.Unlock()
		}
		c.writeOut()
		c.close()
	}
}
