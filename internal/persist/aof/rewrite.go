package aof

import (
	"errors"
	"fmt"
	"math"
	"strconv"

	"shoal/internal/encoding"
	"shoal/internal/keyspace"
	"shoal/internal/types"
)

// RewriteItemsPerCmd is how many elements (members, pairs, scored
// members) one RPUSH, SADD, HMSET or ZADD of a rewritten AOF carries at
// most, as Redis's AOF_REWRITE_ITEMS_PER_CMD.
const RewriteItemsPerCmd = 64

// ErrUnsupportedValue is returned by RewriteEncoder.Record for an entry
// whose type and value do not belong together (a bug elsewhere): nothing
// is written for that key.
var ErrUnsupportedValue = errors.New("aof: value cannot be rewritten as commands")

// Command names and fixed arguments, pre-encoded as bulk strings.
const (
	bulkSET            = "$3\r\nSET\r\n"
	bulkRPUSH          = "$5\r\nRPUSH\r\n"
	bulkSADD           = "$4\r\nSADD\r\n"
	bulkZADD           = "$4\r\nZADD\r\n"
	bulkHMSET          = "$5\r\nHMSET\r\n"
	bulkXADD           = "$4\r\nXADD\r\n"
	bulkXSETID         = "$6\r\nXSETID\r\n"
	bulkXGROUP         = "$6\r\nXGROUP\r\n"
	bulkXCLAIM         = "$6\r\nXCLAIM\r\n"
	bulkPEXPIREAT      = "$9\r\nPEXPIREAT\r\n"
	bulkCREATE         = "$6\r\nCREATE\r\n"
	bulkCREATECONSUMER = "$14\r\nCREATECONSUMER\r\n"
	bulkENTRIESADDED   = "$12\r\nENTRIESADDED\r\n"
	bulkMAXDELETEDID   = "$12\r\nMAXDELETEDID\r\n"
	bulkENTRIESREAD    = "$11\r\nENTRIESREAD\r\n"
	bulkTIME           = "$4\r\nTIME\r\n"
	bulkRETRYCOUNT     = "$10\r\nRETRYCOUNT\r\n"
	bulkJUSTID         = "$6\r\nJUSTID\r\n"
	bulkFORCE          = "$5\r\nFORCE\r\n"
	bulkZero           = "$1\r\n0\r\n"
	// emptyStreamTail is "MAXLEN 0 0-1 x y": the XADD that creates an
	// empty stream, whose last ID the XSETID after it then restores.
	emptyStreamTail = "$6\r\nMAXLEN\r\n$1\r\n0\r\n$3\r\n0-1\r\n$1\r\nx\r\n$1\r\ny\r\n"
)

// RewriteEncoder writes a dataset as the commands that recreate it: the
// base file of an AOF rewrite with aof-use-rdb-preamble no, byte for byte
// as Redis 7.0's rewriteAppendOnlyFileRio writes it (given the same
// iteration order of hash-table encoded values). It implements
// snapshot.Encoder and keeps no state between calls.
type RewriteEncoder struct{}

// NewRewriteEncoder returns an encoder of the command form.
func NewRewriteEncoder() *RewriteEncoder { return &RewriteEncoder{} }

// Header appends nothing: a command-form base file starts with the first
// database's SELECT.
func (*RewriteEncoder) Header(dst []byte) []byte { return dst }

// SelectDB appends the SELECT of database db. Sizes are an RDB matter.
func (*RewriteEncoder) SelectDB(dst []byte, db int, _, _ uint64) []byte {
	return AppendSelect(dst, db)
}

// Record appends the commands that recreate e, then a PEXPIREAT when it has
// a TTL. Keys already past their TTL are written too, as Redis 7.0 does:
// the loader expires them.
func (*RewriteEncoder) Record(dst []byte, e *keyspace.Entry) ([]byte, error) {
	start := len(dst)
	ok := true
	switch e.Type {
	case keyspace.TypeString:
		dst = appendArrayLen(dst, 3)
		dst = append(dst, bulkSET...)
		dst = appendBulk(dst, e.Key)
		dst = appendBulk(dst, e.Str)
	case keyspace.TypeList:
		var l *types.List
		if l, ok = e.Obj.(*types.List); ok {
			dst = rewriteList(dst, e.Key, l)
		}
	case keyspace.TypeSet:
		var s *types.Set
		if s, ok = e.Obj.(*types.Set); ok {
			dst = rewriteSet(dst, e.Key, s)
		}
	case keyspace.TypeZSet:
		var z *types.ZSet
		if z, ok = e.Obj.(*types.ZSet); ok {
			dst = rewriteZSet(dst, e.Key, z)
		}
	case keyspace.TypeHash:
		var h *types.Hash
		if h, ok = e.Obj.(*types.Hash); ok {
			dst = rewriteHash(dst, e.Key, h)
		}
	case keyspace.TypeStream:
		var s *types.Stream
		if s, ok = e.Obj.(*types.Stream); ok {
			dst = rewriteStream(dst, e.Key, s)
		}
	default:
		ok = false
	}
	if !ok {
		return dst[:start], fmt.Errorf("%w: key %q type %d (%T)", ErrUnsupportedValue, e.Key, e.Type, e.Obj)
	}
	if e.Expire != 0 {
		dst = appendArrayLen(dst, 3)
		dst = append(dst, bulkPEXPIREAT...)
		dst = appendBulk(dst, e.Key)
		dst = appendBulkInt(dst, e.Expire)
	}
	return dst, nil
}

// batchHeader starts a batched command when count (the position within
// the current command) is 0: it carries min(left, RewriteItemsPerCmd)
// items of width arguments each.
func batchHeader(dst []byte, count, left, width int, name, key string) []byte {
	if count != 0 {
		return dst
	}
	dst = appendArrayLen(dst, 2+min(left, RewriteItemsPerCmd)*width)
	dst = append(dst, name...)
	return appendBulk(dst, key)
}

// rewriteList writes RPUSHes from head to tail (rewriteListObject).
func rewriteList(dst []byte, key string, l *types.List) []byte {
	left, count := l.Len(), 0
	it := l.Iter(0, true)
	for v, ok := it.Next(); ok; v, ok = it.Next() {
		dst = batchHeader(dst, count, left, 1, bulkRPUSH, key)
		dst = appendBulk(dst, v)
		count = (count + 1) % RewriteItemsPerCmd
		left--
	}
	return dst
}

// rewriteSet writes SADDs: an intset in ascending order, a hash table in
// table order (rewriteSetObject).
func rewriteSet(dst []byte, key string, s *types.Set) []byte {
	left, count := s.Len(), 0
	if s.IsIntset() {
		is := s.IntsetBytes()
		for i := range encoding.IntsetLen(is) {
			dst = batchHeader(dst, count, left, 1, bulkSADD, key)
			dst = appendBulkInt(dst, encoding.IntsetAt(is, i))
			count = (count + 1) % RewriteItemsPerCmd
			left--
		}
		return dst
	}
	s.Each(func(m []byte) bool {
		dst = batchHeader(dst, count, left, 1, bulkSADD, key)
		dst = appendBulk(dst, m)
		count = (count + 1) % RewriteItemsPerCmd
		left--
		return true
	})
	return dst
}

// rewriteZSet writes ZADDs of score-member pairs (rewriteSortedSetObject):
// a listpack in its (score) order, a skiplist set in its hash table's
// order.
func rewriteZSet(dst []byte, key string, z *types.ZSet) []byte {
	left, count := z.Len(), 0
	if lp := z.Listpack(); lp != nil {
		it := encoding.NewLPIter(lp)
		for {
			ms, mi, mInt, ok := it.Next()
			if !ok {
				return dst
			}
			ss, si, sInt, _ := it.Next()
			score := float64(si)
			if !sInt {
				// The listpack holds d2string's text; Redis reads it back
				// with strtod before formatting it again.
				score, _ = strconv.ParseFloat(string(ss), 64)
			}
			dst = batchHeader(dst, count, left, 2, bulkZADD, key)
			dst = appendBulkDouble(dst, score)
			dst = appendLPEntry(dst, ms, mi, mInt)
			count = (count + 1) % RewriteItemsPerCmd
			left--
		}
	}
	// Like Redis, walk the member table rather than the skiplist: the
	// table does not change during the walk, so each member comes once.
	emit := func(m []byte, score float64) {
		dst = batchHeader(dst, count, left, 2, bulkZADD, key)
		dst = appendBulkDouble(dst, score)
		dst = appendBulk(dst, m)
		count = (count + 1) % RewriteItemsPerCmd
		left--
	}
	n := left
	cur := z.Scan(0, n, emit)
	for cur != 0 {
		cur = z.Scan(cur, n, emit)
	}
	return dst
}

// rewriteHash writes HMSETs of field-value pairs (rewriteHashObject), in
// insertion order for a listpack and table order for a hash table.
func rewriteHash(dst []byte, key string, h *types.Hash) []byte {
	left, count := h.Len(), 0
	if lp := h.Listpack(); lp != nil {
		it := encoding.NewLPIter(lp)
		for {
			fs, fi, fInt, ok := it.Next()
			if !ok {
				return dst
			}
			vs, vi, vInt, _ := it.Next()
			dst = batchHeader(dst, count, left, 2, bulkHMSET, key)
			dst = appendLPEntry(dst, fs, fi, fInt)
			dst = appendLPEntry(dst, vs, vi, vInt)
			count = (count + 1) % RewriteItemsPerCmd
			left--
		}
	}
	h.Range(func(f, v []byte) bool {
		dst = batchHeader(dst, count, left, 2, bulkHMSET, key)
		dst = appendBulk(dst, f)
		dst = appendBulk(dst, v)
		count = (count + 1) % RewriteItemsPerCmd
		left--
		return true
	})
	return dst
}

// rewriteStream writes a stream as rewriteStreamObject does: one XADD per
// entry (or the MAXLEN 0 trick for an empty stream), an XSETID restoring
// the last ID and counters, then per group (in name order) an XGROUP
// CREATE followed, per consumer in name order, by an XCLAIM ... JUSTID
// FORCE per pending entry, or XGROUP CREATECONSUMER when it has none.
func rewriteStream(dst []byte, key string, s *types.Stream) []byte {
	if s.Len() > 0 {
		last := types.StreamID{Ms: math.MaxUint64, Seq: math.MaxUint64}
		it := s.Iter(types.StreamID{}, last, false)
		for id, nf, ok := it.Next(); ok; id, nf, ok = it.Next() {
			dst = appendArrayLen(dst, 3+2*nf)
			dst = append(dst, bulkXADD...)
			dst = appendBulk(dst, key)
			dst = appendBulkID(dst, id)
			for range nf {
				f, v := it.Field()
				dst = appendBulk(dst, f)
				dst = appendBulk(dst, v)
			}
		}
	} else {
		dst = appendArrayLen(dst, 7)
		dst = append(dst, bulkXADD...)
		dst = appendBulk(dst, key)
		dst = append(dst, emptyStreamTail...)
	}
	dst = appendArrayLen(dst, 7)
	dst = append(dst, bulkXSETID...)
	dst = appendBulk(dst, key)
	dst = appendBulkID(dst, s.LastID)
	dst = append(dst, bulkENTRIESADDED...)
	dst = appendBulkInt(dst, int64(s.EntriesAdded))
	dst = append(dst, bulkMAXDELETEDID...)
	dst = appendBulkID(dst, s.MaxDeletedID)
	for _, g := range s.Groups() {
		dst = appendArrayLen(dst, 7)
		dst = append(dst, bulkXGROUP...)
		dst = append(dst, bulkCREATE...)
		dst = appendBulk(dst, key)
		dst = appendBulk(dst, g.Name)
		dst = appendBulkID(dst, g.LastID)
		dst = append(dst, bulkENTRIESREAD...)
		dst = appendBulkInt(dst, g.EntriesRead)
		for _, c := range g.Consumers() {
			if c.PEL.Len() == 0 {
				dst = appendArrayLen(dst, 5)
				dst = append(dst, bulkXGROUP...)
				dst = append(dst, bulkCREATECONSUMER...)
				dst = appendBulk(dst, key)
				dst = appendBulk(dst, g.Name)
				dst = appendBulk(dst, c.Name)
				continue
			}
			for n := c.PEL.First(); n != nil; n = c.PEL.Next(n.ID) {
				dst = appendArrayLen(dst, 12)
				dst = append(dst, bulkXCLAIM...)
				dst = appendBulk(dst, key)
				dst = appendBulk(dst, g.Name)
				dst = appendBulk(dst, c.Name)
				dst = append(dst, bulkZero...)
				dst = appendBulkID(dst, n.ID)
				dst = append(dst, bulkTIME...)
				dst = appendBulkInt(dst, n.DeliveryTime)
				dst = append(dst, bulkRETRYCOUNT...)
				dst = appendBulkInt(dst, n.DeliveryCount)
				dst = append(dst, bulkJUSTID...)
				dst = append(dst, bulkFORCE...)
			}
		}
	}
	return dst
}

// appendArrayLen appends a multibulk header "*<n>\r\n".
func appendArrayLen(dst []byte, n int) []byte {
	dst = append(dst, '*')
	dst = strconv.AppendInt(dst, int64(n), 10)
	return append(dst, '\r', '\n')
}

// appendBulk appends b as a bulk string "$<len>\r\n<b>\r\n".
func appendBulk[T string | []byte](dst []byte, b T) []byte {
	dst = append(dst, '$')
	dst = strconv.AppendInt(dst, int64(len(b)), 10)
	dst = append(dst, '\r', '\n')
	dst = append(dst, b...)
	return append(dst, '\r', '\n')
}

// appendBulkInt appends v in decimal as a bulk string (rioWriteBulkLongLong).
func appendBulkInt(dst []byte, v int64) []byte {
	var buf [20]byte
	return appendBulk(dst, strconv.AppendInt(buf[:0], v, 10))
}

// appendLPEntry appends a listpack element as a bulk string: its bytes,
// or its integer in decimal.
func appendLPEntry(dst, str []byte, ival int64, isInt bool) []byte {
	if isInt {
		return appendBulkInt(dst, ival)
	}
	return appendBulk(dst, str)
}

// appendBulkID appends a stream ID "<ms>-<seq>" as a bulk string.
func appendBulkID(dst []byte, id types.StreamID) []byte {
	var buf [41]byte
	return appendBulk(dst, id.AppendTo(buf[:0]))
}

// appendBulkDouble appends f as rioWriteBulkDouble does in Redis 7.0:
// printf's "%.17g", whose infinities are "inf" and "-inf".
func appendBulkDouble(dst []byte, f float64) []byte {
	var buf [32]byte
	return appendBulk(dst, formatG17(buf[:0], f))
}

// formatG17 appends f as C's "%.17g". Go's 'g' with precision 17 picks the
// same notation and drops trailing zeros the same way; only the spelling
// of infinities and NaN differs.
func formatG17(dst []byte, f float64) []byte {
	switch {
	case math.IsInf(f, 1):
		return append(dst, "inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-inf"...)
	case math.IsNaN(f):
		return append(dst, "nan"...)
	}
	return strconv.AppendFloat(dst, f, 'g', 17, 64)
}
