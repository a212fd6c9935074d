package command

import (
	"math"
	"slices"
	"strconv"

	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// Geospatial commands, as Redis 7.0's geo.c: positions are geohash scores
// of sorted set members (see types/geo.go).

func init() {
	Register("geoadd", geoaddCommand)
	Register("geodist", geodistCommand)
	Register("geohash", geohashCommand)
	Register("geopos", geoposCommand)
	Register("georadius", func(c *Client) { geoSearchGeneric(c, 1, geoRadiusCoords) })
	Register("georadius_ro", func(c *Client) { geoSearchGeneric(c, 1, geoRadiusCoords|geoNoStore) })
	Register("georadiusbymember", func(c *Client) { geoSearchGeneric(c, 1, geoRadiusMember) })
	Register("georadiusbymember_ro", func(c *Client) { geoSearchGeneric(c, 1, geoRadiusMember|geoNoStore) })
	Register("geosearch", func(c *Client) { geoSearchGeneric(c, 1, geoSearch) })
	Register("geosearchstore", func(c *Client) { geoSearchGeneric(c, 2, geoSearch|geoSearchStore) })
}

// Variants of geoSearchGeneric.
const (
	geoRadiusCoords = 1 << iota // GEORADIUS: centre given as longitude, latitude
	geoRadiusMember             // GEORADIUSBYMEMBER: centre given as a member
	geoNoStore                  // the _RO variants: no STORE/STOREDIST
	geoSearch                   // GEOSEARCH syntax
	geoSearchStore              // GEOSEARCHSTORE: destination in argv[1]
)

// Result orders of a search.
const (
	geoSortNone = iota
	geoSortAsc
	geoSortDesc
)

var geoArgZADD = []byte("zadd")

// GEOADD key [NX|XX] [CH] longitude latitude member [...]: a ZADD of the
// members' geohash scores, propagated as that ZADD.
func geoaddCommand(c *Client) {
	argv := c.Argv
	nx, xx := false, false
	lonIdx := 2
	for ; lonIdx < len(argv); lonIdx++ {
		opt := argv[lonIdx]
		switch {
		case equalFold(opt, "nx"):
			nx = true
		case equalFold(opt, "xx"):
			xx = true
		case equalFold(opt, "ch"):
		default:
			goto parsed
		}
	}
parsed:
	if (len(argv)-lonIdx)%3 != 0 || nx && xx {
		c.Error(rerr.Syntax)
		return
	}
	elements := (len(argv) - lonIdx) / 3
	zargv := make([][]byte, 0, lonIdx+2*elements)
	zargv = append(zargv, geoArgZADD)
	zargv = append(zargv, argv[1:lonIdx]...)
	for i := 0; i < elements; i++ {
		lon, lat, ok := geoParseLonLat(c, argv[lonIdx+3*i:])
		if !ok {
			return
		}
		score, _ := types.GeoEncode(lon, lat)
		zargv = append(zargv, strconv.AppendInt(nil, int64(score), 10), argv[lonIdx+3*i+2])
	}
	orig := c.Argv
	c.Argv = zargv
	zsetAddGeneric(c, 0)
	c.Argv = orig
	c.RewriteArgv(zargv...)
}

// geoParseLonLat reads a longitude and a latitude from args[0:2], as
// extractLongLatOrReply.
func geoParseLonLat(c *Client, args [][]byte) (lon, lat float64, ok bool) {
	lon, ok = types.ParseFloat(args[0])
	if !ok {
		c.Error(rerr.NotFloat)
		return 0, 0, false
	}
	lat, ok = types.ParseFloat(args[1])
	if !ok {
		c.Error(rerr.NotFloat)
		return 0, 0, false
	}
	if lon < types.GeoLonMin || lon > types.GeoLonMax || lat < types.GeoLatMin || lat > types.GeoLatMax {
		c.Error(rerr.GeoInvalidPair(geoFormatF(lon), geoFormatF(lat)))
		return 0, 0, false
	}
	return lon, lat, true
}

// geoFormatF formats f as printf's "%f".
func geoFormatF(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'f', 6, 64)
}

// geoParseUnit returns the meters in one unit (m, km, ft, mi), as
// extractUnitOrReply.
func geoParseUnit(c *Client, u []byte) (float64, bool) {
	switch {
	case equalFold(u, "m"):
		return 1, true
	case equalFold(u, "km"):
		return 1000, true
	case equalFold(u, "ft"):
		return 0.3048, true
	case equalFold(u, "mi"):
		return 1609.34, true
	}
	c.Error(rerr.GeoUnit)
	return 0, false
}

// geoParseRadius reads "radius unit" from args, as extractDistanceOrReply.
func geoParseRadius(c *Client, args [][]byte, shape *types.GeoShape) bool {
	r, ok := types.ParseFloat(args[0])
	if !ok {
		c.Error(rerr.GeoRadiusNotFloat)
		return false
	}
	if r < 0 {
		c.Error(rerr.GeoRadiusNegative)
		return false
	}
	conv, ok := geoParseUnit(c, args[1])
	if !ok {
		return false
	}
	shape.Radius, shape.Conversion, shape.Box = r, conv, false
	return true
}

// geoParseBox reads "width height unit" from args, as extractBoxOrReply.
func geoParseBox(c *Client, args [][]byte, shape *types.GeoShape) bool {
	w, ok := types.ParseFloat(args[0])
	if !ok {
		c.Error(rerr.GeoWidthNotFloat)
		return false
	}
	h, ok := types.ParseFloat(args[1])
	if !ok {
		c.Error(rerr.GeoHeightNotFloat)
		return false
	}
	if h < 0 || w < 0 {
		c.Error(rerr.GeoBoxNegative)
		return false
	}
	conv, ok := geoParseUnit(c, args[2])
	if !ok {
		return false
	}
	shape.Width, shape.Height, shape.Conversion, shape.Box = w, h, conv, true
	return true
}

// geoMemberPos returns the position of member in z.
func geoMemberPos(z *types.ZSet, member []byte) (lon, lat float64, ok bool) {
	s, found := z.Score(member)
	if !found {
		return 0, 0, false
	}
	lon, lat = types.GeoDecode(s)
	return lon, lat, true
}

// geoReplyCoord writes a coordinate as addReplyHumanLongDouble: a bulk
// string in RESP2, a double in RESP3.
func geoReplyCoord(c *Client, f float64) {
	var buf [64]byte
	b := types.AppendGeoCoord(buf[:0], f)
	if c.Proto == 3 {
		c.B = append(c.B, ',')
		c.B = append(c.B, b...)
		c.B = append(c.B, '\r', '\n')
		return
	}
	c.Bulk(b)
}

// geoReplyDistance writes a distance as addReplyDoubleDistance: a bulk
// string of "%.4f" in both protocols.
func geoReplyDistance(c *Client, d float64) {
	var buf [64]byte
	c.Bulk(types.AppendGeoDistance(buf[:0], d))
}

// GEODIST key member1 member2 [m|km|ft|mi]
func geodistCommand(c *Client) {
	conv := 1.0
	if len(c.Argv) == 5 {
		var ok bool
		if conv, ok = geoParseUnit(c, c.Argv[4]); !ok {
			return
		}
	} else if len(c.Argv) > 5 {
		c.Error(rerr.Syntax)
		return
	}
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	if z == nil {
		c.Null()
		return
	}
	lon1, lat1, ok1 := geoMemberPos(z, c.Argv[2])
	lon2, lat2, ok2 := geoMemberPos(z, c.Argv[3])
	if !ok1 || !ok2 {
		c.Null()
		return
	}
	geoReplyDistance(c, types.GeoDistance(lon1, lat1, lon2, lat2)/conv)
}

// GEOHASH key [member ...]
func geohashCommand(c *Client) {
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	c.Array(len(c.Argv) - 2)
	var buf [16]byte
	for _, m := range c.Argv[2:] {
		if z == nil {
			c.Null()
			continue
		}
		s, found := z.Score(m)
		if !found {
			c.Null()
			continue
		}
		c.Bulk(types.AppendGeoHashString(buf[:0], s))
	}
}

// GEOPOS key [member ...]
func geoposCommand(c *Client) {
	_, z, ok := zsetLookup(c, c.Argv[1], false)
	if !ok {
		return
	}
	c.Array(len(c.Argv) - 2)
	for _, m := range c.Argv[2:] {
		if z == nil {
			c.NullArray()
			continue
		}
		lon, lat, found := geoMemberPos(z, m)
		if !found {
			c.NullArray()
			continue
		}
		c.Array(2)
		geoReplyCoord(c, lon)
		geoReplyCoord(c, lat)
	}
}

// geoPoint is one search match.
type geoPoint struct {
	lon, lat, dist, score float64
	member                []byte
}

// geoSearchOptions are the parsed options of a search.
type geoSearchOptions struct {
	withDist, withHash, withCoord bool
	any                           bool
	sort                          int
	count                         int64
	store                         []byte
	storeDist                     bool
}

// geoSearchGeneric is GEORADIUS, GEORADIUSBYMEMBER, their _RO variants,
// GEOSEARCH and GEOSEARCHSTORE (georadiusGeneric): argument errors are
// reported in Redis's order, a missing source answers an empty array (or
// 0, deleting the destination, when storing).
func geoSearchGeneric(c *Client, srcIdx int, flags int) {
	argv := c.Argv
	_, z, ok := zsetLookup(c, argv[srcIdx], false)
	if !ok {
		return
	}
	var shape types.GeoShape
	var opt geoSearchOptions
	base := 0
	switch {
	case flags&geoRadiusCoords != 0:
		base = 6
		lon, lat, ok := geoParseLonLat(c, argv[2:])
		if !ok {
			return
		}
		shape.Lon, shape.Lat = lon, lat
		if !geoParseRadius(c, argv[4:], &shape) {
			return
		}
	case flags&geoRadiusMember != 0:
		base = 5
		if z != nil {
			lon, lat, found := geoMemberPos(z, argv[2])
			if !found {
				c.Error(rerr.GeoMemberUnknown)
				return
			}
			shape.Lon, shape.Lat = lon, lat
			if !geoParseRadius(c, argv[3:], &shape) {
				return
			}
		}
	default:
		base = 2
		if flags&geoSearchStore != 0 {
			base = 3
			opt.store = argv[1]
		}
	}
	fromMember, fromLonLat, byRadius, byBox := false, false, false, false
	search := flags&geoSearch != 0
	for i := base; i < len(argv); i++ {
		arg := argv[i]
		left := len(argv) - i - 1
		switch {
		case equalFold(arg, "withdist"):
			opt.withDist = true
		case equalFold(arg, "withhash"):
			opt.withHash = true
		case equalFold(arg, "withcoord"):
			opt.withCoord = true
		case equalFold(arg, "any"):
			opt.any = true
		case equalFold(arg, "asc"):
			opt.sort = geoSortAsc
		case equalFold(arg, "desc"):
			opt.sort = geoSortDesc
		case equalFold(arg, "count") && left >= 1:
			n, ok := types.ParseInt(argv[i+1])
			if !ok {
				c.Error(rerr.NotInteger)
				return
			}
			if n <= 0 {
				c.Error(rerr.GeoCountPositive)
				return
			}
			opt.count = n
			i++
		case (equalFold(arg, "store") || equalFold(arg, "storedist")) && left >= 1 &&
			flags&(geoNoStore|geoSearch) == 0:
			opt.store = argv[i+1]
			opt.storeDist = len(arg) == len("storedist")
			i++
		case equalFold(arg, "storedist") && flags&geoSearchStore != 0:
			opt.storeDist = true
		case equalFold(arg, "frommember") && left >= 1 && search && !fromLonLat:
			if z != nil {
				lon, lat, found := geoMemberPos(z, argv[i+1])
				if !found {
					c.Error(rerr.GeoMemberUnknown)
					return
				}
				shape.Lon, shape.Lat = lon, lat
			}
			fromMember = true
			i++
		case equalFold(arg, "fromlonlat") && left >= 2 && search && !fromMember:
			lon, lat, ok := geoParseLonLat(c, argv[i+1:])
			if !ok {
				return
			}
			shape.Lon, shape.Lat = lon, lat
			fromLonLat = true
			i += 2
		case equalFold(arg, "byradius") && left >= 2 && search && !byBox:
			if !geoParseRadius(c, argv[i+1:], &shape) {
				return
			}
			byRadius = true
			i += 2
		case equalFold(arg, "bybox") && left >= 3 && search && !byRadius:
			if !geoParseBox(c, argv[i+1:], &shape) {
				return
			}
			byBox = true
			i += 3
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	if opt.store != nil && (opt.withDist || opt.withHash || opt.withCoord) {
		if flags&geoSearchStore != 0 {
			c.Error(rerr.GeoSearchStoreWith)
		} else {
			c.Error(rerr.GeoStoreWith)
		}
		return
	}
	if search && !fromMember && !fromLonLat {
		c.Error(rerr.GeoNeedFrom(string(argv[0])))
		return
	}
	if search && !byRadius && !byBox {
		c.Error(rerr.GeoNeedBy(string(argv[0])))
		return
	}
	if opt.any && opt.count == 0 {
		c.Error(rerr.GeoAnyNeedsCount)
		return
	}
	if z == nil {
		if opt.store != nil {
			geoDeleteDst(c, opt.store)
			c.Int(0)
		} else {
			c.Array(0)
		}
		return
	}
	if opt.count != 0 && opt.sort == geoSortNone && !opt.any {
		opt.sort = geoSortAsc
	}
	limit := 0
	if opt.any {
		limit = int(min(opt.count, math.MaxInt32))
	}
	points := geoCollect(z, &shape, limit)
	if len(points) == 0 && opt.store == nil {
		c.Array(0)
		return
	}
	returned := len(points)
	if opt.count != 0 && int64(returned) > opt.count {
		returned = int(opt.count)
	}
	if opt.sort != geoSortNone {
		cmp := geoCompareAsc
		if opt.sort == geoSortDesc {
			cmp = geoCompareDesc
		}
		if returned == len(points) {
			slices.SortStableFunc(points, func(a, b geoPoint) int { return cmp(&a, &b) })
		} else {
			sortPartial(points, cmp, 0, returned-1)
		}
	}
	points = points[:returned]
	for i := range points {
		points[i].dist /= shape.Conversion
	}
	if opt.store != nil {
		geoStore(c, opt.store, points, opt.storeDist, search)
		return
	}
	geoReplyPoints(c, points, &opt)
}

// geoCollect returns the members of z inside shape, scanning the search
// cells in Redis's order and skipping a cell equal to the one scanned
// last; with limit > 0 it stops once limit matches were found.
func geoCollect(z *types.ZSet, shape *types.GeoShape, limit int) []geoPoint {
	cells := shape.SearchCells()
	var points []geoPoint
	last := 0
	for i, cell := range cells {
		if cell.IsZero() {
			continue
		}
		if last != 0 && cell == cells[last] {
			continue
		}
		if len(points) > 0 && limit > 0 && len(points) >= limit {
			break
		}
		min, max := cell.ScoreRange()
		r := types.ZScoreRange{Min: min, Max: max, MaxEx: true}
		z.RangeByScore(r, false, 0, -1, func(m []byte, s float64) bool {
			lon, lat := types.GeoDecode(s)
			if dist, in := shape.Contains(lon, lat); in {
				points = append(points, geoPoint{lon: lon, lat: lat, dist: dist, score: s, member: append([]byte(nil), m...)})
			}
			return !(len(points) > 0 && limit > 0 && len(points) >= limit)
		})
		last = i
	}
	return points
}

// geoCompareAsc orders points by distance (sort_gp_asc).
func geoCompareAsc(a, b *geoPoint) int {
	switch {
	case a.dist > b.dist:
		return 1
	case a.dist == b.dist:
		return 0
	}
	return -1
}

// geoCompareDesc is geoCompareAsc reversed.
func geoCompareDesc(a, b *geoPoint) int { return -geoCompareAsc(a, b) }

// geoReplyPoints writes the matches with the options asked for.
func geoReplyPoints(c *Client, points []geoPoint, opt *geoSearchOptions) {
	extra := 0
	for _, on := range []bool{opt.withDist, opt.withHash, opt.withCoord} {
		if on {
			extra++
		}
	}
	c.Array(len(points))
	for i := range points {
		p := &points[i]
		if extra > 0 {
			c.Array(extra + 1)
		}
		c.Bulk(p.member)
		if opt.withDist {
			geoReplyDistance(c, p.dist)
		}
		if opt.withHash {
			c.Int(int64(p.score))
		}
		if opt.withCoord {
			c.Array(2)
			geoReplyCoord(c, p.lon)
			geoReplyCoord(c, p.lat)
		}
	}
}

// geoStore stores the matches at dst as a sorted set scored by geohash
// (or by distance with storeDist), replacing any value; no match deletes
// dst. It replies the number stored.
func geoStore(c *Client, dst []byte, points []geoPoint, storeDist, search bool) {
	if len(points) == 0 {
		geoDeleteDst(c, dst)
		c.Int(0)
		return
	}
	z := types.NewZSetSkiplist(len(points))
	lim := c.zsetLimits()
	for i := range points {
		s := points[i].score
		if storeDist {
			s = points[i].dist
		}
		z.Add(points[i].member, s, 0, lim)
	}
	z.Compact(lim)
	if e := lookupKey(c, c.DB, dst, true, true); e == nil {
		zsetCreate(c, dst, z)
	} else {
		e.Type = keyspace.TypeZSet
		e.Obj = z
		e.Str = nil
		e.Enc = 0
		c.DB.Persist(e)
	}
	c.Modified(dst, int64(len(points)))
	c.Int(int64(len(points)))
	event := "georadiusstore"
	if search {
		event = "geosearchstore"
	}
	c.Notify(NotifyZSet, event, dst)
}

// geoDeleteDst deletes the destination of an empty stored result.
func geoDeleteDst(c *Client, dst []byte) {
	if c.DB.Delete(dst) {
		c.Modified(dst, 1)
		c.Notify(NotifyGeneric, "del", dst)
	}
}
