package cli

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"shoal/internal/cli/conn"
	"shoal/internal/cli/format"
	"shoal/internal/resp"
)

// stopOnInterrupt makes Ctrl-C end a long loop (longStatLoopModeStop).
func (s *session) stopOnInterrupt() {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt)
	go func() {
		<-ch
		s.cancel.Store(true)
	}()
}

// command runs one command, reconnecting once if the link broke
// (reconnectingRedisCommand); nil means I/O error.
func (s *session) command(args ...string) *resp.Value {
	for tries := 0; tries < 10; tries++ {
		if s.conn == nil || s.conn.Err() != nil {
			if tries > 0 {
				time.Sleep(time.Second)
			}
			if !s.connect(ccForce) {
				continue
			}
		}
		v, err := s.conn.Do(args...)
		if err == nil {
			return &v
		}
	}
	return nil
}

func (s *session) latencyPrint(min, max int64, avg float64, count int64) {
	switch s.cfg.output {
	case format.Standard:
		s.outf("min: %d, max: %d, avg: %.2f (%d samples)", min, max, avg, count)
		s.out.Flush()
	case format.CSV:
		s.outf("%d,%d,%.2f,%d\n", min, max, avg, count)
	case format.Raw:
		s.outf("%d %d %.2f %d\n", min, max, avg, count)
	case format.JSON:
		s.outf("{\"min\": %d, \"max\": %d, \"avg\": %.2f, \"count\": %d}\n", min, max, avg, count)
	}
}

// latencyMode is --latency and --latency-history.
func (s *session) latencyMode() {
	historyInterval := int64(15000)
	if s.cfg.interval > 0 {
		historyInterval = int64(s.cfg.interval * 1000)
	}
	interval := int64(1000)
	if s.cfg.interval > 0 {
		interval = int64(s.cfg.interval * 1000)
	}
	var min, max, tot, count int64
	var avg float64
	historyStart := time.Now().UnixMilli()
	for {
		// Differences of whole-millisecond clock readings, as mstime().
		start := time.Now().UnixMilli()
		if s.command("PING") == nil {
			s.errf("\nI/O error\n")
			s.exit(1)
		}
		lat := time.Now().UnixMilli() - start
		count++
		if count == 1 {
			min, max, tot = lat, lat, lat
			avg = float64(lat)
		} else {
			min, max = minI(min, lat), maxI(max, lat)
			tot += lat
			avg = float64(tot) / float64(count)
		}
		if s.cfg.output == format.Standard {
			s.outf("\x1b[0G\x1b[2K")
			s.latencyPrint(min, max, avg, count)
		} else if s.cfg.latencyHistory {
			s.latencyPrint(min, max, avg, count)
		} else if time.Now().UnixMilli()-historyStart > interval {
			s.latencyPrint(min, max, avg, count)
			s.exit(0)
		}
		if s.cfg.latencyHistory && time.Now().UnixMilli()-historyStart > historyInterval {
			s.outf(" -- %.2f seconds range\n", float32(time.Now().UnixMilli()-historyStart)/1000)
			historyStart = time.Now().UnixMilli()
			min, max, tot, count = 0, 0, 0, 0
		}
		s.out.Flush()
		time.Sleep(10 * time.Millisecond)
	}
}

func minI(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}

func maxI(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

var spectrumPalette = []int{0, 233, 234, 235, 237, 239, 241, 243, 245, 247, 144, 143, 142, 184, 226, 214, 208, 202, 196}

type distSample struct {
	max   int64
	count int64
	char  byte
}

// latencyDistMode is --latency-dist.
func (s *session) latencyDistMode() {
	historyInterval := int64(1000)
	if s.cfg.interval > 0 {
		historyInterval = int64(s.cfg.interval * 1000)
	}
	samples := []distSample{
		{10, 0, '.'}, {125, 0, '-'}, {250, 0, '*'}, {500, 0, '#'},
		{1000, 0, '1'}, {2000, 0, '2'}, {3000, 0, '3'}, {4000, 0, '4'}, {5000, 0, '5'},
		{6000, 0, '6'}, {7000, 0, '7'}, {8000, 0, '8'}, {9000, 0, '9'},
		{10000, 0, 'A'}, {20000, 0, 'B'}, {30000, 0, 'C'}, {40000, 0, 'D'}, {50000, 0, 'E'},
		{100000, 0, 'F'}, {200000, 0, 'G'}, {300000, 0, 'H'}, {400000, 0, 'I'}, {500000, 0, 'J'},
		{1000000, 0, 'K'}, {2000000, 0, 'L'}, {4000000, 0, 'M'}, {8000000, 0, 'N'},
		{16000000, 0, 'O'}, {30000000, 0, 'P'}, {60000000, 0, 'Q'}, {0, 0, '?'},
	}
	var count int64
	outputs := 0
	historyStart := time.Now()
	for {
		start := time.Now()
		if s.command("PING") == nil {
			s.errf("\nI/O error\n")
			s.exit(1)
		}
		lat := time.Since(start).Microseconds()
		count++
		for j := range samples {
			if samples[j].max == 0 || lat <= samples[j].max {
				samples[j].count++
				break
			}
		}
		if time.Since(historyStart).Milliseconds() > historyInterval {
			if outputs%20 == 0 {
				s.outf("---------------------------------------------\n" +
					". - * #          .01 .125 .25 .5 milliseconds\n" +
					"1,2,3,...,9      from 1 to 9     milliseconds\n" +
					"A,B,C,D,E        10,20,30,40,50  milliseconds\n" +
					"F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n" +
					"K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n" +
					"From 0 to 100%%: ")
				for _, c := range spectrumPalette {
					s.outf("\033[48;5;%dm ", c)
				}
				s.outf("\033[0m\n---------------------------------------------\n")
			}
			outputs++
			s.outf("\033[38;5;0m")
			for j := range samples {
				idx := int(math.Ceil(float64(samples[j].count) / float64(count) * float64(len(spectrumPalette)-1)))
				s.outf("\033[48;5;%dm%c", spectrumPalette[idx], samples[j].char)
				samples[j].count = 0
			}
			s.outf("\033[0m\n")
			s.out.Flush()
			historyStart = time.Now()
			count = 0
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// pipeMode is --pipe: stdin's RESP goes to the server as it is read,
// replies are counted as they arrive, and a final ECHO of 20 random bytes
// tells when the last reply is in.
func (s *session) pipeMode() {
	c := s.conn
	nc := c.Net()
	// The stdin pump and the reply reader both print: one lock keeps
	// stdout's buffer whole and stderr's lines after what precedes them.
	var mu sync.Mutex
	say := func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		s.outf(f, a...)
		s.out.Flush()
	}
	sayErr := func(f string, a ...any) {
		mu.Lock()
		defer mu.Unlock()
		s.errf(f, a...)
	}
	var magic [20]byte
	rand.Read(magic[:])
	writeErr := make(chan error, 1)
	go func() {
		buf := make([]byte, 64<<10)
		for {
			n, err := s.stdin.Read(buf)
			if n > 0 {
				if _, werr := nc.Write(buf[:n]); werr != nil {
					writeErr <- werr
					return
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				sayErr("Error reading from stdin: %s\n", err)
				os.Exit(1)
			}
		}
		echo := append([]byte("\r\n*2\r\n$4\r\nECHO\r\n$20\r\n"), magic[:]...)
		echo = append(echo, '\r', '\n')
		say("All data transferred. Waiting for the last reply...\n")
		if _, err := nc.Write(echo); err != nil {
			writeErr <- err
			return
		}
		writeErr <- nil
	}()
	var errs, replies int64
	eof := false
	timeout := time.Duration(s.cfg.pipeTimeout) * time.Second
	for {
		if eof && timeout > 0 {
			nc.SetReadDeadline(time.Now().Add(timeout))
		}
		v, err := resp.ReadValue(c.Reader())
		if err != nil {
			if ne, ok := err.(interface{ Timeout() bool }); ok && ne.Timeout() {
				sayErr("No replies for %d seconds: exiting.\n", s.cfg.pipeTimeout)
				errs++
				break
			}
			sayErr("Error reading replies from server\n")
			s.exit(1)
		}
		if !eof {
			select {
			case werr := <-writeErr:
				if werr != nil {
					sayErr("Error writing to the server: %s\n", werr)
					s.exit(1)
				}
				eof = true
			default:
			}
		}
		if v.Kind == '-' {
			sayErr("%s\n", cstr(v.Str))
			errs++
		} else if v.Kind == '$' && len(v.Str) == 20 && bytes.Equal(v.Str, magic[:]) {
			say("Last reply received from server.\n")
			break
		}
		replies++
	}
	say("errors: %d, replies: %d\n", errs, replies)
	if errs > 0 {
		s.exit(1)
	}
	s.exit(0)
}

// sendScan is redis-cli's: SCAN cursor [MATCH pattern], plus COUNT with
// shoal-cli's --count.
func (s *session) sendScan(cursor string) (string, []resp.Value) {
	args := []string{"SCAN", cursor}
	if s.cfg.hasPattern {
		args = append(args, "MATCH", s.cfg.pattern)
	}
	if s.cfg.count > 0 {
		args = append(args, "COUNT", strconv.Itoa(s.cfg.count))
	}
	v, err := s.conn.Do(args...)
	switch {
	case err != nil:
		s.errf("\nI/O error\n")
		s.exit(1)
	case v.Kind == '-':
		s.errf("SCAN error: %s\n", v.Str)
		s.exit(1)
	case v.Kind != '*':
		s.errf("Non ARRAY response from SCAN!\n")
		s.exit(1)
	case len(v.Elems) != 2:
		s.errf("Invalid element count from SCAN!\n")
		s.exit(1)
	}
	return string(v.Elems[0].Str), v.Elems[1].Elems
}

// scanMode is --scan.
func (s *session) scanMode() {
	s.stopOnInterrupt()
	cur := "0"
	for {
		var keys []resp.Value
		cur, keys = s.sendScan(cur)
		for _, k := range keys {
			if s.cfg.output == format.Standard {
				s.out.Write(resp.AppendRepr(nil, k.Str))
			} else {
				s.out.Write(cstr(k.Str))
			}
			s.out.WriteByte('\n')
		}
		if s.cfg.interval > 0 {
			time.Sleep(time.Duration(s.cfg.interval * float64(time.Second)))
		}
		if s.cancel.Load() || cur == "0" {
			break
		}
	}
	s.exit(0)
}

func (s *session) dbSize() int64 {
	v, err := s.conn.Do("DBSIZE")
	switch {
	case err != nil:
		s.errf("\nI/O error\n")
		s.exit(1)
	case v.Kind == '-':
		s.errf("Couldn't determine DBSIZE: %s\n", v.Str)
		s.exit(1)
	case v.Kind != ':':
		s.errf("Non INTEGER response from DBSIZE!\n")
		s.exit(1)
	}
	return v.Int
}

type typeInfo struct {
	name, sizeCmd, unit   string
	biggest, count, total uint64
	biggestKey            string
	hasBiggest            bool
}

// findBigKeys is --bigkeys and --memkeys.
func (s *session) findBigKeys(memkeys bool) {
	types := newTypeTable()
	for _, ti := range []*typeInfo{
		{name: "string", sizeCmd: "STRLEN", unit: "bytes"},
		{name: "list", sizeCmd: "LLEN", unit: "items"},
		{name: "set", sizeCmd: "SCARD", unit: "members"},
		{name: "hash", sizeCmd: "HLEN", unit: "fields"},
		{name: "zset", sizeCmd: "ZCARD", unit: "members"},
		{name: "stream", sizeCmd: "XLEN", unit: "entries"},
	} {
		types.add(ti)
	}
	s.stopOnInterrupt()
	total := s.dbSize()
	s.outf("\n# Scanning the entire keyspace to find biggest keys as well as\n")
	s.outf("# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n")
	s.outf("# per 100 SCAN commands (not usually needed).\n\n")
	var sampled, totlen, loops uint64
	var pct float64
	cur := "0"
	unit := func(t *typeInfo) string {
		if memkeys {
			return "bytes"
		}
		return t.unit
	}
	for {
		pct = 100 * float64(sampled) / float64(total)
		var keys []resp.Value
		cur, keys = s.sendScan(cur)
		loops++
		kt := make([]*typeInfo, len(keys))
		for _, k := range keys {
			s.conn.AppendBytes([][]byte{[]byte("TYPE"), k.Str})
		}
		s.conn.Flush()
		for i, k := range keys {
			v, err := s.conn.Read()
			if err != nil {
				s.errf("Error getting type for key '%s' (%d: %s)\n", cstr(k.Str), 1, err)
				s.exit(1)
			}
			if v.Kind != '+' {
				if v.Kind == '-' {
					s.errf("TYPE returned an error: %s\n", v.Str)
				} else {
					s.errf("Invalid reply type for TYPE on key '%s'!\n", cstr(k.Str))
				}
				s.exit(1)
			}
			name := string(v.Str)
			kt[i] = types.find(name)
			if kt[i] == nil && name != "none" {
				t := &typeInfo{name: name, unit: "?"}
				types.add(t)
				kt[i] = t
			}
		}
		sizes := make([]uint64, len(keys))
		for i, k := range keys {
			t := kt[i]
			if t == nil || (t.sizeCmd == "" && !memkeys) {
				continue
			}
			switch {
			case !memkeys:
				s.conn.AppendBytes([][]byte{[]byte(t.sizeCmd), k.Str})
			case s.cfg.memkeysSamples == 0:
				s.conn.AppendBytes([][]byte{[]byte("MEMORY"), []byte("USAGE"), k.Str})
			default:
				s.conn.AppendBytes([][]byte{[]byte("MEMORY"), []byte("USAGE"), k.Str, []byte("SAMPLES"), []byte(strconv.Itoa(s.cfg.memkeysSamples))})
			}
		}
		s.conn.Flush()
		for i, k := range keys {
			t := kt[i]
			if t == nil || (t.sizeCmd == "" && !memkeys) {
				continue
			}
			v, err := s.conn.Read()
			if err != nil {
				s.errf("Error getting size for key '%s' (%d: %s)\n", cstr(k.Str), 1, err)
				s.exit(1)
			}
			if v.Kind != ':' {
				cmd := t.sizeCmd
				if memkeys {
					cmd = "MEMORY USAGE"
				}
				s.errf("Warning:  %s on '%s' failed (may have changed type)\n", cmd, cstr(k.Str))
				continue
			}
			sizes[i] = uint64(v.Int)
		}
		for i, k := range keys {
			t := kt[i]
			if t == nil {
				continue
			}
			t.total += sizes[i]
			t.count++
			totlen += uint64(len(k.Str))
			sampled++
			if t.biggest < sizes[i] {
				t.biggestKey = string(resp.AppendRepr(nil, k.Str))
				t.hasBiggest = true
				s.outf("[%05.2f%%] Biggest %-6s found so far '%s' with %d %s\n", pct, t.name, t.biggestKey, sizes[i], unit(t))
				t.biggest = sizes[i]
			}
			if sampled%1000000 == 0 {
				s.outf("[%05.2f%%] Sampled %d keys so far\n", pct, sampled)
			}
		}
		if s.cfg.interval > 0 && loops%100 == 0 {
			time.Sleep(time.Duration(s.cfg.interval * float64(time.Second)))
		}
		if s.cancel.Load() || cur == "0" {
			break
		}
	}
	s.outf("\n-------- summary -------\n\n")
	if s.cancel.Load() {
		s.outf("[%05.2f%%] ", pct)
	}
	s.outf("Sampled %d keys in the keyspace!\n", sampled)
	avg := 0.0
	if totlen > 0 {
		avg = float64(totlen) / float64(sampled)
	}
	s.outf("Total key length in bytes is %d (avg len %.2f)\n\n", totlen, avg)
	for _, t := range types.all() {
		if t.hasBiggest {
			s.outf("Biggest %6s found '%s' has %d %s\n", t.name, t.biggestKey, t.biggest, unit(t))
		}
	}
	s.outf("\n")
	for _, t := range types.all() {
		p, a := 0.0, 0.0
		if sampled > 0 {
			p = 100 * float64(t.count) / float64(sampled)
		}
		if t.count > 0 {
			a = float64(t.total) / float64(t.count)
		}
		s.outf("%d %ss with %d %s (%05.2f%% of keys, avg size %.2f)\n", t.count, t.name, t.total, unit(t), p, a)
	}
	s.exit(0)
}

// findHotKeys is --hotkeys.
func (s *session) findHotKeys() {
	const sample = 16
	var counters [sample]uint64
	var hot [sample]string
	s.stopOnInterrupt()
	total := s.dbSize()
	s.outf("\n# Scanning the entire keyspace to find hot keys as well as\n")
	s.outf("# average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n")
	s.outf("# per 100 SCAN commands (not usually needed).\n\n")
	var sampled, loops uint64
	var pct float64
	cur := "0"
	for {
		pct = 100 * float64(sampled) / float64(total)
		var keys []resp.Value
		cur, keys = s.sendScan(cur)
		loops++
		for _, k := range keys {
			s.conn.AppendBytes([][]byte{[]byte("OBJECT"), []byte("FREQ"), k.Str})
		}
		s.conn.Flush()
		freqs := make([]uint64, len(keys))
		for i, k := range keys {
			v, err := s.conn.Read()
			name := string(resp.AppendRepr(nil, k.Str))
			switch {
			case err != nil:
				s.errf("Error getting freq for key '%s' (%d: %s)\n", name, 1, err)
				s.exit(1)
			case v.Kind == '-':
				s.errf("Error: %s\n", v.Str)
				s.exit(1)
			case v.Kind != ':':
				s.errf("Warning: OBJECT freq on '%s' failed (may have been deleted)\n", name)
			default:
				freqs[i] = uint64(v.Int)
			}
		}
		for i, k := range keys {
			sampled++
			if sampled%1000000 == 0 {
				s.outf("[%05.2f%%] Sampled %d keys so far\n", pct, sampled)
			}
			j := 0
			for j < sample && freqs[i] > counters[j] {
				j++
			}
			if j == 0 {
				continue
			}
			j--
			if j != 0 && counters[j] != 0 {
				copy(counters[:j], counters[1:j+1])
				copy(hot[:j], hot[1:j+1])
			}
			counters[j] = freqs[i]
			hot[j] = string(resp.AppendRepr(nil, k.Str))
			s.outf("[%05.2f%%] Hot key '%s' found so far with counter %d\n", pct, hot[j], freqs[i])
		}
		if s.cfg.interval > 0 && loops%100 == 0 {
			time.Sleep(time.Duration(s.cfg.interval * float64(time.Second)))
		}
		if s.cancel.Load() || cur == "0" {
			break
		}
	}
	s.outf("\n-------- summary -------\n\n")
	if s.cancel.Load() {
		s.outf("[%05.2f%%] ", pct)
	}
	s.outf("Sampled %d keys in the keyspace!\n", sampled)
	for i := 1; i <= sample; i++ {
		k := sample - i
		if counters[k] > 0 {
			s.outf("hot key found with counter: %d\tkeyname: %s\n", counters[k], hot[k])
		}
	}
	s.exit(0)
}

// infoField is getInfoField: the text after the first occurrence of
// field and one separator byte, up to a CR or a comma.
func infoField(info, field string) (string, bool) {
	p := strings.Index(info, field)
	if p < 0 {
		return "", false
	}
	v := info[min(p+len(field)+1, len(info)):]
	if n := strings.IndexAny(v, "\r,"); n >= 0 {
		v = v[:n]
	}
	return v, true
}

func infoLong(info, field string) int64 {
	v, ok := infoField(info, field)
	if !ok {
		return math.MinInt64
	}
	return strtoll(v)
}

// bytesToHuman is redis-cli's.
func bytesToHuman(n int64) string {
	sign := ""
	if n < 0 {
		sign, n = "-", -n
	}
	switch {
	case n < 1024:
		return fmt.Sprintf("%s%dB", sign, n)
	case n < 1024*1024:
		return fmt.Sprintf("%s%.2fK", sign, float64(n)/1024)
	case n < 1024*1024*1024:
		return fmt.Sprintf("%s%.2fM", sign, float64(n)/(1024*1024))
	default:
		return fmt.Sprintf("%s%.2fG", sign, float64(n)/(1024*1024*1024))
	}
}

// statMode is --stat.
func (s *session) statMode() {
	var requests int64
	for i := 0; ; i++ {
		v := s.command("INFO")
		if v == nil {
			s.errf("\nI/O error\n")
			s.exit(1)
		}
		if v.Kind == '-' {
			s.errf("ERROR: %s\n", v.Str)
			s.exit(1)
		}
		info := string(v.Str)
		if i%20 == 0 {
			s.outf("------- data ------ --------------------- load -------------------- - child -\n" +
				"keys       mem      clients blocked requests            connections          \n")
		}
		var keys int64
		for j := 0; j < 20; j++ {
			if k := infoLong(info, "db"+strconv.Itoa(j)+":keys"); k != math.MinInt64 {
				keys += k
			}
		}
		s.outf("%-11s", strconv.FormatInt(keys, 10))
		s.outf("%-8s", bytesToHuman(infoLong(info, "used_memory")))
		s.outf(" %-8s", strconv.FormatInt(infoLong(info, "connected_clients"), 10))
		s.outf("%-8s", strconv.FormatInt(infoLong(info, "blocked_clients"), 10))
		aux := infoLong(info, "total_commands_processed")
		d := int64(0)
		if requests != 0 {
			d = aux - requests
		}
		s.outf("%-19s", fmt.Sprintf("%d (+%d)", aux, d))
		requests = aux
		s.outf(" %-12s", strconv.FormatInt(infoLong(info, "total_connections_received"), 10))
		child := infoLong(info, "bgsave_in_progress") | infoLong(info, "aof_rewrite_in_progress")<<1 | infoLong(info, "loading")<<2
		switch child {
		case 1:
			s.outf("SAVE")
		case 2:
			s.outf("AOF")
		case 3:
			s.outf("SAVE+AOF")
		case 4:
			s.outf("LOAD")
		}
		s.outf("\n")
		s.out.Flush()
		time.Sleep(time.Duration(s.cfg.interval * float64(time.Second)))
	}
}

// sendReplconf is redis-cli's: REPLCONF arg1 arg2, an error reply is not
// fatal.
func (s *session) sendReplconf(arg1, arg2 string) bool {
	s.errf("sending REPLCONF %s %s\n", arg1, arg2)
	v, err := s.conn.Do("REPLCONF", arg1, arg2)
	if err != nil {
		s.errf("\nI/O error\n")
		s.exit(1)
	}
	if v.Kind == '-' {
		s.errf("REPLCONF %s error: %s\n", arg1, v.Str)
		return false
	}
	return true
}

// rdbMode is --rdb and --functions-rdb: an RDB snapshot over the
// replication protocol, to a file or to stdout ("-").
func (s *session) rdbMode() {
	s.sendReplconf("capa", "eof")
	s.sendReplconf("rdb-only", "1")
	if s.cfg.functionsRDB && !s.sendReplconf("rdb-filter-only", "functions") {
		s.errf("Failed requesting functions only RDB from server, aborting\n")
		s.exit(1)
	}
	name := s.cfg.rdbFile
	var w io.Writer
	if name == "-" {
		s.out.Flush()
		w = s.out
	} else {
		f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			s.errf("Error opening '%s': %s\n", name, err)
			s.exit(1)
		}
		defer f.Close()
		w = f
	}
	if err := conn.SyncRDB(s.conn, w, name, s.stderr); err != nil {
		s.exit(1)
	}
	s.conn.Close()
	s.conn = nil
	if f, ok := w.(*os.File); ok {
		if err := f.Sync(); err != nil {
			s.errf("Fail to fsync '%s': %s\n", name, err)
			s.exit(1)
		}
	}
	s.exit(0)
}

// evalMode is --eval file key ... , arg ...: EVAL with the file's text.
func (s *session) evalMode(args []string) int {
	script, err := os.ReadFile(s.cfg.eval)
	if err != nil {
		s.errf("Can't open file '%s': %s\n", s.cfg.eval, strerror(err))
		s.exit(1)
	}
	argv := []string{"EVAL", string(script), ""}
	keys, comma := 0, false
	for _, a := range args {
		if !comma && a == "," {
			comma = true
			continue
		}
		argv = append(argv, a)
		if !comma {
			keys++
		}
	}
	argv[2] = strconv.Itoa(keys)
	if s.issueCommandRepeat(argv, s.cfg.repeat) {
		return 0
	}
	return 1
}

// strerror words a file error as C's strerror.
func strerror(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		m := errno.Error()
		return strings.ToUpper(m[:1]) + m[1:]
	}
	return err.Error()
}
