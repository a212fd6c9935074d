package rdb

import (
	"math"
	"strconv"

	"shoal/internal/encoding"
	"shoal/internal/keyspace"
	"shoal/internal/types"
)

// Limits are the encoding thresholds a loaded value is fitted to, as
// Redis converts encodings by its own configuration after loading.
type Limits struct {
	HashMaxListpackEntries int
	HashMaxListpackValue   int
	ListMaxListpackSize    int
	SetMaxIntsetEntries    int
	ZSetMaxListpackEntries int
	ZSetMaxListpackValue   int
}

// Value is a decoded object: Type is a keyspace type (keyspace.TypeString
// ...), Str holds a string's bytes and Obj every other type's value. Both
// are owned by the caller and never alias the input.
type Value struct {
	Type uint8
	Str  []byte
	Obj  any
}

// DecodeObject decodes the body of an object of RDB type typ from r,
// validating it deeply and fitting its encoding to lim. Any malformed
// input gives an error wrapping ErrBadFormat.
func DecodeObject(typ byte, r *Reader, lim Limits) (Value, error) {
	switch typ {
	case TypeString:
		s, err := r.ReadOwnedString()
		return Value{Type: keyspace.TypeString, Str: s}, err
	case TypeList, TypeListZiplist, TypeListQuicklist, TypeListQuicklist2:
		l, err := decodeList(typ, r, lim)
		return Value{Type: keyspace.TypeList, Obj: l}, err
	case TypeSet, TypeSetIntset:
		s, err := decodeSet(typ, r, lim)
		return Value{Type: keyspace.TypeSet, Obj: s}, err
	case TypeZSet, TypeZSet2, TypeZSetZiplist, TypeZSetListpack:
		z, err := decodeZSet(typ, r, lim)
		return Value{Type: keyspace.TypeZSet, Obj: z}, err
	case TypeHash, TypeHashZipmap, TypeHashZiplist, TypeHashListpack:
		h, err := decodeHash(typ, r, lim)
		return Value{Type: keyspace.TypeHash, Obj: h}, err
	case TypeStreamListpacks, TypeStreamListpacks2:
		s, err := decodeStream(typ, r)
		return Value{Type: keyspace.TypeStream, Obj: s}, err
	}
	return Value{}, ErrBadFormat
}

// readStr reads an rdb string, formatting integer forms into buf.
func (r *Reader) readStr(buf *[24]byte) ([]byte, error) {
	s, err := r.ReadString()
	if err == nil && len(s) > 0 && &s[0] == &r.scratch[0] {
		s = append(buf[:0], s...)
	}
	return s, err
}

// decodeList reads any list type into a quicklist. Quicklist-2 nodes are
// kept as they come (Redis does not re-split them); the legacy forms are
// re-pushed with the configured node size.
func decodeList(typ byte, r *Reader, lim Limits) (*types.List, error) {
	var l *types.List
	switch typ {
	case TypeListQuicklist2, TypeListQuicklist:
		min := 1
		if typ == TypeListQuicklist2 {
			min = 2
		}
		n, err := r.readCount(min)
		if err != nil {
			return nil, err
		}
		nodes := make([][]byte, 0, n)
		for range n {
			container := uint64(quicklistNodePacked)
			if typ == TypeListQuicklist2 {
				if container, err = r.ReadLength(); err != nil {
					return nil, err
				}
			}
			data, err := r.ReadOwnedString()
			if err != nil {
				return nil, err
			}
			if len(data) == 0 {
				// An empty node, plain or packed (rdbLoadObject's
				// encoded_len == 0).
				return nil, ErrBadFormat
			}
			switch {
			case typ == TypeListQuicklist:
				if data, err = ziplistToListpack(data); err != nil {
					return nil, err
				}
			case container == quicklistNodePlain:
				data = encoding.LPAppend(encoding.NewListpack(), data)
			case container != quicklistNodePacked:
				return nil, ErrBadFormat
			}
			if encoding.LPValidate(data) == nil && encoding.LPLen(data) == 0 {
				// Redis skips empty ziplists and listpacks; a list left
				// with none is an empty key.
				continue
			}
			nodes = append(nodes, data)
		}
		if len(nodes) == 0 {
			return nil, ErrEmptyKey
		}
		if l, err = types.ListFromNodes(nodes); err != nil {
			return nil, integrity("Listpack")
		}
	case TypeListZiplist:
		zl, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		vals, err := ziplistValues(zl)
		if err != nil {
			return nil, err
		}
		l = types.ListFromValues(vals, lim.ListMaxListpackSize)
	default:
		n, err := r.readCount(1)
		if err != nil {
			return nil, err
		}
		vals := make([][]byte, 0, n)
		for range n {
			v, err := r.ReadOwnedString()
			if err != nil {
				return nil, err
			}
			vals = append(vals, v)
		}
		l = types.ListFromValues(vals, lim.ListMaxListpackSize)
	}
	if l.Len() == 0 {
		return nil, ErrEmptyKey
	}
	return l, nil
}

// decodeSet reads a plain set (members) or an intset. Duplicate members
// are an error, as in Redis.
func decodeSet(typ byte, r *Reader, lim Limits) (*types.Set, error) {
	if typ == TypeSetIntset {
		is, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		s, err := types.SetFromIntset(is, lim.SetMaxIntsetEntries)
		if err != nil {
			return nil, integrity("Intset")
		}
		return s, nil
	}
	n, err := r.readCount(1)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrEmptyKey
	}
	s := types.NewSet()
	for range n {
		m, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		if !s.Add(m, lim.SetMaxIntsetEntries) {
			return nil, ErrBadFormat
		}
	}
	return s, nil
}

// decodeZSet reads a sorted set. Member/score lists (ZSET, ZSET_2) are
// built as a skiplist and then compacted when they fit the listpack
// limits, as Redis converts after loading; listpack forms are adopted and
// converted to a skiplist when they hold too many members.
func decodeZSet(typ byte, r *Reader, lim Limits) (*types.ZSet, error) {
	zlim := types.ZSetLimits{MaxListpackEntries: lim.ZSetMaxListpackEntries, MaxListpackValue: lim.ZSetMaxListpackValue}
	switch typ {
	case TypeZSetListpack, TypeZSetZiplist:
		lp, err := r.ReadOwnedString()
		if err != nil {
			return nil, err
		}
		kind := "Zset listpack"
		if typ == TypeZSetZiplist {
			kind = "Zset ziplist"
			if lp, err = ziplistToListpack(lp); err != nil {
				return nil, integrity(kind)
			}
		}
		if err := checkPairs(lp); err != nil {
			return nil, withIntegrity(err, kind)
		}
		z, err := types.ZSetFromListpack(lp)
		if err != nil {
			return nil, ErrBadFormat
		}
		if z.Len() > lim.ZSetMaxListpackEntries {
			z.ConvertToSkiplist()
		}
		return z, nil
	}
	min := 9
	if typ == TypeZSet {
		min = 2
	}
	n, err := r.readCount(min)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, ErrEmptyKey
	}
	z := types.NewZSetSkiplist(n)
	for range n {
		m, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		var score float64
		if typ == TypeZSet {
			score, err = r.readOldDouble()
		} else {
			score, err = r.ReadBinaryDouble()
		}
		if err != nil {
			return nil, err
		}
		if math.IsNaN(score) {
			return nil, ErrBadFormat
		}
		if out, _ := z.Add(m, score, types.ZAddNX, zlim); out&types.ZAddOutAdded == 0 {
			return nil, ErrBadFormat
		}
	}
	z.Compact(zlim)
	return z, nil
}

// readOldDouble reads the text double of the legacy ZSET type: a length
// byte (253 NaN, 254 +inf, 255 -inf) and that many characters.
func (r *Reader) readOldDouble() (float64, error) {
	n, err := r.ReadByte()
	if err != nil {
		return 0, err
	}
	switch n {
	case 253:
		return math.NaN(), nil
	case 254:
		return math.Inf(1), nil
	case 255:
		return math.Inf(-1), nil
	}
	b, err := r.ReadRaw(int(n))
	if err != nil {
		return 0, err
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return 0, ErrBadFormat
	}
	return v, nil
}

// decodeHash reads a hash: field/value pairs (HASH) are inserted with the
// usual conversion rules; listpack forms (and the legacy ziplist and
// zipmap, converted to listpacks) are checked for an even count and unique
// fields, then converted to a hash table when they hold more fields than
// hash-max-listpack-entries.
func decodeHash(typ byte, r *Reader, lim Limits) (*types.Hash, error) {
	hlim := types.HashLimits{MaxEntries: lim.HashMaxListpackEntries, MaxValue: lim.HashMaxListpackValue}
	if typ == TypeHash {
		n, err := r.readCount(2)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, ErrEmptyKey
		}
		var h *types.Hash
		if n > lim.HashMaxListpackEntries {
			h = types.NewHashTable(n)
		} else {
			h = types.NewHash()
		}
		var fb, vb [24]byte
		for range n {
			f, err := r.readStr(&fb)
			if err != nil {
				return nil, err
			}
			v, err := r.readStr(&vb)
			if err != nil {
				return nil, err
			}
			if !h.Set(f, v, hlim) {
				return nil, ErrBadFormat
			}
		}
		return h, nil
	}
	lp, err := r.ReadOwnedString()
	if err != nil {
		return nil, err
	}
	kind := "Hash listpack"
	switch typ {
	case TypeHashZiplist:
		kind = "Hash ziplist"
		if lp, err = ziplistToListpack(lp); err != nil {
			return nil, integrity(kind)
		}
	case TypeHashZipmap:
		kind = "Zipmap"
		if lp, err = zipmapToListpack(lp); err == nil && encoding.LPLen(lp) == 0 {
			// zipmapValidateIntegrity refuses an empty zipmap.
			return nil, integrity(kind)
		}
	}
	if err != nil {
		return nil, withIntegrity(err, kind)
	}
	if err := checkPairs(lp); err != nil {
		return nil, withIntegrity(err, kind)
	}
	h := types.HashFromListpack(lp)
	if typ == TypeHashZipmap {
		h.FitLimits(hlim)
	} else if h.Len() > lim.HashMaxListpackEntries {
		h.ConvertToHashtable()
	}
	return h, nil
}

// checkPairs validates a listpack of key, value pairs (hash fields or
// sorted set members): deep structure, a non-zero even count and unique
// keys.
func checkPairs(lp []byte) error {
	if encoding.LPValidate(lp) != nil {
		return ErrBadFormat
	}
	n := encoding.LPLen(lp)
	if n == 0 {
		return ErrEmptyKey
	}
	if n%2 != 0 {
		return ErrBadFormat
	}
	seen := make(map[string]struct{}, n/2)
	it := encoding.NewLPIter(lp)
	var buf [24]byte
	for i := 0; ; i++ {
		str, iv, isInt, ok := it.Next()
		if !ok {
			return nil
		}
		if i%2 != 0 {
			continue
		}
		if isInt {
			str = strconv.AppendInt(buf[:0], iv, 10)
		}
		if _, dup := seen[string(str)]; dup {
			return ErrBadFormat
		}
		seen[string(str)] = struct{}{}
	}
}
