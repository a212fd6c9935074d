package server

import (
	"os"
	"os/signal"
	"runtime"
	"sync/atomic"
	"syscall"
	"time"
)

// Crash reports and the watchdog (debug.c's sigsegvHandler, bugReportStart,
// logStackTrace and watchdogSignalHandler): a fatal signal another process
// sends (kill -ABRT, kill -SEGV ...) and DEBUG SEGFAULT write a bug report
// with every goroutine's stack to the log before the process dies, and
// watchdog-period logs the stacks when the cron has stalled.

// crashLogEnabled and exitOnPanic mirror crash-log-enabled and
// use-exit-on-panic for the crash handler, which runs outside the
// executor lock.
var crashLogEnabled, exitOnPanic atomic.Bool

// crashSignals are the fatal signals that get a crash report when another
// process sends them; a fault of Shoal's own is a Go panic, reported by
// the runtime.
var crashSignals = []os.Signal{syscall.SIGSEGV, syscall.SIGBUS, syscall.SIGFPE, syscall.SIGILL, syscall.SIGABRT}

// handleCrashSignals installs the crash report for crashSignals.
func (s *Server) handleCrashSignals() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, crashSignals...)
	go func() {
		sig := (<-ch).(syscall.Signal)
		s.crash(sig)
	}()
}

// crash writes the bug report for sig and dies of it (bugReportEnd's
// re-raise with the default action), or exits with status 1 under
// use-exit-on-panic.
func (s *Server) crash(sig syscall.Signal) {
	if crashLogEnabled.Load() {
		s.log.raw(logWarning, "\n\n=== SHOAL BUG REPORT START: Cut & paste starting from here ===\n")
		s.logf(logWarning, "Shoal %s crashed by signal: %d", Version, sig)
		s.log.raw(logWarning, "\n------ STACK TRACE ------\n")
		s.log.raw(logWarning, allStacks())
		s.log.raw(logWarning, "\n=== SHOAL BUG REPORT END. Make sure to include from START to END. ===\n\n")
	}
	if exitOnPanic.Load() {
		os.Exit(1)
	}
	signal.Reset(sig)
	syscall.Kill(os.Getpid(), sig)
	// The runtime's own handler ends the process; should it not:
	time.Sleep(time.Second)
	os.Exit(128 + int(sig))
}

// allStacks returns the stack of every goroutine.
func allStacks() string {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return string(buf[:n])
		}
		buf = make([]byte, 2*len(buf))
	}
}
