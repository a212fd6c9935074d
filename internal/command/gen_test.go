package command

import (
	"bytes"
	"os"
	"reflect"
	"testing"
)

// TestTableGenUpToDate reruns the generator in memory and fails when
// table_gen.go differs from what specs/ produces.
func TestTableGenUpToDate(t *testing.T) {
	specs, err := LoadSpecs(os.DirFS("specs"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := GenerateTable(specs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("table_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("table_gen.go is stale: run go generate ./internal/command")
	}
	if !reflect.DeepEqual(specTable, specs) {
		t.Fatal("specTable literals do not decode to the specs they were generated from")
	}
}

func TestSpecTableShape(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range specTable {
		if seen[s.Name] {
			t.Errorf("duplicate spec %q", s.Name)
		}
		seen[s.Name] = true
		if s.Arity == 0 {
			t.Errorf("%s: arity 0", s.Name)
		}
		for _, c := range s.Subcommands {
			if c.Container != s.Name {
				t.Errorf("%s: container %q, want %q", c.Name, c.Container, s.Name)
			}
		}
	}
	for _, name := range []string{"get", "set", "config", "xadd", "sort", "migrate"} {
		if !seen[name] {
			t.Errorf("missing spec %q", name)
		}
	}
}
