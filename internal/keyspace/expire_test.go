package keyspace

import (
	"strconv"
	"testing"
)

func TestNewExpireEffort(t *testing.T) {
	tests := []struct {
		effort, hz int
		want       ExpireEffort
	}{
		{1, 10, ExpireEffort{KeysPerLoop: 20, TimeLimitUs: 25000, AcceptableStale: 10}},
		{10, 10, ExpireEffort{KeysPerLoop: 65, TimeLimitUs: 43000, AcceptableStale: 1}},
		{5, 100, ExpireEffort{KeysPerLoop: 40, TimeLimitUs: 3300, AcceptableStale: 6}},
		{0, 0, ExpireEffort{KeysPerLoop: 20, TimeLimitUs: 250000, AcceptableStale: 10}},
		{99, 10, ExpireEffort{KeysPerLoop: 65, TimeLimitUs: 43000, AcceptableStale: 1}},
	}
	for _, tt := range tests {
		if got := NewExpireEffort(tt.effort, tt.hz); got != tt.want {
			t.Errorf("NewExpireEffort(%d, %d) = %+v, want %+v", tt.effort, tt.hz, got, tt.want)
		}
	}
}

// fill adds n volatile keys to db, the first stale of them already expired.
func fill(db *DB, n, stale int, now int64) {
	for i := 0; i < n; i++ {
		e := db.Add([]byte("k"+strconv.Itoa(i)), TypeString)
		if i < stale {
			db.SetExpire(e, now-1)
		} else {
			db.SetExpire(e, now+100000)
		}
	}
}

func TestExpireCycle(t *testing.T) {
	tests := []struct {
		name       string
		effort     int
		keys       int
		stale      int
		noTime     bool
		wantAll    bool
		wantCapped bool
	}{
		// Every sample is all stale: the cycle keeps going until the
		// database is clean.
		{name: "all stale", effort: 1, keys: 500, stale: 500, wantAll: true},
		// No stale key: one round, nothing deleted.
		{name: "none stale", effort: 1, keys: 500, stale: 0, wantAll: true},
		// Out of time at the first check: the cycle stops after 16 rounds
		// of KeysPerLoop keys.
		{name: "time cap effort 1", effort: 1, keys: 2000, stale: 2000, noTime: true, wantCapped: true},
		{name: "time cap effort 10", effort: 10, keys: 2000, stale: 2000, noTime: true, wantCapped: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ks := New(1, false, nil)
			ks.Now = 1000
			fill(ks.DBs[0], tt.keys, tt.stale, ks.Now)
			eff := NewExpireEffort(tt.effort, 10)
			elapsed := func() int64 { return 0 }
			if tt.noTime {
				elapsed = func() int64 { return eff.TimeLimitUs + 1 }
			}
			var st ExpireState
			deleted := ks.ExpireCycle(&st, eff, elapsed)
			if tt.wantAll && deleted != tt.stale {
				t.Fatalf("deleted %d, want %d", deleted, tt.stale)
			}
			if tt.wantCapped {
				if want := 16 * eff.KeysPerLoop; deleted != want {
					t.Fatalf("deleted %d before the time cap, want %d", deleted, want)
				}
				if st.TimeCapReached != 1 {
					t.Fatalf("TimeCapReached = %d, want 1", st.TimeCapReached)
				}
			}
			if tt.stale == 0 && st.StalePerc != 0 {
				t.Fatalf("StalePerc = %v with nothing stale", st.StalePerc)
			}
			if tt.stale == tt.keys && st.StalePerc != 0.05 {
				t.Fatalf("StalePerc = %v, want 0.05 after one all-stale cycle", st.StalePerc)
			}
		})
	}
}

// TestExpireCycleAcceptableStale checks that a higher effort tolerates
// fewer stale keys: with 10% of keys stale, effort 1 (10% acceptable)
// stops after a round or a few, while effort 10 (1% acceptable, samples of
// 65) keeps sampling while a sample holds two stale keys or more. Sampling is random, so
// the test compares totals over several cycles on fresh databases.
func TestExpireCycleAcceptableStale(t *testing.T) {
	deleted := func(effort int) int {
		total := 0
		for range 10 {
			ks := New(1, false, nil)
			ks.Now = 1000
			fill(ks.DBs[0], 2000, 200, ks.Now)
			var st ExpireState
			total += ks.ExpireCycle(&st, NewExpireEffort(effort, 10), func() int64 { return 0 })
		}
		return total
	}
	low, high := deleted(1), deleted(10)
	if low > 150 || high < 200 {
		t.Fatalf("over 10 cycles effort 1 deleted %d (want <= 150), effort 10 deleted %d (want >= 200)", low, high)
	}
}

func TestExpireCycleVisitsDatabasesInTurn(t *testing.T) {
	ks := New(20, false, nil)
	ks.Now = 1000
	for _, db := range ks.DBs {
		fill(db, 1, 1, ks.Now)
	}
	var st ExpireState
	eff := NewExpireEffort(1, 10)
	if got := ks.ExpireCycle(&st, eff, func() int64 { return 0 }); got != expireDBsPerCall {
		t.Fatalf("first cycle deleted %d, want %d (one per database visited)", got, expireDBsPerCall)
	}
	if got := ks.ExpireCycle(&st, eff, func() int64 { return 0 }); got != 20-expireDBsPerCall {
		t.Fatalf("second cycle deleted %d, want the remaining %d", got, 20-expireDBsPerCall)
	}
}
