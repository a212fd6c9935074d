package cluster

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"shoal/internal/cluster/bus"
)

var flagNames = []struct {
	f    uint16
	name string
}{
	{FlagMyself, "myself"}, {FlagMaster, "master"}, {FlagSlave, "slave"}, {FlagPFail, "fail?"},
	{FlagFail, "fail"}, {FlagHandshake, "handshake"}, {FlagNoAddr, "noaddr"}, {FlagNoFailover, "nofailover"},
}

// AppendFlags appends the flags as CLUSTER NODES prints them
// (representClusterNodeFlags).
func AppendFlags(dst []byte, flags uint16) []byte {
	start := len(dst)
	for _, f := range flagNames {
		if flags&f.f != 0 {
			if len(dst) > start {
				dst = append(dst, ',')
			}
			dst = append(dst, f.name...)
		}
	}
	if len(dst) == start {
		dst = append(dst, "noflags"...)
	}
	return dst
}

// AppendNodeLine appends n's CLUSTER NODES line without the newline
// (clusterGenNodeDescription). usePPort: the client is not on TLS in a TLS
// cluster, so the plaintext port is shown.
func (s *State) AppendNodeLine(dst []byte, n *Node, usePPort bool) []byte {
	port := n.Port
	if usePPort && n.PPort != 0 {
		port = n.PPort
	}
	dst = append(dst, n.ID...)
	dst = append(dst, ' ')
	dst = append(dst, n.IP...)
	dst = append(dst, ':')
	dst = strconv.AppendInt(dst, int64(port), 10)
	dst = append(dst, '@')
	dst = strconv.AppendInt(dst, int64(n.CPort), 10)
	if n.Hostname != "" {
		dst = append(dst, ',')
		dst = append(dst, n.Hostname...)
	}
	dst = append(dst, ' ')
	dst = AppendFlags(dst, n.Flags)
	dst = append(dst, ' ')
	if n.master != nil {
		dst = append(dst, n.master.ID...)
	} else {
		dst = append(dst, '-')
	}
	epoch := n.ConfigEpoch
	if n.IsReplica() && n.master != nil {
		epoch = n.master.ConfigEpoch
	}
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, n.PingSent, 10)
	dst = append(dst, ' ')
	dst = strconv.AppendInt(dst, n.PongReceived, 10)
	dst = append(dst, ' ')
	dst = strconv.AppendUint(dst, epoch, 10)
	if n.Connected() {
		dst = append(dst, " connected"...)
	} else {
		dst = append(dst, " disconnected"...)
	}
	if n.numSlots > 0 {
		for _, r := range SlotRanges(&n.slots) {
			dst = append(dst, ' ')
			dst = strconv.AppendInt(dst, int64(r[0]), 10)
			if r[1] != r[0] {
				dst = append(dst, '-')
				dst = strconv.AppendInt(dst, int64(r[1]), 10)
			}
		}
	}
	if n == s.myself {
		for j := 0; j < NumSlots; j++ {
			if t := s.migratingTo[j]; t != nil {
				dst = fmt.Appendf(dst, " [%d->-%s]", j, t.ID)
			} else if f := s.importingFrom[j]; f != nil {
				dst = fmt.Appendf(dst, " [%d-<-%s]", j, f.ID)
			}
		}
	}
	return dst
}

// AppendNodes appends the CLUSTER NODES text: one line per node, each ending
// in "\n", handshake nodes included.
func (s *State) AppendNodes(dst []byte, usePPort bool) []byte {
	for _, n := range s.order {
		dst = s.AppendNodeLine(dst, n, usePPort)
		dst = append(dst, '\n')
	}
	return dst
}

// NodesConf renders nodes.conf (clusterSaveConfig): CLUSTER NODES without
// handshake nodes, then the vars line.
func (s *State) NodesConf() []byte {
	var b []byte
	for _, n := range s.order {
		if n.Flags&FlagHandshake != 0 {
			continue
		}
		b = s.AppendNodeLine(b, n, false)
		b = append(b, '\n')
	}
	return fmt.Appendf(b, "vars currentEpoch %d lastVoteEpoch %d\n", s.currentEpoch, s.lastVoteEpoch)
}

// ConfigError is a corrupt nodes.conf: the line (1-based) and why.
type ConfigError struct {
	Line   int
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("corrupted cluster config file at line %d: %s", e.Line, e.Reason)
}

// splitArgs is sdssplitargs: whitespace-separated words, "..." with
// backslash escapes and '...' quotes; ok is false on unbalanced quotes.
func splitArgs(line string) ([]string, bool) {
	var out []string
	i := 0
	for {
		for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\n' || line[i] == '\r' || line[i] == '\v' || line[i] == '\f') {
			i++
		}
		if i >= len(line) {
			return out, true
		}
		var w strings.Builder
		inq, insq := false, false
		for {
			if i >= len(line) {
				if inq || insq {
					return nil, false
				}
				break
			}
			c := line[i]
			if inq {
				if c == '\\' && i+1 < len(line) {
					i++
					switch line[i] {
					case 'n':
						w.WriteByte('\n')
					case 'r':
						w.WriteByte('\r')
					case 't':
						w.WriteByte('\t')
					default:
						w.WriteByte(line[i])
					}
				} else if c == '"' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					inq = false
					i++
					break
				} else {
					w.WriteByte(c)
				}
			} else if insq {
				if c == '\'' {
					if i+1 < len(line) && !isSpace(line[i+1]) {
						return nil, false
					}
					insq = false
					i++
					break
				}
				w.WriteByte(c)
			} else {
				if isSpace(c) {
					break
				}
				switch c {
				case '"':
					inq = true
				case '\'':
					insq = true
				default:
					w.WriteByte(c)
				}
			}
			i++
		}
		out = append(out, w.String())
	}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

// atoi is C's atoi on a prefix: leading digits (optional sign), 0 if none.
func atoi(s string) int64 {
	neg := false
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var v int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		v = v*10 + int64(s[i]-'0')
		if v > 1<<40 {
			v = 1 << 40
		}
	}
	if neg {
		return -v
	}
	return v
}

func (s *State) lookupOrCreate(id string) *Node {
	n := s.nodes[id]
	if n == nil {
		n = s.newNode(id, 0)
		s.addNode(n)
	}
	return n
}

// loadConfig is clusterLoadConfig.
func (s *State) loadConfig(data []byte) error {
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) > 0 && len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	} else if len(data) > 0 {
		// A file whose last line has no newline was cut short while written.
		return &ConfigError{Line: len(lines), Reason: "truncated line (no newline at end of file)"}
	}
	sawVars := false
	for i, raw := range lines {
		ln := i + 1
		line := string(raw)
		if line == "" || line == "\r" {
			continue
		}
		argv, ok := splitArgs(line)
		if !ok || len(argv) == 0 {
			if ok {
				continue
			}
			return &ConfigError{Line: ln, Reason: "unbalanced quotes"}
		}
		if strings.EqualFold(argv[0], "vars") {
			if len(argv)%2 == 0 {
				return &ConfigError{Line: ln, Reason: "vars without a value"}
			}
			for j := 1; j < len(argv); j += 2 {
				v, err := strconv.ParseUint(argv[j+1], 10, 64)
				switch {
				case strings.EqualFold(argv[j], "currentEpoch"):
					if err != nil {
						return &ConfigError{Line: ln, Reason: "bad currentEpoch"}
					}
					s.currentEpoch = v
				case strings.EqualFold(argv[j], "lastVoteEpoch"):
					if err != nil {
						return &ConfigError{Line: ln, Reason: "bad lastVoteEpoch"}
					}
					s.lastVoteEpoch = v
				default:
					s.logf(LogWarning, "Skipping unknown cluster config variable '%s'", argv[j])
				}
			}
			sawVars = true
			continue
		}
		if len(argv) < 8 {
			return &ConfigError{Line: ln, Reason: fmt.Sprintf("%d fields, at least 8 needed", len(argv))}
		}
		if !ValidID(argv[0]) {
			return &ConfigError{Line: ln, Reason: "invalid node ID"}
		}
		n := s.lookupOrCreate(argv[0])
		addr := argv[1]
		if k := strings.IndexByte(addr, ','); k >= 0 {
			n.Hostname = addr[k+1:]
			addr = addr[:k]
		} else {
			n.Hostname = ""
		}
		k := strings.LastIndexByte(addr, ':')
		if k < 0 {
			return &ConfigError{Line: ln, Reason: "address without a port"}
		}
		n.IP = addr[:k]
		port := addr[k+1:]
		if b := strings.IndexByte(port, '@'); b >= 0 {
			n.Port = int(atoi(port[:b]))
			n.CPort = int(atoi(port[b+1:]))
		} else {
			n.Port = int(atoi(port))
			n.CPort = n.Port + 10000
		}
		if n.Port < 0 || n.Port > 65535 || n.CPort < 0 || n.CPort > 65535 {
			return &ConfigError{Line: ln, Reason: "port out of range"}
		}
		for _, f := range strings.Split(argv[2], ",") {
			switch strings.ToLower(f) {
			case "myself":
				if s.myself != nil {
					return &ConfigError{Line: ln, Reason: "a second myself node"}
				}
				s.myself = n
				n.Flags |= FlagMyself
			case "master":
				n.Flags |= FlagMaster
			case "slave":
				n.Flags |= FlagSlave
			case "fail?":
				n.Flags |= FlagPFail
			case "fail":
				n.Flags |= FlagFail
				n.FailTime = s.now
			case "handshake":
				n.Flags |= FlagHandshake
			case "noaddr":
				n.Flags |= FlagNoAddr
			case "nofailover":
				n.Flags |= FlagNoFailover
			case "noflags":
			default:
				return &ConfigError{Line: ln, Reason: fmt.Sprintf("unknown flag %q", f)}
			}
		}
		if argv[3] != "" && argv[3][0] != '-' {
			if !ValidID(argv[3]) {
				return &ConfigError{Line: ln, Reason: "invalid master ID"}
			}
			master := s.lookupOrCreate(argv[3])
			if master == n {
				return &ConfigError{Line: ln, Reason: "node is its own master"}
			}
			n.master = master
			master.addReplica(n)
		}
		if atoi(argv[4]) != 0 {
			n.PingSent = s.now
		}
		if atoi(argv[5]) != 0 {
			n.PongReceived = s.now
		}
		if n.IsReplica() && n.master != nil {
			n.ConfigEpoch = 0
		} else {
			e, err := strconv.ParseUint(argv[6], 10, 64)
			if err != nil {
				return &ConfigError{Line: ln, Reason: "bad config epoch"}
			}
			n.ConfigEpoch = e
		}
		for _, a := range argv[8:] {
			if a != "" && a[0] == '[' {
				p := strings.IndexByte(a, '-')
				if p < 0 || p+3 > len(a)-1 || !strings.HasSuffix(a, "]") {
					return &ConfigError{Line: ln, Reason: fmt.Sprintf("bad open slot %q", a)}
				}
				slot, err := strconv.Atoi(a[1:p])
				if err != nil || slot < 0 || slot >= NumSlots {
					return &ConfigError{Line: ln, Reason: fmt.Sprintf("bad open slot %q", a)}
				}
				dir := a[p+1]
				id := a[p+3 : len(a)-1]
				if (dir != '>' && dir != '<') || !ValidID(id) {
					return &ConfigError{Line: ln, Reason: fmt.Sprintf("bad open slot %q", a)}
				}
				cn := s.lookupOrCreate(id)
				if dir == '>' {
					s.migratingTo[slot] = cn
				} else {
					s.importingFrom[slot] = cn
				}
				continue
			}
			lo, hi := a, a
			if p := strings.IndexByte(a, '-'); p >= 0 {
				lo, hi = a[:p], a[p+1:]
			}
			start, err1 := strconv.Atoi(lo)
			stop, err2 := strconv.Atoi(hi)
			if err1 != nil || err2 != nil || start < 0 || start >= NumSlots || stop < 0 || stop >= NumSlots {
				return &ConfigError{Line: ln, Reason: fmt.Sprintf("bad slot %q", a)}
			}
			for ; start <= stop; start++ {
				s.addSlot(n, start)
			}
		}
	}
	if s.myself == nil {
		return &ConfigError{Line: len(lines), Reason: "no myself node"}
	}
	if !sawVars {
		return &ConfigError{Line: len(lines), Reason: "no vars line (file truncated)"}
	}
	s.logf(LogNotice, "Node configuration loaded, I'm %s", s.myself.ID)
	if m := s.maxEpoch(); m > s.currentEpoch {
		s.currentEpoch = m
	}
	return nil
}

// SlotRanges returns the maximal runs of set slots, ascending, as
// [start, end] pairs. Whole bytes outside or inside a run are skipped: this
// runs for every node at every nodes.conf save and CLUSTER NODES.
func SlotRanges(b *bus.Bitmap) [][2]int {
	var out [][2]int
	start := -1
	for i, x := range b {
		if (x == 0 && start < 0) || (x == 0xff && start >= 0) {
			continue
		}
		for k := 0; k < 8; k++ {
			set := x&(1<<k) != 0
			if set && start < 0 {
				start = i*8 + k
			} else if !set && start >= 0 {
				out = append(out, [2]int{start, i*8 + k - 1})
				start = -1
			}
		}
	}
	if start >= 0 {
		out = append(out, [2]int{start, NumSlots - 1})
	}
	return out
}
