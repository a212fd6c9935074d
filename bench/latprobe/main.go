// Command latprobe measures what a client sees while a server persists:
// it sends one GET every -interval on one connection, starts -op (BGSAVE
// or BGREWRITEAOF) on another, waits for it to finish, and prints the GET
// latency percentiles during the job and the job's duration. bench/
// persistence.sh runs it against shoal-server and redis-server.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:6379", "server address")
	op := flag.String("op", "BGSAVE", "BGSAVE or BGREWRITEAOF")
	interval := flag.Duration("interval", 500*time.Microsecond, "time between GETs")
	keys := flag.Int("keys", 2000000, "GET key:<0..keys-1>")
	flag.Parse()
	if err := run(*addr, *op, *interval, *keys); err != nil {
		fmt.Fprintln(os.Stderr, "latprobe:", err)
		os.Exit(1)
	}
}

type client struct {
	nc net.Conn
	r  *bufio.Reader
}

func dial(addr string) (*client, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &client{nc: nc, r: bufio.NewReaderSize(nc, 1<<16)}, nil
}

// do sends a command and returns its reply's payload (a bulk's bytes, or
// the line after the type byte).
func (c *client) do(args ...string) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "*%d\r\n", len(args))
	for _, a := range args {
		fmt.Fprintf(&b, "$%d\r\n%s\r\n", len(a), a)
	}
	if _, err := c.nc.Write([]byte(b.String())); err != nil {
		return "", err
	}
	line, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	switch line[0] {
	case '$':
		n, _ := strconv.Atoi(line[1:])
		if n < 0 {
			return "", nil
		}
		buf := make([]byte, n+2)
		if _, err := readFull(c.r, buf); err != nil {
			return "", err
		}
		return string(buf[:n]), nil
	case '-':
		return "", fmt.Errorf("%s", line)
	}
	return line[1:], nil
}

func readFull(r *bufio.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

func field(info, name string) string {
	for _, l := range strings.Split(info, "\r\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v
		}
	}
	return ""
}

func run(addr, op string, interval time.Duration, keys int) error {
	probe, err := dial(addr)
	if err != nil {
		return err
	}
	ctl, err := dial(addr)
	if err != nil {
		return err
	}
	progress := "rdb_bgsave_in_progress"
	if strings.EqualFold(op, "bgrewriteaof") {
		progress = "aof_rewrite_in_progress"
	}
	done := make(chan time.Duration, 1)
	errc := make(chan error, 1)
	start := time.Now()
	go func() {
		if _, err := ctl.do(op); err != nil {
			errc <- err
			return
		}
		for {
			time.Sleep(10 * time.Millisecond)
			info, err := ctl.do("INFO", "persistence")
			if err != nil {
				errc <- err
				return
			}
			if field(info, progress) == "0" && field(info, "aof_rewrite_scheduled") != "1" {
				done <- time.Since(start)
				return
			}
		}
	}()
	var lat []time.Duration
	next := time.Now()
	for {
		select {
		case d := <-done:
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000
			}
			fmt.Printf("p50_ms=%.3f p99_ms=%.3f max_ms=%.3f samples=%d job_s=%.2f\n",
				pct(0.5), pct(0.99), float64(lat[len(lat)-1].Microseconds())/1000, len(lat), d.Seconds())
			return nil
		case err := <-errc:
			return err
		default:
		}
		for time.Now().Before(next) {
			// Sleeping under a millisecond is coarse: spin the rest.
			if d := time.Until(next); d > 200*time.Microsecond {
				time.Sleep(d - 150*time.Microsecond)
			}
		}
		next = next.Add(interval)
		t := time.Now()
		if _, err := probe.do("GET", "key:"+strconv.Itoa(rand.IntN(keys))); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
		if time.Now().After(next) {
			next = time.Now()
		}
	}
}
