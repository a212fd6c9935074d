package keyspace

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestDictModel runs random adds and removes against a map model, checking
// lookups, length and full iteration, across resizes and rehashing.
func TestDictModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	d := newDict()
	model := map[string]bool{}
	for i := 0; i < 20000; i++ {
		k := fmt.Sprintf("k%d", r.IntN(3000))
		switch r.IntN(3) {
		case 0, 1:
			if d.find(k) == nil {
				d.add(&Entry{Key: k}, true)
				model[k] = true
			}
		case 2:
			got := d.remove(k) != nil
			if got != model[k] {
				t.Fatalf("remove(%s) = %v, model %v", k, got, model[k])
			}
			delete(model, k)
			d.shrinkIfNeeded()
		}
		if d.len() != len(model) {
			t.Fatalf("len %d, model %d", d.len(), len(model))
		}
	}
	for k := range model {
		if d.find(k) == nil {
			t.Fatalf("%s missing", k)
		}
	}
	seen := 0
	d.each(func(e *Entry) bool { seen++; return true })
	if seen != len(model) {
		t.Fatalf("each saw %d of %d", seen, len(model))
	}
}

// TestDictScanGuarantee checks SCAN's promise: every key present for the
// whole iteration is returned, while the table grows and shrinks between
// calls (including mid-rehash).
func TestDictScanGuarantee(t *testing.T) {
	for _, grow := range []bool{true, false} {
		d := newDict()
		stable := map[string]bool{}
		for i := 0; i < 500; i++ {
			k := fmt.Sprintf("stable%d", i)
			d.add(&Entry{Key: k}, true)
			stable[k] = true
		}
		var churn []string
		if !grow {
			for i := 0; i < 5000; i++ {
				k := fmt.Sprintf("churn%d", i)
				d.add(&Entry{Key: k}, true)
				churn = append(churn, k)
			}
		}
		seen := map[string]bool{}
		cursor := uint64(0)
		step := 0
		for {
			cursor = d.scan(cursor, func(e *Entry) { seen[e.Key] = true })
			step++
			if grow {
				// A few keys per step: the cursor visits one bucket of the
				// smaller table per call, so heavier growth would outrun it.
				for i := 0; i < 2; i++ {
					d.add(&Entry{Key: fmt.Sprintf("new%d-%d", step, i)}, true)
				}
			} else {
				for i := 0; i < 50 && len(churn) > 0; i++ {
					d.remove(churn[len(churn)-1])
					churn = churn[:len(churn)-1]
					d.shrinkIfNeeded()
				}
			}
			if cursor == 0 {
				break
			}
		}
		for k := range stable {
			if !seen[k] {
				t.Fatalf("grow=%v: stable key %s never returned", grow, k)
			}
		}
	}
}

func TestDictRandomEntry(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	rnd := func(n uint64) uint64 { return r.Uint64N(n) }
	d := newDict()
	if d.randomEntry(rnd) != nil {
		t.Fatal("random entry of empty dict")
	}
	for i := 0; i < 100; i++ {
		d.add(&Entry{Key: fmt.Sprint(i)}, true)
	}
	hits := map[string]int{}
	for i := 0; i < 10000; i++ {
		hits[d.randomEntry(rnd).Key]++
	}
	if len(hits) < 95 {
		t.Fatalf("random entries cover only %d of 100 keys", len(hits))
	}
}
