// Command gen maintains Shoal's declarative command table.
//
// With -dump HOST:PORT it asks a running redis-server 7.0 for COMMAND INFO
// and COMMAND DOCS and writes one JSON spec per top-level command into the
// -out directory; subcommands are nested in their container's file. Module
// commands are skipped.
//
// Without -dump it reads the specs directory and writes table_gen.go, the Go
// form of the same table. `go generate ./internal/command` runs this mode.
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"shoal/internal/command"
)

func main() {
	dump := flag.String("dump", "", "HOST:PORT of a redis-server 7.0 to read COMMAND INFO and COMMAND DOCS from")
	specsDir := flag.String("specs", "specs", "directory of JSON specs to read (generate mode)")
	out := flag.String("out", "", "output: the specs directory with -dump, else the Go file (default table_gen.go)")
	flag.Parse()

	var err error
	if *dump != "" {
		dir := *out
		if dir == "" {
			dir = "specs"
		}
		err = runDump(*dump, dir)
	} else {
		file := *out
		if file == "" {
			file = "table_gen.go"
		}
		err = runGenerate(*specsDir, file)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func runGenerate(specsDir, file string) error {
	specs, err := command.LoadSpecs(os.DirFS(specsDir))
	if err != nil {
		return err
	}
	src, err := command.GenerateTable(specs)
	if err != nil {
		return err
	}
	return os.WriteFile(file, src, 0o644)
}

func runDump(addr, dir string) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(30 * time.Second)); err != nil {
		return err
	}
	c := &client{w: conn, r: bufio.NewReader(conn)}
	if _, err := c.do("HELLO", "3"); err != nil {
		return err
	}
	info, err := c.do("COMMAND", "INFO")
	if err != nil {
		return err
	}
	docs, err := c.do("COMMAND", "DOCS")
	if err != nil {
		return err
	}
	specs, err := buildSpecs(info, docs)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, s := range specs {
		b, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			return err
		}
		b = append(b, '\n')
		if err := os.WriteFile(filepath.Join(dir, s.Name+".json"), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "gen: wrote %d specs to %s\n", len(specs), dir)
	return nil
}

// buildSpecs joins the COMMAND INFO array and the COMMAND DOCS map into
// sorted top-level specs.
func buildSpecs(info, docs *value) ([]*command.Spec, error) {
	if info.kind != '*' {
		return nil, fmt.Errorf("COMMAND INFO: unexpected reply type %q", info.kind)
	}
	docMap, err := docs.asMap()
	if err != nil {
		return nil, fmt.Errorf("COMMAND DOCS: %w", err)
	}
	var specs []*command.Spec
	for _, e := range info.elems {
		d, ok := docMap[strings.ToLower(e.elem(0).str)]
		if ok {
			if dm, err := d.asMap(); err == nil {
				if _, isModule := dm["module"]; isModule {
					continue
				}
			}
		}
		s, err := infoSpec(e, "", d)
		if err != nil {
			return nil, err
		}
		specs = append(specs, s)
	}
	sort.Slice(specs, func(i, j int) bool { return specs[i].Name < specs[j].Name })
	return specs, nil
}

// infoSpec converts one COMMAND INFO entry and its COMMAND DOCS map (nil
// when absent) into a Spec.
func infoSpec(e *value, container string, doc *value) (*command.Spec, error) {
	if e.kind != '*' || len(e.elems) != 10 {
		return nil, errors.New("COMMAND INFO entry is not a 10-element array")
	}
	s := &command.Spec{
		Name:          strings.ToLower(e.elems[0].str),
		Container:     container,
		Arity:         int(e.elems[1].num),
		Flags:         e.elems[2].strings(),
		FirstKey:      int(e.elems[3].num),
		LastKey:       int(e.elems[4].num),
		Step:          int(e.elems[5].num),
		ACLCategories: e.elems[6].strings(),
		Tips:          e.elems[7].strings(),
	}
	for _, ks := range e.elems[8].elems {
		k, err := keySpec(ks)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		s.KeySpecs = append(s.KeySpecs, k)
	}
	var subDocs map[string]*value
	if doc != nil {
		d, sd, err := docsOf(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Name, err)
		}
		s.Docs, subDocs = d, sd
	}
	for _, sub := range e.elems[9].elems {
		name := strings.ToLower(sub.elem(0).str)
		c, err := infoSpec(sub, s.Name, subDocs[name])
		if err != nil {
			return nil, err
		}
		s.Subcommands = append(s.Subcommands, c)
	}
	sort.Slice(s.Subcommands, func(i, j int) bool { return s.Subcommands[i].Name < s.Subcommands[j].Name })
	return s, nil
}

func keySpec(v *value) (command.KeySpec, error) {
	var k command.KeySpec
	m, err := v.asMap()
	if err != nil {
		return k, err
	}
	for name, f := range m {
		switch name {
		case "notes":
			k.Notes = f.str
		case "flags":
			k.Flags = f.strings()
		case "begin_search":
			typ, spec, err := typedSpec(f)
			if err != nil {
				return k, err
			}
			k.BeginSearch.Type = typ
			for sn, sv := range spec {
				switch sn {
				case "index":
					k.BeginSearch.Index = int(sv.num)
				case "keyword":
					k.BeginSearch.Keyword = sv.str
				case "startfrom":
					k.BeginSearch.StartFrom = int(sv.num)
				default:
					return k, fmt.Errorf("unknown begin_search field %q", sn)
				}
			}
		case "find_keys":
			typ, spec, err := typedSpec(f)
			if err != nil {
				return k, err
			}
			k.FindKeys.Type = typ
			for sn, sv := range spec {
				switch sn {
				case "lastkey":
					k.FindKeys.LastKey = int(sv.num)
				case "keystep":
					k.FindKeys.KeyStep = int(sv.num)
				case "limit":
					k.FindKeys.Limit = int(sv.num)
				case "keynumidx":
					k.FindKeys.KeyNumIdx = int(sv.num)
				case "firstkey":
					k.FindKeys.FirstKey = int(sv.num)
				default:
					return k, fmt.Errorf("unknown find_keys field %q", sn)
				}
			}
		default:
			return k, fmt.Errorf("unknown key spec field %q", name)
		}
	}
	return k, nil
}

func typedSpec(v *value) (string, map[string]*value, error) {
	m, err := v.asMap()
	if err != nil {
		return "", nil, err
	}
	spec := map[string]*value{}
	if s, ok := m["spec"]; ok {
		if spec, err = s.asMap(); err != nil {
			return "", nil, err
		}
	}
	return m["type"].text(), spec, nil
}

// docsOf converts one COMMAND DOCS map; it also returns the docs of the
// subcommands keyed by full name.
func docsOf(v *value) (command.Docs, map[string]*value, error) {
	var d command.Docs
	m, err := v.asMap()
	if err != nil {
		return d, nil, err
	}
	var subs map[string]*value
	for name, f := range m {
		switch name {
		case "summary":
			d.Summary = f.str
		case "since":
			d.Since = f.str
		case "group":
			d.Group = f.str
		case "complexity":
			d.Complexity = f.str
		case "doc_flags":
			d.DocFlags = f.strings()
		case "deprecated_since":
			d.DeprecatedSince = f.str
		case "replaced_by":
			d.ReplacedBy = f.str
		case "history":
			for _, h := range f.elems {
				d.History = append(d.History, [2]string{h.elem(0).str, h.elem(1).str})
			}
		case "arguments":
			if d.Arguments, err = args(f); err != nil {
				return d, nil, err
			}
		case "subcommands":
			if subs, err = f.asMap(); err != nil {
				return d, nil, err
			}
			low := make(map[string]*value, len(subs))
			for k, sv := range subs {
				low[strings.ToLower(k)] = sv
			}
			subs = low
		default:
			return d, nil, fmt.Errorf("unknown docs field %q", name)
		}
	}
	return d, subs, nil
}

func args(v *value) ([]command.Arg, error) {
	out := make([]command.Arg, 0, len(v.elems))
	for _, e := range v.elems {
		m, err := e.asMap()
		if err != nil {
			return nil, err
		}
		a := command.Arg{KeySpecIndex: -1}
		for name, f := range m {
			switch name {
			case "name":
				a.Name = f.str
			case "type":
				a.Type = f.str
			case "display_text":
				a.DisplayText = f.str
			case "key_spec_index":
				a.KeySpecIndex = int(f.num)
			case "token":
				a.Token = f.str
				a.EmptyToken = f.str == ""
			case "summary":
				a.Summary = f.str
			case "since":
				a.Since = f.str
			case "deprecated_since":
				a.DeprecatedSince = f.str
			case "flags":
				a.Flags = f.strings()
			case "value":
				a.Value = f.str
			case "arguments":
				if a.Arguments, err = args(f); err != nil {
					return nil, err
				}
			default:
				return nil, fmt.Errorf("unknown argument field %q", name)
			}
		}
		out = append(out, a)
	}
	return out, nil
}

// value is one decoded RESP3 reply.
type value struct {
	kind  byte // the RESP type byte
	str   string
	num   int64
	elems []*value // aggregate elements; a map holds key, value, key, value...
}

func (v *value) elem(i int) *value {
	if v == nil || i >= len(v.elems) {
		return &value{}
	}
	return v.elems[i]
}

func (v *value) text() string {
	if v == nil {
		return ""
	}
	return v.str
}

func (v *value) strings() []string {
	if len(v.elems) == 0 {
		return nil
	}
	out := make([]string, len(v.elems))
	for i, e := range v.elems {
		out[i] = e.str
	}
	return out
}

func (v *value) asMap() (map[string]*value, error) {
	if v == nil || v.kind != '%' {
		return nil, errors.New("expected a map reply")
	}
	m := make(map[string]*value, len(v.elems)/2)
	for i := 0; i+1 < len(v.elems); i += 2 {
		m[v.elems[i].str] = v.elems[i+1]
	}
	return m, nil
}

// client is the minimal RESP3 client the dump needs.
type client struct {
	w io.Writer
	r *bufio.Reader
}

func (c *client) do(args ...string) (*value, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.w.Write(b.Bytes()); err != nil {
		return nil, err
	}
	v, err := c.read()
	if err != nil {
		return nil, err
	}
	if v.kind == '-' {
		return nil, fmt.Errorf("%s: %s", strings.Join(args, " "), v.str)
	}
	return v, nil
}

func (c *client) line() (string, error) {
	l, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	if len(l) < 3 || l[len(l)-2] != '\r' {
		return "", fmt.Errorf("malformed reply line %q", l)
	}
	return l[:len(l)-2], nil
}

func (c *client) read() (*value, error) {
	l, err := c.line()
	if err != nil {
		return nil, err
	}
	v := &value{kind: l[0]}
	body := l[1:]
	switch v.kind {
	case '+', '-':
		v.str = body
	case ':':
		v.num, err = strconv.ParseInt(body, 10, 64)
	case '_':
	case '$', '=':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return v, nil
		}
		buf := make([]byte, n+2)
		if _, err := io.ReadFull(c.r, buf); err != nil {
			return nil, err
		}
		v.str = string(buf[:n])
	case '*', '~', '>', '%':
		n, err := strconv.Atoi(body)
		if err != nil {
			return nil, err
		}
		if v.kind == '%' {
			n *= 2
		}
		for i := 0; i < n; i++ {
			e, err := c.read()
			if err != nil {
				return nil, err
			}
			v.elems = append(v.elems, e)
		}
	default:
		return nil, fmt.Errorf("unsupported reply type %q", v.kind)
	}
	return v, err
}
