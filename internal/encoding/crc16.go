package encoding

// SlotCount is the number of Redis Cluster hash slots.
const SlotCount = 16384

// crc16Table is the CRC16/XMODEM table (polynomial 0x1021, MSB first).
var crc16Table = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CRC16 returns the CRC16/XMODEM checksum of b, the variant Redis Cluster
// uses to map keys to slots ("123456789" gives 0x31C3).
func CRC16(b []byte) uint16 {
	var crc uint16
	for _, c := range b {
		crc = crc<<8 ^ crc16Table[byte(crc>>8)^c]
	}
	return crc
}

func crc16String(s string) uint16 {
	var crc uint16
	for i := 0; i < len(s); i++ {
		crc = crc<<8 ^ crc16Table[byte(crc>>8)^s[i]]
	}
	return crc
}

// KeyHashSlot returns the cluster slot of key. As in Redis, when the key
// holds a '{' followed later by a '}' with at least one byte between the
// first '{' and the first '}' after it, only those bytes are hashed;
// otherwise (including an empty tag "{}") the whole key is hashed.
func KeyHashSlot(key []byte) int {
	s, e := hashTag(key)
	return int(CRC16(key[s:e]) & (SlotCount - 1))
}

// KeyHashSlotString is KeyHashSlot for a string key, without allocating.
func KeyHashSlotString(key string) int {
	s, e := hashTagString(key)
	return int(crc16String(key[s:e]) & (SlotCount - 1))
}

func hashTag(key []byte) (start, end int) {
	for i, c := range key {
		if c != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j == i+1 {
					return 0, len(key)
				}
				return i + 1, j
			}
		}
		return 0, len(key)
	}
	return 0, len(key)
}

func hashTagString(key string) (start, end int) {
	for i := 0; i < len(key); i++ {
		if key[i] != '{' {
			continue
		}
		for j := i + 1; j < len(key); j++ {
			if key[j] == '}' {
				if j == i+1 {
					return 0, len(key)
				}
				return i + 1, j
			}
		}
		return 0, len(key)
	}
	return 0, len(key)
}
