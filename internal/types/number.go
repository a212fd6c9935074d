package types

import (
	"errors"
	"math"
	"math/big"
	"strconv"
)

// Errors from number parsing. Callers map them to the reply errors Redis
// sends ("value is not a valid float", "increment would produce NaN or
// Infinity").
var (
	ErrNotFloat = errors.New("types: value is not a valid float")
	ErrNaNOrInf = errors.New("types: increment would produce NaN or Infinity")
)

// ParseInt parses b as Redis's string2ll does: an optional '-', then
// digits without leading zeros ("0" alone is allowed, "-0" is not), no
// '+', no spaces, within int64. It does not allocate.
func ParseInt(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) == 1 && b[0] == '0' {
		return 0, true
	}
	i := 0
	neg := b[0] == '-'
	if neg {
		i = 1
		if len(b) == 1 {
			return 0, false
		}
	}
	if b[i] < '1' || b[i] > '9' {
		return 0, false
	}
	var v uint64
	for ; i < len(b); i++ {
		c := b[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		if v > math.MaxUint64/10 {
			return 0, false
		}
		v *= 10
		if v > math.MaxUint64-uint64(c-'0') {
			return 0, false
		}
		v += uint64(c - '0')
	}
	if neg {
		if v > 1<<63 {
			return 0, false
		}
		return -int64(v), true
	}
	if v > math.MaxInt64 {
		return 0, false
	}
	return int64(v), true
}

// cFloat is the shape of a C strtod/strtold number that consumed all its
// input: decimal digits or hex digits with optional fraction and exponent,
// or inf/infinity. nan is reported separately since Redis rejects it.
type cFloat struct {
	neg, hex, inf, nan bool
	// mant holds the significant digits (no sign, no point, no prefix).
	mant []byte
	// exp is the exponent to apply to mant read as an integer: base 10 for
	// decimal, base 2 for hex.
	exp int64
	// zero is true when every mantissa digit is zero.
	zero bool
}

// scanCFloat checks b against the strtod grammar and splits it. Anything
// strtod would not consume entirely (leading or trailing spaces, "1e",
// "0x", "1_0") is rejected, as Redis requires the whole argument to parse.
func scanCFloat(b []byte, mant []byte) (cFloat, bool) {
	var f cFloat
	i := 0
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		f.neg = b[i] == '-'
		i++
	}
	rest := b[i:]
	if word(rest, "inf") || word(rest, "infinity") {
		f.inf = true
		return f, true
	}
	if len(rest) >= 3 && word(rest[:3], "nan") {
		f.nan = true
		return f, true
	}
	isDigit := func(c byte) bool { return c >= '0' && c <= '9' }
	if len(rest) > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X') {
		f.hex = true
		i += 2
		isDigit = func(c byte) bool {
			return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		}
	}
	f.mant = mant[:0]
	f.zero = true
	digits, frac := 0, 0
	for ; i < len(b) && isDigit(b[i]); i++ {
		f.mant = append(f.mant, b[i])
		f.zero = f.zero && b[i] == '0'
		digits++
	}
	if i < len(b) && b[i] == '.' {
		for i++; i < len(b) && isDigit(b[i]); i++ {
			f.mant = append(f.mant, b[i])
			f.zero = f.zero && b[i] == '0'
			digits++
			frac++
		}
	}
	if digits == 0 {
		return f, false
	}
	if f.hex {
		f.exp = -4 * int64(frac)
	} else {
		f.exp = -int64(frac)
	}
	if i < len(b) && (f.hex && (b[i] == 'p' || b[i] == 'P') || !f.hex && (b[i] == 'e' || b[i] == 'E')) {
		i++
		eneg := false
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			eneg = b[i] == '-'
			i++
		}
		if i >= len(b) {
			return f, false
		}
		var e int64
		for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
			if e < 1<<40 {
				e = e*10 + int64(b[i]-'0')
			}
		}
		if eneg {
			e = -e
		}
		f.exp += e
	}
	return f, i == len(b)
}

// word reports whether b equals w ignoring ASCII case.
func word(b []byte, w string) bool {
	if len(b) != len(w) {
		return false
	}
	for i := range b {
		c := b[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != w[i] {
			return false
		}
	}
	return true
}

// ParseFloat parses b as Redis 7.0 parses a double argument (ZADD scores,
// ZINCRBY, ranges): C strtod over the whole argument, so "inf", "+inf",
// "-Infinity", "1e5", ".5", "5." and hex floats such as "0x1p-2" are
// accepted, while "nan", any space, an empty string, overflow ("1e400")
// and underflow to zero ("1e-400") are rejected. Denormal results are
// accepted.
func ParseFloat(b []byte) (float64, bool) {
	if v, ok := parseSmallInt(b); ok {
		return v, true
	}
	var buf [64]byte
	f, ok := scanCFloat(b, buf[:0])
	if !ok || f.nan {
		return 0, false
	}
	if f.inf {
		if f.neg {
			return math.Inf(-1), true
		}
		return math.Inf(1), true
	}
	var v float64
	var err error
	if f.hex {
		v, err = strconv.ParseFloat(hexLiteral(f), 64)
	} else {
		v, err = strconv.ParseFloat(string(b), 64)
	}
	if err != nil || math.IsInf(v, 0) || v == 0 && !f.zero {
		return 0, false
	}
	return v, true
}

// parseSmallInt reads the commonest score, a decimal integer of at most
// 15 digits with an optional '-', which a float64 holds exactly: the value
// strtod gives ("-0" is negative zero, leading zeros are allowed).
func parseSmallInt(b []byte) (float64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	digits := b
	if neg {
		digits = b[1:]
	}
	if len(digits) == 0 || len(digits) > 15 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	v := float64(n)
	if neg {
		v = -v
	}
	return v, true
}

// hexLiteral rewrites a hex float into the form strconv accepts (a binary
// exponent is mandatory there).
func hexLiteral(f cFloat) string {
	s := make([]byte, 0, len(f.mant)+32)
	if f.neg {
		s = append(s, '-')
	}
	s = append(s, "0x"...)
	s = append(s, f.mant...)
	s = append(s, 'p')
	s = strconv.AppendInt(s, f.exp, 10)
	return string(s)
}

// FormatFloat17 appends f formatted as C printf("%.17g"), which is how
// Redis 7.0 replies doubles (ZSCORE, ZINCRBY, WITHSCORES): 0.1 is
// "0.10000000000000001", 1e21 is "1e+21", -0.0 is "-0".
func FormatFloat17(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		if math.Signbit(f) {
			return append(dst, "-nan"...)
		}
		return append(dst, "nan"...)
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	}
	var buf [32]byte
	// 17 significant digits, correctly rounded: d.ddddddddddddddddde±XX.
	e := strconv.AppendFloat(buf[:0], f, 'e', 16, 64)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
		dst = append(dst, '-')
	}
	var digits [17]byte
	digits[0] = e[0]
	copy(digits[1:], e[2:18])
	x, _ := strconv.Atoi(string(e[19:]))
	nd := 17
	for nd > 1 && digits[nd-1] == '0' {
		nd--
	}
	if x < -4 || x >= 17 {
		dst = append(dst, digits[0])
		if nd > 1 {
			dst = append(dst, '.')
			dst = append(dst, digits[1:nd]...)
		}
		dst = append(dst, 'e')
		if x < 0 {
			dst = append(dst, '-')
			x = -x
		} else {
			dst = append(dst, '+')
		}
		if x < 10 {
			dst = append(dst, '0')
		}
		return strconv.AppendInt(dst, int64(x), 10)
	}
	if x < 0 {
		dst = append(dst, '0', '.')
		for range -x - 1 {
			dst = append(dst, '0')
		}
		return append(dst, digits[:nd]...)
	}
	if nd <= x+1 {
		dst = append(dst, digits[:nd]...)
		for range x + 1 - nd {
			dst = append(dst, '0')
		}
		return dst
	}
	dst = append(dst, digits[:x+1]...)
	dst = append(dst, '.')
	return append(dst, digits[x+1:nd]...)
}

// AppendHumanFloat appends f as Redis's d2string writes it (scores kept in
// listpacks, GEO and other stored doubles): "nan", "inf", "-inf", "0" or
// "-0" for zeros, integral values within ±2^52 as integers, and
// otherwise %.17g.
func AppendHumanFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "nan"...)
	case f == 0:
		if math.Signbit(f) {
			return append(dst, "-0"...)
		}
		return append(dst, '0')
	case f > -4503599627370495 && f < 4503599627370496 && f == math.Trunc(f):
		return strconv.AppendInt(dst, int64(f), 10)
	}
	return FormatFloat17(dst, f)
}

// x87 80-bit extended precision ("long double" on x86-64 Linux, which
// Redis's INCRBYFLOAT and HINCRBYFLOAT compute in).
const (
	ldPrec = 64
	// ldMinExp is the MantExp exponent of the smallest normal, 2^-16382.
	ldMinExp = -16381
	// ldMaxExp is the largest MantExp exponent of a finite value.
	ldMaxExp = 16384
	// ldDenormShift scales the smallest denormal, 2^-16445, to 1.
	ldDenormShift = 16445
	// ldMaxChars is Redis's MAX_LONG_DOUBLE_CHARS: longer input is
	// rejected, and output that would not fit is dropped.
	ldMaxChars = 5 * 1024
)

// parseLongDouble parses b as Redis's string2ld (strtold on the whole
// input) into an exact 64-bit-mantissa value, with x87 range and denormal
// rounding.
func parseLongDouble(b []byte) (*big.Float, bool) {
	if len(b) == 0 || len(b) >= ldMaxChars {
		return nil, false
	}
	f, ok := scanCFloat(b, make([]byte, 0, len(b)))
	if !ok || f.nan {
		return nil, false
	}
	z := new(big.Float).SetPrec(ldPrec)
	if f.inf {
		return z.SetInf(f.neg), true
	}
	if f.zero {
		if f.neg {
			z.Neg(z)
		}
		return z, true
	}
	base := 10
	if f.hex {
		base = 16
	}
	m, _ := new(big.Int).SetString(string(f.mant), base)
	// Bound the exponent by magnitude before building powers: beyond these
	// the value is certainly out of long double range.
	var mag int64 // approximate log2 of the value
	if f.hex {
		mag = int64(m.BitLen()) + f.exp
	} else {
		sig := len(f.mant)
		for i := 0; i < len(f.mant) && f.mant[i] == '0'; i++ {
			sig--
		}
		mag = (int64(sig) + f.exp) * 3322 / 1000
	}
	switch {
	case mag > ldMaxExp+64:
		return nil, false
	case mag < -ldDenormShift-64:
		return nil, false
	}
	r := new(big.Rat).SetInt(m)
	scale := new(big.Int)
	if f.hex {
		scale.Lsh(big.NewInt(1), uint(abs(f.exp)))
	} else {
		scale.Exp(big.NewInt(10), big.NewInt(abs(f.exp)), nil)
	}
	if f.exp >= 0 {
		r.Mul(r, new(big.Rat).SetInt(scale))
	} else {
		r.Quo(r, new(big.Rat).SetInt(scale))
	}
	z.SetRat(r)
	if e := z.MantExp(nil); e > ldMaxExp {
		return nil, false
	} else if e < ldMinExp {
		// Denormal: round the exact value to a multiple of 2^-16445.
		r.Mul(r, new(big.Rat).SetInt(new(big.Int).Lsh(big.NewInt(1), ldDenormShift)))
		n := roundHalfEven(r)
		if n.Sign() == 0 {
			return nil, false // underflow to zero: strtold sets ERANGE
		}
		z.SetInt(n)
		z.SetMantExp(z, -ldDenormShift)
	}
	if f.neg {
		z.Neg(z)
	}
	return z, true
}

func abs(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}

// roundHalfEven rounds the non-negative r to the nearest integer, ties to
// even.
func roundHalfEven(r *big.Rat) *big.Int {
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	twice := rem.Lsh(rem, 1)
	switch twice.Cmp(r.Denom()) {
	case 1:
		q.Add(q, big.NewInt(1))
	case 0:
		if q.Bit(0) == 1 {
			q.Add(q, big.NewInt(1))
		}
	}
	return q
}

// IncrByFloat computes INCRBYFLOAT/HINCRBYFLOAT: cur and incr are parsed
// as C long doubles (strtold over the whole string, at most 5119 bytes),
// added in x87 80-bit precision, and the sum is formatted as Redis's
// LD_STR_HUMAN: "%.17Lf" with trailing zeros and a trailing '.' removed,
// "-0" written "0". cur == nil means the key does not exist (value 0).
//
// It returns ErrNotFloat when either input does not parse, and ErrNaNOrInf
// when an input is infinite or the sum overflows. A sum whose text would
// exceed Redis's 5 KiB buffer yields an empty result, as Redis stores.
func IncrByFloat(cur, incr []byte) ([]byte, error) {
	v := new(big.Float).SetPrec(ldPrec)
	if cur != nil {
		var ok bool
		if v, ok = parseLongDouble(cur); !ok {
			return nil, ErrNotFloat
		}
	}
	d, ok := parseLongDouble(incr)
	if !ok {
		return nil, ErrNotFloat
	}
	if v.IsInf() || d.IsInf() {
		return nil, ErrNaNOrInf
	}
	sum := new(big.Float).SetPrec(ldPrec).SetMode(big.ToNearestEven).Add(v, d)
	if sum.MantExp(nil) > ldMaxExp {
		return nil, ErrNaNOrInf
	}
	out := sum.Append(nil, 'f', 17)
	if len(out)+1 > ldMaxChars {
		return []byte{}, nil
	}
	n := len(out)
	for n > 0 && out[n-1] == '0' {
		n--
	}
	if n > 0 && out[n-1] == '.' {
		n--
	}
	out = out[:n]
	if string(out) == "-0" {
		out = append(out[:0], '0')
	}
	return out, nil
}
