package server

import (
	"fmt"
	"syscall"
)

// unixListener is the AF_UNIX listening socket opened for the unixsocket
// directive. Its clients are flagged U in CLIENT LIST, show the socket's
// path as addr and laddr, get no TCP options and are never refused by
// protected mode, as in Redis 7.0.
type unixListener struct {
	fd   int
	path string
}

// listenUnix opens a non-blocking AF_UNIX stream socket at path. Like
// Redis it first removes whatever file is at path (a socket left by a
// server that did not shut down cleanly), and chmods the socket to perm
// when perm is not 0.
func listenUnix(path string, perm, backlog int) (*unixListener, error) {
	syscall.Unlink(path)
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrUnix{Name: path}); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("bind: %w", err)
	}
	if perm != 0 {
		if err := syscall.Chmod(path, uint32(perm)); err != nil {
			syscall.Close(fd)
			return nil, fmt.Errorf("chmod: %w", err)
		}
	}
	if err := syscall.Listen(fd, backlog); err != nil {
		syscall.Close(fd)
		return nil, fmt.Errorf("listen: %w", err)
	}
	return &unixListener{fd: fd, path: path}, nil
}

// close closes the socket and removes its file, as Redis does at
// shutdown.
func (u *unixListener) close(s *Server) {
	syscall.Close(u.fd)
	s.logf(logNotice, "Removing the unix socket file.")
	if err := syscall.Unlink(u.path); err != nil {
		s.logf(logWarning, "Error removing the unix socket file: %v", err)
	}
}

// unixAddr is the addr and laddr CLIENT LIST shows for a client of the
// Unix socket at path: "<path>:0", as Redis's connFormatFdAddr.
func unixAddr(path string) string { return path + ":0" }
