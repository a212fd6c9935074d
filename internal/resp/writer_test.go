package resp

import (
	"math"
	"testing"
)

func TestWriter(t *testing.T) {
	cases := []struct {
		name  string
		write func(w *Writer)
		resp2 string
		resp3 string
	}{
		{"Simple", func(w *Writer) { w.Simple("OK") }, "+OK\r\n", "+OK\r\n"},
		{"SimpleBytes", func(w *Writer) { w.SimpleBytes([]byte("PONG")) }, "+PONG\r\n", "+PONG\r\n"},
		{"Error", func(w *Writer) { w.Error([]byte("-ERR foo\r\n")) }, "-ERR foo\r\n", "-ERR foo\r\n"},
		{"ErrorString", func(w *Writer) { w.ErrorString("ERR a\r\nb") }, "-ERR a  b\r\n", "-ERR a  b\r\n"},
		{"Int", func(w *Writer) { w.Int(-42) }, ":-42\r\n", ":-42\r\n"},
		{"IntMin", func(w *Writer) { w.Int(math.MinInt64) }, ":-9223372036854775808\r\n", ":-9223372036854775808\r\n"},
		{"Bulk", func(w *Writer) { w.Bulk([]byte("a\r\nb")) }, "$4\r\na\r\nb\r\n", "$4\r\na\r\nb\r\n"},
		{"BulkEmpty", func(w *Writer) { w.Bulk(nil) }, "$0\r\n\r\n", "$0\r\n\r\n"},
		{"BulkString", func(w *Writer) { w.BulkString("hello") }, "$5\r\nhello\r\n", "$5\r\nhello\r\n"},
		{"BulkInt", func(w *Writer) { w.BulkInt(-12) }, "$3\r\n-12\r\n", "$3\r\n-12\r\n"},
		{"Null", func(w *Writer) { w.Null() }, "$-1\r\n", "_\r\n"},
		{"NullArray", func(w *Writer) { w.NullArray() }, "*-1\r\n", "_\r\n"},
		{"Array", func(w *Writer) { w.Array(3) }, "*3\r\n", "*3\r\n"},
		{"Map", func(w *Writer) { w.Map(3) }, "*6\r\n", "%3\r\n"},
		{"Set", func(w *Writer) { w.Set(3) }, "*3\r\n", "~3\r\n"},
		{"Push", func(w *Writer) { w.Push(3) }, "*3\r\n", ">3\r\n"},
		{"Attribute", func(w *Writer) { w.Attribute(1) }, "|1\r\n", "|1\r\n"},
		{"Double", func(w *Writer) { w.Double(3.141) }, "$5\r\n3.141\r\n", ",3.141\r\n"},
		{"DoubleInf", func(w *Writer) { w.Double(math.Inf(1)) }, "$3\r\ninf\r\n", ",inf\r\n"},
		{"DoubleNegInf", func(w *Writer) { w.Double(math.Inf(-1)) }, "$4\r\n-inf\r\n", ",-inf\r\n"},
		{"DoubleNaN", func(w *Writer) { w.Double(math.NaN()) }, "$3\r\nnan\r\n", ",nan\r\n"},
		{"DoubleString", func(w *Writer) { w.DoubleString("10.5") }, "$4\r\n10.5\r\n", ",10.5\r\n"},
		{"BoolTrue", func(w *Writer) { w.Bool(true) }, ":1\r\n", "#t\r\n"},
		{"BoolFalse", func(w *Writer) { w.Bool(false) }, ":0\r\n", "#f\r\n"},
		{"Verbatim", func(w *Writer) { w.Verbatim([]byte("This is a verbatim\nstring"), "txt") },
			"$25\r\nThis is a verbatim\nstring\r\n", "=29\r\ntxt:This is a verbatim\nstring\r\n"},
		{"BigNumber", func(w *Writer) { w.BigNumber("1234567999999999999999999999999999999") },
			"$37\r\n1234567999999999999999999999999999999\r\n", "(1234567999999999999999999999999999999\r\n"},
		{"Raw", func(w *Writer) { w.Raw([]byte("+x\r\n")) }, "+x\r\n", "+x\r\n"},
		{"DeferArray", func(w *Writer) {
			w.Simple("before")
			tok := w.DeferLen()
			for i := range 12 {
				w.Int(int64(i))
			}
			w.SetArrayLen(tok, 12)
		}, "+before\r\n*12\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n",
			"+before\r\n*12\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n"},
		{"DeferMap", func(w *Writer) {
			tok := w.DeferLen()
			w.BulkString("k")
			w.Int(1)
			w.SetMapLen(tok, 1)
		}, "*2\r\n$1\r\nk\r\n:1\r\n", "%1\r\n$1\r\nk\r\n:1\r\n"},
		{"DeferSet", func(w *Writer) {
			tok := w.DeferLen()
			w.SetSetLen(tok, 0)
		}, "*0\r\n", "~0\r\n"},
		{"DeferNested", func(w *Writer) {
			outer := w.DeferLen()
			inner := w.DeferLen()
			w.Int(1)
			w.SetArrayLen(inner, 1)
			w.Int(2)
			w.SetArrayLen(outer, 2)
		}, "*2\r\n*1\r\n:1\r\n:2\r\n", "*2\r\n*1\r\n:1\r\n:2\r\n"},
	}
	for _, c := range cases {
		for _, proto := range []int{2, 3} {
			w := Writer{Proto: proto}
			c.write(&w)
			want := c.resp2
			if proto == 3 {
				want = c.resp3
			}
			if string(w.B) != want {
				t.Errorf("%s RESP%d = %q, want %q", c.name, proto, w.B, want)
			}
		}
	}
}

// TestAppendDouble: the expected strings are ZSCORE replies of redis-server
// 7.0.15 after ZADD of the same score, i.e. printf("%.17g").
func TestAppendDouble(t *testing.T) {
	cases := []struct {
		f    float64
		want string
	}{
		{1e16, "10000000000000000"},
		{1e17, "1e+17"},
		{123456789012345678, "1.2345678901234568e+17"},
		{99999999999999999, "1e+17"},
		{1e15, "1000000000000000"},
		{1e-5, "1.0000000000000001e-05"},
		{0.0001, "0.0001"},
		{0.1, "0.10000000000000001"},
		{0.3, "0.29999999999999999"},
		{1.5, "1.5"},
		{3, "3"},
		{100, "100"},
		{9007199254740993, "9007199254740992"},
		{1e308, "1e+308"},
		{5e-324, "4.9406564584124654e-324"},
		{2.5e-10, "2.5000000000000002e-10"},
		{-1234.5678, "-1234.5678"},
		{0, "0"},
		{math.Copysign(0, -1), "-0"},
		{math.Inf(1), "inf"},
		{math.Inf(-1), "-inf"},
		{math.NaN(), "nan"},
		{math.Copysign(math.NaN(), -1), "-nan"},
	}
	for _, c := range cases {
		if got := string(AppendDouble(nil, c.f)); got != c.want {
			t.Errorf("AppendDouble(%v) = %q, want %q", c.f, got, c.want)
		}
	}
}

func TestAppendCommand(t *testing.T) {
	want := "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
	if got := string(AppendCommand(nil, []byte("SET"), []byte("k"), nil)); got != want {
		t.Errorf("AppendCommand = %q", got)
	}
	if got := string(AppendCommandStrings(nil, "SET", "k", "")); got != want {
		t.Errorf("AppendCommandStrings = %q", got)
	}
	if got := string(AppendArrayLen([]byte("x"), 0)); got != "x*0\r\n" {
		t.Errorf("AppendArrayLen = %q", got)
	}
	// A propagated command parses back to the same arguments.
	var r Reader
	argv, n, err := r.Next(AppendCommandStrings(nil, "SET", "k", "v\r\n"), nil)
	if err != nil || n != 29 || string(argv[2]) != "v\r\n" {
		t.Errorf("round trip: %q %d %v", strs(argv), n, err)
	}
}

func TestWriterZeroAllocs(t *testing.T) {
	w := Writer{B: make([]byte, 0, 4096), Proto: 3}
	val := []byte("value")
	allocs := testing.AllocsPerRun(1000, func() {
		w.B = w.B[:0]
		w.Simple("OK")
		w.Bulk(val)
		w.Int(12345)
		w.BulkInt(-7)
		w.Double(1.5)
		tok := w.DeferLen()
		w.Null()
		w.SetArrayLen(tok, 1)
	})
	if allocs != 0 {
		t.Fatalf("allocs = %v, want 0", allocs)
	}
}
