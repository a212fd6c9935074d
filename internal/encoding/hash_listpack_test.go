package encoding

import (
	"strconv"
	"strings"
	"testing"
)

func TestLPFindPair(t *testing.T) {
	entries := []string{
		"a", "1", "7", "small int", "-100", "13-bit", "1000", "x",
		"40000", "24", "-9000000", "32", "9223372036854775807", "64",
		strings.Repeat("m", 100), "12-bit", strings.Repeat("L", 5000), "32-bit str",
		"", "empty", "007", "not an int", "last", strings.Repeat("v", 300),
	}
	lp := NewListpack()
	for _, e := range entries {
		lp = LPAppend(lp, []byte(e))
	}
	for i := 0; i < len(entries); i += 2 {
		f, v := LPFindPair(lp, []byte(entries[i]))
		if f < 0 {
			t.Fatalf("%q not found", entries[i][:min(10, len(entries[i]))])
		}
		str, iv, isInt, _ := LPEntryAt(lp, v)
		got := string(str)
		if isInt {
			got = strconv.FormatInt(iv, 10)
		}
		if got != entries[i+1] {
			t.Fatalf("value of %q = %q", entries[i], got)
		}
	}
	for _, miss := range []string{"1", "b", "7 ", "07", "-0", "small int", "m", "64"} {
		if f, v := LPFindPair(lp, []byte(miss)); f != -1 || v != -1 {
			t.Fatalf("%q found at %d", miss, f)
		}
	}
}
