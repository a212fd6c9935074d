package encoding

import (
	"bytes"
	"math/rand"
	"strconv"
	"testing"
)

// lpeBuild builds the listpack of vals by appending, the reference every
// edit must reproduce byte for byte.
func lpeBuild(vals [][]byte) []byte {
	lp := NewListpack()
	for _, v := range vals {
		lp = LPAppend(lp, v)
	}
	return lp
}

func lpeValue(lp []byte, p int) []byte {
	str, iv, isInt, _ := LPDecode(lp, p)
	if isInt {
		return strconv.AppendInt(nil, iv, 10)
	}
	return str
}

func lpeRandValue(r *rand.Rand) []byte {
	switch r.Intn(8) {
	case 0:
		return []byte(strconv.Itoa(r.Intn(200) - 100))
	case 1:
		return []byte(strconv.FormatInt(r.Int63()-r.Int63(), 10))
	case 2:
		return bytes.Repeat([]byte{'x'}, 60+r.Intn(10))
	case 3:
		return bytes.Repeat([]byte{'y'}, 4090+r.Intn(10))
	case 4:
		return []byte{}
	case 5:
		return []byte("007")
	default:
		return []byte("v" + strconv.Itoa(r.Intn(1000)))
	}
}

func TestLPEditMatchesAppend(t *testing.T) {
	r := rand.New(rand.NewSource(1))
	var model [][]byte
	lp := NewListpack()
	for op := 0; op < 5000; op++ {
		switch k := r.Intn(4); {
		case k == 0 || len(model) == 0:
			i := r.Intn(len(model) + 1)
			v := lpeRandValue(r)
			p := len(lp) - 1
			if i < len(model) {
				p = LPSeek(lp, i)
			}
			lp = LPInsertAt(lp, p, v)
			model = append(model[:i], append([][]byte{v}, model[i:]...)...)
		case k == 1:
			i := r.Intn(len(model))
			v := lpeRandValue(r)
			lp = LPReplaceAt(lp, LPSeek(lp, i-len(model)), v)
			model[i] = v
		case k == 2:
			i := r.Intn(len(model))
			n := 1 + r.Intn(3)
			lp = LPDeleteAt(lp, LPSeek(lp, i), n)
			if i+n > len(model) {
				n = len(model) - i
			}
			model = append(model[:i], model[i+n:]...)
		default:
			i := r.Intn(len(model))
			if got := lpeValue(lp, LPSeek(lp, i)); !bytes.Equal(got, model[i]) {
				t.Fatalf("op %d: entry %d = %q, want %q", op, i, got, model[i])
			}
		}
		if err := LPValidate(lp); err != nil {
			t.Fatalf("op %d: %v", op, err)
		}
		if want := lpeBuild(model); !bytes.Equal(lp, want) {
			t.Fatalf("op %d: listpack differs from the appended one", op)
		}
	}
}

func TestLPSeekAndWalk(t *testing.T) {
	vals := [][]byte{[]byte("a"), []byte("12"), []byte("-5000"), bytes.Repeat([]byte("z"), 200), []byte("e")}
	lp := lpeBuild(vals)
	tests := []struct {
		index int
		want  string
	}{
		{0, "a"}, {1, "12"}, {2, "-5000"}, {4, "e"}, {-1, "e"}, {-5, "a"}, {-2, string(vals[3])},
		{5, ""}, {-6, ""},
	}
	for _, tt := range tests {
		p := LPSeek(lp, tt.index)
		if tt.want == "" {
			if p != -1 {
				t.Errorf("LPSeek(%d) = %d, want -1", tt.index, p)
			}
			continue
		}
		if got := string(lpeValue(lp, p)); got != tt.want {
			t.Errorf("LPSeek(%d) -> %q, want %q", tt.index, got, tt.want)
		}
	}
	// Backwards from the terminator visits every entry.
	n := 0
	for p := LPBefore(lp, len(lp)-1); p != -1; p = LPBefore(lp, p) {
		n++
		if got := lpeValue(lp, p); !bytes.Equal(got, vals[len(vals)-n]) {
			t.Errorf("backwards entry %d = %q", n, got)
		}
	}
	if n != len(vals) {
		t.Errorf("walked %d entries backwards, want %d", n, len(vals))
	}
	if LPSeek(NewListpack(), 0) != -1 {
		t.Error("LPSeek on an empty listpack found an entry")
	}
}

func TestLPEntrySize(t *testing.T) {
	for _, v := range []string{"", "1", "127", "128", "-4096", "40000", "9000000", "3000000000", "x", string(bytes.Repeat([]byte("q"), 5000))} {
		lp := lpeBuild([][]byte{[]byte(v)})
		if got, want := LPEntrySize([]byte(v)), len(lp)-lpHeaderSize-1; got != want {
			t.Errorf("LPEntrySize(%.10q) = %d, want %d", v, got, want)
		}
	}
}
