package encoding

import (
	"encoding/binary"
	"encoding/hex"
	"testing"
)

func TestCRC16(t *testing.T) {
	if got := CRC16([]byte("123456789")); got != 0x31C3 {
		t.Fatalf("CRC16 = %#x, want 0x31c3", got)
	}
}

// Slots captured from redis-server 7.0.15 CLUSTER KEYSLOT.
func TestKeyHashSlot(t *testing.T) {
	tests := []struct {
		key  string
		slot int
	}{
		{"123456789", 12739},
		{"foo", 12182},
		{"bar", 5061},
		{"{user1000}.following", 3443},
		{"{user1000}.followers", 3443},
		{"foo{}{bar}", 8363},
		{"foo{{bar}}zap", 4015},
		{"foo{bar}{zap}", 5061},
		{"{}", 15257},
		{"", 0},
		{"a{b", 13340},
		{"}{a}", 15495},
		{"{a", 10276},
		{"abc{}def", 15860},
		{"{{}}", 4092},
		{"x{}", 2608},
	}
	for _, tt := range tests {
		if got := KeyHashSlot([]byte(tt.key)); got != tt.slot {
			t.Errorf("KeyHashSlot(%q) = %d, want %d", tt.key, got, tt.slot)
		}
		if got := KeyHashSlotString(tt.key); got != tt.slot {
			t.Errorf("KeyHashSlotString(%q) = %d, want %d", tt.key, got, tt.slot)
		}
	}
	key := "{user1000}.following"
	if n := testing.AllocsPerRun(100, func() { KeyHashSlotString(key) }); n != 0 {
		t.Errorf("KeyHashSlotString allocates %v", n)
	}
}

func TestCRC64(t *testing.T) {
	if got := CRC64(0, []byte("123456789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("CRC64 = %#x", got)
	}
	if got := CRC64(CRC64(0, []byte("1234")), []byte("56789")); got != 0xe9c6d914c4b8d9ca {
		t.Fatalf("incremental CRC64 = %#x", got)
	}
	// DUMP payloads captured from redis-server 7.0.15: the last 8 bytes are
	// the little-endian CRC64 of everything before them.
	for name, h := range dumpPayloads {
		p, _ := hex.DecodeString(h)
		body, trailer := p[:len(p)-8], p[len(p)-8:]
		if got, want := CRC64(0, body), binary.LittleEndian.Uint64(trailer); got != want {
			t.Errorf("%s: CRC64 = %#x, trailer %#x", name, got, want)
		}
	}
}

// dumpPayloads are DUMP replies captured from redis-server 7.0.15.
var dumpPayloads = map[string]string{
	"str":      "000568656c6c6f0a006372df766534200a",
	"lzf200a":  "00c30940c8016161e0bb000161610a001f99f72e01b20de3",
	"lzf2":     "00c31f42580a6162636465666768696a61e0ff09e1100d0278797ae0ff02e1160701797a0a0038b065ff65b1f089",
	"hash":     "10151500000004008266310382763103826632030c01ff0a0083ebdfcfc8bb7bc8",
	"zset":     "111a1a0000000600816302dffd0281610283312e35048162020201ff0a0088c4c030f0ae8276",
	"intset16": "0b0e02000000030000000100020003000a00a5025ce26d6e4d1b",
	"intset32": "0b140400000003000000fbffffff01000000701101000a0086a0bbcf3a22ed25",
	"intset64": "0b200800000003000000fbffffffffffffff010000000000000000863ba1010000000a0093bc1573c46cf66f",
}

// rdbLen decodes an RDB length at b[p:], for tests only.
func rdbLen(t *testing.T, b []byte, p int) (n, next int, special bool) {
	t.Helper()
	switch b[p] >> 6 {
	case 0:
		return int(b[p] & 0x3f), p + 1, false
	case 1:
		return int(b[p]&0x3f)<<8 | int(b[p+1]), p + 2, false
	case 3:
		return int(b[p] & 0x3f), p + 1, true
	}
	if b[p] == 0x80 {
		return int(binary.BigEndian.Uint32(b[p+1:])), p + 5, false
	}
	t.Fatalf("unsupported rdb length %#x", b[p])
	return
}

// rdbString decodes an RDB string (raw or LZF) at b[p:], for tests only.
func rdbString(t *testing.T, b []byte, p int) (s, comp []byte, next int) {
	t.Helper()
	n, p, special := rdbLen(t, b, p)
	if !special {
		return b[p : p+n], nil, p + n
	}
	if n != 3 {
		t.Fatalf("unsupported rdb string encoding %d", n)
	}
	clen, p, _ := rdbLen(t, b, p)
	ulen, p, _ := rdbLen(t, b, p)
	out, err := LZFDecompress(nil, b[p:p+clen], ulen)
	if err != nil {
		t.Fatal(err)
	}
	return out, b[p : p+clen], p + clen
}
