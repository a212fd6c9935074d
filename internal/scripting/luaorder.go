package scripting

import (
	lua "github.com/yuin/gopher-lua"
)

// Lua 5.1's iteration order for the encoders. Redis's cjson.encode,
// cmsgpack.pack and the RESP3 map and set replies walk a table with
// lua_next, so the order of an object's keys is the order of Lua 5.1's
// hash nodes; gopher-lua iterates in insertion order. For a table whose
// keys are all strings, tableKeys replays the insertions on a model of
// ltable.c's hash part (a power-of-two node array, main position by
// luaS_hash, collisions placed at the last free node with the resident
// moved when it is not in its own main position, a resize to the next
// power of two when no node is free, reinserting the old nodes from the
// last) and returns the keys in node order. The model starts from an empty
// table: a table built by a constructor whose size hint differs from that
// growth, or that lost keys, can still order colliding keys differently.
// Tables with other keys keep gopher-lua's order.

// luaStringHash is the string hash of Redis's Lua (luaS_newlstr): Lua
// 5.1's, over every byte (Redis hashes long strings whole, where Lua 5.1
// sampled one byte in len/32+1).
func luaStringHash(s string) uint32 {
	h := uint32(len(s))
	for l := len(s); l >= 1; l-- {
		h ^= (h << 5) + (h >> 2) + uint32(s[l-1])
	}
	return h
}

// hashModel is the hash part of a Lua 5.1 table with string keys.
type hashModel struct {
	keys     []string
	hashes   []uint32
	used     []bool
	next     []int // index of the next node in the chain, or -1
	lastFree int
}

func newHashModel(size int) *hashModel {
	m := &hashModel{keys: make([]string, size), hashes: make([]uint32, size), used: make([]bool, size), next: make([]int, size), lastFree: size}
	for i := range m.next {
		m.next[i] = -1
	}
	return m
}

func (m *hashModel) mainPosition(h uint32) int { return int(h & uint32(len(m.keys)-1)) }

// freePos is getfreepos: the last free node below lastFree, or -1.
func (m *hashModel) freePos() int {
	for m.lastFree > 0 {
		m.lastFree--
		if !m.used[m.lastFree] {
			return m.lastFree
		}
	}
	return -1
}

// insert is newkey; false when the table must grow first.
func (m *hashModel) insert(key string, h uint32) bool {
	if len(m.keys) == 0 {
		return false
	}
	mp := m.mainPosition(h)
	if m.used[mp] {
		n := m.freePos()
		if n < 0 {
			return false
		}
		other := m.mainPosition(m.hashes[mp])
		if other != mp {
			// The resident is out of its main position: move it to
			// the free node, mend its chain, and take its place.
			for m.next[other] != mp {
				other = m.next[other]
			}
			m.next[other] = n
			m.keys[n], m.hashes[n], m.used[n], m.next[n] = m.keys[mp], m.hashes[mp], true, m.next[mp]
			m.next[mp] = -1
		} else {
			m.next[n] = m.next[mp]
			m.next[mp] = n
			mp = n
		}
	}
	m.keys[mp], m.hashes[mp], m.used[mp] = key, h, true
	return true
}

// tableKeys returns t's keys in the order Lua 5.1's lua_next would give
// them when all are strings, else in gopher-lua's order.
func tableKeys(t *lua.LTable) []lua.LValue {
	var keys []lua.LValue
	allStrings := true
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		keys = append(keys, k)
		if _, ok := k.(lua.LString); !ok {
			allStrings = false
		}
	}
	if !allStrings || len(keys) < 2 {
		return keys
	}
	m := newHashModel(0)
	count := 0
	for _, k := range keys {
		s := string(k.(lua.LString))
		h := luaStringHash(s)
		for !m.insert(s, h) {
			// rehash: the next power of two holding every key and the
			// new one, the old nodes reinserted from the last.
			size := 1
			for size < count+1 {
				size <<= 1
			}
			old := m
			m = newHashModel(size)
			for i := len(old.keys) - 1; i >= 0; i-- {
				if old.used[i] {
					m.insert(old.keys[i], old.hashes[i])
				}
			}
		}
		count++
	}
	out := keys[:0]
	for i, used := range m.used {
		if used {
			out = append(out, lua.LString(m.keys[i]))
		}
	}
	return out
}
