package config

import (
	"math"
	"strconv"
	"strings"
)

// Reasons shared by several directives, spelled as Redis 7.0 spells them.
const (
	reasonNotInt    = "argument couldn't be parsed into an integer"
	reasonNotOctal  = "argument couldn't be parsed as an octal number"
	reasonNotMemory = "argument must be a memory value"
	reasonNotBool   = "argument must be 'yes' or 'no'"
	reasonSave      = "Invalid save parameters"
	reasonNotMemPct = "argument must be a memory or percent value"
	reasonPercent   = "percentage argument must be less or equal to 100"
	reasonArgs      = "wrong number of arguments"
	reasonObufArgs  = "Wrong number of arguments in buffer limit configuration."
	reasonObufClass = "Invalid client class specified in buffer limit configuration."
	reasonObufValue = "Error in hard, soft or soft_seconds setting in buffer limit configuration."
	reasonNotify    = "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."
	reasonDefrag    = "Active defragmentation cannot be enabled: it requires a Redis server compiled with a modified Jemalloc like the one shipped by default with the Redis source distribution"
)

// parseInt parses a decimal integer as strictly as Redis's string2ll: no
// sign other than a leading '-', no leading zeros, no spaces, no overflow.
func parseInt(s string) (int64, bool) {
	if s == "0" {
		return 0, true
	}
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || d[0] < '1' || d[0] > '9' {
		return 0, false
	}
	for i := 1; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, false
	}
	return v, true
}

// ParseMemory parses a size with the units of Redis's memtoull: k/m/g are
// powers of 1000, kb/mb/gb powers of 1024, b or nothing is bytes, case
// insensitive. Like memtoull, a digit run too large saturates and the unit
// multiplication wraps.
func ParseMemory(s string) (uint64, bool) {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	var mul uint64
	switch strings.ToLower(s[n:]) {
	case "", "b":
		mul = 1
	case "k":
		mul = 1000
	case "kb":
		mul = 1024
	case "m":
		mul = 1000 * 1000
	case "mb":
		mul = 1024 * 1024
	case "g":
		mul = 1000 * 1000 * 1000
	case "gb":
		mul = 1024 * 1024 * 1024
	default:
		return 0, false
	}
	var v uint64
	if n > 0 {
		var err error
		v, err = strconv.ParseUint(s[:n], 10, 64)
		if err != nil {
			v = math.MaxUint64
		}
	}
	return v * mul, true
}

// parseMemoryOrPercent parses a memory value, or a percentage ("10%", the
// number as strict as parseInt) returned negated. A memory value too large
// for int64 comes back negative, as Redis's conversion leaves it.
func parseMemoryOrPercent(s string) (int64, bool) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		v, ok := parseInt(p)
		if !ok || v < 0 {
			return 0, false
		}
		return -v, true
	}
	v, ok := ParseMemory(s)
	return int64(v), ok
}

// formatMemory renders a size as CONFIG REWRITE does: in gb, mb or kb when
// the value is an exact multiple, else in bytes.
func formatMemory(v uint64) string {
	switch {
	case v == 0:
		return "0"
	case v%(1<<30) == 0:
		return strconv.FormatUint(v>>30, 10) + "gb"
	case v%(1<<20) == 0:
		return strconv.FormatUint(v>>20, 10) + "mb"
	case v%(1<<10) == 0:
		return strconv.FormatUint(v>>10, 10) + "kb"
	}
	return strconv.FormatUint(v, 10)
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "yes":
		return true, true
	case "no":
		return false, true
	}
	return false, false
}

func formatBool(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func rangeReason(lo, hi string) string {
	return "argument must be between " + lo + " and " + hi + " inclusive"
}

// SavePoint is one "save <seconds> <changes>" snapshot rule.
type SavePoint struct {
	Seconds int64
	Changes int64
}

// parseSave parses the argument pairs of the save directive.
func parseSave(args []string) ([]SavePoint, bool) {
	if len(args)%2 != 0 {
		return nil, false
	}
	pts := make([]SavePoint, 0, len(args)/2)
	for i := 0; i < len(args); i += 2 {
		secs, ok1 := parseInt(args[i])
		chg, ok2 := parseInt(args[i+1])
		if !ok1 || !ok2 || secs < 1 || chg < 0 {
			return nil, false
		}
		pts = append(pts, SavePoint{Seconds: secs, Changes: chg})
	}
	return pts, true
}

// Client classes of client-output-buffer-limit, in Redis's order.
const (
	ClientNormal = iota
	ClientReplica
	ClientPubSub
	numClientClasses
)

// BufferLimit is one class of client-output-buffer-limit.
type BufferLimit struct {
	Hard, Soft  int64
	SoftSeconds int64
}

var obufGetNames = [numClientClasses]string{"normal", "slave", "pubsub"}
var obufRewriteNames = [numClientClasses]string{"normal", "replica", "pubsub"}

// parseBufferLimits applies "class hard soft seconds" groups onto cur.
func parseBufferLimits(cur [numClientClasses]BufferLimit, args []string) ([numClientClasses]BufferLimit, string) {
	if len(args)%4 != 0 {
		return cur, reasonObufArgs
	}
	for i := 0; i < len(args); i += 4 {
		class := -1
		switch strings.ToLower(args[i]) {
		case "normal":
			class = ClientNormal
		case "replica", "slave":
			class = ClientReplica
		case "pubsub":
			class = ClientPubSub
		}
		if class < 0 {
			return cur, reasonObufClass
		}
		hard, ok1 := ParseMemory(args[i+1])
		soft, ok2 := ParseMemory(args[i+2])
		secs, ok3 := parseInt(args[i+3])
		if !ok1 || !ok2 || !ok3 || secs < 0 {
			return cur, reasonObufValue
		}
		cur[class] = BufferLimit{Hard: int64(hard), Soft: int64(soft), SoftSeconds: secs}
	}
	return cur, ""
}

// Keyspace notification flags of notify-keyspace-events.
const (
	NotifyKeyspace = 1 << iota
	NotifyKeyevent
	NotifyGeneric
	NotifyString
	NotifyList
	NotifySet
	NotifyHash
	NotifyZset
	NotifyExpired
	NotifyEvicted
	NotifyStream
	NotifyKeyMiss
	NotifyModule
	NotifyNew
	NotifyAll = NotifyGeneric | NotifyString | NotifyList | NotifySet | NotifyHash |
		NotifyZset | NotifyExpired | NotifyEvicted | NotifyStream | NotifyModule
)

// notifyChars lists the class characters in the order Redis renders them
// when not all of NotifyAll is set.
var notifyChars = []struct {
	c    byte
	flag int
}{
	{'g', NotifyGeneric}, {'$', NotifyString}, {'l', NotifyList}, {'s', NotifySet},
	{'h', NotifyHash}, {'z', NotifyZset}, {'x', NotifyExpired}, {'e', NotifyEvicted},
	{'t', NotifyStream}, {'d', NotifyModule}, {'n', NotifyNew},
}

func parseNotify(s string) (int, bool) {
	flags := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case 'A':
			flags |= NotifyAll
		case 'K':
			flags |= NotifyKeyspace
		case 'E':
			flags |= NotifyKeyevent
		case 'm':
			flags |= NotifyKeyMiss
		default:
			found := false
			for _, nc := range notifyChars {
				if nc.c == c {
					flags |= nc.flag
					found = true
				}
			}
			if !found {
				return 0, false
			}
		}
	}
	return flags, true
}

// formatNotify renders flags as Redis does: "A" stands for the whole
// NotifyAll group (and then hides 'n'), K, E and m come last.
func formatNotify(flags int) string {
	var b []byte
	if flags&NotifyAll == NotifyAll {
		b = append(b, 'A')
	} else {
		for _, nc := range notifyChars {
			if flags&nc.flag != 0 {
				b = append(b, nc.c)
			}
		}
	}
	if flags&NotifyKeyspace != 0 {
		b = append(b, 'K')
	}
	if flags&NotifyKeyevent != 0 {
		b = append(b, 'E')
	}
	if flags&NotifyKeyMiss != 0 {
		b = append(b, 'm')
	}
	return string(b)
}
