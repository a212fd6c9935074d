package server

import (
	"fmt"
	"io"
	"log/syslog"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"
)

// Log levels, as redis.conf's loglevel.
const (
	logDebug = iota
	logVerbose
	logNotice
	logWarning
)

// LogLevel parses a loglevel directive value.
func LogLevel(name string) int {
	switch name {
	case "debug":
		return logDebug
	case "verbose":
		return logVerbose
	case "warning":
		return logWarning
	}
	return logNotice
}

// logger writes Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm * msg"
// to the logfile (stdout without one) and, with syslog-enabled, the bare
// message to syslog too, as serverLogRaw does.
type logger struct {
	mu sync.Mutex
	w  io.Writer
	// level is loglevel; atomic, as the signal, crash and watchdog
	// goroutines log outside the executor lock that CONFIG SET holds.
	level atomic.Int64
	role  byte
	// sys is the syslog connection, nil unless syslog-enabled.
	sys syslogWriter
}

// syslogWriter is the part of *syslog.Writer the logger uses, one method
// per Redis log level.
type syslogWriter interface {
	Debug(m string) error
	Info(m string) error
	Notice(m string) error
	Warning(m string) error
}

// syslogFacilities maps syslog-facility's values (config.SyslogFacilities,
// same order) to log/syslog's.
var syslogFacilities = []syslog.Priority{syslog.LOG_USER, syslog.LOG_LOCAL0, syslog.LOG_LOCAL1,
	syslog.LOG_LOCAL2, syslog.LOG_LOCAL3, syslog.LOG_LOCAL4, syslog.LOG_LOCAL5, syslog.LOG_LOCAL6, syslog.LOG_LOCAL7}

func newLogger(path string, level int) *logger {
	l := &logger{w: os.Stdout, role: 'M'}
	l.level.Store(int64(level))
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err == nil {
			l.w = f
		}
	}
	return l
}

// openSyslog connects the logger to the local syslog daemon under ident,
// as Redis's openlog(syslog-ident, LOG_PID|LOG_NDELAY|LOG_NOWAIT,
// syslog-facility); log/syslog adds the pid to every message. A failure
// leaves file logging alone and is returned for the caller to log.
func (l *logger) openSyslog(ident string, facility int) error {
	w, err := syslog.New(syslogFacilities[facility]|syslog.LOG_NOTICE, ident)
	if err != nil {
		return err
	}
	l.sys = w
	return nil
}

// toSyslog sends msg at the syslog priority of a Redis level, as
// syslogLevelMap: debug to LOG_DEBUG, verbose to LOG_INFO, notice to
// LOG_NOTICE, warning to LOG_WARNING. Called with l.mu held.
func (l *logger) toSyslog(level int, msg string) {
	if l.sys == nil {
		return
	}
	switch level {
	case logDebug:
		l.sys.Debug(msg)
	case logVerbose:
		l.sys.Info(msg)
	case logNotice:
		l.sys.Notice(msg)
	default:
		l.sys.Warning(msg)
	}
}

// raw writes text as is, without the line prefix (Redis's LL_RAW), as the
// start-up logo is written.
func (l *logger) raw(level int, text string) {
	if int64(level) < l.level.Load() {
		return
	}
	l.mu.Lock()
	io.WriteString(l.w, text)
	l.toSyslog(level, text)
	l.mu.Unlock()
}

var levelMarks = [...]byte{'.', '-', '*', '#'}

func (l *logger) printf(level int, format string, args ...any) {
	if int64(level) < l.level.Load() {
		return
	}
	now := time.Now()
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	fmt.Fprintf(l.w, "%d:%c %s.%03d %c %s\n", pid, l.role, now.Format("02 Jan 2006 15:04:05"), now.Nanosecond()/1e6, levelMarks[level], msg)
	l.toSyslog(level, msg)
	l.mu.Unlock()
}

// Start-up banner, as redisAsciiArt: the logo when stdout is a terminal
// the log goes to (no logfile, no syslog) or always-show-logo is set, else
// one "Running mode=..., port=..." line.

// shoalLogo is Shoal's own start-up art; the %s/%d verbs take the version,
// the Redis version, the mode, the port and the pid.
const shoalLogo = `
      ><>                 Shoal %s (Redis %s compatible) 64 bit
  ><>     ><>    ><>
     ><>      ><>         Running in %s mode
  ><>    ><>       ><>    Port: %d
      ><>     ><>         PID: %d

`

// showLogo is redisAsciiArt's rule for printing the logo.
func showLogo(always, syslogEnabled bool, logfile string, stdoutTTY bool) bool {
	return always || (!syslogEnabled && logfile == "" && stdoutTTY)
}

// isTerminal reports whether fd is a terminal (isatty).
func isTerminal(fd uintptr) bool {
	var t syscall.Termios
	_, _, errno := syscall.Syscall(syscall.SYS_IOCTL, fd, syscall.TCGETS, uintptr(unsafe.Pointer(&t)))
	return errno == 0
}

// logBanner logs the logo or the one-line running mode.
func (s *Server) logBanner() {
	mode := "standalone"
	if s.cfg.ClusterEnabled {
		mode = "cluster"
	}
	if !showLogo(s.cfg.AlwaysShowLogo, s.cfg.SyslogEnabled, s.cfg.LogFile, isTerminal(os.Stdout.Fd())) {
		s.logf(logNotice, "Running mode=%s, port=%d.", mode, s.cfg.Port)
		return
	}
	s.log.raw(logNotice, fmt.Sprintf(shoalLogo, Version, redisVersion, mode, s.cfg.Port, pid))
}

// setRole changes the role letter of later lines: 'M' master, 'S' replica.
func (l *logger) setRole(r byte) {
	l.mu.Lock()
	l.role = r
	l.mu.Unlock()
}
