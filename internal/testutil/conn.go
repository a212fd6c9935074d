package testutil

import (
	"net"
	"testing"
	"time"

	"shoal/internal/resp"
)

// DefaultReadTimeout bounds how long Conn waits for one reply.
const DefaultReadTimeout = 10 * time.Second

// Conn is a raw RESP test connection. It sends commands as multibulk and
// returns each reply's exact bytes, so tests compare what a client sees.
// Any I/O or protocol error fails the test.
type Conn struct {
	t       testing.TB
	addr    string
	nc      net.Conn
	buf     []byte // bytes read but not yet returned
	wbuf    []byte
	Timeout time.Duration // read deadline for one reply
}

// Dial connects to addr and registers the connection's Close with
// t.Cleanup.
func Dial(t testing.TB, addr string) *Conn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatalf("testutil: dial %s: %v", addr, err)
	}
	c := &Conn{t: t, addr: addr, nc: nc, Timeout: DefaultReadTimeout}
	t.Cleanup(c.Close)
	return c
}

// Close closes the connection; closing twice is harmless.
func (c *Conn) Close() { c.nc.Close() }

// Addr returns the address the connection was dialled to.
func (c *Conn) Addr() string { return c.addr }

// Send writes one command as a multibulk without reading its reply.
func (c *Conn) Send(args ...string) {
	c.t.Helper()
	c.wbuf = AppendCommand(c.wbuf[:0], args...)
	c.DoRawSend(c.wbuf)
}

// Do sends one command as a multibulk and returns the bytes of exactly one
// complete reply.
func (c *Conn) Do(args ...string) []byte {
	c.t.Helper()
	c.Send(args...)
	return c.ReadReply()
}

// DoRaw writes b verbatim (inline commands, pipelines, malformed input) and
// returns the bytes of one complete reply.
func (c *Conn) DoRaw(b []byte) []byte {
	c.t.Helper()
	c.DoRawSend(b)
	return c.ReadReply()
}

// DoRawSend writes b verbatim without reading a reply.
func (c *Conn) DoRawSend(b []byte) {
	c.t.Helper()
	c.nc.SetWriteDeadline(time.Now().Add(c.Timeout))
	if _, err := c.nc.Write(b); err != nil {
		c.t.Fatalf("testutil: write to %s: %v", c.addr, err)
	}
}

// ReadReply returns the bytes of the next complete reply or push message,
// waiting at most c.Timeout.
func (c *Conn) ReadReply() []byte {
	c.t.Helper()
	r, err := c.TryReadReply(c.Timeout)
	if err != nil {
		c.t.Fatalf("testutil: read from %s: %v", c.addr, err)
	}
	return r
}

// TryReadReply is ReadReply that returns the error (a timeout included)
// instead of failing the test.
func (c *Conn) TryReadReply(timeout time.Duration) ([]byte, error) {
	c.nc.SetReadDeadline(time.Now().Add(timeout))
	for {
		n, err := FrameLen(c.buf)
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

// AppendCommand appends args to dst as a RESP multibulk: the tests' name
// for resp.AppendCommandStrings. Only the reply scanner is testutil's own.
func AppendCommand(dst []byte, args ...string) []byte {
	return resp.AppendCommandStrings(dst, args...)
}
