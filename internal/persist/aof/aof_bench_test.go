package aof

import "testing"

func BenchmarkReaderNext(b *testing.B) {
	var data []byte
	for range 1000 {
		data = AppendCommand(data, [][]byte{[]byte("set"), []byte("key:000001"), make([]byte, 64)})
	}
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		r := NewReader(data)
		for {
			if _, err := r.Next(); err != nil {
				break
			}
		}
	}
}

func BenchmarkAppendCommand(b *testing.B) {
	argv := [][]byte{[]byte("set"), []byte("key:000001"), make([]byte, 64)}
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		buf = AppendCommand(buf[:0], argv)
	}
}
