package server

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"unsafe"

	"shoal/internal/config"
)

// The effects of the directives that act on the operating system process
// rather than on the data: disable-thp, oom-score-adj(-values),
// set-proc-title/proc-title-template, crash-log-enabled, the CPU lists,
// socket-mark-id, and shutdown-on-sigint/sigterm. Shoal is Linux-only, as
// its event loops (epoll) are.

// prctl options.
const (
	prSetTHPDisable = 41
	prSetMM         = 35
	prSetMMMap      = 14 // PR_SET_MM's whole-map form, allowed without privileges
)

// applyOSKnobs gives the OS directives their start-up effect and makes
// CONFIG SET of the modifiable ones take effect; Main calls it once the
// listening sockets are open (the process title shows the address).
func (s *Server) applyOSKnobs() {
	c := s.cfg
	if c.DisableTHP {
		if err := disableTHP(); err != nil {
			s.logf(logVerbose, "Unable to disable transparent huge pages: %v", err)
		}
	}
	if err := setOOMScoreAdj(c); err != nil {
		s.logf(logWarning, "Unable to set oom_score_adj: %v", err)
	}
	if c.SetProcTitle {
		if err := setProcTitle(c); err != nil {
			s.logf(logWarning, "Unable to set the process title: %v", err)
		}
	}
	setCrashLog(c.CrashLogEnabled)
	for _, l := range []struct{ name, list string }{
		{"server_cpulist", c.ServerCPUList}, {"bio_cpulist", c.BioCPUList},
		{"aof_rewrite_cpulist", c.AOFRewriteCPUList}, {"bgsave_cpulist", c.BgsaveCPUList},
	} {
		// Redis ignores a list it cannot parse without a word; say so.
		if _, ok := parseCPUList(l.list); l.list != "" && !ok {
			s.logf(logWarning, "WARNING: '%s %s' is not a valid cpu list and is ignored.", l.name, l.list)
		}
	}
	c.OnApply("oom-score-adj", func(c *config.Config) error { return s.applyOOMScoreAdj(c) })
	c.OnApply("oom-score-adj-values", func(c *config.Config) error { return s.applyOOMScoreAdj(c) })
	c.OnApply("proc-title-template", func(c *config.Config) error {
		// As Redis, a new template applies even with set-proc-title no.
		if err := setProcTitle(c); err != nil {
			s.logf(logWarning, "Unable to set the process title: %v", err)
			return errProcTitle
		}
		return nil
	})
	exitOnPanic.Store(c.UseExitOnPanic)
	c.OnApply("use-exit-on-panic", func(c *config.Config) error {
		exitOnPanic.Store(c.UseExitOnPanic)
		return nil
	})
	c.OnApply("crash-log-enabled", func(c *config.Config) error {
		setCrashLog(c.CrashLogEnabled)
		return nil
	})
}

// Reasons CONFIG SET gives when an OS knob cannot be applied, as Redis 7.0
// words them.
var (
	errOOMScoreAdj = errors.New("Failed to set current oom_score_adj. Check server logs.")
	errProcTitle   = errors.New("failed to set process title")
)

func (s *Server) applyOOMScoreAdj(c *config.Config) error {
	if err := setOOMScoreAdj(c); err != nil {
		s.logf(logWarning, "Unable to write oom_score_adj: %v", err)
		return errOOMScoreAdj
	}
	return nil
}

// disableTHP turns transparent huge pages off for the process, as Redis
// does with disable-thp yes: a copy-on-write of a huge page costs latency
// and memory. Shoal saves in a goroutine rather than a forked child, so
// this matters less, but the setting is honoured all the same.
func disableTHP() error {
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetTHPDisable, 1, 0, 0, 0, 0); e != 0 {
		return e
	}
	return nil
}

// oomScoreAdjPath is the kernel's knob for this process.
const oomScoreAdjPath = "/proc/self/oom_score_adj"

// oomAdjState remembers, as Redis's setOOMScoreAdj does in statics,
// whether Shoal has changed the process's oom_score_adj and the value it
// found before doing so, which "relative" adds to and "no" restores.
type oomAdjState struct {
	mu       sync.Mutex
	adjusted bool
	base     int
}

// oomState is the process's state: oom_score_adj is per process.
var oomState oomAdjState

// setOOMScoreAdj writes the process's oom_score_adj for c: the master or
// replica value of oom-score-adj-values (the bgchild value has no use, as
// Shoal saves from a goroutine, not a child process).
func setOOMScoreAdj(c *config.Config) error {
	class := config.OOMClassMaster
	if c.MasterHost != "" {
		class = config.OOMClassReplica
	}
	return oomState.apply(oomScoreAdjPath, c.OOMScoreAdj, c.OOMScoreAdjValues, class)
}

// apply sets path to the score mode and values ask for the process class:
// the first time a mode other than "no" applies it reads the current value
// as the base; "no" after that writes the base back, and "no" before it
// writes nothing.
func (st *oomAdjState) apply(path string, mode int, values [3]int, class int) error {
	st.mu.Lock()
	defer st.mu.Unlock()
	var val int
	switch {
	case mode != config.OOMScoreAdjNo:
		if !st.adjusted {
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			st.base = atoiPrefix(string(b))
			st.adjusted = true
		}
		val = oomScoreTarget(mode, values[class], st.base)
	case st.adjusted:
		st.adjusted = false
		val = st.base
	default:
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(strconv.Itoa(val) + "\n")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// oomScoreTarget is the oom_score_adj for a configured value: relative
// to base in relative mode, as is in absolute mode, clamped to the
// kernel's -1000..1000.
func oomScoreTarget(mode, value, base int) int {
	if mode == config.OOMScoreAdjRelative {
		value += base
	}
	return min(max(value, -1000), 1000)
}

// atoiPrefix reads a leading decimal number as C's atoi.
func atoiPrefix(s string) int {
	s = strings.TrimLeft(s, " \t\n")
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	return n
}

// procCommPath is the process name (the main thread's) that ps -o comm,
// top and pgrep show.
const procCommPath = "/proc/self/comm"

// procCommMax is the length the kernel keeps of a process name.
const procCommMax = 15

// setProcTitle shows the expanded proc-title-template as the process's
// command line, as Redis's setproctitle does: ps -o args, pgrep -f and
// /proc/PID/cmdline show it in full, its {title} being argv[0] as
// executed.
//
// Redis rewrites its argv area in place. Go cannot do that safely: os.Args
// strings point into that memory. Shoal writes the title into memory of
// its own and points the kernel's command-line bounds at it
// (prctl PR_SET_MM_MAP, which needs a kernel built with
// CONFIG_CHECKPOINT_RESTORE). Without it Shoal sets the process name
// instead, which the kernel truncates to 15 bytes, so only the start of
// the title shows ("shoal-server *:" for the default template). It writes
// the main thread's /proc/self/comm rather than calling
// prctl(PR_SET_NAME), which would rename only whichever thread the
// goroutine runs on.
func setProcTitle(c *config.Config) error {
	title, ok := c.ExpandProcTitle(c.ProcTitleTemplate, os.Args[0])
	if !ok {
		return errors.New("invalid proc-title-template")
	}
	if setCmdline(title) == nil {
		return nil
	}
	title, _ = c.ExpandProcTitle(c.ProcTitleTemplate, filepath.Base(os.Args[0]))
	return os.WriteFile(procCommPath, []byte(commName(title)), 0)
}

// cmdlineArea holds the command line /proc/self/cmdline shows once
// setCmdline has moved it; the variable keeps that memory reachable. It is
// heap memory: the kernel reads the command line only from anonymous
// mappings.
var cmdlineArea []byte

// mmMap is the kernel's struct prctl_mm_map.
type mmMap struct {
	startCode, endCode, startData, endData, startBrk, brk, startStack uint64
	argStart, argEnd, envStart, envEnd                                uint64
	auxv                                                              uint64
	auxvSize, exeFD                                                   uint32
}

// setCmdline makes /proc/self/cmdline read title as one NUL-terminated
// argument, as setproctitle leaves it. PR_SET_MM_MAP replaces every bound
// at once, so the others are read back from /proc/self/stat (the current
// brk from brk(0)); auxv size 0 and exe_fd -1 leave those unchanged.
func setCmdline(title string) error {
	raw, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return err
	}
	// Fields after the command name, which may hold spaces and ')'.
	stat := string(raw)
	fields := strings.Fields(stat[strings.LastIndexByte(stat, ')')+1:])
	field := func(n int) uint64 { // n as proc(5) numbers them; fields[0] is 3
		if n-3 >= len(fields) {
			return 0
		}
		v, _ := strconv.ParseUint(fields[n-3], 10, 64)
		return v
	}
	if len(fields) < 51-2 {
		return errors.New("short /proc/self/stat")
	}
	brk, _, _ := syscall.RawSyscall(syscall.SYS_BRK, 0, 0, 0)
	area := make([]byte, len(title)+1)
	copy(area, title)
	start := uint64(uintptr(unsafe.Pointer(&area[0])))
	m := mmMap{
		startCode: field(26), endCode: field(27), startData: field(45), endData: field(46),
		startBrk: field(47), brk: uint64(brk), startStack: field(28),
		argStart: start, argEnd: start + uint64(len(area)), envStart: field(50), envEnd: field(51),
		exeFD: ^uint32(0),
	}
	if _, _, e := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetMM, prSetMMMap, uintptr(unsafe.Pointer(&m)), unsafe.Sizeof(m), 0, 0); e != 0 {
		return e
	}
	cmdlineArea = area
	return nil
}

// commName cuts a title to the bytes the kernel keeps of a process name.
func commName(title string) string {
	if len(title) > procCommMax {
		return title[:procCommMax]
	}
	return title
}

// setCrashLog maps crash-log-enabled onto Go's crash report: yes prints
// the stack of every goroutine when the process dies of a panic or a fatal
// signal (Redis's crash log prints every thread's stack), no prints only
// the panic message. GOTRACEBACK in the environment, when higher, wins.
// crash-memcheck-enabled has no Go equivalent: Go's memory is managed and
// Shoal runs no post-crash memory test.
func setCrashLog(enabled bool) {
	crashLogEnabled.Store(enabled)
	if enabled {
		debug.SetTraceback("all")
	} else {
		debug.SetTraceback("none")
	}
}

// signalShutdownFlags returns the SHUTDOWN options shutdown-on-sigint or
// shutdown-on-sigterm configure for sig.
func signalShutdownFlags(c *config.Config, sig os.Signal) shutdownFlags {
	v := c.ShutdownOnSigterm
	if sig == syscall.SIGINT {
		v = c.ShutdownOnSigint
	}
	return shutdownFlags{
		save:   v&config.ShutdownSave != 0,
		nosave: v&config.ShutdownNoSave != 0,
		force:  v&config.ShutdownForce != 0,
		now:    v&config.ShutdownNow != 0,
	}
}

// setSocketMark sets SO_MARK (socket-mark-id) on a TCP socket; it needs
// CAP_NET_ADMIN.
func setSocketMark(fd int, mark int64) error {
	return syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_MARK, int(uint32(mark)))
}

// maxCPUs bounds the CPU numbers a cpu list may name (the kernel's
// CPU_SETSIZE).
const maxCPUs = 1024

// cpuMask is a sched_setaffinity CPU set.
type cpuMask [maxCPUs / 64]uint64

// parseCPUList parses a cpu list as Redis's setcpuaffinity (after
// taskset): comma-separated CPUs "n", ranges "a-b" and strided ranges
// "a-b:s", such as "0,2-3,8-15:2". ok is false for a list Redis would
// ignore: a malformed item, a range going down, a zero stride. An empty
// list is ok and names no CPU.
func parseCPUList(list string) (cpus []int, ok bool) {
	if list == "" {
		return nil, true
	}
	for _, item := range strings.Split(list, ",") {
		rng, stride, hasStride := strings.Cut(item, ":")
		lo, hi, isRange := strings.Cut(rng, "-")
		a, ok1 := cpuNum(lo)
		b, ok2 := a, true
		if isRange {
			b, ok2 = cpuNum(hi)
		} else if hasStride {
			return nil, false
		}
		s, ok3 := 1, true
		if hasStride {
			s, ok3 = cpuNum(stride)
		}
		if !ok1 || !ok2 || !ok3 || s == 0 || a > b {
			return nil, false
		}
		for n := a; n <= b; n += s {
			cpus = append(cpus, n)
		}
	}
	return cpus, true
}

// cpuNum reads one CPU number of a cpu list.
func cpuNum(s string) (int, bool) {
	if s == "" || len(s) > 4 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n >= maxCPUs || s[0] == '+' {
		return 0, false
	}
	return n, true
}

// pinThread binds the calling OS thread to the CPUs of list; the caller
// has locked its goroutine to the thread. An empty or invalid list
// changes nothing (Redis ignores an invalid one too).
func pinThread(list string) error {
	cpus, ok := parseCPUList(list)
	if !ok || len(cpus) == 0 {
		return nil
	}
	var m cpuMask
	for _, n := range cpus {
		m[n/64] |= 1 << (n % 64)
	}
	_, _, e := syscall.RawSyscall(syscall.SYS_SCHED_SETAFFINITY, 0, unsafe.Sizeof(m), uintptr(unsafe.Pointer(&m)))
	if e != 0 {
		return e
	}
	return nil
}

// pinJobThread pins a background save or rewrite goroutine's thread to
// list (bgsave_cpulist, aof_rewrite_cpulist). The goroutine stays locked
// to the thread until it exits, and the runtime then ends that thread, so
// a pinned thread never goes back to run other goroutines.
func pinJobThread(list string) {
	if list == "" {
		return
	}
	runtime.LockOSThread()
	pinThread(list)
}
