package bus

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Sizes fixed by the protocol (Redis asserts them at compile time).
const (
	HeaderLen    = 2256 // CLUSTERMSG_MIN_LEN: the header without the data union
	MaxMsgLen    = 4352 // sizeof(clusterMsg): the largest fixed-size message (UPDATE)
	GossipLen    = 104  // sizeof(clusterMsgDataGossip)
	FailLen      = HeaderLen + NameLen
	UpdateLen    = HeaderLen + 8 + NameLen + SlotBytes
	NameLen      = 40   // CLUSTER_NAMELEN
	IPLen        = 46   // NET_IP_STR_LEN
	SlotBytes    = 2048 // CLUSTER_SLOTS/8
	Slots        = 16384
	extHeaderLen = 8
	Version      = 1 // CLUSTER_PROTO_VER
)

// Type is a message type (clusterMsg.type).
type Type uint16

// Message types; a type >= NumTypes is unknown and ignored by receivers.
const (
	Ping Type = iota
	Pong
	Meet
	Fail
	Publish
	FailoverAuthRequest
	FailoverAuthAck
	Update
	MFStart
	Module
	PublishShard
	NumTypes
)

var typeNames = [NumTypes]string{"ping", "pong", "meet", "fail", "publish", "auth-req", "auth-ack", "update", "mfstart", "module", "publishshard"}

// String is the name CLUSTER INFO uses in cluster_stats_messages_<name>_sent.
func (t Type) String() string {
	if t < NumTypes {
		return typeNames[t]
	}
	return "unknown"
}

// Node flags, as carried in the header and in gossip entries.
const (
	FlagMaster     uint16 = 1
	FlagSlave      uint16 = 2
	FlagPFail      uint16 = 4
	FlagFail       uint16 = 8
	FlagMyself     uint16 = 16
	FlagHandshake  uint16 = 32
	FlagNoAddr     uint16 = 64
	FlagMeet       uint16 = 128
	FlagMigrateTo  uint16 = 256
	FlagNoFailover uint16 = 512
)

// mflags[0] bits.
const (
	MFlagPaused   uint8 = 1 // the sender is a master paused for a manual failover
	MFlagForceAck uint8 = 2 // vote even though the master is up (manual failover)
	MFlagExtData  uint8 = 4 // the message carries ping extensions
)

// Ping extension types. Redis 7.0 knows only Hostname; later ones (forgotten
// node, shard id, human nodename) are skipped by their length.
const (
	ExtHostname uint16 = 0
)

// Name is a node ID as on the wire: 40 bytes, all zero meaning "none".
type Name [NameLen]byte

// IsZero reports whether n is the null name (CLUSTER_NODE_NULL_NAME).
func (n *Name) IsZero() bool { return *n == Name{} }

// String returns the ID as a string ("" for the null name).
func (n Name) String() string {
	if n.IsZero() {
		return ""
	}
	return string(n[:])
}

// NameOf converts an ID to its wire form; "" gives the null name.
func NameOf(id string) (n Name) {
	copy(n[:], id)
	return n
}

// Bitmap is a 16384-bit slot bitmap: slot s is bit s&7 of byte s>>3.
type Bitmap [SlotBytes]byte

// Has reports whether slot s is set.
func (b *Bitmap) Has(s int) bool { return b[s>>3]&(1<<(s&7)) != 0 }

// Set sets slot s.
func (b *Bitmap) Set(s int) { b[s>>3] |= 1 << (s & 7) }

// Clear clears slot s.
func (b *Bitmap) Clear(s int) { b[s>>3] &^= 1 << (s & 7) }

// Count returns the number of slots set.
func (b *Bitmap) Count() int {
	n := 0
	for _, x := range b {
		for ; x != 0; x &= x - 1 {
			n++
		}
	}
	return n
}

// Header is the fixed part of every message (clusterMsg up to data).
type Header struct {
	Ver          uint16
	Port         uint16 // client port (TLS port in a TLS cluster)
	Type         Type
	CurrentEpoch uint64
	ConfigEpoch  uint64
	Offset       uint64
	Sender       Name
	MySlots      Bitmap
	SlaveOf      Name
	MyIP         string // announced IP; "" = use the connection's peer address
	PPort        uint16
	CPort        uint16
	Flags        uint16
	State        uint8 // 0 ok, 1 fail
	MFlags       uint8 // mflags[0]
}

// Gossip is one gossip entry of PING/PONG/MEET.
type Gossip struct {
	Name         Name
	PingSent     uint32 // unix seconds
	PongReceived uint32 // unix seconds
	IP           string
	Port         uint16
	CPort        uint16
	Flags        uint16
	PPort        uint16
}

// Extension is a ping extension of a type this codec does not interpret
// (decoded ones are Message fields); kept so that round trips are exact.
type Extension struct {
	Type    uint16
	Payload []byte // padded to a multiple of 8
}

// Message is a decoded bus message: the header and the body of its type.
type Message struct {
	Header

	// PING, PONG, MEET.
	Gossip      []Gossip
	Hostname    string      // the HOSTNAME extension; "" if absent
	Extensions  []Extension // other extensions, in order after Hostname
	NumExt      uint16      // the header's extension count as received
	HasHostname bool        // the message carried a HOSTNAME extension

	// FAIL: the node flagged as failing.
	FailNode Name

	// PUBLISH, PUBLISHSHARD.
	Channel []byte
	Payload []byte

	// UPDATE: a slot owner's config.
	UpdateConfigEpoch uint64
	UpdateNode        Name
	UpdateSlots       Bitmap

	// MODULE.
	ModuleID   uint64 // host order on the sender, copied raw (little endian on x86)
	ModuleType uint8
	// Payload is also the MODULE payload.

	// Unknown types keep their body raw.
	Body []byte
}

// Errors returned by ReadFrameLen and Decode.
var (
	// ErrSignature: the frame does not start with "RCmb"; the connection must be closed.
	ErrSignature = errors.New("bus: bad signature")
	// ErrShort: totlen is below the header size (the connection must be closed),
	// or the frame holds fewer bytes than totlen.
	ErrShort = errors.New("bus: frame shorter than header")
	// ErrTooLong: totlen exceeds the caller's limit.
	ErrTooLong = errors.New("bus: frame too long")
	// ErrVersion: the protocol version is not 1; the message is ignored.
	ErrVersion = errors.New("bus: unsupported protocol version")
	// ErrLength: totlen does not match the body the header describes; the
	// message is ignored and the connection stays open.
	ErrLength = errors.New("bus: length mismatch")
	// ErrUnknownType: the type is not one Redis 7.0 knows. The header is
	// valid and the receiver still takes the sender's epochs from it; the
	// body (Message.Body) is ignored.
	ErrUnknownType = errors.New("bus: unknown message type")
)

// ReadFrameLen checks the 8-byte prefix of a frame ("RCmb" + totlen) and
// returns totlen, as clusterReadHandler does before reading the rest.
// A totlen over max is ErrTooLong.
func ReadFrameLen(prefix []byte, max int) (int, error) {
	if len(prefix) < 8 {
		return 0, ErrShort
	}
	if string(prefix[:4]) != "RCmb" {
		return 0, ErrSignature
	}
	n := binary.BigEndian.Uint32(prefix[4:8])
	if n < HeaderLen {
		return 0, ErrShort
	}
	if uint64(n) > uint64(max) {
		return 0, ErrTooLong
	}
	return int(n), nil
}

// FrameType returns the type field of a frame of at least 14 bytes, so that
// a message that fails to decode can still be counted by type, as
// clusterProcessPacket counts before its checks.
func FrameType(frame []byte) (Type, bool) {
	if len(frame) < 14 {
		return 0, false
	}
	return Type(binary.BigEndian.Uint16(frame[12:14])), true
}

func cstr(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

func decodeHeader(f []byte, h *Header) {
	be := binary.BigEndian
	h.Ver = be.Uint16(f[8:])
	h.Port = be.Uint16(f[10:])
	h.Type = Type(be.Uint16(f[12:]))
	h.CurrentEpoch = be.Uint64(f[16:])
	h.ConfigEpoch = be.Uint64(f[24:])
	h.Offset = be.Uint64(f[32:])
	copy(h.Sender[:], f[40:80])
	copy(h.MySlots[:], f[80:2128])
	copy(h.SlaveOf[:], f[2128:2168])
	h.MyIP = cstr(f[2168:2214])
	h.PPort = be.Uint16(f[2246:])
	h.CPort = be.Uint16(f[2248:])
	h.Flags = be.Uint16(f[2250:])
	h.State = f[2252]
	h.MFlags = f[2253]
}

// Decode decodes one whole frame (prefix included). It validates totlen
// exactly against the type's body as clusterProcessPacket does; on
// ErrLength, ErrVersion and ErrUnknownType the returned message still has
// its header decoded so the caller can count and log it. Byte slices in the
// message (Channel, Payload, Body, extension payloads) alias frame.
func Decode(frame []byte) (*Message, error) {
	if len(frame) < 8 {
		return nil, ErrShort
	}
	if string(frame[:4]) != "RCmb" {
		return nil, ErrSignature
	}
	totlen := int64(binary.BigEndian.Uint32(frame[4:8]))
	if totlen < HeaderLen || int64(len(frame)) < totlen {
		return nil, ErrShort
	}
	f := frame[:totlen]
	m := &Message{}
	decodeHeader(f, &m.Header)
	if m.Ver != Version {
		return m, ErrVersion
	}
	be := binary.BigEndian
	body := f[HeaderLen:]
	switch m.Type {
	case Ping, Pong, Meet:
		count := int64(be.Uint16(f[14:]))
		explen := HeaderLen + count*GossipLen
		if explen > totlen {
			return m, fmt.Errorf("%w: %s with %d gossip entries in %d bytes", ErrLength, m.Type, count, totlen)
		}
		m.NumExt = be.Uint16(f[2214:])
		var exts []byte
		if m.MFlags&MFlagExtData != 0 {
			start := explen
			for i := 0; i < int(m.NumExt); i++ {
				if totlen-explen < extHeaderLen {
					return m, fmt.Errorf("%w: %s extension header past the end", ErrLength, m.Type)
				}
				l := int64(be.Uint32(f[explen:]))
				if l%8 != 0 || l < extHeaderLen {
					return m, fmt.Errorf("%w: %s extension length %d", ErrLength, m.Type, l)
				}
				if totlen-explen < l {
					return m, fmt.Errorf("%w: %s extension past the end", ErrLength, m.Type)
				}
				explen += l
			}
			exts = f[start:explen]
		}
		if explen != totlen {
			return m, fmt.Errorf("%w: %s of %d bytes, expected %d", ErrLength, m.Type, totlen, explen)
		}
		if count > 0 {
			m.Gossip = make([]Gossip, count)
			for i := range m.Gossip {
				g := body[i*GossipLen:]
				e := &m.Gossip[i]
				copy(e.Name[:], g[:40])
				e.PingSent = be.Uint32(g[40:])
				e.PongReceived = be.Uint32(g[44:])
				e.IP = cstr(g[48:94])
				e.Port = be.Uint16(g[94:])
				e.CPort = be.Uint16(g[96:])
				e.Flags = be.Uint16(g[98:])
				e.PPort = be.Uint16(g[100:])
			}
		}
		for len(exts) > 0 {
			l := be.Uint32(exts)
			typ := be.Uint16(exts[4:])
			payload := exts[extHeaderLen:l]
			if typ == ExtHostname {
				m.Hostname = cstr(payload)
				m.HasHostname = true
			} else {
				m.Extensions = append(m.Extensions, Extension{Type: typ, Payload: payload})
			}
			exts = exts[l:]
		}
	case Fail:
		if totlen != FailLen {
			return m, fmt.Errorf("%w: FAIL of %d bytes", ErrLength, totlen)
		}
		copy(m.FailNode[:], body)
	case Publish, PublishShard:
		if totlen < HeaderLen+8 {
			return m, fmt.Errorf("%w: %s of %d bytes", ErrLength, m.Type, totlen)
		}
		cl, ml := int64(be.Uint32(body)), int64(be.Uint32(body[4:]))
		if HeaderLen+8+cl+ml != totlen {
			return m, fmt.Errorf("%w: %s of %d bytes", ErrLength, m.Type, totlen)
		}
		m.Channel = body[8 : 8+cl]
		m.Payload = body[8+cl : 8+cl+ml]
	case FailoverAuthRequest, FailoverAuthAck, MFStart:
		if totlen != HeaderLen {
			return m, fmt.Errorf("%w: %s of %d bytes", ErrLength, m.Type, totlen)
		}
	case Update:
		if totlen != UpdateLen {
			return m, fmt.Errorf("%w: UPDATE of %d bytes", ErrLength, totlen)
		}
		m.UpdateConfigEpoch = be.Uint64(body)
		copy(m.UpdateNode[:], body[8:48])
		copy(m.UpdateSlots[:], body[48:])
	case Module:
		if totlen < HeaderLen+13 {
			return m, fmt.Errorf("%w: MODULE of %d bytes", ErrLength, totlen)
		}
		l := int64(be.Uint32(body[8:]))
		if HeaderLen+13+l != totlen {
			return m, fmt.Errorf("%w: MODULE of %d bytes", ErrLength, totlen)
		}
		m.ModuleID = binary.LittleEndian.Uint64(body)
		m.ModuleType = body[12]
		m.Payload = body[13:]
	default:
		m.Body = body
		return m, ErrUnknownType
	}
	return m, nil
}

func putStr(dst []byte, s string) {
	// Truncate so a NUL terminator always fits, as Redis's memcpy of
	// NET_IP_STR_LEN-1 bytes does.
	if len(s) > len(dst)-1 {
		s = s[:len(dst)-1]
	}
	copy(dst, s)
}

func ceil8(n int) int { return (n + 7) &^ 7 }

// Len returns the encoded length of m.
func Len(m *Message) int {
	switch m.Type {
	case Ping, Pong, Meet:
		n := HeaderLen + len(m.Gossip)*GossipLen
		if m.Hostname != "" {
			n += extHeaderLen + ceil8(len(m.Hostname)+1)
		}
		for _, e := range m.Extensions {
			n += extHeaderLen + ceil8(len(e.Payload))
		}
		return n
	case Fail:
		return FailLen
	case Publish, PublishShard:
		return HeaderLen + 8 + len(m.Channel) + len(m.Payload)
	case Update:
		return UpdateLen
	case Module:
		return HeaderLen + 13 + len(m.Payload)
	case FailoverAuthRequest, FailoverAuthAck, MFStart:
		return HeaderLen
	default:
		return HeaderLen + len(m.Body)
	}
}

// Append encodes m after dst, as clusterBuildMessageHdr and the senders in
// cluster.c do: unused fields zero, totlen, count and the extension count
// computed from the message (the HOSTNAME extension is sent when Hostname is
// non-empty, and EXT_DATA is set whenever an extension is present).
func Append(dst []byte, m *Message) []byte {
	n := Len(m)
	off := len(dst)
	dst = append(dst, make([]byte, n)...)
	f := dst[off:]
	be := binary.BigEndian
	copy(f, "RCmb")
	be.PutUint32(f[4:], uint32(n))
	be.PutUint16(f[8:], Version)
	be.PutUint16(f[10:], m.Port)
	be.PutUint16(f[12:], uint16(m.Type))
	be.PutUint64(f[16:], m.CurrentEpoch)
	be.PutUint64(f[24:], m.ConfigEpoch)
	be.PutUint64(f[32:], m.Offset)
	copy(f[40:80], m.Sender[:])
	copy(f[80:2128], m.MySlots[:])
	copy(f[2128:2168], m.SlaveOf[:])
	putStr(f[2168:2214], m.MyIP)
	be.PutUint16(f[2246:], m.PPort)
	be.PutUint16(f[2248:], m.CPort)
	be.PutUint16(f[2250:], m.Flags)
	f[2252] = m.State
	f[2253] = m.MFlags
	body := f[HeaderLen:]
	switch m.Type {
	case Ping, Pong, Meet:
		be.PutUint16(f[14:], uint16(len(m.Gossip)))
		for i := range m.Gossip {
			g := body[i*GossipLen:]
			e := &m.Gossip[i]
			copy(g[:40], e.Name[:])
			be.PutUint32(g[40:], e.PingSent)
			be.PutUint32(g[44:], e.PongReceived)
			putStr(g[48:94], e.IP)
			be.PutUint16(g[94:], e.Port)
			be.PutUint16(g[96:], e.CPort)
			be.PutUint16(g[98:], e.Flags)
			be.PutUint16(g[100:], e.PPort)
		}
		x := body[len(m.Gossip)*GossipLen:]
		next := 0
		if m.Hostname != "" {
			l := extHeaderLen + ceil8(len(m.Hostname)+1)
			be.PutUint32(x, uint32(l))
			be.PutUint16(x[4:], ExtHostname)
			copy(x[extHeaderLen:], m.Hostname)
			x = x[l:]
			next++
		}
		for _, e := range m.Extensions {
			l := extHeaderLen + ceil8(len(e.Payload))
			be.PutUint32(x, uint32(l))
			be.PutUint16(x[4:], e.Type)
			copy(x[extHeaderLen:], e.Payload)
			x = x[l:]
			next++
		}
		be.PutUint16(f[2214:], uint16(next))
		if next > 0 {
			f[2253] |= MFlagExtData
		} else {
			f[2253] &^= MFlagExtData
		}
	case Fail:
		copy(body, m.FailNode[:])
	case Publish, PublishShard:
		be.PutUint32(body, uint32(len(m.Channel)))
		be.PutUint32(body[4:], uint32(len(m.Payload)))
		copy(body[8:], m.Channel)
		copy(body[8+len(m.Channel):], m.Payload)
	case Update:
		be.PutUint64(body, m.UpdateConfigEpoch)
		copy(body[8:48], m.UpdateNode[:])
		copy(body[48:], m.UpdateSlots[:])
	case Module:
		binary.LittleEndian.PutUint64(body, m.ModuleID)
		be.PutUint32(body[8:], uint32(len(m.Payload)))
		body[12] = m.ModuleType
		copy(body[13:], m.Payload)
	case FailoverAuthRequest, FailoverAuthAck, MFStart:
	default:
		copy(body, m.Body)
	}
	return dst
}
