package config

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// FileError is a fatal configuration error found while loading. The caller
// prints Error() to stderr and exits with status 1, as redis-server does.
type FileError struct {
	// File is the file being read; "" for command-line options.
	File string
	// Line is the 1-based line number within the text being parsed; 0 when
	// the file could not be opened.
	Line int
	// Text is the offending line, trimmed, as redis-server echoes it.
	Text string
	// Directive is the lower-cased directive name of the line, if any.
	Directive string
	// Reason says what is wrong.
	Reason string
}

// Error renders the error in redis-server's fatal config error shape.
func (e *FileError) Error() string {
	if e.Line == 0 {
		return "Fatal error, can't open config file '" + e.File + "': " + e.Reason
	}
	return "\n*** FATAL CONFIG FILE ERROR (Shoal) ***\n" +
		"Reading the configuration file, at line " + strconv.Itoa(e.Line) + "\n" +
		">>> '" + e.Text + "'\n" + e.Reason
}

// ParseArgs reads redis-server's command line (without the program name):
// an optional config file path first, then "--directive value..." options.
// It returns the path and the options as [directive, args...] groups for
// Load. As redis-server 7.0, the word after an option name is always its
// value, a bare "--save" (last, or followed by another option) means
// save "", and an option name may carry its value ("--port 6380" as one
// argument).
func ParseArgs(args []string) (path string, overrides [][]string) {
	j := 0
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		path = args[0]
		j = 1
	}
	valueNext := true
	for ; j < len(args); j++ {
		a := args[j]
		if valueNext && strings.HasPrefix(a, "--") {
			words, ok := splitArgs(a[2:])
			if !ok || len(words) == 0 {
				words = []string{a[2:]}
			}
			overrides = append(overrides, words)
			valueNext = len(words) > 1
			if len(words) == 1 && strings.EqualFold(a, "--save") &&
				(j == len(args)-1 || strings.HasPrefix(args[j+1], "--")) {
				overrides[len(overrides)-1] = append(words, "")
				valueNext = true
			}
			continue
		}
		if len(overrides) == 0 {
			overrides = append(overrides, []string{""})
		}
		last := len(overrides) - 1
		overrides[last] = append(overrides[last], a)
		valueNext = true
	}
	return path, overrides
}

// Load reads the config file at path ("" for none), then applies overrides
// (each [directive, args...], as from ParseArgs) after it, later settings
// winning. Errors are *FileError. Line numbers follow redis-server, which
// parses the file text, a newline, then one line per option.
func Load(path string, overrides [][]string) (*Config, error) {
	c := Default()
	c.loading = true
	var text string
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return nil, openError(path, err)
		}
		text = string(b)
		if abs, err := filepath.Abs(path); err == nil {
			c.path = abs
		} else {
			c.path = path
		}
	}
	lines := make([]string, len(overrides))
	for i, o := range overrides {
		var b strings.Builder
		for k, w := range o {
			if k > 0 {
				b.WriteString(repr(w))
			} else {
				b.WriteString(w)
			}
			b.WriteByte(' ')
		}
		lines[i] = b.String()
	}
	fileLines := strings.Count(text, "\n") + 1
	text += "\n" + strings.Join(lines, "\n")
	if err := c.loadText(path, text, 0); err != nil {
		var fe *FileError
		if errors.As(err, &fe) && fe.File == path && fe.Line > fileLines {
			fe.File = ""
		}
		return nil, err
	}
	c.loading = false
	c.saveLoaded = false
	return c, nil
}

// RenameCommand applies a rename-command line as it is read (set by the
// server, which owns the command table; config cannot import it). It
// returns Redis's reason for refusing the line, or "".
var RenameCommand func(from, to string) string

// maxIncludeDepth bounds include recursion so a file including itself
// fails instead of overflowing the stack.
const maxIncludeDepth = 16

func (c *Config) loadText(file, text string, depth int) error {
	for i, raw := range strings.Split(text, "\n") {
		line := strings.Trim(raw, " \t\r\n")
		if line == "" || line[0] == '#' {
			continue
		}
		fail := func(name, reason string) error {
			return &FileError{File: file, Line: i + 1, Text: line, Directive: name, Reason: reason}
		}
		args, ok := splitArgs(line)
		if !ok {
			return fail("", "Unbalanced quotes in configuration line")
		}
		if len(args) == 0 {
			continue
		}
		name := strings.ToLower(args[0])
		if name == "include" {
			if len(args) != 2 {
				return fail(name, "Bad directive or wrong number of arguments")
			}
			if depth >= maxIncludeDepth {
				return fail(name, "include nesting too deep")
			}
			b, err := os.ReadFile(args[1])
			if err != nil {
				return openError(args[1], err)
			}
			if err := c.loadText(args[1], string(b), depth+1); err != nil {
				return err
			}
			continue
		}
		if name == "rename-command" && len(args) == 3 && RenameCommand != nil {
			if r := RenameCommand(args[1], args[2]); r != "" {
				return fail(name, r)
			}
			continue
		}
		d := lookup(name)
		if d == nil {
			return fail(name, "Bad directive or wrong number of arguments")
		}
		if !d.multi && len(args) != 2 {
			return fail(name, reasonArgs)
		}
		vals := args[1:]
		if d.multi && len(vals) == 1 && vals[0] != "" {
			// As redis-server 7.0, a multi-argument directive given one
			// non-empty value ("pubsub 1mb 512kb 60" quoted, from a file or
			// the command line) splits it again like a line; a value that
			// does not split (unbalanced quotes) gives no arguments.
			vals, _ = splitArgs(vals[0])
		}
		if r := d.set(c, vals); r != "" {
			return fail(name, r)
		}
	}
	return nil
}

// openError reports an unreadable file with the C library's wording
// ("No such file or directory").
func openError(path string, err error) error {
	reason := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		reason = errno.Error()
		if reason != "" {
			reason = strings.ToUpper(reason[:1]) + reason[1:]
		}
	}
	return &FileError{File: path, Reason: reason}
}
