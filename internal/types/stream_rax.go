package types

// RaxNodes is the node count of the radix tree Redis would hold for the
// stream's node keys (XINFO STREAM's radix-tree-nodes). Redis's rax is a
// compressed trie over the 16-byte big-endian master IDs: a node for the
// root, for each key's end, for each branching point and for each child
// of a branching point; runs without branches are one compressed node.
func (s *Stream) RaxNodes() int {
	if len(s.nodes) == 0 {
		return 1
	}
	keys := make([][16]byte, len(s.nodes))
	for i, n := range s.nodes {
		keys[i] = n.master.Key()
	}
	return raxCount(keys, 0)
}

// raxCount counts the nodes of the subtree at depth d (that position is
// a node) holding keys, which are sorted, distinct and share their first
// d bytes.
func raxCount(keys [][16]byte, d int) int {
	if d == 16 {
		return 1
	}
	if len(keys) == 1 {
		return 2 // a compressed node for the rest, then the key's leaf
	}
	// The longest common prefix of sorted keys is that of the first and
	// last.
	first, last := &keys[0], &keys[len(keys)-1]
	l := d
	for l < 16 && first[l] == last[l] {
		l++
	}
	if l > d {
		return 1 + raxCount(keys, l)
	}
	n := 1
	for i := 0; i < len(keys); {
		j := i + 1
		for j < len(keys) && keys[j][d] == keys[i][d] {
			j++
		}
		n += raxCount(keys[i:j], d+1)
		i = j
	}
	return n
}
