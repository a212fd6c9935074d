package server

import (
	"bytes"
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"shoal/internal/config"
	"shoal/internal/testutil"
)

// startInProcess runs a server in this process on a free loopback port
// with ioThreads event loops, and stops it (waiting for Serve to return)
// when the test ends. It returns the server and its address.
func startInProcess(t *testing.T, ioThreads int) (*Server, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Default()
	cfg.Port = 0
	cfg.Bind = []string{"127.0.0.1"}
	cfg.IOThreads = ioThreads
	cfg.Save = nil
	cfg.AppendOnly = false
	cfg.Dir = dir
	cfg.LogFile = filepath.Join(dir, "shoal.log")
	s := New(cfg)
	if err := s.Listen(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve() }()
	t.Cleanup(func() {
		s.Shutdown()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Serve: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Serve did not return after Shutdown")
		}
	})
	return s, net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port()))
}

// rclient is a raw RESP client for goroutines other than the test's own:
// unlike testutil.Conn it returns errors instead of failing the test, so a
// worker can report and return (or expect its connection to be killed).
type rclient struct {
	nc   net.Conn
	buf  []byte
	wbuf []byte
}

// replyTimeout bounds the wait for one reply in the in-process tests.
const replyTimeout = 5 * time.Second

func dialClient(addr string) (*rclient, error) {
	nc, err := net.DialTimeout("tcp", addr, replyTimeout)
	if err != nil {
		return nil, err
	}
	return &rclient{nc: nc}, nil
}

func (c *rclient) close() { c.nc.Close() }

// queue appends a command to the output without sending it.
func (c *rclient) queue(args ...string) { c.wbuf = testutil.AppendCommand(c.wbuf, args...) }

// flush sends every queued command in one write.
func (c *rclient) flush() error {
	c.nc.SetWriteDeadline(time.Now().Add(replyTimeout))
	_, err := c.nc.Write(c.wbuf)
	c.wbuf = c.wbuf[:0]
	return err
}

// read returns the next complete reply or push.
func (c *rclient) read() ([]byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(replyTimeout))
	for {
		n, err := testutil.FrameLen(c.buf)
		if err != nil {
			return nil, err
		}
		if n > 0 {
			r := append([]byte(nil), c.buf[:n]...)
			c.buf = c.buf[:copy(c.buf, c.buf[n:])]
			return r, nil
		}
		if cap(c.buf)-len(c.buf) < 4096 {
			c.buf = append(c.buf, make([]byte, 4096)...)[:len(c.buf)]
		}
		m, err := c.nc.Read(c.buf[len(c.buf):cap(c.buf)])
		c.buf = c.buf[:len(c.buf)+m]
		if err != nil && m == 0 {
			return nil, err
		}
	}
}

// do sends one command and returns its reply.
func (c *rclient) do(args ...string) ([]byte, error) {
	c.queue(args...)
	if err := c.flush(); err != nil {
		return nil, err
	}
	return c.read()
}

// expect sends one command and checks its reply.
func (c *rclient) expect(want string, args ...string) error {
	got, err := c.do(args...)
	if err != nil {
		return fmt.Errorf("%v: %w", args, err)
	}
	if string(got) != want {
		return fmt.Errorf("%v: got %q, want %q", args, got, want)
	}
	return nil
}

// parseInt returns the value of an integer reply.
func parseIntReply(b []byte) (int64, error) {
	if len(b) < 4 || b[0] != ':' || !bytes.HasSuffix(b, []byte("\r\n")) {
		return 0, fmt.Errorf("not an integer reply: %q", b)
	}
	return strconv.ParseInt(string(b[1:len(b)-2]), 10, 64)
}

// bulkString returns the value of a bulk reply ("" and false for null).
func bulkString(b []byte) (string, bool, error) {
	if string(b) == "$-1\r\n" {
		return "", false, nil
	}
	if len(b) < 4 || b[0] != '$' {
		return "", false, fmt.Errorf("not a bulk reply: %q", b)
	}
	i := bytes.Index(b, []byte("\r\n"))
	return string(b[i+2 : len(b)-2]), true, nil
}

func bulk(s string) string { return "$" + strconv.Itoa(len(s)) + "\r\n" + s + "\r\n" }
