package config

import (
	"strings"

	"shoal/internal/resp"
)

// splitArgs splits a configuration line into arguments with the quoting
// rules of Redis's sdssplitargs; ok is false on unbalanced quotes.
func splitArgs(line string) (args []string, ok bool) {
	argv, err := resp.SplitArgs([]byte(line))
	if err != nil {
		return nil, false
	}
	args = make([]string, len(argv))
	for i, a := range argv {
		args[i] = string(a)
	}
	return args, true
}

// repr quotes s as Redis's sdscatrepr does, so that splitArgs reads it back.
func repr(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\', '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\a':
			b.WriteString(`\a`)
		case '\b':
			b.WriteString(`\b`)
		default:
			if c >= 0x20 && c < 0x7f {
				b.WriteByte(c)
			} else {
				b.WriteString(`\x`)
				b.WriteByte("0123456789abcdef"[c>>4])
				b.WriteByte("0123456789abcdef"[c&15])
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}
