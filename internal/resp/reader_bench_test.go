package resp

import "testing"

func BenchmarkReaderSet(b *testing.B) {
	set := []byte("*3\r\n$3\r\nSET\r\n$16\r\nkey:000000000001\r\n$10\r\nvalue12345\r\n")
	var r Reader
	dst := make([][]byte, 0, 8)
	b.SetBytes(int64(len(set)))
	b.ReportAllocs()
	for b.Loop() {
		argv, n, err := r.Next(set, dst)
		if err != nil || n != len(set) || len(argv) != 3 {
			b.Fatal("bad parse")
		}
	}
}

func BenchmarkReaderPipeline(b *testing.B) {
	var buf []byte
	for range 100 {
		buf = AppendCommandStrings(buf, "GET", "key:000000000001")
	}
	var r Reader
	dst := make([][]byte, 0, 8)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	for b.Loop() {
		for rest := buf; len(rest) > 0; {
			_, n, err := r.Next(rest, dst)
			if err != nil || n == 0 {
				b.Fatal("bad parse")
			}
			rest = rest[n:]
		}
	}
}

func BenchmarkReaderInline(b *testing.B) {
	line := []byte("SET key:000000000001 value12345\r\n")
	var r Reader
	dst := make([][]byte, 0, 8)
	b.ReportAllocs()
	for b.Loop() {
		if _, n, err := r.Next(line, dst); err != nil || n != len(line) {
			b.Fatal("bad parse")
		}
	}
}

func BenchmarkWriterBulk(b *testing.B) {
	w := Writer{B: make([]byte, 0, 1024)}
	val := []byte("value12345")
	b.ReportAllocs()
	for b.Loop() {
		w.B = w.B[:0]
		w.Bulk(val)
		w.Int(42)
		w.Double(3.25)
	}
}
