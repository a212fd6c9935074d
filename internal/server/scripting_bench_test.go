package server

import (
	"testing"

	"shoal/internal/command"
	"shoal/internal/config"
)

// benchCaller is a connection without a socket for driving processCommand.
func benchCaller(s *Server) *conn {
	c := &conn{srv: s, fd: -1}
	c.Core = s.core
	c.Conn = c
	c.DB = s.ks.DBs[0]
	c.Proto = 2
	c.Flags = command.ClientAuthenticated
	return c
}

// BenchmarkEvalsha is EVALSHA of "return redis.call('incr',KEYS[1])"
// through the gauntlet, without sockets.
func BenchmarkEvalsha(b *testing.B) {
	benchEvalsha(b, "return redis.call('incr',KEYS[1])")
}

// BenchmarkEvalsha10 is a script that runs ten commands.
func BenchmarkEvalsha10(b *testing.B) {
	benchEvalsha(b, "local n = 0 for i = 1, 10 do n = redis.call('incr',KEYS[1]) end return n")
}

func benchEvalsha(b *testing.B, body string) {
	cfg := config.Default()
	cfg.LogFile = ""
	s := New(cfg)
	c := benchCaller(s)
	sha, _, _ := s.scripting().eval.Create([]byte(body))
	argv := [][]byte{[]byte("EVALSHA"), []byte(sha), []byte("1"), []byte("key")}
	s.mu.Lock()
	defer s.mu.Unlock()
	b.ReportAllocs()
	for b.Loop() {
		c.Argv = argv
		s.processCommand(c)
		c.B = c.B[:0]
	}
}
