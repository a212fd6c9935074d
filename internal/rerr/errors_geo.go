package rerr

// Errors of the geospatial commands (geo.c).
var (
	GeoUnit            = []byte("-ERR unsupported unit provided. please use M, KM, FT, MI\r\n")
	GeoRadiusNotFloat  = []byte("-ERR need numeric radius\r\n")
	GeoRadiusNegative  = []byte("-ERR radius cannot be negative\r\n")
	GeoWidthNotFloat   = []byte("-ERR need numeric width\r\n")
	GeoHeightNotFloat  = []byte("-ERR need numeric height\r\n")
	GeoBoxNegative     = []byte("-ERR height or width cannot be negative\r\n")
	GeoMemberUnknown   = []byte("-ERR could not decode requested zset member\r\n")
	GeoCountPositive   = []byte("-ERR COUNT must be > 0\r\n")
	GeoAnyNeedsCount   = []byte("-ERR the ANY argument requires COUNT argument\r\n")
	GeoStoreWith       = []byte("-ERR STORE option in GEORADIUS is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n")
	GeoSearchStoreWith = []byte("-ERR GEOSEARCHSTORE is not compatible with WITHDIST, WITHHASH and WITHCOORD options\r\n")
)

// GeoInvalidPair is "invalid longitude,latitude pair lon,lat", the
// coordinates written as printf's "%f" (given here already formatted).
func GeoInvalidPair(lon, lat string) []byte {
	return Line("ERR invalid longitude,latitude pair " + lon + "," + lat)
}

// GeoNeedFrom is "exactly one of FROMMEMBER or FROMLONLAT can be specified
// for name".
func GeoNeedFrom(name string) []byte {
	return Line("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for " + name)
}

// GeoNeedBy is "exactly one of BYRADIUS and BYBOX can be specified for
// name".
func GeoNeedBy(name string) []byte {
	return Line("ERR exactly one of BYRADIUS and BYBOX can be specified for " + name)
}
