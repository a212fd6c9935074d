package repl

// Backlog is the replication backlog: a ring holding the last Size bytes
// of the stream, so a replica that lost its link can continue from its
// offset (Redis's repl_backlog). Offsets are stream offsets: the byte fed
// when master_repl_offset was N has offset N+1.
type Backlog struct {
	buf     []byte
	idx     int   // where the next byte goes
	histlen int   // bytes held
	first   int64 // offset of the oldest byte held
	end     int64 // offset of the last byte fed (master_repl_offset)
}

// NewBacklog returns an empty backlog of size bytes whose next byte has
// offset end+1.
func NewBacklog(size int, end int64) *Backlog {
	if size < 1 {
		size = 1
	}
	return &Backlog{buf: make([]byte, size), first: end + 1, end: end}
}

// Size is the backlog's capacity.
func (b *Backlog) Size() int { return len(b.buf) }

// Histlen is the number of bytes held (repl_backlog_histlen).
func (b *Backlog) Histlen() int { return b.histlen }

// FirstByte is the offset of the oldest byte held
// (repl_backlog_first_byte_offset).
func (b *Backlog) FirstByte() int64 { return b.first }

// Feed appends p to the stream, dropping the oldest bytes past Size.
func (b *Backlog) Feed(p []byte) {
	b.end += int64(len(p))
	if len(p) >= len(b.buf) {
		copy(b.buf, p[len(p)-len(b.buf):])
		b.idx = 0
		b.histlen = len(b.buf)
		b.first = b.end - int64(len(b.buf)) + 1
		return
	}
	n := copy(b.buf[b.idx:], p)
	if n < len(p) {
		copy(b.buf, p[n:])
	}
	b.idx = (b.idx + len(p)) % len(b.buf)
	b.histlen += len(p)
	if b.histlen > len(b.buf) {
		b.histlen = len(b.buf)
	}
	b.first = b.end - int64(b.histlen) + 1
}

// Resize changes the capacity, keeping the newest bytes that fit.
func (b *Backlog) Resize(size int) {
	if size < 1 {
		size = 1
	}
	if size == len(b.buf) {
		return
	}
	keep := b.histlen
	if keep > size {
		keep = size
	}
	nb := &Backlog{buf: make([]byte, size), first: b.end + 1, end: b.end - int64(keep)}
	nb.Feed(b.AppendFrom(nil, b.end-int64(keep)+1))
	*b = *nb
}

// Has reports whether every byte from offset on is held (offset may be
// end+1: nothing to send).
func (b *Backlog) Has(offset int64) bool {
	return offset >= b.first && offset <= b.end+1
}

// AppendFrom appends the bytes from offset to the end to dst. The caller
// checks Has(offset) first.
func (b *Backlog) AppendFrom(dst []byte, offset int64) []byte {
	if !b.Has(offset) {
		return dst
	}
	n := int(b.end - offset + 1)
	if n == 0 {
		return dst
	}
	start := (b.idx - n + len(b.buf)) % len(b.buf)
	if start+n <= len(b.buf) {
		return append(dst, b.buf[start:start+n]...)
	}
	dst = append(dst, b.buf[start:]...)
	return append(dst, b.buf[:n-(len(b.buf)-start)]...)
}
