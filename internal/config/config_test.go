package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"shoal/internal/glob"
)

func TestSplitArgs(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		ok   bool
	}{
		{"port 6379", []string{"port", "6379"}, true},
		{`  save ""  `, []string{"save", ""}, true},
		{`requirepass "se cret"`, []string{"requirepass", "se cret"}, true},
		{`a "x\x41\n\"y"`, []string{"a", "xA\n\"y"}, true},
		{`a 'it\'s'`, []string{"a", "it's"}, true},
		{`a "unterminated`, nil, false},
		{`a "x"y`, nil, false},
		{`a 'x'y`, nil, false},
		{"", []string{}, true},
	}
	for _, tt := range tests {
		got, ok := splitArgs(tt.in)
		if ok != tt.ok || (ok && !reflect.DeepEqual(got, tt.want)) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	for _, s := range []string{"a b", "q\"\\\n\x01\xff", ""} {
		got, ok := splitArgs(repr(s))
		if !ok || len(got) != 1 || got[0] != s {
			t.Errorf("repr round trip of %q: %q", s, got)
		}
	}
}

func TestParseValues(t *testing.T) {
	ints := []struct {
		in string
		v  int64
		ok bool
	}{
		{"0", 0, true}, {"-5", -5, true}, {"05", 0, false}, {"+5", 0, false}, {" 5", 0, false},
		{"-0", 0, false}, {"", 0, false}, {"10.0", 0, false}, {"9999999999999999999999", 0, false},
	}
	for _, tt := range ints {
		if v, ok := parseInt(tt.in); v != tt.v || ok != tt.ok {
			t.Errorf("parseInt(%q) = %d, %v", tt.in, v, ok)
		}
	}
	mems := []struct {
		in string
		v  uint64
		ok bool
	}{
		{"10", 10, true}, {"10B", 10, true}, {"10k", 10000, true}, {"10kb", 10240, true}, {"1G", 1e9, true},
		{"1gb", 1 << 30, true}, {"100mb", 100 << 20, true}, {"1.5gb", 0, false}, {"-1", 0, false},
		{" 10", 0, false}, {"1tb", 0, false}, {"0x10", 0, false},
		{"9999999999999999999999", 18446744073709551615, true},
		{"99999999999999999999kb", 18446744073709550592, true},
	}
	for _, tt := range mems {
		if v, ok := ParseMemory(tt.in); v != tt.v || ok != tt.ok {
			t.Errorf("ParseMemory(%q) = %d, %v", tt.in, v, ok)
		}
	}
	for v, want := range map[uint64]string{0: "0", 1000: "1000", 200 << 20: "200mb", 1 << 30: "1gb", 3 << 20: "3mb", 2048: "2kb"} {
		if got := formatMemory(v); got != want {
			t.Errorf("formatMemory(%d) = %q want %q", v, got, want)
		}
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		p, s string
		want bool
	}{
		{"*", "port", true}, {"maxmemory*", "maxmemory-policy", true}, {"p?rt", "port", true},
		{"[pq]ort", "port", true}, {"[^p]ort", "port", false}, {"[a-z]ort", "port", true},
		{"PORT", "port", true}, {"port", "ports", false}, {`po\rt`, "port", true}, {"*-max-*-entries", "hash-max-listpack-entries", true},
	}
	for _, tt := range tests {
		if got := glob.MatchString(tt.p, tt.s, true); got != tt.want {
			t.Errorf("globMatch(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
}

// Values below were read from redis-server 7.0.15 with CONFIG GET.
func TestGetDefaults(t *testing.T) {
	c := Default()
	want := map[string]string{
		"save":                       "3600 1 300 100 60 10000",
		"client-output-buffer-limit": "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
		"bind":                       "* -::*",
		"maxmemory":                  "0",
		"maxmemory-policy":           "noeviction",
		"proto-max-bulk-len":         "536870912",
		"client-query-buffer-limit":  "1073741824",
		"repl-backlog-size":          "1048576",
		"auto-aof-rewrite-min-size":  "67108864",
		"list-max-ziplist-size":      "-2",
		"lua-time-limit":             "5000",
		"notify-keyspace-events":     "",
		"replicaof":                  "",
		"appendfsync":                "everysec",
		"enable-debug-command":       "no",
		"slave-priority":             "100",
		"maxmemory-clients":          "0",
	}
	for name, v := range want {
		got := c.Get(name)
		if len(got) != 1 || got[0] != [2]string{name, v} {
			t.Errorf("Get(%q) = %q, want %q", name, got, v)
		}
	}
	got := c.Get("maxmemory*")
	names := []string{}
	for _, kv := range got {
		names = append(names, kv[0])
	}
	if !reflect.DeepEqual(names, []string{"maxmemory", "maxmemory-policy", "maxmemory-samples", "maxmemory-eviction-tenacity", "maxmemory-clients"}) {
		t.Errorf("Get(maxmemory*) names = %q", names)
	}
}

func TestNotifyRender(t *testing.T) {
	// Input -> CONFIG GET output, from redis-server 7.0.15.
	tests := map[string]string{
		"g$lshzxetmdnKE": "AKEm", "Ag": "A", "AKEn": "AKE", "KEA": "AKE", "gK": "gK", "E": "E",
		"dtexzhsl$gK": "AK", "mdtK": "tdKm", "nK": "nK", "": "", "x$": "$x", "AmnK": "AKm",
	}
	for in, want := range tests {
		c := Default()
		if err := c.Set([][2]string{{"notify-keyspace-events", in}}); err != nil {
			t.Fatal(err)
		}
		if got := c.Get("notify-keyspace-events")[0][1]; got != want {
			t.Errorf("notify %q rendered %q want %q", in, got, want)
		}
	}
}

// Error texts below were produced by CONFIG SET on redis-server 7.0.15.
func TestSetErrors(t *testing.T) {
	tests := []struct {
		pairs [][2]string
		want  string
	}{
		{[][2]string{{"foo", "bar"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'foo'"},
		{[][2]string{{"maxmemory", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[][2]string{{"maxmemory", "-1"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"},
		{[][2]string{{"hz", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"},
		{[][2]string{{"HZ", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into an integer"},
		{[][2]string{{"hz", "-5"}}, "ERR CONFIG SET failed (possibly related to argument 'hz') - argument must be between 0 and 2147483647 inclusive"},
		{[][2]string{{"databases", "5"}}, "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"},
		{[][2]string{{"replicaof", "no one"}}, "ERR CONFIG SET failed (possibly related to argument 'replicaof') - can't set immutable config"},
		{[][2]string{{"dir", "/nonexist"}}, "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"},
		{[][2]string{{"dbfilename", "a/b"}}, "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config"},
		{[][2]string{{"appendfsync", "bad"}}, "ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: everysec, always, no"},
		{[][2]string{{"maxmemory-policy", "bad"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
		{[][2]string{{"loglevel", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'loglevel') - argument(s) must be one of the following: debug, verbose, notice, warning"},
		{[][2]string{{"activerehashing", "maybe"}}, "ERR CONFIG SET failed (possibly related to argument 'activerehashing') - argument must be 'yes' or 'no'"},
		{[][2]string{{"save", "1"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", "0 0"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", "100 10x"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"client-output-buffer-limit", "normal 1 2"}}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."},
		{[][2]string{{"client-output-buffer-limit", "master 1 1 1"}}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Invalid client class specified in buffer limit configuration."},
		{[][2]string{{"client-output-buffer-limit", "normal 1 1 -1"}}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Error in hard, soft or soft_seconds setting in buffer limit configuration."},
		{[][2]string{{"notify-keyspace-events", "Q"}}, "ERR CONFIG SET failed (possibly related to argument 'notify-keyspace-events') - Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
		{[][2]string{{"maxclients", "0"}}, "ERR CONFIG SET failed (possibly related to argument 'maxclients') - argument must be between 1 and 4294967295 inclusive"},
		{[][2]string{{"port", "99999"}}, "ERR CONFIG SET failed (possibly related to argument 'port') - argument must be between 0 and 65535 inclusive"},
		{[][2]string{{"slowlog-log-slower-than", "-5"}}, "ERR CONFIG SET failed (possibly related to argument 'slowlog-log-slower-than') - argument must be between -1 and 9223372036854775807 inclusive"},
		{[][2]string{{"proto-max-bulk-len", "100"}}, "ERR CONFIG SET failed (possibly related to argument 'proto-max-bulk-len') - argument must be between 1048576 and 9223372036854775807 inclusive"},
		{[][2]string{{"repl-backlog-size", "99999999999999999999kb"}}, "ERR CONFIG SET failed (possibly related to argument 'repl-backlog-size') - argument must be between 1 and 9223372036854775807 inclusive"},
		{[][2]string{{"list-max-listpack-size", "99999999999"}}, "ERR CONFIG SET failed (possibly related to argument 'list-max-listpack-size') - argument must be between -2147483648 and 2147483647 inclusive"},
		{[][2]string{{"slave-priority", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'slave-priority') - argument couldn't be parsed into an integer"},
		{[][2]string{{"hz", "10"}, {"hz", "20"}}, "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"},
		// Names as given: a duplicate compares them case-insensitively and
		// names the later one unchanged, as do immutable and protected.
		{[][2]string{{"hz", "11"}, {"HZ", "12"}}, "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter"},
		{[][2]string{{"Hz", "11"}, {"maxmemory", "0"}, {"hz", "12"}}, "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"},
		{[][2]string{{"Save", "1 1"}, {"save", "2 2"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - duplicate parameter"},
		{[][2]string{{"SLAVE-read-only", "yes"}, {"Slave-Read-Only", "no"}}, "ERR CONFIG SET failed (possibly related to argument 'Slave-Read-Only') - duplicate parameter"},
		{[][2]string{{"hz", "1"}, {"hz", "2"}, {"nosuch", "1"}}, "ERR CONFIG SET failed (possibly related to argument 'hz') - duplicate parameter"},
		{[][2]string{{"NOSUCH", "1"}}, "ERR Unknown option or number of arguments for CONFIG SET - 'NOSUCH'"},
		{[][2]string{{"DAEMONIZE", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'DAEMONIZE') - can't set immutable config"},
		{[][2]string{{"DIR", "/tmp"}}, "ERR CONFIG SET failed (possibly related to argument 'DIR') - can't set protected config"},
		{[][2]string{{"SLAVE-READ-ONLY", "x"}}, "ERR CONFIG SET failed (possibly related to argument 'slave-read-only') - argument must be 'yes' or 'no'"},
		// CONFIG SET splits a multi-argument value at single spaces, with
		// no quoting.
		{[][2]string{{"save", "100  10 5 5"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", " 1 1"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", "1 1 "}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", "5\t1"}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", `"1" "1"`}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"save", `"1 1`}}, "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters"},
		{[][2]string{{"client-output-buffer-limit", "pubsub  1 1 1"}}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."},
		{[][2]string{{"client-output-buffer-limit", `"normal`}}, "ERR CONFIG SET failed (possibly related to argument 'client-output-buffer-limit') - Wrong number of arguments in buffer limit configuration."},
		{[][2]string{{"maxmemory-clients", "-1"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "10%%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "abc"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "1.5%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", " 10%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "10 %"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "+5%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "-5%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "00%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "5%%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "50x"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "1kb%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "1KB%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - argument must be a memory or percent value"},
		{[][2]string{{"maxmemory-clients", "101%"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"},
		{[][2]string{{"maxmemory-clients", "18446744073709551515"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"},
		{[][2]string{{"maxmemory-clients", "9223372036854775808"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"},
		{[][2]string{{"maxmemory-clients", "99999999999999999999k"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-clients') - percentage argument must be less or equal to 100"},
		{[][2]string{{"maxmemory", "1gb"}, {"maxmemory-policy", "bad"}}, "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
		{[][2]string{{"activedefrag", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'activedefrag') - " + reasonDefrag},
		{[][2]string{{"io-threads-do-reads", "yes"}}, "ERR CONFIG SET failed (possibly related to argument 'io-threads-do-reads') - can't set immutable config"},
	}
	for _, tt := range tests {
		c := Default()
		before := c.Get("*")
		err := c.Set(tt.pairs)
		var se *SetError
		if !errors.As(err, &se) || err.Error() != tt.want {
			t.Errorf("Set(%q) = %v\nwant %s", tt.pairs, err, tt.want)
		}
		if after := c.Get("*"); !reflect.DeepEqual(before, after) {
			t.Errorf("Set(%q) failed but changed values", tt.pairs)
		}
	}
}

func TestSetValues(t *testing.T) {
	tests := []struct {
		name, value, get string
	}{
		{"maxmemory", "1gb", "1073741824"},
		{"maxmemory", "1G", "1000000000"},
		{"maxmemory", "10kb", "10240"},
		{"maxmemory", "", "0"},
		{"maxmemory", "9999999999999999999999", "18446744073709551615"},
		{"hz", "1000", "500"},
		{"hz", "0", "1"},
		{"loglevel", "VERBOSE", "verbose"},
		{"activerehashing", "YES", "yes"},
		{"maxmemory-policy", "ALLKEYS-LRU", "allkeys-lru"},
		{"save", "100 10", "100 10"},
		{"save", "", ""},
		{"save", "1 0", "1 0"},
		{"client-output-buffer-limit", "normal 1mb 2mb 3", "normal 1048576 2097152 3 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{"client-output-buffer-limit", "NORMAL 1 1 1 replica 1 1 1", "normal 1 1 1 slave 1 1 1 pubsub 33554432 8388608 60"},
		{"client-output-buffer-limit", "", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"},
		{"bind", "127.0.0.1 ::1", "127.0.0.1 ::1"},
		{"list-max-ziplist-size", "5", "5"},
		{"lua-time-limit", "100", "100"},
		{"requirepass", "foo", "foo"},
		{"activedefrag", "no", "no"},
		{"bind", "", ""},
		{"maxmemory-clients", "0", "0"},
		{"maxmemory-clients", "10%", "10%"},
		{"maxmemory-clients", "100%", "100%"},
		{"maxmemory-clients", "0%", "0"},
		{"maxmemory-clients", "1mb", "1048576"},
		{"maxmemory-clients", "5gb", "5368709120"},
		{"maxmemory-clients", "10k", "10000"},
		{"maxmemory-clients", "1K", "1000"},
		{"maxmemory-clients", "1B", "1"},
		{"maxmemory-clients", "", "0"},
		{"maxmemory-clients", "010", "10"},
		{"maxmemory-clients", "9223372036854775807", "9223372036854775807"},
		// Past LLONG_MAX the value wraps negative: a percentage.
		{"maxmemory-clients", "9999999999999999999999", "1%"},
		{"maxmemory-clients", "18446744073709551615", "1%"},
		{"maxmemory-clients", "18446744073709551516", "100%"},
		{"maxmemory-clients", "99999999999999999999b", "1%"},
	}
	for _, tt := range tests {
		c := Default()
		if err := c.Set([][2]string{{tt.name, tt.value}}); err != nil {
			t.Errorf("Set %s %q: %v", tt.name, tt.value, err)
			continue
		}
		if got := c.Get(tt.name)[0][1]; got != tt.get {
			t.Errorf("Set %s %q: Get = %q want %q", tt.name, tt.value, got, tt.get)
		}
	}
	// An alias and its canonical name are different names: both may be
	// set in one call, and the later value wins.
	c := Default()
	if err := c.Set([][2]string{{"list-max-ziplist-size", "1"}, {"list-max-listpack-size", "2"}}); err != nil || c.ListMaxListpackSize != 2 {
		t.Errorf("alias then name: %v, %d", err, c.ListMaxListpackSize)
	}
	if err := c.Set([][2]string{{"list-max-listpack-size", "3"}, {"LIST-MAX-ZIPLIST-SIZE", "4"}}); err != nil || c.ListMaxListpackSize != 4 {
		t.Errorf("name then alias: %v, %d", err, c.ListMaxListpackSize)
	}
	c = Default()
	if err := c.Set([][2]string{{"list-max-ziplist-size", "7"}, {"hash-max-listpack-entries", "9"}}); err != nil {
		t.Fatal(err)
	}
	if c.ListMaxListpackSize != 7 || c.HashMaxListpackEntries != 9 {
		t.Errorf("fields not updated: %d %d", c.ListMaxListpackSize, c.HashMaxListpackEntries)
	}
	c.EnableProtectedConfigs = EnableLocal
	if err := c.SetAs([][2]string{{"dir", "/tmp"}}, false, false); err == nil {
		t.Error("protected dir set from a remote client")
	}
	if err := c.SetAs([][2]string{{"dir", "/tmp"}}, true, false); err != nil || c.Dir != "/tmp" {
		t.Errorf("protected dir from a local client: %v %q", err, c.Dir)
	}
}

func TestOnApplyRollback(t *testing.T) {
	c := Default()
	var calls []string
	c.OnApply("hz", func(c *Config) error { calls = append(calls, "hz"); return nil })
	c.OnApply("maxmemory", func(c *Config) error {
		calls = append(calls, "maxmemory")
		if c.MaxMemory == 42 {
			return errors.New("no 42")
		}
		return nil
	})
	err := c.Set([][2]string{{"hz", "50"}, {"maxmemory", "42"}})
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - no 42" {
		t.Fatalf("Set = %v", err)
	}
	if c.Hz != 10 || c.MaxMemory != 0 {
		t.Errorf("not rolled back: hz %d maxmemory %d", c.Hz, c.MaxMemory)
	}
	if !reflect.DeepEqual(calls, []string{"hz", "maxmemory", "hz"}) {
		t.Errorf("hook calls %q", calls)
	}
	if err := c.Set([][2]string{{"hz", "50"}, {"maxmemory", "43"}}); err != nil || c.Hz != 50 || c.MaxMemory != 43 {
		t.Errorf("Set = %v, hz %d maxmemory %d", err, c.Hz, c.MaxMemory)
	}
}

func TestOnApplyOncePerDirective(t *testing.T) {
	c := Default()
	n := 0
	c.OnApply("list-max-listpack-size", func(c *Config) error { n++; return nil })
	if err := c.Set([][2]string{{"list-max-ziplist-size", "1"}, {"list-max-listpack-size", "2"}}); err != nil || n != 1 {
		t.Errorf("Set = %v, hook ran %d times", err, n)
	}
}

func TestClientEvictionLimit(t *testing.T) {
	tests := []struct {
		clients   string
		maxmemory uint64
		want      uint64
	}{
		{"0", 0, 0},
		{"0", 1 << 30, 0},
		{"10%", 0, 0},
		{"10%", 1000 << 20, 100 << 20},
		{"100%", 1 << 30, 1 << 30},
		{"1%", 1 << 20, 128 << 10},
		{"1mb", 0, 1 << 20},
		{"1", 0, 128 << 10},
	}
	for _, tt := range tests {
		c := Default()
		if err := c.Set([][2]string{{"maxmemory-clients", tt.clients}}); err != nil {
			t.Fatal(err)
		}
		c.MaxMemory = tt.maxmemory
		if got := c.ClientEvictionLimit(); got != tt.want {
			t.Errorf("maxmemory-clients %s, maxmemory %d: limit %d want %d", tt.clients, tt.maxmemory, got, tt.want)
		}
	}
}

func writeFile(t *testing.T, dir, name, text string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Fatal error texts below match redis-server 7.0.15 (with "Redis 7.0.15"
// replaced by "Shoal").
func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	banner := "\n*** FATAL CONFIG FILE ERROR (Shoal) ***\nReading the configuration file, at line "
	tests := []struct {
		file      string
		overrides [][]string
		want      string
		fromFile  bool
	}{
		{"port 1\nfoo bar\n", nil, banner + "2\n>>> 'foo bar'\nBad directive or wrong number of arguments", true},
		{"# c\n\nhz abc\n", nil, banner + "3\n>>> 'hz abc'\nargument couldn't be parsed into an integer", true},
		{"  hz   abc  \n", nil, banner + "1\n>>> 'hz   abc'\nargument couldn't be parsed into an integer", true},
		{"maxmemory 1.5gb\n", nil, banner + "1\n>>> 'maxmemory 1.5gb'\nargument must be a memory value", true},
		{"port 70000\n", nil, banner + "1\n>>> 'port 70000'\nargument must be between 0 and 65535 inclusive", true},
		{"appendfsync bad\n", nil, banner + "1\n>>> 'appendfsync bad'\nargument(s) must be one of the following: everysec, always, no", true},
		{"save 1\n", nil, banner + "1\n>>> 'save 1'\nInvalid save parameters", true},
		{"save abc 1\n", nil, banner + "1\n>>> 'save abc 1'\nInvalid save parameters", true},
		{"activerehashing maybe\n", nil, banner + "1\n>>> 'activerehashing maybe'\nargument must be 'yes' or 'no'", true},
		{"hz \"unterminated\n", nil, banner + "1\n>>> 'hz \"unterminated'\nUnbalanced quotes in configuration line", true},
		{"hz 10 20\n", nil, banner + "1\n>>> 'hz 10 20'\nwrong number of arguments", true},
		{"hz\n", nil, banner + "1\n>>> 'hz'\nwrong number of arguments", true},
		{"databases 0\n", nil, banner + "1\n>>> 'databases 0'\nargument must be between 1 and 2147483647 inclusive", true},
		{"notify-keyspace-events Q\n", nil, banner + "1\n>>> 'notify-keyspace-events Q'\nInvalid event class character. Use 'Ag$lshzxeKEtmdn'.", true},
		{"client-output-buffer-limit normal 1 2\n", nil, banner + "1\n>>> 'client-output-buffer-limit normal 1 2'\nWrong number of arguments in buffer limit configuration.", true},
		{"client-output-buffer-limit foo 1 2 3\n", nil, banner + "1\n>>> 'client-output-buffer-limit foo 1 2 3'\nInvalid client class specified in buffer limit configuration.", true},
		{"port 23457\n", [][]string{{"hz", "abc"}}, banner + "3\n>>> 'hz \"abc\"'\nargument couldn't be parsed into an integer", false},
		{"port 23457\n", [][]string{{"hz", "10"}, {"maxmemory", "1.5gb"}}, banner + "4\n>>> 'maxmemory \"1.5gb\"'\nargument must be a memory value", false},
		{"port 23457\n", [][]string{{"port", "23457", "extra"}}, banner + "3\n>>> 'port \"23457\" \"extra\"'\nwrong number of arguments", false},
		{"", [][]string{{"hz"}}, banner + "2\n>>> 'hz'\nwrong number of arguments", false},
		{"maxmemory-clients 101%\n", nil, banner + "1\n>>> 'maxmemory-clients 101%'\npercentage argument must be less or equal to 100", true},
		{"maxmemory-clients x\n", nil, banner + "1\n>>> 'maxmemory-clients x'\nargument must be a memory or percent value", true},
		{"", [][]string{{"maxmemory-clients", "1kb%"}}, banner + "2\n>>> 'maxmemory-clients \"1kb%\"'\nargument must be a memory or percent value", false},
		{"save \"900 1\" \"300 10\"\n", nil, banner + "1\n>>> 'save \"900 1\" \"300 10\"'\nInvalid save parameters", true},
		{"include /nonexistent/x.conf\n", nil, "Fatal error, can't open config file '/nonexistent/x.conf': No such file or directory", false},
	}
	for _, tt := range tests {
		p := writeFile(t, dir, "bad.conf", tt.file)
		_, err := Load(p, tt.overrides)
		var fe *FileError
		if !errors.As(err, &fe) || err.Error() != tt.want {
			t.Errorf("Load(%q, %q) = %v\nwant %s", tt.file, tt.overrides, err, tt.want)
			continue
		}
		if tt.fromFile && fe.File != p {
			t.Errorf("Load(%q): File = %q", tt.file, fe.File)
		}
	}
	if _, err := Load(filepath.Join(dir, "missing.conf"), nil); err == nil ||
		err.Error() != "Fatal error, can't open config file '"+filepath.Join(dir, "missing.conf")+"': No such file or directory" {
		t.Errorf("missing file: %v", err)
	}
	inc := writeFile(t, dir, "inc.conf", "\nhz x\n")
	p := writeFile(t, dir, "a.conf", "hz 10\ninclude "+inc+"\n")
	_, err := Load(p, nil)
	var fe *FileError
	if !errors.As(err, &fe) || fe.File != inc || fe.Line != 2 || fe.Directive != "hz" {
		t.Errorf("include error: %#v", err)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	inc := writeFile(t, dir, "inc.conf", "maxmemory 100mb\nhz 30\n")
	p := writeFile(t, dir, "main.conf", "# comment\nport 7000\nHZ 20\ninclude "+inc+"\n"+
		"save 900 1 300 10\nsave 5 5\nrequirepass \"se cret\"\nclient-output-buffer-limit normal 1 2 3 pubsub 1mb 2mb 3\n"+
		"slaveof 127.0.0.1 6380\nlist-max-ziplist-size -3\nbind 127.0.0.1 ::1\n")
	c, err := Load(p, [][]string{{"port", "7001"}, {"save", "100", "1"}})
	if err != nil {
		t.Fatal(err)
	}
	checks := map[string]string{
		"port": "7001", "hz": "30", "maxmemory": "104857600", "save": "900 1 300 10 5 5 100 1",
		"requirepass": "se cret", "replicaof": "127.0.0.1 6380", "list-max-listpack-size": "-3",
		"client-output-buffer-limit": "normal 1 2 3 slave 268435456 67108864 60 pubsub 1048576 2097152 3",
		"bind":                       "127.0.0.1 ::1",
	}
	for name, want := range checks {
		if got := c.Get(name)[0][1]; got != want {
			t.Errorf("%s = %q want %q", name, got, want)
		}
	}
	if c.Path() != p {
		t.Errorf("Path = %q", c.Path())
	}
	p = writeFile(t, dir, "reset.conf", "save 900 1\nsave \"\"\nsave 5 5\n")
	if c, err = Load(p, nil); err != nil || c.Get("save")[0][1] != "5 5" {
		t.Errorf("save reset: %v %q", err, c.Get("save"))
	}
	if c, err = Load("", [][]string{{"save", ""}}); err != nil || len(c.Save) != 0 || c.Path() != "" {
		t.Errorf("--save \"\": %v %v", err, c.Save)
	}
	// After loading, CONFIG SET save replaces the list.
	if err := c.Set([][2]string{{"save", "10 1"}}); err != nil || c.Get("save")[0][1] != "10 1" {
		t.Errorf("set after load: %v %q", err, c.Get("save"))
	}
	if c, err = Load("", [][]string{{"activedefrag", "yes"}}); err != nil || !c.ActiveDefrag {
		t.Errorf("activedefrag yes from config: %v", err)
	}
}

// A multi-argument directive given one quoted value splits it again, in a
// file as on the command line; values checked against redis-server 7.0.15.
func TestLoadQuotedMultiValue(t *testing.T) {
	dir := t.TempDir()
	obuf := "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 524288 60"
	tests := []struct {
		file      string
		overrides [][]string
		name      string
		want      string
	}{
		{"client-output-buffer-limit \"pubsub 1mb 512kb 60\"\n", nil, "client-output-buffer-limit", obuf},
		{"", [][]string{{"client-output-buffer-limit", "pubsub 1mb 512kb 60"}}, "client-output-buffer-limit", obuf},
		{"save \"900 1 300 10\"\n", nil, "save", "900 1 300 10"},
		{"save '900 1'\n", nil, "save", "900 1"},
		{"", [][]string{{"save", "900 1 300 10"}}, "save", "900 1 300 10"},
		{"save \"'900' 1\"\n", nil, "save", "900 1"},
		{"save \" 900  1 \"\n", nil, "save", "900 1"},
		{"save 100 1\nsave \"900 1\"\n", nil, "save", "100 1 900 1"},
		// A value that splits to nothing adds no rule; the first save line
		// still drops the defaults.
		{"save \"\\\"900 1\"\n", nil, "save", ""},
		{"save \"   \"\n", nil, "save", ""},
		{"save 900 1\nsave \"   \"\n", nil, "save", "900 1"},
		{"save 900 1\nsave \"\"\nsave 5 5\n", nil, "save", "5 5"},
		{"bind \"127.0.0.1 ::1\"\n", nil, "bind", "127.0.0.1 ::1"},
		{"replicaof \"127.0.0.1 6390\"\n", nil, "replicaof", "127.0.0.1 6390"},
	}
	for _, tt := range tests {
		p := writeFile(t, dir, "q.conf", tt.file)
		c, err := Load(p, tt.overrides)
		if err != nil {
			t.Errorf("Load(%q, %q): %v", tt.file, tt.overrides, err)
			continue
		}
		if got := c.Get(tt.name)[0][1]; got != tt.want {
			t.Errorf("Load(%q, %q): %s = %q want %q", tt.file, tt.overrides, tt.name, got, tt.want)
		}
	}
	_, ov := ParseArgs([]string{"--client-output-buffer-limit", "pubsub 1mb 512kb 60"})
	c, err := Load("", ov)
	if err != nil || c.Get("client-output-buffer-limit")[0][1] != obuf {
		t.Errorf("command line: %v %q", err, c.Get("client-output-buffer-limit"))
	}
}

func TestParseArgs(t *testing.T) {
	tests := []struct {
		args      []string
		path      string
		overrides [][]string
	}{
		{[]string{"redis.conf"}, "redis.conf", nil},
		{[]string{"--port", "7000", "--save", ""}, "", [][]string{{"port", "7000"}, {"save", ""}}},
		{[]string{"a.conf", "--port", "7000", "--save"}, "a.conf", [][]string{{"port", "7000"}, {"save", ""}}},
		{[]string{"--save", "--port", "7000"}, "", [][]string{{"save", ""}, {"port", "7000"}}},
		{[]string{"--save", "100", "1", "200", "2"}, "", [][]string{{"save", "100", "1", "200", "2"}}},
		{[]string{"--port 6380", "--list-max-listpack-size", "-2"}, "", [][]string{{"port", "6380"}, {"list-max-listpack-size", "-2"}}},
		{[]string{"--requirepass", "--weird"}, "", [][]string{{"requirepass", "--weird"}}},
	}
	for _, tt := range tests {
		path, ov := ParseArgs(tt.args)
		if path != tt.path || !reflect.DeepEqual(ov, tt.overrides) {
			t.Errorf("ParseArgs(%q) = %q, %q", tt.args, path, ov)
		}
	}
}

// The expected file is what redis-server 7.0.15 wrote for the same file and
// CONFIG SET calls, less the ACL "user" and "pidfile" lines Shoal does not
// have; appended lines follow Shoal's table order, not Redis's dict order.
// latency-tracking-info-percentiles is always written, as Redis does.
func TestRewrite(t *testing.T) {
	dir := t.TempDir()
	orig := "# top comment\nport 23458\ndaemonize yes\ndir /tmp/cfgscratch\nsave 900 1\nsave 300 10\n\n" +
		"# memory\nmaxmemory 100mb\nhz 10\nHZ 20\nloglevel notice\nrequirepass \"se cret\"\n" +
		"client-output-buffer-limit normal 0 0 0\nslaveof 127.0.0.1 9999\nlist-max-ziplist-size -2\n"
	p := writeFile(t, dir, "rw.conf", orig)
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	c.MasterHost = ""
	if err := c.Set([][2]string{{"maxmemory", "200mb"}, {"maxmemory-policy", "allkeys-lru"}, {"loglevel", "notice"},
		{"slowlog-max-len", "1000"}, {"notify-keyspace-events", "Kx"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	want := "# top comment\nport 23458\ndaemonize yes\ndir \"/tmp/cfgscratch\"\nsave 900 1\nsave 300 10\n\n" +
		"# memory\nmaxmemory 200mb\nhz 20\n\nloglevel notice\nrequirepass \"se cret\"\n" +
		"client-output-buffer-limit normal 0 0 0\n\nlist-max-listpack-size -2\n\n" +
		"# Generated by CONFIG REWRITE\nmaxmemory-policy allkeys-lru\nslowlog-max-len 1000\nlatency-tracking-info-percentiles 50 99 99.9\nnotify-keyspace-events \"xK\"\n"
	if got, _ := os.ReadFile(p); string(got) != want {
		t.Errorf("first rewrite:\n%s\nwant:\n%s", got, want)
	}
	if err := c.Set([][2]string{{"maxmemory", "0"}, {"save", "3600 1 300 100 60 10000"}, {"hz", "10"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	want = "# top comment\nport 23458\ndaemonize yes\ndir \"/tmp/cfgscratch\"\nsave 3600 1\nsave 300 100\n\n" +
		"# memory\nmaxmemory 0\nhz 10\n\nloglevel notice\nrequirepass \"se cret\"\n" +
		"client-output-buffer-limit normal 0 0 0\n\nlist-max-listpack-size -2\n\n" +
		"# Generated by CONFIG REWRITE\nmaxmemory-policy allkeys-lru\nslowlog-max-len 1000\nlatency-tracking-info-percentiles 50 99 99.9\nnotify-keyspace-events \"xK\"\n\nsave 60 10000\n"
	if got, _ := os.ReadFile(p); string(got) != want {
		t.Errorf("second rewrite:\n%s\nwant:\n%s", got, want)
	}
	// The rewritten file loads back to the same values.
	c2, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if a, b := c.Get("*"), c2.Get("*"); !reflect.DeepEqual(a, b) {
		t.Errorf("reload differs")
	}

	p2 := writeFile(t, dir, "rw2.conf", "port 23458\nsave 900 1\nclient-output-buffer-limit normal 0 0 0\n")
	c, err = Load(p2, [][]string{{"maxmemory", "1000"}})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, dir, "rw2.conf", "port 23458\nsave 900 1\nclient-output-buffer-limit normal 0 0 0\nrename-command FOO BAR\nbogus x\n")
	if err := c.Set([][2]string{{"save", ""}, {"client-output-buffer-limit", "slave 1gb 3mb 7"}, {"masterauth", "a\"b"}}); err != nil {
		t.Fatal(err)
	}
	if err := c.Rewrite(); err != nil {
		t.Fatal(err)
	}
	want = "port 23458\nsave \"\"\nclient-output-buffer-limit normal 0 0 0\nrename-command FOO BAR\n# ??? bogus x\n\n# Generated by CONFIG REWRITE\n" +
		"dir \"./\"\nmasterauth \"a\\\"b\"\nmaxmemory 1000\nlatency-tracking-info-percentiles 50 99 99.9\nclient-output-buffer-limit replica 1gb 3mb 7\n"
	if got, _ := os.ReadFile(p2); string(got) != want {
		t.Errorf("rewrite 2:\n%s\nwant:\n%s", got, want)
	}

	// maxmemory-clients is rewritten as a percentage or in memory units
	// (redis-server 7.0.15 writes "10%", "3mb" and "0"; from the second
	// rewrite on, the file ends in a blank line there too).
	p3 := writeFile(t, dir, "rw3.conf", "port 23457\nmaxmemory-clients 10%\nsave \"\"\n")
	if c, err = Load(p3, nil); err != nil {
		t.Fatal(err)
	}
	tail := ""
	for _, v := range [][2]string{{"10%", "10%"}, {"3mb", "3mb"}, {"0", "0"}} {
		if err := c.Set([][2]string{{"maxmemory-clients", v[0]}}); err != nil {
			t.Fatal(err)
		}
		if err := c.Rewrite(); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(p3); string(got) != "port 23457\nmaxmemory-clients "+v[1]+"\nsave \"\"\n\n# Generated by CONFIG REWRITE\ndir \""+c.Dir+"\"\nlatency-tracking-info-percentiles 50 99 99.9\n"+tail {
			t.Errorf("rewrite maxmemory-clients %s:\n%q", v[0], got)
		}
		tail = "\n"
	}

	if err := Default().Rewrite(); !errors.Is(err, ErrNoConfigFile) || err.Error() != "ERR The server is running without a config file" {
		t.Errorf("no file: %v", err)
	}
}

// TestMasterPort: the replicaof port is read as Redis's strtol check
// (unit/introspection "command line arguments - error cases").
func TestMasterPort(t *testing.T) {
	tests := []struct {
		in   string
		port int
		ok   bool
	}{
		{"6379", 6379, true}, {" 6379", 6379, true}, {"+1", 1, true}, {"-0", 0, true}, {"", 0, true},
		{"0", 0, true}, {"65535", 65535, true}, {"65536", 0, false}, {"-1", 0, false}, {"abc", 0, false},
		{"6379x", 0, false}, {" ", 0, false}, {"99999999999999999999", 0, false}, {"6379 ", 0, false},
	}
	for _, tt := range tests {
		if port, ok := masterPort(tt.in); port != tt.port || ok != tt.ok {
			t.Errorf("masterPort(%q) = %d, %v; want %d, %v", tt.in, port, ok, tt.port, tt.ok)
		}
	}
}

// TestRewriteAll: DEBUG CONFIG-REWRITE-FORCE-ALL writes every directive,
// defaults included, and the file loads back to the same values (Redis's
// unit/introspection "CONFIG REWRITE sanity").
func TestRewriteAll(t *testing.T) {
	dir := t.TempDir()
	p := writeFile(t, dir, "all.conf", "# kept\nport 23459\n")
	c, err := Load(p, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Set([][2]string{{"maxmemory", "10mb"}, {"save", ""}}); err != nil {
		t.Fatal(err)
	}
	if err := c.RewriteAll(); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	for _, line := range []string{"# kept\n", "port 23459\n", "maxmemory 10mb\n", "hz 10\n", "appendonly no\n", "save \"\"\n"} {
		if !strings.Contains(string(got), line) {
			t.Errorf("rewritten file lacks %q:\n%s", line, got)
		}
	}
	c2, err := Load(p, nil)
	if err != nil {
		t.Fatalf("load the rewritten file: %v\n%s", err, got)
	}
	if a, b := c.Get("*"), c2.Get("*"); !reflect.DeepEqual(a, b) {
		t.Errorf("reload differs")
	}
}
