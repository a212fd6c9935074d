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
