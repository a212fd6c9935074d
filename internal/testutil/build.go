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
// check for the binary they need.
func BuildBinaries(dir string) error {
	root, err := ModuleRoot()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", abs+string(filepath.Separator), "./cmd/...")
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
