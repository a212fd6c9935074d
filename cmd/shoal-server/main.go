// Command shoal-server is a Redis 7.0 compatible server:
//
//	shoal-server [/path/to/redis.conf] [--directive value ...]
package main

import (
	"os"

	"shoal/internal/server"
)

func main() {
	os.Exit(server.Main(os.Args[1:]))
}
