package command

import (
	"strings"
	"sync"

	"shoal/internal/hdr"
)

// Proc is a command handler. It reads c.Argv, works on c.DB and writes its
// reply into c. Arity has already been checked by the dispatcher.
type Proc func(c *Client)

// Command flags, parsed once from the spec's flag names.
const (
	FlagWrite uint64 = 1 << iota
	FlagReadOnly
	FlagDenyOOM
	FlagModule
	FlagAdmin
	FlagPubSub
	FlagNoScript
	FlagBlocking
	FlagLoading
	FlagStale
	FlagSkipMonitor
	FlagSkipSlowlog
	FlagFast
	FlagNoAuth
	FlagMayReplicate
	FlagNoMulti
	FlagAllowBusy
	FlagNoMandatoryKeys
	FlagNoAsyncLoading
	FlagMovableKeys
	FlagProtected
	FlagAsking // served on an importing slot without ASKING (RESTORE-ASKING)
)

var flagNames = map[string]uint64{
	"write":             FlagWrite,
	"readonly":          FlagReadOnly,
	"denyoom":           FlagDenyOOM,
	"module":            FlagModule,
	"admin":             FlagAdmin,
	"pubsub":            FlagPubSub,
	"noscript":          FlagNoScript,
	"blocking":          FlagBlocking,
	"loading":           FlagLoading,
	"stale":             FlagStale,
	"skip_monitor":      FlagSkipMonitor,
	"skip_slowlog":      FlagSkipSlowlog,
	"fast":              FlagFast,
	"no_auth":           FlagNoAuth,
	"may_replicate":     FlagMayReplicate,
	"no_multi":          FlagNoMulti,
	"allow_busy":        FlagAllowBusy,
	"no_mandatory_keys": FlagNoMandatoryKeys,
	"no_async_loading":  FlagNoAsyncLoading,
	"movablekeys":       FlagMovableKeys,
	"asking":            FlagAsking,
}

// Command is a live entry of the command table: its spec, its handler and
// its statistics (INFO commandstats).
type Command struct {
	*Spec
	Proc   Proc
	Flags  uint64
	Parent *Command
	Sub    map[string]*Command

	Calls int64
	Usec  int64
	// Latency is the command's latency histogram (latency-tracking),
	// nil until its first sample.
	Latency       *hdr.Histogram
	RejectedCalls int64
	FailedCalls   int64
}

// Has reports whether the command has all of flags.
func (cmd *Command) Has(flags uint64) bool { return cmd.Flags&flags == flags }

// FullName is the name as errors and stats print it: "get" or "config|get".
func (cmd *Command) FullName() string { return cmd.Name }

var (
	registry  = map[string]Proc{}
	tableOnce sync.Once
	table     map[string]*Command
	tableList []*Command
)

// Register binds a handler to a command name ("get", "config|get"). Every
// package that owns handlers registers them from init.
func Register(name string, p Proc) {
	if _, dup := registry[name]; dup {
		panic("command registered twice: " + name)
	}
	registry[name] = p
}

// protectedNames are the commands Redis 7.0 flags CMD_PROTECTED. COMMAND
// INFO does not show that flag, so the specs dumped from it lack it.
var protectedNames = map[string]bool{"debug": true, "module|load": true, "module|loadex": true, "module|unload": true}

func buildTable() {
	table = make(map[string]*Command, len(specTable))
	for _, s := range specTable {
		cmd := newCommand(s, nil)
		if cmd == nil {
			continue
		}
		table[s.Name] = cmd
		tableList = append(tableList, cmd)
	}
}

// newCommand makes the live command for spec s, or nil when Shoal has no
// handler for it (neither for it nor for any of its subcommands).
func newCommand(s *Spec, parent *Command) *Command {
	cmd := &Command{Spec: s, Parent: parent, Proc: registry[s.Name]}
	for _, f := range s.Flags {
		cmd.Flags |= flagNames[f]
	}
	if protectedNames[s.Name] {
		cmd.Flags |= FlagProtected
	}
	if len(s.Subcommands) > 0 {
		cmd.Sub = make(map[string]*Command, len(s.Subcommands))
		for _, ss := range s.Subcommands {
			if sc := newCommand(ss, cmd); sc != nil {
				cmd.Sub[strings.TrimPrefix(ss.Name, s.Name+"|")] = sc
			}
		}
		if len(cmd.Sub) == 0 && cmd.Proc == nil {
			return nil
		}
		return cmd
	}
	if cmd.Proc == nil {
		return nil
	}
	return cmd
}

// Rename is rename-command: the command named from answers as to, or no
// longer at all when to is "", keeping its own name in stats and COMMAND
// (loadServerConfigFromString). Start-up only, before clients look up
// commands. It returns Redis's reason for refusing the rename, or "".
func Rename(from, to string) string {
	tableOnce.Do(buildTable)
	from, to = strings.ToLower(from), strings.ToLower(to)
	cmd := table[from]
	if cmd == nil {
		return "No such command in rename-command"
	}
	delete(table, from)
	if to == "" {
		return ""
	}
	if _, ok := table[to]; ok {
		return "Target command name already exists"
	}
	table[to] = cmd
	return ""
}

// Lookup finds the command named by name, case-insensitively, without
// allocating.
func Lookup(name []byte) *Command {
	tableOnce.Do(buildTable)
	var buf [32]byte
	if len(name) > len(buf) {
		return table[strings.ToLower(string(name))]
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		buf[i] = c
	}
	return table[string(buf[:len(name)])]
}

// LookupSub finds subcommand name of cmd, case-insensitively.
func (cmd *Command) LookupSub(name []byte) *Command {
	var buf [32]byte
	if len(name) > len(buf) {
		return cmd.Sub[strings.ToLower(string(name))]
	}
	for i, c := range name {
		if c >= 'A' && c <= 'Z' {
			c += 32
		}
		buf[i] = c
	}
	return cmd.Sub[string(buf[:len(name)])]
}

// All returns every live top-level command, sorted by name.
func All() []*Command {
	tableOnce.Do(buildTable)
	return tableList
}

// Unimplemented lists the names of Redis 7.0 commands (and subcommands)
// that have a spec but no handler yet.
func Unimplemented() []string {
	var out []string
	var walk func(s *Spec)
	walk = func(s *Spec) {
		if len(s.Subcommands) == 0 {
			if registry[s.Name] == nil {
				out = append(out, s.Name)
			}
			return
		}
		for _, ss := range s.Subcommands {
			walk(ss)
		}
	}
	for _, s := range specTable {
		walk(s)
	}
	return out
}
