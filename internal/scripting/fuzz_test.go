package scripting

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// fuzzDecode calls lib.fn on data in a fresh sandbox: it may raise a Lua
// error, never panic on the Go side (gopher-lua's PCall turns a Go panic
// into an ApiErrorPanic).
func fuzzDecode(t *testing.T, lib, fn string, data []byte) {
	e := New(&fakeHost{})
	L := e.L
	f := L.GetField(L.GetField(e.env, lib), fn)
	L.Push(f)
	L.Push(lua.LString(data))
	if err := L.PCall(1, lua.MultRet, nil); err != nil {
		if ae, ok := err.(*lua.ApiError); !ok || ae.Type == lua.ApiErrorPanic {
			t.Fatalf("%s.%s(%q): %v", lib, fn, data, err)
		}
	}
}

func FuzzCmsgpackUnpack(f *testing.F) {
	for _, s := range []string{"\x93\x01\x02\x03", "\x81\xa1a\x01", "\xcd\x01", "\xc1", "\xdc\x00\x02\x01\x02", "\xdb\xff\xff\xff\xff", "\xcb\x3f\xf8\x00\x00\x00\x00\x00\x00"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "cmsgpack", "unpack", data) })
}

func FuzzCJSONDecode(f *testing.F) {
	for _, s := range []string{`[1,2,"a",{"b":null}]`, `"\u00e9\ud83d\ude00"`, `{"a":`, `1e400`, `-0x10`, `[[[[[[]]]]]]`, `nan`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecode(t, "cjson", "decode", data) })
}

func FuzzStructUnpack(f *testing.F) {
	f.Add([]byte(">I2i4"), []byte("\x01\x02\xff\xff\xff\xfe"))
	f.Add([]byte("s"), []byte("abc\x00"))
	f.Add([]byte("!8bd"), []byte("\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xf8\x3f"))
	f.Fuzz(func(t *testing.T, format, data []byte) {
		e := New(&fakeHost{})
		L := e.L
		L.Push(L.GetField(L.GetField(e.env, "struct"), "unpack"))
		L.Push(lua.LString(format))
		L.Push(lua.LString(data))
		if err := L.PCall(2, lua.MultRet, nil); err != nil {
			if ae, ok := err.(*lua.ApiError); !ok || ae.Type == lua.ApiErrorPanic {
				t.Fatalf("struct.unpack(%q, %q): %v", format, data, err)
			}
		}
	})
}

// FuzzSyntaxCheck feeds script bodies to the Lua 5.1 syntax checker, which
// sees every EVAL and FUNCTION LOAD body first: it may report an error,
// never panic.
func FuzzSyntaxCheck(f *testing.F) {
	for _, s := range []string{"return 1", "local t = {a=1, [2]=3; 'x'} return #t", "if x then", "for i=1,2 do break end",
		"x = = 1", "return 'unfinished", "--[[ long\ncomment ]] return 0x1p4", "goto l ::l::", "a.b:c(...)", "return ...", "\"\\300\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		syntaxCheck(src)
	})
}
