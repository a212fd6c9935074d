package integration

import (
	"net"
	"strings"
	"testing"

	"shoal/internal/testutil"
)

// TestRedactedArguments: passwords given to AUTH, HELLO AUTH, MIGRATE
// AUTH/AUTH2 and CONFIG SET of a sensitive directive show as "(redacted)"
// in MONITOR and SLOWLOG, as redactClientCommandArgument makes them
// (Redis's unit/introspection "MONITOR supports redacting command
// arguments" and unit/slowlog "Some commands can redact sensitive
// fields"). MONITOR lines are compared without their time and client
// address, SLOWLOG entries by their argument arrays.
func TestRedactedArguments(t *testing.T) {
	sameOnBoth(t, nil, func(t *testing.T, addr string) string {
		host, port, _ := net.SplitHostPort(addr)
		mon := testutil.Dial(t, addr)
		defer mon.Close()
		mon.Do("MONITOR")
		c := testutil.Dial(t, addr)
		defer c.Close()
		c.Do("CONFIG", "SET", "slowlog-log-slower-than", "0")
		c.Do("SLOWLOG", "RESET")
		cmds := [][]string{
			{"MIGRATE", host, port, "key", "9", "5000"},
			{"MIGRATE", host, port, "key", "9", "5000", "AUTH", "user"},
			{"MIGRATE", host, port, "key", "9", "5000", "AUTH2", "user", "password"},
			{"AUTH", "not-real"},
			{"AUTH", "not-real", "not-a-password"},
			{"HELLO", "2", "AUTH", "not-real", "not-a-password"},
			{"CONFIG", "SET", "masterauth", "secret", "maxmemory-samples", "5"},
			{"CONFIG", "SET", "masterauth", ""},
		}
		var out strings.Builder
		for _, cmd := range cmds {
			out.WriteString(replyText(c.Do(cmd...)) + "\n")
		}
		c.Do("CONFIG", "SET", "slowlog-log-slower-than", "-1")
		// MONITOR shows all but the admin CONFIG SETs.
		for range cmds[:6] {
			line := replyText(mon.ReadReply())
			_, args, _ := strings.Cut(line, "] ")
			out.WriteString("monitor: " + args + "\n")
		}
		_, entries, err := testutil.Elements(c.Do("SLOWLOG", "GET", "-1"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			_, fields, err := testutil.Elements(e)
			if err != nil || len(fields) < 4 {
				t.Fatalf("slowlog entry %q: %v", e, err)
			}
			out.WriteString("slowlog: " + strings.ReplaceAll(string(fields[3]), "\r\n", " ") + "\n")
		}
		return strings.ReplaceAll(out.String(), port, "PORT")
	})
}
