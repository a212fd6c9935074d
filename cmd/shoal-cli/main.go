// Command shoal-cli is a redis-cli 7.0-compatible client: interactive
// shell, one-shot commands, cluster mode (-c), the --cluster admin tool and
// a local cluster (--local-cluster). See internal/cli.
package main

import (
	"os"

	"shoal/internal/cli"
)

func main() {
	os.Exit(cli.Main(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
