package glob

import (
	"strings"
	"testing"
)

// redisCases were checked against redis-server 7.0.15: the key was SET and
// KEYS pattern reported whether it matched. KEYS answers a lone "*" without
// matching, so that one case is the matcher's own result.
var redisCases = []struct {
	pattern, str string
	match        bool
}{
	{"*", "abc", true},
	{"a*", "abc", true},
	{"*c", "abc", true},
	{"a?c", "abc", true},
	{"a?c", "ac", false},
	{"a[bc]d", "acd", true},
	{"a[^bc]d", "acd", false},
	{"a[^bc]d", "axd", true},
	{"a[a-c]d", "abd", true},
	{"a[c-a]d", "abd", true},
	{"a[z-a]d", "aqd", true},
	{"a\\*c", "a*c", true},
	{"a\\*c", "abc", false},
	{"a[\\]]c", "a]c", true},
	{"a[\\-]c", "a-c", true},
	{"[abc", "a", true},
	{"[abc", "b", true},
	{"[abc", "[", false},
	{"[a-", "a", true},
	{"[a-", "-", true},
	{"[a-", "b", false},
	{"a[", "a", false},
	{"a[", "a[", false},
	{"\\", "\\", true},
	{"a\\", "a", false},
	{"a\\", "a\\", true},
	{"[]", "]", false},
	{"[]a]", "]", false},
	{"[]a]", "a", false},
	{"[^]", "x", true},
	{"[^]a]", "b", false},
	{"*a*b*c*", "xaxbxcx", true},
	{"*a*b*c*", "xaxcxbx", false},
	{"a*", "a", true},
	{"a**", "a", true},
	{"**", "", false},
	{"?", "", false},
	{"*", "", false}, // KEYS short-cuts a lone "*"; the matcher itself fails on ""
	{"", "", true},
	{"", "a", false},
	{"[a-c-e]", "d", false},
	{"[a-c-e]", "-", true},
	{"[a-c-e]", "e", true},
	{"ABC", "abc", false},
	{"[A-C]", "b", false},
	{"a*?", "a", false},
	{"a*?", "ab", true},
	{"*?*", "", false},
	{"a?", "a", false},
	{"[-a]", "-", true},
	{"[a-]", "-", false},
	{"[\\", "\\", true},
	{"[\\", "[", false},
	{"[x\\", "\\", true},
	{"a[b-]", "a-", false},
	{"h[^e]llo", "hallo", true},
	{"h[^e]llo", "hello", false},
	{"[!a]", "b", false},
	{"[!a]", "!", true},
	{"*[a", "xa", true},
	{"*[", "x[", false},
	{"a*b", "a\nb", true},
	{"\\a", "a", true},
	{"[\\a-c]", "b", false},
	{"[a\\-c]", "b", false},
	{"[a\\-c]", "-", true},
	{"*\\", "x\\", true},
	{"x*\\", "x", false},
	{"[]]", "]", false},
	{"[^]]", "a", false},
	{"[", "[", false},
	{"[", "x", false},
	{"?*?", "ab", true},
	{"?*?", "a", false},
	{"[^a-z]", "A", true},
	{"[z-a]", "m", true},
	{"[^z-a]", "m", false},
	{"a[-z]c", "a-c", true},
	{"a[-z]c", "abc", false},
	{"**a", "ba", true},
	{"*[ab]*", "xbx", true},
	{"[\\]", "\\", false},
	{"[\\]", "]", true},
	{"[\\]x", "\\x", false},
	{"[\\]x", "]x", false},
}

func TestMatchRedis(t *testing.T) {
	for _, tt := range redisCases {
		if got := MatchString(tt.pattern, tt.str, false); got != tt.match {
			t.Errorf("MatchString(%q, %q) = %v, want %v", tt.pattern, tt.str, got, tt.match)
		}
		if got := Match([]byte(tt.pattern), []byte(tt.str), false); got != tt.match {
			t.Errorf("Match(%q, %q) = %v, want %v", tt.pattern, tt.str, got, tt.match)
		}
	}
}

func TestMatchNocase(t *testing.T) {
	tests := []struct {
		pattern, str string
		match        bool
	}{
		{"ABC", "abc", true},
		{"a*C", "AxYc", true},
		{"[A-C]", "b", true},
		{"[a-c]", "B", true},
		{"[^A-C]", "b", false},
		{"[XYZ]", "y", true},
		{"\\A", "a", true},
		{"[\\A]", "a", false},
		{"maxmemory*", "MAXMEMORY-policy", true},
		{"[@]", "`", false},
	}
	for _, tt := range tests {
		if got := MatchString(tt.pattern, tt.str, true); got != tt.match {
			t.Errorf("MatchString(%q, %q, nocase) = %v, want %v", tt.pattern, tt.str, got, tt.match)
		}
	}
}

// TestMatchNesting checks Redis's limit of 1000 nested '*' (verified with
// KEYS: 900 matches, 1100 does not) and that hostile patterns finish fast.
func TestMatchNesting(t *testing.T) {
	if !MatchString(strings.Repeat("a*", 900), strings.Repeat("a", 900), false) {
		t.Error("900 nested stars should match")
	}
	if MatchString(strings.Repeat("a*", 1100), strings.Repeat("a", 1100), false) {
		t.Error("1100 nested stars should not match")
	}
	if MatchString(strings.Repeat("*a", 50)+"b", strings.Repeat("a", 10000), false) {
		t.Error("pathological pattern matched")
	}
}

func TestMatchNoAlloc(t *testing.T) {
	p, s := []byte("*a*[b-d]?\\x*"), []byte("zzazzczx")
	if n := testing.AllocsPerRun(100, func() { Match(p, s, true) }); n != 0 {
		t.Errorf("Match allocates %v", n)
	}
}

func FuzzMatch(f *testing.F) {
	for _, tt := range redisCases {
		f.Add(tt.pattern, tt.str, false)
	}
	f.Fuzz(func(t *testing.T, p, s string, nocase bool) {
		if MatchString(p, s, nocase) != Match([]byte(p), []byte(s), nocase) {
			t.Fatal("string and byte forms disagree")
		}
	})
}
