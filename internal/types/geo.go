package types

import (
	"math"
	"strconv"
)

// Geospatial indexing as Redis 7.0's geohash.c, geohash_helper.c and geo.c
// compute it. A position is stored as the score of a sorted set member:
// a 52-bit geohash interleaving 26 bits of latitude (even bit positions)
// with 26 bits of longitude (odd positions), over the longitude range
// [-180, 180] and the Web-Mercator latitude range [-85.05112878,
// 85.05112878]. Searches cover the query shape with the geohash cell that
// holds its centre plus its eight neighbours, at a precision estimated
// from the radius, and scan the score range of each cell.

// Limits of the coordinates GEOADD accepts.
const (
	GeoLonMin = -180.0
	GeoLonMax = 180.0
	GeoLatMin = -85.05112878
	GeoLatMax = 85.05112878
)

// GeoStepMax is the number of bits per coordinate in a stored geohash.
const GeoStepMax = 26

// Earth model of the distance computations.
const (
	geoEarthRadius = 6372797.560856
	geoMercatorMax = 20037726.37
)

// geoDegToRad is C's M_PI / 180.0: the double nearest pi divided by 180
// in double arithmetic (Go would fold the constant expression exactly).
var geoDegToRad = geoPi / 180.0

var geoPi float64 = math.Pi

// geoRange is a coordinate interval.
type geoRange struct{ min, max float64 }

var (
	geoLonRange = geoRange{GeoLonMin, GeoLonMax}
	geoLatRange = geoRange{GeoLatMin, GeoLatMax}
	// The ranges of standard geohash strings (GEOHASH).
	geoStdLonRange = geoRange{-180, 180}
	geoStdLatRange = geoRange{-90, 90}
)

// GeoHash is a geohash of Step bits per coordinate, its bits interleaved
// latitude-first. The zero GeoHash (Bits 0, Step 0) marks an unused cell.
type GeoHash struct {
	Bits uint64
	Step uint8
}

// IsZero reports whether h is the unused cell.
func (h GeoHash) IsZero() bool { return h.Bits == 0 && h.Step == 0 }

// ScoreRange returns the sorted set scores of the points inside cell h:
// min <= score < max.
func (h GeoHash) ScoreRange() (min, max float64) {
	shift := 52 - 2*uint(h.Step)
	return float64(h.Bits << shift), float64((h.Bits + 1) << shift)
}

// geoArea is the rectangle a geohash cell covers.
type geoArea struct{ lon, lat geoRange }

// geoSpread puts the 32 bits of v in the even bit positions of a word.
func geoSpread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// geoSqueeze gathers the even bit positions of x into 32 bits.
func geoSqueeze(x uint64) uint32 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return uint32(x)
}

// geoEncode is geohashEncode: the cell of step bits holding lon, lat in
// the given ranges, or false outside them.
func geoEncode(lonR, latR geoRange, lon, lat float64, step uint8) (GeoHash, bool) {
	if step == 0 || step > 32 {
		return GeoHash{}, false
	}
	if lon > GeoLonMax || lon < GeoLonMin || lat > GeoLatMax || lat < GeoLatMin {
		return GeoHash{}, false
	}
	if lat < latR.min || lat > latR.max || lon < lonR.min || lon > lonR.max {
		return GeoHash{}, false
	}
	latOff := (lat - latR.min) / (latR.max - latR.min)
	lonOff := (lon - lonR.min) / (lonR.max - lonR.min)
	latOff *= float64(uint64(1) << step)
	lonOff *= float64(uint64(1) << step)
	bits := geoSpread(uint32(latOff)) | geoSpread(uint32(lonOff))<<1
	return GeoHash{Bits: bits, Step: step}, true
}

// geoDecode is geohashDecode: the area of cell h in the given ranges.
func geoDecode(lonR, latR geoRange, h GeoHash) geoArea {
	ilat := geoSqueeze(h.Bits)
	ilon := geoSqueeze(h.Bits >> 1)
	div := float64(uint64(1) << h.Step)
	latScale := latR.max - latR.min
	lonScale := lonR.max - lonR.min
	return geoArea{
		lat: geoRange{
			latR.min + float64(float64(ilat)/div*latScale),
			latR.min + float64(float64(ilat+1)/div*latScale),
		},
		lon: geoRange{
			lonR.min + float64(float64(ilon)/div*lonScale),
			lonR.min + float64(float64(ilon+1)/div*lonScale),
		},
	}
}

// center is geohashDecodeAreaToLongLat: the middle of the area, clamped
// to the valid coordinates.
func (a geoArea) center() (lon, lat float64) {
	lon = (a.lon.min + a.lon.max) / 2
	lon = math.Max(math.Min(lon, GeoLonMax), GeoLonMin)
	lat = (a.lat.min + a.lat.max) / 2
	if lat > GeoLatMax {
		lat = GeoLatMax
	}
	if lat < GeoLatMin {
		lat = GeoLatMin
	}
	return lon, lat
}

// GeoEncode returns the sorted set score GEOADD stores for lon, lat, or
// false when they are outside the valid ranges.
func GeoEncode(lon, lat float64) (float64, bool) {
	h, ok := geoEncode(geoLonRange, geoLatRange, lon, lat, GeoStepMax)
	if !ok {
		return 0, false
	}
	return float64(h.Bits), true
}

// geoScoreBits converts a score to hash bits as C's (uint64_t) cast
// compiles on x86-64: a signed truncation below 2^63 (the "integer
// indefinite" 1<<63 when out of range), else a truncation of score-2^63
// with the top bit flipped.
func geoScoreBits(score float64) uint64 {
	const indefinite = uint64(1) << 63
	trunc := func(f float64) uint64 {
		if f >= 1<<63 || f < -(1<<63) || math.IsNaN(f) {
			return indefinite
		}
		return uint64(int64(f))
	}
	if score < 1<<63 || math.IsNaN(score) {
		return trunc(score)
	}
	return trunc(score-(1<<63)) ^ indefinite
}

// GeoDecode returns the position a score stands for: the centre of its
// 52-bit cell.
func GeoDecode(score float64) (lon, lat float64) {
	h := GeoHash{Bits: geoScoreBits(score), Step: GeoStepMax}
	return geoDecode(geoLonRange, geoLatRange, h).center()
}

// geoAlphabet is the base-32 alphabet of geohash strings.
const geoAlphabet = "0123456789bcdefghjkmnpqrstuvwxyz"

// AppendGeoHashString appends the 11-character standard geohash of the
// position score stands for, as GEOHASH: the position is re-encoded over
// latitude [-90, 90] and the 11th character, beyond the 52 bits, is '0'.
func AppendGeoHashString(dst []byte, score float64) []byte {
	lon, lat := GeoDecode(score)
	h, _ := geoEncode(geoStdLonRange, geoStdLatRange, lon, lat, GeoStepMax)
	for i := 0; i < 11; i++ {
		idx := 0
		if i < 10 {
			idx = int(h.Bits>>(52-uint(i+1)*5)) & 0x1f
		}
		dst = append(dst, geoAlphabet[idx])
	}
	return dst
}

// geoLatDistance is the distance in meters between two latitudes on one
// meridian.
func geoLatDistance(lat1, lat2 float64) float64 {
	return geoEarthRadius * math.Abs(lat2*geoDegToRad-lat1*geoDegToRad)
}

// GeoDistance returns the haversine distance in meters between two
// positions, as Redis computes it (with its shortcut for equal
// longitudes).
func GeoDistance(lon1, lat1, lon2, lat2 float64) float64 {
	lon1r := lon1 * geoDegToRad
	lon2r := lon2 * geoDegToRad
	v := geoSin((lon2r - lon1r) / 2)
	if v == 0 {
		return geoLatDistance(lat1, lat2)
	}
	lat1r := lat1 * geoDegToRad
	lat2r := lat2 * geoDegToRad
	u := geoSin((lat2r - lat1r) / 2)
	// Explicit conversions keep every product rounded (no fused
	// multiply-add), as the C code computes it.
	a := float64(u*u) + float64(float64(geoCos(lat1r)*geoCos(lat2r))*v*v)
	return 2.0 * geoEarthRadius * geoAsin(math.Sqrt(a))
}

// AppendGeoDistance appends a distance as Redis replies it: "%.4f".
func AppendGeoDistance(dst []byte, d float64) []byte {
	return strconv.AppendFloat(dst, d, 'f', 4, 64)
}

// AppendGeoCoord appends a coordinate as Redis's GEOPOS and WITHCOORD
// write it: "%.17Lf" with trailing zeros (and a trailing point) removed,
// and "-0" written "0".
func AppendGeoCoord(dst []byte, f float64) []byte {
	if math.IsInf(f, 0) {
		if f > 0 {
			return append(dst, "inf"...)
		}
		return append(dst, "-inf"...)
	}
	start := len(dst)
	dst = strconv.AppendFloat(dst, f, 'f', 17, 64)
	for dst[len(dst)-1] == '0' {
		dst = dst[:len(dst)-1]
	}
	if dst[len(dst)-1] == '.' {
		dst = dst[:len(dst)-1]
	}
	if len(dst)-start == 2 && dst[start] == '-' && dst[start+1] == '0' {
		dst = append(dst[:start], '0')
	}
	return dst
}

// GeoShape is the area of a search: a circle of Radius, or a box of
// Width by Height when Box, centred on Lon, Lat. Sizes are in the
// caller's unit; Conversion turns them into meters.
type GeoShape struct {
	Lon, Lat      float64
	Radius        float64
	Width, Height float64
	Box           bool
	Conversion    float64
}

// boundingBox is geohashBoundingBox: the longitude and latitude bounds of
// the shape, with the longitude span taken at the latitude edge nearer
// the pole.
func (s *GeoShape) boundingBox() (minLon, minLat, maxLon, maxLat float64) {
	height, width := s.Radius, s.Radius
	if s.Box {
		height, width = s.Height/2, s.Width/2
	}
	height *= s.Conversion
	width *= s.Conversion
	latDelta := (height / geoEarthRadius) / geoDegToRad
	lonDeltaTop := (width / geoEarthRadius / geoCos((s.Lat+latDelta)*geoDegToRad)) / geoDegToRad
	lonDeltaBottom := (width / geoEarthRadius / geoCos((s.Lat-latDelta)*geoDegToRad)) / geoDegToRad
	if s.Lat < 0 {
		minLon, maxLon = s.Lon-lonDeltaBottom, s.Lon+lonDeltaBottom
	} else {
		minLon, maxLon = s.Lon-lonDeltaTop, s.Lon+lonDeltaTop
	}
	return minLon, s.Lat - latDelta, maxLon, s.Lat + latDelta
}

// geoEstimateSteps is geohashEstimateStepsByRadius: the cell precision
// whose cells are about as large as the search radius.
func geoEstimateSteps(meters, lat float64) uint8 {
	if meters == 0 {
		return 26
	}
	step := 1
	for meters < geoMercatorMax {
		meters *= 2
		step++
	}
	step -= 2
	if lat > 66 || lat < -66 {
		step--
		if lat > 80 || lat < -80 {
			step--
		}
	}
	return uint8(min(max(step, 1), 26))
}

// geoMoveX moves h one cell east (d > 0) or west along the longitude bits.
func geoMoveX(h GeoHash, d int) GeoHash {
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0x5555555555555555) >> (64 - uint(h.Step)*2)
	if d > 0 {
		x += zz + 1
	} else {
		x |= zz
		x -= zz + 1
	}
	x &= uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.Step)*2)
	return GeoHash{Bits: x | y, Step: h.Step}
}

// geoMoveY moves h one cell north (d > 0) or south along the latitude bits.
func geoMoveY(h GeoHash, d int) GeoHash {
	x := h.Bits & 0xaaaaaaaaaaaaaaaa
	y := h.Bits & 0x5555555555555555
	zz := uint64(0xaaaaaaaaaaaaaaaa) >> (64 - uint(h.Step)*2)
	if d > 0 {
		y += zz + 1
	} else {
		y |= zz
		y -= zz + 1
	}
	y &= uint64(0x5555555555555555) >> (64 - uint(h.Step)*2)
	return GeoHash{Bits: x | y, Step: h.Step}
}

// Indexes of the cells SearchCells returns.
const (
	geoCenter = iota
	geoNorth
	geoSouth
	geoEast
	geoWest
	geoNorthEast
	geoNorthWest
	geoSouthEast
	geoSouthWest
)

// geoNeighbors fills cells with h and its eight neighbours.
func geoNeighbors(h GeoHash, cells *[9]GeoHash) {
	cells[geoCenter] = h
	cells[geoNorth] = geoMoveY(h, 1)
	cells[geoSouth] = geoMoveY(h, -1)
	cells[geoEast] = geoMoveX(h, 1)
	cells[geoWest] = geoMoveX(h, -1)
	cells[geoNorthEast] = geoMoveY(geoMoveX(h, 1), 1)
	cells[geoNorthWest] = geoMoveY(geoMoveX(h, -1), 1)
	cells[geoSouthEast] = geoMoveY(geoMoveX(h, 1), -1)
	cells[geoSouthWest] = geoMoveY(geoMoveX(h, -1), -1)
}

// SearchCells returns the cells to scan for the shape, as
// geohashCalculateAreasByShapeWGS84: the centre cell first, then north,
// south, east, west, north-east, north-west, south-east and south-west;
// cells that cannot hold a match are zero.
func (s *GeoShape) SearchCells() [9]GeoHash {
	minLon, minLat, maxLon, maxLat := s.boundingBox()
	radius := s.Radius
	if s.Box {
		radius = math.Sqrt((s.Width/2)*(s.Width/2) + (s.Height/2)*(s.Height/2))
	}
	radius *= s.Conversion
	steps := geoEstimateSteps(radius, s.Lat)

	var cells [9]GeoHash
	h, _ := geoEncode(geoLonRange, geoLatRange, s.Lon, s.Lat, steps)
	geoNeighbors(h, &cells)
	area := geoDecode(geoLonRange, geoLatRange, h)

	north := geoDecode(geoLonRange, geoLatRange, cells[geoNorth])
	south := geoDecode(geoLonRange, geoLatRange, cells[geoSouth])
	east := geoDecode(geoLonRange, geoLatRange, cells[geoEast])
	west := geoDecode(geoLonRange, geoLatRange, cells[geoWest])
	decrease := north.lat.max < maxLat || south.lat.min > minLat ||
		east.lon.max < maxLon || west.lon.min > minLon
	if steps > 1 && decrease {
		steps--
		h, _ = geoEncode(geoLonRange, geoLatRange, s.Lon, s.Lat, steps)
		geoNeighbors(h, &cells)
		area = geoDecode(geoLonRange, geoLatRange, h)
	}
	if steps >= 2 {
		if area.lat.min < minLat {
			cells[geoSouth], cells[geoSouthWest], cells[geoSouthEast] = GeoHash{}, GeoHash{}, GeoHash{}
		}
		if area.lat.max > maxLat {
			cells[geoNorth], cells[geoNorthEast], cells[geoNorthWest] = GeoHash{}, GeoHash{}, GeoHash{}
		}
		if area.lon.min < minLon {
			cells[geoWest], cells[geoSouthWest], cells[geoNorthWest] = GeoHash{}, GeoHash{}, GeoHash{}
		}
		if area.lon.max > maxLon {
			cells[geoEast], cells[geoSouthEast], cells[geoNorthEast] = GeoHash{}, GeoHash{}, GeoHash{}
		}
	}
	return cells
}

// Contains reports whether the position lon, lat is inside the shape and
// its distance in meters from the centre.
func (s *GeoShape) Contains(lon, lat float64) (dist float64, ok bool) {
	if !s.Box {
		dist = GeoDistance(s.Lon, s.Lat, lon, lat)
		return dist, dist <= s.Radius*s.Conversion
	}
	width, height := s.Width*s.Conversion, s.Height*s.Conversion
	if geoLatDistance(lat, s.Lat) > height/2 {
		return 0, false
	}
	if GeoDistance(lon, lat, s.Lon, lat) > width/2 {
		return 0, false
	}
	return GeoDistance(s.Lon, s.Lat, lon, lat), true
}

// Correctly rounded sine, cosine and arcsine. Redis calls glibc's libm,
// whose results are correctly rounded in all but rare cases, while Go's
// math functions are often one ulp away; distances stored by STOREDIST
// show every bit, so the geo code evaluates these in double-double
// arithmetic and rounds once.

// geoDD is an unevaluated sum hi + lo with |lo| <= ulp(hi)/2.
type geoDD struct{ hi, lo float64 }

func geoTwoSum(a, b float64) geoDD {
	s := a + b
	bb := s - a
	return geoDD{s, (a - (s - bb)) + (b - bb)}
}

func geoQuickTwoSum(a, b float64) geoDD {
	s := a + b
	return geoDD{s, b - (s - a)}
}

func geoDDAdd(a, b geoDD) geoDD {
	s := geoTwoSum(a.hi, b.hi)
	t := geoTwoSum(a.lo, b.lo)
	s.lo += t.hi
	s = geoQuickTwoSum(s.hi, s.lo)
	s.lo += t.lo
	return geoQuickTwoSum(s.hi, s.lo)
}

func geoDDMul(a, b geoDD) geoDD {
	p := a.hi * b.hi
	e := math.FMA(a.hi, b.hi, -p)
	e += a.hi*b.lo + a.lo*b.hi
	return geoQuickTwoSum(p, e)
}

// geoDDRecip returns 1/n as a double-double (n a small integer).
func geoDDRecip(n float64) geoDD {
	hi := 1 / n
	return geoDD{hi, math.FMA(-n, hi, 1) / n}
}

// Coefficients of the Taylor series: sine (-1)^k/(2k+1)!, cosine
// (-1)^k/(2k)!. The leading ones are double-doubles.
var (
	geoSinDD [3]geoDD
	geoCosDD [4]geoDD
	geoSinF  [10]float64 // k = 3..12
	geoCosF  [10]float64 // k = 4..13
)

// pi/2 in three parts.
const (
	geoPio2a = 1.5707963267948966
	geoPio2b = 6.123233995736766e-17
	geoPio2c = -1.4973849048591698e-33
)

func init() {
	fact := 1.0
	for n := 1; n <= 27; n++ {
		fact *= float64(n)
		k := n / 2
		c := geoDDRecip(fact)
		if k%2 == 1 {
			c.hi, c.lo = -c.hi, -c.lo
		}
		switch {
		case n%2 == 1 && k < len(geoSinDD):
			geoSinDD[k] = c
		case n%2 == 1 && k-3 < len(geoSinF):
			geoSinF[k-3] = c.hi
		case n%2 == 0 && k < len(geoCosDD):
			geoCosDD[k] = c
		case n%2 == 0 && k-4 < len(geoCosF):
			geoCosF[k-4] = c.hi
		}
	}
	geoCosDD[0] = geoDD{1, 0}
}

// geoReduce returns r = x - q*pi/2 as a double-double and q mod 4, for
// |x| small enough (ok false otherwise).
func geoReduce(x float64) (r geoDD, q int, ok bool) {
	if math.IsNaN(x) || math.Abs(x) > 1<<20 {
		return geoDD{}, 0, false
	}
	k := math.Round(x / geoPio2a)
	p := k * geoPio2a
	r = geoTwoSum(x, -p)
	r.lo -= math.FMA(k, geoPio2a, -p)
	r = geoQuickTwoSum(r.hi, r.lo)
	r = geoDDAdd(r, geoDD{-k * geoPio2b, -math.FMA(k, geoPio2b, -k*geoPio2b)})
	r = geoDDAdd(r, geoDD{-k * geoPio2c, 0})
	return r, int(int64(k) & 3), true
}

// geoSinPoly is sin r for |r| <= pi/4.
func geoSinPoly(r geoDD) geoDD {
	z := geoDDMul(r, r)
	t := 0.0
	for i := len(geoSinF) - 1; i >= 0; i-- {
		t = geoSinF[i] + z.hi*t
	}
	acc := geoDD{t, 0}
	for i := len(geoSinDD) - 1; i >= 0; i-- {
		acc = geoDDAdd(geoSinDD[i], geoDDMul(z, acc))
	}
	return geoDDMul(r, acc)
}

// geoCosPoly is cos r for |r| <= pi/4.
func geoCosPoly(r geoDD) geoDD {
	z := geoDDMul(r, r)
	t := 0.0
	for i := len(geoCosF) - 1; i >= 0; i-- {
		t = geoCosF[i] + z.hi*t
	}
	acc := geoDD{t, 0}
	for i := len(geoCosDD) - 1; i >= 0; i-- {
		acc = geoDDAdd(geoCosDD[i], geoDDMul(z, acc))
	}
	return acc
}

// geoSinDDOf returns sin x as a double-double.
func geoSinDDOf(x float64) (geoDD, bool) {
	r, q, ok := geoReduce(x)
	if !ok {
		return geoDD{}, false
	}
	var s geoDD
	switch q {
	case 0:
		s = geoSinPoly(r)
	case 1:
		s = geoCosPoly(r)
	case 2:
		s = geoSinPoly(r)
		s.hi, s.lo = -s.hi, -s.lo
	default:
		s = geoCosPoly(r)
		s.hi, s.lo = -s.hi, -s.lo
	}
	return s, true
}

// geoSin is sin x, correctly rounded for moderate x.
func geoSin(x float64) float64 {
	if x == 0 {
		return x
	}
	s, ok := geoSinDDOf(x)
	if !ok {
		return math.Sin(x)
	}
	return s.hi + s.lo
}

// geoCos is cos x, correctly rounded for moderate x.
func geoCos(x float64) float64 {
	r, q, ok := geoReduce(x)
	if !ok {
		return math.Cos(x)
	}
	var c geoDD
	switch q {
	case 0:
		c = geoCosPoly(r)
	case 1:
		c = geoSinPoly(r)
		c.hi, c.lo = -c.hi, -c.lo
	case 2:
		c = geoCosPoly(r)
		c.hi, c.lo = -c.hi, -c.lo
	default:
		c = geoSinPoly(r)
	}
	return c.hi + c.lo
}

// geoAsin is asin x for 0 <= x <= 1, refined from math.Asin by one
// Newton step in double-double.
func geoAsin(x float64) float64 {
	y := math.Asin(x)
	if x <= 0 || x >= 1 || math.IsNaN(y) {
		return y
	}
	s, _ := geoSinDDOf(y)
	d := geoDDAdd(geoDD{x, 0}, geoDD{-s.hi, -s.lo})
	return y + d.hi/math.Cos(y)
}
