package command

import (
	"bytes"
	"math"
	"slices"

	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// SORT and SORT_RO, as Redis 7.0's sort.c.

func init() {
	Register("sort", func(c *Client) { sortGeneric(c, false) })
	Register("sort_ro", func(c *Client) { sortGeneric(c, true) })
}

// sortItem is one element being sorted with its weight: a score, or the
// BY value compared with ALPHA (nil when the weight key is missing).
type sortItem struct {
	obj   []byte
	score float64
	cmp   []byte
}

// sortOrder is what sortCompare reads from Redis's globals.
type sortOrder struct {
	desc, alpha, byPattern, store bool
}

// compare is sortCompare: numbers with ties broken by the elements'
// bytes; ALPHA compares C strings (strcoll in the C locale), or whole
// byte strings when the result is stored.
func (o *sortOrder) compare(a, b *sortItem) int {
	var r int
	switch {
	case !o.alpha:
		switch {
		case a.score > b.score:
			r = 1
		case a.score < b.score:
			r = -1
		default:
			r = bytes.Compare(a.obj, b.obj)
		}
	case o.byPattern:
		switch {
		case a.cmp == nil || b.cmp == nil:
			switch {
			case a.cmp == nil && b.cmp == nil:
				r = 0
			case a.cmp == nil:
				r = -1
			default:
				r = 1
			}
		case o.store:
			r = bytes.Compare(a.cmp, b.cmp)
		default:
			r = bytes.Compare(sortCString(a.cmp), sortCString(b.cmp))
		}
	case o.store:
		r = bytes.Compare(a.obj, b.obj)
	default:
		r = bytes.Compare(sortCString(a.obj), sortCString(b.obj))
	}
	if o.desc {
		return -r
	}
	return r
}

// sortCString is b up to its first NUL byte, as C string functions see it.
func sortCString(b []byte) []byte {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return b[:i]
	}
	return b
}

// sortParseScore reads a weight as SORT does with strtod: leading
// whitespace is skipped, the number must end the C string, the empty
// string is 0, and NaN, overflow and underflow are errors.
func sortParseScore(b []byte) (float64, bool) {
	s := sortCString(b)
	if len(s) == 0 {
		return 0, true
	}
	i := 0
	for i < len(s) && (s[i] == ' ' || s[i] >= '\t' && s[i] <= '\r') {
		i++
	}
	if i == len(s) {
		return 0, false
	}
	v, ok := types.ParseFloat(s[i:])
	if !ok || v != 0 && math.Abs(v) < 0x1p-1022 {
		return 0, false
	}
	return v, true
}

// sortLookupPattern is lookupKeyByPattern: "#" is the element itself;
// otherwise the first '*' of the pattern is replaced by the element and
// the key read as a string, or, with "->field" after the '*', the field
// of the hash at that key. ok is false when there is nothing to read.
func sortLookupPattern(c *Client, pattern, subst []byte, buf *[]byte) ([]byte, bool) {
	cpat := sortCString(pattern)
	if len(cpat) == 1 && cpat[0] == '#' {
		return subst, true
	}
	star := bytes.IndexByte(cpat, '*')
	if star < 0 {
		return nil, false
	}
	var field []byte
	postfixEnd := len(pattern)
	if f := bytes.Index(cpat[star+1:], []byte("->")); f >= 0 {
		f += star + 1
		if f+2 < len(cpat) {
			field = pattern[f+2:]
			postfixEnd = f
		}
	}
	key := append((*buf)[:0], pattern[:star]...)
	key = append(key, subst...)
	key = append(key, pattern[star+1:postfixEnd]...)
	*buf = key
	e := lookupKey(c, c.DB, key, false, true)
	if e == nil {
		return nil, false
	}
	if field != nil {
		if e.Type != keyspace.TypeHash {
			return nil, false
		}
		return e.Obj.(*types.Hash).Get(field, nil)
	}
	if e.Type != keyspace.TypeString {
		return nil, false
	}
	return e.Str, true
}

// sortGeneric is SORT (and SORT_RO when readonly, where STORE is a
// syntax error).
func sortGeneric(c *Client, readonly bool) {
	argv := c.Argv
	var order sortOrder
	var limitStart, limitCount int64 = 0, -1
	var sortBy, storeKey []byte
	var gets [][]byte
	dontSort := false
	for j := 2; j < len(argv); j++ {
		arg := argv[j]
		left := len(argv) - j - 1
		switch {
		case equalFold(arg, "asc"):
			order.desc = false
		case equalFold(arg, "desc"):
			order.desc = true
		case equalFold(arg, "alpha"):
			order.alpha = true
		case equalFold(arg, "limit") && left >= 2:
			var ok bool
			if limitStart, ok = types.ParseInt(argv[j+1]); !ok {
				c.Error(rerr.NotInteger)
				return
			}
			if limitCount, ok = types.ParseInt(argv[j+2]); !ok {
				c.Error(rerr.NotInteger)
				return
			}
			j += 2
		case !readonly && equalFold(arg, "store") && left >= 1:
			storeKey = argv[j+1]
			j++
		case equalFold(arg, "by") && left >= 1:
			sortBy = argv[j+1]
			if bytes.IndexByte(sortCString(sortBy), '*') < 0 {
				dontSort = true
			} else if c.Core.KS.Slotted() {
				c.Error(rerr.SortByCluster)
				return
			}
			j++
		case equalFold(arg, "get") && left >= 1:
			if c.Core.KS.Slotted() {
				c.Error(rerr.SortGetCluster)
				return
			}
			gets = append(gets, argv[j+1])
			j++
		default:
			c.Error(rerr.Syntax)
			return
		}
	}

	e := lookupKey(c, c.DB, argv[1], false, true)
	if e != nil && e.Type != keyspace.TypeList && e.Type != keyspace.TypeSet && e.Type != keyspace.TypeZSet {
		c.Error(rerr.WrongType)
		return
	}
	typ := uint8(keyspace.TypeList)
	if e != nil {
		typ = e.Type
	}
	if dontSort && typ == keyspace.TypeSet && (storeKey != nil || c.Flags&ClientLua != 0) {
		dontSort = false
		order.alpha = true
		sortBy = nil
	}
	var z *types.ZSet
	n := 0
	if e != nil {
		switch typ {
		case keyspace.TypeList:
			n = e.Obj.(*types.List).Len()
		case keyspace.TypeSet:
			n = e.Obj.(*types.Set).Len()
		case keyspace.TypeZSet:
			z = e.Obj.(*types.ZSet)
			z.ConvertToSkiplist()
			n = z.Len()
		}
	}
	vectorLen := int64(n)
	start := min(max(limitStart, 0), vectorLen)
	limitCount = min(max(limitCount, -1), vectorLen)
	end := vectorLen
	if limitCount >= 0 {
		end = start + limitCount - 1
	}
	if start >= vectorLen {
		start = vectorLen - 1
		end = vectorLen - 2
	}
	if end >= vectorLen {
		end = vectorLen - 1
	}
	if (typ == keyspace.TypeZSet || typ == keyspace.TypeList) && dontSort && (start != 0 || end != vectorLen-1) {
		vectorLen = end - start + 1
	}

	vector := make([]sortItem, 0, max(vectorLen, 0))
	// Copies are never nil: a nil cmp marks a missing BY key.
	own := func(b []byte) []byte { return append(make([]byte, 0, len(b)), b...) }
	switch {
	case e == nil:
	case typ == keyspace.TypeList && dontSort:
		if end >= start {
			l := e.Obj.(*types.List)
			from := start
			if order.desc {
				from = int64(l.Len()) - start - 1
			}
			it := l.Iter(int(from), !order.desc)
			for int64(len(vector)) < vectorLen {
				v, ok := it.Next()
				if !ok {
					break
				}
				vector = append(vector, sortItem{obj: own(v)})
			}
			end -= start
			start = 0
		}
	case typ == keyspace.TypeList:
		e.Obj.(*types.List).Each(func(v []byte) bool {
			vector = append(vector, sortItem{obj: own(v)})
			return true
		})
	case typ == keyspace.TypeSet:
		e.Obj.(*types.Set).Each(func(m []byte) bool {
			vector = append(vector, sortItem{obj: own(m)})
			return true
		})
	case dontSort:
		if vectorLen > 0 {
			z.RangeByRank(int(start), int(start+vectorLen-1), order.desc, func(m []byte, _ float64) bool {
				vector = append(vector, sortItem{obj: own(m)})
				return true
			})
		}
		end -= start
		start = 0
	default:
		z.Each(func(m []byte, _ float64) bool {
			vector = append(vector, sortItem{obj: own(m)})
			return true
		})
	}

	convErr := false
	var keyBuf []byte
	if !dontSort {
		for j := range vector {
			byval := vector[j].obj
			if sortBy != nil {
				v, ok := sortLookupPattern(c, sortBy, vector[j].obj, &keyBuf)
				if !ok {
					continue
				}
				byval = v
			}
			if order.alpha {
				if sortBy != nil {
					vector[j].cmp = own(byval)
				}
				continue
			}
			s, ok := sortParseScore(byval)
			if !ok {
				convErr = true
			}
			vector[j].score = s
		}
		order.byPattern = sortBy != nil
		order.store = storeKey != nil
		if sortBy != nil && (start != 0 || end != int64(len(vector))-1) {
			sortPartial(vector, order.compare, int(start), int(end))
		} else {
			slices.SortStableFunc(vector, func(a, b sortItem) int { return order.compare(&a, &b) })
		}
	}

	outLen := end - start + 1
	if len(gets) > 0 {
		outLen *= int64(len(gets))
	}
	switch {
	case convErr:
		c.Error(rerr.SortNotDouble)
	case storeKey == nil:
		c.Array(int(outLen))
		for j := start; j <= end; j++ {
			if len(gets) == 0 {
				c.Bulk(vector[j].obj)
			}
			for _, pat := range gets {
				if v, ok := sortLookupPattern(c, pat, vector[j].obj, &keyBuf); ok {
					c.Bulk(v)
				} else {
					c.Null()
				}
			}
		}
	default:
		sortStore(c, storeKey, vector, start, end, gets, outLen)
	}
}

// sortStore stores the sorted range (or its GET values, "" for missing
// ones) at dst as a list; an empty result deletes dst.
func sortStore(c *Client, dst []byte, vector []sortItem, start, end int64, gets [][]byte, outLen int64) {
	if outLen <= 0 {
		if c.DB.Delete(dst) {
			c.Modified(dst, 1)
			c.Notify(NotifyGeneric, "del", dst)
		}
		c.Int(0)
		return
	}
	fill := c.Core.Limits.ListMaxListpackSize
	l := types.NewList()
	var keyBuf []byte
	for j := start; j <= end; j++ {
		if len(gets) == 0 {
			l.Push(vector[j].obj, false, fill)
		}
		for _, pat := range gets {
			v, _ := sortLookupPattern(c, pat, vector[j].obj, &keyBuf)
			l.Push(v, false, fill)
		}
	}
	if e := lookupKey(c, c.DB, dst, true, true); e == nil {
		e = c.DB.Add(dst, keyspace.TypeList)
		e.Obj = l
		added(c, c.DB, dst)
	} else {
		e.Type = keyspace.TypeList
		e.Obj = l
		e.Str = nil
		e.Enc = 0
		c.DB.Persist(e)
	}
	c.Modified(dst, outLen)
	c.Notify(NotifyList, "sortstore", dst)
	c.Int(outLen)
}

// sortPartial sorts a enough that positions lo..hi hold what a full sort
// would put there, as Redis's pqsort (Bentley and McIlroy's quicksort
// that skips the partitions outside lo..hi). Equal elements end in the
// same order as there, which callers rely on to match Redis's replies.
func sortPartial[T any](a []T, cmp func(x, y *T) int, lo, hi int) {
	sortPQ(a, 0, len(a), cmp, lo, hi)
}

// sortMed3 returns the index of the median of a[i], a[j], a[k].
func sortMed3[T any](a []T, i, j, k int, cmp func(x, y *T) int) int {
	if cmp(&a[i], &a[j]) < 0 {
		switch {
		case cmp(&a[j], &a[k]) < 0:
			return j
		case cmp(&a[i], &a[k]) < 0:
			return k
		}
		return i
	}
	switch {
	case cmp(&a[j], &a[k]) > 0:
		return j
	case cmp(&a[i], &a[k]) < 0:
		return i
	}
	return k
}

// sortPQ partially sorts the n elements at a[base:].
func sortPQ[T any](a []T, base, n int, cmp func(x, y *T) int, lo, hi int) {
	for {
		if n < 7 {
			for m := base + 1; m < base+n; m++ {
				for p := m; p > base && cmp(&a[p-1], &a[p]) > 0; p-- {
					a[p], a[p-1] = a[p-1], a[p]
				}
			}
			return
		}
		pm := base + n/2
		if n > 7 {
			pl, pn := base, base+n-1
			if n > 40 {
				d := n / 8
				pl = sortMed3(a, pl, pl+d, pl+2*d, cmp)
				pm = sortMed3(a, pm-d, pm, pm+d, cmp)
				pn = sortMed3(a, pn-2*d, pn-d, pn, cmp)
			}
			pm = sortMed3(a, pl, pm, pn, cmp)
		}
		a[base], a[pm] = a[pm], a[base]
		pa, pb := base+1, base+1
		pc, pd := base+n-1, base+n-1
		for {
			for pb <= pc {
				r := cmp(&a[pb], &a[base])
				if r > 0 {
					break
				}
				if r == 0 {
					a[pa], a[pb] = a[pb], a[pa]
					pa++
				}
				pb++
			}
			for pb <= pc {
				r := cmp(&a[pc], &a[base])
				if r < 0 {
					break
				}
				if r == 0 {
					a[pc], a[pd] = a[pd], a[pc]
					pd--
				}
				pc--
			}
			if pb > pc {
				break
			}
			a[pb], a[pc] = a[pc], a[pb]
			pb++
			pc--
		}
		pn := base + n
		s := min(pa-base, pb-pa)
		sortVecSwap(a, base, pb-s, s)
		s = min(pd-pc, pn-pd-1)
		sortVecSwap(a, pb, pn-s, s)
		if s = pb - pa; s > 1 && sortOverlaps(base, s, lo, hi) {
			sortPQ(a, base, s, cmp, lo, hi)
		}
		s = pd - pc
		if s <= 1 {
			return
		}
		base, n = pn-s, s
		if !sortOverlaps(base, n, lo, hi) {
			return
		}
	}
}

// sortOverlaps reports whether a[base:base+n] may hold a position of
// lo..hi (pqsort's range test).
func sortOverlaps(base, n, lo, hi int) bool {
	last := base + n - 1
	return !(lo < base && hi < base || lo > last && hi > last)
}

// sortVecSwap swaps the n elements at i with the n elements at j.
func sortVecSwap[T any](a []T, i, j, n int) {
	for k := 0; k < n; k++ {
		a[i+k], a[j+k] = a[j+k], a[i+k]
	}
}
