package server

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/testutil"
)

func TestOverlaps(t *testing.T) {
	tests := []struct {
		a, b string
		want bool
	}{
		{"a", "ab", true},
		{"ab", "a", true},
		{"a", "a", true},
		{"", "x", true},
		{"ab", "ac", false},
		{"user:", "obj:", false},
	}
	for _, tt := range tests {
		if got := overlaps([]byte(tt.a), []byte(tt.b)); got != tt.want {
			t.Errorf("overlaps(%q, %q) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestCString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", "abc"},
		{"ab\x00c", "ab"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := cString([]byte(tt.in)); got != tt.want {
			t.Errorf("cString(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestTrackingInfoFlags(t *testing.T) {
	tests := []struct {
		on    bool
		flags uint8
		want  string
	}{
		{false, 0, "off"},
		{true, 0, "on"},
		{true, trackBcast | trackNoLoop, "on bcast noloop"},
		{true, trackOptIn | trackCaching, "on optin caching-yes"},
		{true, trackOptOut | trackCaching | trackNoLoop, "on optout caching-no noloop"},
		{true, trackNoLoop | trackBrokenRedir, "on noloop broken_redirect"},
	}
	for _, tt := range tests {
		c := &conn{}
		if tt.on {
			c.Flags |= command.ClientTracking
		}
		c.track.flags = tt.flags
		if got := strings.Join(trackingInfoFlags(c, nil), " "); got != tt.want {
			t.Errorf("flags %b: got %q, want %q", tt.flags, got, tt.want)
		}
	}
}

func TestTrackingListFlags(t *testing.T) {
	tests := []struct {
		on    bool
		flags uint8
		want  string
	}{
		{false, trackBcast, ""},
		{true, 0, "t"},
		{true, trackBcast | trackNoLoop, "tB"},
		{true, trackBrokenRedir, "tR"},
		{true, trackBrokenRedir | trackBcast, "tRB"},
	}
	for _, tt := range tests {
		c := &conn{}
		if tt.on {
			c.Flags |= command.ClientTracking
		}
		c.track.flags = tt.flags
		if got := trackingListFlags(c); got != tt.want {
			t.Errorf("flags %b: got %q, want %q", tt.flags, got, tt.want)
		}
	}
}

func TestAppendKeyArray(t *testing.T) {
	a, b := &conn{}, &conn{}
	keys := []string{"k1", "k2", "k3"}
	by := map[string]*conn{"k1": a, "k2": b, "k3": nil}
	tests := []struct {
		skip *conn
		want string
	}{
		{nil, "*3\r\n$2\r\nk1\r\n$2\r\nk2\r\n$2\r\nk3\r\n"},
		{a, "*2\r\n$2\r\nk2\r\n$2\r\nk3\r\n"},
		{b, "*2\r\n$2\r\nk1\r\n$2\r\nk3\r\n"},
	}
	for _, tt := range tests {
		if got := string(appendKeyArray(nil, keys, by, tt.skip)); got != tt.want {
			t.Errorf("skip %p: got %q, want %q", tt.skip, got, tt.want)
		}
	}
	if got := appendKeyArray(nil, []string{"k1"}, by, a); got != nil {
		t.Errorf("only own keys: got %q, want nil", got)
	}
}

// trackingClients dials n clients to addr.
func trackingClients(t *testing.T, addr string, n int) []*rclient {
	t.Helper()
	out := make([]*rclient, n)
	for i := range out {
		c, err := dialClient(addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.close)
		out[i] = c
	}
	return out
}

func mustExpect(t *testing.T, c *rclient, want string, args ...string) {
	t.Helper()
	if err := c.expect(want, args...); err != nil {
		t.Fatal(err)
	}
}

func mustRead(t *testing.T, c *rclient, want string) {
	t.Helper()
	got, err := c.read()
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func clientIDOf(t *testing.T, c *rclient) string {
	t.Helper()
	b, err := c.do("CLIENT", "ID")
	if err != nil {
		t.Fatal(err)
	}
	id, err := parseIntReply(b)
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(id, 10)
}

const hello3 = "%7\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n$5\r\nproto\r\n:3\r\n$2\r\nid\r\n:"

func toResp3(t *testing.T, c *rclient) {
	t.Helper()
	b, err := c.do("HELLO", "3")
	if err != nil || !strings.HasPrefix(string(b), hello3) {
		t.Fatalf("HELLO 3: %q %v", b, err)
	}
}

// Replies and messages below are those of Redis 7.0.15.
const (
	invalidateMsg = "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n"
	invalidatePsh = ">2\r\n$10\r\ninvalidate\r\n"
)

// TestTrackingRedirectResp2 covers REDIRECT to a RESP2 client subscribed
// to __redis__:invalidate, the null invalidation of a flush (written as
// the tracking client's protocol writes null), and NOLOOP.
func TestTrackingRedirectResp2(t *testing.T) {
	_, addr := startInProcess(t, 2)
	cs := trackingClients(t, addr, 3)
	tr, sub, w := cs[0], cs[1], cs[2]
	subID := clientIDOf(t, sub)
	mustExpect(t, sub, "*3\r\n$9\r\nsubscribe\r\n$20\r\n__redis__:invalidate\r\n:1\r\n", "SUBSCRIBE", "__redis__:invalidate")
	mustExpect(t, tr, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", subID)
	mustExpect(t, tr, ":"+subID+"\r\n", "CLIENT", "GETREDIR")
	mustExpect(t, tr, "*3\r\n$-1\r\n$-1\r\n$-1\r\n", "MGET", "k", "k2", "k3")
	mustExpect(t, w, "+OK\r\n", "SET", "k", "1")
	mustRead(t, sub, invalidateMsg+"*1\r\n$1\r\nk\r\n")
	mustExpect(t, w, "+OK\r\n", "MSET", "k2", "1", "k3", "1")
	mustRead(t, sub, invalidateMsg+"*1\r\n$2\r\nk2\r\n")
	mustRead(t, sub, invalidateMsg+"*1\r\n$2\r\nk3\r\n")
	mustExpect(t, w, "+OK\r\n", "FLUSHALL")
	mustRead(t, sub, invalidateMsg+"$-1\r\n")

	// The same flush, from a RESP3 tracking client: "_" as the value.
	toResp3(t, tr)
	mustExpect(t, w, "+OK\r\n", "FLUSHDB")
	mustRead(t, sub, invalidateMsg+"_\r\n")

	// NOLOOP: the client's own write is not reported.
	mustExpect(t, tr, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", subID, "NOLOOP")
	mustExpect(t, tr, "_\r\n", "GET", "n")
	mustExpect(t, tr, "+OK\r\n", "SET", "n", "1")
	mustExpect(t, tr, "$1\r\n1\r\n", "GET", "n")
	mustExpect(t, w, ":1\r\n", "DEL", "n")
	mustRead(t, sub, invalidateMsg+"*1\r\n$1\r\nn\r\n")
	mustExpect(t, sub, "*2\r\n$4\r\npong\r\n$0\r\n\r\n", "PING")
}

// TestTrackingRedirBroken covers REDIRECT to a RESP3 client, then to one
// that went away: a RESP3 tracking client is told tracking-redir-broken
// and CLIENT TRACKINGINFO and CLIENT LIST show the broken redirect.
func TestTrackingRedirBroken(t *testing.T) {
	_, addr := startInProcess(t, 1)
	cs := trackingClients(t, addr, 3)
	tr, to, w := cs[0], cs[1], cs[2]
	toResp3(t, tr)
	toResp3(t, to)
	toID := clientIDOf(t, to)
	mustExpect(t, tr, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", toID)
	mustExpect(t, tr, "_\r\n", "GET", "k")
	mustExpect(t, w, "+OK\r\n", "SET", "k", "1")
	mustRead(t, to, invalidatePsh+"*1\r\n$1\r\nk\r\n")

	mustExpect(t, tr, "$1\r\n1\r\n", "GET", "k")
	to.close()
	testutil.WaitFor(t, replyTimeout, func() bool {
		b, err := w.do("CLIENT", "LIST", "ID", toID)
		return err == nil && string(b) == "$0\r\n\r\n"
	})
	mustExpect(t, w, "+OK\r\n", "SET", "k", "2")
	broken := ">2\r\n$21\r\ntracking-redir-broken\r\n:" + toID + "\r\n"
	mustRead(t, tr, broken)
	mustExpect(t, tr, "%3\r\n$5\r\nflags\r\n~2\r\n$2\r\non\r\n$15\r\nbroken_redirect\r\n$8\r\nredirect\r\n:"+toID+"\r\n$8\r\nprefixes\r\n*0\r\n",
		"CLIENT", "TRACKINGINFO")
	b, err := tr.do("CLIENT", "INFO")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), " flags=tR ") || !strings.Contains(string(b), " redir="+toID+" ") {
		t.Fatalf("CLIENT INFO: %q", b)
	}
	mustExpect(t, w, "+OK\r\n", "FLUSHALL")
	mustRead(t, tr, broken)
}

// TestTrackingInfoFields checks INFO's tracking fields (clients section:
// tracking_clients; stats: the table).
func TestTrackingInfoFields(t *testing.T) {
	_, addr := startInProcess(t, 1)
	cs := trackingClients(t, addr, 3)
	a, b, w := cs[0], cs[1], cs[2]
	mustExpect(t, a, "+OK\r\n", "CLIENT", "TRACKING", "on")
	mustExpect(t, a, "*2\r\n$-1\r\n$-1\r\n", "MGET", "k1", "k2")
	mustExpect(t, w, "+OK\r\n", "CLIENT", "TRACKING", "on")
	mustExpect(t, w, "$-1\r\n", "GET", "k1")
	mustExpect(t, b, "+OK\r\n", "CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "p:", "PREFIX", "q:")
	want := map[string]string{"tracking_clients": "3", "tracking_total_keys": "2", "tracking_total_items": "3", "tracking_total_prefixes": "2"}
	checkTrackingInfo(t, w, want)
	mustExpect(t, b, "+OK\r\n", "CLIENT", "TRACKING", "off")
	mustExpect(t, w, "+OK\r\n", "SET", "k1", "x")
	want = map[string]string{"tracking_clients": "2", "tracking_total_keys": "1", "tracking_total_items": "1", "tracking_total_prefixes": "0"}
	checkTrackingInfo(t, w, want)
	a.close()
	testutil.WaitFor(t, replyTimeout, func() bool {
		return trackingInfo(t, w)["tracking_clients"] == "1"
	})
}

func trackingInfo(t *testing.T, c *rclient) map[string]string {
	t.Helper()
	b, err := c.do("INFO")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, m := range regexp.MustCompile(`(tracking_[a-z_]+):(\d+)`).FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	return out
}

func checkTrackingInfo(t *testing.T, c *rclient, want map[string]string) {
	t.Helper()
	got := trackingInfo(t, c)
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

// TestTrackingTableMaxKeys checks that the table is trimmed to
// tracking-table-max-keys, each evicted key invalidated, over several
// passes when more than one pass's effort is needed.
func TestTrackingTableMaxKeys(t *testing.T) {
	_, addr := startInProcess(t, 1)
	cs := trackingClients(t, addr, 2)
	tr, w := cs[0], cs[1]
	toResp3(t, tr)
	mustExpect(t, tr, "+OK\r\n", "CLIENT", "TRACKING", "on")
	const n = 250
	for i := 0; i < n; i++ {
		tr.queue("GET", "key"+strconv.Itoa(i))
	}
	if err := tr.flush(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		mustRead(t, tr, "_\r\n")
	}
	mustExpect(t, w, "+OK\r\n", "CONFIG", "SET", "tracking-table-max-keys", "1")
	var seen []string
	for len(seen) < n-1 {
		b, err := tr.read()
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if !strings.HasPrefix(s, invalidatePsh+"*1\r\n") {
			t.Fatalf("not an invalidation: %q", b)
		}
		seen = append(seen, s)
	}
	slices.Sort(seen)
	if len(slices.Compact(seen)) != n-1 {
		t.Fatalf("duplicate invalidations")
	}
	checkTrackingInfo(t, w, map[string]string{"tracking_total_keys": "1", "tracking_total_items": "1"})
}

// TestTrackingSelfRedirect: a RESP2 client redirecting to itself without
// subscribing gets nothing; in RESP3 it gets the push.
func TestTrackingSelfRedirect(t *testing.T) {
	_, addr := startInProcess(t, 1)
	cs := trackingClients(t, addr, 2)
	tr, w := cs[0], cs[1]
	id := clientIDOf(t, tr)
	mustExpect(t, tr, "+OK\r\n", "CLIENT", "TRACKING", "on", "REDIRECT", id)
	mustExpect(t, tr, "$-1\r\n", "GET", "k")
	mustExpect(t, w, "+OK\r\n", "SET", "k", "1")
	mustExpect(t, tr, "+PONG\r\n", "PING")
	toResp3(t, tr)
	mustExpect(t, tr, "$1\r\n1\r\n", "GET", "k")
	mustExpect(t, w, "+OK\r\n", "SET", "k", "2")
	mustRead(t, tr, invalidatePsh+"*1\r\n$1\r\nk\r\n")
}

// TestTrackingPrefixesCountAsClientMemory: a client's BCAST prefixes are
// part of its memory (tot-mem, maxmemory-clients), as Redis counts its
// prefix rax, and leave it with CLIENT TRACKING OFF.
func TestTrackingPrefixesCountAsClientMemory(t *testing.T) {
	s := New(config.Default())
	s.trackingInit()
	c := &conn{srv: s}
	base := c.totMem()
	for _, p := range []string{"user:", "obj:", "session:"} {
		s.bcastSubscribe(c, p)
	}
	s.bcastSubscribe(c, "obj:") // already there: counted once
	want := base + int64(len("user:")+len("obj:")+len("session:")) + 3*trackingPrefixSize
	if got := c.totMem(); got != want {
		t.Fatalf("tot-mem with 3 prefixes %d, want %d", got, want)
	}
	c.track.flags |= trackBcast
	s.trackingDisable(c)
	if got := c.totMem(); got != base {
		t.Fatalf("tot-mem after TRACKING OFF %d, want %d", got, base)
	}
}
