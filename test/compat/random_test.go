package compat

import (
	"bytes"
	"flag"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

var (
	seedFlag = flag.Uint64("seed", 0, "seed for the randomized differential tests (0: time-based)")
	opsFlag  = flag.Int("ops", 3000, "operations per randomized differential test")
)

// TestRandomStrings sends a seeded random stream of string and keyspace
// commands to both servers and compares every reply. TTLs are large and
// pairwise distinct by at least 10s, so that NX/XX/GT/LT decisions never
// depend on when each server ran the command; TTL and PTTL replies are
// compared only as -2, -1 or positive.
func TestRandomStrings(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &strGen{rnd: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: time.Now().Unix(), used: map[int]bool{}}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	var wbuf []byte
	for i := range *opsFlag {
		args, ttl := g.next()
		wbuf = testutil.AppendCommand(wbuf[:0], args...)
		want, got := rc.DoRaw(wbuf), sc.DoRaw(wbuf)
		if ttl {
			want, got = ttlSign(want), ttlSign(got)
		}
		if !bytes.Equal(want, got) {
			t.Fatalf("seed %d, op %d: %q\n  redis: %s\n  shoal: %s", seed, i, args,
				strconv.Quote(string(want)), strconv.Quote(string(got)))
		}
	}
}

// ttlSign maps a positive integer reply to ":+" so TTLs compare by sign.
func ttlSign(b []byte) []byte {
	if len(b) > 1 && b[0] == ':' && b[1] != '-' && b[1] != '0' {
		return []byte(":+\r\n")
	}
	return b
}

// strGen draws random commands over a small key set.
type strGen struct {
	rnd  *rand.Rand
	now  int64        // unix seconds at the start: base of absolute expiries
	used map[int]bool // expiry offsets handed out, to keep them distinct
}

var (
	strKeys   = []string{"k0", "k1", "k2", "k3", "k4", "lst"}
	strValues = []string{"", "0", "1", "-1", "7", "10", "99", "-20", "3.5", "1e3", "abc", "hello world", "9223372036854775807", "-9223372036854775808", " 1", "0x10", "\xff\x00\x01"}
	floatIncs = []string{"0", "1", "-1", "0.5", "-2.25", "1e2", "3.0e-2", "abc", "inf", "+1", "5.0000000000001"}
)

func (g *strGen) key() string { return strKeys[g.rnd.IntN(len(strKeys))] }

func (g *strGen) val() string { return strValues[g.rnd.IntN(len(strValues))] }

func (g *strGen) small(n int) string { return strconv.Itoa(g.rnd.IntN(2*n+1) - n) }

// secs returns a fresh expiry offset in seconds, at least 10s away from any
// other one handed out, between about 11 days and 4 months.
func (g *strGen) secs() int {
	for {
		s := 1_000_000 + 10*g.rnd.IntN(1_000_000)
		if !g.used[s] {
			g.used[s] = true
			return s
		}
	}
}

func (g *strGen) expiryOption() []string {
	s := g.secs()
	switch g.rnd.IntN(4) {
	case 0:
		return []string{"EX", strconv.Itoa(s)}
	case 1:
		return []string{"PX", strconv.Itoa(s * 1000)}
	case 2:
		return []string{"EXAT", strconv.FormatInt(g.now+int64(s), 10)}
	}
	return []string{"PXAT", strconv.FormatInt((g.now+int64(s))*1000, 10)}
}

// next returns one command and whether its reply is a TTL to compare by
// sign.
func (g *strGen) next() ([]string, bool) {
	r := g.rnd
	k := g.key()
	switch r.IntN(34) {
	case 0, 1:
		args := []string{"SET", k, g.val()}
		if r.IntN(2) == 0 {
			args = append(args, g.expiryOption()...)
		} else if r.IntN(4) == 0 {
			args = append(args, "KEEPTTL")
		}
		switch r.IntN(4) {
		case 0:
			args = append(args, "NX")
		case 1:
			args = append(args, "XX")
		}
		if r.IntN(3) == 0 {
			args = append(args, "GET")
		}
		if r.IntN(20) == 0 {
			args = append(args, "EX", "0")
		}
		return args, false
	case 2, 3:
		return []string{"GET", k}, false
	case 4:
		return []string{"APPEND", k, g.val()}, false
	case 5:
		return []string{"INCR", k}, false
	case 6:
		return []string{"INCRBY", k, g.val()}, false
	case 7:
		return []string{"DECR", k}, false
	case 8:
		return []string{"DECRBY", k, g.small(100)}, false
	case 9:
		return []string{"INCRBYFLOAT", k, floatIncs[r.IntN(len(floatIncs))]}, false
	case 10:
		return []string{"SETRANGE", k, strconv.Itoa(r.IntN(40) - 2), g.val()}, false
	case 11:
		return []string{"GETRANGE", k, g.small(20), g.small(20)}, false
	case 12:
		return []string{"STRLEN", k}, false
	case 13:
		return append([]string{"DEL"}, strKeys[:1+r.IntN(3)]...), false
	case 14:
		return []string{"EXISTS", k, g.key(), g.key()}, false
	case 15:
		args := []string{"EXPIRE", k, strconv.Itoa(g.secs())}
		if r.IntN(2) == 0 {
			args[0], args[2] = "PEXPIRE", args[2]+"000"
		}
		if r.IntN(2) == 0 {
			args = append(args, []string{"NX", "XX", "GT", "LT"}[r.IntN(4)])
		}
		return args, false
	case 16:
		return []string{"PERSIST", k}, false
	case 17, 18:
		return []string{[]string{"TTL", "PTTL"}[r.IntN(2)], k}, true
	case 19:
		return []string{[]string{"RENAME", "RENAMENX"}[r.IntN(2)], k, g.key()}, false
	case 20:
		return []string{"TYPE", k}, false
	case 21:
		args := []string{"MSET"}
		for range 1 + r.IntN(3) {
			args = append(args, g.key(), g.val())
		}
		return args, false
	case 22:
		return []string{"MGET", k, g.key(), g.key(), "nokey"}, false
	case 23:
		return []string{"GETDEL", k}, false
	case 24:
		args := []string{"GETEX", k}
		switch r.IntN(3) {
		case 0:
			args = append(args, g.expiryOption()...)
		case 1:
			args = append(args, "PERSIST")
		}
		return args, false
	case 25:
		return []string{"SETBIT", k, strconv.Itoa(r.IntN(200)), strconv.Itoa(r.IntN(2))}, false
	case 26:
		return []string{"GETBIT", k, strconv.Itoa(r.IntN(220))}, false
	case 27:
		args := []string{"BITCOUNT", k}
		if r.IntN(2) == 0 {
			args = append(args, g.small(30), g.small(30))
			if r.IntN(2) == 0 {
				args = append(args, []string{"BYTE", "BIT"}[r.IntN(2)])
			}
		}
		return args, false
	case 28:
		args := []string{"BITPOS", k, strconv.Itoa(r.IntN(2))}
		if r.IntN(2) == 0 {
			args = append(args, g.small(30))
			if r.IntN(2) == 0 {
				args = append(args, g.small(30))
				if r.IntN(2) == 0 {
					args = append(args, []string{"BYTE", "BIT"}[r.IntN(2)])
				}
			}
		}
		return args, false
	case 29:
		return []string{"RPUSH", "lst", g.val()}, false
	case 30:
		return []string{"SETNX", k, g.val()}, false
	case 31:
		return []string{"GETSET", k, g.val()}, false
	case 32:
		return []string{[]string{"EXPIRETIME", "PEXPIRETIME"}[r.IntN(2)], k}, true
	}
	return []string{"LCS", k, g.key(), strings.ToUpper([]string{"len", "idx", "withmatchlen"}[r.IntN(3)])}, false
}
