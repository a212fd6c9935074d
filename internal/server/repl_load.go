package server

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"syscall"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/keyspace"
	"shoal/internal/persist/rdb"
	"shoal/internal/repl"
	"shoal/internal/scripting"
)

// A replica's full sync (readSyncBulkPayload): the master's RDB payload is
// streamed, never held whole in memory, in one of two ways chosen by
// repl-diskless-load as useDisklessLoad does:
//
//   - to disk (disabled, or on-empty-db over a non-empty dataset): the
//     payload goes to a temporary file renamed to dbfilename, then the old
//     data is dropped and that file loaded as at start-up, clients
//     answered -LOADING;
//   - from the socket (swapdb, or on-empty-db over an empty dataset): the
//     socket feeds a loader that runs on the link's goroutine without the
//     executor lock, filling temporary databases nobody else sees; at the
//     end they are swapped in under the lock, or dropped if the transfer
//     failed, the old data untouched. Meanwhile clients get -LOADING
//     (loading:1), except under swapdb when the master's replication ID is
//     ours (the same history at a later point): that is async loading,
//     INFO shows async_loading:1 and loading:0, clients are served from
//     the old data and only no-async-loading commands get -LOADING.

// replLoadMode is where a full sync's payload goes.
type replLoadMode int

const (
	loadViaDisk replLoadMode = iota
	// loadFromSocket over an empty dataset (on-empty-db).
	loadFromSocket
	// loadFromSocketSwap keeps the old data to serve or fall back on (swapdb).
	loadFromSocketSwap
)

// replLoadModeNow is useDisklessLoad's decision. Called with s.mu held.
func (s *Server) replLoadModeNow() replLoadMode {
	switch s.cfg.ReplDisklessLoad {
	case config.DisklessLoadSwapDB:
		return loadFromSocketSwap
	case config.DisklessLoadOnEmptyDB:
		if s.ks.Size() == 0 {
			return loadFromSocket
		}
	}
	return loadViaDisk
}

// transferReader reads the payload from the master's socket, each read
// bounded by repl-timeout, counting what arrives for INFO and the cron.
type transferReader struct {
	rp      *replicaSide
	nc      net.Conn
	br      *bufio.Reader
	timeout time.Duration
}

func (t *transferReader) Read(p []byte) (int, error) {
	t.nc.SetReadDeadline(time.Now().Add(t.timeout))
	n, err := t.br.Read(p)
	if n > 0 {
		t.rp.transferRead.Add(int64(n))
		t.rp.transferLastIO.Store(time.Now().UnixMilli())
	}
	if err != nil {
		err = fmt.Errorf("I/O error trying to sync with MASTER: %w", err)
	}
	return n, err
}

// replFullSync receives the master's RDB and loads it.
func (s *Server) replFullSync(l *replLink, nc net.Conn, br *bufio.Reader, cfg replLinkConfig, id string, off int64, ok *bool) error {
	rp := &s.repl.replica
	s.mu.Lock()
	if rp.link == l {
		rp.state = replTransfer
		// The cron times the transfer from here, not from a previous
		// transfer's last read (or 0 on a fresh process).
		rp.transferLastIO.Store(time.Now().UnixMilli())
		rp.transferRead.Store(0)
		rp.transferSize.Store(0)
	}
	s.mu.Unlock()
	pre, err := readLine(br, nc, cfg.timeout)
	if err != nil {
		return err
	}
	if pre[0] == '-' {
		return fmt.Errorf("MASTER aborted replication with an error: %s", pre)
	}
	size, mark, err := repl.ParseBulkPreamble([]byte(pre))
	if err != nil {
		return fmt.Errorf("Bad protocol from MASTER, the first byte is not '$' (we received '%s'), are you sure the host and port are right?", pre)
	}
	rp.transferLastIO.Store(time.Now().UnixMilli())
	rp.transferRead.Store(0)
	rp.transferSize.Store(max(size, 0))
	s.mu.Lock()
	mode := s.replLoadModeNow()
	dbfile := s.cfg.DBFilename
	s.mu.Unlock()
	target := "to parser"
	if mode == loadViaDisk {
		target = "to disk"
	}
	if size >= 0 {
		s.logf(logNotice, "MASTER <-> REPLICA sync: receiving %d bytes from master %s", size, target)
	} else {
		s.logf(logNotice, "MASTER <-> REPLICA sync: receiving streamed RDB from master with EOF %s", target)
	}
	src := &transferReader{rp: rp, nc: nc, br: br, timeout: cfg.timeout}
	var rest []byte
	if mode == loadViaDisk {
		if err := s.replReceiveToDisk(src, size, mark, dbfile); err != nil {
			return err
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if rp.link != l {
			return errRetryLater
		}
		err = s.replLoadFile(l, dbfile)
	} else {
		rest, err = s.replLoadSocket(l, src, size, mark, mode == loadFromSocketSwap, id)
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	if err != nil {
		return err
	}
	s.repl.ids = repl.NewIDs(id)
	s.repl.ids.Offset = off
	s.createBacklog()
	rp.haveHistory = true
	if s.aof.enabled() {
		// The AOF must describe the new dataset: rewrite it
		// (restartAOFAfterSYNC).
		s.stopAppendOnly()
		if err := s.startAppendOnly(); err != nil {
			s.logf(logWarning, "Failed enabling the AOF after successful master synchronization: %v", err)
		}
	}
	s.logf(logNotice, "MASTER <-> REPLICA sync: Finished with success")
	if err := s.replAdoptMaster(nc, br, rest, 0); err != nil {
		return err
	}
	*ok = true
	return nil
}

// payloadReader bounds a $<length> payload, so the loader never reads
// into the stream that follows it.
func payloadReader(src io.Reader, size int64) io.Reader {
	if size >= 0 {
		return io.LimitReader(src, size)
	}
	return src
}

// payloadEnd reads what follows the RDB image in the payload: for a
// $<length> payload, the rest of the length (dropped); for an EOF-marked
// one, the mark, which must match, and returns the bytes read past it
// (the start of the stream). rest is what the loader read past the image.
func payloadEnd(r io.Reader, rest []byte, size int64, mark []byte) ([]byte, error) {
	if size >= 0 {
		_, err := io.Copy(io.Discard, r)
		return nil, err
	}
	if len(rest) < repl.EOFMarkLen {
		more := make([]byte, repl.EOFMarkLen-len(rest))
		if _, err := io.ReadFull(r, more); err != nil {
			return nil, err
		}
		rest = append(rest, more...)
	}
	if !bytes.Equal(rest[:repl.EOFMarkLen], mark) {
		return nil, errors.New("Replication stream EOF marker is broken")
	}
	return rest[repl.EOFMarkLen:], nil
}

// replReceiveToDisk writes the payload to a temporary file, synced, and
// renames it to dbfile, as Redis does before loading it
// (repl-diskless-load disabled).
func (s *Server) replReceiveToDisk(src io.Reader, size int64, mark []byte, dbfile string) error {
	tmp := fmt.Sprintf("temp-%d.%d.rdb", time.Now().Unix(), pid)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return fmt.Errorf("Opening the temp file needed for MASTER <-> REPLICA synchronization: %v", err)
	}
	err = receivePayload(f, src, size, mark)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if rerr := os.Rename(tmp, dbfile); rerr != nil {
			err = fmt.Errorf("Failed trying to rename the temp DB into %s in MASTER <-> REPLICA synchronization: %v", dbfile, rerr)
		}
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// receivePayload copies the payload from src to w: size bytes, or up to
// the EOF mark.
func receivePayload(w io.Writer, src io.Reader, size int64, mark []byte) error {
	buf := make([]byte, 256<<10)
	if size >= 0 {
		n, err := io.CopyBuffer(w, io.LimitReader(src, size), buf)
		if err == nil && n != size {
			err = errors.New("I/O error trying to sync with MASTER: connection lost")
		}
		return err
	}
	sc := repl.NewEOFScanner(mark)
	out := make([]byte, 0, len(buf)+2*repl.EOFMarkLen)
	for done := false; !done; {
		n, err := src.Read(buf)
		if n > 0 {
			out, done = sc.Write(out[:0], buf[:n])
			if _, werr := w.Write(out); werr != nil {
				return fmt.Errorf("Write error writing to the DB dump file needed for MASTER <-> REPLICA synchronization: %v", werr)
			}
		}
		if err != nil && !done {
			return err
		}
	}
	return nil
}

// replLoadFile replaces the dataset with the RDB file the master sent:
// our replicas are dropped, the old data flushed and the file loaded, with
// -LOADING meanwhile. On failure the half-loaded data is dropped. Called
// with s.mu held.
func (s *Server) replLoadFile(l *replLink, dbfile string) error {
	rp := &s.repl.replica
	f, err := os.Open(dbfile)
	if err != nil {
		return err
	}
	defer f.Close()
	// Our replicas must resync from the new dataset (replicationAttachToNewMaster).
	s.dropReplicas()
	s.logf(logNotice, "MASTER <-> REPLICA sync: Flushing old data")
	s.emptyForSync()
	s.logf(logNotice, "MASTER <-> REPLICA sync: Loading DB in memory")
	s.ks.Loading = true
	s.ks.Now = time.Now().UnixMilli()
	// Clients are served while the image loads (-LOADING, INFO's loading
	// fields; the bus keeps stepping), as rdbLoad with
	// processEventsWhileBlocked.
	s.load.abort.Store(false)
	s.startLoading(fileSize(dbfile), true)
	// A replica keeps keys already expired: the master's DEL removes them
	// (rdbLoad skips them only when iAmMaster).
	_, err = s.loadRDBFrom(f, fileSize(dbfile), true, false)
	s.stopLoading()
	s.ks.Loading = false
	s.core.Dirty = 0
	if err == errLoadingStopped {
		// A signal came during the load: shut down once it has stopped.
		s.load.abort.Store(false)
		s.shutdownASAP.Store(int32(syscall.SIGTERM))
	}
	if err == nil && rp.link != l {
		// Re-pointed while the load let clients and the bus in.
		s.emptyForSync()
		rp.haveHistory = false
		return errRetryLater
	}
	if err != nil {
		s.logf(logWarning, "Failed trying to load the MASTER synchronization DB from disk: %v", err)
		s.emptyForSync()
		rp.haveHistory = false
		return err
	}
	return nil
}

// emptyForSync drops the whole dataset and the function libraries before
// loading the master's (emptyData). Called with s.mu held.
func (s *Server) emptyForSync() {
	s.killJob(jobRDB)
	for _, db := range s.ks.DBs {
		s.signalFlushedDB(db)
		db.Flush()
	}
	if s.script.fn != nil {
		s.script.fn.Flush()
	}
}

// replLoadSocket loads the payload into temporary databases on the
// calling goroutine, without s.mu, and swaps them in; it returns the bytes
// read past the payload. Under swapdb, when id (the master's replication
// ID) is ours, the old data is served meanwhile instead of -LOADING. On
// failure the temporary databases are dropped and the dataset is the old
// one. The lock is not held on return.
func (s *Server) replLoadSocket(l *replLink, src io.Reader, size int64, mark []byte, swapdb bool, id string) ([]byte, error) {
	rp := &s.repl.replica
	s.mu.Lock()
	if rp.link != l {
		s.mu.Unlock()
		return nil, errRetryLater
	}
	async := swapdb && id == s.repl.ids.ID
	s.killJob(jobRDB)
	s.ks.Now = time.Now().UnixMilli()
	temp := keyspace.New(len(s.ks.DBs), s.ks.Slotted(), rand.Uint64N)
	newKey := s.newKeyClock()
	temp.LRUClock = func() uint32 { return newKey }
	temp.Replica, temp.Loading, temp.Now = true, true, s.ks.Now
	clock := s.core.AccessClock()
	var functions [][]byte
	var usedMem int64
	interval := int64(s.cfg.LoadingEventsInterval)
	nextReport := interval
	nextGCCheck := int64(loadingGCCheckBytes)
	ld := &rdbLoad{
		dbs: temp.DBs, size: size, preamble: true, now: s.ks.Now, keyDelay: s.cfg.KeyLoadDelay,
		limits:   s.core.RDBLimits(),
		checksum: s.cfg.RDBChecksum && !s.core.Debug.SkipChecksum,
		loadKey: func(db *keyspace.DB, key []byte, v rdb.Value, expireMs, idle, freq int64) bool {
			return command.LoadKeyAt(clock, db, key, v, expireMs, idle, freq)
		},
		function: func(code []byte) error {
			functions = append(functions, bytes.Clone(code))
			return nil
		},
		usedMem: func(mem int64) { usedMem = mem },
		// INFO's loading fields follow every
		// loading-process-events-interval-bytes.
		progress: func(off int64) error {
			if l.canceled.Load() {
				return errRetryLater
			}
			if s.stopping.Load() || s.load.abort.Load() {
				return errLoadingStopped
			}
			if off >= nextGCCheck {
				// The collector is off while the image loads
				// (startLoading): keep its memory limit above the
				// growing dataset, as loadingProgress does.
				nextGCCheck = off + loadingGCCheckBytes
				s.mu.Lock()
				s.load.raiseMemLimit()
				s.mu.Unlock()
			}
			if off < nextReport {
				return nil
			}
			nextReport = off + interval
			s.mu.Lock()
			s.load.loadedBytes, s.load.rdbUsedMem = off, usedMem
			s.mu.Unlock()
			return nil
		},
	}
	s.startLoading(max(size, 0), false)
	s.load.active.Store(!async)
	s.load.async.Store(async)
	s.mu.Unlock()

	s.logf(logNotice, "MASTER <-> REPLICA sync: Loading DB in memory")
	r := payloadReader(src, size)
	var rest []byte
	info, err := s.loadImage(r, ld)
	if err == nil {
		rest, err = payloadEnd(r, info.Rest, size, mark)
	}

	s.mu.Lock()
	s.stopLoading()
	s.load.async.Store(false)
	if s.load.abort.Load() {
		// A signal came while clients were answered -LOADING: shut down
		// now that the load has stopped.
		s.load.abort.Store(false)
		s.shutdownASAP.Store(int32(syscall.SIGTERM))
	}
	var libs *scripting.Set
	if err == nil && rp.link != l {
		err = errRetryLater
	}
	if err == nil && len(functions) > 0 {
		libs = scripting.NewSet()
		for _, code := range functions {
			if e := s.scripting().fn.LoadInto(libs, code); e != "" {
				err = fmt.Errorf("Failed loading library, %s", e)
				break
			}
		}
	}
	if err != nil {
		if err != errRetryLater {
			var le *rdb.LoadError
			if errors.As(err, &le) && errors.Is(err, rdb.ErrShortRead) {
				// rdbLoadRio's eoferr: its two lines.
				s.logf(logWarning, "Short read or OOM loading DB. Unrecoverable error, aborting now.")
				s.logf(logWarning, "Internal error in RDB reading offset %d, function at rdb.c:3240 -> Unexpected EOF reading RDB file", le.Offset)
			}
			s.logf(logWarning, "Failed trying to load the MASTER synchronization DB from socket: %v", err)
		}
		s.logf(logNotice, "MASTER <-> REPLICA sync: Discarding temporary DB in background")
		s.mu.Unlock()
		return nil, err
	}
	// The new dataset has another history: our replicas resync
	// (replicationAttachToNewMaster).
	s.dropReplicas()
	s.killJob(jobRDB)
	s.logf(logNotice, "MASTER <-> REPLICA sync: Swapping active DB with loaded DB")
	temp.Now, temp.Loading = s.ks.Now, false
	for i, db := range s.ks.DBs {
		// Watchers of a key the swap changes fail their EXEC, blocked
		// clients look again, tracked keys are invalidated
		// (swapMainDbWithTempDb).
		db.TouchAll(temp.DBs[i])
		s.ks.OnFlush(db)
		db.Swap(temp.DBs[i])
	}
	s.repl.replicaExpires = nil
	if s.script.fn != nil || libs != nil {
		if libs == nil {
			libs = scripting.NewSet()
		}
		s.scripting().fn.Replace(libs)
	}
	s.rdb.loadedKeys, s.rdb.loadedExpired = ld.loaded, ld.expired
	s.core.Dirty++
	s.logf(logNotice, "MASTER <-> REPLICA sync: Discarding old DB in background")
	s.mu.Unlock()
	return rest, nil
}
