package server

import (
	"errors"
	"net"
	"os"
	"strconv"
	"syscall"

	"shoal/internal/config"
)

// Supervision by upstart or systemd, as Redis's redisIsSupervised: with
// "supervised systemd" (or "auto" and NOTIFY_SOCKET set) the server sends
// sd_notify messages on the NOTIFY_SOCKET unix datagram socket: a loading
// STATUS at start-up, STATUS and READY=1 once it accepts connections, and
// STOPPING=1 on the way out. With "supervised upstart" (or "auto" and
// UPSTART_JOB set) it stops itself with SIGSTOP at start-up, which upstart's
// "expect stop" takes as the readiness signal. A supervised server does not
// daemonize.

// Supervision modes in effect (INFO process_supervised).
const (
	supervisedNone = iota
	supervisedUpstart
	supervisedSystemd
)

// supervisedName is a mode's INFO process_supervised value.
func supervisedName(mode int) string {
	switch mode {
	case supervisedUpstart:
		return "upstart"
	case supervisedSystemd:
		return "systemd"
	}
	return "no"
}

// logLine is a log message kept until the logger exists.
type logLine struct {
	level int
	msg   string
}

// supervision is the outcome of the start-up check.
type supervision struct {
	// mode is the supervision requested, auto resolved; systemd
	// notifications are sent for it even when the first one failed, as
	// Redis does.
	mode int
	// ok is true when the start-up handshake succeeded (Redis's
	// server.supervised): INFO shows the mode and the server does not
	// daemonize.
	ok bool
	// logs are the lines to log once the logger exists.
	logs []logLine
}

// superviseStart runs the start-up half of supervision for the configured
// mode, as redisIsSupervised. getenv is os.Getenv outside tests.
func superviseStart(configured int, getenv func(string) string) supervision {
	var sv supervision
	switch configured {
	case config.SupervisedUpstart:
		sv.mode = supervisedUpstart
	case config.SupervisedSystemd:
		sv.mode = supervisedSystemd
	case config.SupervisedAuto:
		if getenv("UPSTART_JOB") != "" {
			sv.logs = append(sv.logs, logLine{logVerbose, "Upstart supervision detected."})
			sv.mode = supervisedUpstart
		} else if getenv("NOTIFY_SOCKET") != "" {
			sv.logs = append(sv.logs, logLine{logVerbose, "Systemd supervision detected."})
			sv.mode = supervisedSystemd
		}
	}
	switch sv.mode {
	case supervisedUpstart:
		if getenv("UPSTART_JOB") == "" {
			sv.logs = append(sv.logs, logLine{logWarning, "upstart supervision requested, but UPSTART_JOB not found!"})
			break
		}
		sv.logs = append(sv.logs, logLine{logNotice, "supervised by upstart, will stop to signal readiness."})
		syscall.Kill(os.Getpid(), syscall.SIGSTOP)
		os.Unsetenv("UPSTART_JOB")
		sv.ok = true
	case supervisedSystemd:
		if sv.notify(getenv, "STATUS=Shoal is loading...\n") {
			sv.logs = append(sv.logs, logLine{logNotice, "Supervised by systemd. Please make sure you set appropriate values for TimeoutStartSec and TimeoutStopSec in your service unit."})
			sv.ok = true
		}
	}
	return sv
}

// notify sends one sd_notify message and reports whether it was sent; a
// failure is logged with Redis's wording (sd_notify's negative errno).
func (sv *supervision) notify(getenv func(string) string, msg string) bool {
	if err := sdNotify(getenv("NOTIFY_SOCKET"), msg); err != nil {
		text := "systemd supervision error: NOTIFY_SOCKET not found!"
		if !errors.Is(err, errNoNotifySocket) {
			code := -int(syscall.EIO)
			var errno syscall.Errno
			if errors.As(err, &errno) {
				code = -int(errno)
			}
			text = "systemd supervision error: sd_notify: " + strconv.Itoa(code)
		}
		sv.logs = append(sv.logs, logLine{logWarning, text})
		return false
	}
	return true
}

// errNoNotifySocket is sdNotify's error when NOTIFY_SOCKET is unset.
var errNoNotifySocket = errors.New("NOTIFY_SOCKET not set")

// sdNotify writes msg as one datagram to the systemd notification socket
// at path; a leading '@' names an abstract socket, as in sd_notify(3).
func sdNotify(path, msg string) error {
	if path == "" {
		return errNoNotifySocket
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(msg))
	return err
}

// adoptSupervision logs the start-up check's lines and records the mode
// in effect for INFO.
func (s *Server) adoptSupervision(sv *supervision) {
	s.adoptLogs(sv)
	if sv.ok {
		s.supervised = sv.mode
	}
}

// notifySupervisor sends msg to systemd when supervised by it, logging
// failures.
func (s *Server) notifySupervisor(sv *supervision, msg string) {
	if sv.mode != supervisedSystemd {
		return
	}
	sv.notify(os.Getenv, msg)
	s.adoptLogs(sv)
}

// adoptLogs logs the lines a notification left.
func (s *Server) adoptLogs(sv *supervision) {
	for _, l := range sv.logs {
		s.logf(l.level, "%s", l.msg)
	}
	sv.logs = nil
}

// notifyReady tells systemd the server accepts connections.
func (s *Server) notifyReady(sv *supervision) {
	// The loops already serve (CONFIG SET may write the config).
	s.mu.Lock()
	replica := s.cfg.MasterHost != ""
	s.mu.Unlock()
	if !replica {
		s.notifySupervisor(sv, "STATUS=Ready to accept connections\n")
	} else {
		s.notifySupervisor(sv, "STATUS=Ready to accept connections in read-only mode. Waiting for MASTER <-> REPLICA sync\n")
	}
	s.notifySupervisor(sv, "READY=1\n")
}
