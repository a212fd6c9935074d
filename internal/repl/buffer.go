package repl

import "sort"

// Buffer is Redis 7.0's shared replication buffer (replBufBlock,
// feedReplicationBuffer): the stream is written once into a list of
// reference-counted blocks that the backlog and every replica read from.
// The backlog holds the first block; each replica holds the block its
// next unsent byte is in. Blocks are dropped from the front only when the
// backlog is their last holder and it holds more than its size without
// them, so a slow replica makes the backlog outgrow repl-backlog-size (and
// a replica that reconnects may continue from anything still held),
// while two replicas never cost two copies.
//
// Offsets are stream offsets: the byte fed when master_repl_offset was N
// has offset N+1.
type Buffer struct {
	// blocks[head:] are the live blocks, oldest first; blocks[:head] are
	// trimmed slots awaiting compaction.
	blocks []*block
	head   int
	size   int64 // repl-backlog-size
	// histlen is the backlog's length: every byte of the live blocks.
	histlen int64
	end     int64 // offset of the last byte fed (master_repl_offset)
	mem     int64 // blocks' capacity plus per-block overhead
	nextID  int64
	// waiting are readers attached at the next byte to be fed.
	waiting []*Reader
}

// block is one replBufBlock: buf's length is what is used, its capacity
// the block's size.
type block struct {
	buf  []byte
	off  int64 // offset of buf[0]
	id   int64
	refs int
}

// Reader is a replica's place in the buffer (ref_repl_buf_node and
// ref_block_pos): the next byte it has not been sent.
type Reader struct {
	blk *block
	pos int
	// attached: the reader holds blk (or waits in Buffer.waiting for the
	// next byte fed).
	attached bool
}

// BlockOverhead is what each block costs beyond its bytes (Redis counts
// sizeof(listNode)+sizeof(replBufBlock)); it is part of Mem and of a
// replica's output memory.
const BlockOverhead = 64

// MinBlock is the smallest block (PROTO_REPLY_CHUNK_BYTES); the largest is
// the backlog size / 16 when that is more, so big writes are split into
// blocks the backlog can trim one by one.
const MinBlock = 16 << 10

// MinSize is the smallest backlog (CONFIG_REPL_BACKLOG_MIN_SIZE).
const MinSize = 16 << 10

// TrimBlocksPerCall bounds the blocks one Trim frees
// (REPL_BACKLOG_TRIM_BLOCKS_PER_CALL), so dropping a replica that held a
// long tail never stalls the server.
const TrimBlocksPerCall = 64

// NewBuffer returns an empty buffer whose backlog keeps size bytes and
// whose next byte has offset end+1.
func NewBuffer(size int64, end int64) *Buffer {
	return &Buffer{size: max(size, MinSize), end: end}
}

// SetSize changes repl-backlog-size; the excess goes with the next trims.
func (b *Buffer) SetSize(size int64) {
	b.size = max(size, MinSize)
	b.Trim(TrimBlocksPerCall)
}

// Histlen is the number of bytes the backlog holds (repl_backlog_histlen).
func (b *Buffer) Histlen() int64 { return b.histlen }

// FirstByte is the offset of the oldest byte held
// (repl_backlog_first_byte_offset).
func (b *Buffer) FirstByte() int64 { return b.end - b.histlen + 1 }

// Mem is the memory of every block (mem_total_replication_buffers).
func (b *Buffer) Mem() int64 { return b.mem }

// Has reports whether every byte from offset on is held (offset may be
// end+1: nothing to send).
func (b *Buffer) Has(offset int64) bool {
	return offset >= b.FirstByte() && offset <= b.end+1
}

func (b *Buffer) live() []*block { return b.blocks[b.head:] }

func (b *Buffer) tail() *block {
	if b.head == len(b.blocks) {
		return nil
	}
	return b.blocks[len(b.blocks)-1]
}

// Feed appends p to the stream. It reports whether a block was added,
// when Redis checks replicas' output limits.
func (b *Buffer) Feed(p []byte) (grew bool) {
	for len(p) > 0 {
		t := b.tail()
		if t == nil || len(t.buf) == cap(t.buf) {
			n := min(max(int64(len(p)), MinBlock), max(b.size/16, MinBlock))
			t = &block{buf: make([]byte, 0, n), off: b.end + 1, id: b.nextID}
			b.nextID++
			if len(b.live()) == 0 {
				t.refs++ // the backlog's
			}
			b.blocks = append(b.blocks, t)
			b.mem += int64(cap(t.buf)) + BlockOverhead
			grew = true
		}
		n := min(len(p), cap(t.buf)-len(t.buf))
		if len(b.waiting) > 0 {
			for _, r := range b.waiting {
				r.blk, r.pos = t, len(t.buf)
				t.refs++
			}
			clear(b.waiting)
			b.waiting = b.waiting[:0]
		}
		t.buf = append(t.buf, p[:n]...)
		p = p[n:]
		b.end += int64(n)
		b.histlen += int64(n)
	}
	if grew {
		b.Trim(TrimBlocksPerCall)
	}
	return grew
}

// Trim drops up to max blocks from the front that only the backlog holds
// while it would still hold its size without them
// (incrementalTrimReplicationBacklog). The last block always stays.
func (b *Buffer) Trim(max int) {
	for n := 0; n < max && b.histlen > b.size && len(b.blocks)-b.head > 1; n++ {
		first := b.blocks[b.head]
		if first.refs != 1 || b.histlen-int64(len(first.buf)) <= b.size {
			break
		}
		b.histlen -= int64(len(first.buf))
		b.mem -= int64(cap(first.buf)) + BlockOverhead
		first.refs = 0
		b.blocks[b.head] = nil
		b.head++
		b.blocks[b.head].refs++
	}
	if b.head > 0 && b.head*2 >= len(b.blocks) {
		n := copy(b.blocks, b.blocks[b.head:])
		clear(b.blocks[n:])
		b.blocks = b.blocks[:n]
		b.head = 0
	}
}

// find returns the index in blocks of the live block holding offset.
func (b *Buffer) find(offset int64) int {
	live := b.live()
	i := sort.Search(len(live), func(i int) bool { return live[i].off > offset }) - 1
	return b.head + i
}

// Attach places r at offset, which Has must accept: offset end+1 makes r
// wait for the next byte fed. A reader already attached is moved.
func (b *Buffer) Attach(r *Reader, offset int64) {
	b.Detach(r)
	r.attached = true
	if offset == b.end+1 {
		if t := b.tail(); t != nil && len(t.buf) < cap(t.buf) {
			r.blk, r.pos = t, len(t.buf)
			t.refs++
			return
		}
		b.waiting = append(b.waiting, r)
		return
	}
	blk := b.blocks[b.find(offset)]
	r.blk, r.pos = blk, int(offset-blk.off)
	blk.refs++
}

// AttachAtEnd places r at the next byte to be fed.
func (b *Buffer) AttachAtEnd(r *Reader) { b.Attach(r, b.end+1) }

// Share places r where o is (copyReplicaOutputBuffer).
func (b *Buffer) Share(r, o *Reader) {
	if !o.attached {
		b.Detach(r)
		return
	}
	if o.blk == nil {
		b.AttachAtEnd(r)
		return
	}
	b.Detach(r)
	r.attached = true
	r.blk, r.pos = o.blk, o.pos
	r.blk.refs++
}

// Detach releases r's hold (freeReplicaReferencedReplBuffer); the blocks
// only it kept go with the next trims.
func (b *Buffer) Detach(r *Reader) {
	if !r.attached {
		return
	}
	r.attached = false
	if r.blk == nil {
		for i, w := range b.waiting {
			if w == r {
				b.waiting = append(b.waiting[:i], b.waiting[i+1:]...)
				break
			}
		}
		return
	}
	r.blk.refs--
	r.blk, r.pos = nil, 0
	b.Trim(TrimBlocksPerCall)
}

// Attached reports whether r holds a place in the buffer.
func (r *Reader) Attached() bool { return r.attached }

// Advance moves r past n sent bytes, handing its hold to the block it
// reaches (as _writeToClient does after each write).
func (b *Buffer) Advance(r *Reader, n int64) {
	if n == 0 || r.blk == nil {
		return
	}
	i := b.find(r.blk.off + int64(r.pos) + n - 1)
	if nb := b.blocks[i]; nb == r.blk {
		r.pos += int(n)
	} else {
		r.blk.refs--
		nb.refs++
		r.blk, r.pos = nb, int(r.blk.off+int64(r.pos)+n-nb.off)
	}
	if r.pos == len(r.blk.buf) && r.blk != b.tail() {
		// The block is all sent: hold the next one.
		next := b.blocks[b.find(r.blk.off+int64(r.pos))]
		r.blk.refs--
		next.refs++
		r.blk, r.pos = next, 0
	}
	b.Trim(TrimBlocksPerCall)
}

// Pending is the number of bytes fed that r has not been sent.
func (b *Buffer) Pending(r *Reader) int64 {
	if r.blk == nil {
		return 0
	}
	return b.end + 1 - (r.blk.off + int64(r.pos))
}

// Memory is what r's unsent stream holds (getClientOutputBufferMemoryUsage
// for a replica): every block from r's to the last, whole, with their
// overhead.
func (b *Buffer) Memory(r *Reader) int64 {
	if r.blk == nil {
		return 0
	}
	t := b.tail()
	return t.off + int64(cap(t.buf)) - r.blk.off + (t.id-r.blk.id+1)*BlockOverhead
}

// AppendSegments appends to dst the unsent bytes of r as slices of the
// blocks, at most limit bytes: the caller may write them without holding
// whatever guards b, since fed bytes never change and further feeds only
// write past them.
func (b *Buffer) AppendSegments(dst [][]byte, r *Reader, limit int64) [][]byte {
	if r.blk == nil {
		return dst
	}
	live := b.live()
	for i := b.find(r.blk.off) - b.head; i < len(live) && limit > 0; i++ {
		seg := live[i].buf
		if live[i] == r.blk {
			seg = seg[r.pos:]
		}
		if int64(len(seg)) > limit {
			seg = seg[:limit]
		}
		if len(seg) > 0 {
			dst = append(dst, seg)
			limit -= int64(len(seg))
		}
	}
	return dst
}
