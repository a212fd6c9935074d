package server

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/keyspace"
	"shoal/internal/persist/aof"
	"shoal/internal/persist/rdb"
	"shoal/internal/persist/snapshot"
	"shoal/internal/repl"
)

// Loading the dataset (loadDataFromDisk): the AOF when appendonly is on,
// otherwise the RDB file, streamed from disk. At start-up the event loops
// already run: the loader holds the executor lock and gives it up every
// loading-process-events-interval-bytes (processEventsWhileBlocked), when
// clients are answered -LOADING, except for the commands flagged
// "loading" (INFO, PING, CONFIG, SHUTDOWN...), and INFO shows the
// progress. Errors are fatal, as in Redis.

// loadState is server.loading and the loading_* fields of INFO
// persistence. Guarded by s.mu except active, which the loops and the
// cron read without it.
type loadState struct {
	// active is server.loading while a load that answers -LOADING runs.
	active atomic.Bool
	// async is server.async_loading: a replica loads its master's
	// payload into temporary databases and serves the old data meanwhile
	// (repl_load.go).
	async atomic.Bool
	// abort is set by a shutdown signal during loading: the loader stops
	// at its next yield (whileBlockedCron's shutdown_asap).
	abort atomic.Bool
	// yield: give up the lock periodically (the start-up load; DEBUG
	// RELOAD and LOADAOF hold it throughout).
	yield bool
	// startTime is loading_start_time (unix seconds); totalBytes,
	// loadedBytes and rdbUsedMem are loading_total_bytes,
	// loading_loaded_bytes and loading_rdb_used_mem.
	startTime, totalBytes, loadedBytes, rdbUsedMem int64
	// fileBase is loadedBytes where the file being read starts;
	// nextYield is the loadedBytes of the next yield.
	fileBase, nextYield int64
	// gcPercent is the collector's setting to restore after the load;
	// memLimit is the loading memory limit (0 under maxmemory's), and
	// nextGCCheck the loadedBytes at which loadingProgress next checks it.
	gcPercent   int
	memLimit    int64
	nextGCCheck int64
}

// The collector is off while a dataset loads. Nearly everything a load
// allocates stays live, so each cycle would only mark the growing dataset:
// at GOGC 400, the last cycle of a 2M-key command-form AOF load marked
// 380 MB, and its assists and write barriers ran on the loader itself.
// What bounds the heap instead is a memory limit (loadingHeapLimit), for a
// load that does make garbage (an incremental file rewriting the same
// keys): past it the runtime collects, and loadingProgress raises the
// limit whenever the live heap reaches half of it, so a dataset larger
// than the guess does not make the collector run over and over.

// loadingHeapLimit is the memory limit while total bytes load with no
// maxmemory: 8 times the input (a compressed RDB of 100-byte strings
// takes about 6 times its size in memory), and no less than 256 MB.
func loadingHeapLimit(total int64) int64 { return max(8*total, 256<<20) }

// loadingGCCheckBytes is how often, in bytes loaded, the limit is checked.
const loadingGCCheckBytes = 16 << 20

// errLoadingStopped ends a load that a SHUTDOWN or a signal interrupted.
var errLoadingStopped = errors.New("loading stopped by shutdown")

// startLoading opens a load of total bytes (startLoading).
func (s *Server) startLoading(total int64, yield bool) {
	l := &s.load
	l.startTime = time.Now().Unix()
	l.totalBytes, l.loadedBytes, l.rdbUsedMem, l.fileBase = total, 0, 0, 0
	l.yield = yield
	l.nextYield = int64(s.cfg.LoadingEventsInterval)
	l.active.Store(yield)
	l.gcPercent = debug.SetGCPercent(-1)
	l.memLimit = 0
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		l.memLimit = loadingHeapLimit(total)
		debug.SetMemoryLimit(l.memLimit)
	}
	l.nextGCCheck = loadingGCCheckBytes
}

// stopLoading closes it (stopLoading).
func (s *Server) stopLoading() {
	if s.load.gcPercent != 0 {
		debug.SetGCPercent(s.load.gcPercent)
		s.load.gcPercent = 0
		s.applyMaxmemory()
	}
	s.load.yield = false
	s.load.active.Store(false)
}

// loadingProgress records that off bytes of the current file are loaded
// and, every loading-process-events-interval-bytes, lets clients in.
func (s *Server) loadingProgress(off int64) error {
	l := &s.load
	l.loadedBytes = l.fileBase + off
	if l.loadedBytes >= l.nextGCCheck {
		l.nextGCCheck = l.loadedBytes + loadingGCCheckBytes
		l.raiseMemLimit()
	}
	if !l.yield || l.loadedBytes < l.nextYield {
		return nil
	}
	l.nextYield = l.loadedBytes + int64(s.cfg.LoadingEventsInterval)
	// Clients run as clients, not as the loader (stats, propagation).
	s.ks.Loading = false
	s.mu.Unlock()
	runtime.Gosched()
	s.mu.Lock()
	s.ks.Loading = true
	if s.stopping.Load() || l.abort.Load() {
		return errLoadingStopped
	}
	return nil
}

// raiseMemLimit doubles the loading memory limit while the heap the last
// collection found live is over half of it.
func (l *loadState) raiseMemLimit() {
	if l.memLimit == 0 {
		return
	}
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	live := int64(sample[0].Value.Uint64())
	if live > l.memLimit/2 {
		for live > l.memLimit/2 {
			l.memLimit *= 2
		}
		debug.SetMemoryLimit(l.memLimit)
	}
}

// loadingInfo appends the loading_* fields INFO persistence shows while
// loading, computed as genRedisInfoString does.
func (s *Server) loadingInfo(b *strings.Builder) {
	l := &s.load
	perc := 0.0
	remaining := int64(1)
	switch {
	case l.totalBytes != 0:
		perc = float64(l.loadedBytes) / float64(l.totalBytes) * 100
		remaining = l.totalBytes - l.loadedBytes
	case l.rdbUsedMem != 0:
		perc = min(float64(l.loadedBytes)/float64(l.rdbUsedMem)*100, 99.99)
		remaining = max(l.rdbUsedMem-l.loadedBytes, 1)
	}
	elapsed := time.Now().Unix() - l.startTime
	eta := int64(1)
	if elapsed != 0 {
		eta = elapsed * remaining / (l.loadedBytes + 1)
	}
	field(b, "loading_start_time", l.startTime)
	field(b, "loading_total_bytes", l.totalBytes)
	field(b, "loading_rdb_used_mem", l.rdbUsedMem)
	field(b, "loading_loaded_bytes", l.loadedBytes)
	field(b, "loading_loaded_perc", strconv.FormatFloat(perc, 'f', 2, 64))
	field(b, "loading_eta_seconds", eta)
}

// loadDataFromDisk loads the dataset and opens the AOF for appending,
// serving clients meanwhile. It logs and returns an error when the server
// must not start, errLoadingStopped when a shutdown interrupted it. Called
// with s.mu held; the loader gives it up only at its yields.
func (s *Server) loadDataFromDisk() error {
	start := time.Now()
	s.ks.Now = start.UnixMilli()
	s.ks.Loading = true
	defer func() {
		s.ks.Loading = false
		s.core.Dirty = 0
		s.stopLoading()
	}()
	if s.cfg.AppendOnly {
		loaded, err := s.loadAOF(true)
		if err != nil {
			return err
		}
		if loaded {
			s.logf(logNotice, "DB loaded from append only file: %.3f seconds", time.Since(start).Seconds())
		}
		return s.openAOFOnStart()
	}
	f, err := os.Open(s.cfg.DBFilename)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Fatal error loading the DB: %v. Exiting.", err)
	}
	defer f.Close()
	s.startLoading(fileSize(s.cfg.DBFilename), true)
	if _, err := s.loadRDBFrom(f, fileSize(s.cfg.DBFilename), false, false); err != nil {
		return err
	}
	s.logf(logNotice, "DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
	s.restoreReplInfo()
	return nil
}

// restoreReplInfo takes up the replication history the RDB file loaded at
// start-up recorded, on a replica (replicaof, or a cluster replica): our
// replication ID and offset become the file's and the history is cached,
// so the first PSYNC can continue from it (loadDataFromDisk's
// replicationCacheMasterUsingMyself). Called with s.mu held.
func (s *Server) restoreReplInfo() {
	ri := s.rdb.loadedRepl
	if !ri.valid() {
		return
	}
	if s.cfg.MasterHost == "" && (s.cl == nil || s.cl.st.Myself().IsMaster()) {
		return
	}
	s.repl.ids = repl.NewIDs(ri.id)
	s.repl.ids.Offset = ri.offset
	rp := &s.repl.replica
	rp.haveHistory = true
	rp.masterDB = ri.db
}

// loadRDBFile loads the RDB file at path into the dataset, holding the
// lock throughout (DEBUG RELOAD); with merge a key already in the dataset
// is replaced by the file's instead of being fatal.
func (s *Server) loadRDBFile(path string, merge bool) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	s.startLoading(fileSize(path), false)
	defer s.stopLoading()
	_, err = s.loadRDBFrom(f, fileSize(path), false, merge)
	return err
}

// loadRDBFrom loads an RDB image streamed from r (a file, or a master's
// socket for a replica's full sync) into the dataset and returns what
// rdb.LoadFrom reports: the image's end and the bytes read past it. size is
// r's length when known, -1 otherwise. Called with s.mu held, between
// startLoading and stopLoading: with startLoading's yield, clients are
// served (-LOADING) every loading-process-events-interval-bytes, and
// errLoadingStopped means a shutdown interrupted it. Expired keys are
// skipped unless the image is an AOF preamble, whose later commands expect
// them, or this node is a replica (rdbLoadRio's iAmMaster check). With
// merge a key already in the dataset is replaced by the file's (DEBUG
// RELOAD MERGE) instead of being fatal.
func (s *Server) loadRDBFrom(r io.Reader, size int64, preamble, merge bool) (rdb.LoadInfo, error) {
	ld := &rdbLoad{
		repl: savedReplInfo{offset: -1, db: -1},
		dbs:  s.ks.DBs, size: size, merge: merge,
		// A replica keeps the expired keys of its image: its master
		// deletes them (rdbLoadRio's iAmMaster check).
		preamble: preamble || !s.iAmMaster(),
		now:      s.ks.Now, keyDelay: s.cfg.KeyLoadDelay,
		limits:   s.core.RDBLimits(),
		checksum: s.cfg.RDBChecksum && !s.core.Debug.SkipChecksum,
		loadKey:  s.core.LoadKey,
		function: func(code []byte) error { return s.loadFunction(code, merge) },
		usedMem:  func(mem int64) { s.load.rdbUsedMem = mem },
		progress: s.loadingProgress,
	}
	info, err := s.loadImage(r, ld)
	if err == nil {
		s.rdb.loadedKeys, s.rdb.loadedExpired = ld.loaded, ld.expired
		s.rdb.loadedRepl = ld.repl
	}
	return info, err
}

// maxResizeUnknown bounds the table a RESIZEDB of an image of unknown
// length may size in advance (2^24 keys: 128 MB of buckets); larger
// databases grow as they load.
const maxResizeUnknown = 1 << 24

// rdbLoad is one RDB image being loaded: where its keys go and how.
type rdbLoad struct {
	// dbs are the databases the image fills: the dataset's, or a
	// replica's temporary ones (repl_load.go).
	dbs      []*keyspace.DB
	size     int64
	preamble bool
	merge    bool
	now      int64
	keyDelay int
	limits   rdb.Limits
	checksum bool
	loadKey  func(db *keyspace.DB, key []byte, v rdb.Value, expireMs, idle, freq int64) bool
	function func(code []byte) error
	usedMem  func(mem int64)
	progress func(offset int64) error
	loaded   int64
	expired  int64
	// emptySkipped counts the empty keys left out (rdbLoadObject).
	emptySkipped int64
	// repl is the replication history the image records.
	repl savedReplInfo
}

// savedReplInfo is an image's repl-id, repl-offset and repl-stream-db aux
// fields (rdbSaveInfo); valid when all three were there.
type savedReplInfo struct {
	id     string
	offset int64
	db     int
}

func (ri savedReplInfo) valid() bool { return ri.id != "" && ri.offset != -1 && ri.db != -1 }

// loadImage runs rdb.LoadFrom with ld's handler, logging as rdbLoadRio.
// It touches nothing of the server beyond ld's callbacks and the log, so
// it may run without s.mu when they do too.
func (s *Server) loadImage(r io.Reader, ld *rdbLoad) (rdb.LoadInfo, error) {
	db := ld.dbs[0]
	h := &rdb.Handler{
		Aux: func(key, value []byte) error {
			switch string(key) {
			case "redis-ver":
				s.logf(logNotice, "Loading RDB produced by version %s", value)
			case "ctime":
				if ct, err := strconv.ParseInt(string(value), 10, 64); err == nil {
					s.logf(logNotice, "RDB age %d seconds", max(time.Now().Unix()-ct, 0))
				}
			case "used-mem":
				if mem, err := strconv.ParseInt(string(value), 10, 64); err == nil {
					s.logf(logNotice, "RDB memory usage when created %.2f Mb", float64(mem)/(1024*1024))
					ld.usedMem(mem)
				}
			case "repl-id":
				if len(value) == repl.IDLen {
					ld.repl.id = string(value)
				}
			case "repl-offset":
				if off, err := strconv.ParseInt(string(value), 10, 64); err == nil {
					ld.repl.offset = off
				}
			case "repl-stream-db":
				if db, err := strconv.Atoi(string(value)); err == nil {
					ld.repl.db = db
				}
			}
			return nil
		},
		Function: ld.function,
		SelectDB: func(id int) error {
			if id >= len(ld.dbs) {
				return fmt.Errorf("FATAL: Data file was created with a Redis server configured to handle more than %d databases. Exiting\n", len(ld.dbs))
			}
			db = ld.dbs[id]
			return nil
		},
		ResizeDB: func(keys, _ uint64) {
			// A hostile size may claim more keys than the file holds: a
			// record takes at least 3 bytes; a stream of unknown length
			// (a diskless payload) is trusted up to maxResizeUnknown.
			if (ld.size >= 0 && keys <= uint64(ld.size/3)) || (ld.size < 0 && keys <= maxResizeUnknown) {
				db.Expand(int(keys))
			}
		},
		Entry: func(key []byte, v rdb.Value, expireMs int64, meta rdb.RecordMeta) error {
			if expireMs == -1 {
				expireMs = 0
			} else if !ld.preamble && expireMs < ld.now {
				ld.expired++
				return nil
			} else if expireMs == 0 {
				expireMs = 1
			}
			idle, freq := int64(-1), int64(-1)
			if meta.HasIdle {
				idle = int64(meta.Idle)
			}
			if meta.HasFreq {
				freq = int64(meta.Freq)
			}
			if ld.merge {
				db.Delete(key)
			}
			if ld.keyDelay != 0 {
				time.Sleep(keyDelay(ld.keyDelay))
			}
			if !ld.loadKey(db, key, v, expireMs, idle, freq) {
				return fmt.Errorf("RDB has duplicated key '%s' in DB %d", key, db.ID)
			}
			ld.loaded++
			return nil
		},
		EmptyKey: func(key []byte) {
			if ld.emptySkipped++; ld.emptySkipped <= 10 {
				s.logf(logWarning, "rdbLoadObject skipping empty key: %s", key)
			}
		},
		Progress: ld.progress,
	}
	info, err := rdb.LoadFrom(r, ld.size, ld.limits, ld.checksum, h)
	if err != nil {
		var le *rdb.LoadError
		if errors.As(err, &le) && errors.Is(err, rdb.ErrWrongChecksum) {
			s.logf(logWarning, "%v", err)
			return info, fmt.Errorf("Internal error in RDB reading offset %d -> RDB CRC error", le.Offset)
		}
		return info, err
	}
	if ld.emptySkipped > 0 {
		s.logf(logWarning, "Done loading RDB, keys loaded: %d, keys expired: %d, empty keys skipped: %d.", ld.loaded, ld.expired, ld.emptySkipped)
	} else {
		s.logf(logNotice, "Done loading RDB, keys loaded: %d, keys expired: %d.", ld.loaded, ld.expired)
	}
	return info, nil
}

// loadAOF reads the manifest and replays its files in order
// (loadAppendOnlyFiles). It reports whether there was anything to load.
// With yield, clients are served while it runs (start-up).
func (s *Server) loadAOF(yield bool) (bool, error) {
	a := &s.aof
	data, err := os.ReadFile(s.aofPath(s.manifestName()))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		a.manifest = &aof.Manifest{}
	case err != nil:
		return false, fmt.Errorf("Fatal error: can't open the AOF manifest %s for reading: %s", s.manifestName(), errnoText(err))
	default:
		if a.manifest, err = aof.Parse(data); err != nil {
			return false, err
		}
	}
	if err := s.aofUpgradeIfNeeded(); err != nil {
		return false, err
	}
	files := a.manifest.LoadOrder()
	if len(files) == 0 {
		return false, nil
	}
	// Every file the manifest names must exist before anything loads.
	for _, f := range files {
		if _, err := os.Stat(s.aofPath(f.Name)); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return false, fmt.Errorf("The append log file %s doesn't exist: %s", f.Name, errnoText(err))
			}
			return false, fmt.Errorf("Fatal error: can't open the append log file %s for reading: %s", f.Name, errnoText(err))
		}
	}
	total := int64(0)
	for _, f := range files {
		total += fileSize(s.aofPath(f.Name))
	}
	s.startLoading(total, yield)
	defer s.stopLoading()
	total = 0
	for i, f := range files {
		s.load.fileBase = s.load.loadedBytes
		n, err := s.loadAOFFile(f, i == len(files)-1)
		if err != nil {
			return false, err
		}
		total += n
	}
	a.curSize = total
	a.baseSize = total
	return true, nil
}

// aofUpgradeIfNeeded moves an old-style single AOF file (appendfilename in
// the server's directory, as Redis before 7.0 wrote it) into the AOF
// directory as its base (aofUpgradePrepare): when the directory or its
// manifest is missing, or when an earlier upgrade wrote the manifest but
// stopped before the move.
func (s *Server) aofUpgradeIfNeeded() error {
	a := &s.aof
	old := s.cfg.AppendFilename
	if _, err := os.Stat(old); err != nil {
		return nil
	}
	m := a.manifest
	_, dirErr := os.Stat(s.cfg.AppendDirname)
	_, inDirErr := os.Stat(s.aofPath(old))
	interrupted := m.Base != nil && len(m.Incr) == 0 && m.Base.Name == old && inDirErr != nil
	if dirErr == nil && (m.Base != nil || len(m.Incr) > 0) && !interrupted {
		return nil
	}
	if err := os.MkdirAll(s.cfg.AppendDirname, 0o755); err != nil {
		return fmt.Errorf("Can't open or create append-only dir %s: %s", s.cfg.AppendDirname, errnoText(err))
	}
	up := &aof.Manifest{Base: &aof.File{Name: old, Seq: 1, Type: aof.TypeBase}, CurBaseSeq: 1}
	if err := s.writeManifest(up); err != nil {
		return err
	}
	if err := os.Rename(old, s.aofPath(old)); err != nil {
		return fmt.Errorf("Error trying to move the old AOF file %s into dir %s: %s", old, s.cfg.AppendDirname, errnoText(err))
	}
	a.manifest = up
	s.logf(logNotice, "Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).", old, s.cfg.AppendDirname)
	return nil
}

// loadAOFFile replays one file of the AOF, streamed, and returns its size
// after any truncation. Only the last file may end in the middle of a
// command, and only with aof-load-truncated.
func (s *Server) loadAOFFile(f aof.File, last bool) (int64, error) {
	path := s.aofPath(f.Name)
	file, err := os.Open(path)
	if err != nil {
		return 0, fmt.Errorf("Fatal error: can't open the append log file %s for reading: %s", f.Name, errnoText(err))
	}
	defer file.Close()
	size := fileSize(path)
	if size == 0 {
		return 0, nil
	}
	start := time.Now()
	var head [len("REDIS")]byte
	n, _ := file.ReadAt(head[:], 0)
	var src io.Reader = file
	pos := 0
	if aof.HasRDBPreamble(head[:n]) {
		s.logf(logNotice, "Reading RDB base file on AOF loading...")
		info, err := s.loadRDBFrom(file, size, true, false)
		if err != nil {
			if err == errLoadingStopped {
				return 0, err
			}
			return 0, fmt.Errorf("Error reading the RDB base file %s, AOF loading aborted", f.Name)
		}
		pos = info.End
		src = io.MultiReader(bytes.NewReader(info.Rest), file)
	}
	fake := s.newLoadingClient()
	rd := aof.NewStreamReader(src, pos)
	for {
		// Redis lets clients in every 1024 commands; every
		// loading-process-events-interval-bytes bounds the wait whatever
		// the commands' sizes.
		if err := s.loadingProgress(int64(rd.Offset())); err != nil {
			return 0, err
		}
		argv, err := rd.Next()
		if err == nil {
			if err := s.replayCommand(fake, argv, f.Name); err != nil {
				return 0, err
			}
			if d := s.cfg.KeyLoadDelay; d != 0 {
				time.Sleep(keyDelay(d))
			}
			continue
		}
		if err == io.EOF {
			break
		}
		if errors.Is(err, aof.ErrTruncated) {
			valid := rd.ValidLen()
			if rd.RevertedMulti() {
				s.logf(logWarning, "Revert incomplete MULTI/EXEC transaction in AOF file %s", f.Name)
			}
			if !last || !s.cfg.AOFLoadTruncated {
				return 0, fmt.Errorf("Unexpected end of file reading the append only file %s. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.", f.Name)
			}
			s.logf(logWarning, "!!! Warning: short read while loading the AOF file %s!!!", f.Name)
			s.logf(logWarning, "!!! Truncating the AOF %s at offset %d !!!", f.Name, valid)
			if err := os.Truncate(path, int64(valid)); err != nil {
				return 0, fmt.Errorf("Error truncating the AOF file %s: %v", f.Name, err)
			}
			s.logf(logWarning, "AOF %s loaded anyway because aof-load-truncated is enabled", f.Name)
			size = int64(valid)
			break
		}
		return 0, fmt.Errorf("Bad file format reading the append only file %s: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", f.Name)
	}
	if err := s.loadingProgress(int64(rd.Offset())); err != nil {
		return 0, err
	}
	if fake.Flags&command.ClientMulti != 0 {
		fake.discardTransaction()
	}
	s.logf(logNotice, "DB loaded from %s file %s: %.3f seconds", aofFileKind(f), f.Name, time.Since(start).Seconds())
	return size, nil
}

func aofFileKind(f aof.File) string {
	if f.Type == aof.TypeBase {
		return "base"
	}
	return "incr"
}

// newLoadingClient is the fake client AOF commands run as: authenticated,
// never written to (closed), replies discarded.
func (s *Server) newLoadingClient() *conn {
	c := &conn{srv: s, fd: -1, closed: true}
	c.Core = s.core
	c.Conn = c
	c.DB = s.ks.DBs[0]
	c.Proto = 2
	c.Flags |= command.ClientAuthenticated
	return c
}

// replayCommand runs one command read from the AOF as Redis's fake client
// does: straight to its handler (no stats, no MONITOR, no slowlog), with
// MULTI's queue kept until EXEC.
func (s *Server) replayCommand(c *conn, argv [][]byte, file string) error {
	cmd := command.Lookup(argv[0])
	if cmd == nil {
		return fmt.Errorf("Unknown command '%s' reading the append only file %s", argv[0], file)
	}
	if cmd.Sub != nil && len(argv) > 1 {
		if sub := cmd.LookupSub(argv[1]); sub != nil {
			cmd = sub
		}
	}
	if (cmd.Arity > 0 && len(argv) != cmd.Arity) || len(argv) < -cmd.Arity {
		return fmt.Errorf("Wrong number of arguments for '%s' reading the append only file %s", cmd.Name, file)
	}
	c.Argv, c.Cmd = argv, cmd
	s.ks.Now = time.Now().UnixMilli()
	if c.Flags&command.ClientMulti != 0 && cmd.Name != "exec" {
		s.queueMultiCommand(c, c.Cmd.Flags)
	} else {
		s.call(c, cmd)
	}
	failed := c.Errored() > 0
	reply := c.B
	c.B = c.B[:0]
	if failed && s.cfg.PropagationErrorBehavior == config.PropErrPanic {
		return fmt.Errorf("This server panicked after an error reply to the command '%s' loaded from the append only file %s: %s (propagation-error-behavior panic)", cmd.Name, file, strings.TrimSpace(string(reply)))
	}
	return nil
}

// openAOFOnStart makes sure the AOF directory has a base and an
// incremental file to append to (aofOpenIfNeededOnServerStart), creating
// them as Redis does on a first start with appendonly yes.
func (s *Server) openAOFOnStart() error {
	a := &s.aof
	if err := os.MkdirAll(s.cfg.AppendDirname, 0o755); err != nil {
		return fmt.Errorf("Can't open or create append-only dir %s: %v", s.cfg.AppendDirname, err)
	}
	m := a.manifest
	changed := false
	if m.Base == nil && len(m.Incr) == 0 {
		base := m.NextBase(s.cfg.AppendFilename, s.cfg.AOFUseRDBPreamble)
		s.logf(logNotice, "Creating AOF base file %s on server start", base.Name)
		snap := snapshot.NewFrozen(s.ks, s.aofEncoder())
		if err := s.writeImage(snap, s.aofPath(base.Name), s.cfg.AOFUseRDBPreamble, s.cfg.RDBChecksum, false, nil); err != nil {
			return fmt.Errorf("Can't create the AOF base file %s: %v", base.Name, err)
		}
		changed = true
	}
	if len(m.Incr) == 0 {
		incr := m.NextIncr(s.cfg.AppendFilename)
		s.logf(logNotice, "Creating AOF incr file %s on server start", incr.Name)
		changed = true
	}
	cur := m.Incr[len(m.Incr)-1]
	f, err := s.openIncr(cur.Name)
	if err != nil {
		return fmt.Errorf("Can't open the append-only file %s: %v", cur.Name, err)
	}
	if changed {
		if err := s.writeManifest(m); err != nil {
			f.Close()
			return err
		}
	}
	a.file = f
	a.state = aofOn
	a.selDB = -1
	a.lastRewriteOK = true
	a.lastFsync = time.Now()
	if a.curSize == 0 {
		for _, f := range m.LoadOrder() {
			a.curSize += fileSize(s.aofPath(f.Name))
		}
		a.baseSize = a.curSize
	}
	return nil
}
