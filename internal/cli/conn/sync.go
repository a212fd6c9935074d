package conn

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
)

// rdbEOFMarkSize is the length of the mark that ends a diskless transfer.
const rdbEOFMarkSize = 40

// ErrSync is returned by SyncRDB after it has printed why it failed.
var ErrSync = errors.New("SYNC failed")

// SyncRDB sends SYNC on c and copies the RDB payload the server sends to
// w, as redis-cli's sendSync and getRDB do, printing their progress lines
// ("SYNC sent to master, writing N bytes to 'name'", "Transfer finished
// with success.") and error lines to msgs. Both payload forms are read:
// "$<len>" and the diskless "$EOF:<40-byte mark>".
func SyncRDB(c *Conn, w io.Writer, name string, msgs io.Writer) error {
	fail := func(f string, a ...any) error {
		fmt.Fprintf(msgs, f, a...)
		return ErrSync
	}
	if _, err := c.nc.Write([]byte("SYNC\r\n")); err != nil {
		return fail("Error writing to master\n")
	}
	var line []byte
	for {
		b, err := c.r.ReadByte()
		if err != nil {
			return fail("Error reading bulk length while SYNCing\n")
		}
		if b == '\n' {
			if len(line) > 0 {
				break
			}
			continue
		}
		line = append(line, b)
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) > 0 && line[0] == '-' {
		return fail("SYNC with master failed: %s\n", line)
	}
	if len(line) >= 5+rdbEOFMarkSize && string(line[1:5]) == "EOF:" {
		mark := line[5 : 5+rdbEOFMarkSize]
		fmt.Fprintf(msgs, "SYNC sent to master, writing bytes of bulk transfer until EOF marker to '%s'\n", name)
		var tail []byte
		var total int64
		buf := make([]byte, 4096)
		for {
			n, err := c.r.Read(buf)
			if n > 0 {
				tail = append(tail, buf[:n]...)
				if i := bytes.Index(tail, mark); i >= 0 {
					if _, werr := w.Write(tail[:i]); werr != nil {
						return fail("Error writing data to file: %s\n", werr)
					}
					total += int64(i)
					fmt.Fprintf(msgs, "Transfer finished with success after %d bytes\n", total)
					return nil
				}
				if keep := len(tail) - rdbEOFMarkSize; keep > 0 {
					if _, werr := w.Write(tail[:keep]); werr != nil {
						return fail("Error writing data to file: %s\n", werr)
					}
					total += int64(keep)
					tail = append(tail[:0], tail[keep:]...)
				}
			}
			if err != nil {
				return fail("I/O Error reading RDB payload from socket\n")
			}
		}
	}
	size, _ := strconv.ParseUint(string(line[1:]), 10, 64)
	fmt.Fprintf(msgs, "SYNC sent to master, writing %d bytes to '%s'\n", size, name)
	if _, err := io.CopyN(errWriter{w}, c.r, int64(size)); err != nil {
		if we, ok := err.(writeError); ok {
			return fail("Error writing data to file: %s\n", we.err)
		}
		return fail("I/O Error reading RDB payload from socket\n")
	}
	fmt.Fprintf(msgs, "Transfer finished with success.\n")
	return nil
}

// writeError marks a failure of the destination, not of the socket.
type writeError struct{ err error }

func (e writeError) Error() string { return e.err.Error() }

type errWriter struct{ w io.Writer }

func (e errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil {
		return n, writeError{err}
	}
	return n, nil
}
