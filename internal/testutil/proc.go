package testutil

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopGrace is how long Stop waits after SIGTERM before it sends SIGKILL.
const stopGrace = 10 * time.Second

// Proc is a child process started by StartProc. It runs in its own process
// group so that Stop and Kill reach anything it forks.
type Proc struct {
	t       testing.TB
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has been reaped
	err     error         // Wait's result, valid once done is closed
	once    sync.Once
}

// StartProc starts bin with args in its own process group, its stdout and
// stderr going to a file in t.TempDir(). A cleanup registered on t stops
// it (Stop), and, when the test failed, logs what it wrote.
func StartProc(t testing.TB, bin string, args ...string) *Proc {
	t.Helper()
	return StartProcIn(t, "", bin, args...)
}

// StartProcIn is StartProc with the working directory wd ("" for the
// test's own), for servers started the way users start them: from their
// folder, with a relative config path.
func StartProcIn(t testing.TB, wd, bin string, args ...string) *Proc {
	t.Helper()
	dir := t.TempDir()
	logPath := filepath.Join(dir, filepath.Base(bin)+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatalf("testutil: create log: %v", err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = wd
	cmd.Stdout = f
	cmd.Stderr = f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		t.Fatalf("testutil: start %s: %v", bin, err)
	}
	p := &Proc{t: t, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.Stop()
		if t.Failed() {
			t.Logf("%s %v output:\n%s", bin, args, p.Output())
		}
	})
	return p
}

// Pid returns the process id (also its process group id).
func (p *Proc) Pid() int { return p.cmd.Process.Pid }

// Exited reports whether the process has ended.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Output returns what the process has written to stdout and stderr so far.
func (p *Proc) Output() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(log unreadable: %v)", err)
	}
	return string(b)
}

// Stop sends SIGTERM to the process group and waits for the process to end;
// after stopGrace it sends SIGKILL. It is safe to call more than once and
// returns the error of the process's Wait.
func (p *Proc) Stop() error {
	p.once.Do(func() {
		p.signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(stopGrace):
			p.signal(syscall.SIGKILL)
			<-p.done
		}
	})
	<-p.done
	return p.err
}

// Kill sends SIGKILL to the process group and waits for the process to end.
func (p *Proc) Kill() {
	p.once.Do(func() {
		p.signal(syscall.SIGKILL)
	})
	<-p.done
}

func (p *Proc) signal(sig syscall.Signal) {
	if p.Exited() {
		return
	}
	if err := syscall.Kill(-p.cmd.Process.Pid, sig); err != nil && !errors.Is(err, syscall.ESRCH) {
		p.t.Logf("testutil: kill -%d %d: %v", sig, p.cmd.Process.Pid, err)
	}
}
