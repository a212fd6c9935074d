// Package compat runs differential tests: the same commands go to a real
// redis-server 7.0 and to shoal-server, and the reply bytes must be equal.
// It holds test files only; see README.md for the script format.
package compat

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"shoal/internal/testutil"
)

// shoalBinEnv names the environment variable that replaces shoal-server by
// another binary taking redis-server's command line. Setting it to
// redis-server checks the harness itself, redis against redis.
const shoalBinEnv = "COMPAT_SHOAL_BIN"

// shoalBin is the binary run as the shoal side; binErr says why there is
// none.
var (
	shoalBin string
	binErr   error
)

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	if bin := os.Getenv(shoalBinEnv); bin != "" {
		shoalBin, binErr = exec.LookPath(bin)
		return m.Run()
	}
	dir, err := os.MkdirTemp("", "shoal-compat-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	if _, err := exec.LookPath("redis-server"); err == nil {
		if err := testutil.BuildBinaries(dir); err != nil {
			fmt.Fprintln(os.Stderr, "compat:", err)
			return 1
		}
	}
	shoalBin = filepath.Join(dir, "shoal-server")
	if _, err := os.Stat(shoalBin); err != nil {
		binErr = fmt.Errorf("shoal-server not built (./cmd/shoal-server has no main package yet?): %w", err)
	}
	return m.Run()
}

// pair is one redis-server and one shoal-server under the same test.
type pair struct {
	redis, shoal string // addresses
}

// startPair starts both servers, skipping the test when either binary is
// missing.
func startPair(t *testing.T) pair {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	if binErr != nil {
		t.Skip(binErr)
	}
	raddr, ok := testutil.StartRedis(t)
	if !ok {
		t.Skip("redis-server not on PATH")
	}
	return pair{redis: raddr, shoal: testutil.StartShoal(t, shoalBin)}
}
