// Package rerr holds every error reply Shoal sends, spelled byte for byte as
// Redis 7.0 spells it, pre-encoded as RESP error lines. Handlers never
// format error text inline. It imports nothing of ours.
//
// errors.go has the generic errors; errors_<area>.go files hold those of
// one command group.
package rerr
