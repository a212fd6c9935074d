package hdr

import (
	"slices"
	"testing"
)

// Redis's latency histograms: 1 ns to 1 s, 2 significant figures.
func redisHist(t *testing.T) *Histogram {
	t.Helper()
	h, err := New(1, 1_000_000_000, 2)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestNewLayout(t *testing.T) {
	tests := []struct {
		lowest, highest int64
		sigFigs         int
		countsLen       int
		unitMagnitude   int
		subCount        int
	}{
		// Redis's LATENCY_HISTOGRAM_* constants: 23 buckets of 128.
		{1, 1_000_000_000, 2, 3072, 0, 256},
		{1, 3_600_000_000, 3, 23552, 0, 2048},
		{1000, 1_000_000, 1, 128, 9, 32},
	}
	for _, tt := range tests {
		h, err := New(tt.lowest, tt.highest, tt.sigFigs)
		if err != nil {
			t.Fatalf("New(%d, %d, %d): %v", tt.lowest, tt.highest, tt.sigFigs, err)
		}
		if len(h.counts) != tt.countsLen || h.unitMagnitude != tt.unitMagnitude || h.subCount != tt.subCount {
			t.Errorf("New(%d, %d, %d): counts %d unit %d sub %d, want %d %d %d", tt.lowest, tt.highest, tt.sigFigs,
				len(h.counts), h.unitMagnitude, h.subCount, tt.countsLen, tt.unitMagnitude, tt.subCount)
		}
	}
}

func TestNewInvalid(t *testing.T) {
	tests := []struct {
		lowest, highest int64
		sigFigs         int
	}{
		{0, 100, 2},
		{1, 100, 0},
		{1, 100, 6},
		{60, 100, 2},
	}
	for _, tt := range tests {
		if _, err := New(tt.lowest, tt.highest, tt.sigFigs); err != ErrConfig {
			t.Errorf("New(%d, %d, %d) = %v, want ErrConfig", tt.lowest, tt.highest, tt.sigFigs, err)
		}
	}
}

// The equivalent ranges are those behind numbers real Redis 7.0.15 printed
// in INFO latencystats: 4 µs as 4.015, 8 µs as 8.031, 15 µs as 15.039.
func TestEquivalentRange(t *testing.T) {
	h := redisHist(t)
	tests := []struct{ v, lo, hi int64 }{
		{0, 0, 0},
		{1, 1, 1},
		{255, 255, 255},
		{256, 256, 257},
		{1000, 1000, 1003},
		{1024, 1024, 1031},
		{4000, 4000, 4015},
		{8000, 8000, 8031},
		{15000, 14976, 15039},
		{122000, 121856, 122367},
		{1_000_000_000, 998244352, 1002438655},
	}
	for _, tt := range tests {
		if lo, hi := h.LowestEquivalent(tt.v), h.HighestEquivalent(tt.v); lo != tt.lo || hi != tt.hi {
			t.Errorf("equivalent range of %d = %d..%d, want %d..%d", tt.v, lo, hi, tt.lo, tt.hi)
		}
	}
}

func TestRecord(t *testing.T) {
	h := redisHist(t)
	tests := []struct {
		v  int64
		ok bool
	}{
		{-1, false},
		{0, true},
		{1, true},
		{1_000_000_000, true},
		// The last bucket ends at 255<<22 + 1<<22 - 1.
		{1073741823, true},
		{1073741824, false},
	}
	want := int64(0)
	for _, tt := range tests {
		if got := h.Record(tt.v); got != tt.ok {
			t.Errorf("Record(%d) = %v, want %v", tt.v, got, tt.ok)
		}
		if tt.ok {
			want++
		}
	}
	if h.TotalCount() != want {
		t.Errorf("TotalCount = %d, want %d", h.TotalCount(), want)
	}
}

func TestRecordAllocs(t *testing.T) {
	h := redisHist(t)
	if n := testing.AllocsPerRun(100, func() { h.Record(12345) }); n != 0 {
		t.Errorf("Record allocates %v times", n)
	}
}

func TestValueAtPercentile(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
		p      float64
		want   int64
	}{
		{"empty", nil, 50, 0},
		{"one 1us", []int64{1000}, 50, 1003},
		{"one 1us p0", []int64{1000}, 0, 1000},
		{"one 1us p100", []int64{1000}, 100, 1003},
		{"above 100 clamps", []int64{1000}, 150, 1003},
		{"1..100 p50", seq(1, 100), 50, 50},
		{"1..100 p99", seq(1, 100), 99, 99},
		// 99.9% of 100 is 99.9, rounded to 100 values.
		{"1..100 p99.9", seq(1, 100), 99.9, 100},
		{"1..100 p0", seq(1, 100), 0, 1},
		// 0.4% of 100 rounds to 0 values, raised to the first one.
		{"1..100 p0.4", seq(1, 100), 0.4, 1},
		{"1..100 p1.5", seq(1, 100), 1.5, 2},
		{"mixed p50", []int64{1, 1000, 2000, 4000}, 50, 1003},
		{"mixed p75", []int64{1, 1000, 2000, 4000}, 75, 2007},
		{"mixed p99", []int64{1, 1000, 2000, 4000}, 99, 4015},
	}
	for _, tt := range tests {
		h := redisHist(t)
		for _, v := range tt.values {
			h.Record(v)
		}
		if got := h.ValueAtPercentile(tt.p); got != tt.want {
			t.Errorf("%s: ValueAtPercentile(%v) = %d, want %d", tt.name, tt.p, got, tt.want)
		}
	}
}

func seq(lo, hi int64) []int64 {
	var out []int64
	for v := lo; v <= hi; v++ {
		out = append(out, v)
	}
	return out
}

// cdf is LATENCY HISTOGRAM's walk (fillCommandCDF): log steps from 1024 ns
// doubling, a pair (upper bound in µs, cumulative count) for every step
// whose count grew.
func cdf(h *Histogram) [][2]int64 {
	var out [][2]int64
	it := NewLogIter(h, 1024, 2)
	prev := int64(0)
	for it.Next() {
		if c := it.CumulativeCount(); c > prev {
			out = append(out, [2]int64{it.HighestEquivalentValue() / 1000, c})
		}
		prev = it.CumulativeCount()
	}
	return out
}

func TestLogIterCDF(t *testing.T) {
	tests := []struct {
		name   string
		values []int64
		want   [][2]int64
	}{
		{"empty", nil, nil},
		// 0 µs is recorded as 1 ns; both fall in the first step.
		{"sub-microsecond", []int64{1, 1000}, [][2]int64{{1, 2}}},
		{"doubling", []int64{1, 1000, 2000, 4000}, [][2]int64{{1, 2}, {2, 3}, {4, 4}}},
		// The step ending at 1024 ns counts its whole bucket (to 1031).
		{"bucket of the bound", []int64{1031, 1032}, [][2]int64{{1, 1}, {2, 2}}},
		// Numbers real Redis printed: 8 µs under 8, 130 µs under 132.
		{"redis sample", []int64{8000, 130000, 130000, 200000}, [][2]int64{{8, 1}, {132, 3}, {264, 4}}},
		// The 1 s cap lies past the last level (2^29 µs-ish): the walk
		// runs off the end and reports the last bucket's bound.
		{"one second", []int64{1000, 1_000_000_000}, [][2]int64{{1, 1}, {1073741, 2}}},
	}
	for _, tt := range tests {
		h := redisHist(t)
		for _, v := range tt.values {
			h.Record(v)
		}
		if got := cdf(h); !slices.Equal(got, tt.want) {
			t.Errorf("%s: cdf = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// Every level is visited while values remain: with a single value at 1 s
// the walk passes all 20 doubling levels from 1024 ns, then runs off the
// end once.
func TestLogIterSteps(t *testing.T) {
	h := redisHist(t)
	h.Record(1_000_000_000)
	it := NewLogIter(h, 1024, 2)
	var bounds []int64
	for it.Next() {
		bounds = append(bounds, it.HighestEquivalentValue())
	}
	if len(bounds) != 21 {
		t.Fatalf("%d steps, want 21: %v", len(bounds), bounds)
	}
	for i, want := range map[int]int64{0: 1031, 1: 2063, 19: 541065215, 20: 1073741823} {
		if bounds[i] != want {
			t.Errorf("step %d bound %d, want %d", i, bounds[i], want)
		}
	}
}
