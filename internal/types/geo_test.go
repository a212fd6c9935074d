package types

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// Expected values recorded from redis-server 7.0.15 (GEOADD then ZSCORE,
// GEOHASH, GEOPOS, GEODIST).
func TestGeoEncodeDecode(t *testing.T) {
	tests := []struct {
		lon, lat       float64
		score          float64
		hash           string
		outLon, outLat string
	}{
		{13.361389, 38.115556, 3479099956230698, "sqc8b49rny0", "13.36138933897018433", "38.11555639549629859"},
		{15.087269, 37.502669, 3479447370796909, "sqdtr74hyu0", "15.08726745843887329", "37.50266842333162032"},
		{-180, -85.05112878, 0, "00bh0hbj200", "-179.99999731779098511", "-85.05112751263942528"},
		{180, 85.05112878, 13510798882111488, "bp05b5048p0", "180", "85.0511287799999991"},
		{0, 0, 3377699720527872, "s0000000000", "0.00000268220901489", "0.00000126736058093"},
	}
	for _, tc := range tests {
		score, ok := GeoEncode(tc.lon, tc.lat)
		if !ok || score != tc.score {
			t.Errorf("GeoEncode(%v, %v) = %v, %v; want %v", tc.lon, tc.lat, score, ok, tc.score)
		}
		if got := string(AppendGeoHashString(nil, score)); got != tc.hash {
			t.Errorf("geohash of %v = %q, want %q", score, got, tc.hash)
		}
		lon, lat := GeoDecode(score)
		if got := string(AppendGeoCoord(nil, lon)); got != tc.outLon {
			t.Errorf("lon of %v = %s, want %s", score, got, tc.outLon)
		}
		if got := string(AppendGeoCoord(nil, lat)); got != tc.outLat {
			t.Errorf("lat of %v = %s, want %s", score, got, tc.outLat)
		}
	}
}

func TestGeoEncodeRange(t *testing.T) {
	for _, p := range [][2]float64{{180.0001, 0}, {-180.0001, 0}, {0, 85.06}, {0, -85.06}, {math.Inf(1), 0}} {
		if _, ok := GeoEncode(p[0], p[1]); ok {
			t.Errorf("GeoEncode(%v, %v) accepted", p[0], p[1])
		}
	}
}

// TestGeoRoundTrip checks that a decoded position re-encodes to the same
// score and lies within one cell of the original.
func TestGeoRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		lon := r.Float64()*360 - 180
		lat := r.Float64()*2*GeoLatMax - GeoLatMax
		s, ok := GeoEncode(lon, lat)
		if !ok {
			t.Fatalf("GeoEncode(%v, %v) failed", lon, lat)
		}
		dlon, dlat := GeoDecode(s)
		if math.Abs(dlon-lon) > 360.0/(1<<26) || math.Abs(dlat-lat) > 2*GeoLatMax/(1<<26) {
			t.Fatalf("%v,%v decoded as %v,%v", lon, lat, dlon, dlat)
		}
		if s2, _ := GeoEncode(dlon, dlat); s2 != s {
			t.Fatalf("%v,%v: score %v re-encodes as %v", lon, lat, s, s2)
		}
	}
}

func TestGeoDistance(t *testing.T) {
	tests := []struct {
		lon1, lat1, lon2, lat2 float64
		want                   string
	}{
		{13.36138933897018433, 38.11555639549629859, 15.08726745843887329, 37.50266842333162032, "166274.1516"},
		{-179.99999731779098511, -85.05112751263942528, 180, 85.0511287799999991, "18919844.5891"},
		{0.00000268220901489, 0.00000126736058093, 180, 85.0511287799999991, "10560811.4940"},
		{10, 20, 10, 21, "111226.3000"},
		{10, 20, 10, 20, "0.0000"},
	}
	for _, tc := range tests {
		d := GeoDistance(tc.lon1, tc.lat1, tc.lon2, tc.lat2)
		if got := string(AppendGeoDistance(nil, d)); got != tc.want {
			t.Errorf("distance %v = %s, want %s", tc, got, tc.want)
		}
	}
}

// TestGeoTrigRounding checks the double-double sine, cosine and arcsine
// against math/big series evaluations: they must be correctly rounded.
func TestGeoTrigRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := range 3000 {
		x := (r.Float64()*2 - 1) * math.Pi
		if i%3 == 0 {
			x *= 1e-3
		}
		if got, want := geoSin(x), geoBigSin(x); got != want {
			t.Fatalf("geoSin(%v) = %v, want %v", x, got, want)
		}
		if got, want := geoCos(x), geoBigSeries(x, 0); got != want {
			t.Fatalf("geoCos(%v) = %v, want %v", x, got, want)
		}
		y := math.Abs(x) / math.Pi
		if s := geoAsin(y); math.Abs(geoBigSin(s)-y) > math.Abs(math.Nextafter(y, 2)-y) {
			t.Fatalf("geoAsin(%v) = %v: sin of it is %v", y, s, geoBigSin(s))
		}
	}
}

// geoBigSin is sin x rounded once from a 300-bit Taylor series.
func geoBigSin(x float64) float64 { return geoBigSeries(x, 1) }

// geoBigSeries sums the Taylor series of sin x (first 1) or cos x
// (first 0) in 300-bit precision and rounds it once.
func geoBigSeries(x float64, first int) float64 {
	const prec = 300
	X := new(big.Float).SetPrec(prec).SetFloat64(x)
	x2 := new(big.Float).SetPrec(prec).Mul(X, X)
	sum := new(big.Float).SetPrec(prec)
	term := new(big.Float).SetPrec(prec).SetInt64(1)
	if first == 1 {
		term.Set(X)
	}
	for n := first; n < 120; n += 2 {
		sum.Add(sum, term)
		term.Mul(term, x2)
		term.Quo(term, new(big.Float).SetPrec(prec).SetInt64(int64(-(n+1)*(n+2))))
	}
	f, _ := sum.Float64()
	return f
}

func BenchmarkGeoDistance(b *testing.B) {
	for i := 0; i < b.N; i++ {
		GeoDistance(13.361389, 38.115556, 15.087269+float64(i&7)*1e-3, 37.502669)
	}
}
