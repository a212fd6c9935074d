package lint

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
)

// rule is one package's row. Paths are relative to the module; a pattern
// ending in "/..." also matches every package below it.
type rule struct {
	pkg string
	// layer orders the packages: an import of ours must point to a lower
	// layer (only a package's own external tests import it at its level).
	layer int
	// only, when not nil, is every package of ours the non-test files may
	// import (what the package's doc.go promises).
	only []string
	// noStd lists standard packages the non-test files must not import,
	// and allowStd the exceptions to them, each with its reason.
	noStd    []string
	allowStd map[string]string
	// noClock: no call of the wall clock or a timer (time.Now, Since,
	// Until, Sleep, After, AfterFunc, Tick, NewTicker, NewTimer) outside
	// tests; now is passed in.
	noClock bool
	// noGlobalRand: math/rand only to build or name an injected source,
	// never its global functions.
	noGlobalRand bool
	// importers, when not nil, are the only packages that may import this
	// one; "test" stands for any _test.go file.
	importers []string
	why       string
}

// Sockets, files and processes.
var noIO = []string{"net/...", "os/...", "syscall", "golang.org/x/sys/..."}

// rules is the layer table, derived from the tree and its doc.go files.
// Layer 0 are the codecs at the bottom; server and the mains are the top.
// The cli packages are a separate stack that shares only the codecs.
var rules = []rule{
	{pkg: "internal/rerr", layer: 0, only: []string{}, why: "every error reply, pre-encoded"},
	{pkg: "internal/glob", layer: 0, only: []string{}, why: "Redis glob matching"},
	{pkg: "internal/hdr", layer: 0, only: []string{}, why: "the HdrHistogram subset"},
	{pkg: "internal/encoding", layer: 0, only: []string{}, why: "pure byte codecs"},
	{pkg: "internal/resp", layer: 0, only: []string{}, why: "RESP codec, at the bottom so that every package may use it"},
	{pkg: "internal/testutil", layer: 1, only: []string{"internal/resp"}, importers: []string{"test"},
		why: "test helpers; its own RESP reply scanner so a bug in internal/resp's parsers cannot hide in the tests (requests are encoded with resp's appender)"},
	{pkg: "internal/lint", layer: 0, only: []string{}, why: "these tests"},

	{pkg: "internal/cluster/bus", layer: 1, only: []string{"internal/encoding"}, noStd: noIO, noClock: true, noGlobalRand: true,
		why: "the bus codec: bytes in, messages out, never a socket"},

	{pkg: "internal/types", layer: 2, only: []string{"internal/encoding"}, noStd: noIO, noClock: true,
		why: "value types over the encodings; time is passed in"},
	{pkg: "internal/repl", layer: 2, only: []string{}, noStd: noIO,
		why: "PSYNC pieces (backlog, IDs, offsets); the server does the I/O"},
	{pkg: "internal/config", layer: 2, only: []string{"internal/resp", "internal/glob"},
		why: "redis.conf and CONFIG: quoting from resp, patterns from glob, nothing above"},
	{pkg: "internal/scripting", layer: 2, only: []string{"internal/resp", "internal/rerr"},
		why: "the Lua engine; redis.call goes back through a callback, never into server, command or keyspace"},
	{pkg: "internal/cluster", layer: 2, only: []string{"internal/cluster/bus"}, noStd: noIO, noClock: true, noGlobalRand: true,
		allowStd: map[string]string{"net/netip": "addresses as values (netip.Addr) for announced IPs: no sockets"},
		why:      "the cluster state machine: no sockets, no disk, no clock, randomness from Config.Rand"},

	{pkg: "internal/keyspace", layer: 3, only: []string{"internal/types", "internal/encoding"}, noStd: noIO, noClock: true,
		why: "databases, expiry, slot index; now is passed in by the dispatcher"},

	{pkg: "internal/persist/snapshot", layer: 4, only: []string{"internal/keyspace"}, noStd: noIO, noClock: true,
		why: "point-in-time images: no files, no clocks, no network"},
	{pkg: "internal/persist/rdb", layer: 5, only: []string{"internal/keyspace", "internal/types", "internal/encoding"},
		noStd: noIO, why: "RDB encodings; the server opens, writes and fsyncs the files"},
	{pkg: "internal/persist/aof", layer: 5, only: []string{"internal/keyspace", "internal/types", "internal/encoding", "internal/resp"},
		noStd: noIO, why: "AOF formats; the server does the file I/O"},

	{pkg: "internal/command", layer: 6, noStd: []string{"net/...", "syscall"},
		why: "the command table and handlers; sockets belong to the server"},
	{pkg: "internal/command/gen", layer: 7, only: []string{"internal/command"},
		why: "go generate's tool for the command table"},

	{pkg: "internal/server", layer: 8, importers: []string{"cmd/shoal-server"},
		why: "listeners, loops, dispatch and the drivers: the only code that wires sockets"},

	{pkg: "internal/cli/conn", layer: 1, only: []string{"internal/resp"}, importers: []string{"internal/cli/...", "cmd/shoal-cli"},
		why: "shoal-cli's connection"},
	{pkg: "internal/cli/format", layer: 1, only: []string{"internal/resp"}, importers: []string{"internal/cli/...", "cmd/shoal-cli"},
		why: "redis-cli's reply printer"},
	{pkg: "internal/cli/clustertool", layer: 2, only: []string{"internal/cli/...", "internal/resp", "internal/encoding"},
		importers: []string{"internal/cli/...", "cmd/shoal-cli"},
		why:       "--cluster admin tool: a client of the servers, CRC16 from the encodings, no server internals"},
	{pkg: "internal/cli/localcluster", layer: 3, only: []string{"internal/cli/..."}, importers: []string{"internal/cli/...", "cmd/shoal-cli"},
		why: "a local cluster of server processes, driven as a client"},
	{pkg: "internal/cli", layer: 4, only: []string{"internal/cli/...", "internal/resp", "internal/encoding"},
		importers: []string{"cmd/shoal-cli"}, why: "shoal-cli: a client, no server internals"},

	{pkg: "cmd/shoal-server", layer: 9, only: []string{"internal/server"}, why: "a thin main: one call"},
	{pkg: "cmd/shoal-cli", layer: 9, only: []string{"internal/cli"}, why: "a thin main: one call"},
}

func match(pattern, pkg string) bool {
	if base, ok := strings.CutSuffix(pattern, "/..."); ok {
		return pkg == base || strings.HasPrefix(pkg, base+"/")
	}
	return pkg == pattern
}

func matchAny(patterns []string, pkg string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return match(p, pkg) })
}

type srcFile struct {
	path string // relative to the root, for messages
	test bool
	f    *ast.File
}

// load parses every Go file under root/internal and root/cmd, whatever its
// build tags (a violation behind a tag is still one), by package directory.
// Packages whose rule asks for call checks are parsed whole, the rest up to
// their imports.
func load(root string, table map[string]*rule) (map[string][]srcFile, *token.FileSet, error) {
	fset := token.NewFileSet()
	pkgs := map[string][]srcFile{}
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if name == "testdata" || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
					return filepath.SkipDir
				}
				return nil
			}
			if !strings.HasSuffix(name, ".go") {
				return nil
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			pkg := filepath.ToSlash(filepath.Dir(rel))
			mode := parser.ImportsOnly
			if r := table[pkg]; r != nil && (r.noClock || r.noGlobalRand) {
				mode = 0
			}
			f, err := parser.ParseFile(fset, path, nil, mode|parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			pkgs[pkg] = append(pkgs[pkg], srcFile{path: rel, test: strings.HasSuffix(name, "_test.go"), f: f})
			return nil
		})
		if err != nil && !os.IsNotExist(err) {
			return nil, nil, err
		}
	}
	return pkgs, fset, nil
}

var clockFuncs = []string{"Now", "Since", "Until", "Sleep", "After", "AfterFunc", "Tick", "NewTicker", "NewTimer"}

// What an injected source needs from math/rand: constructors and types.
var randAllowed = []string{"New", "NewPCG", "NewChaCha8", "NewZipf", "NewSource", "Rand", "Source", "PCG", "ChaCha8", "Zipf"}

// check returns every violation of the table by the tree at root, whose
// go.mod names module.
func check(root, module string, table []rule) ([]string, error) {
	byPkg := map[string]*rule{}
	for i := range table {
		if byPkg[table[i].pkg] != nil {
			return nil, fmt.Errorf("two rows for %s", table[i].pkg)
		}
		byPkg[table[i].pkg] = &table[i]
	}
	pkgs, fset, err := load(root, byPkg)
	if err != nil {
		return nil, err
	}
	var out []string
	report := func(pos token.Pos, format string, args ...any) {
		p := fset.Position(pos)
		rel, _ := filepath.Rel(root, p.Filename)
		out = append(out, fmt.Sprintf("%s:%d: %s", filepath.ToSlash(rel), p.Line, fmt.Sprintf(format, args...)))
	}
	for pkg := range pkgs {
		if byPkg[pkg] == nil {
			out = append(out, fmt.Sprintf("%s: no row in the layer table of internal/lint: add one, with its layer and what it may import", pkg))
		}
	}
	for _, r := range table {
		if pkgs[r.pkg] == nil {
			out = append(out, fmt.Sprintf("%s: the layer table has a row for a package that does not exist", r.pkg))
		}
	}
	for pkg, files := range pkgs {
		r := byPkg[pkg]
		if r == nil {
			continue
		}
		for _, sf := range files {
			local := map[string]string{} // import path -> name in this file
			for _, spec := range sf.f.Imports {
				path, _ := strconv.Unquote(spec.Path.Value)
				name := path[strings.LastIndex(path, "/")+1:]
				if path == "math/rand/v2" {
					name = "rand"
				}
				if spec.Name != nil {
					name = spec.Name.Name
				}
				local[path] = name
				ours, isOurs := strings.CutPrefix(path, module+"/")
				if !isOurs {
					if sf.test || !matchAny(r.noStd, path) {
						continue
					}
					if _, ok := r.allowStd[path]; ok {
						continue
					}
					report(spec.Pos(), "%s imports %s: %s", pkg, path, r.why)
					continue
				}
				if ours == pkg {
					continue // an external test of its own package
				}
				dep := byPkg[ours]
				if dep == nil {
					report(spec.Pos(), "%s imports %s, which has no row in the layer table", pkg, ours)
					continue
				}
				if dep.importers != nil && !matchAny(dep.importers, pkg) && !(sf.test && slices.Contains(dep.importers, "test")) {
					report(spec.Pos(), "%s imports %s, which only %s may import (%s)", pkg, ours, strings.Join(dep.importers, ", "), dep.why)
				}
				if dep.layer >= r.layer {
					report(spec.Pos(), "%s (layer %d) imports %s (layer %d): imports point down", pkg, r.layer, ours, dep.layer)
				}
				if !sf.test && r.only != nil && !matchAny(r.only, ours) {
					allowed := "nothing of ours"
					if len(r.only) > 0 {
						allowed = "only " + strings.Join(r.only, ", ")
					}
					report(spec.Pos(), "%s imports %s, but it may import %s: %s", pkg, ours, allowed, r.why)
				}
			}
			if sf.test {
				continue
			}
			if r.noClock {
				if name, ok := local["time"]; ok {
					if name == "." {
						report(sf.f.Package, "%s dot-imports time, hiding clock calls", pkg)
					}
					forbidSelectors(sf.f, name, func(sel string) bool { return slices.Contains(clockFuncs, sel) },
						func(pos token.Pos, sel string) {
							report(pos, "%s calls time.%s: %s", pkg, sel, r.why)
						})
				}
			}
			if r.noGlobalRand {
				for _, p := range []string{"math/rand", "math/rand/v2"} {
					if name, ok := local[p]; ok {
						forbidSelectors(sf.f, name, func(sel string) bool { return !slices.Contains(randAllowed, sel) },
							func(pos token.Pos, sel string) {
								report(pos, "%s uses %s's global %s: %s", pkg, p, sel, r.why)
							})
					}
				}
			}
		}
	}
	sort.Strings(out)
	return out, nil
}

// forbidSelectors reports every pkgName.Sel in f for which bad(Sel) holds,
// called or taken as a value. A local variable named like the package
// would be reported too; none of the checked packages has one.
func forbidSelectors(f *ast.File, pkgName string, bad func(string) bool, report func(token.Pos, string)) {
	if pkgName == "_" || pkgName == "." {
		return
	}
	ast.Inspect(f, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok && id.Name == pkgName && bad(sel.Sel.Name) {
			report(sel.Pos(), sel.Sel.Name)
		}
		return true
	})
}

func moduleOf(t *testing.T, root string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if m, ok := strings.CutPrefix(strings.TrimSpace(line), "module "); ok {
			return strings.Trim(strings.TrimSpace(m), `"`)
		}
	}
	t.Fatal("go.mod names no module")
	return ""
}

// TestForbiddenImports holds the tree to the layer table.
func TestForbiddenImports(t *testing.T) {
	root := filepath.Join("..", "..")
	out, err := check(root, moduleOf(t, root), rules)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range out {
		t.Error(v)
	}
}

// TestCheckFindsViolations runs the checker on small made-up trees, one
// violation (or none) each, so that a rule that stopped biting is seen.
func TestCheckFindsViolations(t *testing.T) {
	table := []rule{
		{pkg: "internal/low", layer: 0, only: []string{}, why: "low"},
		{pkg: "internal/th", layer: 0, only: []string{}, importers: []string{"test"}, why: "test helper"},
		{pkg: "internal/pure", layer: 1, only: []string{"internal/low"}, noStd: noIO, noClock: true, noGlobalRand: true,
			allowStd: map[string]string{"net/netip": "values"}, why: "pure"},
		{pkg: "internal/mid", layer: 2, why: "mid"},
		{pkg: "internal/client", layer: 1, importers: []string{"cmd/c"}, why: "client"},
		{pkg: "cmd/c", layer: 3, only: []string{"internal/client"}, why: "main"},
	}
	base := map[string]string{
		"internal/low/a.go":       "package low\n",
		"internal/th/a.go":        "package th\n",
		"internal/pure/a.go":      "package pure\nimport (\n\t\"net/netip\"\n\t\"math/rand/v2\"\n\t\"m/internal/low\"\n)\nvar _ = netip.Addr{}\nvar _ = low.X\nvar r = rand.New(rand.NewPCG(1, 2))\n",
		"internal/pure/a_test.go": "package pure\nimport (\n\t\"os\"\n\t\"time\"\n\t\"m/internal/th\"\n)\nvar _ = os.Args\nvar _ = time.Now()\nvar _ = th.X\n",
		"internal/mid/a.go":       "package mid\nimport \"m/internal/pure\"\nvar _ = pure.X\n",
		"internal/client/a.go":    "package client\nimport \"m/internal/low\"\nvar _ = low.X\n",
		"cmd/c/main.go":           "package main\nimport \"m/internal/client\"\nfunc main() { client.Run() }\n",
	}
	cases := []struct {
		name string
		file string // added to the base tree
		src  string
		want string // substring of the one expected violation; "" for none
	}{
		{"clean", "", "", ""},
		{"points up", "internal/mid/b.go", "package mid\nimport \"m/cmd/c\"\n", "imports point down"},
		{"same layer", "internal/client/b.go", "package client\nimport \"m/internal/pure\"\n", "imports point down"},
		{"only list", "cmd/c/b.go", "package main\nimport \"m/internal/low\"\n", "may import only internal/client"},
		{"forbidden std", "internal/pure/b.go", "package pure\nimport \"os\"\n", "imports os"},
		{"forbidden std below a pattern", "internal/pure/b.go", "package pure\nimport \"net/http\"\n", "imports net/http"},
		{"clock", "internal/pure/b.go", "package pure\nimport \"time\"\nfunc f() { _ = time.Now() }\n", "calls time.Now"},
		{"clock under another name", "internal/pure/b.go", "package pure\nimport clock \"time\"\nvar now = clock.Since\n", "calls time.Since"},
		{"clock by dot import", "internal/pure/b.go", "package pure\nimport . \"time\"\nvar _ = Now()\n", "dot-imports time"},
		{"time without the clock", "internal/pure/b.go", "package pure\nimport \"time\"\nvar _ time.Duration = 3 * time.Millisecond\n", ""},
		{"global rand", "internal/pure/b.go", "package pure\nimport \"math/rand/v2\"\nvar _ = rand.IntN(3)\n", "global IntN"},
		{"importers", "internal/mid/b.go", "package mid\nimport \"m/internal/client\"\nvar _ = client.X\n", "which only cmd/c may import"},
		{"test helper outside a test", "internal/mid/b.go", "package mid\nimport \"m/internal/th\"\n", "which only test may import"},
		{"unknown package", "internal/new/a.go", "package new\n", "no row in the layer table"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			files := map[string]string{"go.mod": "module m\n"}
			for k, v := range base {
				files[k] = v
			}
			if c.file != "" && c.src != "" {
				files[c.file] = c.src
			}
			for name, src := range files {
				p := filepath.Join(root, filepath.FromSlash(name))
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			out, err := check(root, moduleOf(t, root), table)
			if err != nil {
				t.Fatal(err)
			}
			if c.want == "" {
				if len(out) != 0 {
					t.Fatalf("want no violation, got:\n%s", strings.Join(out, "\n"))
				}
				return
			}
			if len(out) != 1 || !strings.Contains(out[0], c.want) {
				t.Fatalf("want one violation containing %q, got:\n%s", c.want, strings.Join(out, "\n"))
			}
		})
	}
}
