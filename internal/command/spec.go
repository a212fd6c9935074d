package command

// Spec declares one command (or one subcommand) the way Redis 7.0's
// COMMAND INFO and COMMAND DOCS describe it. Every spec lives as a JSON file
// under specs/; `go generate` turns them into table_gen.go.
type Spec struct {
	Name          string    `json:"name"`                // lower case; subcommands are "config|get"
	Container     string    `json:"container,omitempty"` // parent command of a subcommand
	Arity         int       `json:"arity"`
	Flags         []string  `json:"flags,omitempty"`          // COMMAND INFO flags: "write", "readonly", "denyoom", ...
	ACLCategories []string  `json:"acl_categories,omitempty"` // "@write", "@string", ...
	FirstKey      int       `json:"first_key"`
	LastKey       int       `json:"last_key"`
	Step          int       `json:"step"`
	Tips          []string  `json:"tips,omitempty"`
	KeySpecs      []KeySpec `json:"key_specs,omitempty"`
	Docs          Docs      `json:"docs"`
	Subcommands   []*Spec   `json:"subcommands,omitempty"`
}

// KeySpec is one Redis 7 key specification: where to start looking for keys
// (BeginSearch) and how to find them from there (FindKeys).
type KeySpec struct {
	Notes       string      `json:"notes,omitempty"`
	Flags       []string    `json:"flags,omitempty"`
	BeginSearch BeginSearch `json:"begin_search"`
	FindKeys    FindKeys    `json:"find_keys"`
}

// BeginSearch is the "begin_search" part of a key spec.
type BeginSearch struct {
	Type      string `json:"type"` // "index", "keyword" or "unknown"
	Index     int    `json:"index,omitempty"`
	Keyword   string `json:"keyword,omitempty"`
	StartFrom int    `json:"startfrom,omitempty"`
}

// FindKeys is the "find_keys" part of a key spec.
type FindKeys struct {
	Type      string `json:"type"` // "range", "keynum" or "unknown"
	LastKey   int    `json:"lastkey,omitempty"`
	KeyStep   int    `json:"keystep,omitempty"`
	Limit     int    `json:"limit,omitempty"`
	KeyNumIdx int    `json:"keynumidx,omitempty"`
	FirstKey  int    `json:"firstkey,omitempty"`
}

// Docs is what COMMAND DOCS returns for a command.
type Docs struct {
	Summary         string      `json:"summary,omitempty"`
	Since           string      `json:"since,omitempty"`
	Group           string      `json:"group,omitempty"`
	Complexity      string      `json:"complexity,omitempty"`
	DocFlags        []string    `json:"doc_flags,omitempty"`
	DeprecatedSince string      `json:"deprecated_since,omitempty"`
	ReplacedBy      string      `json:"replaced_by,omitempty"`
	History         [][2]string `json:"history,omitempty"`
	Arguments       []Arg       `json:"arguments,omitempty"`
}

// Arg is one argument in COMMAND DOCS.
type Arg struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	DisplayText  string `json:"display_text,omitempty"`
	KeySpecIndex int    `json:"key_spec_index"` // -1 when absent
	Token        string `json:"token,omitempty"`
	// EmptyToken marks a token that is the empty string (MIGRATE's
	// empty_string argument), which an empty Token cannot tell from none.
	EmptyToken      bool     `json:"empty_token,omitempty"`
	Summary         string   `json:"summary,omitempty"`
	Since           string   `json:"since,omitempty"`
	DeprecatedSince string   `json:"deprecated_since,omitempty"`
	Flags           []string `json:"flags,omitempty"` // "optional", "multiple", "multiple_token"
	Value           string   `json:"value,omitempty"`
	Arguments       []Arg    `json:"arguments,omitempty"`
}
