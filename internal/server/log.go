package server

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"
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

// logger writes Redis-style log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm * msg".
type logger struct {
	mu    sync.Mutex
	w     io.Writer
	level int
	role  byte
}

func newLogger(path string, level int) *logger {
	l := &logger{w: os.Stdout, level: level, role: 'M'}
	if path != "" {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
		if err == nil {
			l.w = f
		}
	}
	return l
}

var levelMarks = [...]byte{'.', '-', '*', '#'}

func (l *logger) printf(level int, format string, args ...any) {
	if level < l.level {
		return
	}
	now := time.Now()
	msg := fmt.Sprintf(format, args...)
	l.mu.Lock()
	fmt.Fprintf(l.w, "%d:%c %s.%03d %c %s\n", pid, l.role, now.Format("02 Jan 2006 15:04:05"), now.Nanosecond()/1e6, levelMarks[level], msg)
	l.mu.Unlock()
}
