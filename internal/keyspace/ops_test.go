package keyspace

import "testing"

func TestSlotted(t *testing.T) {
	if New(1, false, nil).Slotted() {
		t.Fatal("standalone keyspace reports slotted")
	}
	if !New(1, true, nil).Slotted() {
		t.Fatal("cluster keyspace does not report slotted")
	}
}

func TestLookupWriteDeletesExpiredOnReplica(t *testing.T) {
	ks := New(1, false, nil)
	db := ks.DBs[0]
	var expired []string
	ks.OnExpire = func(_ *DB, key string) { expired = append(expired, key) }
	ks.Now = 1000
	e := db.Add([]byte("k"), TypeString)
	db.SetExpire(e, 500)
	ks.Replica = true
	ks.ReadCommand = true
	if db.Lookup([]byte("k")) != nil || db.Len() != 1 {
		t.Fatal("replica read lookup must hide but keep an expired key")
	}
	ks.MasterApplying = true
	if db.Lookup([]byte("k")) == nil {
		t.Fatal("the master's stream must see a key the replica's clock expired")
	}
	ks.MasterApplying = false
	ks.ReadCommand = false
	if db.LookupWrite([]byte("k")) != nil {
		t.Fatal("LookupWrite returned an expired key")
	}
	if db.Len() != 0 || db.ExpiresLen() != 0 || len(expired) != 1 {
		t.Fatalf("expired key not deleted: len %d expires %d events %v", db.Len(), db.ExpiresLen(), expired)
	}
	live := db.Add([]byte("live"), TypeString)
	if db.LookupWrite([]byte("live")) != live {
		t.Fatal("LookupWrite missed a live key")
	}
}

func TestRelocate(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		ks := New(2, cluster, nil)
		clock := uint32(7)
		ks.LRUClock = func() uint32 { return clock }
		a, b := ks.DBs[0], ks.DBs[1]
		e := a.Add([]byte("src"), TypeString)
		e.Str = []byte("v")
		a.SetExpire(e, 5000)
		clock = 99
		if got := a.Relocate([]byte("src"), a, []byte("dst")); got != e {
			t.Fatal("rename did not return the entry")
		}
		if a.Find([]byte("src")) != nil || a.Find([]byte("dst")) != e || e.Key != "dst" {
			t.Fatal("rename did not move the key")
		}
		if e.LRU != 7 || e.Expire != 5000 || a.ExpiresLen() != 1 || a.Len() != 1 {
			t.Fatalf("rename lost state: lru %d expire %d", e.LRU, e.Expire)
		}
		a.Relocate([]byte("dst"), b, []byte("dst"))
		if a.Len() != 0 || a.ExpiresLen() != 0 || b.Len() != 1 || b.ExpiresLen() != 1 || b.Find([]byte("dst")) != e {
			t.Fatal("move to another db failed")
		}
		if a.Relocate([]byte("missing"), b, []byte("x")) != nil {
			t.Fatal("relocating a missing key returned an entry")
		}
	}
}
