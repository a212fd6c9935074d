// Package hdr owns the subset of HdrHistogram that Redis 7.0's per-command
// latency tracking uses: a histogram of int64 values with a fixed number of
// significant figures, recording a value, the value at a percentile, and
// the logarithmic iteration behind LATENCY HISTOGRAM. Its bucket math
// gives the same indexes and equivalent values as the hdr_histogram C
// library Redis bundles, so percentiles and bucket bounds print as Redis
// prints them.
//
// It imports only the standard library and nothing of ours.
package hdr
