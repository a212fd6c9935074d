package cli_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the controlling side and the
// terminal a child process gets as its stdin, stdout and stderr.
func openPTY(t testing.TB) (ptm, pts *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	s, err := os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Fatal(err)
	}
	ws := &unix.Winsize{Row: 40, Col: 200}
	unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, ws)
	return m, s
}

// runPTY runs cmd with a terminal as stdin, stdout and stderr, feeding
// input (each chunk after the previous output settles), and returns
// everything written to the terminal.
func runPTY(t testing.TB, cmd *exec.Cmd, input ...string) []byte {
	var steps []ptyStep
	for _, in := range input {
		steps = append(steps, ptyStep{in: in})
	}
	return runPTYSteps(t, cmd, steps)
}

// ptyStep is input typed on the terminal; with prompt the next step waits
// until the screen shows a prompt again (the cursor's line ends in ">"),
// not only for a pause in the output.
type ptyStep struct {
	in     string
	prompt bool
}

// render draws out on a screen and returns the cursor's row and whether
// that row ends with a prompt (readline leaves " \b" after the prompt:
// trailing blanks do not count).
func render(out []byte) (row int, prompt bool) {
	sc := newScreen(200)
	sc.write(out)
	if sc.row >= len(sc.lines) {
		return sc.row, false
	}
	return sc.row, strings.HasSuffix(strings.TrimRight(string(sc.lines[sc.row]), " "), ">")
}

func runPTYSteps(t testing.TB, cmd *exec.Cmd, steps []ptyStep) []byte {
	t.Helper()
	m, s := openPTY(t)
	defer m.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	s.Close()
	// One goroutine drains the terminal all along, so that a chatty child
	// never blocks on a full terminal; settle waits for a pause in it.
	var out syncBuffer
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			if n > 0 {
				out.Write(buf[:n])
				last.Store(time.Now().UnixNano())
			}
			if err != nil {
				if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.EIO) {
					t.Log(err)
				}
				return
			}
		}
	}()
	settle := func(d time.Duration) {
		for {
			select {
			case <-done:
				return
			case <-time.After(d / 4):
			}
			if time.Since(time.Unix(0, last.Load())) >= d {
				return
			}
		}
	}
	settle(300 * time.Millisecond)
	for _, st := range steps {
		// A line is only typed once the editor has drawn a fresh prompt
		// below the previous one: typed earlier, linenoise would discard
		// it when it sets the terminal to raw mode (TCSAFLUSH).
		row0, _ := render([]byte(out.String()))
		m.Write([]byte(st.in))
		last.Store(time.Now().UnixNano())
		settle(150 * time.Millisecond)
		if st.prompt {
			deadline := time.Now().Add(10 * time.Second)
			for time.Now().Before(deadline) {
				if row, ok := render([]byte(out.String())); ok && row > row0 {
					break
				}
				settle(50 * time.Millisecond)
				select {
				case <-done:
					deadline = time.Now()
				case <-time.After(20 * time.Millisecond):
				}
			}
		}
	}
	waited := make(chan struct{})
	go func() { cmd.Wait(); close(waited) }()
	select {
	case <-waited:
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		<-waited
	}
	<-done
	return []byte(out.String())
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
