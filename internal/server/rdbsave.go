package server

import (
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"shoal/internal/config"
	"shoal/internal/encoding"
	"shoal/internal/keyspace"
	"shoal/internal/persist/rdb"
	"shoal/internal/persist/snapshot"
	"shoal/internal/rerr"
)

// Background saves. Redis forks a child for BGSAVE and the AOF rewrite;
// Shoal runs one background job at a time instead: a goroutine that steps
// a snapshot.Snapshot under the executor lock and writes its bytes without
// it (docs/DESIGN.md). "Child" below means that job, as in Redis's INFO.

// jobKind says what the background job is writing.
type jobKind int

const (
	jobRDB jobKind = iota + 1 // BGSAVE
	jobAOF                    // AOF rewrite: a new base file
)

// bgJob is the background snapshot in progress.
type bgJob struct {
	kind  jobKind
	snap  *snapshot.Snapshot
	tmp   string // the temporary file written
	start time.Time
	dirty int64 // the dirty counter when it began
	// canceled makes the writer stop and remove tmp. The job is detached
	// from the server at once (killJob), so a new one may start meanwhile;
	// each job has its own tmp name.
	canceled atomic.Bool
	// repl is set when the job is a replica's full sync (repl_master.go).
	repl *replSync
	// done runs under s.mu when the file is complete (err nil) or failed.
	done func(s *Server, job *bgJob, err error)
}

// rdbState is the RDB side of INFO persistence and the save scheduler.
type rdbState struct {
	job *bgJob

	lastBgsaveOK   bool
	lastBgsaveTry  int64 // unix seconds of the last BGSAVE attempt
	lastBgsaveSecs int64 // duration of the last BGSAVE, -1 before any
	saves          int64 // rdb_saves
	scheduled      bool  // BGSAVE SCHEDULE waiting for the AOF rewrite
	jobs           int64 // background jobs started, for unique temp names

	loadedKeys, loadedExpired int64
	// loadedRepl is the replication history the last image loaded
	// recorded.
	loadedRepl savedReplInfo

	// stepLoop is loop 0 while it runs, which takes background jobs'
	// steps (stepReq) between its passes.
	stepLoop atomic.Pointer[loop]
	stepReq  atomic.Pointer[stepRequest]
}

// errJobCanceled is the outcome of a job stopped by SHUTDOWN, FLUSHALL or
// CONFIG SET appendonly no.
var errJobCanceled = errors.New("canceled")

// snapshotStepKeys bounds the keys one step encodes while holding the lock.
const snapshotStepKeys = 512

// jobStepKeys is snapshotStepKeys for the steps loop 0 runs for a job
// (runJobStep): each step costs a round trip between two threads, and at
// 2M keys twice the keys per step took 0.3-0.5 s off a 3.5-4.6 s BGSAVE
// with the step's hold still at p50 64-128 us, p99 under 512 us.
const jobStepKeys = 1024

// autosyncBytes is how often a long save fsyncs (REDIS_AUTOSYNC_BYTES), so
// the kernel does not build up one huge flush at the end.
const autosyncBytes = 4 << 20

// bgsaveRetryDelay is how long after a failed BGSAVE the save points wait
// before trying again (CONFIG_BGSAVE_RETRY_DELAY).
const bgsaveRetryDelay = 5

// rdbEncoder returns the RDB encoder for a snapshot with the current
// configuration; aofBase marks an AOF base file's preamble.
func (s *Server) rdbEncoder(aofBase bool) *rdb.Encoder {
	base := "0"
	if aofBase {
		base = "1"
	}
	aux := []rdb.Aux{
		{Key: "redis-ver", Value: redisVersion},
		{Key: "redis-bits", Value: "64"},
		{Key: "ctime", Value: strconv.FormatInt(time.Now().Unix(), 10)},
		{Key: "used-mem", Value: strconv.FormatUint(s.usedMemory(), 10)},
	}
	if db, ok := s.replStreamDB(); ok && !aofBase {
		// The replication history the image is a point of, so that a
		// replica restarted from it can continue with PSYNC (rdbSaveInfoAuxFields).
		aux = append(aux,
			rdb.Aux{Key: "repl-stream-db", Value: strconv.Itoa(db)},
			rdb.Aux{Key: "repl-id", Value: s.repl.ids.ID},
			rdb.Aux{Key: "repl-offset", Value: strconv.FormatInt(s.repl.ids.Offset, 10)})
	}
	aux = append(aux, rdb.Aux{Key: "aof-base", Value: base})
	return &rdb.Encoder{
		Aux:       aux,
		Meta:      s.recordMetaFunc(),
		Compress:  s.cfg.RDBCompression,
		Functions: s.functionCodes(),
	}
}

// replStreamDB is rdbPopulateSaveInfo: whether an image records the
// replication history, and the database the stream had selected. A master
// does once it has a backlog (it is in a replication chain); a replica
// when it has a master or a cached one.
func (s *Server) replStreamDB() (int, bool) {
	rp := &s.repl.replica
	switch {
	case rp.host == "" && s.repl.backlog != nil:
		return max(s.repl.selDB, 0), true
	case rp.master != nil:
		return rp.master.DB.ID, true
	case rp.host != "" && rp.haveHistory:
		return rp.masterDB, true
	}
	return 0, false
}

// recordMetaFunc returns what computes the eviction metadata saved with a
// key: its idle time under an LRU policy, its LFU counter under an LFU
// policy, nothing otherwise. The policy and clocks are those of now, as a
// forked child's are those of the fork: the function reads nothing but the
// entry, so a snapshot may call it without the lock.
func (s *Server) recordMetaFunc() func(e *keyspace.Entry) rdb.RecordMeta {
	switch {
	case s.lfuPolicy():
		now, decay := s.lfuMinutes(), uint32(s.cfg.LFUDecayTime)
		return func(e *keyspace.Entry) rdb.RecordMeta {
			return rdb.RecordMeta{Freq: lfuDecayed(e.LRU, now, decay), HasFreq: true}
		}
	case s.lruPolicy():
		clock := s.cron.clock
		return func(e *keyspace.Entry) rdb.RecordMeta {
			return rdb.RecordMeta{Idle: uint64(lruIdle(e.LRU, clock)), HasIdle: true}
		}
	}
	return nil
}

// lruPolicy reports whether maxmemory-policy is an LRU one.
func (s *Server) lruPolicy() bool {
	return s.cfg.MaxmemoryPolicy == config.PolicyAllkeysLRU || s.cfg.MaxmemoryPolicy == config.PolicyVolatileLRU
}

// writeImage writes snap to path, completing it with the RDB trailer when
// trailer is set. A background writer (job non-nil) takes s.mu for each
// step and writes without it; otherwise the caller holds s.mu throughout.
func (s *Server) writeImage(snap *snapshot.Snapshot, path string, trailer, checksum, incrementalSync bool, job *bgJob) (err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		if job != nil {
			s.mu.Lock()
			snap.Abort()
			s.mu.Unlock()
		}
		return err
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(path)
		}
	}()
	unsynced := 0
	written := func(n int) error {
		unsynced += n
		if incrementalSync && unsynced >= autosyncBytes {
			unsynced = 0
			return f.Sync()
		}
		return nil
	}
	var canceled *atomic.Bool
	if job != nil {
		canceled = &job.canceled
	}
	if err := s.streamImage(snap, f, trailer, checksum, job != nil, canceled, written); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// streamImage writes snap to w step by step, completing it with the RDB
// trailer (EOF and CRC-64) when trailer is set: the fork-less image of the
// live keyspace that BGSAVE, the AOF rewrite and a master's full sync
// write. In the background (bg), each step runs under s.mu (which the
// caller must not hold) only to claim keys, on loop 0 (runJobStep);
// encoding, compression and the write happen without it. Otherwise the
// caller holds s.mu throughout. canceled, when non-nil and set, stops the
// image early with errJobCanceled; written, when non-nil, is told the size
// of every write (incremental fsync). On error the snapshot is aborted.
func (s *Server) streamImage(snap *snapshot.Snapshot, w io.Writer, trailer, checksum, bg bool, canceled *atomic.Bool, written func(n int) error) error {
	var crc uint64
	var buf, spare []byte
	var (
		stepErr error
		done    bool
		perKey  time.Duration
		before  int64
		holds   holdStats
	)
	step := func() {
		held := time.Now()
		defer func() {
			if bg {
				holds.add(time.Since(held))
			}
		}()
		if canceled != nil && canceled.Load() {
			snap.Abort()
			stepErr = errJobCanceled
			return
		}
		// Errors of the last step's Encode, and of keys the hook saved.
		if err := snap.Err(); err != nil {
			snap.Abort()
			stepErr = err
			return
		}
		budget := jobStepKeys
		if !bg {
			budget = 1 << 16
		}
		before = snap.Keys()
		done = snap.Step(budget)
		buf = snap.Take(spare)
		perKey = keyDelay(s.cfg.RDBKeySaveDelay)
	}
	var req *stepRequest
	if bg {
		var err error
		if req, err = newStepRequest(step); err != nil {
			s.abortSnapshot(snap, bg)
			return err
		}
		defer req.stop()
		defer func() { s.logf(logVerbose, "Background snapshot: %s", holds.String()) }()
	}
	for {
		if bg {
			s.runJobStep(req)
		} else {
			step()
		}
		if stepErr != nil {
			return stepErr
		}
		// The keys the step claimed are encoded (and compressed) without
		// the lock.
		buf = snap.Encode(buf)
		if done {
			if err := snap.Err(); err != nil {
				return err
			}
		}
		delay := perKey * time.Duration(snap.Keys()-before)
		// rdb-key-save-delay: tests keep a save running this way; a kill
		// interrupts the pause.
		for delay > 0 && (canceled == nil || !canceled.Load()) {
			d := min(delay, 10*time.Millisecond)
			time.Sleep(d)
			delay -= d
		}
		if checksum {
			crc = encoding.CRC64(crc, buf)
		}
		if done && trailer {
			buf = rdb.AppendEOF(buf, crc, checksum)
		}
		_, err := w.Write(buf)
		if err == nil && written != nil {
			err = written(len(buf))
		}
		if err != nil {
			if !done {
				s.abortSnapshot(snap, bg)
			}
			return err
		}
		spare = buf[:0]
		if done {
			return nil
		}
	}
}

// A background snapshot's steps run on loop 0 rather than on the job's own
// goroutine. The job's thread is busy all the time (encoding, compressing,
// writing), so the kernel preempts it readily, and when that happened while
// it held s.mu every client waited for its next time slice: on a loaded
// machine that was the whole latency tail of a BGSAVE. Loop 0 mostly
// sleeps in epoll_wait and runs a step the way it runs a command, so a
// client's command waits at most for one step, and never behind a thread
// the kernel has set aside. The job asks with stepRequest and waits; if
// loop 0 does not take the request in time (it is stopping, or not
// running yet), the job runs the step itself under s.mu.

// stepRequest is a background job's request that loop 0 run fn under s.mu.
// Loop 0 tells the job the step is done through an eventfd the job blocks
// on, not a channel: a goroutine woken by a channel send is queued on the
// sender's processor, which loop 0 then had to give up (or fight for)
// on its way back into epoll_wait, and commands waited; a thread woken by
// the kernel takes an idle processor of its own.
type stepRequest struct {
	fn func()
	// efd is the job's eventfd (blocking); finished is stored after fn
	// returns, before efd is written, and orders fn's writes before the
	// job's reads for the race detector too.
	efd      int
	finished atomic.Bool
}

// stepHandoffTimeout is how long a job waits for loop 0 to take its step
// before running it itself.
const stepHandoffTimeout = 20 * time.Millisecond

func newStepRequest(fn func()) (*stepRequest, error) {
	efd, err := unix.Eventfd(0, unix.EFD_CLOEXEC)
	if err != nil {
		return nil, err
	}
	return &stepRequest{fn: fn, efd: efd}, nil
}

func (r *stepRequest) stop() { unix.Close(r.efd) }

// wait waits up to timeout (forever if negative) for loop 0 to signal the
// step done, and reports whether it did.
func (r *stepRequest) wait(timeout time.Duration) bool {
	ms := -1
	if timeout >= 0 {
		ms = int(timeout / time.Millisecond)
	}
	fds := []unix.PollFd{{Fd: int32(r.efd), Events: unix.POLLIN}}
	for {
		n, err := unix.Poll(fds, ms)
		if err == unix.EINTR {
			continue
		}
		if n <= 0 {
			return r.finished.Load()
		}
		var buf [8]byte
		unix.Read(r.efd, buf[:])
		if r.finished.Load() {
			return true
		}
	}
}

// runJobStep runs req's step under s.mu, on loop 0 when it is running.
// Called without s.mu, from the job's goroutine.
func (s *Server) runJobStep(req *stepRequest) {
	l := s.rdb.stepLoop.Load()
	if l == nil {
		s.mu.Lock()
		req.fn()
		s.mu.Unlock()
		return
	}
	req.finished.Store(false)
	s.rdb.stepReq.Store(req)
	l.notify()
	if req.wait(stepHandoffTimeout) {
		return
	}
	if s.rdb.stepReq.CompareAndSwap(req, nil) {
		s.mu.Lock()
		req.fn()
		s.mu.Unlock()
		return
	}
	// Loop 0 took it meanwhile.
	req.wait(-1)
}

// runStepRequest runs a background job's pending step. Called by loop 0
// with s.mu held.
func (s *Server) runStepRequest() {
	if req := s.rdb.stepReq.Swap(nil); req != nil {
		req.fn()
		req.finished.Store(true)
		one := uint64(1)
		unix.Write(req.efd, (*[8]byte)(unsafe.Pointer(&one))[:])
	}
}

// holdStats is the distribution of a background job's lock hold times per
// step, logged at the end of the job (loglevel verbose): the figure that
// bounds how long a client's command can wait behind the snapshot.
type holdStats struct {
	// counts[i] counts holds of [2^(i-1), 2^i) microseconds.
	counts [24]int64
	n      int64
	total  time.Duration
	max    time.Duration
}

func (h *holdStats) add(d time.Duration) {
	i := bits.Len64(uint64(d / time.Microsecond))
	i = min(i, len(h.counts)-1)
	h.counts[i]++
	h.n++
	h.total += d
	h.max = max(h.max, d)
}

// quantile is the upper bound, in microseconds, of the bucket holding
// quantile q.
func (h *holdStats) quantile(q float64) int64 {
	want := int64(q * float64(h.n))
	var seen int64
	for i, c := range h.counts {
		seen += c
		if seen > want {
			return 1 << i
		}
	}
	return 1 << (len(h.counts) - 1)
}

func (h *holdStats) String() string {
	return fmt.Sprintf("%d steps, lock held %.3f s in total, p50 < %d us, p99 < %d us, p99.9 < %d us, max %d us",
		h.n, h.total.Seconds(), h.quantile(0.5), h.quantile(0.99), h.quantile(0.999), h.max.Microseconds())
}

// keyDelay is the per-key pause of rdb-key-save-delay and key-load-delay:
// microseconds, or nanoseconds when negative (debugDelay).
func keyDelay(v int) time.Duration {
	if v < 0 {
		return time.Duration(-v)
	}
	return time.Duration(v) * time.Microsecond
}

// abortSnapshot stops snap after a write error.
func (s *Server) abortSnapshot(snap *snapshot.Snapshot, bg bool) {
	if bg {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	snap.Abort()
}

// rdbSave writes the whole dataset to dbfilename while holding the lock
// (SAVE, SHUTDOWN, FLUSHALL with save points), as rdbSave.
func (s *Server) rdbSave() error {
	tmp := fmt.Sprintf("temp-%d.rdb", pid)
	snap := snapshot.NewFrozen(s.ks, s.rdbEncoder(false))
	if err := s.writeImage(snap, tmp, true, s.cfg.RDBChecksum, s.cfg.RDBSaveIncrementalFsync, nil); err != nil {
		s.logf(logWarning, "Failed opening the temp RDB file %s (in server root dir %s) for saving: %v", tmp, s.cfg.Dir, err)
		return err
	}
	if err := os.Rename(tmp, s.cfg.DBFilename); err != nil {
		s.logf(logWarning, "Error moving temp DB file %s on the final destination %s (in server root dir %s): %v", tmp, s.cfg.DBFilename, s.cfg.Dir, err)
		os.Remove(tmp)
		return err
	}
	s.logf(logNotice, "DB saved on disk")
	s.core.Dirty = 0
	s.lastSave = time.Now().Unix()
	s.rdb.lastBgsaveOK = true
	return nil
}

// startJob starts a background snapshot job. Called with s.mu held, with
// no other job running.
func (s *Server) startJob(job *bgJob, trailer, checksum, incrementalSync bool) {
	job.start = time.Now()
	job.dirty = s.core.Dirty
	s.rdb.job = job
	s.ks.CanResize = false
	cpus := s.cfg.BgsaveCPUList
	if job.kind == jobAOF {
		cpus = s.cfg.AOFRewriteCPUList
	}
	go func() {
		pinJobThread(cpus)
		err := s.writeImage(job.snap, job.tmp, trailer, checksum, incrementalSync, job)
		s.mu.Lock()
		defer s.mu.Unlock()
		if job.canceled.Load() && err == nil {
			// Killed after its last step: the file may be stale.
			os.Remove(job.tmp)
			err = errJobCanceled
		}
		if s.rdb.job == job {
			s.rdb.job = nil
		}
		job.done(s, job, err)
		s.startScheduledJobs()
	}()
}

// nextJobID numbers background jobs, so that a killed job still running
// down never shares its temporary file with the next one.
func (s *Server) nextJobID() int64 {
	s.rdb.jobs++
	return s.rdb.jobs
}

// startScheduledJobs starts a BGSAVE or AOF rewrite that waited for the
// previous job. Called with s.mu held.
func (s *Server) startScheduledJobs() {
	if s.rdb.job != nil || s.stopping.Load() {
		return
	}
	if s.aof.rewriteScheduled {
		s.aof.rewriteScheduled = false
		s.rewriteAOFBackground()
		return
	}
	if s.rdb.scheduled {
		s.rdb.scheduled = false
		s.bgsave()
	}
}

// bgsave starts a background save to dbfilename. Called with s.mu held,
// with no job running.
func (s *Server) bgsave() {
	s.rdb.lastBgsaveTry = time.Now().Unix()
	s.rdb.saves++
	job := &bgJob{
		kind: jobRDB,
		snap: snapshot.New(s.ks, s.rdbEncoder(false)),
		tmp:  fmt.Sprintf("temp-bg-%d-%d.rdb", pid, s.nextJobID()),
		done: (*Server).bgsaveDone,
	}
	s.logf(logNotice, "Background saving started")
	s.startJob(job, true, s.cfg.RDBChecksum, s.cfg.RDBSaveIncrementalFsync)
}

// bgsaveDone is backgroundSaveDoneHandler. Called with s.mu held.
func (s *Server) bgsaveDone(job *bgJob, err error) {
	s.rdb.lastBgsaveSecs = int64(time.Since(job.start).Seconds())
	if err == nil {
		err = os.Rename(job.tmp, s.cfg.DBFilename)
		if err != nil {
			os.Remove(job.tmp)
		}
	}
	switch {
	case err == nil:
		s.logf(logNotice, "Background saving terminated with success")
		s.core.Dirty -= job.dirty
		s.lastSave = time.Now().Unix()
		s.rdb.lastBgsaveOK = true
	case errors.Is(err, errJobCanceled):
		s.logf(logWarning, "Background saving terminated by signal 10")
	default:
		s.logf(logWarning, "Background saving error: %v", err)
		s.rdb.lastBgsaveOK = false
	}
}

// killJob stops the running background job, if it is of kind k: its
// snapshot stops recording at once, and the writer goroutine removes the
// file at its next step. Called with s.mu held.
func (s *Server) killJob(k jobKind) {
	j := s.rdb.job
	if j == nil || j.kind != k {
		return
	}
	if k == jobRDB {
		s.logf(logNotice, "Killing running RDB child")
	} else {
		s.logf(logNotice, "Killing running AOF rewrite child")
	}
	j.canceled.Store(true)
	j.snap.Abort()
	s.rdb.job = nil
}

// flushAll is FLUSHALL's persistence part (flushAllDataAndResetRDB): a
// BGSAVE in progress is stopped, and with save points the empty dataset is
// saved at once.
func (s *Server) flushAll(flush func()) {
	s.killJob(jobRDB)
	if j := s.rdb.job; j != nil && j.kind == jobAOF {
		// An AOF rewrite would have to copy every key into its snapshot
		// before the flush: restart it on the empty dataset instead (its
		// incremental file already holds the FLUSHALL to come).
		s.killJob(jobAOF)
		s.aof.rewriteScheduled = true
	}
	flush()
	if len(s.cfg.Save) > 0 {
		s.rdbSave()
	}
}

// saveCron starts a BGSAVE when a save point is due (serverCron's "save
// point" check) or was scheduled. Called with s.mu held.
func (s *Server) saveCron(now time.Time) {
	// The AOF's everysec fsync and write retries run whatever else is
	// going on; aofCron starts a rewrite only when no job runs.
	s.aofCron(now)
	if s.rdb.job != nil {
		return
	}
	s.startScheduledJobs()
	if s.rdb.job != nil {
		return
	}
	unix := now.Unix()
	for _, sp := range s.cfg.Save {
		if s.core.Dirty >= int64(sp.Changes) && unix-s.lastSave > int64(sp.Seconds) &&
			(unix-s.rdb.lastBgsaveTry > bgsaveRetryDelay || s.rdb.lastBgsaveOK) {
			s.logf(logNotice, "%d changes in %d seconds. Saving...", sp.Changes, sp.Seconds)
			s.bgsave()
			return
		}
	}
}

func saveCommand(s *Server, c *conn) {
	if s.rdb.job != nil && s.rdb.job.kind == jobRDB {
		c.Error(rerr.Line("ERR Background save already in progress"))
		return
	}
	s.rdb.saves++
	if err := s.rdbSave(); err != nil {
		c.Error(rerr.Line("ERR"))
		return
	}
	c.Simple("OK")
}

// bgsaveCommand is BGSAVE [SCHEDULE].
func bgsaveCommand(s *Server, c *conn) {
	schedule := false
	if len(c.Argv) > 1 {
		if len(c.Argv) > 2 || !strings.EqualFold(string(c.Argv[1]), "schedule") {
			c.Error(rerr.Syntax)
			return
		}
		schedule = true
	}
	switch {
	case s.rdb.job != nil && s.rdb.job.kind == jobRDB:
		c.Error(rerr.Line("ERR Background save already in progress"))
	case s.rdb.job != nil && schedule:
		s.rdb.scheduled = true
		c.Simple("Background saving scheduled")
	case s.rdb.job != nil:
		c.Error(rerr.Line("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible."))
	default:
		s.bgsave()
		c.Simple("Background saving started")
	}
}

// rdbOrAOFTrouble is the cheap pre-check of diskErrorReply for the hot
// path: whether the last BGSAVE or AOF write failed.
func (s *Server) rdbOrAOFTrouble() bool {
	return !s.rdb.lastBgsaveOK || s.aof.writeErr != nil || s.aof.bioErr.Load() != nil
}

// diskErrorReply is the MISCONF error writes get while the last save or AOF
// write failed (writeCommandsDeniedByDiskError), or nil.
func (s *Server) diskErrorReply() []byte {
	if s.cfg.StopWritesOnBgsaveError && len(s.cfg.Save) > 0 && !s.rdb.lastBgsaveOK {
		return rerr.Line("MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.")
	}
	if s.aof.enabled() && s.aof.writeErr != nil {
		return rerr.Line("MISCONF Errors writing to the AOF file: " + errnoText(s.aof.writeErr))
	}
	if e := s.aof.bioErr.Load(); s.aof.enabled() && e != nil {
		return rerr.Line("MISCONF Errors writing to the AOF file: " + errnoText(*e))
	}
	return nil
}

// errnoText is strerror's wording for err, as Redis quotes it.
func errnoText(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		err = pe.Err
	}
	msg := err.Error()
	if msg == "" {
		return msg
	}
	return strings.ToUpper(msg[:1]) + msg[1:]
}
