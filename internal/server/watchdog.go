package server

import (
	"time"
)

// The software watchdog (watchdog-period, a hidden testing knob): every
// serverCron run re-arms a one-shot timer of the period, as Redis's
// watchdogScheduleSignal re-arms its ITIMER_REAL. The cron runs only while
// the executor comes back to its loop, not while a command, a busy script
// or a load holds it, so the timer expires exactly when the server has been
// stuck for a period; it then logs "--- WATCHDOG TIMER EXPIRED ---" and a
// stack trace. Redis's SIGALRM handler prints the main thread's stack; a
// Go timer cannot read another goroutine's stack alone, so the trace holds
// every goroutine's, the executor's among them.

// watchdog is the timer; nil while the period is 0. Guarded by s.mu.
type watchdog struct {
	timer  *time.Timer
	period time.Duration
}

// applyWatchdogPeriod follows watchdog-period after start-up and CONFIG
// SET (applyWatchdogPeriod): off at 0, else raised to at least two cron
// periods, as a shorter one would fire between healthy cron runs.
func (s *Server) applyWatchdogPeriod() {
	w := &s.watchdog
	if s.cfg.WatchdogPeriod == 0 {
		if w.timer != nil {
			w.timer.Stop()
			w.timer = nil
		}
		return
	}
	if minPeriod := 1000 / max(s.cfg.Hz, 1) * 2; s.cfg.WatchdogPeriod < minPeriod {
		s.cfg.WatchdogPeriod = minPeriod
	}
	w.period = time.Duration(s.cfg.WatchdogPeriod) * time.Millisecond
	if w.timer == nil {
		w.timer = time.AfterFunc(w.period, s.watchdogExpired)
		return
	}
	w.timer.Reset(w.period)
}

// armWatchdog is serverCron's re-arm: the timer restarts from now.
func (s *Server) armWatchdog() {
	if w := &s.watchdog; w.timer != nil {
		w.timer.Reset(w.period)
	}
}

// watchdogExpired runs on the timer's goroutine, without s.mu (the executor
// may hold it for as long as it is stuck): it only writes the log.
func (s *Server) watchdogExpired() {
	s.log.printf(logWarning, "\n--- WATCHDOG TIMER EXPIRED ---")
	s.log.raw(logWarning, "------ STACK TRACE ------\n"+allStacks()+"\n")
	s.log.printf(logWarning, "--------\n")
}
