package testutil

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BuildBinaries runs `go build -o dir/ ./cmd/...` from the module root,
// found by walking up from the working directory to go.mod. It is meant for
// TestMain, so that a package's tests build the binaries once. When ./cmd
// holds no main package yet, it builds nothing and returns nil; callers
// check for the binary they need. With SHOAL_RACE=1 in the environment the
// binaries are built with the race detector, and a race makes them exit at
// once (GORACE halt_on_error), so the process tests catch races in the
// server's goroutines.
func BuildBinaries(dir string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	args := []string{"build", "-o", abs + string(filepath.Separator)}
	if os.Getenv("SHOAL_RACE") == "1" {
		args = append(args, "-race")
		os.Setenv("GORACE", "halt_on_error=1 exitcode=66")
	}
	cmd := exec.Command("go", append(args, "./cmd/...")...)
	cmd.Dir = root
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		if bytes.Contains(out.Bytes(), []byte("no main packages to build")) {
			return nil
		}
		return fmt.Errorf("go build ./cmd/...: %w\n%s", err, out.Bytes())
	}
	return nil
}

// ModuleRoot returns the directory holding go.mod, searching upwards from
// the working directory.
func ModuleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("testutil: go.mod not found above the working directory")
		}
		dir = parent
	}
}
