package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"shoal/internal/testutil"
)

// TestLoadSkipsEmptyKeys: an RDB file holding keys with no elements (older
// servers wrote them, Redis #8453) loads on both redis-server and
// shoal-server: each empty key is logged as skipped and the others load
// (Redis's corrupt-dump "load corrupted rdb with empty keys"). The file is
// built by hand: version 10, no checksum.
func TestLoadSkipsEmptyKeys(t *testing.T) {
	if binErr != nil {
		t.Skip(binErr)
	}
	rdbFile := []byte("REDIS0010")
	rdbFile = append(rdbFile, 0xfe, 0) // SELECTDB 0
	str := func(s string) []byte { return append([]byte{byte(len(s))}, s...) }
	record := func(typ byte, key string, body ...byte) {
		rdbFile = append(rdbFile, typ)
		rdbFile = append(rdbFile, str(key)...)
		rdbFile = append(rdbFile, body...)
	}
	emptyListpack := []byte{7, 0, 0, 0, 0, 0, 0xff}              // total 7, 0 entries, end
	emptyZiplist := []byte{11, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0xff} // zlbytes 11, tail 10, 0 entries, end
	record(2, "set", 0)                                          // set, no members
	record(1, "list", 0)                                         // list, no elements
	record(3, "zset", 0)                                         // zset, no members
	record(4, "hash", 0)                                         // hash, no fields
	record(16, "hash_listpack", append([]byte{byte(len(emptyListpack))}, emptyListpack...)...)
	record(13, "hash_ziplist", append([]byte{byte(len(emptyZiplist))}, emptyZiplist...)...)
	record(17, "zset_listpack", append([]byte{byte(len(emptyListpack))}, emptyListpack...)...)
	record(18, "list_quicklist", 1, 2, byte(len(emptyListpack))) // one packed node, empty
	rdbFile = append(rdbFile, emptyListpack...)
	record(0, "k", str("v")...)
	rdbFile = append(rdbFile, 0xff, 0, 0, 0, 0, 0, 0, 0, 0)

	skipped := regexp.MustCompile(`skipping empty key: (\S+)`)
	var results []string
	for _, name := range []string{"redis", "shoal"} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "dump.rdb"), rdbFile, 0o644); err != nil {
			t.Fatal(err)
		}
		bin := shoalBin
		if name == "redis" {
			var err error
			if bin, err = exec.LookPath("redis-server"); err != nil {
				t.Skip("redis-server not on PATH")
			}
		}
		p, addr := testutil.StartServer(t, bin, "--dir", dir, "--dbfilename", "dump.rdb")
		c := testutil.Dial(t, addr)
		out := "dbsize " + replyText(c.Do("DBSIZE")) + " get " + replyText(c.Do("GET", "k"))
		var keys []string
		for _, m := range skipped.FindAllStringSubmatch(p.Output(), -1) {
			keys = append(keys, m[1])
		}
		sort.Strings(keys)
		out += " skipped " + strings.Join(keys, ",")
		if !strings.Contains(p.Output(), "empty keys skipped: 8") {
			out += " (no total)"
		}
		results = append(results, out)
		c.Close()
		p.Stop()
	}
	if want := "dbsize 1 get v skipped hash,hash_listpack,hash_ziplist,list,list_quicklist,set,zset,zset_listpack"; results[0] != want {
		t.Fatalf("redis-server read the file otherwise: %s", results[0])
	}
	if results[0] != results[1] {
		t.Errorf("redis: %s\nshoal: %s", results[0], results[1])
	}
}
