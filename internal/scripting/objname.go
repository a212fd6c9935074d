package scripting

import (
	lua "github.com/yuin/gopher-lua"
)

// Naming the value a type error is about, as ldebug.c's getobjname: Lua
// says "attempt to call field 'f' (a nil value)" where it can tell which
// local, global, field, method or upvalue the failing instruction read.
// gopher-lua does not expose the failing instruction, only its line, so a
// name is given when that line of the calling function holds exactly one
// instruction of the failing kind; otherwise the unnamed form stays.

// failingName returns the kind and name ("field", "f") of the register the
// one instruction of the wanted kind on the caller's current line uses, or
// "" when there is no single such instruction or no name.
// For indexing, key is the key that failed: an instruction with another
// constant key is not the one.
func failingName(L *lua.LState, kind string, key lua.LValue) (string, string) {
	dbg, ok := L.GetStack(1)
	if !ok {
		return "", ""
	}
	fnv, err := L.GetInfo("lf", dbg, lua.LNil)
	if err != nil {
		return "", ""
	}
	fn, ok := fnv.(*lua.LFunction)
	if !ok || fn.IsG || dbg.CurrentLine <= 0 {
		return "", ""
	}
	p := fn.Proto
	found, reg := -1, 0
	for pc, inst := range p.Code {
		if pc >= len(p.DbgSourcePositions) || p.DbgSourcePositions[pc] != dbg.CurrentLine {
			continue
		}
		r, match := instRegister(inst, kind)
		if !match || (kind == "index" && !keyMayBe(p, pc, key)) {
			continue
		}
		if found >= 0 {
			return "", "" // more than one candidate
		}
		found, reg = pc, r
	}
	if found < 0 {
		return "", ""
	}
	return objName(p, found, reg)
}

// instRegister reports whether inst is of the kind ("call", "index") and
// which register holds the value it operates on.
func instRegister(inst uint32, kind string) (int, bool) {
	op, a, b := int(inst>>26), int(inst>>18)&0xff, int(inst&0x1ff)
	switch kind {
	case "call":
		return a, op == lua.OP_CALL || op == lua.OP_TAILCALL
	case "index":
		switch op {
		case lua.OP_GETTABLE, lua.OP_GETTABLEKS, lua.OP_SELF:
			return b, true
		case lua.OP_SETTABLE, lua.OP_SETTABLEKS:
			return a, true
		}
	}
	return 0, false
}

// keyMayBe reports whether the indexing instruction at pc may have used
// key: its key is a constant equal to key, or a register not loaded with
// another constant just before.
func keyMayBe(p *lua.FunctionProto, pc int, key lua.LValue) bool {
	inst := p.Code[pc]
	op := int(inst >> 26)
	rk := int(inst>>9) & 0x1ff // C: GETTABLE, GETTABLEKS, SELF
	if op == lua.OP_SETTABLE || op == lua.OP_SETTABLEKS {
		rk = int(inst & 0x1ff) // B
	}
	k := rk & 0xff
	if rk&0x100 == 0 {
		// A register: the constant a LOADK right before put there.
		if pc == 0 {
			return true
		}
		prev := p.Code[pc-1]
		if int(prev>>26) != lua.OP_LOADK || int(prev>>18)&0xff != rk {
			return true
		}
		k = int(prev & 0x3ffff)
	}
	return k >= len(p.Constants) || p.Constants[k] == key
}

// objName is getobjname for register reg before instruction pc.
func objName(p *lua.FunctionProto, pc, reg int) (string, string) {
	if name := localName(p, pc, reg); name != "" {
		return "local", name
	}
	// The last instruction before pc that set reg.
	for i := pc - 1; i >= 0; i-- {
		inst := p.Code[i]
		op, a := int(inst>>26), int(inst>>18)&0xff
		b, c, bx := int(inst&0x1ff), int(inst>>9)&0x1ff, int(inst&0x3ffff)
		if a != reg {
			if op == lua.OP_JMP || op == lua.OP_CALL || op == lua.OP_TAILCALL || op == lua.OP_LOADNIL {
				return "", "" // control flow or a range write: give up
			}
			continue
		}
		switch op {
		case lua.OP_GETGLOBAL:
			return constantName(p, bx, "global")
		case lua.OP_GETTABLEKS, lua.OP_GETTABLE:
			if c&0x100 != 0 {
				return constantName(p, c&0xff, "field")
			}
		case lua.OP_SELF:
			if c&0x100 != 0 {
				return constantName(p, c&0xff, "method")
			}
		case lua.OP_GETUPVAL:
			if b < len(p.DbgUpvalues) {
				return "upvalue", p.DbgUpvalues[b]
			}
		case lua.OP_MOVE:
			if b < a {
				return objName(p, i, b)
			}
		}
		return "", ""
	}
	return "", ""
}

func constantName(p *lua.FunctionProto, k int, kind string) (string, string) {
	if k < len(p.Constants) {
		if s, ok := p.Constants[k].(lua.LString); ok {
			return kind, string(s)
		}
	}
	return "", ""
}

// localName is luaF_getlocalname: the name of the reg-th local active at
// pc.
func localName(p *lua.FunctionProto, pc, reg int) string {
	n := 0
	for _, l := range p.DbgLocals {
		if l.StartPc > pc {
			break
		}
		if pc <= l.EndPc {
			if n == reg {
				return l.Name
			}
			n++
		}
	}
	return ""
}
