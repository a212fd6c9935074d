package server

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/persist/aof"
	"shoal/internal/persist/rdb"
	"shoal/internal/persist/snapshot"
)

// Loading the dataset at start-up (loadDataFromDisk): the AOF when
// appendonly is on, otherwise the RDB file. Runs before the event loops
// start, so nothing else holds the lock; errors are fatal, as in Redis.

// loadDataFromDisk loads the dataset and opens the AOF for appending. It
// logs and returns an error when the server must not start.
func (s *Server) loadDataFromDisk() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	start := time.Now()
	s.ks.Now = start.UnixMilli()
	s.ks.Loading = true
	defer func() {
		s.ks.Loading = false
		s.core.Dirty = 0
	}()
	if s.cfg.AppendOnly {
		loaded, err := s.loadAOF()
		if err != nil {
			return err
		}
		if loaded {
			s.logf(logNotice, "DB loaded from append only file: %.3f seconds", time.Since(start).Seconds())
		}
		return s.openAOFOnStart()
	}
	data, err := os.ReadFile(s.cfg.DBFilename)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("Fatal error loading the DB: %v. Exiting.", err)
	}
	if _, err := s.loadRDB(data, false); err != nil {
		return err
	}
	s.logf(logNotice, "DB loaded from disk: %.3f seconds", time.Since(start).Seconds())
	return nil
}

// loadRDB loads an RDB image into the (empty) keyspace and returns the
// offset after it. Expired keys are skipped unless the image is an AOF
// preamble, whose later commands expect them (rdbLoadRio).
func (s *Server) loadRDB(data []byte, preamble bool) (int, error) {
	return s.loadRDBInto(data, preamble, false)
}

// loadRDBInto is loadRDB; with merge a key already in the dataset is
// replaced by the file's (DEBUG RELOAD MERGE) instead of being fatal.
func (s *Server) loadRDBInto(data []byte, preamble, merge bool) (int, error) {
	db := s.ks.DBs[0]
	var loaded, expired int64
	now := s.ks.Now
	h := &rdb.Handler{
		Function: func(code []byte) error { return s.loadFunction(code, merge) },
		SelectDB: func(id int) error {
			if id >= len(s.ks.DBs) {
				return fmt.Errorf("FATAL: Data file was created with a Redis server configured to handle more than %d databases. Exiting\n", len(s.ks.DBs))
			}
			db = s.ks.DBs[id]
			return nil
		},
		Entry: func(key []byte, v rdb.Value, expireMs int64, meta rdb.RecordMeta) error {
			if expireMs == -1 {
				expireMs = 0
			} else if !preamble && expireMs < now {
				expired++
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
			if merge {
				db.Delete(key)
			}
			if d := s.cfg.KeyLoadDelay; d != 0 {
				time.Sleep(keyDelay(d))
			}
			if !s.core.LoadKey(db, key, v, expireMs, idle, freq) {
				return fmt.Errorf("RDB has duplicated key '%s' in DB %d", key, db.ID)
			}
			loaded++
			return nil
		},
	}
	info, err := rdb.Load(data, s.core.RDBLimits(), s.cfg.RDBChecksum && !s.core.Debug.SkipChecksum, h)
	if err != nil {
		var le *rdb.LoadError
		if errors.As(err, &le) && errors.Is(err, rdb.ErrWrongChecksum) {
			s.logf(logWarning, "%v", err)
			return 0, fmt.Errorf("Internal error in RDB reading offset %d -> RDB CRC error", le.Offset)
		}
		return 0, err
	}
	s.rdb.loadedKeys, s.rdb.loadedExpired = loaded, expired
	s.logf(logNotice, "Done loading RDB, keys loaded: %d, keys expired: %d.", loaded, expired)
	return info.End, nil
}

// loadAOF reads the manifest and replays its files in order
// (loadAppendOnlyFiles). It reports whether there was anything to load.
func (s *Server) loadAOF() (bool, error) {
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
	for i, f := range files {
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

// loadAOFFile replays one file of the AOF and returns its size after any
// truncation. Only the last file may end in the middle of a command, and
// only with aof-load-truncated.
func (s *Server) loadAOFFile(f aof.File, last bool) (int64, error) {
	path := s.aofPath(f.Name)
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, fmt.Errorf("Fatal error: can't open the append log file %s for reading: %s", f.Name, errnoText(err))
	}
	if len(data) == 0 {
		return 0, nil
	}
	start := time.Now()
	pos := 0
	if aof.HasRDBPreamble(data) {
		s.logf(logNotice, "Reading RDB base file on AOF loading...")
		end, err := s.loadRDB(data, true)
		if err != nil {
			return 0, fmt.Errorf("Error reading the RDB base file %s, AOF loading aborted", f.Name)
		}
		pos = end
	}
	fake := s.newLoadingClient()
	rd := aof.NewReaderAt(data, pos)
	for {
		argv, err := rd.Next()
		if err == nil {
			if err := s.replayCommand(fake, argv, f.Name); err != nil {
				return 0, err
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
			data = data[:valid]
			break
		}
		return 0, fmt.Errorf("Bad file format reading the append only file %s: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>", f.Name)
	}
	if fake.Flags&command.ClientMulti != 0 {
		fake.discardTransaction()
	}
	s.logf(logNotice, "DB loaded from %s file %s: %.3f seconds", aofFileKind(f), f.Name, time.Since(start).Seconds())
	return int64(len(data)), nil
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
		s.queueMultiCommand(c)
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
