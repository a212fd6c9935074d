package server

import (
	"strconv"
	"strings"

	"shoal/internal/command"
	"shoal/internal/glob"
	"shoal/internal/persist/rdb"
	"shoal/internal/persist/snapshot"
	"shoal/internal/rerr"
	"shoal/internal/resp"
	"shoal/internal/scripting"
)

// FUNCTION and FCALL (functions.c), and the libraries' persistence: RDB
// (FUNCTION2 records after the aux fields) and the AOF (FUNCTION LOAD
// commands at the head of a command-form base).

// functionLoadTimeout is LOAD_TIMEOUT_MS.
const functionLoadTimeout = 500

var (
	errFnNotFound    = rerr.Line("ERR Function not found")
	errLibNotFound   = rerr.Line("ERR Library not found")
	errBadNumKeys    = rerr.Line("ERR Bad number of keys provided")
	errFnFlushOpt    = rerr.Line("ERR FUNCTION FLUSH only supports SYNC|ASYNC option")
	errCodeMissing   = rerr.Line("ERR Function code is missing")
	errRestorePolicy = rerr.Line("ERR Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.")
	errPayload       = rerr.Line("ERR DUMP payload version or checksum are wrong")
	errLibNameArg    = rerr.Line("ERR library name argument was not given")
)

func init() {
	handle("fcall", func(s *Server, c *conn) { s.fcallGeneric(c, false) })
	handle("fcall_ro", func(s *Server, c *conn) { s.fcallGeneric(c, true) })
	handle("function|load", functionLoadCommand)
	handle("function|delete", functionDeleteCommand)
	handle("function|flush", functionFlushCommand)
	handle("function|list", functionListCommand)
	handle("function|dump", functionDumpCommand)
	handle("function|restore", functionRestoreCommand)
	handle("function|stats", functionStatsCommand)
	handle("function|kill", func(s *Server, c *conn) { s.scriptKill(c, false) })
	handle("function|help", functionHelpCommand)
}

// fcallGeneric is FCALL and FCALL_RO (fcallCommandGeneric).
func (s *Server) fcallGeneric(c *conn, ro bool) {
	st := s.scripting()
	if len(s.monitors) > 0 {
		s.feedMonitors(c)
	}
	fn := st.fn.Function(string(c.Argv[1]))
	if fn == nil {
		c.Error(errFnNotFound)
		return
	}
	numkeys, err := strconv.ParseInt(string(c.Argv[2]), 10, 64)
	if err != nil {
		c.Error(errBadNumKeys)
		return
	}
	if numkeys > int64(len(c.Argv)-3) {
		c.Error(errKeysGreater)
		return
	}
	if numkeys < 0 {
		c.Error(errKeysNeg)
		return
	}
	run := s.prepareScriptRun(c, fn.Name, fn.Flags, ro, false)
	if run == nil {
		return
	}
	keys := c.Argv[3 : 3+numkeys]
	args := c.Argv[3+numkeys:]
	s.runScript(c, run, func() ([]byte, bool) {
		return st.fn.Call(&c.Writer, run, fn, keys, args)
	})
}

func functionLoadCommand(s *Server, c *conn) {
	replace := false
	i := 2
	for ; i < len(c.Argv)-1; i++ {
		if !strings.EqualFold(string(c.Argv[i]), "replace") {
			c.Error(rerr.Line("ERR Unknown option given: " + string(c.Argv[i])))
			return
		}
		replace = true
	}
	if i >= len(c.Argv) {
		c.Error(errCodeMissing)
		return
	}
	timeout := int64(functionLoadTimeout)
	if c.Flags&command.ClientMaster != 0 || s.ks.Loading {
		timeout = 0
	}
	name, errText := s.scripting().fn.Load(c.Argv[i], replace, timeout)
	if errText != "" {
		c.Error(rerr.Line("ERR " + errText))
		return
	}
	s.core.Dirty++
	c.BulkString(name)
}

func functionDeleteCommand(s *Server, c *conn) {
	if !s.scripting().fn.Delete(string(c.Argv[2])) {
		c.Error(errLibNotFound)
		return
	}
	s.core.Dirty++
	c.Simple("OK")
}

func functionFlushCommand(s *Server, c *conn) {
	if len(c.Argv) > 3 {
		c.Error(subcommandSyntax(c))
		return
	}
	if len(c.Argv) == 3 && !strings.EqualFold(string(c.Argv[2]), "sync") && !strings.EqualFold(string(c.Argv[2]), "async") {
		c.Error(errFnFlushOpt)
		return
	}
	s.scripting().fn.Flush()
	s.core.Dirty++
	c.Simple("OK")
}

// subcommandSyntax is addReplySubcommandSyntaxError.
func subcommandSyntax(c *conn) []byte {
	return rerr.Line("ERR unknown subcommand or wrong number of arguments for '" + string(c.Argv[1]) + "'. Try " + strings.ToUpper(string(c.Argv[0])) + " HELP.")
}

// flushFunctions drops every library (emptyData without
// EMPTYDB_NOFUNCTIONS: DEBUG RELOAD, DEBUG LOADAOF).
func (s *Server) flushFunctions() {
	if s.script.fn != nil {
		s.script.fn.Flush()
	}
}

func functionListCommand(s *Server, c *conn) {
	withCode := false
	var pattern []byte
	hasPattern := false
	for i := 2; i < len(c.Argv); i++ {
		a := c.Argv[i]
		if !withCode && strings.EqualFold(string(a), "withcode") {
			withCode = true
			continue
		}
		if !hasPattern && strings.EqualFold(string(a), "libraryname") {
			if i >= len(c.Argv)-1 {
				c.Error(errLibNameArg)
				return
			}
			i++
			pattern, hasPattern = c.Argv[i], true
			continue
		}
		c.Error(rerr.Line("ERR Unknown argument " + string(a)))
		return
	}
	var libs []*scripting.Library
	for _, l := range s.scripting().fn.Libraries() {
		if hasPattern && !glob.Match(pattern, []byte(l.Name), true) {
			continue
		}
		libs = append(libs, l)
	}
	c.Array(len(libs))
	for _, l := range libs {
		if withCode {
			c.Map(4)
		} else {
			c.Map(3)
		}
		c.BulkString("library_name")
		c.BulkString(l.Name)
		c.BulkString("engine")
		c.BulkString("LUA")
		c.BulkString("functions")
		fns := l.SortedFunctions()
		c.Array(len(fns))
		for _, fn := range fns {
			c.Map(3)
			c.BulkString("name")
			c.BulkString(fn.Name)
			c.BulkString("description")
			if fn.Desc != "" {
				c.BulkString(fn.Desc)
			} else {
				c.Null()
			}
			c.BulkString("flags")
			n := 0
			for _, f := range scripting.FlagNames {
				if fn.Flags&f.Flag != 0 {
					n++
				}
			}
			c.Set(n)
			for _, f := range scripting.FlagNames {
				if fn.Flags&f.Flag != 0 {
					c.Simple(f.Name)
				}
			}
		}
		if withCode {
			c.BulkString("library_code")
			c.BulkString(l.Code)
		}
	}
}

// functionCodes is every library's code, for RDB, AOF and FUNCTION DUMP.
func (s *Server) functionCodes() [][]byte {
	if s.script.fn == nil {
		return nil
	}
	libs := s.script.fn.Libraries()
	out := make([][]byte, len(libs))
	for i, l := range libs {
		out[i] = []byte(l.Code)
	}
	return out
}

func functionDumpCommand(s *Server, c *conn) {
	s.scripting()
	var p []byte
	for _, code := range s.functionCodes() {
		p = rdb.AppendFunction(p, code, s.cfg.RDBCompression)
	}
	c.Bulk(rdb.AppendFooter(p, 0))
}

func functionRestoreCommand(s *Server, c *conn) {
	if len(c.Argv) > 4 {
		c.Error(subcommandSyntax(c))
		return
	}
	policy := "append"
	if len(c.Argv) == 4 {
		policy = strings.ToLower(string(c.Argv[3]))
		if policy != "append" && policy != "replace" && policy != "flush" {
			c.Error(errRestorePolicy)
			return
		}
	}
	body, err := rdb.VerifyPayload(c.Argv[2], !s.core.Debug.SkipChecksum)
	if err != nil {
		c.Error(errPayload)
		return
	}
	fns := s.scripting().fn
	set := scripting.NewSet()
	r := rdb.NewReader(body)
	for r.Remaining() > 0 {
		code, isFunction, err := rdb.ReadFunction(r)
		switch {
		case err != nil && !isFunction:
			c.Error(rerr.Line("ERR can not read data type"))
			return
		case !isFunction:
			c.Error(rerr.Line("ERR given type is not a function"))
			return
		case err != nil:
			c.Error(rerr.Line("ERR failed loading the given functions payload"))
			return
		}
		if errText := fns.LoadInto(set, code); errText != "" {
			c.Error(rerr.Line("ERR " + errText))
			return
		}
	}
	if policy == "flush" {
		fns.Replace(set)
	} else if errText := fns.Join(set, policy == "replace"); errText != "" {
		c.Error(rerr.Line("ERR " + errText))
		return
	}
	s.core.Dirty++
	c.Simple("OK")
}

func functionStatsCommand(s *Server, c *conn) {
	st := s.scripting()
	c.Map(2)
	c.BulkString("running_script")
	if r := st.run; r == nil {
		c.Null()
	} else {
		c.Map(3)
		c.BulkString("name")
		c.BulkString(r.Name)
		c.BulkString("command")
		c.Array(len(st.caller.Argv))
		for _, a := range st.caller.Argv {
			c.Bulk(a)
		}
		c.BulkString("duration_ms")
		c.Int((nanotime() - r.Start) / 1e6)
	}
	c.BulkString("engines")
	c.Map(1)
	c.BulkString("LUA")
	c.Map(2)
	libs, funcs := st.fn.Count()
	c.BulkString("libraries_count")
	c.Int(int64(libs))
	c.BulkString("functions_count")
	c.Int(int64(funcs))
}

var functionHelp = []string{
	"LOAD [REPLACE] <FUNCTION CODE>",
	"    Create a new library with the given library name and code.",
	"DELETE <LIBRARY NAME>",
	"    Delete the given library.",
	"LIST [LIBRARYNAME PATTERN] [WITHCODE]",
	"    Return general information on all the libraries:",
	"    * Library name",
	"    * The engine used to run the Library",
	"    * Library description",
	"    * Functions list",
	"    * Library code (if WITHCODE is given)",
	"    It also possible to get only function that matches a pattern using LIBRARYNAME argument.",
	"STATS",
	"    Return information about the current function running:",
	"    * Function name",
	"    * Command used to run the function",
	"    * Duration in MS that the function is running",
	"    If no function is running, return nil",
	"    In addition, returns a list of available engines.",
	"KILL",
	"    Kill the current running function.",
	"FLUSH [ASYNC|SYNC]",
	"    Delete all the libraries.",
	"    When called without the optional mode argument, the behavior is determined by the",
	"    lazyfree-lazy-user-flush configuration directive. Valid modes are:",
	"    * ASYNC: Asynchronously flush the libraries.",
	"    * SYNC: Synchronously flush the libraries.",
	"DUMP",
	"    Return a serialized payload representing the current libraries, can be restored using FUNCTION RESTORE command",
	"RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
	"    Restore the libraries represented by the given payload, it is possible to give a restore policy to",
	"    control how to handle existing libraries (default APPEND):",
	"    * FLUSH: delete all existing libraries.",
	"    * APPEND: appends the restored libraries to the existing libraries. On collision, abort.",
	"    * REPLACE: appends the restored libraries to the existing libraries, On collision, replace the old",
	"      libraries with the new libraries (notice that even on this option there is a chance of failure",
	"      in case of functions name collision with another library).",
}

func functionHelpCommand(s *Server, c *conn) { replyHelp(c, "FUNCTION", functionHelp) }

// loadFunction is the RDB loader's FUNCTION2 handler (rdbFunctionLoad);
// replace is DEBUG RELOAD MERGE's RDBFLAGS_ALLOW_DUP.
func (s *Server) loadFunction(code []byte, replace bool) error {
	if _, errText := s.scripting().fn.Load(code, replace, 0); errText != "" {
		return &functionLoadError{errText}
	}
	return nil
}

type functionLoadError struct{ msg string }

func (e *functionLoadError) Error() string { return "Failed loading library, " + e.msg }

// functionLoads puts the libraries at the head of a command-form AOF base
// as FUNCTION LOAD commands (rewriteFunctions).
type functionLoads struct {
	snapshot.Encoder
	codes [][]byte
}

var (
	argFunction = []byte("FUNCTION")
	argLoad     = []byte("LOAD")
)

func (e functionLoads) Header(dst []byte) []byte {
	dst = e.Encoder.Header(dst)
	for _, code := range e.codes {
		dst = resp.AppendCommand(dst, argFunction, argLoad, code)
	}
	return dst
}
