package types

import (
	"slices"
	"strings"
)

// Consumer groups: a group's pending entries list (PEL) holds one NACK per
// delivered, not yet acknowledged entry, ordered by ID; each consumer's PEL
// holds the same NACKs it owns. Groups and consumers are kept sorted by
// name, the order Redis's radix trees give XINFO.

// StreamNACK is a pending entry (streamNACK).
type StreamNACK struct {
	ID StreamID
	// DeliveryTime is the unix ms of the last delivery.
	DeliveryTime int64
	// DeliveryCount is how many times the entry was delivered.
	DeliveryCount int64
	// Consumer owns the entry; nil only while XCLAIM FORCE creates it.
	Consumer *StreamConsumer
}

// StreamConsumer is a consumer of a group.
type StreamConsumer struct {
	Name string
	// SeenTime is the unix ms of the consumer's last activity.
	SeenTime int64
	PEL      PEL
}

// StreamGroup is a consumer group.
type StreamGroup struct {
	Name string
	// LastID is the last delivered ID.
	LastID StreamID
	// EntriesRead is the logical read counter, or InvalidEntriesRead.
	EntriesRead int64
	PEL         PEL
	consumers   []*StreamConsumer // sorted by name
}

// Groups returns the groups sorted by name; the slice must not be changed.
func (s *Stream) Groups() []*StreamGroup { return s.groups }

func searchGroup(gs []*StreamGroup, name []byte) (int, bool) {
	return slices.BinarySearchFunc(gs, name, func(g *StreamGroup, n []byte) int {
		return strings.Compare(g.Name, string(n))
	})
}

// Group returns the group named name, or nil.
func (s *Stream) Group(name []byte) *StreamGroup {
	if i, ok := searchGroup(s.groups, name); ok {
		return s.groups[i]
	}
	return nil
}

// CreateGroup adds a group (streamCreateCG); it returns nil when a group
// of that name exists.
func (s *Stream) CreateGroup(name []byte, last StreamID, entriesRead int64) *StreamGroup {
	i, ok := searchGroup(s.groups, name)
	if ok {
		return nil
	}
	g := &StreamGroup{Name: string(name), LastID: last, EntriesRead: entriesRead}
	s.groups = slices.Insert(s.groups, i, g)
	return g
}

// DestroyGroup removes the group named name and reports whether it existed.
func (s *Stream) DestroyGroup(name []byte) bool {
	i, ok := searchGroup(s.groups, name)
	if ok {
		s.groups = slices.Delete(s.groups, i, i+1)
	}
	return ok
}

// Consumers returns the consumers sorted by name; the slice must not be
// changed.
func (g *StreamGroup) Consumers() []*StreamConsumer { return g.consumers }

func (g *StreamGroup) searchConsumer(name []byte) (int, bool) {
	return slices.BinarySearchFunc(g.consumers, name, func(c *StreamConsumer, n []byte) int {
		return strings.Compare(c.Name, string(n))
	})
}

// Consumer returns the consumer named name, or nil.
func (g *StreamGroup) Consumer(name []byte) *StreamConsumer {
	if i, ok := g.searchConsumer(name); ok {
		return g.consumers[i]
	}
	return nil
}

// CreateConsumer adds a consumer seen at now; nil when it exists.
func (g *StreamGroup) CreateConsumer(name []byte, now int64) *StreamConsumer {
	i, ok := g.searchConsumer(name)
	if ok {
		return nil
	}
	c := &StreamConsumer{Name: string(name), SeenTime: now}
	g.consumers = slices.Insert(g.consumers, i, c)
	return c
}

// DeleteConsumer removes a consumer and its pending entries from the
// group's PEL (streamDelConsumer).
func (g *StreamGroup) DeleteConsumer(c *StreamConsumer) {
	for n := c.PEL.Seek(StreamID{}); n != nil; n = c.PEL.Next(n.ID) {
		g.PEL.Delete(n.ID)
	}
	if i, ok := g.searchConsumer([]byte(c.Name)); ok {
		g.consumers = slices.Delete(g.consumers, i, i+1)
	}
}

// Ack removes the pending entry id from the group and its consumer; it
// reports whether there was one.
func (g *StreamGroup) Ack(id StreamID) bool {
	n := g.PEL.Delete(id)
	if n == nil {
		return false
	}
	if n.Consumer != nil {
		n.Consumer.PEL.Delete(id)
	}
	return true
}

// Assign moves n to consumer c (both PELs are updated).
func (g *StreamGroup) Assign(n *StreamNACK, c *StreamConsumer) {
	if n.Consumer == c {
		return
	}
	if n.Consumer != nil {
		n.Consumer.PEL.Delete(n.ID)
	}
	n.Consumer = c
	c.PEL.Insert(n)
}

func (g *StreamGroup) memoryUsage() int {
	n := 64 + len(g.Name) + g.PEL.Len()*64
	for _, c := range g.consumers {
		n += 64 + len(c.Name) + c.PEL.Len()*8
	}
	return n
}

func (g *StreamGroup) dup() *StreamGroup {
	d := &StreamGroup{Name: g.Name, LastID: g.LastID, EntriesRead: g.EntriesRead}
	byName := make(map[*StreamConsumer]*StreamConsumer, len(g.consumers))
	for _, c := range g.consumers {
		nc := &StreamConsumer{Name: c.Name, SeenTime: c.SeenTime}
		byName[c] = nc
		d.consumers = append(d.consumers, nc)
	}
	for n := g.PEL.Seek(StreamID{}); n != nil; n = g.PEL.Next(n.ID) {
		m := *n
		m.Consumer = byName[n.Consumer]
		d.PEL.Insert(&m)
		if m.Consumer != nil {
			m.Consumer.PEL.Insert(&m)
		}
	}
	return d
}

// pelChunk is the largest run of NACKs kept in one chunk of a PEL.
const pelChunk = 128

// PEL is a set of NACKs ordered by ID: a sorted list of sorted chunks, so
// inserts and deletes anywhere cost O(chunk) and lookups O(log n).
type PEL struct {
	chunks [][]*StreamNACK
	n      int
}

// Len is the number of pending entries.
func (p *PEL) Len() int { return p.n }

// chunkFor returns the index of the chunk that holds or would hold id.
func (p *PEL) chunkFor(id StreamID) int {
	i, _ := slices.BinarySearchFunc(p.chunks, id, func(c []*StreamNACK, id StreamID) int {
		return c[len(c)-1].ID.Compare(id)
	})
	return i
}

func searchChunk(c []*StreamNACK, id StreamID) (int, bool) {
	return slices.BinarySearchFunc(c, id, func(n *StreamNACK, id StreamID) int {
		return n.ID.Compare(id)
	})
}

// Get returns the NACK of id, or nil.
func (p *PEL) Get(id StreamID) *StreamNACK {
	ci := p.chunkFor(id)
	if ci == len(p.chunks) {
		return nil
	}
	if j, ok := searchChunk(p.chunks[ci], id); ok {
		return p.chunks[ci][j]
	}
	return nil
}

// Insert adds n; it reports false (and changes nothing) when its ID is
// already present.
func (p *PEL) Insert(n *StreamNACK) bool {
	ci := p.chunkFor(n.ID)
	if ci == len(p.chunks) {
		if ci == 0 || len(p.chunks[ci-1]) >= pelChunk {
			p.chunks = append(p.chunks, make([]*StreamNACK, 0, 8))
		} else {
			ci--
		}
	}
	c := p.chunks[ci]
	j, ok := searchChunk(c, n.ID)
	if ok {
		return false
	}
	c = slices.Insert(c, j, n)
	if len(c) > pelChunk {
		half := len(c) / 2
		right := append(make([]*StreamNACK, 0, pelChunk), c[half:]...)
		clear(c[half:])
		c = c[:half]
		p.chunks = slices.Insert(p.chunks, ci+1, right)
	}
	p.chunks[ci] = c
	p.n++
	return true
}

// Delete removes id and returns its NACK, or nil.
func (p *PEL) Delete(id StreamID) *StreamNACK {
	ci := p.chunkFor(id)
	if ci == len(p.chunks) {
		return nil
	}
	c := p.chunks[ci]
	j, ok := searchChunk(c, id)
	if !ok {
		return nil
	}
	n := c[j]
	c = slices.Delete(c, j, j+1)
	if len(c) == 0 {
		p.chunks = slices.Delete(p.chunks, ci, ci+1)
	} else {
		p.chunks[ci] = c
	}
	p.n--
	return n
}

// Seek returns the first NACK with an ID >= id, or nil.
func (p *PEL) Seek(id StreamID) *StreamNACK {
	ci := p.chunkFor(id)
	if ci == len(p.chunks) {
		return nil
	}
	j, _ := searchChunk(p.chunks[ci], id)
	return p.chunks[ci][j]
}

// Next returns the first NACK with an ID > id, or nil.
func (p *PEL) Next(id StreamID) *StreamNACK {
	nid, ok := id.Incr()
	if !ok {
		return nil
	}
	return p.Seek(nid)
}

// First returns the NACK with the smallest ID, or nil.
func (p *PEL) First() *StreamNACK {
	if p.n == 0 {
		return nil
	}
	return p.chunks[0][0]
}

// Last returns the NACK with the largest ID, or nil.
func (p *PEL) Last() *StreamNACK {
	if p.n == 0 {
		return nil
	}
	c := p.chunks[len(p.chunks)-1]
	return c[len(c)-1]
}
