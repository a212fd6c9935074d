package command

import "shoal/internal/resp"

// AppendCommandInfo writes s as one entry of COMMAND and COMMAND INFO,
// shaped as Redis 7.0 shapes it: a 10-element array of name, arity, flags
// (a set of simple strings), first key, last key, step, ACL categories (a
// set of simple strings), tips (a set of bulk strings), key specs (a set of
// maps) and subcommands (an array of entries, or an empty set when there
// are none).
func AppendCommandInfo(w *resp.Writer, s *Spec) {
	w.Array(10)
	w.BulkString(s.Name)
	w.Int(int64(s.Arity))
	simpleSet(w, s.Flags)
	w.Int(int64(s.FirstKey))
	w.Int(int64(s.LastKey))
	w.Int(int64(s.Step))
	simpleSet(w, s.ACLCategories)
	w.Set(len(s.Tips))
	for _, t := range s.Tips {
		w.BulkString(t)
	}
	w.Set(len(s.KeySpecs))
	for i := range s.KeySpecs {
		appendKeySpec(w, &s.KeySpecs[i])
	}
	if len(s.Subcommands) == 0 {
		w.Set(0)
		return
	}
	w.Array(len(s.Subcommands))
	for _, c := range s.Subcommands {
		AppendCommandInfo(w, c)
	}
}

// appendKeySpec writes one key spec map: notes when present, flags,
// begin_search and find_keys, each search part as a map of its type and
// the fields that type uses.
func appendKeySpec(w *resp.Writer, k *KeySpec) {
	n := 3
	if k.Notes != "" {
		n++
	}
	w.Map(n)
	if k.Notes != "" {
		w.BulkString("notes")
		w.BulkString(k.Notes)
	}
	w.BulkString("flags")
	simpleSet(w, k.Flags)

	bs := &k.BeginSearch
	w.BulkString("begin_search")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(bs.Type)
	w.BulkString("spec")
	switch bs.Type {
	case "index":
		w.Map(1)
		intField(w, "index", bs.Index)
	case "keyword":
		w.Map(2)
		w.BulkString("keyword")
		w.BulkString(bs.Keyword)
		intField(w, "startfrom", bs.StartFrom)
	default:
		w.Map(0)
	}

	fk := &k.FindKeys
	w.BulkString("find_keys")
	w.Map(2)
	w.BulkString("type")
	w.BulkString(fk.Type)
	w.BulkString("spec")
	switch fk.Type {
	case "range":
		w.Map(3)
		intField(w, "lastkey", fk.LastKey)
		intField(w, "keystep", fk.KeyStep)
		intField(w, "limit", fk.Limit)
	case "keynum":
		w.Map(3)
		intField(w, "keynumidx", fk.KeyNumIdx)
		intField(w, "firstkey", fk.FirstKey)
		intField(w, "keystep", fk.KeyStep)
	default:
		w.Map(0)
	}
}

// AppendCommandDocs writes the docs map of s, the value COMMAND DOCS pairs
// with the command's name: summary, since, group, complexity, doc_flags,
// deprecated_since, replaced_by, history, arguments and subcommands, each
// only when present, in that order. Subcommands are a map from full name
// to docs. Arguments carry no display_text or value, as in Redis 7.0.
func AppendCommandDocs(w *resp.Writer, s *Spec) {
	d := &s.Docs
	n := 0
	for _, v := range [...]string{d.Summary, d.Since, d.Group, d.Complexity, d.DeprecatedSince, d.ReplacedBy} {
		if v != "" {
			n++
		}
	}
	for _, present := range [...]bool{len(d.DocFlags) > 0, len(d.History) > 0, len(d.Arguments) > 0, len(s.Subcommands) > 0} {
		if present {
			n++
		}
	}
	w.Map(n)
	strField(w, "summary", d.Summary)
	strField(w, "since", d.Since)
	strField(w, "group", d.Group)
	strField(w, "complexity", d.Complexity)
	if len(d.DocFlags) > 0 {
		w.BulkString("doc_flags")
		simpleSet(w, d.DocFlags)
	}
	strField(w, "deprecated_since", d.DeprecatedSince)
	strField(w, "replaced_by", d.ReplacedBy)
	if len(d.History) > 0 {
		w.BulkString("history")
		w.Set(len(d.History))
		for _, h := range d.History {
			w.Array(2)
			w.BulkString(h[0])
			w.BulkString(h[1])
		}
	}
	if len(d.Arguments) > 0 {
		w.BulkString("arguments")
		appendArgs(w, d.Arguments)
	}
	if len(s.Subcommands) > 0 {
		w.BulkString("subcommands")
		w.Map(len(s.Subcommands))
		for _, c := range s.Subcommands {
			w.BulkString(c.Name)
			AppendCommandDocs(w, c)
		}
	}
}

// appendArgs writes an argument list: an array of maps of name, type,
// key_spec_index, token, summary, since, deprecated_since and flags, each
// but the first two only when present, and, for the oneof and block types
// only, the nested arguments.
func appendArgs(w *resp.Writer, args []Arg) {
	w.Array(len(args))
	for i := range args {
		a := &args[i]
		nested := a.Type == "oneof" || a.Type == "block"
		n := 2
		for _, present := range [...]bool{a.KeySpecIndex >= 0, a.Token != "" || a.EmptyToken, a.Summary != "", a.Since != "",
			a.DeprecatedSince != "", len(a.Flags) > 0, nested} {
			if present {
				n++
			}
		}
		w.Map(n)
		strField(w, "name", a.Name)
		strField(w, "type", a.Type)
		if a.KeySpecIndex >= 0 {
			intField(w, "key_spec_index", a.KeySpecIndex)
		}
		if a.Token != "" || a.EmptyToken {
			w.BulkString("token")
			w.BulkString(a.Token)
		}
		strField(w, "summary", a.Summary)
		strField(w, "since", a.Since)
		strField(w, "deprecated_since", a.DeprecatedSince)
		if len(a.Flags) > 0 {
			w.BulkString("flags")
			simpleSet(w, a.Flags)
		}
		if nested {
			w.BulkString("arguments")
			appendArgs(w, a.Arguments)
		}
	}
}

// AppendKeysAndFlags writes the COMMAND GETKEYSANDFLAGS reply for keys
// found in argv: an array of [key, flags] pairs, the flags a set of simple
// strings.
func AppendKeysAndFlags(w *resp.Writer, argv [][]byte, keys []KeyRef) {
	w.Array(len(keys))
	for _, k := range keys {
		w.Array(2)
		w.Bulk(argv[k.Pos])
		simpleSet(w, k.Flags)
	}
}

// simpleSet writes ss as a set of simple strings.
func simpleSet(w *resp.Writer, ss []string) {
	w.Set(len(ss))
	for _, s := range ss {
		w.Simple(s)
	}
}

// strField writes a bulk key and bulk value pair when v is not empty.
func strField(w *resp.Writer, key, v string) {
	if v != "" {
		w.BulkString(key)
		w.BulkString(v)
	}
}

// intField writes a bulk key and integer value pair.
func intField(w *resp.Writer, key string, v int) {
	w.BulkString(key)
	w.Int(int64(v))
}
