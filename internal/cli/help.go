package cli

import (
	"sort"
	"strings"

	"shoal/internal/resp"
)

// helpEntry is one command, subcommand or @group known to help, hints and
// completion, built from COMMAND DOCS as cliInitHelp builds redis-cli's.
type helpEntry struct {
	argv    []string // "CONFIG", "GET"
	full    string   // "CONFIG GET" or "@string"
	group   bool
	params  string
	summary string
	since   string
	grp     string
}

type helpTable struct {
	loaded  bool
	entries []helpEntry
}

// initHelp fetches COMMAND DOCS. Without a server there is no table:
// shoal-cli carries no copy of Redis's help.h.
func (s *session) initHelp() {
	s.help = helpTable{loaded: true}
	if !s.connect(ccQuiet) {
		return
	}
	v, err := s.conn.Do("COMMAND", "DOCS")
	if err != nil || (v.Kind != '*' && v.Kind != '%') {
		return
	}
	groups := map[string]bool{}
	for i := 0; i+1 < len(v.Elems); i += 2 {
		s.help.addCommand(string(v.Elems[i].Str), "", v.Elems[i+1], groups)
	}
	for g := range groups {
		s.help.entries = append(s.help.entries, helpEntry{argv: []string{"@" + g}, full: "@" + g, group: true})
	}
	sort.Slice(s.help.entries, func(i, j int) bool { return s.help.entries[i].full < s.help.entries[j].full })
}

func (h *helpTable) addCommand(name, sub string, specs resp.Value, groups map[string]bool) {
	e := helpEntry{argv: []string{strings.ToUpper(name)}}
	if sub != "" {
		e.argv = append(e.argv, strings.ToUpper(sub[strings.IndexByte(sub, '|')+1:]))
	}
	e.full = strings.Join(e.argv, " ")
	idx := len(h.entries)
	h.entries = append(h.entries, e)
	for j := 0; j+1 < len(specs.Elems); j += 2 {
		val := specs.Elems[j+1]
		switch string(specs.Elems[j].Str) {
		case "summary":
			h.entries[idx].summary = string(val.Str)
		case "since":
			h.entries[idx].since = string(val.Str)
		case "group":
			h.entries[idx].grp = string(val.Str)
			groups[string(val.Str)] = true
		case "arguments":
			h.entries[idx].params = concatArgs("", val, " ")
		case "subcommands":
			for i := 0; i+1 < len(val.Elems); i += 2 {
				h.addCommand(name, string(val.Elems[i].Str), val.Elems[i+1], groups)
			}
		}
	}
}

func orEmpty(s string) string {
	if s == "" {
		return `""`
	}
	return s
}

// concatArgs is cliConcatArguments.
func concatArgs(params string, args resp.Value, sep string) string {
	for j, a := range args.Elems {
		params = addArg(params, a)
		if j != len(args.Elems)-1 {
			params += sep
		}
	}
	return params
}

// addArg is cliAddArgument: "[TOKEN name [name ...]]".
func addArg(params string, m resp.Value) string {
	var name, typ, token, repeat string
	var optional, multiple, multipleToken bool
	var args resp.Value
	if m.Kind != '%' && m.Kind != '*' {
		return params
	}
	for i := 0; i+1 < len(m.Elems); i += 2 {
		val := m.Elems[i+1]
		switch string(m.Elems[i].Str) {
		case "name":
			name = string(val.Str)
		case "token":
			token += orEmpty(string(val.Str))
		case "type":
			typ = string(val.Str)
		case "arguments":
			args = val
		case "flags":
			for _, f := range val.Elems {
				switch string(f.Str) {
				case "optional":
					optional = true
				case "multiple":
					multiple = true
				case "multiple_token":
					multipleToken = true
				}
			}
		}
	}
	switch typ {
	case "key", "string", "integer", "double", "pattern", "unix-time", "token":
		repeat = orEmpty(name)
	case "oneof":
		repeat = concatArgs("", args, "|")
	case "block":
		repeat = concatArgs("", args, " ")
	}
	if token != "" && typ != "pure-token" {
		token += " "
	}
	if optional {
		params += "["
	}
	params += token + repeat
	if multiple {
		params += " ["
		if multipleToken {
			params += token
		}
		params += repeat + " ...]"
	}
	if optional {
		params += "]"
	}
	return params
}

// outputHelp is cliOutputHelp.
func (s *session) outputHelp(argv []string) {
	if len(argv) == 0 {
		s.outf("shoal-cli %s\n"+
			"To get help about Redis commands type:\n"+
			"      \"help @<group>\" to get a list of commands in <group>\n"+
			"      \"help <command>\" for help on <command>\n"+
			"      \"help <tab>\" to get a list of possible help topics\n"+
			"      \"quit\" to exit\n"+
			"\n"+
			"To set redis-cli preferences:\n"+
			"      \":set hints\" enable online hints\n"+
			"      \":set nohints\" disable online hints\n"+
			"Set your preferences in ~/.redisclirc\n", Version)
		return
	}
	if !s.help.loaded {
		s.initHelp()
	}
	group := ""
	if argv[0][0] == '@' {
		group = argv[0][1:]
	}
	for _, e := range s.help.entries {
		if e.group {
			continue
		}
		if group == "" {
			if len(argv) > len(e.argv) {
				continue
			}
			match := true
			for j := range argv {
				if !strings.EqualFold(argv[j], e.argv[j]) {
					match = false
					break
				}
			}
			if match {
				s.commandHelp(e, true)
			}
		} else if strings.EqualFold(group, e.grp) {
			s.commandHelp(e, false)
		}
	}
	s.outf("\r\n")
}

func (s *session) commandHelp(e helpEntry, group bool) {
	s.outf("\r\n  \x1b[1m%s\x1b[0m \x1b[90m%s\x1b[0m\r\n", e.full, e.params)
	s.outf("  \x1b[33msummary:\x1b[0m %s\r\n", e.summary)
	if e.since != "" {
		s.outf("  \x1b[33msince:\x1b[0m %s\r\n", e.since)
	}
	if group {
		s.outf("  \x1b[33mgroup:\x1b[0m %s\r\n", e.grp)
	}
}

// completions is completionCallback: the lines buf may be completed to.
func (h *helpTable) completions(buf string) []string {
	start := 0
	groups := false
	if len(buf) >= 5 && strings.EqualFold(buf[:5], "help ") {
		start = 5
		for start < len(buf) && isSpace(buf[start]) {
			start++
		}
		groups = true
	}
	var out []string
	for _, e := range h.entries {
		if e.group && !groups {
			continue
		}
		p := buf[start:]
		if len(p) <= len(e.full) && strings.EqualFold(p, e.full[:len(p)]) {
			out = append(out, buf[:start]+e.full)
		}
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || (c >= '\t' && c <= '\r') }

// hint is hintsCallback: the arguments still to type after buf.
func (h *helpTable) hint(buf string) string {
	argv, err := resp.SplitArgs([]byte(buf))
	if err != nil || len(argv) == 0 {
		return ""
	}
	var entry *helpEntry
	matchlen := 0
	for i := range h.entries {
		e := &h.entries[i]
		if e.group || len(e.argv) > len(argv) {
			continue
		}
		j := 0
		for ; j < len(e.argv); j++ {
			if !strings.EqualFold(e.argv[j], string(argv[j])) {
				break
			}
		}
		if j == len(e.argv) && len(e.argv) > matchlen {
			matchlen, entry = len(e.argv), e
		}
	}
	if entry == nil {
		return ""
	}
	hint := entry.params
	for remove := len(argv) - matchlen; remove > 0 && hint != ""; hint = hint[1:] {
		if hint[0] == '[' {
			break
		}
		if hint[0] == ' ' {
			remove--
		}
	}
	if buf != "" && !isSpace(buf[len(buf)-1]) {
		hint = " " + hint
	}
	return hint
}
