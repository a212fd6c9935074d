package config

import (
	"errors"
	"testing"
)

// TestUnixSocketPerm checks unixsocketperm against redis-server 7.0.15:
// octal in, octal out, strtoll's leniency, the octal range message and
// immutability.
func TestUnixSocketPerm(t *testing.T) {
	dir := t.TempDir()
	banner := "\n*** FATAL CONFIG FILE ERROR (Shoal) ***\nReading the configuration file, at line 2\n>>> "
	tests := []struct {
		value   string
		get     string
		wantErr string
	}{
		{"700", "700", ""},
		{"0777", "777", ""},
		{" 700", "700", ""},
		{"+700", "700", ""},
		{"", "0", ""},
		{"0", "0", ""},
		{"-1", "", "argument must be between 0 and 777 inclusive"},
		{"1777", "", "argument must be between 0 and 777 inclusive"},
		{"999", "", "argument couldn't be parsed as an octal number"},
		{"0o7", "", "argument couldn't be parsed as an octal number"},
		{"7_7", "", "argument couldn't be parsed as an octal number"},
		{"+", "", "argument couldn't be parsed as an octal number"},
	}
	for _, tt := range tests {
		p := writeFile(t, dir, "perm.conf", "")
		c, err := Load(p, [][]string{{"unixsocketperm", tt.value}})
		if tt.wantErr != "" {
			var fe *FileError
			want := banner + "'unixsocketperm \"" + tt.value + "\"'\n" + tt.wantErr
			if !errors.As(err, &fe) || err.Error() != want {
				t.Errorf("unixsocketperm %q: err = %v, want %q", tt.value, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("unixsocketperm %q: %v", tt.value, err)
			continue
		}
		if got := c.Get("unixsocketperm"); len(got) != 1 || got[0][1] != tt.get {
			t.Errorf("unixsocketperm %q: CONFIG GET = %q, want %q", tt.value, got, tt.get)
		}
	}
	c := Default()
	if got := c.Get("unixsocketperm"); len(got) != 1 || got[0][1] != "0" {
		t.Errorf("default: %q", got)
	}
	err := c.Set([][2]string{{"unixsocketperm", "777"}})
	if err == nil || err.Error() != "ERR CONFIG SET failed (possibly related to argument 'unixsocketperm') - can't set immutable config" {
		t.Errorf("CONFIG SET unixsocketperm: %v", err)
	}
}
