// Package format prints replies as redis-cli 7.0 prints them (src/redis-cli.c
// cliFormatReplyTTY, cliFormatReplyRaw, cliFormatReplyCSV,
// cliFormatReplyJson). It turns a resp.Value into bytes and does no I/O.
//
// It imports only internal/resp.
package format

import (
	"errors"
	"strconv"

	"shoal/internal/resp"
)

// Mode is an output mode of redis-cli.
type Mode int

// The output modes, as redis-cli's OUTPUT_* constants.
const (
	Standard   Mode = iota // the "tty" form: (integer) 1, 1) "a"
	Raw                    // --raw, and the default when stdout is not a terminal
	CSV                    // --csv
	JSON                   // --json
	QuotedJSON             // --quoted-json
)

// UnknownTypeError is returned for a reply type hiredis 1.0 reads but
// redis-cli 7.0 cannot print (a RESP3 big number); redis-cli prints
// "Unknown reply type: N" and exits 1. Type is hiredis's type number.
type UnknownTypeError struct{ Type int }

func (e *UnknownTypeError) Error() string {
	return "Unknown reply type: " + strconv.Itoa(e.Type)
}

// ErrAttribute is what hiredis 1.0, as bundled with redis-cli 7.0, reports
// for a RESP3 attribute: redis-cli prints it as a context error and exits 1.
var ErrAttribute = errors.New(`Protocol error, got "|" as reply type byte`)

// hiredisBignum is REDIS_REPLY_BIGNUM.
const hiredisBignum = 13

// Reply formats v in mode. It appends to dst the whole text redis-cli
// writes for one reply: with Raw the command delimiter cmdDelim follows,
// with CSV and JSON a newline. mbDelim separates Raw aggregate elements
// (-d). verbatim forces raw formatting, as redis-cli does for INFO,
// CLIENT LIST and other text replies.
func Reply(dst []byte, v resp.Value, mode Mode, verbatim bool, mbDelim, cmdDelim string) ([]byte, error) {
	if err := check(v); err != nil {
		return dst, err
	}
	switch {
	case verbatim:
		return appendRaw(dst, v, mbDelim), nil
	case mode == Standard:
		return appendTTY(dst, v, ""), nil
	case mode == Raw:
		dst = appendRaw(dst, v, mbDelim)
		return append(dst, cmdDelim...), nil
	case mode == CSV:
		dst = appendCSV(dst, v)
		return append(dst, '\n'), nil
	default:
		dst = appendJSON(dst, v, mode)
		return append(dst, '\n'), nil
	}
}

// check finds what hiredis or redis-cli refuse anywhere in v.
func check(v resp.Value) error {
	switch v.Kind {
	case '(':
		return &UnknownTypeError{hiredisBignum}
	case '|':
		return ErrAttribute
	}
	for _, e := range v.Elems {
		if err := check(e); err != nil {
			return err
		}
	}
	return nil
}

// text returns the bytes hiredis keeps for a string-like reply: a verbatim
// string without its "txt:" format prefix.
func text(v resp.Value) []byte {
	if v.Kind == '=' && len(v.Str) >= 4 {
		return v.Str[4:]
	}
	return v.Str
}

func isNil(v resp.Value) bool { return v.Null || v.Kind == '_' }

func isAggregate(v resp.Value) bool {
	switch v.Kind {
	case '*', '%', '~', '>':
		return !v.Null
	}
	return false
}

// multiline is cliIsMultilineValueTTY.
func multiline(v resp.Value) bool {
	if !isAggregate(v) || len(v.Elems) == 0 {
		return false
	}
	if v.Kind == '%' {
		if len(v.Elems) > 2 {
			return true
		}
		return multiline(v.Elems[1])
	}
	if len(v.Elems) > 1 {
		return true
	}
	return multiline(v.Elems[0])
}

// appendTTY is cliFormatReplyTTY.
func appendTTY(dst []byte, v resp.Value, prefix string) []byte {
	switch {
	case isNil(v):
		return append(dst, "(nil)\n"...)
	case v.Kind == '-':
		dst = append(dst, "(error) "...)
		dst = append(dst, v.Str...)
		return append(dst, '\n')
	case v.Kind == '+':
		dst = append(dst, v.Str...)
		return append(dst, '\n')
	case v.Kind == ':':
		dst = append(dst, "(integer) "...)
		dst = strconv.AppendInt(dst, v.Int, 10)
		return append(dst, '\n')
	case v.Kind == ',':
		dst = append(dst, "(double) "...)
		dst = append(dst, v.Str...)
		return append(dst, '\n')
	case v.Kind == '$':
		dst = resp.AppendRepr(dst, v.Str)
		return append(dst, '\n')
	case v.Kind == '=':
		dst = append(dst, text(v)...)
		return append(dst, '\n')
	case v.Kind == '#':
		if v.Int != 0 {
			return append(dst, "(true)\n"...)
		}
		return append(dst, "(false)\n"...)
	}
	if len(v.Elems) == 0 {
		switch v.Kind {
		case '*':
			return append(dst, "(empty array)\n"...)
		case '%':
			return append(dst, "(empty hash)\n"...)
		case '~':
			return append(dst, "(empty set)\n"...)
		default:
			return append(dst, "(empty push)\n"...)
		}
	}
	n := len(v.Elems)
	if v.Kind == '%' {
		n /= 2
	}
	idxlen := len(strconv.Itoa(n))
	sub := prefix + spaces(idxlen+2)
	sep := byte(')')
	switch v.Kind {
	case '~':
		sep = '~'
	case '%':
		sep = '#'
	}
	for i := 0; i < len(v.Elems); i++ {
		human := i + 1
		if v.Kind == '%' {
			human = i/2 + 1
		}
		if i != 0 {
			dst = append(dst, prefix...)
		}
		num := strconv.Itoa(human)
		dst = append(dst, spaces(idxlen-len(num))...)
		dst = append(dst, num...)
		dst = append(dst, sep, ' ')
		dst = appendTTY(dst, v.Elems[i], sub)
		if v.Kind == '%' {
			i++
			dst = dst[:len(dst)-1]
			dst = append(dst, " => "...)
			if multiline(v.Elems[i]) {
				dst = append(dst, '\n')
				dst = append(dst, sub...)
			}
			dst = appendTTY(dst, v.Elems[i], sub)
		}
	}
	return dst
}

func spaces(n int) string {
	const s = "                                                                "
	if n <= len(s) {
		return s[:n]
	}
	b := make([]byte, n)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}

// appendRaw is cliFormatReplyRaw.
func appendRaw(dst []byte, v resp.Value, mbDelim string) []byte {
	switch {
	case isNil(v):
		return dst
	case v.Kind == '-':
		dst = append(dst, v.Str...)
		return append(dst, '\n')
	case v.Kind == '+', v.Kind == '$', v.Kind == '=', v.Kind == ',':
		return append(dst, text(v)...)
	case v.Kind == '#':
		if v.Int != 0 {
			return append(dst, "(true)"...)
		}
		return append(dst, "(false)"...)
	case v.Kind == ':':
		return strconv.AppendInt(dst, v.Int, 10)
	case v.Kind == '%':
		for i := 0; i+1 < len(v.Elems); i += 2 {
			if i > 0 {
				dst = append(dst, mbDelim...)
			}
			dst = appendRaw(dst, v.Elems[i], mbDelim)
			dst = append(dst, ' ')
			dst = appendRaw(dst, v.Elems[i+1], mbDelim)
		}
		return dst
	}
	for i, e := range v.Elems {
		if i > 0 {
			dst = append(dst, mbDelim...)
		}
		dst = appendRaw(dst, e, mbDelim)
	}
	return dst
}

// appendCSV is cliFormatReplyCSV.
func appendCSV(dst []byte, v resp.Value) []byte {
	switch {
	case isNil(v):
		return append(dst, "NULL"...)
	case v.Kind == '-':
		dst = append(dst, "ERROR,"...)
		return resp.AppendRepr(dst, cstr(v.Str))
	case v.Kind == '+', v.Kind == '$', v.Kind == '=':
		return resp.AppendRepr(dst, text(v))
	case v.Kind == ':':
		return strconv.AppendInt(dst, v.Int, 10)
	case v.Kind == ',':
		return append(dst, v.Str...)
	case v.Kind == '#':
		if v.Int != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	}
	for i, e := range v.Elems {
		dst = appendCSV(dst, e)
		if i != len(v.Elems)-1 {
			dst = append(dst, ',')
		}
	}
	return dst
}

// cstr cuts b at its first NUL, as C's strlen does where redis-cli uses it.
func cstr(b []byte) []byte {
	for i, c := range b {
		if c == 0 {
			return b[:i]
		}
	}
	return b
}

// appendJSON is cliFormatReplyJson.
func appendJSON(dst []byte, v resp.Value, mode Mode) []byte {
	switch {
	case isNil(v):
		return append(dst, "null"...)
	case v.Kind == '-':
		dst = append(dst, "error:"...)
		return appendJSONString(dst, cstr(v.Str), mode)
	case v.Kind == '+', v.Kind == '$', v.Kind == '=':
		return appendJSONString(dst, text(v), mode)
	case v.Kind == ':':
		return strconv.AppendInt(dst, v.Int, 10)
	case v.Kind == ',':
		return append(dst, v.Str...)
	case v.Kind == '#':
		if v.Int != 0 {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case v.Kind == '%':
		dst = append(dst, '{')
		for i := 0; i+1 < len(v.Elems); i += 2 {
			k := v.Elems[i]
			switch k.Kind {
			case '-', '+', '$', '=':
				if isNil(k) {
					dst = appendJSONKey(dst, k, mode)
				} else {
					dst = appendJSON(dst, k, mode)
				}
			default:
				dst = appendJSONKey(dst, k, mode)
			}
			dst = append(dst, ':')
			dst = appendJSON(dst, v.Elems[i+1], mode)
			if i != len(v.Elems)-2 {
				dst = append(dst, ',')
			}
		}
		return append(dst, '}')
	}
	dst = append(dst, '[')
	for i, e := range v.Elems {
		dst = appendJSON(dst, e, mode)
		if i != len(v.Elems)-1 {
			dst = append(dst, ',')
		}
	}
	return append(dst, ']')
}

// appendJSONKey writes a map key that is not a string: its JSON form, in
// quotes unless it already is a quoted string.
func appendJSONKey(dst []byte, k resp.Value, mode Mode) []byte {
	s := appendJSON(nil, k, mode)
	if len(s) > 0 && s[0] == '"' {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	dst = append(dst, s...)
	return append(dst, '"')
}

// appendJSONString is jsonStringOutput: escapeJsonString for --json, the
// sdscatrepr form with its backslashes doubled for --quoted-json.
func appendJSONString(dst, s []byte, mode Mode) []byte {
	if mode == QuotedJSON {
		for _, c := range resp.AppendRepr(nil, s) {
			if c == '\\' {
				dst = append(dst, '\\', '\\')
			} else {
				dst = append(dst, c)
			}
		}
		return dst
	}
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for _, c := range s {
		switch c {
		case '\\', '"':
			dst = append(dst, '\\', c)
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\b':
			dst = append(dst, '\\', 'b')
		default:
			if c <= 0x1f {
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// Invalidate is cliFormatInvalidateTTY: the form of a RESP3 "invalidate"
// push in standard output. ok is false when v is not such a push.
func Invalidate(dst []byte, v resp.Value) ([]byte, bool) {
	if v.Kind != '>' || len(v.Elems) != 2 || v.Elems[0].Kind != '$' ||
		len(v.Elems[0].Str) < 10 || string(v.Elems[0].Str[:10]) != "invalidate" ||
		v.Elems[1].Kind != '*' || v.Elems[1].Null {
		return dst, false
	}
	dst = append(dst, "-> invalidate: "...)
	keys := v.Elems[1].Elems
	for i, k := range keys {
		dst = append(dst, '\'')
		dst = append(dst, cstr(k.Str)...)
		dst = append(dst, '\'')
		if i < len(keys)-1 {
			dst = append(dst, ", "...)
		}
	}
	return append(dst, '\n'), true
}
