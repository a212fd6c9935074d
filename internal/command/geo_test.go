package command

import (
	"slices"
	"testing"
)

// TestGeoAddPropagatesZAdd checks that GEOADD answers as ZADD and
// propagates the ZADD of the computed scores, as Redis rewrites it.
func TestGeoAddPropagatesZAdd(t *testing.T) {
	c, events := newSortTestClient(false)
	if got := sortRun(t, c, "GEOADD", "Sicily", "CH", "13.361389", "38.115556", "Palermo"); got != ":1\r\n" {
		t.Fatalf("GEOADD replied %q", got)
	}
	own, _ := c.Propagation()
	var args []string
	for _, a := range own {
		args = append(args, string(a))
	}
	want := []string{"zadd", "Sicily", "CH", "3479099956230698", "Palermo"}
	if !slices.Equal(args, want) {
		t.Errorf("propagated %q, want %q", args, want)
	}
	if got := string(c.Argv[0]); got != "GEOADD" {
		t.Errorf("argv[0] changed to %q", got)
	}
	if got := sortRun(t, c, "GEOADD", "Sicily", "200", "1", "x"); got != "-ERR invalid longitude,latitude pair 200.000000,1.000000\r\n" {
		t.Errorf("bad pair replied %q", got)
	}
	if got := sortRun(t, c, "GEOSEARCHSTORE", "dst", "Sicily", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "STOREDIST"); got != ":1\r\n" {
		t.Errorf("GEOSEARCHSTORE replied %q", got)
	}
	if got := sortRun(t, c, "ZSCORE", "dst", "Palermo"); got != "$1\r\n0\r\n" {
		t.Errorf("stored distance %q", got)
	}
	if got := sortRun(t, c, "GEORADIUS", "Sicily", "0", "0", "1", "m", "STORE", "dst"); got != ":0\r\n" {
		t.Errorf("empty GEORADIUS STORE replied %q", got)
	}
	want2 := []sortTestEvent{{"new", "Sicily"}, {"zadd", "Sicily"}, {"new", "dst"}, {"geosearchstore", "dst"}, {"del", "dst"}}
	if !slices.Equal(*events, want2) {
		t.Errorf("events %v, want %v", *events, want2)
	}
}
