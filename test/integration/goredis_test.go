package integration

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// protocols are the RESP versions every go-redis test runs under.
var protocols = []int{2, 3}

// newClient returns a go-redis client for addr speaking RESP proto.
func newClient(t *testing.T, addr string, proto int) *redis.Client {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: addr, Protocol: proto, ReadTimeout: 5 * time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

func TestGoRedisStrings(t *testing.T) {
	_, addr := startShoal(t)
	ctx := context.Background()
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := newClient(t, addr, proto)
			if err := rdb.FlushAll(ctx).Err(); err != nil {
				t.Fatal(err)
			}
			if err := rdb.Set(ctx, "k", "v", 0).Err(); err != nil {
				t.Fatalf("SET: %v", err)
			}
			if v, err := rdb.Get(ctx, "k").Result(); err != nil || v != "v" {
				t.Fatalf("GET = %q, %v", v, err)
			}
			if _, err := rdb.Get(ctx, "missing").Result(); !errors.Is(err, redis.Nil) {
				t.Fatalf("GET missing: err = %v, want redis.Nil", err)
			}
			if n, err := rdb.Incr(ctx, "n").Result(); err != nil || n != 1 {
				t.Fatalf("INCR = %d, %v", n, err)
			}
			if n, err := rdb.IncrBy(ctx, "n", 41).Result(); err != nil || n != 42 {
				t.Fatalf("INCRBY = %d, %v", n, err)
			}
			if f, err := rdb.IncrByFloat(ctx, "n", 0.5).Result(); err != nil || f != 42.5 {
				t.Fatalf("INCRBYFLOAT = %v, %v", f, err)
			}
			if _, err := rdb.Incr(ctx, "k").Result(); err == nil || err.Error() != "ERR value is not an integer or out of range" {
				t.Fatalf("INCR of a string: err = %v", err)
			}
			if ok, err := rdb.Expire(ctx, "k", 100*time.Second).Result(); err != nil || !ok {
				t.Fatalf("EXPIRE = %v, %v", ok, err)
			}
			if d, err := rdb.TTL(ctx, "k").Result(); err != nil || d <= 90*time.Second || d > 100*time.Second {
				t.Fatalf("TTL = %v, %v", d, err)
			}
			if d, err := rdb.TTL(ctx, "n").Result(); err != nil || d != -1 {
				t.Fatalf("TTL without expiry = %v, %v", d, err)
			}
			if d, err := rdb.PTTL(ctx, "missing").Result(); err != nil || d != -2 {
				t.Fatalf("PTTL of a missing key = %v, %v", d, err)
			}
			if err := rdb.SetEx(ctx, "e", "x", time.Hour).Err(); err != nil {
				t.Fatal(err)
			}
			if vals, err := rdb.MGet(ctx, "k", "missing", "e").Result(); err != nil || len(vals) != 3 || vals[0] != "v" || vals[1] != nil || vals[2] != "x" {
				t.Fatalf("MGET = %v, %v", vals, err)
			}
			if n, err := rdb.Del(ctx, "k", "e", "missing").Result(); err != nil || n != 2 {
				t.Fatalf("DEL = %d, %v", n, err)
			}
		})
	}
}

func TestGoRedisPipeline(t *testing.T) {
	_, addr := startShoal(t)
	ctx := context.Background()
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := newClient(t, addr, proto)
			rdb.FlushAll(ctx)
			cmds, err := rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				for i := range 100 {
					p.Set(ctx, fmt.Sprintf("p%d", i), i, 0)
				}
				p.Incr(ctx, "p0")
				p.Get(ctx, "p99")
				return nil
			})
			if err != nil {
				t.Fatalf("pipeline: %v", err)
			}
			if len(cmds) != 102 {
				t.Fatalf("pipeline returned %d results", len(cmds))
			}
			if n := cmds[100].(*redis.IntCmd).Val(); n != 1 {
				t.Fatalf("INCR in pipeline = %d", n)
			}
			if v := cmds[101].(*redis.StringCmd).Val(); v != "99" {
				t.Fatalf("GET in pipeline = %q", v)
			}
			if n, err := rdb.DBSize(ctx).Result(); err != nil || n != 100 {
				t.Fatalf("DBSIZE = %d, %v", n, err)
			}
			// A failing command in a pipeline fails alone.
			cmds, err = rdb.Pipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "s", "x", 0)
				p.Incr(ctx, "s")
				p.Get(ctx, "s")
				return nil
			})
			if err == nil || cmds[1].Err() == nil || cmds[2].(*redis.StringCmd).Val() != "x" {
				t.Fatalf("pipeline with an error: %v %v", err, cmds)
			}
		})
	}
}

func TestGoRedisTransactions(t *testing.T) {
	_, addr := startShoal(t)
	ctx := context.Background()
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := newClient(t, addr, proto)
			other := newClient(t, addr, proto)
			rdb.FlushAll(ctx)
			cmds, err := rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "a", "1", 0)
				p.Incr(ctx, "a")
				return nil
			})
			if err != nil || len(cmds) != 2 || cmds[1].(*redis.IntCmd).Val() != 2 {
				t.Fatalf("TxPipelined = %v, %v", cmds, err)
			}

			// Optimistic locking: an untouched key commits.
			incr := func(key string, meddle bool) error {
				return rdb.Watch(ctx, func(tx *redis.Tx) error {
					n, err := tx.Get(ctx, key).Int()
					if err != nil && !errors.Is(err, redis.Nil) {
						return err
					}
					if meddle {
						if err := other.Set(ctx, key, "100", 0).Err(); err != nil {
							return err
						}
					}
					_, err = tx.TxPipelined(ctx, func(p redis.Pipeliner) error {
						p.Set(ctx, key, n+1, 0)
						return nil
					})
					return err
				}, key)
			}
			if err := incr("w", false); err != nil {
				t.Fatalf("WATCH/MULTI/EXEC: %v", err)
			}
			if v, _ := rdb.Get(ctx, "w").Result(); v != "1" {
				t.Fatalf("after commit w = %q", v)
			}
			// Another client's write in between aborts EXEC.
			if err := incr("w", true); !errors.Is(err, redis.TxFailedErr) {
				t.Fatalf("WATCH with a concurrent write: err = %v, want TxFailedErr", err)
			}
			if v, _ := rdb.Get(ctx, "w").Result(); v != "100" {
				t.Fatalf("after abort w = %q", v)
			}
			// Queue-time errors abort the whole transaction.
			_, err = rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
				p.Set(ctx, "x", "1", 0)
				p.Do(ctx, "nosuchcommand")
				return nil
			})
			if err == nil {
				t.Fatal("transaction with an unknown command succeeded")
			}
			if n, _ := rdb.Exists(ctx, "x").Result(); n != 0 {
				t.Fatal("aborted transaction wrote x")
			}
		})
	}
}

func TestGoRedisPubSub(t *testing.T) {
	_, addr := startShoal(t)
	ctx := context.Background()
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := newClient(t, addr, proto)
			pub := newClient(t, addr, proto)
			ps := rdb.Subscribe(ctx, "news")
			defer ps.Close()
			if _, err := ps.Receive(ctx); err != nil {
				t.Fatalf("subscribe confirmation: %v", err)
			}
			if err := ps.PSubscribe(ctx, "sport.*"); err != nil {
				t.Fatal(err)
			}
			if _, err := ps.Receive(ctx); err != nil {
				t.Fatalf("psubscribe confirmation: %v", err)
			}
			if n, err := pub.Publish(ctx, "news", "hello").Result(); err != nil || n != 1 {
				t.Fatalf("PUBLISH = %d, %v", n, err)
			}
			if n, err := pub.Publish(ctx, "sport.tennis", "ace").Result(); err != nil || n != 1 {
				t.Fatalf("PUBLISH to a pattern = %d, %v", n, err)
			}
			msg, err := ps.ReceiveMessage(ctx)
			if err != nil || msg.Channel != "news" || msg.Payload != "hello" || msg.Pattern != "" {
				t.Fatalf("message = %+v, %v", msg, err)
			}
			msg, err = ps.ReceiveMessage(ctx)
			if err != nil || msg.Channel != "sport.tennis" || msg.Payload != "ace" || msg.Pattern != "sport.*" {
				t.Fatalf("pmessage = %+v, %v", msg, err)
			}
			if m, err := pub.PubSubNumSub(ctx, "news", "none").Result(); err != nil || m["news"] != 1 || m["none"] != 0 {
				t.Fatalf("PUBSUB NUMSUB = %v, %v", m, err)
			}
			if n, err := pub.PubSubNumPat(ctx).Result(); err != nil || n != 1 {
				t.Fatalf("PUBSUB NUMPAT = %d, %v", n, err)
			}
			// The channel API delivers in order.
			ch := ps.Channel()
			for i := range 50 {
				pub.Publish(ctx, "news", fmt.Sprint(i))
			}
			for i := range 50 {
				select {
				case m := <-ch:
					if m.Payload != fmt.Sprint(i) {
						t.Fatalf("message %d = %q", i, m.Payload)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("message %d not delivered", i)
				}
			}
			if err := ps.Unsubscribe(ctx, "news"); err != nil {
				t.Fatal(err)
			}
			ps.PUnsubscribe(ctx)
			ok := false
			for range 100 {
				if n, _ := pub.PubSubNumSub(ctx, "news").Result(); n["news"] == 0 {
					ok = true
					break
				}
				time.Sleep(10 * time.Millisecond)
			}
			if !ok {
				t.Fatal("unsubscribe not seen by PUBSUB NUMSUB")
			}
		})
	}
}

func TestGoRedisScan(t *testing.T) {
	_, addr := startShoal(t)
	ctx := context.Background()
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := newClient(t, addr, proto)
			rdb.FlushAll(ctx)
			var want []string
			for i := range 1000 {
				k := fmt.Sprintf("key:%d", i)
				want = append(want, k)
				rdb.Set(ctx, k, i, 0)
			}
			for i := range 100 {
				rdb.Set(ctx, fmt.Sprintf("other:%d", i), i, 0)
			}
			var got []string
			it := rdb.Scan(ctx, 0, "key:*", 50).Iterator()
			for it.Next(ctx) {
				got = append(got, it.Val())
			}
			if err := it.Err(); err != nil {
				t.Fatal(err)
			}
			slices.Sort(got)
			got = slices.Compact(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Fatalf("SCAN returned %d distinct keys, want %d", len(got), len(want))
			}
		})
	}
}

func TestGoRedisConnectionCommands(t *testing.T) {
	_, addr := startShoal(t)
	ctx := context.Background()
	for _, proto := range protocols {
		t.Run(fmt.Sprintf("RESP%d", proto), func(t *testing.T) {
			rdb := newClient(t, addr, proto)
			if v, err := rdb.Ping(ctx).Result(); err != nil || v != "PONG" {
				t.Fatalf("PING = %q, %v", v, err)
			}
			if v, err := rdb.Echo(ctx, "hi").Result(); err != nil || v != "hi" {
				t.Fatalf("ECHO = %q, %v", v, err)
			}
			if err := rdb.Do(ctx, "CLIENT", "SETNAME", "app").Err(); err != nil {
				t.Fatal(err)
			}
			if v, err := rdb.ClientGetName(ctx).Result(); err != nil || v != "app" {
				t.Fatalf("CLIENT GETNAME = %q, %v", v, err)
			}
			if _, err := rdb.ClientID(ctx).Result(); err != nil {
				t.Fatal(err)
			}
			list, err := rdb.ClientList(ctx).Result()
			if err != nil || !strings.Contains(list, "name=app") || !strings.Contains(list, fmt.Sprintf("resp=%d", proto)) {
				t.Fatalf("CLIENT LIST = %q, %v", list, err)
			}
			info, err := rdb.Info(ctx, "server").Result()
			if err != nil || !strings.Contains(info, "redis_version:7.0.15") {
				t.Fatalf("INFO server = %q, %v", info, err)
			}
		})
	}
}
