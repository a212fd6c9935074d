package cli

import (
	"encoding/binary"
	"math/bits"
)

// typeTable keeps --bigkeys' per-type statistics in the order redis-cli
// prints them. redis-cli keeps them in one of Redis's dicts (dict.c,
// hashed with SipHash-1-2 under an all-zero seed, as redis-cli never sets
// one) and prints them in that dict's iteration order, which depends on
// the incremental rehash done by each lookup. Reproducing the dict is the
// only way to print the summary lines in the same order.
type typeTable struct {
	t         [2][]*typeEntry
	used      [2]int
	rehashidx int // -1 when not rehashing
}

type typeEntry struct {
	info *typeInfo
	next *typeEntry
}

func newTypeTable() *typeTable { return &typeTable{rehashidx: -1} }

func (d *typeTable) rehashing() bool { return d.rehashidx != -1 }

// rehashStep is dictRehash(d, 1).
func (d *typeTable) rehashStep() {
	if !d.rehashing() {
		return
	}
	empty := 10
	if d.used[0] != 0 {
		for d.t[0][d.rehashidx] == nil {
			d.rehashidx++
			if empty--; empty == 0 {
				return
			}
		}
		for de := d.t[0][d.rehashidx]; de != nil; {
			next := de.next
			h := sipHash12([]byte(de.info.name)) & uint64(len(d.t[1])-1)
			de.next = d.t[1][h]
			d.t[1][h] = de
			d.used[0]--
			d.used[1]++
			de = next
		}
		d.t[0][d.rehashidx] = nil
		d.rehashidx++
	}
	if d.used[0] == 0 {
		d.t[0], d.used[0] = d.t[1], d.used[1]
		d.t[1], d.used[1] = nil, 0
		d.rehashidx = -1
	}
}

// add is dictAdd for a new name.
func (d *typeTable) add(ti *typeInfo) {
	if d.rehashing() {
		d.rehashStep()
	}
	if !d.rehashing() {
		switch size := len(d.t[0]); {
		case size == 0:
			d.t[0] = make([]*typeEntry, 4)
		case d.used[0] >= size:
			n := 4
			for n < d.used[0]+1 {
				n *= 2
			}
			d.t[1] = make([]*typeEntry, n)
			d.rehashidx = 0
		}
	}
	h := sipHash12([]byte(ti.name))
	table := 0
	if d.rehashing() {
		table = 1
	}
	idx := h & uint64(len(d.t[table])-1)
	d.t[table][idx] = &typeEntry{info: ti, next: d.t[table][idx]}
	d.used[table]++
}

// find is dictFind.
func (d *typeTable) find(name string) *typeInfo {
	if d.used[0]+d.used[1] == 0 {
		return nil
	}
	if d.rehashing() {
		d.rehashStep()
	}
	h := sipHash12([]byte(name))
	for table := 0; table <= 1; table++ {
		if len(d.t[table]) == 0 {
			break
		}
		for e := d.t[table][h&uint64(len(d.t[table])-1)]; e != nil; e = e.next {
			if e.info.name == name {
				return e.info
			}
		}
		if !d.rehashing() {
			break
		}
	}
	return nil
}

// all returns the entries in dictNext's order.
func (d *typeTable) all() []*typeInfo {
	var out []*typeInfo
	for table := 0; table <= 1; table++ {
		for _, e := range d.t[table] {
			for ; e != nil; e = e.next {
				out = append(out, e.info)
			}
		}
		if !d.rehashing() {
			break
		}
	}
	return out
}

// sipHash12 is Redis's siphash() (SipHash-1-2) with a zero key.
func sipHash12(in []byte) uint64 {
	v0 := uint64(0x736f6d6570736575)
	v1 := uint64(0x646f72616e646f6d)
	v2 := uint64(0x6c7967656e657261)
	v3 := uint64(0x7465646279746573)
	round := func() {
		v0 += v1
		v1 = bits.RotateLeft64(v1, 13)
		v1 ^= v0
		v0 = bits.RotateLeft64(v0, 32)
		v2 += v3
		v3 = bits.RotateLeft64(v3, 16)
		v3 ^= v2
		v0 += v3
		v3 = bits.RotateLeft64(v3, 21)
		v3 ^= v0
		v2 += v1
		v1 = bits.RotateLeft64(v1, 17)
		v1 ^= v2
		v2 = bits.RotateLeft64(v2, 32)
	}
	b := uint64(len(in)) << 56
	for len(in) >= 8 {
		m := binary.LittleEndian.Uint64(in)
		v3 ^= m
		round()
		v0 ^= m
		in = in[8:]
	}
	for i := len(in) - 1; i >= 0; i-- {
		b |= uint64(in[i]) << (8 * i)
	}
	v3 ^= b
	round()
	v0 ^= b
	v2 ^= 0xff
	round()
	round()
	return v0 ^ v1 ^ v2 ^ v3
}
