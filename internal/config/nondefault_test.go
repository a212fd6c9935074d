package config

import (
	"reflect"
	"testing"
)

func TestNonDefault(t *testing.T) {
	tests := []struct {
		name      string
		overrides [][]string
		want      []string
	}{
		{"defaults", nil, nil},
		{"default value given explicitly", [][]string{{"repl-timeout", "60"}}, nil},
		{"replicaof", [][]string{{"replicaof", "127.0.0.1", "6380"}}, []string{"replicaof"}},
		{"alias names canonical", [][]string{{"slave-read-only", "no"}}, []string{"replica-read-only"}},
		{"table order", [][]string{{"cluster-enabled", "yes"}, {"port", "7000"}}, []string{"port", "cluster-enabled"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load("", tt.overrides)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.NonDefault(); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("NonDefault() = %q, want %q", got, tt.want)
			}
		})
	}
}
