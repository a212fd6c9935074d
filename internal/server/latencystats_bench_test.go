package server

import (
	"testing"

	"shoal/internal/command"
	"shoal/internal/config"
)

// BenchmarkLatencyTrack is the per-call cost of latency-tracking yes.
func BenchmarkLatencyTrack(b *testing.B) {
	defer resetLatencyHistograms()
	s := &Server{cfg: config.Default()}
	c := &conn{}
	get := command.Lookup([]byte("get"))
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.latencyTrack(c, get, int64(i&0xffff))
	}
}
