package compat

import (
	"bytes"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"shoal/internal/testutil"
)

// clusterSteps run on one fresh cluster-enabled node. "$ID" is replaced by
// the node's own ID; in replies the node's ID becomes "<id>" and unix-ms
// times "<ms>", so two nodes' replies compare byte for byte.
var clusterSteps = []string{
	"CLUSTER HELP",
	"CLUSTER INFO",
	"CLUSTER MYID",
	"CLUSTER KEYSLOT 123456789",
	"CLUSTER KEYSLOT foo{}{bar}",
	"CLUSTER KEYSLOT foo{{bar}}zap",
	"CLUSTER KEYSLOT \"\"",
	"CLUSTER COUNTKEYSINSLOT x",
	"CLUSTER COUNTKEYSINSLOT -1",
	"CLUSTER COUNTKEYSINSLOT 16384",
	"CLUSTER GETKEYSINSLOT 0 -1",
	"CLUSTER GETKEYSINSLOT x 1",
	"CLUSTER GETKEYSINSLOT 16384 1",
	"CLUSTER ADDSLOTS x",
	"CLUSTER ADDSLOTS 16384",
	"CLUSTER ADDSLOTS 0 1 2",
	"CLUSTER ADDSLOTS 3 1",
	"CLUSTER ADDSLOTS 5 5",
	"CLUSTER DELSLOTS 100",
	"CLUSTER DELSLOTS 2",
	"CLUSTER ADDSLOTSRANGE 10 5",
	"CLUSTER ADDSLOTSRANGE 10",
	"CLUSTER ADDSLOTSRANGE 10 20 30",
	"CLUSTER ADDSLOTSRANGE 10 20 30 40",
	"CLUSTER ADDSLOTSRANGE 35 50",
	"CLUSTER DELSLOTSRANGE 12 15 100 101",
	"CLUSTER DELSLOTSRANGE 12 15",
	"CLUSTER SLOTS",
	"CLUSTER SHARDS",
	"CLUSTER NODES",
	"CLUSTER INFO",
	"CLUSTER SETSLOT 0 MIGRATING nobody",
	"CLUSTER SETSLOT 3000 MIGRATING $ID",
	"CLUSTER SETSLOT 0 IMPORTING $ID",
	"CLUSTER SETSLOT 3000 IMPORTING nobody",
	"CLUSTER SETSLOT 0 MIGRATING $ID",
	"CLUSTER SETSLOT 3000 IMPORTING $ID",
	"CLUSTER NODES",
	"CLUSTER SETSLOT 0 STABLE",
	"CLUSTER SETSLOT 3000 STABLE",
	"CLUSTER SETSLOT 0 NODE nobody",
	"CLUSTER SETSLOT x STABLE",
	"CLUSTER SETSLOT 0 BOGUS",
	"CLUSTER SETSLOT 0 STABLE extra",
	"CLUSTER SETSLOT 4000 NODE $ID",
	"CLUSTER MEET 127.0.0.1 x",
	"CLUSTER MEET 127.0.0.1 7000 y",
	"CLUSTER MEET 1.2.3.x 7000",
	"CLUSTER FORGET nobody",
	"CLUSTER FORGET $ID",
	"CLUSTER REPLICATE nobody",
	"CLUSTER REPLICATE $ID",
	"CLUSTER REPLICAS nobody",
	"CLUSTER REPLICAS $ID",
	"CLUSTER SLAVES $ID",
	"CLUSTER COUNT-FAILURE-REPORTS nobody",
	"CLUSTER COUNT-FAILURE-REPORTS $ID",
	"CLUSTER SET-CONFIG-EPOCH x",
	"CLUSTER SET-CONFIG-EPOCH -1",
	"CLUSTER SET-CONFIG-EPOCH 5",
	"CLUSTER SET-CONFIG-EPOCH 6",
	"CLUSTER BUMPEPOCH",
	"CLUSTER LINKS",
	"CLUSTER RESET bogus",
	"CLUSTER BOGUS",
	"CLUSTER NODES extra",
	"ASKING",
	"READONLY",
	"READWRITE",
	"SELECT 0",
	"SELECT 1",
	"GET {a}x",
	"SET a 1",
	"GET b",
	"MSET a 1 b 2",
	"CLUSTER COUNTKEYSINSLOT 15495",
	"CLUSTER GETKEYSINSLOT 15495 10",
	"CLUSTER FLUSHSLOTS",
	"CLUSTER RESET",
	"DEL a",
	"CLUSTER FLUSHSLOTS",
	"CLUSTER INFO",
	"CLUSTER RESET SOFT",
	"CLUSTER INFO",
}

var (
	msRE      = regexp.MustCompile(`\b1[0-9]{12}\b`)
	lenLineRE = regexp.MustCompile(`(?m)^\$\d+\r$`)
)

// TestClusterCommands compares every CLUSTER subcommand's replies and
// errors, the redirections of a lone node and its database rules with a
// cluster-enabled redis-server 7.0.
func TestClusterCommands(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	if binErr != nil {
		t.Skip(binErr)
	}
	raddr, _ := testutil.StartRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	saddr := testutil.StartShoal(t, shoalBin, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	run := func(addr string) [][]byte {
		c := testutil.Dial(t, addr)
		port, _ := strconv.Atoi(addr[strings.LastIndexByte(addr, ':')+1:])
		id := string(c.Do("CLUSTER", "MYID"))
		id = id[strings.IndexByte(id, '\n')+1 : len(id)-2]
		// A fresh master reports cluster_size:1 (clusterInit's) until its
		// first state update after the 2 s writable delay: wait for that,
		// so that every CLUSTER INFO below is compared whole.
		testutil.WaitFor(t, 20*time.Second, func() bool {
			return bytes.Contains(c.Do("CLUSTER", "INFO"), []byte("cluster_size:0"))
		})
		var out [][]byte
		for _, line := range clusterSteps {
			args, err := splitArgs(strings.ReplaceAll(line, "$ID", id))
			if err != nil {
				t.Fatal(err)
			}
			r := c.Do(args...)
			r = bytes.ReplaceAll(r, []byte(id), []byte("<id>"))
			r = bytes.ReplaceAll(r, []byte(strconv.Itoa(port+10000)), []byte("<cport>"))
			r = bytes.ReplaceAll(r, []byte(strconv.Itoa(port)), []byte("<port>"))
			r = msRE.ReplaceAll(r, []byte("<ms>"))
			if bytes.Contains(r, []byte("<")) {
				// The masked text changed bulk lengths: compare without them.
				r = lenLineRE.ReplaceAll(r, []byte("$?\r"))
			}
			out = append(out, r)
		}
		return out
	}
	want, got := run(raddr), run(saddr)
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("%s:\n redis: %q\n shoal: %q", clusterSteps[i], want[i], got[i])
		}
	}
}

// clusterScriptSteps run on a lone node serving every slot: the cluster
// rules for the commands a script calls (scriptVerifyClusterState). Key
// "a" hashes to slot 15495, "b" to 3300, "{a}b" with "a".
var clusterScriptSteps = []string{
	`EVAL "return redis.call('set','a','1')" 0`,
	`EVAL "redis.call('set','a','1'); return redis.call('set','b','2')" 0`,
	`EVAL "#!lua\nredis.call('set','a','1'); return redis.call('set','b','2')" 0`,
	`EVAL "#!lua\nredis.call('set','a','1'); return redis.call('set','{a}b','2')" 0`,
	`EVAL "#!lua flags=allow-cross-slot-keys\nredis.call('set','a','1'); return redis.call('set','b','2')" 0`,
	`EVAL "#!lua\nreturn redis.call('get',KEYS[1])" 1 a`,
	`EVAL "#!lua\nreturn redis.call('get','b')" 1 a`,
	`EVAL "#!lua\nreturn redis.pcall('get','b')" 1 a`,
	`EVAL "return redis.call('get','b')" 1 a`,
	`EVAL "#!lua flags=no-cluster\nreturn 1" 0`,
	`FUNCTION LOAD "#!lua name=lib\nredis.register_function('g', function(keys) return redis.call('get', keys[1]) end)\nredis.register_function('gb', function(keys) return redis.call('get', 'b') end)"`,
	`FCALL g 1 a`,
	`FCALL gb 1 a`,
	`FCALL gb 0`,
	`FUNCTION FLUSH`,
	`CLUSTER DELSLOTS 3300`,
	`EVAL "return redis.call('get','b')" 0`,
	`EVAL "return redis.call('get','a')" 0`,
}

// TestClusterScripts compares, with a cluster-enabled redis-server 7.0,
// what scripts may touch in cluster mode.
func TestClusterScripts(t *testing.T) {
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Skip("redis-server not on PATH")
	}
	if binErr != nil {
		t.Skip(binErr)
	}
	raddr, _ := testutil.StartRedis(t, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	saddr := testutil.StartShoal(t, shoalBin, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf")
	run := func(addr string) [][]byte {
		c := testutil.Dial(t, addr)
		c.Do("CLUSTER", "ADDSLOTSRANGE", "0", "16383")
		testutil.WaitFor(t, 10*time.Second, func() bool {
			return bytes.Contains(c.Do("CLUSTER", "INFO"), []byte("cluster_state:ok"))
		})
		var out [][]byte
		for _, line := range clusterScriptSteps {
			args, err := splitArgs(line)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, c.Do(args...))
		}
		return out
	}
	want, got := run(raddr), run(saddr)
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Errorf("%s:\n redis: %q\n shoal: %q", clusterScriptSteps[i], want[i], got[i])
		}
	}
}
