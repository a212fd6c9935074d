// Package glob owns Redis's glob-style pattern matching (stringmatchlen in
// Redis 7.0), used by KEYS, SCAN MATCH, PSUBSCRIBE, CONFIG GET and ACL
// patterns.
//
// It imports only the standard library and nothing of ours.
package glob
