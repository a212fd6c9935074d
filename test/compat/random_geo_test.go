package compat

import (
	"bytes"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestRandomGeo fills a few geo sets with random points, clustered around
// random centres (poles and the antimeridian included), and compares
// random GEOADD, GEODIST, GEOPOS, GEOHASH, GEOSEARCH, GEORADIUS and
// GEOSEARCHSTORE replies, so the neighbour cells, step estimation,
// distances and coordinate digits are checked against Redis's.
func TestRandomGeo(t *testing.T) {
	p := startPair(t)
	seed := *seedFlag
	if seed == 0 {
		seed = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", seed, seed)
	g := &geoGen{rnd: rand.New(rand.NewPCG(seed, seed^0x2545f4914f6cdd1d))}
	rc, sc := testutil.Dial(t, p.redis), testutil.Dial(t, p.shoal)
	for _, c := range []*testutil.Conn{rc, sc} {
		c.Do("CONFIG", "SET", "zset-max-listpack-entries", strconv.Itoa(16+g.rnd.IntN(200)))
	}
	var wbuf []byte
	for i := range *opsFlag {
		args := g.next()
		wbuf = testutil.AppendCommand(wbuf[:0], args...)
		want, got := rc.DoRaw(wbuf), sc.DoRaw(wbuf)
		if !bytes.Equal(want, got) && !geoNearlyEqual(want, got) {
			t.Fatalf("seed %d, op %d: %q\n  redis: %s\n  shoal: %s", seed, i, args,
				strconv.Quote(string(want)), strconv.Quote(string(got)))
		}
	}
}

type geoGen struct {
	rnd     *rand.Rand
	centres [][2]float64
}

var geoKeys = []string{"g0", "g1", "g2"}

func (g *geoGen) coord(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// point returns a position near one of the cluster centres.
func (g *geoGen) point() (lon, lat float64) {
	r := g.rnd
	if len(g.centres) == 0 || r.IntN(20) == 0 {
		c := [2]float64{r.Float64()*360 - 180, r.Float64()*170 - 85}
		switch r.IntN(6) {
		case 0:
			c[0] = 179.9 + r.Float64()*0.1
		case 1:
			c[1] = 84 + r.Float64()
		case 2:
			c[1] = -84 - r.Float64()
		}
		g.centres = append(g.centres, c)
	}
	c := g.centres[r.IntN(len(g.centres))]
	spread := []float64{0.001, 0.05, 1, 10}[r.IntN(4)]
	lon = c[0] + (r.Float64()*2-1)*spread
	lat = c[1] + (r.Float64()*2-1)*spread
	lon = max(min(lon, 180), -180)
	lat = max(min(lat, 85.05112878), -85.05112878)
	return lon, lat
}

func (g *geoGen) member() string { return "m" + strconv.Itoa(g.rnd.IntN(300)) }

func (g *geoGen) unit() string { return []string{"m", "km", "ft", "mi", "KM"}[g.rnd.IntN(5)] }

func (g *geoGen) size() string {
	return []string{"0", "1", "50", "500", "3000", "25000", "150000", "1000000", "5000000"}[g.rnd.IntN(9)]
}

func (g *geoGen) next() []string {
	r := g.rnd
	k := geoKeys[r.IntN(len(geoKeys))]
	switch r.IntN(10) {
	case 0, 1, 2:
		args := []string{"GEOADD", k}
		for range 1 + r.IntN(20) {
			lon, lat := g.point()
			args = append(args, g.coord(lon), g.coord(lat), g.member())
		}
		return args
	case 3:
		return []string{"GEODIST", k, g.member(), g.member(), g.unit()}
	case 4:
		return []string{"GEOPOS", k, g.member(), g.member(), g.member()}
	case 5:
		return []string{"GEOHASH", k, g.member(), g.member()}
	case 6:
		lon, lat := g.point()
		args := []string{"GEORADIUS", k, g.coord(lon), g.coord(lat), g.size(), g.unit(), "WITHDIST", "WITHCOORD", "WITHHASH"}
		if r.IntN(2) == 0 {
			args = append(args, "COUNT", strconv.Itoa(1+r.IntN(10)))
		}
		return append(args, []string{"ASC", "DESC"}[r.IntN(2)])
	default:
		args := []string{"GEOSEARCH", k}
		if r.IntN(3) == 0 {
			args = append(args, "FROMMEMBER", g.member())
		} else {
			lon, lat := g.point()
			args = append(args, "FROMLONLAT", g.coord(lon), g.coord(lat))
		}
		if r.IntN(2) == 0 {
			args = append(args, "BYRADIUS", g.size(), g.unit())
		} else {
			args = append(args, "BYBOX", g.size(), g.size(), g.unit())
		}
		args = append(args, "WITHDIST", "WITHCOORD")
		switch r.IntN(3) {
		case 0:
			args = append(args, "COUNT", strconv.Itoa(1+r.IntN(10)), "ASC")
		case 1:
			args = append(args, "DESC")
		}
		return args
	}
}

// geoNearlyEqual accepts replies that differ only in numbers one
// rounding step apart. Redis's distances come from glibc's sin and cos,
// which are not always correctly rounded (about 0.1% of results are one
// ulp off); Shoal rounds correctly, so a "%.4f" distance lying within an
// ulp of a rounding boundary can print one unit apart in the last place.
func geoNearlyEqual(a, b []byte) bool {
	la, lb := bytes.Split(a, []byte("\r\n")), bytes.Split(b, []byte("\r\n"))
	if len(la) != len(lb) {
		return false
	}
	for i := range la {
		if bytes.Equal(la[i], lb[i]) {
			continue
		}
		x, err1 := strconv.ParseFloat(string(la[i]), 64)
		y, err2 := strconv.ParseFloat(string(lb[i]), 64)
		if err1 != nil || err2 != nil || math.Abs(x-y) > 1.5e-4 && math.Abs(x-y) > 1e-12*math.Abs(x) {
			return false
		}
	}
	return true
}
