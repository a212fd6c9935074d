package hdr

import (
	"errors"
	"math/bits"
)

// ErrConfig is returned by New for a lowest, highest and significant
// figures combination that the C library refuses (EINVAL).
var ErrConfig = errors.New("hdr: invalid histogram configuration")

// Histogram counts values between its lowest discernible and highest
// trackable value, keeping them to its number of significant figures. It
// is not safe for concurrent use.
type Histogram struct {
	unitMagnitude    int
	subHalfMagnitude int // log2 of subHalfCount
	subHalfCount     int
	subCount         int
	subMask          int64
	counts           []int64
	total            int64
}

// New returns an empty histogram tracking lowest..highest with sigFigs
// significant figures (1 to 5), laid out as hdr_init lays it out: one
// allocation, sized for the range.
func New(lowest, highest int64, sigFigs int) (*Histogram, error) {
	if lowest < 1 || sigFigs < 1 || sigFigs > 5 || lowest*2 > highest {
		return nil, ErrConfig
	}
	single := int64(2)
	for range sigFigs {
		single *= 10
	}
	// ceil(log2(single)), at least 1.
	subMagnitude := max(bits.Len64(uint64(single-1)), 1)
	h := &Histogram{
		unitMagnitude:    bits.Len64(uint64(lowest)) - 1,
		subHalfMagnitude: subMagnitude - 1,
	}
	if h.unitMagnitude+h.subHalfMagnitude > 61 {
		return nil, ErrConfig
	}
	h.subCount = 1 << subMagnitude
	h.subHalfCount = h.subCount / 2
	h.subMask = int64(h.subCount-1) << h.unitMagnitude
	h.counts = make([]int64, (bucketsNeeded(highest, h.subCount, h.unitMagnitude)+1)*h.subHalfCount)
	return h, nil
}

// bucketsNeeded is the number of buckets covering value
// (buckets_needed_to_cover_value).
func bucketsNeeded(value int64, subCount, unitMagnitude int) int {
	untrackable := int64(subCount) << unitMagnitude
	n := 1
	for untrackable <= value {
		if untrackable > (1<<63-1)/2 {
			return n + 1
		}
		untrackable <<= 1
		n++
	}
	return n
}

func (h *Histogram) bucketIndex(v int64) int {
	pow2ceiling := 64 - bits.LeadingZeros64(uint64(v|h.subMask))
	return pow2ceiling - h.unitMagnitude - (h.subHalfMagnitude + 1)
}

func (h *Histogram) subBucketIndex(v int64, bucket int) int {
	return int(v >> (bucket + h.unitMagnitude))
}

func (h *Histogram) countsIndex(v int64) int {
	b := h.bucketIndex(v)
	sub := h.subBucketIndex(v, b)
	return (b+1)<<h.subHalfMagnitude + sub - h.subHalfCount
}

// valueAt is the lowest value counted at index i (hdr_value_at_index).
func (h *Histogram) valueAt(i int) int64 {
	b := i>>h.subHalfMagnitude - 1
	sub := i&(h.subHalfCount-1) + h.subHalfCount
	if b < 0 {
		sub -= h.subHalfCount
		b = 0
	}
	return int64(sub) << (b + h.unitMagnitude)
}

// rangeSize is the number of values counted together with v.
func (h *Histogram) rangeSize(v int64) int64 {
	b := h.bucketIndex(v)
	if h.subBucketIndex(v, b) >= h.subCount {
		b++
	}
	return 1 << (h.unitMagnitude + b)
}

// LowestEquivalent is the smallest value counted together with v.
func (h *Histogram) LowestEquivalent(v int64) int64 {
	b := h.bucketIndex(v)
	return int64(h.subBucketIndex(v, b)) << (b + h.unitMagnitude)
}

// HighestEquivalent is the largest value counted together with v.
func (h *Histogram) HighestEquivalent(v int64) int64 {
	return h.LowestEquivalent(v) + h.rangeSize(v) - 1
}

// Record counts one occurrence of v, with no allocation. It reports false,
// counting nothing, for a negative value or one beyond the tracked range.
func (h *Histogram) Record(v int64) bool {
	if v < 0 {
		return false
	}
	i := h.countsIndex(v)
	if i < 0 || i >= len(h.counts) {
		return false
	}
	h.counts[i]++
	h.total++
	return true
}

// TotalCount is the number of values recorded.
func (h *Histogram) TotalCount() int64 { return h.total }

// ValueAtPercentile is the value below which p percent of the recorded
// values fall, reported as the highest value equivalent to it (the lowest
// for p == 0), as hdr_value_at_percentile. An empty histogram gives 0.
func (h *Histogram) ValueAtPercentile(p float64) int64 {
	req := min(p, 100)
	// Each step rounded on its own, as the C evaluates it (no fused
	// multiply-add).
	frac := req / 100
	scaled := float64(frac * float64(h.total))
	want := max(int64(scaled+0.5), 1)
	var v int64
	var seen int64
	for i, n := range h.counts {
		seen += n
		if seen >= want {
			v = h.valueAt(i)
			break
		}
	}
	if p == 0 {
		return h.LowestEquivalent(v)
	}
	return h.HighestEquivalent(v)
}

// LogIter walks a histogram in logarithmic steps, as hdr_iter_log_init:
// the first step ends at firstBucket, each later one at base times the
// previous end. After each Next, CumulativeCount counts the values up to
// and including the bucket the iterator stopped at, and
// HighestEquivalentValue is that bucket's upper bound.
type LogIter struct {
	h *Histogram

	index      int
	value      int64
	cumulative int64
	highest    int64

	base       int64
	nextLevel  int64
	nextLowest int64
}

// NewLogIter starts a logarithmic iteration of h. The C library takes a
// double base but multiplies by its integer part, so base is an integer
// here.
func NewLogIter(h *Histogram, firstBucket, base int64) LogIter {
	return LogIter{
		h:          h,
		index:      -1,
		base:       base,
		nextLevel:  firstBucket,
		nextLowest: h.LowestEquivalent(firstBucket),
	}
}

// CumulativeCount is the number of values up to the current bucket.
func (it *LogIter) CumulativeCount() int64 { return it.cumulative }

// HighestEquivalentValue is the upper bound of the current bucket.
func (it *LogIter) HighestEquivalentValue() int64 { return it.highest }

// Next advances to the next reporting level; it returns false when the
// walk is over (log_iter_next).
func (it *LogIter) Next() bool {
	hasNext := it.cumulative < it.h.total
	if !hasNext && !(it.index < len(it.h.counts) && it.h.valueAt(it.index+1) > it.nextLowest) {
		return false
	}
	for {
		if it.value >= it.nextLowest {
			it.nextLevel *= it.base
			it.nextLowest = it.h.LowestEquivalent(it.nextLevel)
			return true
		}
		if !it.moveNext() {
			return true
		}
	}
}

// moveNext steps to the next counts index (move_next).
func (it *LogIter) moveNext() bool {
	it.index++
	if it.index >= len(it.h.counts) {
		return false
	}
	it.cumulative += it.h.counts[it.index]
	v := it.h.valueAt(it.index)
	it.value = v
	it.highest = it.h.HighestEquivalent(v)
	return true
}
