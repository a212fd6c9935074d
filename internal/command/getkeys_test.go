package command

import (
	"errors"
	"strings"
	"testing"
)

// testLookup resolves argv to a spec as Redis's lookupCommand does: a
// container with subcommands needs a known subcommand when one is given.
func testLookup(argv [][]byte) *Spec {
	name := strings.ToLower(string(argv[0]))
	for _, s := range specTable {
		if s.Name != name {
			continue
		}
		if len(s.Subcommands) == 0 || len(argv) == 1 {
			return s
		}
		full := name + "|" + strings.ToLower(string(argv[1]))
		for _, c := range s.Subcommands {
			if c.Name == full {
				return c
			}
		}
		return nil
	}
	return nil
}

// getKeysAndFlags answers COMMAND GETKEYSANDFLAGS argv... with Spec's API.
func getKeysAndFlags(argv [][]byte) ([]KeyRef, error) {
	s := testLookup(argv)
	if s == nil {
		return nil, ErrInvalidCommand
	}
	if err := s.CheckGetKeys(len(argv)); err != nil {
		return nil, err
	}
	return s.KeysAndFlags(argv, nil)
}

var getKeysErrText = map[error]string{
	ErrInvalidCommand:   "ERR Invalid command specified",
	ErrNoKeyArguments:   "ERR The command has no key arguments",
	ErrInvalidArgCount:  "ERR Invalid number of arguments specified for command",
	ErrInvalidArguments: "ERR Invalid arguments specified for command",
}

// TestGetKeys checks key extraction against replies captured from
// redis-server 7.0.15 for COMMAND GETKEYSANDFLAGS (keys as "key:flags").
func TestGetKeys(t *testing.T) {
	tests := []struct {
		argv []string
		want []string
		err  string
	}{
		{[]string{"get", "k"}, []string{"k:RO,access"}, ""},
		{[]string{"set", "k", "v"}, []string{"k:OW,update"}, ""},
		{[]string{"set", "k", "v", "GET"}, []string{"k:RW,access,update"}, ""},
		{[]string{"set", "k", "v", "EX", "10", "get"}, []string{"k:RW,access,update"}, ""},
		{[]string{"bitfield", "k", "GET", "u8", "0"}, []string{"k:RO,access"}, ""},
		{[]string{"bitfield", "k", "SET", "u8", "0", "1"}, []string{"k:RW,access,update"}, ""},
		{[]string{"bitfield", "k", "get", "u8", "0", "incrby", "u8", "0", "1"}, []string{"k:RW,access,update"}, ""},
		{[]string{"bitfield_ro", "k", "GET", "u8", "0"}, []string{"k:RO,access"}, ""},
		{[]string{"mset", "a", "1", "b", "2", "c", "3"}, []string{"a:OW,update", "b:OW,update", "c:OW,update"}, ""},
		{[]string{"mset", "a", "1", "b"}, []string{"a:OW,update", "b:OW,update"}, ""},
		{[]string{"mget", "a", "b", "c"}, []string{"a:RO,access", "b:RO,access", "c:RO,access"}, ""},
		{[]string{"del", "a", "b", "c"}, []string{"a:RM,delete", "b:RM,delete", "c:RM,delete"}, ""},
		{[]string{"sort", "k"}, []string{"k:RO,access"}, ""},
		{[]string{"sort", "k", "STORE", "dst"}, []string{"k:RO,access", "dst:OW,update"}, ""},
		{[]string{"sort", "k", "BY", "x", "GET", "y", "STORE", "dst", "LIMIT", "0", "1"}, []string{"k:RO,access", "dst:OW,update"}, ""},
		{[]string{"sort", "k", "store"}, []string{"k:RO,access"}, ""},
		{[]string{"sort_ro", "k", "BY", "x"}, []string{"k:RO,access"}, ""},
		{[]string{"migrate", "h", "1", "k", "0", "100"}, []string{"k:RW,access,delete"}, ""},
		{[]string{"migrate", "h", "1", "", "0", "100", "KEYS", "a", "b", "c"}, []string{"a:RW,access,delete", "b:RW,access,delete", "c:RW,access,delete"}, ""},
		{[]string{"migrate", "h", "1", "k", "0", "100", "KEYS", "a", "b", "c"}, nil, "ERR Invalid arguments specified for command"},
		{[]string{"migrate", "h", "1", "", "0", "100", "COPY", "REPLACE", "KEYS", "a"}, []string{"a:RW,access,delete"}, ""},
		{[]string{"eval", "s", "0"}, []string{}, ""},
		{[]string{"eval", "s", "2", "a", "b", "c"}, []string{"a:RW,access,update", "b:RW,access,update"}, ""},
		{[]string{"eval", "s", "3", "a", "b"}, []string{}, ""},
		{[]string{"eval", "s", "-1", "a"}, []string{}, ""},
		{[]string{"eval", "s", "x", "a"}, []string{}, ""},
		{[]string{"evalsha", "s", "1", "a"}, []string{"a:RW,access,update"}, ""},
		{[]string{"fcall", "f", "2", "a", "b"}, []string{"a:RW,access,update", "b:RW,access,update"}, ""},
		{[]string{"fcall_ro", "f", "1", "a"}, []string{"a:RO,access"}, ""},
		{[]string{"zunionstore", "d", "2", "a", "b"}, []string{"d:OW,update", "a:RO,access", "b:RO,access"}, ""},
		{[]string{"zunionstore", "d", "0", "a"}, nil, "ERR Invalid arguments specified for command"},
		{[]string{"zunionstore", "d", "3", "a", "b"}, nil, "ERR Invalid arguments specified for command"},
		{[]string{"zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2"}, []string{"d:OW,update", "a:RO,access", "b:RO,access"}, ""},
		{[]string{"zinter", "2", "a", "b"}, []string{"a:RO,access", "b:RO,access"}, ""},
		{[]string{"zdiff", "1", "a"}, []string{"a:RO,access"}, ""},
		{[]string{"zintercard", "2", "a", "b", "LIMIT", "1"}, []string{"a:RO,access", "b:RO,access"}, ""},
		{[]string{"sintercard", "1", "a"}, []string{"a:RO,access"}, ""},
		{[]string{"lmpop", "2", "a", "b", "LEFT"}, []string{"a:RW,access,delete", "b:RW,access,delete"}, ""},
		{[]string{"lmpop", "0", "a", "LEFT"}, nil, "ERR Invalid arguments specified for command"},
		{[]string{"blmpop", "0", "2", "a", "b", "LEFT"}, []string{"a:RW,access,delete", "b:RW,access,delete"}, ""},
		{[]string{"bzmpop", "0", "1", "a", "MIN"}, []string{"a:RW,access,delete"}, ""},
		{[]string{"zmpop", "1", "a", "MAX", "COUNT", "2"}, []string{"a:RW,access,delete"}, ""},
		{[]string{"georadius", "k", "0", "0", "1", "km", "STORE", "d"}, []string{"k:RO,access", "d:OW,update"}, ""},
		{[]string{"georadius", "k", "0", "0", "1", "km", "STOREDIST", "d"}, []string{"k:RO,access", "d:OW,update"}, ""},
		{[]string{"georadius", "k", "0", "0", "1", "km", "STORE", "d", "STOREDIST", "e"}, []string{"k:RO,access", "d:OW,update", "e:OW,update"}, ""},
		{[]string{"georadius", "k", "0", "0", "1", "km"}, []string{"k:RO,access"}, ""},
		{[]string{"georadiusbymember", "k", "m", "1", "km", "STORE", "d"}, []string{"k:RO,access", "d:OW,update"}, ""},
		{[]string{"georadius_ro", "k", "0", "0", "1", "km"}, []string{"k:RO,access"}, ""},
		{[]string{"xread", "STREAMS", "a", "b", "0", "0"}, []string{"a:RO,access", "b:RO,access"}, ""},
		{[]string{"xread", "COUNT", "1", "STREAMS", "a", "b", "c", "0", "0", "0"}, []string{"a:RO,access", "b:RO,access", "c:RO,access"}, ""},
		{[]string{"xread", "STREAMS", "a", "b", "0"}, []string{"a:RO,access"}, ""},
		{[]string{"xread", "BLOCK", "0", "STREAMS", "a", "0"}, []string{"a:RO,access"}, ""},
		{[]string{"xreadgroup", "GROUP", "g", "c", "STREAMS", "a", "b", "0", "0"}, []string{"a:RO,access", "b:RO,access"}, ""},
		{[]string{"xreadgroup", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "a", "0"}, []string{"a:RO,access"}, ""},
		{[]string{"xadd", "s", "*", "f", "v"}, []string{"s:RW,update"}, ""},
		{[]string{"rename", "a", "b"}, []string{"a:RW,access,delete", "b:OW,update"}, ""},
		{[]string{"smove", "a", "b", "m"}, []string{"a:RW,access,delete", "b:RW,insert"}, ""},
		{[]string{"lmove", "a", "b", "LEFT", "RIGHT"}, []string{"a:RW,access,delete", "b:RW,insert"}, ""},
		{[]string{"object", "encoding", "k"}, []string{"k:RO"}, ""},
		{[]string{"object", "help"}, nil, "ERR The command has no key arguments"},
		{[]string{"memory", "usage", "k"}, []string{"k:RO"}, ""},
		{[]string{"xinfo", "stream", "s"}, []string{"s:RO,access"}, ""},
		{[]string{"xgroup", "create", "s", "g", "$"}, []string{"s:RW,insert"}, ""},
		{[]string{"pfcount", "a", "b"}, []string{"a:RW,access", "b:RW,access"}, ""},
		{[]string{"pfmerge", "d", "a", "b"}, []string{"d:RW,access,insert", "a:RO,access", "b:RO,access"}, ""},
		{[]string{"blpop", "a", "b", "0"}, []string{"a:RW,access,delete", "b:RW,access,delete"}, ""},
		{[]string{"brpoplpush", "a", "b", "0"}, []string{"a:RW,access,delete", "b:RW,insert"}, ""},
		{[]string{"copy", "a", "b"}, []string{"a:RO,access", "b:OW,update"}, ""},
		{[]string{"spublish", "ch", "m"}, nil, "ERR The command has no key arguments"},
		{[]string{"ssubscribe", "a", "b"}, nil, "ERR The command has no key arguments"},
		{[]string{"publish", "ch", "m"}, nil, "ERR The command has no key arguments"},
		{[]string{"config", "get", "x"}, nil, "ERR The command has no key arguments"},
		{[]string{"config", "foo"}, nil, "ERR Invalid command specified"},
		{[]string{"nosuchcmd", "a"}, nil, "ERR Invalid command specified"},
		{[]string{"get", "a", "b"}, nil, "ERR Invalid number of arguments specified for command"},
		{[]string{"set", "k"}, nil, "ERR Invalid number of arguments specified for command"},
		{[]string{"expire", "k", "10"}, []string{"k:RW,update"}, ""},
		{[]string{"touch", "a", "b"}, []string{"a:RO", "b:RO"}, ""},
		{[]string{"unlink", "a"}, []string{"a:RM,delete"}, ""},
		{[]string{"watch", "a", "b"}, []string{"a:RO", "b:RO"}, ""},
		{[]string{"msetnx", "a", "1", "b", "2"}, []string{"a:OW,insert", "b:OW,insert"}, ""},
		{[]string{"getex", "k"}, []string{"k:RW,access,update"}, ""},
		{[]string{"bitop", "AND", "d", "a", "b"}, []string{"d:OW,update", "a:RO,access", "b:RO,access"}, ""},
		{[]string{"xread", "COUNT", "STREAMS", "a"}, nil, "ERR Invalid arguments specified for command"},
		{[]string{"zunionstore", "d", "2abc", "a", "b"}, []string{"a:", "b:", "d:"}, ""},
		{[]string{"zunionstore", "d", "+1", "a"}, []string{"a:", "d:"}, ""},
		{[]string{"zunionstore", "d", "01", "a"}, []string{"a:", "d:"}, ""},
		{[]string{"eval", "s", "01", "a"}, []string{"a:"}, ""},
		{[]string{"eval", "s", "1", "a"}, []string{"a:RW,access,update"}, ""},
		{[]string{"lmpop", "1", "a", "left"}, []string{"a:RW,access,delete"}, ""},
		{[]string{"sort", "k", "LIMIT", "0", "1", "STORE", "d", "STORE", "e"}, []string{"k:RO,access", "e:OW,update"}, ""},
		{[]string{"sort", "k", "GET", "STORE", "d"}, []string{"k:RO,access"}, ""},
		{[]string{"sort", "k", "STORE", "d", "BY"}, []string{"k:RO,access", "d:OW,update"}, ""},
		{[]string{"migrate", "h", "1", "k", "0", "100", "KEYS"}, []string{"k:RW,access,delete"}, ""},
		{[]string{"migrate", "h", "1", "", "0", "100", "keys"}, []string{":RW,access,delete"}, ""},
		{[]string{"migrate", "h", "1", "", "0", "100", "AUTH", "keys", "a"}, []string{":RW,access,delete"}, ""},
		{[]string{"migrate", "h", "1", "", "0", "KEYS", "a"}, []string{":RW,access,delete"}, ""},
		{[]string{"set", "k", "v", "xget"}, []string{"k:OW,update"}, ""},
		{[]string{"set", "k", "v", "EX", "get"}, []string{"k:RW,access,update"}, ""},
		{[]string{"bitfield", "k", "get", "u8"}, []string{"k:RW,access,update"}, ""},
		{[]string{"bitfield", "k", "overflow", "wrap", "get", "u8", "0"}, []string{"k:RO,access"}, ""},
		{[]string{"bitfield", "k", "get", "u8", "0", "overflow"}, []string{"k:RW,access,update"}, ""},
		{[]string{"georadius", "k", "0", "0", "1", "km", "STORE"}, []string{"k:RO,access"}, ""},
		{[]string{"georadius", "k", "0", "0", "1", "km", "store", "d", "count", "1", "storedist", "e"}, []string{"k:RO,access", "d:OW,update", "e:OW,update"}, ""},
		{[]string{"zinterstore", "d", "1", "a", "weights", "1"}, []string{"d:OW,update", "a:RO,access"}, ""},
		{[]string{"zadd", "z", "1", "a"}, []string{"z:RW,update"}, ""},
		{[]string{"xadd", "s", "MAXLEN", "10", "*", "f", "v"}, []string{"s:RW,update"}, ""},
		{[]string{"config", "get", "maxmemory"}, nil, "ERR The command has no key arguments"},
		{[]string{"command", "info", "get"}, nil, "ERR The command has no key arguments"},
		{[]string{"lcs", "a", "b"}, []string{"a:RO,access", "b:RO,access"}, ""},
		{[]string{"eval", "s", "2", "a"}, []string{}, ""},
		{[]string{"xreadgroup", "GROUP", "g", "c", "STREAMS", "a", "b", "0", "0", "0"}, []string{"a:RO,access", "b:RO,access"}, ""},
		{[]string{"bzpopmin", "a", "b", "0"}, []string{"a:RW,access,delete", "b:RW,access,delete"}, ""},
	}
	for _, tt := range tests {
		argv := make([][]byte, len(tt.argv))
		for i, a := range tt.argv {
			argv[i] = []byte(a)
		}
		name := strings.Join(tt.argv, " ")
		refs, err := getKeysAndFlags(argv)
		if tt.err != "" {
			if getKeysErrText[err] != tt.err {
				t.Errorf("%s: error %v, want %q", name, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: unexpected error %v", name, err)
			continue
		}
		got := make([]string, len(refs))
		for i, r := range refs {
			got[i] = string(argv[r.Pos]) + ":" + strings.Join(r.Flags, ",")
		}
		if strings.Join(got, " ") != strings.Join(tt.want, " ") {
			t.Errorf("%s: keys %q, want %q", name, got, tt.want)
		}
		pos, err := testLookup(argv).KeyPositions(argv, nil)
		if err != nil || len(pos) != len(refs) {
			t.Errorf("%s: KeyPositions = %v, %v; want %d keys", name, pos, err, len(refs))
			continue
		}
		for i := range pos {
			if pos[i] != refs[i].Pos {
				t.Errorf("%s: KeyPositions = %v, want the positions of %v", name, pos, refs)
				break
			}
		}
	}
}

func TestKeyPositionsNoKeys(t *testing.T) {
	argv := [][]byte{[]byte("ping")}
	pos, err := testLookup(argv).KeyPositions(argv, nil)
	if err != nil || len(pos) != 0 {
		t.Fatalf("PING: %v, %v; want no keys", pos, err)
	}
	argv = [][]byte{[]byte("zunionstore"), []byte("d"), []byte("0"), []byte("a")}
	if _, err := testLookup(argv).KeyPositions(argv, nil); !errors.Is(err, ErrInvalidArguments) {
		t.Fatalf("ZUNIONSTORE numkeys 0: %v, want ErrInvalidArguments", err)
	}
}

func TestKeyPositionsAllocs(t *testing.T) {
	for _, line := range []string{"get k", "mset a 1 b 2", "zunionstore d 2 a b", "set k v get", "sort k store d", "xread count 1 streams a b 0 0"} {
		var argv [][]byte
		for _, f := range strings.Fields(line) {
			argv = append(argv, []byte(f))
		}
		s := testLookup(argv)
		dst := make([]int, 0, 8)
		refs := make([]KeyRef, 0, 8)
		n := testing.AllocsPerRun(100, func() {
			dst, _ = s.KeyPositions(argv, dst)
			refs, _ = s.KeysAndFlags(argv, refs)
		})
		if n != 0 {
			t.Errorf("%s: %v allocations per call", line, n)
		}
	}
}
