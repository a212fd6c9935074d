package server

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// TestConcurrentClients runs an in-process server with one and with three
// event loops and drives it from many connections at once: pipelined
// string commands, WATCH/MULTI/EXEC with conflicts, PUBLISH to subscribers
// on other connections, BLPOP served by LPUSH, CLIENT LIST and CLIENT KILL
// while traffic runs, and CONFIG SET of runtime directives. Under -race it
// checks the executor lock covers everything the loops share; without, it
// checks the replies add up.
func TestConcurrentClients(t *testing.T) {
	for _, threads := range []int{1, 3} {
		t.Run("io-threads="+strconv.Itoa(threads), func(t *testing.T) {
			_, addr := startInProcess(t, threads)
			var finite sync.WaitGroup
			stop := make(chan struct{})
			var background sync.WaitGroup
			workers := []struct {
				name string
				fn   func(addr string, stop <-chan struct{}) error
				// endless workers run until the finite ones are done.
				endless bool
			}{
				{"pipelined incr", pipelinedIncr, false},
				{"watch conflicts", watchConflicts, false},
				{"publish", publishToSubscribers, false},
				{"blpop", blpopServedByLpush, false},
				{"big values", bigValues, false},
				{"client kill", killVictims, true},
				{"config set", configSetLoop, true},
			}
			for _, w := range workers {
				wg := &finite
				if w.endless {
					wg = &background
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := w.fn(addr, stop); err != nil {
						t.Errorf("%s: %v", w.name, err)
					}
				}()
			}
			finite.Wait()
			close(stop)
			background.Wait()
		})
	}
}

// pipelinedIncr: clients pipeline INCR with SET/GET of their own keys; the
// shared counter ends at the number of INCRs sent.
func pipelinedIncr(addr string, _ <-chan struct{}) error {
	const clients, rounds, depth = 4, 25, 20
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for id := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dialClient(addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.close()
			for r := range rounds {
				for i := range depth {
					key := fmt.Sprintf("k:%d:%d:%d", id, r, i)
					c.queue("INCR", "counter")
					c.queue("SET", key, key)
					c.queue("GET", key)
				}
				if err := c.flush(); err != nil {
					errs <- err
					return
				}
				for i := range depth {
					key := fmt.Sprintf("k:%d:%d:%d", id, r, i)
					for j, want := range []string{"", "+OK\r\n", bulk(key)} {
						got, err := c.read()
						if err != nil {
							errs <- err
							return
						}
						if j == 0 {
							if _, err := parseIntReply(got); err != nil {
								errs <- err
								return
							}
						} else if string(got) != want {
							errs <- fmt.Errorf("got %q, want %q", got, want)
							return
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	c, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer c.close()
	return c.expect(bulk(strconv.Itoa(clients*rounds*depth)), "GET", "counter")
}

// watchConflicts: clients increment one key with WATCH/GET/MULTI/SET/EXEC,
// retrying when EXEC aborts; the key ends at the number of successes and
// no update is lost.
func watchConflicts(addr string, _ <-chan struct{}) error {
	const clients, each = 3, 30
	var wg sync.WaitGroup
	var aborted atomic.Int64
	errs := make(chan error, clients)
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := dialClient(addr)
			if err != nil {
				errs <- err
				return
			}
			defer c.close()
			for done := 0; done < each; {
				if err := c.expect("+OK\r\n", "WATCH", "w"); err != nil {
					errs <- err
					return
				}
				got, err := c.do("GET", "w")
				if err != nil {
					errs <- err
					return
				}
				v, _, err := bulkString(got)
				if err != nil {
					errs <- err
					return
				}
				n, _ := strconv.Atoi(v)
				c.queue("MULTI")
				c.queue("SET", "w", strconv.Itoa(n+1))
				c.queue("EXEC")
				if err := c.flush(); err != nil {
					errs <- err
					return
				}
				var replies [3][]byte
				for i := range replies {
					if replies[i], err = c.read(); err != nil {
						errs <- err
						return
					}
				}
				if string(replies[0]) != "+OK\r\n" || string(replies[1]) != "+QUEUED\r\n" {
					errs <- fmt.Errorf("MULTI/SET replied %q %q", replies[0], replies[1])
					return
				}
				switch string(replies[2]) {
				case "*-1\r\n":
					aborted.Add(1)
				case "*1\r\n+OK\r\n":
					done++
				default:
					errs <- fmt.Errorf("EXEC replied %q", replies[2])
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	c, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer c.close()
	return c.expect(bulk(strconv.Itoa(clients*each)), "GET", "w")
}

// publishToSubscribers: two subscribers (channel and pattern) on their own
// connections receive every message in publish order.
func publishToSubscribers(addr string, _ <-chan struct{}) error {
	const subscribers, messages = 2, 200
	subs := make([]*rclient, subscribers)
	for i := range subs {
		c, err := dialClient(addr)
		if err != nil {
			return err
		}
		defer c.close()
		if err := c.expect("*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n", "SUBSCRIBE", "news"); err != nil {
			return err
		}
		if err := c.expect("*3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:2\r\n", "PSUBSCRIBE", "n*"); err != nil {
			return err
		}
		subs[i] = c
	}
	pub, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer pub.close()
	received := make(chan error, subscribers)
	for _, c := range subs {
		go func() {
			for i := range messages {
				msg := "m" + strconv.Itoa(i)
				for _, want := range []string{
					"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n" + bulk(msg),
					"*4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n" + bulk(msg),
				} {
					got, err := c.read()
					if err != nil {
						received <- err
						return
					}
					if string(got) != want {
						received <- fmt.Errorf("subscriber got %q, want %q", got, want)
						return
					}
				}
			}
			received <- nil
		}()
	}
	for i := range messages {
		want := ":" + strconv.Itoa(2*subscribers) + "\r\n"
		if err := pub.expect(want, "PUBLISH", "news", "m"+strconv.Itoa(i)); err != nil {
			return err
		}
	}
	for range subscribers {
		if err := <-received; err != nil {
			return err
		}
	}
	return nil
}

// blpopServedByLpush: a consumer blocks in BLPOP while a producer pushes on
// another connection; every item arrives exactly once.
func blpopServedByLpush(addr string, _ <-chan struct{}) error {
	const items = 100
	cons, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer cons.close()
	prod, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer prod.close()
	got := make(chan error, 1)
	go func() {
		seen := map[string]bool{}
		for range items {
			b, err := cons.do("BLPOP", "q", "5")
			if err != nil {
				got <- err
				return
			}
			_, elems, err := testutil.Elements(b)
			if err != nil || len(elems) != 2 || string(elems[0]) != bulk("q") {
				got <- fmt.Errorf("BLPOP replied %q (%v)", b, err)
				return
			}
			v, _, _ := bulkString(elems[1])
			if seen[v] {
				got <- fmt.Errorf("item %s popped twice", v)
				return
			}
			seen[v] = true
		}
		got <- nil
	}()
	for i := range items {
		b, err := prod.do("LPUSH", "q", "item"+strconv.Itoa(i))
		if err != nil {
			return err
		}
		if _, err := parseIntReply(b); err != nil {
			return err
		}
		if i%10 == 0 {
			time.Sleep(time.Millisecond)
		}
	}
	return <-got
}

// killVictims: victims connect, name themselves and ping until killed,
// then reconnect; a killer lists clients and kills the victims by id.
func killVictims(addr string, stop <-chan struct{}) error {
	const victims = 3
	var wg sync.WaitGroup
	errs := make(chan error, victims+1)
	var killed atomic.Int64
	for range victims {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := dialClient(addr)
				if err != nil {
					errs <- err
					return
				}
				if err := c.expect("+OK\r\n", "CLIENT", "SETNAME", "victim"); err != nil {
					c.close()
					if isClosed(err) {
						continue
					}
					errs <- err
					return
				}
				for {
					b, err := c.do("PING")
					if err != nil {
						c.close()
						if !isClosed(err) {
							errs <- err
							return
						}
						break
					}
					if string(b) != "+PONG\r\n" {
						c.close()
						errs <- fmt.Errorf("PING replied %q", b)
						return
					}
					select {
					case <-stop:
						c.close()
						return
					default:
					}
				}
			}
		}()
	}
	killer, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer killer.close()
	for {
		select {
		case <-stop:
			wg.Wait()
			close(errs)
			if err := <-errs; err != nil {
				return err
			}
			if killed.Load() == 0 {
				return errors.New("no victim was killed")
			}
			return nil
		default:
		}
		list, err := killer.do("CLIENT", "LIST")
		if err != nil {
			return err
		}
		text, _, err := bulkString(list)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(text, "\n") {
			if !strings.Contains(line, " name=victim ") {
				continue
			}
			id := strings.TrimPrefix(strings.Fields(line)[0], "id=")
			b, err := killer.do("CLIENT", "KILL", "ID", id)
			if err != nil {
				return err
			}
			// :0 when the victim left on its own meanwhile.
			if string(b) == ":1\r\n" {
				killed.Add(1)
			} else if string(b) != ":0\r\n" {
				return fmt.Errorf("CLIENT KILL replied %q", b)
			}
		}
		if _, err := killer.do("CLIENT", "INFO"); err != nil {
			return err
		}
	}
}

// bigValues: values larger than a loop's read buffer make commands
// straddle reads, so they collect in the connection's own query buffer
// while CLIENT LIST reads its size from other loops.
func bigValues(addr string, _ <-chan struct{}) error {
	c, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer c.close()
	for i := range 30 {
		v := strings.Repeat(string(rune('a'+i%26)), 40000+i*997)
		if err := c.expect("+OK\r\n", "SET", "big", v); err != nil {
			return err
		}
		if err := c.expect(bulk(v), "GET", "big"); err != nil {
			return err
		}
	}
	return nil
}

// isClosed says whether err is the server closing the connection (EOF or
// reset), not a timeout.
func isClosed(err error) bool {
	var to interface{ Timeout() bool }
	return !errors.As(err, &to) || !to.Timeout()
}

// configSetLoop changes runtime directives while traffic runs and reads
// them back.
func configSetLoop(addr string, stop <-chan struct{}) error {
	c, err := dialClient(addr)
	if err != nil {
		return err
	}
	defer c.close()
	policies := []string{"allkeys-lru", "noeviction", "volatile-ttl"}
	for i := 0; ; i++ {
		select {
		case <-stop:
			return nil
		default:
		}
		hz := strconv.Itoa(10 + i%40)
		policy := policies[i%len(policies)]
		if err := c.expect("+OK\r\n", "CONFIG", "SET", "hz", hz, "maxmemory-policy", policy,
			"slowlog-log-slower-than", strconv.Itoa(i%1000), "client-output-buffer-limit", "pubsub 32mb 8mb 60"); err != nil {
			return err
		}
		want := "*2\r\n$2\r\nhz\r\n" + bulk(hz)
		if err := c.expect(want, "CONFIG", "GET", "hz"); err != nil {
			return err
		}
		if _, err := c.do("INFO", "clients"); err != nil {
			return err
		}
	}
}

// TestRebindUnderTraffic moves the listening port back and forth with
// CONFIG SET while other connections keep pipelining on every loop: the
// listener set changes under loop 0's feet, established connections are
// untouched, and each new port accepts as soon as CONFIG SET answers.
func TestRebindUnderTraffic(t *testing.T) {
	s, addr := startInProcess(t, 3)
	ports := []string{strconv.Itoa(s.Port()), strconv.Itoa(testutil.FreePort(t))}
	ctl := testutil.Dial(t, addr)
	if got := string(ctl.Do("SET", "x", "1")); got != "+OK\r\n" {
		t.Fatalf("SET: %q", got)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		c, err := dialClient(addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.close()
		// Accepted before the first rebind: closing a listener resets the
		// connections still waiting in its backlog, in Redis too.
		if err := c.expect(":1\r\n", "EXISTS", "x"); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if err := c.expect(":1\r\n", "EXISTS", "x"); err != nil {
					t.Errorf("traffic: %v", err)
					return
				}
			}
		}()
	}
	for i := range 10 {
		port := ports[(i+1)%2]
		if got := string(ctl.Do("CONFIG", "SET", "port", port)); got != "+OK\r\n" {
			t.Fatalf("CONFIG SET port %s: %q", port, got)
		}
		c := testutil.Dial(t, "127.0.0.1:"+port)
		if got := string(c.Do("GET", "x")); got != "$1\r\n1\r\n" {
			t.Fatalf("GET on new port: %q", got)
		}
		c.Close()
		if s.Port() != mustAtoi(t, port) {
			t.Fatalf("Port() = %d, want %s", s.Port(), port)
		}
	}
	close(stop)
	wg.Wait()
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
