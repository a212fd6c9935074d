package server

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"shoal/internal/command"
	"shoal/internal/config"
	"shoal/internal/testutil"
)

// TestEvictionMem checks which clients count toward maxmemory-clients:
// normal, pub/sub and MONITOR clients do (NO-EVICT ones too), master and
// replica links and clients being closed do not.
func TestEvictionMem(t *testing.T) {
	tests := []struct {
		flags  uint64
		closed bool
		counts bool
	}{
		{0, false, true},
		{command.ClientPubSub, false, true},
		{command.ClientNoEvict, false, true},
		{command.ClientReplica | command.ClientMonitor, false, true},
		{command.ClientMonitor, false, true},
		{command.ClientMaster, false, false},
		{command.ClientReplica, false, false},
		{command.ClientCloseASAP, false, false},
		{0, true, false},
	}
	for _, tt := range tests {
		c := &conn{qbuf: make([]byte, 0, 5000), closed: tt.closed}
		c.Flags = tt.flags
		want := int64(0)
		if tt.counts {
			want = 5000 + clientOverhead
		}
		if got := c.evictionMem(); got != want {
			t.Errorf("flags %b closed %v: evictionMem %d, want %d", tt.flags, tt.closed, got, want)
		}
	}
}

// TestEvictClientsOrder runs the eviction check over fabricated clients
// with given query buffer sizes: the largest evictable ones go first, only
// as many as needed to get under the limit, NO-EVICT and replica clients
// stay, and nothing happens below the limit or with maxmemory-clients 0.
func TestEvictClientsOrder(t *testing.T) {
	const k = 1024
	type cl struct {
		qbuf  int
		flags uint64
	}
	tests := []struct {
		name    string
		limit   int64 // maxmemory-clients (raised to 128 KiB as Redis does)
		clients []cl
		evicted []int // indexes into clients
		warn    bool  // "Over client maxmemory ..." logged
	}{
		{"off", 0, []cl{{900 * k, 0}, {900 * k, 0}}, nil, false},
		{"under", 1024 * k, []cl{{300 * k, 0}, {300 * k, 0}}, nil, false},
		{"largest first", 1024 * k, []cl{{300 * k, 0}, {700 * k, 0}, {200 * k, 0}}, []int{1}, false},
		{"two needed", 1024 * k, []cl{{600 * k, 0}, {700 * k, 0}, {650 * k, 0}, {100 * k, 0}}, []int{1, 2}, false},
		{"no-evict skipped", 1024 * k, []cl{{800 * k, command.ClientNoEvict}, {300 * k, 0}}, []int{1}, false},
		{"nothing evictable", 1024 * k, []cl{{1100 * k, command.ClientNoEvict}, {100 * k, command.ClientReplica}}, nil, true},
		{"replica not counted", 1024 * k, []cl{{2000 * k, command.ClientReplica}, {300 * k, 0}}, nil, false},
		{"minimum limit", 1, []cl{{100 * k, 0}, {30 * k, 0}}, []int{0}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := config.Default()
			cfg.MaxmemoryClients = tt.limit
			cfg.LogFile = filepath.Join(t.TempDir(), "shoal.log")
			s := New(cfg)
			l := &loop{srv: s, conns: make(map[int]*conn)}
			var conns []*conn
			for i, x := range tt.clients {
				c := &conn{srv: s, loop: l, fd: 100 + i, qbuf: make([]byte, 0, x.qbuf), addr: "127.0.0.1:1", laddr: "127.0.0.1:2"}
				c.ID = int64(i + 1)
				c.Flags = x.flags
				c.DB = s.ks.DBs[0]
				s.clients[c.ID] = c
				conns = append(conns, c)
			}
			s.mu.Lock()
			// Each client's share is counted at its read passes.
			for _, c := range conns {
				s.accountClientMemory(c)
			}
			// Another loop runs: the clients of l are queued for l to
			// close (a client of the running loop is freed at once, see
			// test/integration TestClientEvictedOnFirstRead).
			s.curLoop = &loop{srv: s}
			s.evictClientsAfterRead(conns[len(conns)-1])
			s.curLoop = nil
			s.mu.Unlock()
			var got []int
			for i, c := range conns {
				if c.Flags&command.ClientCloseASAP != 0 {
					got = append(got, i)
				}
			}
			if !slicesEqual(got, tt.evicted) {
				t.Errorf("evicted %v, want %v", got, tt.evicted)
			}
			if s.cevict.evicted != int64(len(tt.evicted)) {
				t.Errorf("evicted_clients %d, want %d", s.cevict.evicted, len(tt.evicted))
			}
			if len(l.pending) != len(tt.evicted) {
				t.Errorf("%d clients queued for closing, want %d", len(l.pending), len(tt.evicted))
			}
			log, _ := os.ReadFile(cfg.LogFile)
			if n := bytes.Count(log, []byte("* Evicting client: id=")); n != len(tt.evicted) {
				t.Errorf("%d eviction lines logged, want %d:\n%s", n, len(tt.evicted), log)
			}
			if got := bytes.Contains(log, []byte("# Over client maxmemory after evicting all evictable clients")); got != tt.warn {
				t.Errorf("warning logged %v, want %v:\n%s", got, tt.warn, log)
			}
			if tt.limit == 0 {
				return
			}
			// The running total agrees with a recount.
			var sum int64
			for _, c := range conns {
				sum += c.evictionMem()
			}
			if got := s.cevict.total.Load(); got != sum {
				t.Errorf("total %d, recount %d", got, sum)
			}
		})
	}
}

func slicesEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestClientEvictionLive drives eviction through real sockets on two
// event loops: a client whose partial bulk grows its query buffer past
// maxmemory-clients is closed, a NO-EVICT client with the same buffer is
// not and completes its command, INFO counts one eviction, and with
// maxmemory-clients back at 0 nothing is evicted.
func TestClientEvictionLive(t *testing.T) {
	s, _ := startConfigured(t, func(c *config.Config) {
		c.MaxmemoryClients = 1 << 20
		c.IOThreads = 2
	})
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port()))
	dial := func() *rclient {
		c, err := dialClient(addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.close)
		return c
	}
	ctl := dial()
	if err := ctl.expect("+OK\r\n", "CLIENT", "NO-EVICT", "on"); err != nil {
		t.Fatal(err)
	}
	const declared = 3000000
	head := []byte("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$" + strconv.Itoa(declared) + "\r\n")
	part := bytes.Repeat([]byte("x"), 1200000)

	victim := dial()
	if err := victim.expect("+OK\r\n", "CLIENT", "SETNAME", "victim"); err != nil {
		t.Fatal(err)
	}
	victim.nc.Write(head)
	victim.nc.Write(part)
	if _, err := victim.read(); !isClosed(err) {
		t.Fatalf("victim not closed: %v", err)
	}

	keeper := dial()
	if err := keeper.expect("+OK\r\n", "CLIENT", "NO-EVICT", "on"); err != nil {
		t.Fatal(err)
	}
	keeper.wbuf = append(append(keeper.wbuf, head...), part...)
	if err := keeper.flush(); err != nil {
		t.Fatal(err)
	}
	// The keeper's buffer is counted (CLIENT LIST shows it) and it stays.
	testutil.WaitFor(t, replyTimeout, func() bool {
		list, err := ctl.do("CLIENT", "LIST")
		return err == nil && bytes.Contains(list, []byte("qbuf=1200000 "))
	})
	keeper.wbuf = append(append(keeper.wbuf, bytes.Repeat([]byte("x"), declared-len(part))...), "\r\n"...)
	if err := keeper.flush(); err != nil {
		t.Fatal(err)
	}
	if got, err := keeper.read(); err != nil || string(got) != "+OK\r\n" {
		t.Fatalf("keeper's SET: %q %v", got, err)
	}
	if err := ctl.expect(":"+strconv.Itoa(declared)+"\r\n", "STRLEN", "k"); err != nil {
		t.Error(err)
	}
	info, err := ctl.do("INFO", "stats")
	if err != nil || !bytes.Contains(info, []byte("\r\nevicted_clients:1\r\n")) {
		t.Errorf("INFO stats: %v\n%s", err, info)
	}
	s.mu.Lock()
	logFile := s.cfg.LogFile
	s.mu.Unlock()
	log, _ := os.ReadFile(logFile)
	if !bytes.Contains(log, []byte("Evicting client: id=")) || !strings.Contains(string(log), " name=victim ") {
		t.Errorf("no eviction logged for the victim:\n%s", log)
	}

	// Off: the same partial bulk is just a pending command.
	if err := ctl.expect("+OK\r\n", "CONFIG", "SET", "maxmemory-clients", "0"); err != nil {
		t.Fatal(err)
	}
	other := dial()
	other.wbuf = append(append(other.wbuf, head...), part...)
	other.wbuf = append(append(other.wbuf, bytes.Repeat([]byte("y"), declared-len(part))...), "\r\n"...)
	if err := other.flush(); err != nil {
		t.Fatal(err)
	}
	if got, err := other.read(); err != nil || string(got) != "+OK\r\n" {
		t.Fatalf("SET with eviction off: %q %v", got, err)
	}
	// On again: the total is rebuilt from every client.
	if err := ctl.expect("+OK\r\n", "CONFIG", "SET", "maxmemory-clients", "1mb"); err != nil {
		t.Fatal(err)
	}
	if err := ctl.expect("+PONG\r\n", "PING"); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	var sum int64
	for _, c := range s.clients {
		sum += c.evictionMem()
	}
	total := s.cevict.total.Load()
	s.mu.Unlock()
	if total != sum {
		t.Errorf("total %d after re-enabling, recount %d", total, sum)
	}
}
