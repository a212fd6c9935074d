package server

import (
	"errors"
	"fmt"
	"net"
	"slices"
	"syscall"

	"shoal/internal/config"
)

// listenerSet is the set of listening sockets loop 0 watches, with the
// port and bind list they were opened for. A set is never modified once
// published: a rebind builds a new one and publishes it through
// Server.listeners, so loop 0 can test an fd (isListener) without taking
// the executor lock.
type listenerSet struct {
	fds []int // TCP sockets, rebound by CONFIG SET port/bind
	// unix is the unixsocket listener (nil without one); it is opened once
	// at start-up and carried from set to set by rebinds.
	unix *unixListener
	all  []int // fds plus unix's fd: what loop 0 watches
	port int
	bind []string
}

// newListenerSet makes a set of the TCP sockets fds and the Unix socket
// unix (may be nil).
func newListenerSet(fds []int, unix *unixListener, port int, bind []string) *listenerSet {
	ls := &listenerSet{fds: fds, port: port, bind: bind}
	ls.setUnix(unix)
	return ls
}

// setUnix installs unix in a set not yet published.
func (ls *listenerSet) setUnix(unix *unixListener) {
	ls.unix = unix
	ls.all = ls.fds
	if unix != nil {
		ls.all = append(slices.Clip(ls.fds), unix.fd)
	}
}

// Reasons CONFIG SET gives when rebinding fails, as Redis 7.0 words them.
var (
	errListenPort = errors.New("Unable to listen on this port. Check server logs.")
	errListenBind = errors.New("Failed to bind to specified addresses.")
)

// Listen opens the listening sockets on the configured addresses, and the
// Unix socket when unixsocket is set. Port 0 with a Unix socket listens on
// no TCP port, as in Redis; port 0 without one lets the kernel pick a free
// port, which is stored back into the configuration (tests use this).
func (s *Server) Listen() error {
	var fds []int
	// bind "" listens on no TCP address (Redis's bindaddr_count 0).
	if (s.cfg.Port != 0 || s.cfg.UnixSocket == "") && len(s.cfg.Bind) > 0 {
		var err error
		fds, err = s.openListeners(s.cfg.Bind, s.cfg.Port)
		if err != nil {
			return err
		}
		if len(fds) == 0 {
			return fmt.Errorf("Failed listening on port %d (tcp), aborting.", s.cfg.Port)
		}
		if s.cfg.Port == 0 {
			if sa, err := syscall.Getsockname(fds[0]); err == nil {
				_, s.cfg.Port = sockaddrString(sa)
			}
		}
	}
	var unix *unixListener
	if s.cfg.UnixSocket != "" {
		var err error
		unix, err = listenUnix(s.cfg.UnixSocket, s.cfg.UnixSocketPerm, s.cfg.TCPBacklog)
		if err != nil {
			closeFDs(fds)
			return fmt.Errorf("Failed opening Unix socket: %w", err)
		}
	}
	if len(fds) == 0 && unix == nil {
		return errors.New("Configured to not listen anywhere, exiting.")
	}
	s.listeners.Store(newListenerSet(fds, unix, s.cfg.Port, slices.Clone(s.cfg.Bind)))
	if unix != nil {
		s.logf(logNotice, "The server is now ready to accept connections at %s", unix.path)
	}
	return nil
}

// Port is the TCP port the server listens on (the one the kernel chose
// when configured with port 0; 0 while listening nowhere). Safe to call
// from any goroutine.
func (s *Server) Port() int {
	if ls := s.listeners.Load(); ls != nil {
		return ls.port
	}
	return 0
}

// openListeners listens on every address at port. An address with a '-'
// prefix is optional: failing to bind it is not an error. On error every
// socket opened so far is closed.
func (s *Server) openListeners(addrs []string, port int) ([]int, error) {
	var fds []int
	for _, a := range addrs {
		optional := false
		if len(a) > 0 && a[0] == '-' {
			optional = true
			a = a[1:]
		}
		fd, err := listenTCP(a, port, s.cfg.TCPBacklog)
		if err != nil {
			if optional {
				continue
			}
			closeFDs(fds)
			return nil, fmt.Errorf("Could not create server TCP listening socket %s:%d: %w", a, port, err)
		}
		if mark := s.cfg.SocketMarkID; mark != 0 {
			if err := setSocketMark(fd, mark); err != nil {
				s.logf(logWarning, "Unable to set socket-mark-id %d on %s:%d: %v", mark, a, port, err)
			}
		}
		fds = append(fds, fd)
	}
	return fds, nil
}

func closeFDs(fds []int) {
	for _, fd := range fds {
		syscall.Close(fd)
	}
}

// listenerFDs returns every listening fd, TCP and Unix (read-only).
func (s *Server) listenerFDs() []int {
	if ls := s.listeners.Load(); ls != nil {
		return ls.all
	}
	return nil
}

// isListener says whether fd is a listening socket. Loop 0 calls it for
// every event without the lock; one atomic load and a short scan.
func (s *Server) isListener(fd int) bool {
	return slices.Contains(s.listenerFDs(), fd)
}

// closeListeners closes every listening socket and removes the Unix
// socket's file (shutdown).
func (s *Server) closeListeners() {
	if ls := s.listeners.Swap(nil); ls != nil {
		closeFDs(ls.fds)
		if ls.unix != nil {
			ls.unix.close(s)
		}
	}
}

// registerListenHooks makes CONFIG SET port and bind rebind the listening
// sockets, as Redis 7.0 does; connections already accepted stay open.
func (s *Server) registerListenHooks() {
	s.cfg.OnApply("port", func(c *config.Config) error { return s.rebind(c, errListenPort) })
	s.cfg.OnApply("bind", func(c *config.Config) error { return s.rebind(c, errListenBind) })
}

// rebind makes the listening sockets match c's port and bind list.
// Called with s.mu held, from the loop running CONFIG SET, or from the
// config rollback that restores the previous values.
//
// A port change alone opens the new sockets before closing the old ones,
// so a port in use fails and leaves the old sockets serving. A bind change
// must close the old sockets first (a new address may overlap an old one
// on the same port); if the new ones cannot be opened, the old addresses
// are opened again. Either way a failure returns reason, which CONFIG SET
// reports. Port 0 and an empty bind list listen nowhere, as in Redis.
func (s *Server) rebind(c *config.Config, reason error) error {
	old := s.listeners.Load()
	if old == nil {
		// Not listening (before Listen, or shut down): nothing to move.
		return nil
	}
	if old.port == c.Port && slices.Equal(old.bind, c.Bind) {
		return nil
	}
	next := newListenerSet(nil, nil, c.Port, slices.Clone(c.Bind))
	if slices.Equal(old.bind, c.Bind) {
		if c.Port != 0 {
			fds, err := s.openListeners(c.Bind, c.Port)
			if err != nil {
				s.logf(logWarning, "%v", err)
				return reason
			}
			next.fds = fds
		}
		s.swapListeners(old, next)
		return nil
	}
	s.swapListeners(old, newListenerSet(nil, nil, old.port, old.bind))
	if c.Port != 0 {
		fds, err := s.openListeners(c.Bind, c.Port)
		if err != nil {
			s.logf(logWarning, "%v", err)
			s.logf(logWarning, "Failed to bind")
			s.restoreListeners(old)
			return reason
		}
		next.fds = fds
	}
	s.swapListeners(s.listeners.Load(), next)
	return nil
}

// restoreListeners reopens the sockets of a set that was closed for a
// bind change that failed.
func (s *Server) restoreListeners(old *listenerSet) {
	if old.port == 0 {
		return
	}
	fds, err := s.openListeners(old.bind, old.port)
	if err != nil {
		s.logf(logWarning, "Failed to restore the previous listening sockets: %v", err)
		return
	}
	s.swapListeners(s.listeners.Load(), newListenerSet(fds, nil, old.port, old.bind))
}

// swapListeners publishes next, watches its sockets on loop 0 and closes
// the TCP sockets of old; old's Unix socket, already watched, moves to
// next. A stale epoll event for a closed fd is harmless: loop 0 finds no
// listener and no connection of its own under that number, or a fresh
// socket that reports EAGAIN.
func (s *Server) swapListeners(old, next *listenerSet) {
	next.setUnix(old.unix)
	if len(s.loops) > 0 {
		l := s.loops[0]
		for _, fd := range next.fds {
			if err := l.watch(fd, syscall.EPOLLIN); err != nil {
				s.logf(logWarning, "epoll_ctl on listening socket: %v", err)
			}
		}
	}
	s.listeners.Store(next)
	if len(s.loops) > 0 {
		for _, fd := range old.fds {
			syscall.EpollCtl(s.loops[0].epfd, syscall.EPOLL_CTL_DEL, fd, nil)
		}
	}
	closeFDs(old.fds)
}

// listenTCP opens a non-blocking listening socket on host:port; "*" and
// "::*" are the IPv4 and IPv6 wildcards.
func listenTCP(host string, port, backlog int) (int, error) {
	var sa syscall.Sockaddr
	family := syscall.AF_INET
	switch host {
	case "*", "0.0.0.0":
		sa = &syscall.SockaddrInet4{Port: port}
	case "::*", "::":
		family = syscall.AF_INET6
		sa = &syscall.SockaddrInet6{Port: port}
	default:
		ip := net.ParseIP(host)
		if ip == nil {
			return -1, fmt.Errorf("bad address %q", host)
		}
		if ip4 := ip.To4(); ip4 != nil {
			a := &syscall.SockaddrInet4{Port: port}
			copy(a.Addr[:], ip4)
			sa = a
		} else {
			family = syscall.AF_INET6
			a := &syscall.SockaddrInet6{Port: port}
			copy(a.Addr[:], ip.To16())
			sa = a
		}
	}
	fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return -1, err
	}
	syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_REUSEADDR, 1)
	if family == syscall.AF_INET6 {
		syscall.SetsockoptInt(fd, syscall.IPPROTO_IPV6, syscall.IPV6_V6ONLY, 1)
	}
	if err := syscall.Bind(fd, sa); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		syscall.Close(fd)
		return -1, err
	}
	return fd, nil
}
