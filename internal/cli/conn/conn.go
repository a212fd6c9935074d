// Package conn is shoal-cli's client connection: commands written as RESP
// multibulk, replies read with resp.ReadValue, RESP3 pushes handed to a
// callback, and errors worded as hiredis words them, since redis-cli prints
// hiredis's errstr ("Connection refused", "Server closed the connection").
//
// It imports internal/resp only.
package conn

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"

	"shoal/internal/resp"
)

// Error is a connection or protocol error; Msg is hiredis's errstr for it.
type Error struct {
	Msg string
	EOF bool // the server closed the connection (REDIS_ERR_EOF)
	Err error
}

func (e *Error) Error() string { return e.Msg }
func (e *Error) Unwrap() error { return e.Err }

// Conn is one connection to a server. It is not safe for concurrent use.
type Conn struct {
	nc  net.Conn
	r   *bufio.Reader
	w   []byte
	err error
	// Push, when set, receives RESP3 push replies ('>') that arrive while
	// a reply is awaited, as hiredis's push callback; when nil they are
	// returned by Read like any reply.
	Push func(resp.Value)
	// DiscardPush drops pushes when Push is nil, as hiredis's default
	// auto-free callback does.
	DiscardPush bool
}

// Dial connects to a TCP address (host:port) or, when network is "unix",
// a socket path. timeout 0 means none.
func Dial(network, addr string, timeout time.Duration) (*Conn, error) {
	d := net.Dialer{Timeout: timeout}
	nc, err := d.Dial(network, addr)
	if err != nil {
		return nil, wrap(err)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetKeepAlive(true)
		tc.SetKeepAlivePeriod(15 * time.Second)
	}
	return New(nc), nil
}

// DialHost is Dial("tcp") for a host and a port.
func DialHost(host string, port int, timeout time.Duration) (*Conn, error) {
	return Dial("tcp", net.JoinHostPort(host, strconv.Itoa(port)), timeout)
}

// New wraps an established connection.
func New(nc net.Conn) *Conn {
	return &Conn{nc: nc, r: bufio.NewReaderSize(nc, 64<<10)}
}

// Net returns the underlying connection.
func (c *Conn) Net() net.Conn { return c.nc }

// Reader returns the buffered reader replies are read from.
func (c *Conn) Reader() *bufio.Reader { return c.r }

// Close closes the connection.
func (c *Conn) Close() error { return c.nc.Close() }

// Err is the error that broke the connection, if any.
func (c *Conn) Err() error { return c.err }

// Append queues a command; Flush sends what is queued.
func (c *Conn) Append(args ...string) {
	c.w = resp.AppendCommandStrings(c.w, args...)
}

// AppendBytes queues a command given as byte slices.
func (c *Conn) AppendBytes(args [][]byte) {
	c.w = append(c.w, '*')
	c.w = strconv.AppendInt(c.w, int64(len(args)), 10)
	c.w = append(c.w, '\r', '\n')
	for _, a := range args {
		c.w = append(c.w, '$')
		c.w = strconv.AppendInt(c.w, int64(len(a)), 10)
		c.w = append(c.w, '\r', '\n')
		c.w = append(c.w, a...)
		c.w = append(c.w, '\r', '\n')
	}
}

// Flush writes every queued command.
func (c *Conn) Flush() error {
	if c.err != nil {
		return c.err
	}
	if len(c.w) == 0 {
		return nil
	}
	_, err := c.nc.Write(c.w)
	c.w = c.w[:0]
	if err != nil {
		c.err = wrap(err)
	}
	return c.err
}

// Read reads the next reply, handing pushes to Push first.
func (c *Conn) Read() (resp.Value, error) {
	if c.err != nil {
		return resp.Value{}, c.err
	}
	for {
		v, err := resp.ReadValue(c.r)
		if err != nil {
			c.err = wrap(err)
			return resp.Value{}, c.err
		}
		if v.Kind == '>' {
			if c.Push != nil {
				c.Push(v)
				continue
			}
			if c.DiscardPush {
				continue
			}
		}
		return v, nil
	}
}

// Do sends one command and reads its reply.
func (c *Conn) Do(args ...string) (resp.Value, error) {
	c.Append(args...)
	if err := c.Flush(); err != nil {
		return resp.Value{}, err
	}
	return c.Read()
}

// wrap turns a Go error into hiredis's wording.
func wrap(err error) error {
	var pe *resp.ProtocolError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return &Error{Msg: "Server closed the connection", EOF: true, Err: err}
	case errors.As(err, &pe):
		return &Error{Msg: pe.Error(), Err: err}
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return &Error{Msg: "Name or service not known", Err: err}
	}
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return &Error{Msg: strerror(errno), Err: err}
	}
	if errors.Is(err, net.ErrClosed) {
		return &Error{Msg: "Server closed the connection", EOF: true, Err: err}
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Msg: "Connection timed out", Err: err}
	}
	return &Error{Msg: err.Error(), Err: err}
}

// strerror is C's strerror: Go's errno texts are glibc's with the first
// letter lowered.
func strerror(e syscall.Errno) string {
	s := e.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
