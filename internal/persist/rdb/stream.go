package rdb

import (
	"shoal/internal/encoding"
	"shoal/internal/types"
)

// Stream entry flags inside a node listpack (STREAM_ITEM_FLAG_*).
const (
	streamFlagDeleted    = 1
	streamFlagSameFields = 2
)

// streamScan is what validating the nodes of one stream learns.
type streamScan struct {
	last      types.StreamID // the largest entry ID seen
	firstLive types.StreamID // the first live entry's ID
	any, live bool           // whether last and firstLive are set
}

// decodeStream reads STREAM_LISTPACKS_2 or the legacy STREAM_LISTPACKS
// (no first ID, max deleted ID, entries added or per-group read counter:
// they are derived as Redis 7.0 derives them).
func decodeStream(typ byte, r *Reader) (*types.Stream, error) {
	n, err := r.readCount(2)
	if err != nil {
		return nil, err
	}
	s := types.NewStream()
	var sc streamScan
	var prevMaster types.StreamID
	for i := range n {
		key, err := r.ReadString()
		if err != nil {
			return nil, err
		}
		if len(key) != 16 {
			return nil, ErrBadFormat
		}
		master := types.StreamIDFromKey(key)
		if i > 0 && !prevMaster.Less(master) {
			return nil, ErrBadFormat
		}
		prevMaster = master
		if sc.any && !sc.last.Less(master) {
			return nil, ErrBadFormat
		}
		lp, err := r.ReadOwnedString()
		if err != nil {
			return nil, err
		}
		if err := validateStreamNode(lp, master, &sc); err != nil {
			return nil, withIntegrity(err, "Stream listpack")
		}
		s.LoadNode(master, lp)
	}
	length, err := r.ReadLength()
	if err != nil {
		return nil, err
	}
	if length != s.Len() {
		return nil, ErrBadFormat
	}
	if s.LastID, err = r.readStreamID(); err != nil {
		return nil, err
	}
	if sc.any && s.LastID.Less(sc.last) {
		return nil, ErrBadFormat
	}
	if typ == TypeStreamListpacks2 {
		if s.FirstID, err = r.readStreamID(); err != nil {
			return nil, err
		}
		if s.MaxDeletedID, err = r.readStreamID(); err != nil {
			return nil, err
		}
		if s.EntriesAdded, err = r.ReadLength(); err != nil {
			return nil, err
		}
	} else {
		s.FirstID = sc.firstLive
		s.EntriesAdded = length
	}
	if err := decodeStreamGroups(typ, r, s); err != nil {
		return nil, err
	}
	return s, nil
}

// readStreamID reads an ID stored as two rdb lengths.
func (r *Reader) readStreamID() (types.StreamID, error) {
	ms, err := r.ReadLength()
	if err != nil {
		return types.StreamID{}, err
	}
	seq, err := r.ReadLength()
	return types.StreamID{Ms: ms, Seq: seq}, err
}

// readRawStreamID reads a 16-byte big-endian ID (PEL entries).
func (r *Reader) readRawStreamID() (types.StreamID, error) {
	b, err := r.ReadRaw(16)
	if err != nil {
		return types.StreamID{}, err
	}
	return types.StreamIDFromKey(b), nil
}

// decodeStreamGroups reads the consumer groups, their PELs and consumers.
// Every consumer PEL entry must be in the group PEL and owned by one
// consumer only, and every group PEL entry must have an owner.
func decodeStreamGroups(typ byte, r *Reader, s *types.Stream) error {
	ng, err := r.readCount(3)
	if err != nil {
		return err
	}
	for range ng {
		name, err := r.ReadString()
		if err != nil {
			return err
		}
		last, err := r.readStreamID()
		if err != nil {
			return err
		}
		var read int64
		if typ == TypeStreamListpacks2 {
			u, err := r.ReadLength()
			if err != nil {
				return err
			}
			read = int64(u)
		} else {
			read = s.EstimateDistance(last)
		}
		g := s.CreateGroup(name, last, read)
		if g == nil {
			return ErrBadFormat
		}
		npel, err := r.readCount(25)
		if err != nil {
			return err
		}
		for range npel {
			id, err := r.readRawStreamID()
			if err != nil {
				return err
			}
			t, err := r.ReadUint64LE()
			if err != nil {
				return err
			}
			cnt, err := r.ReadLength()
			if err != nil {
				return err
			}
			if !g.PEL.Insert(&types.StreamNACK{ID: id, DeliveryTime: int64(t), DeliveryCount: int64(cnt)}) {
				return ErrBadFormat
			}
		}
		nc, err := r.readCount(10)
		if err != nil {
			return err
		}
		for range nc {
			cname, err := r.ReadString()
			if err != nil {
				return err
			}
			seen, err := r.ReadUint64LE()
			if err != nil {
				return err
			}
			c := g.CreateConsumer(cname, int64(seen))
			if c == nil {
				return &CorruptError{Reason: "Duplicate stream consumer detected."}
			}
			np, err := r.readCount(16)
			if err != nil {
				return err
			}
			for range np {
				id, err := r.readRawStreamID()
				if err != nil {
					return err
				}
				nack := g.PEL.Get(id)
				if nack == nil || nack.Consumer != nil {
					return ErrBadFormat
				}
				nack.Consumer = c
				c.PEL.Insert(nack)
			}
		}
		for nack := g.PEL.First(); nack != nil; nack = g.PEL.Next(nack.ID) {
			if nack.Consumer == nil {
				return ErrBadFormat
			}
		}
	}
	return nil
}

// streamLPReader reads the integers and strings of a validated listpack
// in order.
type streamLPReader struct {
	it  encoding.LPIter
	end bool // the last read found the end of the listpack
}

// next skips one entry; false at the end.
func (sr *streamLPReader) next() bool {
	_, _, _, ok := sr.it.Next()
	return ok
}

// int reads an integer entry (or a string holding one, as
// lpGetIntegerIfValid accepts).
func (sr *streamLPReader) int() (int64, bool) {
	str, v, isInt, ok := sr.it.Next()
	if !ok {
		sr.end = true
		return 0, false
	}
	if isInt {
		return v, true
	}
	return types.ParseInt(str)
}

// validateStreamNode checks one node listpack as Redis's deep stream
// validation does: the master entry (live count, deleted count, fields,
// terminating 0), then every entry's flags, ID deltas, fields or values
// and back-count, with IDs ascending from the node's master ID and above
// every earlier node's, and counts that match the flags. sc carries the
// last ID across nodes.
func validateStreamNode(lp []byte, master types.StreamID, sc *streamScan) error {
	if encoding.LPValidate(lp) != nil || encoding.LPFirst(lp) < 0 {
		return integrity("Stream listpack")
	}
	sr := streamLPReader{it: encoding.NewLPIter(lp)}
	count, ok1 := sr.int()
	deleted, ok2 := sr.int()
	nf, ok3 := sr.int()
	if !ok1 || !ok2 || !ok3 || count < 0 || deleted < 0 || nf < 0 {
		return ErrBadFormat
	}
	for range nf {
		if !sr.next() {
			return ErrBadFormat
		}
	}
	if z, ok := sr.int(); !ok || z != 0 {
		return ErrBadFormat
	}
	var live, dead int64
	for {
		flags, ok := sr.int()
		if sr.end {
			break
		}
		if !ok || flags < 0 || flags > streamFlagDeleted|streamFlagSameFields {
			return ErrBadFormat
		}
		msd, ok1 := sr.int()
		seqd, ok2 := sr.int()
		if !ok1 || !ok2 {
			return ErrBadFormat
		}
		id := types.StreamID{Ms: master.Ms + uint64(msd), Seq: master.Seq + uint64(seqd)}
		if id.Less(master) || sc.any && !sc.last.Less(id) {
			return ErrBadFormat
		}
		sc.last, sc.any = id, true
		var want int64
		if flags&streamFlagSameFields != 0 {
			for range nf {
				if !sr.next() {
					return ErrBadFormat
				}
			}
			want = nf + 3
		} else {
			fields, ok := sr.int()
			if !ok || fields < 0 {
				return ErrBadFormat
			}
			for range 2 * fields {
				if !sr.next() {
					return ErrBadFormat
				}
			}
			want = 2*fields + 4
		}
		if got, ok := sr.int(); !ok || got != want {
			return ErrBadFormat
		}
		if flags&streamFlagDeleted != 0 {
			dead++
		} else {
			if !sc.live {
				sc.firstLive, sc.live = id, true
			}
			live++
		}
	}
	if live != count || dead != deleted || live+dead == 0 {
		return ErrBadFormat
	}
	return nil
}
