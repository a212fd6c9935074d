package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// Bitmap commands, as Redis 7.0's bitops.c behaves. The bit arithmetic
// lives in internal/types (strings.go).

func init() {
	Register("setbit", setbitCommand)
	Register("getbit", getbitCommand)
	Register("bitcount", bitcountCommand)
	Register("bitpos", bitposCommand)
	Register("bitop", bitopCommand)
	Register("bitfield", bitfieldCommand)
	Register("bitfield_ro", bitfieldROCommand)
}

// bitOffset parses a bit offset as getBitOffsetFromArgument: with hash,
// "#n" means n*width. Offsets whose byte lies beyond proto-max-bulk-len
// are refused.
func (c *Client) bitOffset(arg []byte, hash bool, width int) (uint64, bool) {
	useHash := hash && len(arg) > 0 && arg[0] == '#'
	if useHash {
		arg = arg[1:]
	}
	v, ok := types.ParseInt(arg)
	if ok && useHash {
		v *= int64(width) // wraps as in Redis
	}
	if !ok || v < 0 || !c.mustObey() && v>>3 >= c.Core.Limits.ProtoMaxBulkLen {
		c.Error(rerr.BitOffset)
		return 0, false
	}
	return uint64(v), true
}

// bitTarget returns the string at key made long enough to hold bit maxBit,
// creating it when absent (lookupStringForBitCommand); grown reports
// whether the key was created or lengthened. The value becomes raw.
func (c *Client) bitTarget(key []byte, maxBit uint64) (e *keyspace.Entry, grown, ok bool) {
	e, ok = c.LookupType(key, keyspace.TypeString)
	if !ok {
		return nil, false, false
	}
	if e == nil {
		e = c.addKey(key)
	}
	e.Enc = keyspace.EncRaw
	if need := int(maxBit>>3) + 1; need > len(e.Str) {
		e.Str = append(e.Str, make([]byte, need-len(e.Str))...)
		grown = true
	}
	return e, grown, true
}

func setbitCommand(c *Client) {
	key := c.Argv[1]
	off, ok := c.bitOffset(c.Argv[2], false, 0)
	if !ok {
		return
	}
	on, ok := types.ParseInt(c.Argv[3])
	if !ok || on&^1 != 0 {
		c.Error(rerr.BitValue)
		return
	}
	e, grown, ok := c.bitTarget(key, off)
	if !ok {
		return
	}
	old := types.SetBit(e.Str, off, byte(on))
	if grown || int64(old) != on {
		c.Modified(key, 1)
		c.Notify(NotifyString, "setbit", key)
	}
	c.Int(int64(old))
}

func getbitCommand(c *Client) {
	off, ok := c.bitOffset(c.Argv[2], false, 0)
	if !ok {
		return
	}
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	c.Int(int64(types.GetBit(e.Str, off)))
}

// clampRange applies Redis 7.0's BITCOUNT/BITPOS range rules to
// [start, end] over total units: negative indexes count from the end,
// then both are clamped into the string. ok is false when the range is
// empty.
func clampRange(start, end, total int64) (int64, int64, bool) {
	if start < 0 {
		start += total
	}
	if end < 0 {
		end += total
	}
	start, end = max(start, 0), max(end, 0)
	if end >= total {
		end = total - 1
	}
	return start, end, start <= end
}

// parseBitUnit parses the BYTE|BIT argument of BITCOUNT and BITPOS.
func (c *Client) parseBitUnit(arg []byte) (isBit, ok bool) {
	switch {
	case equalFold(arg, "bit"):
		return true, true
	case equalFold(arg, "byte"):
		return false, true
	}
	c.Error(rerr.Syntax)
	return false, false
}

func bitcountCommand(c *Client) {
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		c.Int(0)
		return
	}
	s := e.Str
	argc := len(c.Argv)
	switch argc {
	case 2:
		c.Int(types.CountBits(s, 0, int64(len(s))*8-1))
		return
	case 4, 5:
	default:
		c.Error(rerr.Syntax)
		return
	}
	start, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	end, ok := types.ParseInt(c.Argv[3])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	isBit := false
	if argc == 5 {
		if isBit, ok = c.parseBitUnit(c.Argv[4]); !ok {
			return
		}
	}
	if start < 0 && end < 0 && start > end {
		// Two negative indexes out of order count nothing, even when both
		// would clamp to the first unit (BITPOS has no such rule).
		c.Int(0)
		return
	}
	total := int64(len(s))
	if isBit {
		total *= 8
	}
	start, end, ok = clampRange(start, end, total)
	switch {
	case !ok:
		c.Int(0)
	case isBit:
		c.Int(types.CountBits(s, start, end))
	default:
		c.Int(types.CountBits(s, start*8, end*8+7))
	}
}

func bitposCommand(c *Client) {
	bit, ok := types.ParseInt(c.Argv[2])
	if !ok {
		c.Error(rerr.NotInteger)
		return
	}
	if bit&^1 != 0 {
		c.Error(rerr.BitArgument)
		return
	}
	e, ok := c.LookupType(c.Argv[1], keyspace.TypeString)
	if !ok {
		return
	}
	if e == nil {
		// A missing key is an endless run of zeros.
		c.Int(-bit)
		return
	}
	s := e.Str
	argc := len(c.Argv)
	if argc > 6 {
		c.Error(rerr.Syntax)
		return
	}
	start, end := int64(0), int64(len(s))-1
	isBit, endGiven := false, false
	if argc >= 4 {
		if start, ok = types.ParseInt(c.Argv[3]); !ok {
			c.Error(rerr.NotInteger)
			return
		}
		if argc == 6 {
			if isBit, ok = c.parseBitUnit(c.Argv[5]); !ok {
				return
			}
		}
		total := int64(len(s))
		if isBit {
			total *= 8
		}
		end = total - 1
		if argc >= 5 {
			if end, ok = types.ParseInt(c.Argv[4]); !ok {
				c.Error(rerr.NotInteger)
				return
			}
			endGiven = true
		}
		if start, end, ok = clampRange(start, end, total); !ok {
			c.Int(-1)
			return
		}
	} else if len(s) == 0 {
		c.Int(-1)
		return
	}
	if !isBit {
		start, end = start*8, end*8+7
	}
	pos := types.FindBit(s, byte(bit), start, end)
	if pos == -1 && bit == 0 && !endGiven {
		// Without an explicit end the string is zero-padded on the right.
		pos = int64(len(s)) * 8
	}
	c.Int(pos)
}

func bitopCommand(c *Client) {
	var op types.BitOp
	switch opName := c.Argv[1]; {
	case equalFold(opName, "and"):
		op = types.BitAnd
	case equalFold(opName, "or"):
		op = types.BitOr
	case equalFold(opName, "xor"):
		op = types.BitXor
	case equalFold(opName, "not"):
		op = types.BitNot
	default:
		c.Error(rerr.Syntax)
		return
	}
	if op == types.BitNot && len(c.Argv) != 4 {
		c.Error(rerr.BitopNotSingle)
		return
	}
	dest := c.Argv[2]
	srcs := make([][]byte, 0, len(c.Argv)-3)
	for _, key := range c.Argv[3:] {
		e, ok := c.LookupType(key, keyspace.TypeString)
		if !ok {
			return
		}
		var s []byte
		if e != nil {
			s = e.Str
		}
		srcs = append(srcs, s)
	}
	res := types.ApplyBitOp(nil, op, srcs)
	if len(res) > 0 {
		e := c.DB.Lookup(dest)
		if e == nil {
			e = c.addKey(dest)
		} else {
			if e.Type != keyspace.TypeString {
				e.Type = keyspace.TypeString
				e.Obj = nil
			}
			c.DB.Persist(e)
		}
		e.Str = res
		e.Enc = keyspace.EncRaw
		c.Modified(dest, 1)
		c.Notify(NotifyString, "set", dest)
	} else if c.DB.Delete(dest) {
		c.Modified(dest, 1)
		c.Notify(NotifyGeneric, "del", dest)
	}
	c.Int(int64(len(res)))
}

// bitfieldOp is one parsed GET, SET or INCRBY of BITFIELD.
type bitfieldOp struct {
	write  bool // SET or INCRBY
	incr   bool // INCRBY
	signed bool
	width  int
	off    uint64
	val    int64
	ow     types.Overflow
}

func bitfieldCommand(c *Client) { bitfieldGeneric(c, false) }

func bitfieldROCommand(c *Client) { bitfieldGeneric(c, true) }

// bitfieldType parses a field type: "i1".."i64" or "u1".."u63", lower
// case only, as Redis accepts.
func bitfieldType(arg []byte) (signed bool, width int, ok bool) {
	if len(arg) == 0 || arg[0] != 'i' && arg[0] != 'u' {
		return false, 0, false
	}
	signed = arg[0] == 'i'
	n, ok := types.ParseInt(arg[1:])
	if !ok || n < 1 || signed && n > 64 || !signed && n > 63 {
		return false, 0, false
	}
	return signed, int(n), true
}

func bitfieldGeneric(c *Client, readOnly bool) {
	argv := c.Argv
	var opsBuf [8]bitfieldOp
	ops := opsBuf[:0]
	ow := types.OverflowWrap
	writes := false
	var highest uint64
	for j := 2; j < len(argv); j++ {
		rest := len(argv) - j - 1
		var op bitfieldOp
		switch sub := argv[j]; {
		case equalFold(sub, "get") && rest >= 2:
		case equalFold(sub, "set") && rest >= 3:
			op.write = true
		case equalFold(sub, "incrby") && rest >= 3:
			op.write, op.incr = true, true
		case equalFold(sub, "overflow") && rest >= 1:
			j++
			switch name := argv[j]; {
			case equalFold(name, "wrap"):
				ow = types.OverflowWrap
			case equalFold(name, "sat"):
				ow = types.OverflowSat
			case equalFold(name, "fail"):
				ow = types.OverflowFail
			default:
				c.Error(rerr.BitfieldOverflow)
				return
			}
			continue
		default:
			c.Error(rerr.Syntax)
			return
		}
		var ok bool
		if op.signed, op.width, ok = bitfieldType(argv[j+1]); !ok {
			c.Error(rerr.BitfieldType)
			return
		}
		if op.off, ok = c.bitOffset(argv[j+2], true, op.width); !ok {
			return
		}
		j += 2
		if op.write {
			j++
			if op.val, ok = types.ParseInt(argv[j]); !ok {
				c.Error(rerr.NotInteger)
				return
			}
			writes = true
			highest = max(highest, op.off+uint64(op.width)-1)
		}
		op.ow = ow
		ops = append(ops, op)
	}

	key := argv[1]
	var e *keyspace.Entry
	grown := false
	if !writes {
		var ok bool
		if e, ok = c.LookupType(key, keyspace.TypeString); !ok {
			return
		}
	} else {
		if readOnly {
			c.Error(rerr.BitfieldReadOnly)
			return
		}
		var ok bool
		if e, grown, ok = c.bitTarget(key, highest); !ok {
			return
		}
	}
	var s []byte
	if e != nil {
		s = e.Str
	}

	c.Array(len(ops))
	changes := int64(0)
	for _, op := range ops {
		raw := types.GetBitfield(s, op.off, op.width)
		if !op.write {
			if op.signed {
				c.Int(types.SignExtend(raw, op.width))
			} else {
				c.Int(int64(raw))
			}
			continue
		}
		var stored uint64
		var reply int64
		var overflow bool
		if op.signed {
			old := types.SignExtend(raw, op.width)
			var v int64
			if op.incr {
				v, overflow = types.SignedField(old, op.val, op.width, op.ow)
				reply = v
			} else {
				v, overflow = types.SignedField(op.val, 0, op.width, op.ow)
				reply = old
			}
			stored = uint64(v)
		} else {
			if op.incr {
				stored, overflow = types.UnsignedField(raw, op.val, op.width, op.ow)
				reply = int64(stored)
			} else {
				stored, overflow = types.UnsignedField(uint64(op.val), 0, op.width, op.ow)
				reply = int64(raw)
			}
		}
		if overflow && op.ow == types.OverflowFail {
			c.Null()
			continue
		}
		types.SetBitfield(s, op.off, op.width, stored)
		c.Int(reply)
		// As Redis 7.0: a write counts as a change when the key was
		// created or grown, or the field's bits differ.
		if grown || stored&widthMask(op.width) != raw {
			changes++
		}
	}
	if changes > 0 {
		c.Modified(key, changes)
		c.Notify(NotifyString, "setbit", key)
	}
}

// widthMask has the low width bits set.
func widthMask(width int) uint64 {
	if width >= 64 {
		return ^uint64(0)
	}
	return 1<<uint(width) - 1
}
