// Package testutil is the shared test infrastructure: free ports, building
// the binaries once per test binary, starting and stopping server processes
// (redis-server as the oracle, shoal-server as the subject), polling with
// WaitFor instead of sleeping, and a raw RESP connection that returns the
// exact bytes of each reply.
//
// It is imported only by _test.go files. It must not import any other shoal
// package: in particular it carries its own minimal RESP frame scanner so
// that a bug in internal/resp cannot hide itself in the tests.
package testutil
