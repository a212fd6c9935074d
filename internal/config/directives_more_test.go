package config

import (
	"testing"
)

// TestMoreDirectivesDefaults: CONFIG GET of every directive of
// directives_more.go shows redis-server 7.0.15's default.
func TestMoreDirectivesDefaults(t *testing.T) {
	c := Default()
	for _, tc := range []struct{ name, want string }{
		{"acl-pubsub-default", "resetchannels"}, {"aclfile", ""}, {"acllog-max-len", "128"},
		{"active-defrag-cycle-max", "25"}, {"active-defrag-cycle-min", "1"},
		{"active-defrag-ignore-bytes", "104857600"}, {"active-defrag-max-scan-fields", "1000"},
		{"active-defrag-threshold-lower", "10"}, {"active-defrag-threshold-upper", "100"},
		{"aof-disable-auto-gc", "no"}, {"aof_rewrite_cpulist", ""}, {"bgsave_cpulist", ""},
		{"bio_cpulist", ""}, {"server_cpulist", ""}, {"cluster-announce-tls-port", "0"},
		{"crash-log-enabled", "yes"}, {"crash-memcheck-enabled", "yes"}, {"disable-thp", "yes"},
		{"ignore-warnings", ""}, {"oom-score-adj", "no"}, {"oom-score-adj-values", "0 200 800"},
		{"proc-title-template", "{title} {listen-addr} {server-mode}"}, {"set-proc-title", "yes"},
		{"replica-ignore-disk-write-errors", "no"}, {"shutdown-on-sigint", "default"},
		{"shutdown-on-sigterm", "default"}, {"socket-mark-id", "0"}, {"tracking-table-max-keys", "1000000"},
		{"tls-auth-clients", "yes"}, {"tls-ca-cert-dir", ""}, {"tls-cluster", "no"}, {"tls-port", "0"},
		{"tls-prefer-server-ciphers", "no"}, {"tls-replication", "no"}, {"tls-session-cache-size", "20480"},
		{"tls-session-cache-timeout", "300"}, {"tls-session-caching", "yes"}, {"tls-key-file-pass", ""},
	} {
		got := c.Get(tc.name)
		if len(got) != 1 || got[0][1] != tc.want {
			t.Errorf("%s: got %v, want %q", tc.name, got, tc.want)
		}
	}
	if !Sensitive("tls-key-file-pass") || !Sensitive("tls-client-key-file-pass") {
		t.Errorf("TLS key passwords must be sensitive")
	}
}

// TestMoreDirectivesSet: CONFIG SET replies and the values CONFIG GET
// shows after, as checked against redis-server 7.0.15.
func TestMoreDirectivesSet(t *testing.T) {
	const pre = "ERR CONFIG SET failed (possibly related to argument '"
	for _, tc := range []struct {
		name, value string
		err         string // reason after the prefix, "" for OK
		get         string // CONFIG GET after a success
	}{
		{"acl-pubsub-default", "foo", "argument(s) must be one of the following: allchannels, resetchannels", ""},
		{"acl-pubsub-default", "ALLCHANNELS", "", "allchannels"},
		{"aclfile", "x", "can't set immutable config", ""},
		{"acllog-max-len", "-1", "argument must be between 0 and 9223372036854775807 inclusive", ""},
		{"acllog-max-len", "9223372036854775808", "argument couldn't be parsed into an integer", ""},
		{"active-defrag-cycle-min", "100", "argument must be between 1 and 99 inclusive", ""},
		{"active-defrag-ignore-bytes", "0", "argument must be between 1 and 9223372036854775807 inclusive", ""},
		{"active-defrag-ignore-bytes", "2mb", "", "2097152"},
		{"aof-disable-auto-gc", "maybe", "argument must be 'yes' or 'no'", ""},
		{"server_cpulist", "0", "can't set immutable config", ""},
		{"disable-thp", "no", "can't set immutable config", ""},
		{"set-proc-title", "no", "can't set immutable config", ""},
		{"socket-mark-id", "1", "can't set immutable config", ""},
		{"cluster-announce-tls-port", "65536", "argument must be between 0 and 65535 inclusive", ""},
		{"oom-score-adj", "foo", "argument(s) must be one of the following: no, yes, relative, absolute", ""},
		{"oom-score-adj", "relative", "", "yes"},
		{"oom-score-adj", "absolute", "", "absolute"},
		{"oom-score-adj-values", "0 200", "wrong number of arguments", ""},
		{"oom-score-adj-values", "", "wrong number of arguments", ""},
		{"oom-score-adj-values", " 5 200 800", "wrong number of arguments", ""},
		{"oom-score-adj-values", "0 200 2001", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.", ""},
		{"oom-score-adj-values", "0 abc 800", "Invalid oom-score-adj-values, elements must be between -2000 and 2000.", ""},
		{"oom-score-adj-values", "+5 200 -2000", "", "5 200 -2000"},
		{"proc-title-template", "{foo}", "template format is invalid or contains unknown variables", ""},
		{"proc-title-template", "", "template format is invalid or contains unknown variables", ""},
		{"proc-title-template", "{title", "template format is invalid or contains unknown variables", ""},
		{"proc-title-template", "   ", "template format is invalid or contains unknown variables", ""},
		{"proc-title-template", "{server-mode}", "template format is invalid or contains unknown variables", ""},
		{"proc-title-template", "{port} {{ }} }", "", "{port} {{ }} }"},
		{"shutdown-on-sigint", "foo", "argument(s) must be one of the following: default, save, nosave, now, force", ""},
		{"shutdown-on-sigint", "", "argument(s) must be one of the following: default, save, nosave, now, force", ""},
		{"shutdown-on-sigint", "save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously", ""},
		{"shutdown-on-sigint", "force now save", "", "save now force"},
		{"shutdown-on-sigterm", "default SAVE", "", "save"},
		{"shutdown-on-sigterm", "force force", "", "force"},
		{"tracking-table-max-keys", "-1", "argument must be between 0 and 9223372036854775807 inclusive", ""},
		{"tls-port", "70000", "argument must be between 0 and 65535 inclusive", ""},
		{"tls-auth-clients", "foo", "argument(s) must be one of the following: no, yes, optional", ""},
		{"tls-auth-clients", "optional", "", "optional"},
		{"tls-session-cache-size", "-1", "argument must be between 0 and 2147483647 inclusive", ""},
		{"tls-protocols", "TLSv1.2", "", "TLSv1.2"},
	} {
		c := Default()
		err := c.Set([][2]string{{tc.name, tc.value}})
		if tc.err != "" {
			want := pre + tc.name + "') - " + tc.err
			if err == nil || err.Error() != want {
				t.Errorf("SET %s %q: got %v, want %q", tc.name, tc.value, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("SET %s %q: %v", tc.name, tc.value, err)
			continue
		}
		if got := c.Get(tc.name)[0][1]; got != tc.get {
			t.Errorf("SET %s %q: GET %q, want %q", tc.name, tc.value, got, tc.get)
		}
	}
}

// TestMoreDirectivesFile: config-file lines, with Redis's fatal reasons.
func TestMoreDirectivesFile(t *testing.T) {
	for _, tc := range []struct{ line, reason string }{
		{"oom-score-adj-values 0 200", "wrong number of arguments"},
		{"oom-score-adj-values", "wrong number of arguments"},
		{"oom-score-adj-values 0 200 3000", "Invalid oom-score-adj-values, elements must be between -2000 and 2000."},
		{`oom-score-adj-values "" 1 2`, ""},
		{`oom-score-adj-values " 1" 1 2`, ""},
		{`oom-score-adj-values "0 200 800"`, ""},
		{"proc-title-template {foo}", "template format is invalid or contains unknown variables"},
		{"shutdown-on-sigint save nosave", "shutdown options SAVE and NOSAVE can't be used simultaneously"},
		{"shutdown-on-sigint", "argument(s) must be one of the following: default, save, nosave, now, force"},
		{`shutdown-on-sigint ""`, "argument(s) must be one of the following: default, save, nosave, now, force"},
		{`shutdown-on-sigint "save now"`, ""},
		{"acllog-max-len -5", "argument must be between 0 and 9223372036854775807 inclusive"},
		{"socket-mark-id -1", "argument must be between 0 and 4294967295 inclusive"},
		{"server_cpulist", "wrong number of arguments"},
		{"server_cpulist 0-1 2", "wrong number of arguments"},
		{"set-proc-title no", ""},
		{"tls-port 6390", ""},
	} {
		c := Default()
		c.loading = true
		err := c.loadText("f.conf", tc.line, 0)
		if tc.reason == "" {
			if err != nil {
				t.Errorf("%q: %v", tc.line, err)
			}
			continue
		}
		fe, ok := err.(*FileError)
		if !ok || fe.Reason != tc.reason {
			t.Errorf("%q: got %v, want reason %q", tc.line, err, tc.reason)
		}
	}
}

// TestExpandProcTitle: variables, "{{" quoting and trimming, as Redis's
// sdstemplate and expandProcTitleTemplate.
func TestExpandProcTitle(t *testing.T) {
	c := Default()
	c.Port = 6380
	c.Bind = []string{"127.0.0.1", "-::1"}
	c.UnixSocket = "/run/s.sock"
	c.path = "/etc/redis/redis.conf"
	for _, tc := range []struct {
		tmpl, want string
		ok         bool
	}{
		{DefaultProcTitleTemplate, "shoal-server 127.0.0.1:6380", true},
		{"{title} {config-file} {port} {tls-port} {unixsocket}", "shoal-server /etc/redis/redis.conf 6380 0 /run/s.sock", true},
		{"{{x}} } {port}", "{x}} } 6380", true},
		{"  {server-mode}  ", "", true},
		{"{nope}", "", false},
		{"{title", "", false},
		{"abc{", "", false},
		{"", "", true},
	} {
		got, ok := c.ExpandProcTitle(tc.tmpl, "shoal-server")
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: got %q %v, want %q %v", tc.tmpl, got, ok, tc.want, tc.ok)
		}
	}
	c.path = ""
	if got, _ := c.ExpandProcTitle("{config-file}", ""); got != "-" {
		t.Errorf("config-file without a file: %q", got)
	}
	c.Port = 0
	if got, _ := c.ExpandProcTitle("{listen-addr}", ""); got != "unixsocket:/run/s.sock" {
		t.Errorf("listen-addr without a port: %q", got)
	}
	c.TLSPort, c.ClusterEnabled = 6390, true
	if got, _ := c.ExpandProcTitle("{listen-addr} {server-mode}", ""); got != "127.0.0.1:6390 [cluster]" {
		t.Errorf("listen-addr with a TLS port: %q", got)
	}
}

// TestParseStrtoll: oom-score-adj-values elements read as strtoll with
// nothing left over.
func TestParseStrtoll(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"", 0, true}, {"5", 5, true}, {" 5", 5, true}, {"+5", 5, true}, {"-2000", -2000, true},
		{"5 ", 0, false}, {" ", 0, false}, {"-", 0, false}, {"0x10", 0, false}, {"+-1", 0, false},
		{"99999999999999999999", 1<<63 - 1, true},
	} {
		got, ok := parseStrtoll(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%q: got %d %v, want %d %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestFormatShutdownFlags: flag sets render in Redis's enum order.
func TestFormatShutdownFlags(t *testing.T) {
	for _, tc := range []struct {
		v    int
		want string
	}{
		{0, "default"}, {ShutdownSave, "save"}, {ShutdownForce | ShutdownNow | ShutdownNoSave, "nosave now force"},
	} {
		if got := FormatShutdownFlags(tc.v); got != tc.want {
			t.Errorf("%d: %q, want %q", tc.v, got, tc.want)
		}
	}
}
