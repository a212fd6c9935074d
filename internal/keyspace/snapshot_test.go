package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSnapshotWalkSurvivesResizes walks databases while keys come and go
// between steps, tables grow, shrink and rehash: every key present from
// the walk's start to its end is visited.
func TestSnapshotWalkSurvivesResizes(t *testing.T) {
	for _, cluster := range []bool{false, true} {
		for seed := uint64(1); seed <= 10; seed++ {
			r := rand.New(rand.NewPCG(seed, 9))
			ks := New(1, cluster, func(n uint64) uint64 { return r.Uint64N(max(n, 1)) })
			db := ks.DBs[0]
			for i := range 3000 {
				db.Add(fmt.Appendf(nil, "k%d", i), TypeString)
			}
			stable := map[string]bool{}
			for i := range 3000 {
				stable[fmt.Sprintf("k%d", i)] = true
			}
			seen := map[string]bool{}
			w := db.NewSnapshotWalk()
			for step := 0; !w.Next(1+r.IntN(8), func(e *Entry) { seen[e.Key] = true }); step++ {
				switch op := r.IntN(100); {
				case op < 40:
					// Slower than the walk, or it would never end.
					for range r.IntN(16) {
						db.Add(fmt.Appendf(nil, "n%d-%d", step, r.IntN(1e6)), TypeString)
					}
				case op < 80:
					for range r.IntN(200) {
						k := fmt.Sprintf("k%d", r.IntN(3000))
						if db.Delete([]byte(k)) {
							delete(stable, k)
						}
					}
				case op < 90:
					db.ShrinkTables()
				default:
					db.RehashStep(r.IntN(50))
				}
			}
			for k := range stable {
				if !seen[k] {
					t.Fatalf("cluster=%v seed %d: key %s never visited", cluster, seed, k)
				}
			}
		}
	}
}
