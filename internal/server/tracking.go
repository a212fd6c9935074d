package server

import (
	"bytes"
	"slices"

	"shoal/internal/command"
	"shoal/internal/keyspace"
	"shoal/internal/rerr"
	"shoal/internal/resp"
	"shoal/internal/types"
)

// Server-assisted client-side caching, as Redis 7.0's CLIENT TRACKING.
//
// Default mode remembers, per key name (databases are not told apart), the
// ids of the tracking clients whose read-only commands fetched it; the
// first change of the key sends each of them one invalidation and forgets
// the key. BCAST mode remembers nothing per client: every changed key that
// starts with a subscribed prefix is collected and the batch is sent once
// per prefix before the loop writes its replies (beforeSleep in Redis).
//
// An invalidation for the client whose command is running is held back
// until that command (EXEC as a whole) has replied, so a push never splits
// a reply. A client with REDIRECT has its invalidations delivered to
// another connection: a RESP3 push there, or a message on
// __redis__:invalidate to a RESP2 subscriber; while that connection is gone
// a RESP3 tracking client is told "tracking-redir-broken" instead.
//
// Nothing of this runs until the first CLIENT TRACKING ON: the keyspace's
// OnModified hook is installed then, and stays, as Redis keeps its tracking
// table once created.

// Per-connection tracking flags (Redis's CLIENT_TRACKING_* bits; "on" is
// command.ClientTracking).
const (
	trackBcast uint8 = 1 << iota
	trackOptIn
	trackOptOut
	trackCaching // CLIENT CACHING was given for the next command
	trackNoLoop
	trackBrokenRedir
)

// trackingClient is one connection's tracking settings.
type trackingClient struct {
	flags uint8
	// redirect is the id invalidations go to (0: this connection).
	redirect int64
	// prefixes are the BCAST prefixes, sorted.
	prefixes []string
	// prefixMem is what prefixes take, for the client's memory (Redis
	// counts its prefix rax in getClientMemoryUsage).
	prefixMem int64
}

// bcastPrefix is one BCAST prefix: its subscribers and the keys with that
// prefix changed since the last broadcast, each with the client that
// changed it last (nil for expiry and eviction), for NOLOOP.
type bcastPrefix struct {
	clients []*conn
	keys    map[string]*conn
}

// pendingInval is an invalidation held back until the running command
// replied; flush stands for the null invalidation of FLUSHDB/FLUSHALL.
type pendingInval struct {
	key   string
	flush bool
}

// trackingState is the server's tracking table.
type trackingState struct {
	// clients counts connections with tracking on (tracking_clients).
	clients int
	// table maps a key to the ids of the clients that fetched it; nil
	// until tracking is first enabled.
	table map[string]map[int64]struct{}
	// items is the number of (key, client) pairs in table.
	items int
	// prefixes are the BCAST prefixes in use; prefixOrder lists them
	// sorted, the order broadcasts go out in.
	prefixes    map[string]*bcastPrefix
	prefixOrder []string
	// bcastDirty: some prefix collected a key since the last broadcast.
	bcastDirty bool
	// cur is the client whose command call() is running, nil between
	// commands; pending are its held-back invalidations.
	cur     *conn
	pending []pendingInval
	// flushed: a database was emptied during the running call.
	flushed bool
	// limitRuns counts consecutive passes that stayed above
	// tracking-table-max-keys; each tries 100 more keys.
	limitRuns int
	// Scratch buffers.
	keyPos []int
	keys   []string
	proto  []byte
}

var (
	errTrackingSingleRedirect = rerr.Line("ERR A client can only redirect to a single other client")
	errTrackingNoRedirClient  = rerr.Line("ERR The client ID you want redirect to does not exist")
	errTrackingPrefixBcast    = rerr.Line("ERR PREFIX option requires BCAST mode to be enabled")
	errTrackingSwitchBcast    = rerr.Line("ERR You can't switch BCAST mode on/off before disabling tracking for this client, and then re-enabling it with a different mode.")
	errTrackingOptBcast       = rerr.Line("ERR OPTIN and OPTOUT are not compatible with BCAST")
	errTrackingOptBoth        = rerr.Line("ERR You can't specify both OPTIN mode and OPTOUT mode")
	errTrackingSwitchOpt      = rerr.Line("ERR You can't switch OPTIN/OPTOUT mode before disabling tracking for this client, and then re-enabling it with a different mode.")
	errCachingNotTracking     = rerr.Line("ERR CLIENT CACHING can be called only when the client is in tracking mode with OPTIN or OPTOUT mode enabled")
	errCachingYes             = rerr.Line("ERR CLIENT CACHING YES is only valid when tracking is enabled in OPTIN mode.")
	errCachingNo              = rerr.Line("ERR CLIENT CACHING NO is only valid when tracking is enabled in OPTOUT mode.")
)

func init() {
	handle("client|tracking", clientTrackingCommand)
	handle("client|caching", clientCachingCommand)
	handle("client|getredir", func(s *Server, c *conn) { c.Int(trackingRedirect(c)) })
	handle("client|trackinginfo", clientTrackingInfoCommand)
}

// trackingRedirect is the redirect CLIENT GETREDIR, TRACKINGINFO and
// CLIENT LIST report: -1 with tracking off, 0 without REDIRECT.
func trackingRedirect(c *conn) int64 {
	if c.Flags&command.ClientTracking == 0 {
		return -1
	}
	return c.track.redirect
}

// clientTrackingCommand is CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p
// ...] [BCAST] [OPTIN] [OPTOUT] [NOLOOP]. Options are parsed (REDIRECT's
// client looked up) before ON or OFF is read, as Redis does.
func clientTrackingCommand(s *Server, c *conn) {
	argv := c.Argv
	var redir int64
	var opts uint8
	var prefixes [][]byte
	for j := 3; j < len(argv); j++ {
		more := j < len(argv)-1
		opt := argv[j]
		switch {
		case bytes.EqualFold(opt, []byte("redirect")) && more:
			j++
			if redir != 0 {
				c.Error(errTrackingSingleRedirect)
				return
			}
			id, ok := types.ParseInt(argv[j])
			if !ok {
				c.Error(rerr.NotInteger)
				return
			}
			if s.clients[id] == nil {
				c.Error(errTrackingNoRedirClient)
				return
			}
			redir = id
		case bytes.EqualFold(opt, []byte("bcast")):
			opts |= trackBcast
		case bytes.EqualFold(opt, []byte("optin")):
			opts |= trackOptIn
		case bytes.EqualFold(opt, []byte("optout")):
			opts |= trackOptOut
		case bytes.EqualFold(opt, []byte("noloop")):
			opts |= trackNoLoop
		case bytes.EqualFold(opt, []byte("prefix")) && more:
			j++
			prefixes = append(prefixes, argv[j])
		default:
			c.Error(rerr.Syntax)
			return
		}
	}
	switch {
	case bytes.EqualFold(argv[2], []byte("on")):
		if !trackingOptionsOK(c, opts, prefixes) {
			return
		}
		s.trackingEnable(c, redir, opts, prefixes)
	case bytes.EqualFold(argv[2], []byte("off")):
		s.trackingDisable(c)
	default:
		c.Error(rerr.Syntax)
		return
	}
	c.Simple("OK")
}

// trackingOptionsOK checks ON's options against each other and the
// client's current mode, replying the error when they do not fit.
func trackingOptionsOK(c *conn, opts uint8, prefixes [][]byte) bool {
	on := c.Flags&command.ClientTracking != 0
	switch {
	case opts&trackBcast == 0 && len(prefixes) > 0:
		c.Error(errTrackingPrefixBcast)
	case on && (c.track.flags^opts)&trackBcast != 0:
		c.Error(errTrackingSwitchBcast)
	case opts&trackBcast != 0 && opts&(trackOptIn|trackOptOut) != 0:
		c.Error(errTrackingOptBcast)
	case opts&trackOptIn != 0 && opts&trackOptOut != 0:
		c.Error(errTrackingOptBoth)
	case on && (opts&trackOptIn != 0 && c.track.flags&trackOptOut != 0 ||
		opts&trackOptOut != 0 && c.track.flags&trackOptIn != 0):
		c.Error(errTrackingSwitchOpt)
	case opts&trackBcast != 0:
		return prefixesDisjoint(c, prefixes)
	default:
		return true
	}
	return false
}

// prefixesDisjoint checks that no new prefix is a prefix of (or equal to)
// one the client has or another new one. Redis 7.0 replies the error of
// an overlap between two new prefixes but goes on to enable tracking
// (replying OK as well) unless the first new prefix is involved; that is
// kept, as clients may see both replies.
func prefixesDisjoint(c *conn, prefixes [][]byte) bool {
	for i, p := range prefixes {
		for _, old := range c.track.prefixes {
			if overlaps([]byte(old), p) {
				c.Error(rerr.Line("ERR Prefix '" + cString(p) + "' overlaps with an existing prefix '" + cString([]byte(old)) +
					"'. Prefixes for a single client must not overlap."))
				return false
			}
		}
		for _, q := range prefixes[i+1:] {
			if overlaps(p, q) {
				c.Error(rerr.Line("ERR Prefix '" + cString(p) + "' overlaps with another provided prefix '" + cString(q) +
					"'. Prefixes for a single client must not overlap."))
				return i != 0
			}
		}
	}
	return true
}

// overlaps reports whether one of a and b starts with the other.
func overlaps(a, b []byte) bool {
	n := min(len(a), len(b))
	return bytes.Equal(a[:n], b[:n])
}

// cString is b as C's %s prints it: up to its first NUL byte.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// clientCachingCommand is CLIENT CACHING YES|NO: track (OPTIN) or skip
// (OPTOUT) the keys of the next command.
func clientCachingCommand(s *Server, c *conn) {
	if c.Flags&command.ClientTracking == 0 {
		c.Error(errCachingNotTracking)
		return
	}
	switch opt := c.Argv[2]; {
	case bytes.EqualFold(opt, []byte("yes")):
		if c.track.flags&trackOptIn == 0 {
			c.Error(errCachingYes)
			return
		}
	case bytes.EqualFold(opt, []byte("no")):
		if c.track.flags&trackOptOut == 0 {
			c.Error(errCachingNo)
			return
		}
	default:
		c.Error(rerr.Syntax)
		return
	}
	c.track.flags |= trackCaching
	c.Simple("OK")
}

// clientTrackingInfoCommand is CLIENT TRACKINGINFO: a map of flags (a
// set), redirect and prefixes, in Redis 7.0's order.
func clientTrackingInfoCommand(s *Server, c *conn) {
	flags := trackingInfoFlags(c, make([]string, 0, 5))
	c.Map(3)
	c.BulkString("flags")
	c.Set(len(flags))
	for _, f := range flags {
		c.BulkString(f)
	}
	c.BulkString("redirect")
	c.Int(trackingRedirect(c))
	c.BulkString("prefixes")
	c.Array(len(c.track.prefixes))
	for _, p := range c.track.prefixes {
		c.BulkString(p)
	}
}

// trackingInfoFlags appends the names of c's tracking flags to dst.
func trackingInfoFlags(c *conn, dst []string) []string {
	if c.Flags&command.ClientTracking == 0 {
		return append(dst, "off")
	}
	f := c.track.flags
	dst = append(dst, "on")
	if f&trackBcast != 0 {
		dst = append(dst, "bcast")
	}
	if f&trackOptIn != 0 {
		dst = append(dst, "optin")
		if f&trackCaching != 0 {
			dst = append(dst, "caching-yes")
		}
	}
	if f&trackOptOut != 0 {
		dst = append(dst, "optout")
		if f&trackCaching != 0 {
			dst = append(dst, "caching-no")
		}
	}
	if f&trackNoLoop != 0 {
		dst = append(dst, "noloop")
	}
	if f&trackBrokenRedir != 0 {
		dst = append(dst, "broken_redirect")
	}
	return dst
}

// trackingListFlags is CLIENT LIST's tracking flags: t (on), R (broken
// redirect), B (BCAST).
func trackingListFlags(c *conn) string {
	if c.Flags&command.ClientTracking == 0 {
		return ""
	}
	switch c.track.flags & (trackBrokenRedir | trackBcast) {
	case trackBrokenRedir:
		return "tR"
	case trackBcast:
		return "tB"
	case trackBrokenRedir | trackBcast:
		return "tRB"
	}
	return "t"
}

// trackingEnable turns tracking on for c (or changes its options), as
// enableTracking: the mode flags are replaced, BCAST prefixes added to
// those c has, CLIENT CACHING kept.
func (s *Server) trackingEnable(c *conn, redir int64, opts uint8, prefixes [][]byte) {
	t := &s.tracking
	if t.table == nil {
		s.trackingInit()
	}
	if c.Flags&command.ClientTracking == 0 {
		t.clients++
	}
	c.Flags |= command.ClientTracking
	c.track.flags &^= trackBrokenRedir | trackBcast | trackOptIn | trackOptOut | trackNoLoop
	c.track.redirect = redir
	if opts&trackBcast != 0 {
		c.track.flags |= trackBcast
		if len(prefixes) == 0 {
			s.bcastSubscribe(c, "")
		}
		for _, p := range prefixes {
			s.bcastSubscribe(c, string(p))
		}
	}
	c.track.flags |= opts & (trackOptIn | trackOptOut | trackNoLoop)
}

// trackingInit creates the tracking table and installs the keyspace hooks
// (first CLIENT TRACKING ON).
func (s *Server) trackingInit() {
	t := &s.tracking
	t.table = make(map[string]map[int64]struct{})
	t.prefixes = make(map[string]*bcastPrefix)
	s.ks.OnModified = s.trackingKeyModified
	flushed := s.ks.OnFlush
	s.ks.OnFlush = func(db *keyspace.DB) {
		if flushed != nil {
			flushed(db)
		}
		s.trackingFlushed()
	}
}

// bcastSubscribe adds prefix to c's BCAST prefixes.
func (s *Server) bcastSubscribe(c *conn, prefix string) {
	t := &s.tracking
	bp := t.prefixes[prefix]
	if bp == nil {
		bp = &bcastPrefix{keys: make(map[string]*conn)}
		t.prefixes[prefix] = bp
		t.prefixOrder = insertSorted(t.prefixOrder, prefix)
	}
	if slices.Contains(bp.clients, c) {
		return
	}
	bp.clients = append(bp.clients, c)
	c.track.prefixes = insertSorted(c.track.prefixes, prefix)
	c.track.prefixMem += int64(len(prefix)) + trackingPrefixSize
}

func insertSorted(list []string, s string) []string {
	i, found := slices.BinarySearch(list, s)
	if found {
		return list
	}
	return slices.Insert(list, i, s)
}

// trackingDisable turns tracking off for c (CLIENT TRACKING OFF, RESET,
// disconnection). The ids c left in the table are dropped lazily, when
// their keys are invalidated.
func (s *Server) trackingDisable(c *conn) {
	t := &s.tracking
	if c.track.flags&trackBcast != 0 {
		for _, p := range c.track.prefixes {
			bp := t.prefixes[p]
			if bp == nil {
				continue
			}
			if i := slices.Index(bp.clients, c); i >= 0 {
				bp.clients = slices.Delete(bp.clients, i, i+1)
			}
			if len(bp.clients) == 0 {
				delete(t.prefixes, p)
				if i, found := slices.BinarySearch(t.prefixOrder, p); found {
					t.prefixOrder = slices.Delete(t.prefixOrder, i, i+1)
				}
			}
		}
		c.track.prefixes = nil
		c.track.prefixMem = 0
	}
	if c.Flags&command.ClientTracking != 0 {
		t.clients--
		c.Flags &^= command.ClientTracking
		c.track.flags = 0
	}
}

// trackingAfterCall runs after every command once tracking was ever
// enabled: it remembers the keys a tracking client read, sends the null
// invalidation of a flush, and when the top-level command has replied,
// delivers the invalidations held back for its client.
func (s *Server) trackingAfterCall(c *conn, cmd *command.Command) {
	t := &s.tracking
	// A script that runs a read command tracks its declared keys for its
	// caller; EVAL_RO and FCALL_RO themselves track nothing (call()).
	tc, tcmd := c, cmd
	if c.Flags&command.ClientLua != 0 && s.script.caller != nil {
		tc, tcmd = s.script.caller, s.script.caller.Cmd
	}
	if tc.Flags&command.ClientTracking != 0 && tc.track.flags&trackBcast == 0 && cmd.Has(command.FlagReadOnly) && !isROScriptCommand(cmd) {
		s.trackingRememberKeys(tc, tcmd)
	}
	if t.flushed {
		t.flushed = false
		s.trackingSendFlush()
	}
	if s.prop.depth != 1 {
		return
	}
	t.cur = nil
	for i, p := range t.pending {
		if p.flush {
			s.trackingSend(c, nullFor(c))
		} else {
			s.trackingSend(c, t.keyArray([]byte(p.key)))
		}
		t.pending[i] = pendingInval{}
	}
	t.pending = t.pending[:0]
}

// trackingResetCaching forgets CLIENT CACHING after the command that
// followed it, as resetClient: not after a CLIENT subcommand, nor while
// commands are being queued in MULTI. Called with s.mu held.
func (c *conn) trackingResetCaching() {
	if c.Flags&command.ClientMulti != 0 {
		return
	}
	if c.Cmd != nil && c.Cmd.Parent != nil && c.Cmd.Parent.Name == "client" {
		return
	}
	c.track.flags &^= trackCaching
}

// trackingRememberKeys records that c fetched the keys of its read-only
// command, unless OPTIN without CACHING YES or OPTOUT with CACHING NO.
func (s *Server) trackingRememberKeys(c *conn, cmd *command.Command) {
	f := c.track.flags
	caching := f&trackCaching != 0
	if (f&trackOptIn != 0 && !caching) || (f&trackOptOut != 0 && caching) {
		return
	}
	if cmd.Has(command.FlagPubSub) {
		return
	}
	t := &s.tracking
	pos, err := cmd.KeyPositions(c.Argv, t.keyPos[:0])
	if err != nil {
		return
	}
	t.keyPos = pos[:0]
	for _, i := range pos {
		key := c.Argv[i]
		ids := t.table[string(key)]
		if ids == nil {
			ids = make(map[int64]struct{}, 1)
			t.table[string(key)] = ids
		}
		if _, ok := ids[c.ID]; !ok {
			ids[c.ID] = struct{}{}
			t.items++
		}
	}
}

// trackingKeyModified is the keyspace's OnModified hook.
func (s *Server) trackingKeyModified(_ *keyspace.DB, key []byte) {
	s.trackingInvalidateKey(key, true)
}

// trackingInvalidateKey tells the clients that fetched key that it
// changed, and forgets it; with bcast, it also collects the key for the
// BCAST prefixes it starts with. A client with NOLOOP is not told about
// its own changes; the running command's client is told after its reply.
func (s *Server) trackingInvalidateKey(key []byte, bcast bool) {
	t := &s.tracking
	if bcast && len(t.prefixOrder) > 0 {
		s.bcastCollect(key)
	}
	ids, ok := t.table[string(key)]
	if !ok {
		return
	}
	for id := range ids {
		target := s.clients[id]
		if target == nil || target.Flags&command.ClientTracking == 0 || target.track.flags&trackBcast != 0 {
			continue
		}
		if target == t.cur {
			if target.track.flags&trackNoLoop == 0 {
				t.pending = append(t.pending, pendingInval{key: string(key)})
			}
			continue
		}
		s.trackingSend(target, t.keyArray(key))
	}
	t.items -= len(ids)
	delete(t.table, string(key))
}

// keyArray encodes a one-key invalidation array in the scratch buffer.
func (t *trackingState) keyArray(key []byte) []byte {
	b := append(t.proto[:0], "*1\r\n"...)
	b = resp.AppendBulk(b, key)
	t.proto = b
	return b
}

var (
	nullResp2 = []byte("$-1\r\n")
	nullResp3 = []byte("_\r\n")
)

// nullFor is the null invalidation (a flush) as c's protocol writes null.
func nullFor(c *conn) []byte {
	if c.Proto == 3 {
		return nullResp3
	}
	return nullResp2
}

// bcastCollect records key, changed by the running command's client (nil
// outside commands), under every BCAST prefix it starts with.
func (s *Server) bcastCollect(key []byte) {
	t := &s.tracking
	for _, p := range t.prefixOrder {
		if !bytes.HasPrefix(key, []byte(p)) {
			continue
		}
		t.prefixes[p].keys[string(key)] = t.cur
		t.bcastDirty = true
	}
}

// trackingFlushed runs when a database was emptied: the whole table is
// dropped (keys are tracked by name only) and every tracking client gets
// the null invalidation, once per command even if it emptied every
// database (FLUSHALL).
func (s *Server) trackingFlushed() {
	t := &s.tracking
	clear(t.table)
	t.items = 0
	if s.prop.depth > 0 {
		t.flushed = true
		return
	}
	s.trackingSendFlush()
}

// trackingSendFlush sends the null invalidation to every tracking client.
func (s *Server) trackingSendFlush() {
	t := &s.tracking
	if t.clients == 0 {
		return
	}
	for _, c := range s.clients {
		if c.Flags&command.ClientTracking == 0 {
			continue
		}
		if c == t.cur {
			t.pending = append(t.pending, pendingInval{flush: true})
			continue
		}
		s.trackingSend(c, nullFor(c))
	}
}

// trackingSend delivers an invalidation whose value (pre-encoded RESP:
// the key array, or a null) is val to c, or to the client c redirects to,
// as sendTrackingMessage. A RESP2 client without redirection cannot be
// told anything.
func (s *Server) trackingSend(c *conn, val []byte) {
	target, redirected := c, false
	if c.track.redirect != 0 {
		r := s.clients[c.track.redirect]
		if r == nil {
			c.track.flags |= trackBrokenRedir
			if c.Proto == 3 && c.Flags&command.ClientCloseASAP == 0 {
				start := len(c.B)
				c.Push(2)
				c.BulkString("tracking-redir-broken")
				c.Int(c.track.redirect)
				c.markPush(start)
				s.afterPush(c)
			}
			return
		}
		target, redirected = r, true
	}
	if target.Flags&command.ClientCloseASAP != 0 {
		return
	}
	start := len(target.B)
	switch {
	case target.Proto == 3:
		target.Push(2)
		target.BulkString("invalidate")
	case redirected && target.Flags&command.ClientPubSub != 0:
		target.Push(3)
		target.BulkString("message")
		target.BulkString("__redis__:invalidate")
	default:
		return
	}
	target.Raw(val)
	target.markPush(start)
	s.afterPush(target)
}

// trackingBeforeReplies runs before a loop writes its replies, once
// tracking was ever enabled: BCAST batches go out, and the table is
// trimmed to tracking-table-max-keys.
func (s *Server) trackingBeforeReplies() {
	if s.tracking.bcastDirty {
		s.trackingBroadcast()
	}
	if max := s.cfg.TrackingTableMaxKeys; max > 0 && int64(len(s.tracking.table)) > max {
		s.trackingLimit(int(max))
	} else {
		s.tracking.limitRuns = 0
	}
}

// trackingBroadcast sends each BCAST prefix's collected keys, sorted, to
// its subscribers (leaving out, for a NOLOOP one, the keys it changed
// itself), one message per prefix in prefix order, then starts new
// batches.
func (s *Server) trackingBroadcast() {
	t := &s.tracking
	t.bcastDirty = false
	if t.clients == 0 {
		return
	}
	for _, p := range t.prefixOrder {
		bp := t.prefixes[p]
		if len(bp.keys) == 0 {
			continue
		}
		t.keys = t.keys[:0]
		for k := range bp.keys {
			t.keys = append(t.keys, k)
		}
		slices.Sort(t.keys)
		all := appendKeyArray(t.proto[:0], t.keys, bp.keys, nil)
		t.proto = all
		for _, c := range bp.clients {
			if c.track.flags&trackNoLoop == 0 {
				s.trackingSend(c, all)
				continue
			}
			if own := appendKeyArray(nil, t.keys, bp.keys, c); own != nil {
				s.trackingSend(c, own)
			}
		}
		clear(bp.keys)
	}
}

// appendKeyArray appends the array of keys not last changed by skip (when
// not nil), or returns nil when that leaves none.
func appendKeyArray(b []byte, keys []string, by map[string]*conn, skip *conn) []byte {
	n := 0
	for _, k := range keys {
		if skip == nil || by[k] != skip {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	b = resp.AppendInt(b, '*', int64(n))
	for _, k := range keys {
		if skip == nil || by[k] != skip {
			b = resp.AppendBulkString(b, k)
		}
	}
	return b
}

// trackingLimit invalidates random keys until the table is back within
// max, trying 100 keys more on each consecutive pass that stays above
// it, as trackingLimitUsedSlots.
func (s *Server) trackingLimit(max int) {
	t := &s.tracking
	effort := 100 * (t.limitRuns + 1)
	for ; effort > 0 && len(t.table) > 0; effort-- {
		var key string
		for k := range t.table {
			key = k
			break
		}
		s.trackingInvalidateKey([]byte(key), false)
		if len(t.table) <= max {
			t.limitRuns = 0
			return
		}
	}
	t.limitRuns++
}

// trackingInfo returns INFO's tracking_total_keys, tracking_total_items
// and tracking_total_prefixes.
func (s *Server) trackingInfo() (keys, items, prefixes int) {
	return len(s.tracking.table), s.tracking.items, len(s.tracking.prefixes)
}
