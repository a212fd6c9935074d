package server

import (
	"syscall"
	"unsafe"
)

// rawRead and rawWrite issue read(2)/write(2) on non-blocking sockets
// without telling the Go scheduler (RawSyscall): they never block, and the
// entersyscall/exitsyscall pair of syscall.Read/Write costs more than the
// copy itself for small replies.
func rawRead(fd int, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_READ, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), 0
}

func rawWrite(fd int, p []byte) (int, syscall.Errno) {
	if len(p) == 0 {
		return 0, 0
	}
	n, _, e := syscall.RawSyscall(syscall.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return -1, e
	}
	return int(n), 0
}

// epollPoll is a non-blocking epoll_wait without the scheduler hand-off;
// under load it usually finds events, so the blocking syscall.EpollWait
// (and its entersyscall/exitsyscall) is only needed when idle.
func epollPoll(epfd int, events []syscall.EpollEvent) int {
	n, _, e := syscall.RawSyscall6(syscall.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0
	}
	return int(n)
}
