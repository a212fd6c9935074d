package bus

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

func id(c byte) Name {
	var n Name
	for i := range n {
		n[i] = c
	}
	return n
}

func header(t Type) Message {
	m := Message{}
	m.Ver = Version
	m.Type = t
	m.Port, m.CPort, m.PPort = 47104, 57104, 0
	m.CurrentEpoch, m.ConfigEpoch, m.Offset = 11, 10, 12345
	m.Sender = id('a')
	m.MySlots.Set(0)
	m.MySlots.Set(16383)
	m.MyIP = "127.0.0.1"
	m.Flags = FlagMaster | FlagMyself
	return m
}

// The lengths of the messages captured from a 7.0.15 cluster (spec,
// verification notes).
func TestCapturedLengths(t *testing.T) {
	g := Gossip{Name: id('b'), PingSent: 1, PongReceived: 2, IP: "127.0.0.1", Port: 1, CPort: 2, Flags: FlagMaster}
	cases := []struct {
		name string
		m    func() Message
		want int
	}{
		{"meet", func() Message { return header(Meet) }, 2256},
		{"ping3", func() Message { m := header(Ping); m.Gossip = []Gossip{g, g, g}; return m }, 2568},
		{"ping3+hostname", func() Message {
			m := header(Ping)
			m.Gossip = []Gossip{g, g, g}
			m.Hostname = "host-a.example"
			return m
		}, 2592},
		{"fail", func() Message { m := header(Fail); m.FailNode = id('c'); return m }, 2296},
		{"publish", func() Message {
			m := header(Publish)
			m.Channel, m.Payload = []byte("chan1"), []byte("hello")
			return m
		}, 2274},
		{"publishshard", func() Message {
			m := header(PublishShard)
			m.Channel, m.Payload = []byte("chan1"), []byte("shardhello")
			return m
		}, 2279},
		{"auth-req", func() Message { m := header(FailoverAuthRequest); m.MFlags = MFlagForceAck; return m }, 2256},
		{"auth-ack", func() Message { return header(FailoverAuthAck) }, 2256},
		{"mfstart", func() Message { return header(MFStart) }, 2256},
		{"update", func() Message {
			m := header(Update)
			m.UpdateConfigEpoch = 9
			m.UpdateNode = id('d')
			m.UpdateSlots.Set(100)
			return m
		}, 4352},
		{"module", func() Message {
			m := header(Module)
			m.ModuleID = 0x1234 << 10
			m.ModuleType = 7
			m.Payload = []byte("xyz")
			return m
		}, 2272},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := c.m()
			b := Append(nil, &m)
			if len(b) != c.want || int(binary.BigEndian.Uint32(b[4:])) != c.want {
				t.Fatalf("len %d totlen %d, want %d", len(b), binary.BigEndian.Uint32(b[4:]), c.want)
			}
			got, err := Decode(b)
			if err != nil {
				t.Fatal(err)
			}
			if m.Hostname != "" {
				m.HasHostname = true
				m.NumExt = 1
				m.MFlags |= MFlagExtData
			}
			b2 := Append(nil, got)
			if !bytes.Equal(b, b2) {
				t.Fatal("re-encoding differs")
			}
			if got.Type != m.Type || got.Sender != m.Sender || got.MySlots != m.MySlots || got.MyIP != m.MyIP ||
				got.CurrentEpoch != 11 || got.ConfigEpoch != 10 || got.Offset != 12345 || got.Hostname != m.Hostname ||
				got.FailNode != m.FailNode || !bytes.Equal(got.Channel, m.Channel) || !bytes.Equal(got.Payload, m.Payload) ||
				got.UpdateSlots != m.UpdateSlots || got.UpdateNode != m.UpdateNode || got.ModuleID != m.ModuleID {
				t.Fatalf("round trip: got %+v", got.Header)
			}
		})
	}
}

// Field offsets fixed by the protocol (cluster.h static asserts).
func TestHeaderLayout(t *testing.T) {
	m := header(Ping)
	m.SlaveOf = id('s')
	m.PPort = 6379
	m.State = 1
	m.MFlags = MFlagPaused
	m.Gossip = []Gossip{{Name: id('g'), PingSent: 0x01020304, PongReceived: 0x05060708, IP: "10.1.2.3", Port: 7001, CPort: 17001, Flags: FlagSlave | FlagPFail, PPort: 6380}}
	m.Hostname = "h"
	b := Append(nil, &m)
	be := binary.BigEndian
	checks := []struct {
		off  int
		want []byte
	}{
		{0, []byte("RCmb")},
		{8, []byte{0, 1}},
		{10, be.AppendUint16(nil, 47104)},
		{12, []byte{0, 0}},
		{14, []byte{0, 1}},
		{16, be.AppendUint64(nil, 11)},
		{24, be.AppendUint64(nil, 10)},
		{32, be.AppendUint64(nil, 12345)},
		{40, bytes.Repeat([]byte("a"), 40)},
		{80, []byte{1}},
		{80 + 2047, []byte{0x80}},
		{2128, bytes.Repeat([]byte("s"), 40)},
		{2168, []byte("127.0.0.1\x00")},
		{2214, []byte{0, 1}},
		{2246, be.AppendUint16(nil, 6379)},
		{2248, be.AppendUint16(nil, 57104)},
		{2250, be.AppendUint16(nil, FlagMaster|FlagMyself)},
		{2252, []byte{1, MFlagPaused | MFlagExtData, 0, 0}},
		// gossip entry
		{2256, bytes.Repeat([]byte("g"), 40)},
		{2256 + 40, []byte{1, 2, 3, 4, 5, 6, 7, 8}},
		{2256 + 48, []byte("10.1.2.3\x00")},
		{2256 + 94, be.AppendUint16(nil, 7001)},
		{2256 + 96, be.AppendUint16(nil, 17001)},
		{2256 + 98, be.AppendUint16(nil, FlagSlave|FlagPFail)},
		{2256 + 100, be.AppendUint16(nil, 6380)},
		{2256 + 102, []byte{0, 0}},
		// hostname extension: length 16, type 0, "h\0" padded to 8
		{2360, []byte{0, 0, 0, 16, 0, 0, 0, 0, 'h', 0, 0, 0, 0, 0, 0, 0}},
	}
	if len(b) != 2376 {
		t.Fatalf("len %d", len(b))
	}
	for _, c := range checks {
		if !bytes.Equal(b[c.off:c.off+len(c.want)], c.want) {
			t.Errorf("offset %d: % x, want % x", c.off, b[c.off:c.off+len(c.want)], c.want)
		}
	}
	for i := 2216; i < 2246; i++ {
		if b[i] != 0 {
			t.Fatalf("notused1 byte %d = %d", i, b[i])
		}
	}
}

// Extensions of types 7.0 does not know (forgotten node, shard id...) are
// skipped by their length.
func TestUnknownExtensionSkipped(t *testing.T) {
	m := header(Pong)
	m.Extensions = []Extension{{Type: 2, Payload: make([]byte, 40)}, {Type: 1, Payload: make([]byte, 48)}}
	m.Hostname = "node-7.example"
	b := Append(nil, &m)
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if got.Hostname != "node-7.example" || len(got.Extensions) != 2 || got.Extensions[1].Type != 1 || got.NumExt != 3 {
		t.Fatalf("got %q %+v", got.Hostname, got.Extensions)
	}
}

func TestDecodeErrors(t *testing.T) {
	ping := header(Ping)
	good := Append(nil, &ping)
	mut := func(f func(b []byte) []byte) []byte { return f(append([]byte(nil), good...)) }
	cases := []struct {
		name  string
		frame []byte
		want  error
	}{
		{"short", good[:7], ErrShort},
		{"signature", mut(func(b []byte) []byte { b[0] = 'X'; return b }), ErrSignature},
		{"totlen below header", mut(func(b []byte) []byte { binary.BigEndian.PutUint32(b[4:], 100); return b }), ErrShort},
		{"truncated", good[:2000], ErrShort},
		{"version", mut(func(b []byte) []byte { b[9] = 2; return b }), ErrVersion},
		{"count too big", mut(func(b []byte) []byte { b[15] = 1; return b }), ErrLength},
		{"ext flag, no room", mut(func(b []byte) []byte { b[2253] = MFlagExtData; b[2215] = 1; return b }), ErrLength},
		{"fail short", mut(func(b []byte) []byte { b[13] = byte(Fail); return b }), ErrLength},
		{"publish lengths", mut(func(b []byte) []byte {
			b[13] = byte(Publish)
			b = append(b, 0, 0, 0, 9, 0, 0, 0, 0)
			binary.BigEndian.PutUint32(b[4:], uint32(len(b)))
			return b
		}), ErrLength},
		{"unknown type", mut(func(b []byte) []byte { b[13] = 42; return b }), ErrUnknownType},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Decode(c.frame)
			if !errors.Is(err, c.want) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
		})
	}
	if n, err := ReadFrameLen(good[:8], MaxMsgLen); err != nil || n != len(good) {
		t.Fatalf("ReadFrameLen %d %v", n, err)
	}
	if _, err := ReadFrameLen(good[:8], 100); !errors.Is(err, ErrTooLong) {
		t.Fatal(err)
	}
}

func FuzzDecode(f *testing.F) {
	g := Gossip{Name: id('b'), IP: "1.2.3.4", Port: 1, CPort: 2}
	for _, t := range []Type{Ping, Pong, Meet, Fail, Publish, FailoverAuthRequest, FailoverAuthAck, Update, MFStart, Module, PublishShard} {
		m := header(t)
		if t <= Meet {
			m.Gossip = []Gossip{g, g}
			m.Hostname = "host"
			m.Extensions = []Extension{{Type: 9, Payload: make([]byte, 8)}}
		}
		m.Channel, m.Payload = []byte("c"), []byte("p")
		b := Append(nil, &m)
		f.Add(b)
		f.Add(b[:len(b)-1])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Decode(b)
		if err != nil {
			return
		}
		// A decoded message re-encodes to the same length.
		if m.Type != Ping && m.Type != Pong && m.Type != Meet {
			if n := len(Append(nil, m)); n != int(binary.BigEndian.Uint32(b[4:])) {
				t.Fatalf("re-encoded %d bytes, frame says %d", n, binary.BigEndian.Uint32(b[4:]))
			}
		}
	})
}
