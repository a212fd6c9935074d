package bus

import "testing"

func benchPing() []byte {
	m := header(Ping)
	g := Gossip{Name: id('b'), IP: "127.0.0.1", Port: 7000, CPort: 17000, Flags: FlagMaster}
	m.Gossip = []Gossip{g, g, g}
	m.Hostname = "host-a.example"
	return Append(nil, &m)
}

func BenchmarkDecodePing(b *testing.B) {
	f := benchPing()
	b.SetBytes(int64(len(f)))
	for b.Loop() {
		if _, err := Decode(f); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendPing(b *testing.B) {
	m, _ := Decode(benchPing())
	buf := make([]byte, 0, 4096)
	b.SetBytes(int64(Len(m)))
	for b.Loop() {
		buf = Append(buf[:0], m)
	}
}
