package clustertool

import (
	"strings"
	"testing"
)

const nodesReply = "39ac9893db315a098bcf4a3a8a4347c65e433258 127.0.0.1:47104@57104 myself,master - 0 1795549047000 10 connected 3-5460 [100->-1e2e2414522111c9906464ab8207979150998e0a]\n" +
	"1e2e2414522111c9906464ab8207979150998e0a 127.0.0.1:47103@57103 master - 0 1795549047000 9 connected 1-2 10923-16383 [100-<-39ac9893db315a098bcf4a3a8a4347c65e433258]\n" +
	"aaaa9893db315a098bcf4a3a8a4347c65e433258 127.0.0.1:47105@57105,host slave 39ac9893db315a098bcf4a3a8a4347c65e433258 0 1795549047000 10 connected\n"

func TestParseNodes(t *testing.T) {
	n := newNode("127.0.0.1", 47104, 0)
	if e, ok := n.parseNodes(nodesReply, true); !ok {
		t.Fatal(e)
	}
	if n.name != "39ac9893db315a098bcf4a3a8a4347c65e433258" || n.nslots != 5458 || !n.slots[3] || n.slots[2] || n.epoch != 10 {
		t.Errorf("myself: %+v", n.name)
	}
	if len(n.migrating) != 1 || n.migrating[0] != [2]string{"100", "1e2e2414522111c9906464ab8207979150998e0a"} {
		t.Errorf("migrating %v", n.migrating)
	}
	if len(n.friends) != 2 || n.friends[1].replicate != n.name || !n.friends[1].isSlave() || n.friends[1].busPort != 57105 {
		t.Errorf("friends %+v", n.friends)
	}
	if got := n.info(0); got != "M: 39ac9893db315a098bcf4a3a8a4347c65e433258 127.0.0.1:47104\n   slots:[3-5460] (5458 slots) master" {
		t.Errorf("info %q", got)
	}
}

func TestSlotsString(t *testing.T) {
	var s [numSlots]bool
	for _, i := range []int{0, 1, 2, 5, 16383} {
		s[i] = true
	}
	if got := slotsString(&s); got != "[0-2],[5],[16383]" {
		t.Errorf("got %q", got)
	}
}

func TestReshardTable(t *testing.T) {
	a, b := newNode("a", 1, 0), newNode("b", 2, 0)
	for i := 0; i < 100; i++ {
		a.slots[i] = true
	}
	for i := 100; i < 400; i++ {
		b.slots[i] = true
	}
	a.nslots, b.nslots = 100, 300
	table := reshardTable([]*node{a, b}, 10)
	// b (most slots) first, ceil(7.5)=8 slots, then a floor(2.5)=2.
	if len(table) != 10 || table[0].src != b || table[0].slot != 100 || table[7].src != b || table[8].src != a || table[8].slot != 0 {
		t.Errorf("table %v", table)
	}
}

// FuzzParseNodes feeds arbitrary CLUSTER NODES text to the parser.
func FuzzParseNodes(f *testing.F) {
	f.Add(nodesReply)
	f.Add("x 1:2@3 myself 0 0 0 0 connected 1 2-3 [4->-x] [5-<-y] 99999-100000 -5\n")
	f.Fuzz(func(t *testing.T, s string) {
		n := newNode("127.0.0.1", 1, 0)
		n.parseNodes(s, true)
		n.info(2)
		slotsString(&n.slots)
		n.json(1)
		for _, line := range strings.Split(s, "\n") {
			parseAddr(line)
		}
	})
}
