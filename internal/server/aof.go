package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"time"

	"shoal/internal/config"
	"shoal/internal/persist/aof"
	"shoal/internal/persist/snapshot"
	"shoal/internal/rerr"
)

// The append-only file, as Redis 7.0's multi-part AOF: a directory
// (appenddirname) with a manifest, one base file (an RDB image, or commands
// when aof-use-rdb-preamble is off) and incremental files of commands.
// Every propagated write is appended to aof.buf under the lock; before a
// loop sends the replies of a pass the buffer is written (and, under
// appendfsync always, fsynced), so no reply acknowledges a write the file
// does not have. A rewrite opens a new incremental file at once and
// writes a new base from a snapshot taken at that moment; when the base is
// complete the manifest switches to it and the old files are deleted.

// AOF states (aof_state).
const (
	aofOff         = iota
	aofOn          // writing
	aofWaitRewrite // enabled at runtime, waiting for the first base
)

// aofState is the append-only file's runtime state.
type aofState struct {
	state    int
	manifest *aof.Manifest
	file     *os.File // the incremental file being appended to
	// tempIncr is set while enabling at runtime: the incremental file is
	// written under a temporary name until the first base exists.
	tempIncr string
	waitIncr aof.File // the name tempIncr gets when the base is done
	buf      []byte
	selDB    int // database of the last SELECT written; -1 forces one
	lastTS   int64

	curSize  int64 // aof_current_size: base plus incremental files
	baseSize int64 // aof_base_size: the size right after the last rewrite

	lastFsync time.Time
	unsynced  bool // written since the last fsync
	writeErr  error

	rewriteScheduled bool
	lastRewriteOK    bool
	rewrites         int64
	failures         int64 // aof_rewrites_consecutive_failures
	lastRewriteSecs  int64
	lastRewriteFail  time.Time
	delayedFsync     int64
	// flushSleep is DEBUG AOF-FLUSH-SLEEP: a pause before each write.
	flushSleep time.Duration

	bio        chan bioJob
	bioPending atomic.Int64
	bioErr     atomic.Pointer[error]
}

// bioJob is work for the background I/O goroutine (Redis's bio threads):
// fsync a file, then close it when close is set.
type bioJob struct {
	f     *os.File
	close bool
}

// enabled reports whether appendonly is on (writing or about to).
func (a *aofState) enabled() bool { return a.state != aofOff }

// aofRewriteRetryDelay is the delay between retries of a failed rewrite.
const aofRewriteRetryDelay = time.Second

// startBio starts the background I/O goroutine; it runs until the server
// stops.
func (s *Server) startBio() {
	s.aof.bio = make(chan bioJob, 64)
	go func() {
		for j := range s.aof.bio {
			if err := fdatasync(j.f); err != nil {
				s.aof.bioErr.Store(&err)
			} else {
				s.aof.bioErr.Store(nil)
			}
			if j.close {
				j.f.Close()
			}
			s.aof.bioPending.Add(-1)
		}
	}()
}

// fdatasync flushes f to disk. os.File.Sync (fsync) rather than a raw
// fdatasync on f.Fd(): it holds the file's reference count, so a Close on
// another goroutine can never make it act on a reused descriptor.
func fdatasync(f *os.File) error { return f.Sync() }

// bioSubmit queues j for the background I/O goroutine.
func (s *Server) bioSubmit(j bioJob) {
	s.aof.bioPending.Add(1)
	s.aof.bio <- j
}

// aofPath is name inside the AOF directory.
func (s *Server) aofPath(name string) string { return filepath.Join(s.cfg.AppendDirname, name) }

// manifestName is the manifest's file name.
func (s *Server) manifestName() string { return s.cfg.AppendFilename + ".manifest" }

// feedAOF appends a propagated command to the AOF buffer. Called with s.mu
// held.
func (s *Server) feedAOF(dbid int, argv [][]byte) {
	a := &s.aof
	if a.state == aofOff || (a.state == aofWaitRewrite && a.file == nil) {
		return
	}
	if s.cfg.AOFTimestampEnabled {
		if now := s.cron.nowMs / 1000; now != a.lastTS {
			a.lastTS = now
			a.buf = append(a.buf, "#TS:"...)
			a.buf = strconv.AppendInt(a.buf, now, 10)
			a.buf = append(a.buf, "\r\n"...)
		}
	}
	if dbid != a.selDB {
		a.buf = aof.AppendSelect(a.buf, dbid)
		a.selDB = dbid
	}
	a.buf = aof.AppendCommand(a.buf, argv)
}

// flushAOF writes the AOF buffer to the current file (flushAppendOnlyFile)
// and fsyncs it as appendfsync says; force makes everysec fsync now.
// Called with s.mu held.
func (s *Server) flushAOF(force bool) {
	a := &s.aof
	if a.file == nil {
		return
	}
	if len(a.buf) > 0 {
		if a.flushSleep > 0 {
			time.Sleep(a.flushSleep)
		}
		n, err := s.aofWriteTimed(a.file, a.buf)
		if err != nil && n > 0 {
			n = s.aofRemoveShortWrite(n, len(a.buf))
		} else if err != nil && a.writeErr == nil {
			s.logf(logWarning, "Error writing to the AOF file: %v", err)
		}
		a.curSize += int64(n)
		if err != nil {
			if s.cfg.AppendFsync == config.FsyncAlways {
				s.logf(logWarning, "Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...")
				os.Exit(1)
			}
			// What was written stays written: keep only the rest, so a
			// retry does not duplicate commands.
			a.buf = a.buf[:copy(a.buf, a.buf[n:])]
			a.writeErr = err
			return
		}
		if a.writeErr != nil {
			s.logf(logWarning, "AOF write error looks solved, Redis can write again.")
			a.writeErr = nil
		}
		a.buf = a.buf[:0]
		a.unsynced = true
	}
	if !a.unsynced {
		return
	}
	if !force && s.cfg.NoAppendfsyncOnRewrite && s.rdb.job != nil {
		// no-appendfsync-on-rewrite: leave the disk to the rewrite.
		return
	}
	switch {
	case s.cfg.AppendFsync == config.FsyncAlways:
		if err := s.aofFsyncAlwaysTimed(a.file); err != nil {
			s.logf(logWarning, "Can't persist AOF for fsync error when the AOF fsync policy is 'always': %v. Exiting...", err)
			os.Exit(1)
		}
		a.unsynced = false
		a.lastFsync = time.Now()
	case s.cfg.AppendFsync == config.FsyncEverysec:
		if force {
			fdatasync(a.file)
			a.unsynced = false
			a.lastFsync = time.Now()
		} else if time.Since(a.lastFsync) >= time.Second {
			if a.bioPending.Load() > 0 {
				a.delayedFsync++
				return
			}
			s.bioSubmit(bioJob{f: a.file})
			a.unsynced = false
			a.lastFsync = time.Now()
		}
	case force:
		fdatasync(a.file)
		a.unsynced = false
	}
}

// aofRemoveShortWrite truncates the n bytes a failed write (a full disk)
// left at the end of the AOF, as flushAppendOnlyFile does: the file then
// ends with the last complete command, so it loads even with
// aof-load-truncated no. It returns how many written bytes remain: 0, or
// n when the truncation failed.
func (s *Server) aofRemoveShortWrite(n, expected int) int {
	a := &s.aof
	if a.writeErr == nil {
		s.logf(logWarning, "Short write while writing to the AOF file: (nwritten=%d, expected=%d)", n, expected)
	}
	fi, err := a.file.Stat()
	if err == nil {
		err = a.file.Truncate(fi.Size() - int64(n))
	}
	if err != nil {
		if a.writeErr == nil {
			s.logf(logWarning, "Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: %v", err)
		}
		return n
	}
	return 0
}

// aofCron retries failed writes, runs the everysec fsync, and starts a
// rewrite when the file grew past auto-aof-rewrite-percentage or when a
// runtime enable is waiting. Called with s.mu held.
func (s *Server) aofCron(now time.Time) {
	a := &s.aof
	if a.state == aofOff {
		return
	}
	s.flushAOF(false)
	if s.rdb.job != nil {
		return
	}
	if a.state == aofWaitRewrite {
		if now.Sub(a.lastRewriteFail) >= aofRewriteRetryDelay {
			s.rewriteAOFBackground()
		}
		return
	}
	perc := s.cfg.AutoAOFRewritePercentage
	if perc > 0 && a.curSize > s.cfg.AutoAOFRewriteMinSize && now.Sub(a.lastRewriteFail) >= aofRewriteRetryDelay {
		base := a.baseSize
		if base == 0 {
			base = 1
		}
		if growth := (a.curSize*100)/base - 100; growth >= int64(perc) {
			s.logf(logNotice, "Starting automatic rewriting of AOF on %d%% growth", growth)
			s.rewriteAOFBackground()
		}
	}
}

// writeManifest persists m atomically (a temporary file, fsync, rename).
func (s *Server) writeManifest(m *aof.Manifest) error {
	tmp := s.aofPath("temp-" + s.manifestName())
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err == nil {
		_, err = f.Write(m.Format())
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err == nil {
		err = os.Rename(tmp, s.aofPath(s.manifestName()))
	}
	if err != nil {
		os.Remove(tmp)
		s.logf(logWarning, "Can't persist the AOF manifest %s: %v", s.manifestName(), err)
	}
	return err
}

// openIncr creates an incremental file for appending.
func (s *Server) openIncr(name string) (*os.File, error) {
	return os.OpenFile(s.aofPath(name), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
}

// aofEncoder is the encoder of a new base file.
func (s *Server) aofEncoder() snapshot.Encoder {
	if s.cfg.AOFUseRDBPreamble {
		return s.rdbEncoder(true)
	}
	enc := aof.NewRewriteEncoder()
	if s.cfg.AOFTimestampEnabled {
		return functionLoads{timestampedEncoder{enc, s.cron.nowMs / 1000}, s.functionCodes()}
	}
	return functionLoads{enc, s.functionCodes()}
}

// timestampedEncoder starts a command-form base with a "#TS:" annotation
// (aof-timestamp-enabled), as rewriteAppendOnlyFile does.
type timestampedEncoder struct {
	*aof.RewriteEncoder
	unix int64
}

// Header appends the timestamp annotation.
func (e timestampedEncoder) Header(dst []byte) []byte { return aof.AppendTimestamp(dst, e.unix) }

// rewriteAOFBackground starts an AOF rewrite (rewriteAppendOnlyFileBackground):
// writes from now on go to a new incremental file, and a snapshot of this
// moment becomes the new base. Called with s.mu held and no job running.
func (s *Server) rewriteAOFBackground() error {
	a := &s.aof
	if err := os.MkdirAll(s.cfg.AppendDirname, 0o755); err != nil {
		s.logf(logWarning, "Can't open or create append-only dir %s: %v", s.cfg.AppendDirname, err)
		a.lastRewriteFail = time.Now()
		return err
	}
	prefix := s.cfg.AppendFilename
	var f *os.File
	var err error
	var incr aof.File
	if a.state == aofOn {
		s.flushAOF(true)
		next := a.manifest.Clone()
		incr = next.NextIncr(prefix)
		if f, err = s.openIncr(incr.Name); err == nil {
			if err = s.writeManifest(next); err == nil {
				a.manifest = next
				s.bioSubmit(bioJob{f: a.file, close: true})
				a.file = f
			} else {
				f.Close()
				os.Remove(s.aofPath(incr.Name))
			}
		}
		if err == nil {
			s.logf(logNotice, "Creating AOF incr file %s on background rewrite", incr.Name)
		}
	} else if a.state == aofWaitRewrite {
		incr = a.manifest.Clone().NextIncr(prefix)
		a.tempIncr = "temp-" + incr.Name
		a.waitIncr = incr
		if a.file != nil {
			a.file.Close()
		}
		f, err = os.OpenFile(s.aofPath(a.tempIncr), os.O_CREATE|os.O_TRUNC|os.O_WRONLY|os.O_APPEND, 0o644)
		if err == nil {
			a.file = f
		}
	}
	if err != nil {
		s.logf(logWarning, "Can't open the append-only file %s: %v", incr.Name, err)
		a.lastRewriteFail = time.Now()
		return err
	}
	a.selDB = -1
	a.unsynced = false
	preamble := s.cfg.AOFUseRDBPreamble
	job := &bgJob{
		kind: jobAOF,
		snap: snapshot.New(s.ks, s.aofEncoder()),
		tmp:  s.aofPath(fmt.Sprintf("temp-rewriteaof-bg-%d-%d.aof", pid, s.nextJobID())),
		done: (*Server).aofRewriteDone,
	}
	s.logf(logNotice, "Background append only file rewriting started")
	s.startJob(job, preamble, s.cfg.RDBChecksum, s.cfg.AOFRewriteIncrementalFsync)
	// This rewrite is the one that was scheduled, whoever started it
	// (rewriteAppendOnlyFileBackground clears aof_rewrite_scheduled).
	a.rewriteScheduled = false
	return nil
}

// aofRewriteDone is backgroundRewriteDoneHandler: the new base replaces the
// old base and incremental files. Called with s.mu held.
func (s *Server) aofRewriteDone(job *bgJob, err error) {
	a := &s.aof
	a.lastRewriteSecs = int64(time.Since(job.start).Seconds())
	if err != nil {
		os.Remove(job.tmp)
		if errors.Is(err, errJobCanceled) {
			s.logf(logWarning, "Background AOF rewrite terminated by signal 10")
			return
		}
		s.logf(logWarning, "Background AOF rewrite terminated with error: %v", err)
		s.aofRewriteFailed()
		return
	}
	s.logf(logNotice, "Background AOF rewrite terminated with success")
	next := a.manifest.Clone()
	base := next.NextBase(s.cfg.AppendFilename, s.cfg.AOFUseRDBPreamble)
	if err := os.Rename(job.tmp, s.aofPath(base.Name)); err != nil {
		s.logf(logWarning, "Error trying to rename the temporary AOF base file %s into %s: %v", filepath.Base(job.tmp), base.Name, err)
		os.Remove(job.tmp)
		s.aofRewriteFailed()
		return
	}
	s.logf(logNotice, "Successfully renamed the temporary AOF base file %s into %s", filepath.Base(job.tmp), base.Name)
	// The incremental file opened when the rewrite began holds every write
	// since the snapshot; it is the only one the new base needs.
	next.MarkIncrsHistory(a.state == aofOn)
	var keep []aof.File
	switch a.state {
	case aofOn:
		keep = next.Incr
	case aofWaitRewrite:
		keep = []aof.File{next.NextIncr(s.cfg.AppendFilename)}
	}
	// With aof-disable-auto-gc the old files stay listed as history and
	// on disk, as Redis 7.0 leaves them.
	var old []aof.File
	if !s.cfg.AOFDisableAutoGC {
		old = next.TakeHistory()
	}
	if a.state == aofWaitRewrite {
		keep := keep[0]
		if err := os.Rename(s.aofPath(a.tempIncr), s.aofPath(keep.Name)); err != nil {
			s.logf(logWarning, "Error renaming the temporary AOF incr file %s into %s: %v", a.tempIncr, keep.Name, err)
			os.Remove(s.aofPath(base.Name))
			s.aofRewriteFailed()
			return
		}
	}
	if err := s.writeManifest(next); err != nil {
		os.Remove(s.aofPath(base.Name))
		s.aofRewriteFailed()
		return
	}
	a.manifest = next
	for _, f := range old {
		s.logf(logNotice, "Removing the history file %s in the background", f.Name)
		os.Remove(s.aofPath(f.Name))
	}
	if a.state == aofWaitRewrite {
		a.tempIncr = ""
		a.state = aofOn
		s.logf(logNotice, "AOF rewrite successful")
	}
	a.curSize = fileSize(s.aofPath(base.Name)) + int64(len(a.buf))
	if len(keep) > 0 {
		a.curSize += fileSize(s.aofPath(keep[0].Name))
	}
	a.baseSize = a.curSize
	a.lastRewriteOK = true
	a.failures = 0
	a.rewrites++
	s.logf(logNotice, "Background AOF rewrite finished successfully")
}

// aofRewriteFailed records a failed rewrite; a runtime enable retries.
func (s *Server) aofRewriteFailed() {
	a := &s.aof
	a.lastRewriteOK = false
	a.failures++
	a.lastRewriteFail = time.Now()
	if a.state == aofWaitRewrite && a.file != nil {
		a.file.Close()
		a.file = nil
		os.Remove(s.aofPath(a.tempIncr))
		a.tempIncr = ""
		a.buf = a.buf[:0]
	}
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// startAppendOnly is CONFIG SET appendonly yes (startAppendOnly): the AOF
// starts with a rewrite of the current dataset.
func (s *Server) startAppendOnly() error {
	a := &s.aof
	if a.manifest == nil {
		a.manifest = &aof.Manifest{}
	}
	a.state = aofWaitRewrite
	a.lastRewriteFail = time.Time{}
	if s.rdb.job != nil {
		if s.rdb.job.kind == jobAOF {
			s.killJob(jobAOF)
		}
		a.rewriteScheduled = true
		s.logf(logNotice, "AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.")
		return nil
	}
	if s.inExec {
		a.rewriteScheduled = true
		s.logf(logWarning, "AOF was enabled during a transaction. An AOF background was scheduled to start when possible.")
		return nil
	}
	if err := s.rewriteAOFBackground(); err != nil {
		a.state = aofOff
		s.logf(logWarning, "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.")
		return err
	}
	return nil
}

// stopAppendOnly is CONFIG SET appendonly no: flush, fsync and close.
func (s *Server) stopAppendOnly() {
	a := &s.aof
	s.flushAOF(true)
	if a.file != nil {
		fdatasync(a.file)
		a.file.Close()
		a.file = nil
	}
	if a.tempIncr != "" {
		os.Remove(s.aofPath(a.tempIncr))
		a.tempIncr = ""
	}
	s.killJob(jobAOF)
	a.rewriteScheduled = false
	a.state = aofOff
	a.buf = a.buf[:0]
}

// bgrewriteaofCommand is BGREWRITEAOF.
func bgrewriteaofCommand(s *Server, c *conn) {
	if s.rdb.job != nil && s.rdb.job.kind == jobAOF {
		c.Error(rerr.Line("ERR Background append only file rewriting already in progress"))
		return
	}
	// The rewrite, now or scheduled, writes a manifest even with
	// appendonly no.
	if s.aof.manifest == nil {
		s.aof.manifest = &aof.Manifest{}
	}
	switch {
	case s.rdb.job != nil || s.inExec:
		s.aof.rewriteScheduled = true
		c.Simple("Background append only file rewriting scheduled")
	default:
		if err := s.rewriteAOFBackground(); err != nil {
			c.Error(rerr.Line("ERR Can't execute an AOF background rewriting. Please check the server logs for more information."))
			return
		}
		c.Simple("Background append only file rewriting started")
	}
}
