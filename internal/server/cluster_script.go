package server

import (
	"shoal/internal/command"
	"shoal/internal/encoding"
	"shoal/internal/scripting"
)

// The refusals of scriptVerifyClusterState (script.c); scriptRefuse makes
// them "ERR ..." error replies.
const (
	scriptClusterDownRO  = "Script attempted to execute a write command while the cluster is down and readonly"
	scriptClusterDown    = "Script attempted to execute a command while the cluster is down"
	scriptClusterNoLocal = "Script attempted to access a non local key in a cluster node"
	scriptClusterCross   = "Script attempted to access keys that do not hash to the same slot"
)

// clusterScriptCheck is scriptVerifyClusterState: a command a script calls
// in cluster mode must be served by this node (getNodeByQuery with the
// caller's READONLY and ASKING), and unless the script may cross slots,
// its keys must hash to the slot of the script's keys so far (the declared
// keys, then the first key a command touched). Commands from our master or
// the AOF are not checked. Called with s.mu held; it returns the refusal
// text or "".
func (s *Server) clusterScriptCheck(caller *conn, cmd *command.Command, argv [][]byte, r *scripting.Run, allowCrossSlot bool) string {
	if caller.Flags&command.ClientMaster != 0 || s.ks.Loading {
		return ""
	}
	q := &s.cl.scriptQuery
	// ClientInExec: the script's time is frozen; the query must not take
	// a new reading of the clock.
	q.Flags = caller.Flags&(command.ClientReadOnly|command.ClientAsking) | command.ClientInExec
	q.Argv = argv
	n, slot, code := s.getNodeByQuery(q, cmd)
	q.Argv = nil
	if n != s.cl.st.Myself() {
		switch code {
		case redirDownROState:
			return scriptClusterDownRO
		case redirDownState:
			return scriptClusterDown
		}
		return scriptClusterNoLocal
	}
	if code == redirNone && !s.commandHasKeys(cmd, argv) {
		return ""
	}
	if !allowCrossSlot {
		if r.Slot == -1 {
			r.Slot = slot
		} else if r.Slot != slot {
			return scriptClusterCross
		}
	}
	return ""
}

// commandHasKeys reports whether argv names any key of cmd (getNodeByQuery
// leaves the slot at 0 for a command without keys, where Redis reports -1).
func (s *Server) commandHasKeys(cmd *command.Command, argv [][]byte) bool {
	s.cl.keyPos = s.clusterKeyPositions(cmd, argv, s.cl.keyPos)
	return len(s.cl.keyPos) > 0
}

// scriptDeclaredSlot is the slot of the keys an EVAL or FCALL declared
// (Redis's c->slot, set by the redirect check), or -1 without keys or
// outside cluster mode.
func (s *Server) scriptDeclaredSlot(c *conn) int {
	if s.cl == nil || c.Cmd == nil {
		return -1
	}
	s.cl.keyPos = s.clusterKeyPositions(c.Cmd, c.Argv, s.cl.keyPos)
	if len(s.cl.keyPos) == 0 {
		return -1
	}
	return encoding.KeyHashSlot(c.Argv[s.cl.keyPos[0]])
}
