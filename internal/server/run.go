package server

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"

	"shoal/internal/config"
)

// daemonChildEnv marks the re-executed child of a daemonizing server.
const daemonChildEnv = "SHOAL_DAEMON_CHILD"

// Main is shoal-server's whole life: configuration, daemonizing, start-up,
// serving until SIGTERM/SIGINT or SHUTDOWN. It returns the exit code.
func Main(args []string) int {
	if len(args) == 1 && (args[0] == "-v" || args[0] == "--version") {
		fmt.Printf("Shoal server v=%s (Redis %s compatible) go=%s\n", Version, redisVersion, runtime.Version())
		return 0
	}
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Println("Usage: shoal-server [/path/to/redis.conf] [options] [-]\n       shoal-server -v or --version\n       shoal-server -h or --help")
		return 0
	}
	path, overrides := config.ParseArgs(args)
	cfg, err := config.Load(path, overrides)
	if err != nil {
		var fe *config.FileError
		if errors.As(err, &fe) {
			fmt.Fprintln(os.Stderr, err.Error())
		} else {
			fmt.Fprintln(os.Stderr, err.Error())
		}
		return 1
	}
	sv := superviseStart(cfg.Supervised, os.Getenv)
	if cfg.Daemonize && !sv.ok && os.Getenv(daemonChildEnv) == "" {
		return daemonize()
	}
	if cfg.Dir != "" {
		if err := os.Chdir(cfg.Dir); err != nil {
			fmt.Fprintf(os.Stderr, "Can't chdir to '%s': %v\n", cfg.Dir, err)
			return 1
		}
	}
	if cfg.IOThreads > 1 {
		runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), cfg.IOThreads+1))
	}
	s := New(cfg)
	// As initServer's setupSignalHandlers, before the server listens: a
	// client (or a supervisor) that sees the port open may signal at once.
	s.handleShutdownSignals()
	s.handleCrashSignals()
	if cfg.SyslogEnabled {
		if err := s.log.openSyslog(cfg.SyslogIdent, cfg.SyslogFacility); err != nil {
			s.logf(logWarning, "Can't open syslog: %v", err)
		}
	}
	s.adoptSupervision(&sv)
	cfg.OnApply("dir", func(c *config.Config) error {
		if err := os.Chdir(c.Dir); err != nil {
			return err
		}
		if wd, err := os.Getwd(); err == nil {
			c.Dir = wd
		}
		return nil
	})
	if wd, err := os.Getwd(); err == nil {
		cfg.Dir = wd
	}
	s.logf(logNotice, "oO0OoO0OoO0Oo Shoal is starting oO0OoO0OoO0Oo")
	s.logf(logNotice, "Shoal version=%s, Redis compatibility=%s, bits=64, pid=%d, just started", Version, redisVersion, pid)
	if path == "" {
		s.logf(logWarning, "Warning: no config file specified, using the default config. In order to specify a config file use shoal-server /path/to/redis.conf")
	} else {
		s.logf(logNotice, "Configuration loaded")
	}
	s.logDirectiveWarnings()
	if err := s.Listen(); err != nil {
		s.logf(logWarning, "%v", err)
		return 1
	}
	if cfg.PidFile != "" {
		if err := os.WriteFile(cfg.PidFile, []byte(strconv.Itoa(pid)+"\n"), 0o644); err != nil {
			s.logf(logWarning, "Failed to write PID file: %v", err)
		}
		defer os.Remove(cfg.PidFile)
	}
	if cfg.ClusterEnabled {
		if err := s.clusterInit(); err != nil {
			s.logf(logWarning, "%v", err)
			return 1
		}
	}
	s.applyOSKnobs()
	s.registerDirectiveHooks()
	s.logBanner()
	s.mem.startup = startupHeap()
	s.logf(logNotice, "Server initialized")
	// The loops serve while the dataset loads: clients get -LOADING.
	s.load.active.Store(true)
	if s.shutdownASAP.Load() != 0 {
		// A signal came before loading began: stop the load at its first
		// yield, as whileBlockedCron does.
		s.load.abort.Store(true)
	}
	served := make(chan error, 1)
	// The loader holds the lock from before the loops start: they begin
	// serving at its first yield, when INFO's loading fields are set, as
	// Redis serves clients only from processEventsWhileBlocked.
	s.mu.Lock()
	go func() { served <- s.Serve() }()
	err = s.loadDataFromDisk()
	s.mu.Unlock()
	switch {
	case err == errLoadingStopped:
		if !s.stopping.Load() {
			s.mu.Lock()
			s.finishShutdown(shutdownFlags{nosave: true})
			s.mu.Unlock()
			s.Shutdown()
		}
	case err != nil:
		// As Redis's exit(1): the error is the last line of the log.
		s.Shutdown()
		<-served
		s.logf(logWarning, "%v", err)
		return 1
	default:
		if s.cl != nil {
			if err := s.clusterVerifyData(); err != nil {
				s.Shutdown()
				<-served
				s.logf(logWarning, "%v", err)
				return 1
			}
		}
		s.logf(logNotice, "Ready to accept connections")
		s.notifyReady(&sv)
	}
	err = <-served
	s.notifySupervisor(&sv, "STOPPING=1\n")
	if err != nil {
		s.logf(logWarning, "%v", err)
		return 1
	}
	s.logf(logWarning, "Shoal is now ready to exit, bye bye...")
	return 0
}

// daemonize re-executes the server detached from the terminal (Go cannot
// fork a running runtime) and returns the parent's exit code.
func daemonize() int {
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_RDWR, 0)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), daemonChildEnv+"=1")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = devnull, devnull, devnull
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if wd, err := os.Getwd(); err == nil {
		cmd.Dir = filepath.Clean(wd)
	}
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// handleShutdownSignals installs the SIGTERM/SIGINT handling
// (sigShutdownHandler) and ignores SIGPIPE.
func (s *Server) handleShutdownSignals() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		// As sigShutdownHandler: the signal only schedules the shutdown,
		// which the cron performs (SHUTDOWN ABORT can cancel it first); a
		// second SIGINT while it is pending or under way exits at once.
		// While the dataset loads the loader stops at its next yield and
		// the server exits without saving (whileBlockedCron). The request
		// is stored before loading is checked, and Main stores loading
		// before it checks the request, so a signal racing the start of
		// the load is seen by one side or the other.
		for sig := range sigs {
			if s.shutdownASAP.Load() != 0 && sig == syscall.SIGINT {
				s.logf(logWarning, "You insist... exiting now.")
				os.Remove(fmt.Sprintf("temp-%d.rdb", os.Getpid()))
				os.Exit(1)
			}
			s.shutdownASAP.Store(int32(sig.(syscall.Signal)))
			if s.load.active.Load() {
				s.logf(logWarning, "Received shutdown signal during loading, scheduling shutdown.")
				s.load.abort.Store(true)
				continue
			}
			s.logf(logWarning, "Received %s scheduling shutdown...", signalName(sig))
		}
	}()
	signal.Ignore(syscall.SIGPIPE)
}

func signalName(sig os.Signal) string {
	if sig == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}
