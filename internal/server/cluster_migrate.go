package server

import (
	"bufio"
	"errors"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/persist/rdb"
	"shoal/internal/rerr"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// MIGRATE (cluster.c's migrateCommand). It runs as Redis runs it: inside
// the command, under the executor lock, one pipelined round trip per call
// (every key's RESTORE in one buffer, then one reply line per key), over a
// connection cached per host:port. See docs/DESIGN.md, "MIGRATE and the
// executor lock".

func init() {
	handle("migrate", (*Server).migrateCommand)
}

const (
	migrateCacheItems = 64       // MIGRATE_SOCKET_CACHE_ITEMS
	migrateCacheTTL   = 10       // MIGRATE_SOCKET_CACHE_TTL, seconds
	migrateChunk      = 64 << 10 // the batch is written in 64 KiB chunks
	migrateLineMax    = 1024     // connSyncReadLine's buffer in migrateCommand
)

// migrateSocket is a cached connection to a MIGRATE target
// (migrateCachedSocket).
type migrateSocket struct {
	nc      net.Conn
	r       *bufio.Reader
	lastDB  int64 // -1: SELECT must be sent
	lastUse int64 // unix seconds
}

// migrateCache holds the cached target connections by "host:port" and the
// buffers one MIGRATE reuses.
type migrateCache struct {
	socks   map[string]*migrateSocket
	buf     []byte
	payload []byte
}

var (
	argRestore       = []byte("RESTORE")
	argRestoreAsking = []byte("RESTORE-ASKING")
	argReplace       = []byte("REPLACE")
	argDel           = []byte("DEL")
)

// migrateSock returns the cached connection to host:port, dialling one
// (and dropping a random cached one when the cache is full) if needed.
// A refused connection is not a connect error: connBlockingConnect only
// waits for the socket to become writable, so Redis finds out when it
// writes the batch; refused reports that.
func (s *Server) migrateSock(host, port []byte, timeout time.Duration) (cs *migrateSocket, refused bool) {
	mc := &s.migrate
	name := string(host) + ":" + string(port)
	if cs := mc.socks[name]; cs != nil {
		cs.lastUse = time.Now().Unix()
		return cs, false
	}
	if mc.socks == nil {
		mc.socks = make(map[string]*migrateSocket)
	}
	if len(mc.socks) >= migrateCacheItems {
		n := rand.IntN(len(mc.socks))
		for k, cs := range mc.socks {
			if n == 0 {
				cs.nc.Close()
				delete(mc.socks, k)
				break
			}
			n--
		}
	}
	// connBlockingConnect takes the port with atoi.
	p, _ := strconv.Atoi(string(port))
	nc, err := net.DialTimeout("tcp", net.JoinHostPort(string(host), strconv.Itoa(p)), timeout)
	if err != nil {
		return nil, errors.Is(err, syscall.ECONNREFUSED)
	}
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	cs = &migrateSocket{nc: nc, r: bufio.NewReaderSize(nc, 4096), lastDB: -1, lastUse: time.Now().Unix()}
	mc.socks[name] = cs
	return cs, false
}

// migrateClose drops the cached connection to host:port.
func (s *Server) migrateClose(host, port []byte) {
	name := string(host) + ":" + string(port)
	if cs := s.migrate.socks[name]; cs != nil {
		cs.nc.Close()
		delete(s.migrate.socks, name)
	}
}

// migrateCron closes cached connections idle for more than 10 seconds
// (migrateCloseTimedoutSockets, run once a second).
func (s *Server) migrateCron(now time.Time) {
	for name, cs := range s.migrate.socks {
		if now.Unix()-cs.lastUse > migrateCacheTTL {
			cs.nc.Close()
			delete(s.migrate.socks, name)
		}
	}
}

// readLine reads one reply line as connSyncReadLine: up to '\n', without
// the line ending, at most migrateLineMax-1 bytes kept.
func (cs *migrateSocket) readLine() ([]byte, error) {
	line, err := cs.r.ReadSlice('\n')
	for errors.Is(err, bufio.ErrBufferFull) {
		// An overlong line: keep its start, skip the rest.
		_, err = cs.r.ReadSlice('\n')
	}
	if err != nil {
		return nil, err
	}
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	if len(line) > migrateLineMax-1 {
		line = line[:migrateLineMax-1]
	}
	if len(line) == 0 {
		// connSyncReadLine returning 0 is an error to migrateCommand.
		return nil, errors.New("empty line")
	}
	return append([]byte(nil), line...), nil
}

// MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
// [AUTH password] [AUTH2 username password] [KEYS key ...]
func (s *Server) migrateCommand(c *conn) {
	argv := c.Argv
	var copyKeys, replace bool
	var username, password []byte
	firstKey, numKeys := 3, 1
	for j := 6; j < len(argv); j++ {
		more := len(argv) - 1 - j
		switch arg := argv[j]; {
		case strings.EqualFold(string(arg), "copy"):
			copyKeys = true
		case strings.EqualFold(string(arg), "replace"):
			replace = true
		case strings.EqualFold(string(arg), "auth"):
			if more < 1 {
				c.Error(rerr.Syntax)
				return
			}
			j++
			password = argv[j]
			c.Redact(j)
		case strings.EqualFold(string(arg), "auth2"):
			if more < 2 {
				c.Error(rerr.Syntax)
				return
			}
			username, password = argv[j+1], argv[j+2]
			c.Redact(j + 1)
			c.Redact(j + 2)
			j += 2
		case strings.EqualFold(string(arg), "keys"):
			if len(argv[3]) != 0 {
				c.Error(rerr.MigrateKeysArg)
				return
			}
			firstKey, numKeys = j+1, len(argv)-j-1
			j = len(argv)
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	timeoutMs, ok1 := types.ParseInt(argv[5])
	dbid, ok2 := types.ParseInt(argv[4])
	if !ok1 || !ok2 {
		c.Error(rerr.NotInteger)
		return
	}
	if timeoutMs <= 0 {
		timeoutMs = 1000
	}
	timeout := time.Duration(timeoutMs) * time.Millisecond

	keys := make([][]byte, 0, numKeys)
	for _, k := range argv[firstKey : firstKey+numKeys] {
		if c.Lookup(k) != nil {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		c.Simple("NOKEY")
		return
	}

	mayRetry := true
	for {
		cs, refused := s.migrateSock(argv[1], argv[2], timeout)
		if cs == nil && !refused {
			c.Error(rerr.MigrateConnect)
			return
		}
		var sent [][]byte
		var sel bool
		var err error = syscall.ECONNREFUSED
		if cs != nil {
			sent, sel, err = s.migrateSend(c, cs, keys, username, password, dbid, replace, timeout)
		}
		if err != nil {
			// Nothing was read: retry once unless it timed out.
			s.migrateClose(argv[1], argv[2])
			if !isTimeout(err) && mayRetry {
				mayRetry = false
				continue
			}
			c.Error(rerr.MigrateWrite)
			return
		}
		retry := s.migrateReplies(c, cs, sent, password != nil, sel, dbid, copyKeys, mayRetry, timeout)
		if !retry {
			return
		}
		mayRetry = false
	}
}

// migrateSend writes AUTH, SELECT and one RESTORE per live key to the
// target in 64 KiB chunks. It returns the keys sent (keys that expired
// since the first lookup are left out) and whether SELECT was sent.
func (s *Server) migrateSend(c *conn, cs *migrateSocket, keys [][]byte, username, password []byte, dbid int64, replace bool, timeout time.Duration) (sent [][]byte, sel bool, err error) {
	mc := &s.migrate
	b := mc.buf[:0]
	if password != nil {
		if username != nil {
			b = resp.AppendCommand(b, []byte("AUTH"), username, password)
		} else {
			b = resp.AppendCommand(b, []byte("AUTH"), password)
		}
	}
	if sel = cs.lastDB != dbid; sel {
		b = resp.AppendCommand(b, []byte("SELECT"), strconv.AppendInt(nil, dbid, 10))
	}
	restore := argRestore
	if s.cfg.ClusterEnabled {
		restore = argRestoreAsking
	}
	now := time.Now().UnixMilli()
	sent = keys[:0]
	for _, k := range keys {
		e := c.DB.Find(k)
		if e == nil {
			continue
		}
		var ttl int64
		if e.Expire != 0 {
			if ttl = e.Expire - now; ttl < 0 {
				continue
			}
			ttl = max(ttl, 1)
		}
		p, perr := rdb.AppendDump(mc.payload[:0], e, true)
		if perr != nil {
			continue
		}
		mc.payload = p
		n := 4
		if replace {
			n = 5
		}
		b = resp.AppendArrayLen(b, n)
		b = resp.AppendBulk(b, restore)
		b = resp.AppendBulk(b, k)
		var num [20]byte
		b = resp.AppendBulk(b, strconv.AppendInt(num[:0], ttl, 10))
		b = resp.AppendBulk(b, p)
		if replace {
			b = resp.AppendBulk(b, argReplace)
		}
		sent = append(sent, k)
	}
	mc.buf = b
	if cap(mc.buf) > 1<<20 {
		mc.buf = nil
	}
	if cap(mc.payload) > 1<<20 {
		mc.payload = nil
	}
	for pos := 0; pos < len(b); {
		chunk := min(len(b)-pos, migrateChunk)
		cs.nc.SetWriteDeadline(time.Now().Add(timeout))
		n, werr := cs.nc.Write(b[pos : pos+chunk])
		if werr != nil {
			return nil, sel, werr
		}
		pos += n
	}
	return sent, sel, nil
}

// migrateReplies reads the AUTH and SELECT replies and one reply per
// RESTORE sent, deleting every acknowledged key unless COPY, and replies to
// the client. It returns true when the batch must be sent again on a
// fresh connection (a socket error before any reply was read).
func (s *Server) migrateReplies(c *conn, cs *migrateSocket, keys [][]byte, auth, sel bool, dbid int64, copyKeys, mayRetry bool, timeout time.Duration) (retry bool) {
	argv := c.Argv
	deadline := func() { cs.nc.SetReadDeadline(time.Now().Add(timeout)) }
	var authLine, selLine []byte
	var err error
	if auth {
		deadline()
		if authLine, err = cs.readLine(); err != nil {
			return s.migrateSocketErr(c, err, mayRetry)
		}
	}
	if sel {
		deadline()
		if selLine, err = cs.readLine(); err != nil {
			return s.migrateSocketErr(c, err, mayRetry)
		}
	}
	var targetErr, socketErr bool
	var delArgv [][]byte
	j := 0
	for ; j < len(keys); j++ {
		deadline()
		line, rerr2 := cs.readLine()
		if rerr2 != nil {
			socketErr, err = true, rerr2
			break
		}
		switch {
		case auth && authLine[0] == '-', sel && selLine[0] == '-', line[0] == '-':
			if !targetErr {
				cs.lastDB = -1
				targetErr = true
				msg := line
				if auth && authLine[0] == '-' {
					msg = authLine
				} else if sel && selLine[0] == '-' {
					msg = selLine
				}
				c.Error(rerr.MigrateTarget(msg[1:]))
			}
		case !copyKeys:
			k := keys[j]
			c.DB.Delete(k)
			c.Modified(k, 1)
			c.Notify(command.NotifyGeneric, "del", k)
			if delArgv == nil {
				delArgv = append(make([][]byte, 0, len(keys)+1), argDel)
			}
			delArgv = append(delArgv, k)
		}
	}
	if !targetErr && socketErr && j == 0 && mayRetry && !isTimeout(err) {
		s.migrateClose(argv[1], argv[2])
		return true
	}
	if socketErr {
		s.migrateClose(argv[1], argv[2])
	}
	if delArgv != nil {
		c.RewriteArgv(delArgv...)
	}
	if !targetErr && socketErr {
		c.Error(rerr.MigrateRead)
		return false
	}
	if !targetErr {
		cs.lastDB = dbid
		c.Simple("OK")
	}
	return false
}

// migrateSocketErr handles a failed AUTH or SELECT reply read: retry once
// on a fresh connection unless it timed out, else IOERR.
func (s *Server) migrateSocketErr(c *conn, err error, mayRetry bool) bool {
	s.migrateClose(c.Argv[1], c.Argv[2])
	if mayRetry && !isTimeout(err) {
		return true
	}
	c.Error(rerr.MigrateRead)
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
