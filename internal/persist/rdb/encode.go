package rdb

import (
	"fmt"

	"shoal/internal/keyspace"
	"shoal/internal/types"
)

// quicklistNodePacked is the container tag of a listpack quicklist node
// (QUICKLIST_NODE_CONTAINER_PACKED); 1 is a plain single-element node.
const (
	quicklistNodePlain  = 1
	quicklistNodePacked = 2
)

// ObjectType returns the RDB type byte Redis 7.0 writes for e's value and
// its current encoding.
func ObjectType(e *keyspace.Entry) (byte, error) {
	switch e.Type {
	case keyspace.TypeString:
		return TypeString, nil
	case keyspace.TypeList:
		if _, ok := e.Obj.(*types.List); ok {
			return TypeListQuicklist2, nil
		}
	case keyspace.TypeSet:
		if s, ok := e.Obj.(*types.Set); ok {
			if s.IsIntset() {
				return TypeSetIntset, nil
			}
			return TypeSet, nil
		}
	case keyspace.TypeZSet:
		if z, ok := e.Obj.(*types.ZSet); ok {
			if z.IsListpack() {
				return TypeZSetListpack, nil
			}
			return TypeZSet2, nil
		}
	case keyspace.TypeHash:
		if h, ok := e.Obj.(*types.Hash); ok {
			if h.Listpack() != nil {
				return TypeHashListpack, nil
			}
			return TypeHash, nil
		}
	case keyspace.TypeStream:
		if _, ok := e.Obj.(*types.Stream); ok {
			return TypeStreamListpacks2, nil
		}
	}
	return 0, fmt.Errorf("%w: type %d (%T)", ErrUnsupported, e.Type, e.Obj)
}

// AppendObject appends the body of e's value (without its type byte, see
// ObjectType) as rdbSaveObject writes it. compress is rdbcompression:
// strings longer than 20 bytes are LZF-compressed when that pays.
func AppendObject(dst []byte, e *keyspace.Entry, compress bool) ([]byte, error) {
	t, err := ObjectType(e)
	if err != nil {
		return dst, err
	}
	switch t {
	case TypeString:
		return AppendString(dst, e.Str, compress), nil
	case TypeListQuicklist2:
		return appendList(dst, e.Obj.(*types.List), compress), nil
	case TypeSetIntset:
		return AppendString(dst, e.Obj.(*types.Set).IntsetBytes(), compress), nil
	case TypeSet:
		return appendSet(dst, e.Obj.(*types.Set), compress), nil
	case TypeZSetListpack:
		return AppendString(dst, e.Obj.(*types.ZSet).Listpack(), compress), nil
	case TypeZSet2:
		return appendZSet(dst, e.Obj.(*types.ZSet), compress), nil
	case TypeHashListpack:
		return AppendString(dst, e.Obj.(*types.Hash).Listpack(), compress), nil
	case TypeHash:
		return appendHash(dst, e.Obj.(*types.Hash), compress), nil
	default:
		return appendStream(dst, e.Obj.(*types.Stream), compress), nil
	}
}

// appendList writes a quicklist-2: the node count, then each node as the
// packed container tag and its listpack.
func appendList(dst []byte, l *types.List, compress bool) []byte {
	dst = AppendLength(dst, uint64(l.NodeCount()))
	for i := 0; i < l.NodeCount(); i++ {
		dst = AppendLength(dst, quicklistNodePacked)
		dst = AppendString(dst, l.Node(i), compress)
	}
	return dst
}

// appendSet writes a hashtable set: the count, then each member.
func appendSet(dst []byte, s *types.Set, compress bool) []byte {
	dst = AppendLength(dst, uint64(s.Len()))
	s.Each(func(m []byte) bool {
		dst = AppendString(dst, m, compress)
		return true
	})
	return dst
}

// appendZSet writes a skiplist set as ZSET_2, from the highest score to
// the lowest as Redis walks its skiplist backwards (so that loading
// inserts at the head in O(1)).
func appendZSet(dst []byte, z *types.ZSet, compress bool) []byte {
	n := z.Len()
	dst = AppendLength(dst, uint64(n))
	z.RangeByRank(0, n-1, true, func(m []byte, score float64) bool {
		dst = AppendString(dst, m, compress)
		dst = AppendBinaryDouble(dst, score)
		return true
	})
	return dst
}

// appendHash writes a hashtable hash: the count, then field and value
// pairs.
func appendHash(dst []byte, h *types.Hash, compress bool) []byte {
	dst = AppendLength(dst, uint64(h.Len()))
	h.Range(func(f, v []byte) bool {
		dst = AppendString(dst, f, compress)
		dst = AppendString(dst, v, compress)
		return true
	})
	return dst
}

// appendStreamID appends an ID as two rdb lengths (ms, seq).
func appendStreamID(dst []byte, id types.StreamID) []byte {
	return AppendLength(AppendLength(dst, id.Ms), id.Seq)
}

// appendStream writes STREAM_LISTPACKS_2: the nodes (16-byte master key
// and listpack), the stream's counters and IDs, then the consumer groups
// with their PELs and consumers, groups and consumers in name order as
// Redis's radix trees give them.
func appendStream(dst []byte, s *types.Stream, compress bool) []byte {
	dst = AppendLength(dst, uint64(s.NodeCount()))
	s.EachNode(func(master types.StreamID, lp []byte) bool {
		k := master.Key()
		dst = AppendString(dst, k[:], compress)
		dst = AppendString(dst, lp, compress)
		return true
	})
	dst = AppendLength(dst, s.Len())
	dst = appendStreamID(dst, s.LastID)
	dst = appendStreamID(dst, s.FirstID)
	dst = appendStreamID(dst, s.MaxDeletedID)
	dst = AppendLength(dst, s.EntriesAdded)
	groups := s.Groups()
	dst = AppendLength(dst, uint64(len(groups)))
	for _, g := range groups {
		dst = AppendString(dst, []byte(g.Name), compress)
		dst = appendStreamID(dst, g.LastID)
		dst = AppendLength(dst, uint64(g.EntriesRead))
		dst = AppendLength(dst, uint64(g.PEL.Len()))
		for n := g.PEL.First(); n != nil; n = g.PEL.Next(n.ID) {
			k := n.ID.Key()
			dst = append(dst, k[:]...)
			dst = AppendUint64LE(dst, uint64(n.DeliveryTime))
			dst = AppendLength(dst, uint64(n.DeliveryCount))
		}
		cs := g.Consumers()
		dst = AppendLength(dst, uint64(len(cs)))
		for _, c := range cs {
			dst = AppendString(dst, []byte(c.Name), compress)
			dst = AppendUint64LE(dst, uint64(c.SeenTime))
			dst = AppendLength(dst, uint64(c.PEL.Len()))
			for n := c.PEL.First(); n != nil; n = c.PEL.Next(n.ID) {
				k := n.ID.Key()
				dst = append(dst, k[:]...)
			}
		}
	}
	return dst
}
