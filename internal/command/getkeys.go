package command

import "errors"

// Errors of key extraction. They mirror the replies of COMMAND GETKEYS and
// COMMAND GETKEYSANDFLAGS; the caller turns them into reply errors:
//
//	ErrInvalidCommand   -ERR Invalid command specified
//	ErrNoKeyArguments   -ERR The command has no key arguments
//	ErrInvalidArgCount  -ERR Invalid number of arguments specified for command
//	ErrInvalidArguments -ERR Invalid arguments specified for command
var (
	ErrInvalidCommand   = errors.New("command: invalid command specified")
	ErrNoKeyArguments   = errors.New("command: the command has no key arguments")
	ErrInvalidArgCount  = errors.New("command: invalid number of arguments specified for command")
	ErrInvalidArguments = errors.New("command: invalid arguments specified for command")
)

// KeyRef is one key found in an argument vector: its index in argv and the
// key spec flags that describe how the command uses it.
type KeyRef struct {
	Pos   int
	Flags []string
}

// Key spec flags that change how keys are extracted.
const (
	keyFlagNotKey        = "not_key"
	keyFlagIncomplete    = "incomplete"
	keyFlagVariableFlags = "variable_flags"
)

// Flags the special extractors report, as Redis 7.0 reports them.
var (
	flagsROAccess       = []string{"RO", "access"}
	flagsOWUpdate       = []string{"OW", "update"}
	flagsRWAccessUpdate = []string{"RW", "access", "update"}
	flagsRWAccessDelete = []string{"RW", "access", "delete"}
	flagsNone           = []string{}
)

// HasKeys reports whether the command takes key arguments at all: whether
// one of its key specs names real keys (not_key specs, as SPUBLISH's
// channel, do not count).
func (s *Spec) HasKeys() bool {
	for i := range s.KeySpecs {
		if !hasFlag(s.KeySpecs[i].Flags, keyFlagNotKey) {
			return true
		}
	}
	return false
}

// CheckGetKeys runs the checks COMMAND GETKEYS makes, in its order, before
// it extracts keys from an argument vector of argc elements (command name
// included): ErrNoKeyArguments when the command has no keys,
// ErrInvalidArgCount when argc does not fit the arity.
func (s *Spec) CheckGetKeys(argc int) error {
	if !s.HasKeys() {
		return ErrNoKeyArguments
	}
	if (s.Arity > 0 && s.Arity != argc) || argc < -s.Arity {
		return ErrInvalidArgCount
	}
	return nil
}

// KeyPositions appends to dst[:0] the argv indexes of the keys of the
// command line argv (argv[0] is the command name), found as Redis 7.0 finds
// them: from the key specs, or, where the specs cannot say (SORT's STORE,
// MIGRATE's KEYS, SET's and BITFIELD's variable flags, malformed numkeys),
// with the command's own rules. It returns ErrInvalidArguments when no key
// is found although the command needs one, which is when COMMAND GETKEYS
// fails with "Invalid arguments"; a command without keys yields none and no
// error.
func (s *Spec) KeyPositions(argv [][]byte, dst []int) ([]int, error) {
	var ks keySink
	ks.pos = dst[:0]
	err := s.findKeys(argv, &ks)
	return ks.pos, err
}

// KeysAndFlags is KeyPositions with each key's flags, as COMMAND
// GETKEYSANDFLAGS reports them. The flag slices are shared and must not be
// modified.
func (s *Spec) KeysAndFlags(argv [][]byte, dst []KeyRef) ([]KeyRef, error) {
	ks := keySink{refs: dst[:0], withFlags: true}
	err := s.findKeys(argv, &ks)
	return ks.refs, err
}

// keySink collects keys either as bare positions or with flags.
type keySink struct {
	pos       []int
	refs      []KeyRef
	withFlags bool
}

func (k *keySink) add(pos int, flags []string) {
	if k.withFlags {
		k.refs = append(k.refs, KeyRef{Pos: pos, Flags: flags})
	} else {
		k.pos = append(k.pos, pos)
	}
}

func (k *keySink) len() int {
	if k.withFlags {
		return len(k.refs)
	}
	return len(k.pos)
}

func (k *keySink) reset() {
	k.pos = k.pos[:0]
	k.refs = k.refs[:0]
}

func (s *Spec) findKeys(argv [][]byte, ks *keySink) error {
	if !s.HasKeys() {
		return nil
	}
	variable := false
	for i := range s.KeySpecs {
		if hasFlag(s.KeySpecs[i].Flags, keyFlagVariableFlags) {
			variable = true
		}
	}
	// Specs whose flags depend on the arguments defer to the command's
	// own rules, like commands whose specs cannot locate every key.
	if variable || !s.keysFromSpecs(argv, ks) {
		ks.reset()
		s.keysByRule(argv, ks)
	}
	if ks.len() == 0 && !hasFlag(s.Flags, "no_mandatory_keys") {
		return ErrInvalidArguments
	}
	return nil
}

// keysFromSpecs walks the key specs in order. It reports false when a spec
// cannot be applied to argv: an unknown begin_search or find_keys, a bad
// numkeys, positions outside argv, or an incomplete spec that matched.
func (s *Spec) keysFromSpecs(argv [][]byte, ks *keySink) bool {
	argc := len(argv)
	for i := range s.KeySpecs {
		spec := &s.KeySpecs[i]
		if hasFlag(spec.Flags, keyFlagNotKey) {
			continue
		}
		first := 0
		switch spec.BeginSearch.Type {
		case "index":
			first = spec.BeginSearch.Index
		case "keyword":
			first = findKeyword(argv, spec.BeginSearch.Keyword, spec.BeginSearch.StartFrom)
			if first == 0 {
				continue
			}
		default:
			return false
		}
		var last, step int
		fk := &spec.FindKeys
		switch fk.Type {
		case "range":
			step = fk.KeyStep
			switch {
			case fk.LastKey >= 0:
				last = first + fk.LastKey
			case fk.Limit == 0:
				last = argc + fk.LastKey
			default:
				last = first + (argc-first)/fk.Limit + fk.LastKey
			}
		case "keynum":
			step = fk.KeyStep
			if fk.KeyNumIdx >= argc-first {
				return false
			}
			n, ok := parseStrictInt(argv[first+fk.KeyNumIdx])
			if !ok || n < 0 || n > int64(argc) {
				return false
			}
			first += fk.FirstKey
			last = first + int(n) - 1
		default:
			return false
		}
		if last >= argc || last < first || first >= argc || step <= 0 {
			return false
		}
		for p := first; p <= last; p += step {
			ks.add(p, spec.Flags)
		}
		if hasFlag(spec.Flags, keyFlagIncomplete) {
			return false
		}
	}
	return true
}

// findKeyword returns the index just past keyword in argv, searching from
// startfrom towards the end, or, when startfrom is negative, from
// len(argv)+startfrom towards the start. The last argument and argv[0] are
// never matched. It returns 0 when the keyword is absent.
func findKeyword(argv [][]byte, keyword string, startfrom int) int {
	argc := len(argv)
	if startfrom > 0 {
		for i := startfrom; i < argc-1; i++ {
			if equalFold(argv[i], keyword) {
				return i + 1
			}
		}
		return 0
	}
	for i := argc + startfrom; i >= 1; i-- {
		if i < argc && equalFold(argv[i], keyword) {
			return i + 1
		}
	}
	return 0
}

// keysByRule finds keys with the command's own rules, for the commands whose
// key specs are not enough; Redis 7.0 keeps a getkeys procedure for each.
func (s *Spec) keysByRule(argv [][]byte, ks *keySink) {
	switch s.Name {
	case "set":
		flags := flagsOWUpdate
		for _, a := range argv[3:] {
			if equalFold(a, "get") {
				flags = flagsRWAccessUpdate
				break
			}
		}
		ks.add(1, flags)
	case "bitfield":
		flags := flagsROAccess
		if !bitfieldReadOnly(argv) {
			flags = flagsRWAccessUpdate
		}
		ks.add(1, flags)
	case "sort", "sort_ro":
		ks.add(1, flagsROAccess)
		if s.Name == "sort" {
			if p := sortStorePos(argv); p > 0 {
				ks.add(p, flagsOWUpdate)
			}
		}
	case "migrate":
		migrateKeys(argv, ks)
	default:
		s.keynumKeys(argv, ks)
	}
}

// bitfieldReadOnly reports whether every BITFIELD operation is a complete
// GET (OVERFLOW is allowed); anything else, a syntax error included, counts
// as a write.
func bitfieldReadOnly(argv [][]byte) bool {
	for i := 2; i < len(argv); i++ {
		rem := len(argv) - i - 1
		switch {
		case equalFold(argv[i], "get") && rem >= 2:
			i += 2
		case equalFold(argv[i], "overflow") && rem >= 1:
			i++
		default:
			return false
		}
	}
	return true
}

// sortStorePos returns the index of SORT's STORE destination, skipping the
// operands of LIMIT, GET and BY; the last STORE wins, as SORT itself reads
// the arguments. It returns 0 when there is none.
func sortStorePos(argv [][]byte) int {
	pos := 0
	for i := 2; i < len(argv); i++ {
		switch {
		case equalFold(argv[i], "limit"):
			i += 2
		case equalFold(argv[i], "get"), equalFold(argv[i], "by"):
			i++
		case equalFold(argv[i], "store") && i+1 < len(argv):
			pos = i + 1
		}
	}
	return pos
}

// migrateKeys finds MIGRATE's keys: argv[3], or, when a KEYS option
// follows the fixed arguments and argv[3] is empty, everything after KEYS.
func migrateKeys(argv [][]byte, ks *keySink) {
	first, num := 3, 1
	for i := 6; i < len(argv); i++ {
		a := argv[i]
		if equalFold(a, "keys") {
			if len(argv[3]) > 0 {
				return
			}
			first, num = i+1, len(argv)-i-1
			break
		}
		switch {
		case equalFold(a, "auth"):
			i++
		case equalFold(a, "auth2"):
			i += 2
		}
	}
	for p := first; p < first+num; p++ {
		ks.add(p, flagsRWAccessDelete)
	}
}

// keynumKeys is the fallback of commands with a numkeys argument (EVAL,
// ZUNIONSTORE, LMPOP...) when the strict spec walk rejected it: numkeys is
// read leniently, C atoi style, must be in 1..remaining arguments, and the
// counted keys come before any fixed key, all without flags.
func (s *Spec) keynumKeys(argv [][]byte, ks *keySink) {
	var kn *KeySpec
	for i := range s.KeySpecs {
		if s.KeySpecs[i].FindKeys.Type == "keynum" && s.KeySpecs[i].BeginSearch.Type == "index" {
			kn = &s.KeySpecs[i]
			break
		}
	}
	if kn == nil {
		return
	}
	idx := kn.BeginSearch.Index + kn.FindKeys.KeyNumIdx
	first := kn.BeginSearch.Index + kn.FindKeys.FirstKey
	if idx >= len(argv) {
		return
	}
	n := atoi(argv[idx])
	if n < 1 || n > int64(len(argv)-first) {
		return
	}
	for p := first; p < first+int(n); p++ {
		ks.add(p, flagsNone)
	}
	for i := range s.KeySpecs {
		spec := &s.KeySpecs[i]
		if spec == kn || spec.BeginSearch.Type != "index" || spec.FindKeys.Type != "range" || spec.FindKeys.LastKey != 0 {
			continue
		}
		if p := spec.BeginSearch.Index; p < len(argv) {
			ks.add(p, flagsNone)
		}
	}
}

// parseStrictInt parses a decimal integer the way Redis's string2ll does:
// an optional minus sign, no plus sign, no spaces, no leading zeros.
func parseStrictInt(b []byte) (int64, bool) {
	neg := len(b) > 0 && b[0] == '-'
	if neg {
		b = b[1:]
	}
	if len(b) == 0 || len(b) > 18 || (b[0] == '0' && (len(b) > 1 || neg)) {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		return -n, true
	}
	return n, true
}

// atoi reads a leading decimal integer like C's atoi: spaces and a sign
// first, digits until the first non-digit, 0 when there are none.
func atoi(b []byte) int64 {
	i := 0
	for i < len(b) && (b[i] == ' ' || (b[i] >= '\t' && b[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(b) && (b[i] == '+' || b[i] == '-') {
		neg = b[i] == '-'
		i++
	}
	var n int64
	for ; i < len(b) && b[i] >= '0' && b[i] <= '9'; i++ {
		if n > 1<<40 {
			break
		}
		n = n*10 + int64(b[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// equalFold compares an argument with a keyword, ignoring ASCII case, as
// strcasecmp does.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i, c := range b {
		if lower(c) != lower(s[i]) {
			return false
		}
	}
	return true
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}
