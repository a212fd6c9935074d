package command

import (
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/types"
)

// HyperLogLog commands, as Redis 7.0's hyperloglog.c behaves. An HLL is a
// plain string value in Redis's representation (see types/hll.go), so
// GET, SET, DUMP and RESTORE carry it unchanged.

func init() {
	Register("pfadd", pfaddCommand)
	Register("pfcount", pfcountCommand)
	Register("pfmerge", pfmergeCommand)
	Register("pfdebug", pfdebugCommand)
	Register("pfselftest", pfselftestCommand)
}

// hllCheck reports whether e holds an HLL, writing the error otherwise
// (isHLLObjectOrReply): WRONGTYPE for another type, the HLL variant of
// WRONGTYPE for a string that is not an HLL (an integer-encoded string
// never is).
func (c *Client) hllCheck(e *keyspace.Entry) bool {
	if e.Type != keyspace.TypeString {
		c.Error(wrongType)
		return false
	}
	if e.Enc == keyspace.EncInt || !types.HLLValid(e.Str) {
		c.Error(rerr.HLLWrongType)
		return false
	}
	return true
}

// hllUnshare makes the value of e writable, as dbUnshareStringValue turns
// an embstr into a raw string.
func hllUnshare(e *keyspace.Entry) { e.Enc = keyspace.EncRaw }

// hllCreate adds key holding an empty HLL and sends the "new" event.
func (c *Client) hllCreate(key []byte) *keyspace.Entry {
	e := c.addKey(key)
	e.Str = types.NewHLL()
	e.Enc = keyspace.EncRaw
	return e
}

func pfaddCommand(c *Client) {
	key := c.Argv[1]
	e := c.DB.LookupWrite(key)
	updated := int64(0)
	if e == nil {
		e = c.hllCreate(key)
		updated++
	} else {
		if !c.hllCheck(e) {
			return
		}
		hllUnshare(e)
	}
	sparseMax := c.Core.Limits.HLLSparseMaxBytes
	for _, ele := range c.Argv[2:] {
		b, changed, ok := types.HLLAdd(e.Str, ele, sparseMax)
		e.Str = b
		if !ok {
			c.Error(rerr.HLLInvalid)
			return
		}
		if changed {
			updated++
		}
	}
	if updated == 0 {
		c.Int(0)
		return
	}
	types.HLLInvalidateCache(e.Str)
	c.Modified(key, updated)
	c.Notify(NotifyString, "pfadd", key)
	c.Int(1)
}

func pfcountCommand(c *Client) {
	if len(c.Argv) > 2 {
		hllCountUnion(c)
		return
	}
	key := c.Argv[1]
	e := c.Lookup(key)
	if e == nil {
		c.Int(0)
		return
	}
	if !c.hllCheck(e) {
		return
	}
	hllUnshare(e)
	card, valid := types.HLLCachedCard(e.Str)
	if !valid {
		var ok bool
		card, ok = types.HLLCount(e.Str)
		if !ok {
			c.Error(rerr.HLLInvalid)
			return
		}
		// Caching changes the string, so the key counts as modified and
		// PFCOUNT is propagated, as Redis does.
		types.HLLSetCachedCard(e.Str, card)
		c.Modified(key, 1)
	}
	c.Int(int64(card))
}

// hllCountUnion answers PFCOUNT with several keys: the cardinality of
// their union, computed without touching any of them.
func hllCountUnion(c *Client) {
	var regs [types.HLLRegisters]uint8 // 16 KiB on the stack
	for _, key := range c.Argv[1:] {
		e := c.Lookup(key)
		if e == nil {
			continue
		}
		if !c.hllCheck(e) {
			return
		}
		if !types.HLLMergeInto(&regs, e.Str) {
			c.Error(rerr.HLLInvalid)
			return
		}
	}
	c.Int(int64(types.HLLCountRegisters(&regs)))
}

func pfmergeCommand(c *Client) {
	var regs [types.HLLRegisters]uint8
	dense := false
	// The destination is merged too: it is the first key.
	for _, key := range c.Argv[1:] {
		e := c.Lookup(key)
		if e == nil {
			continue
		}
		if !c.hllCheck(e) {
			return
		}
		if !types.HLLIsSparse(e.Str) {
			dense = true
		}
		if !types.HLLMergeInto(&regs, e.Str) {
			c.Error(rerr.HLLInvalid)
			return
		}
	}
	key := c.Argv[1]
	e := c.DB.LookupWrite(key)
	if e == nil {
		e = c.hllCreate(key)
	} else {
		hllUnshare(e)
	}
	if dense {
		b, ok := types.HLLToDense(e.Str)
		if !ok {
			c.Error(rerr.HLLInvalid)
			return
		}
		e.Str = b
	}
	sparseMax := c.Core.Limits.HLLSparseMaxBytes
	for i, v := range &regs {
		if v != 0 {
			e.Str, _, _ = types.HLLSetRegister(e.Str, i, v, sparseMax)
		}
	}
	types.HLLInvalidateCache(e.Str)
	c.Modified(key, 1)
	c.Notify(NotifyString, "pfadd", key)
	c.Simple("OK")
}

// pfdebugCommand is PFDEBUG GETREG|DECODE|ENCODING|TODENSE key. The key is
// checked before the subcommand, as Redis does.
func pfdebugCommand(c *Client) {
	sub := c.Argv[1]
	e := c.DB.LookupWrite(c.Argv[2])
	if e == nil {
		c.Error(rerr.HLLNoKey)
		return
	}
	if !c.hllCheck(e) {
		return
	}
	hllUnshare(e)
	switch {
	case equalFold(sub, "getreg"):
		if types.HLLIsSparse(e.Str) {
			if !hllDebugToDense(c, e) {
				return
			}
		}
		var regs [types.HLLRegisters]uint8
		types.HLLRegisterValues(e.Str, &regs)
		c.Array(len(regs))
		for _, v := range &regs {
			c.Int(int64(v))
		}
	case equalFold(sub, "decode"):
		if !types.HLLIsSparse(e.Str) {
			c.Error(rerr.HLLNotSparse)
			return
		}
		c.Bulk(types.HLLAppendDecode(nil, e.Str))
	case equalFold(sub, "encoding"):
		if types.HLLIsSparse(e.Str) {
			c.Simple("sparse")
		} else {
			c.Simple("dense")
		}
	case equalFold(sub, "todense"):
		if !types.HLLIsSparse(e.Str) {
			c.Int(0)
			return
		}
		if hllDebugToDense(c, e) {
			c.Int(1)
		}
	default:
		c.Error(rerr.HLLUnknownDebug(string(sub)))
	}
}

// hllDebugToDense converts e to dense for GETREG and TODENSE; the change is
// counted as dirty (so it propagates) without touching WATCH, as Redis.
func hllDebugToDense(c *Client, e *keyspace.Entry) bool {
	b, ok := types.HLLToDense(e.Str)
	if !ok {
		c.Error(rerr.HLLInvalid)
		return false
	}
	e.Str = b
	c.Core.Dirty++
	return true
}

func pfselftestCommand(c *Client) {
	if !types.HLLSelfTest() {
		c.Error(rerr.HLLSelfTestFailed)
		return
	}
	c.Simple("OK")
}
