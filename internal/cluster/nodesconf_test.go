package cluster

import (
	"errors"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
)

// sameLines compares two renderings as sets of lines: node-table order
// depends on when a node was first mentioned (a master line may come after
// its replicas').
func sameLines(a, b string) bool {
	x, y := strings.Split(a, "\n"), strings.Split(b, "\n")
	sort.Strings(x)
	sort.Strings(y)
	return strings.Join(x, "\n") == strings.Join(y, "\n")
}

// The nodes.conf captured from a 7.0.15 node (spec §15).
const capturedConf = `bf2f14854c952743c16a61adfed7f08b205ee7fb 127.0.0.1:47107@57107 master - 0 1795548990549 11 connected 0
4f3479db687a28db90a33da80497f28c49651315 127.0.0.1:47105@57105 master - 0 1795548991151 8 connected 5461-10922
187723acffb5f4805e12125cf079c1c01ceed07a 127.0.0.1:47102@57102 slave 4f3479db687a28db90a33da80497f28c49651315 0 1795548990549 8 connected
055a9dbced911f948e0ad87a1dc6f4f7c76ffcc9 127.0.0.1:47101@57101,host-a.example slave 39ac9893db315a098bcf4a3a8a4347c65e433258 0 1795548990147 10 connected
738696a491b6d88f77c9f80a25185ec9e151ef17 127.0.0.1:47106@57106 slave 1e2e2414522111c9906464ab8207979150998e0a 0 1795548990000 9 connected
39ac9893db315a098bcf4a3a8a4347c65e433258 127.0.0.1:47104@57104 myself,master - 0 1795548990000 10 connected 3-5460 [100->-1e2e2414522111c9906464ab8207979150998e0a]
1e2e2414522111c9906464ab8207979150998e0a 127.0.0.1:47103@57103 master - 0 1795548989143 9 connected 1-2 10923-16383
vars currentEpoch 11 lastVoteEpoch 8
`

func testConfig() Config {
	return Config{NodeTimeout: 5000, Port: 47104, BusPort: 57104, Rand: rand.New(rand.NewPCG(1, 2)), RequireFullCoverage: true}
}

func TestLoadCapturedConf(t *testing.T) {
	const now = 1795549000000
	s, err := Open(testConfig(), []byte(capturedConf), now)
	if err != nil {
		t.Fatal(err)
	}
	me := s.Myself()
	if me.ID != "39ac9893db315a098bcf4a3a8a4347c65e433258" || me.ConfigEpoch != 10 || me.NumSlots() != 5458 {
		t.Fatalf("myself %s epoch %d slots %d", me.ID, me.ConfigEpoch, me.NumSlots())
	}
	if s.CurrentEpoch() != 11 || s.LastVoteEpoch() != 8 || len(s.Nodes()) != 7 {
		t.Fatalf("epochs %d %d nodes %d", s.CurrentEpoch(), s.LastVoteEpoch(), len(s.Nodes()))
	}
	if m := s.Migrating(100); m == nil || m.ID != "1e2e2414522111c9906464ab8207979150998e0a" {
		t.Fatal("migrating mark lost")
	}
	r := s.Node("055a9dbced911f948e0ad87a1dc6f4f7c76ffcc9")
	if r.Hostname != "host-a.example" || r.Master() != me || r.ConfigEpoch != 0 {
		t.Fatalf("replica %+v", r)
	}
	if o := s.SlotOwner(16383); o == nil || o.ID != "1e2e2414522111c9906464ab8207979150998e0a" {
		t.Fatal("slot 16383")
	}
	// Rendering gives the same lines, with pong times replaced by "now"
	// as Redis does on load, and no links yet (disconnected).
	got := string(s.NodesConf())
	want := capturedConf
	for _, p := range []string{"1795548990549", "1795548991151", "1795548990147", "1795548990000", "1795548989143"} {
		want = strings.ReplaceAll(want, " "+p+" ", " 1795549000000 ")
	}
	want = strings.ReplaceAll(want, " connected", " disconnected")
	want = strings.ReplaceAll(want, "myself,master - 0 1795549000000 10 disconnected", "myself,master - 0 1795549000000 10 connected")
	if !sameLines(got, want) {
		t.Fatalf("render:\n%s\nwant:\n%s", got, want)
	}
	// A second load of the rendering is a fixed point.
	s2, err := Open(testConfig(), []byte(got), now)
	if err != nil {
		t.Fatal(err)
	}
	if !sameLines(string(s2.NodesConf()), got) {
		t.Fatal("not a fixed point")
	}
}

func TestFreshNodeConf(t *testing.T) {
	s, err := Open(testConfig(), nil, 1000)
	if err != nil {
		t.Fatal(err)
	}
	rd := s.Ready()
	if !rd.SaveConfig || !rd.Fsync {
		t.Fatal("a new node must save its config")
	}
	want := s.Myself().ID + " :47104@57104 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n"
	if got := string(s.NodesConf()); got != want {
		t.Fatalf("got %q want %q", got, want)
	}
}

func TestCorruptConf(t *testing.T) {
	lines := strings.Split(capturedConf, "\n")
	cases := []struct {
		name string
		conf string
		line int
	}{
		{"truncated mid-line", capturedConf[:300], 3},
		{"no vars", strings.Join(lines[:7], "\n") + "\n", 7},
		{"few fields", "39ac9893db315a098bcf4a3a8a4347c65e433258 127.0.0.1:1@2 myself\nvars currentEpoch 0\n", 1},
		{"bad id", "zz 127.0.0.1:1@2 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n", 1},
		{"bad flag", lines[0] + "\n" + strings.Replace(lines[5], "myself,master", "myself,boss", 1) + "\n" + lines[7] + "\n", 2},
		{"bad slot", strings.Replace(capturedConf, "10923-16383", "10923-16384", 1), 7},
		{"no myself", strings.Replace(capturedConf, "myself,", "", 1), 8},
		{"two myself", strings.Replace(capturedConf, " master - 0 1795548990549 11", " myself,master - 0 1795548990549 11", 1), 6},
		{"bad open slot", strings.Replace(capturedConf, "[100->-", "[100=>-", 1), 6},
		{"vars odd", strings.Replace(capturedConf, "lastVoteEpoch 8", "lastVoteEpoch", 1), 8},
		{"unbalanced quote", "\"abc\nvars currentEpoch 0 lastVoteEpoch 0\n", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Open(testConfig(), []byte(c.conf), 1)
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("err %v", err)
			}
			if ce.Line != c.line {
				t.Fatalf("line %d, want %d (%v)", ce.Line, c.line, err)
			}
		})
	}
}

func FuzzParseNodesConf(f *testing.F) {
	f.Add([]byte(capturedConf))
	f.Add([]byte(capturedConf[:500]))
	f.Add([]byte("a8a2f9bdfb02d4bdd6cc35ff748d413f85805fa8 :30001@40001 myself,master - 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n"))
	f.Add([]byte("0000000000000000000000000000000000000001 1.2.3.4:5@6 handshake - 0 0 0 connected\n0000000000000000000000000000000000000002 :0@0 myself,slave 0000000000000000000000000000000000000001 0 0 0 connected\nvars currentEpoch 0 lastVoteEpoch 0\n"))
	f.Add([]byte("187723acffb5f4805e12125cf079c1c01ceed07a 127.0.0.1:47102@57102 master,fail,myself - 1795548683979 1795548681569 2 disconnected 1 [5-<-187723acffb5f4805e12125cf079c1c01ceed07a]\nvars currentEpoch 3 lastVoteEpoch 2\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Open(testConfig(), b, 1)
		if err != nil {
			return
		}
		// What loads renders to a file that loads, and from there the
		// rendering is a fixed point. (Handshake nodes are not saved, as in
		// Redis, so a node naming one as its master gets a placeholder on
		// the first reload.)
		out := s.NodesConf()
		s2, err := Open(testConfig(), out, 1)
		if err != nil {
			t.Fatalf("rendering does not load: %v\n%s", err, out)
		}
		out2 := s2.NodesConf()
		s3, err := Open(testConfig(), out2, 1)
		if err != nil {
			t.Fatalf("second rendering does not load: %v\n%s", err, out2)
		}
		if !sameLines(string(s3.NodesConf()), string(out2)) {
			t.Fatalf("not a fixed point:\n%s\n%s", out2, s3.NodesConf())
		}
	})
}
