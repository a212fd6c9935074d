package config

import (
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Replies checked against redis-server 7.0.15.
func TestLatencyTrackingInfoPercentilesSet(t *testing.T) {
	const (
		invalid = "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - Invalid latency-tracking-info-percentiles parameters"
		bounds  = "ERR CONFIG SET failed (possibly related to argument 'latency-tracking-info-percentiles') - latency-tracking-info-percentiles parameters should sit between [0.0,100.0]"
	)
	tests := []struct {
		value string
		get   string
		err   string
	}{
		{"50 99 99.9", "50 99 99.9", ""},
		{"99.999 0 100 1e-7 33.3333333", "99.999 0 100 0 33.333333", ""},
		{"", "", ""},
		{"1e1 0x10", "10 16", ""},
		{"+5 .5 5.", "5 0.5 5", ""},
		{"0x1p3", "8", ""},
		{"101", "", bounds},
		{"-1", "", bounds},
		{"1e1 0x10 inf", "", bounds},
		{"abc", "", invalid},
		{"nan", "", invalid},
		{" 5  6 ", "", invalid},
		{"5 ", "", invalid},
		{"1_0", "", invalid},
		{"1e400", "", invalid},
		{"1e-400", "", invalid},
		{"0x", "", invalid},
	}
	for _, tt := range tests {
		c := Default()
		err := c.Set([][2]string{{"latency-tracking-info-percentiles", tt.value}})
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("set %q: err %v, want %q", tt.value, err, tt.err)
			}
			// A refused value leaves the old one in place.
			if got := c.Get("latency-tracking-info-percentiles")[0][1]; got != "50 99 99.9" {
				t.Errorf("set %q: after error get %q", tt.value, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("set %q: %v", tt.value, err)
			continue
		}
		if got := c.Get("latency-tracking-info-percentiles")[0][1]; got != tt.get {
			t.Errorf("set %q: get %q, want %q", tt.value, got, tt.get)
		}
	}
}

func TestLatencyTrackingDefaults(t *testing.T) {
	c := Default()
	if !c.LatencyTracking || !slices.Equal(c.LatencyTrackingInfoPercentiles, []float64{50, 99, 99.9}) {
		t.Errorf("defaults: %v %v", c.LatencyTracking, c.LatencyTrackingInfoPercentiles)
	}
	want := [][2]string{{"latency-tracking", "yes"}, {"latency-tracking-info-percentiles", "50 99 99.9"}}
	if got := c.Get("latency-tracking*"); !slices.Equal(got, want) {
		t.Errorf("CONFIG GET latency-tracking*: %q", got)
	}
	if err := c.Set([][2]string{{"latency-tracking", "no"}}); err != nil || c.LatencyTracking {
		t.Errorf("set latency-tracking no: %v %v", err, c.LatencyTracking)
	}
}

// The file form takes the list as separate arguments or as one quoted
// argument; "" empties it, and the rewrite always writes the line.
func TestLatencyTrackingInfoPercentilesFile(t *testing.T) {
	tests := []struct {
		line    string
		want    []float64
		rewrite string
	}{
		{"latency-tracking-info-percentiles 90 99.99", []float64{90, 99.99}, "latency-tracking-info-percentiles 90 99.99"},
		{`latency-tracking-info-percentiles "1 2"`, []float64{1, 2}, "latency-tracking-info-percentiles 1 2"},
		{`latency-tracking-info-percentiles ""`, []float64{}, `latency-tracking-info-percentiles ""`},
	}
	for _, tt := range tests {
		p := filepath.Join(t.TempDir(), "l.conf")
		if err := os.WriteFile(p, []byte(tt.line+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := Load(p, nil)
		if err != nil {
			t.Errorf("%s: %v", tt.line, err)
			continue
		}
		if !slices.Equal(c.LatencyTrackingInfoPercentiles, tt.want) {
			t.Errorf("%s: %v", tt.line, c.LatencyTrackingInfoPercentiles)
		}
		if err := c.Rewrite(); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(p); !strings.HasPrefix(string(got), tt.rewrite+"\n\n") {
			t.Errorf("%s: rewrote %q", tt.line, got)
		}
	}
}

func TestAppendTrimmedFloat(t *testing.T) {
	tests := []struct {
		f    float64
		want string
	}{
		{50, "50"},
		{99.9, "99.9"},
		{99.999, "99.999"},
		{0, "0"},
		{1e-7, "0"},
		{33.3333333, "33.333333"},
		{100, "100"},
		{5e-7, "0"},
		{1.5e-6, "0.000002"},
		{math.Copysign(0, -1), "-0"},
	}
	for _, tt := range tests {
		if got := string(AppendTrimmedFloat([]byte("p"), tt.f)); got != "p"+tt.want {
			t.Errorf("AppendTrimmedFloat(%v) = %q, want %q", tt.f, got, "p"+tt.want)
		}
	}
}
