package config

import (
	"strconv"
	"strings"
)

// This file holds the directives Redis 7.0 accepts that act on the
// operating system (disable-thp, oom-score-adj, process title, CPU lists,
// shutdown signals, socket marks, crash log), configure client tracking
// (tracking-table-max-keys), or configure features Shoal does not have yet
// (ACL, TLS, active defrag), so that a stock redis.conf loads unchanged.
// The server gives them their effects.

// Reasons of the directives in this file, spelled as Redis 7.0 spells them.
const (
	reasonOOMValues  = "Invalid oom-score-adj-values, elements must be between -2000 and 2000."
	reasonProcTitle  = "template format is invalid or contains unknown variables"
	reasonSaveNoSave = "shutdown options SAVE and NOSAVE can't be used simultaneously"
)

// Values of acl-pubsub-default, in Redis's order.
const (
	ACLPubsubAllChannels = iota
	ACLPubsubResetChannels
)

// OOMScoreAdj values. "yes" and "relative" are the same mode; CONFIG GET
// shows it as "yes", as Redis does.
const (
	OOMScoreAdjNo       = 0
	OOMScoreAdjRelative = 1
	OOMScoreAdjAbsolute = 3
)

// Process classes indexing OOMScoreAdjValues, as oom-score-adj-values
// lists them.
const (
	OOMClassMaster = iota
	OOMClassReplica
	OOMClassBgChild
)

// Bits of ShutdownOnSigint and ShutdownOnSigterm; 0 is "default".
const (
	ShutdownSave = 1 << iota
	ShutdownNoSave
	ShutdownNow
	ShutdownForce
)

// Values of tls-auth-clients.
const (
	TLSAuthNo = iota
	TLSAuthYes
	TLSAuthOptional
)

var (
	aclPubsubNames  = []string{"allchannels", "resetchannels"}
	oomScoreNames   = []string{"no", "yes", "relative", "absolute"}
	tlsAuthNames    = []string{"no", "yes", "optional"}
	shutdownSigBits = []struct {
		name string
		bit  int
	}{{"default", 0}, {"save", ShutdownSave}, {"nosave", ShutdownNoSave}, {"now", ShutdownNow}, {"force", ShutdownForce}}
)

// DefaultProcTitleTemplate is proc-title-template's default.
const DefaultProcTitleTemplate = "{title} {listen-addr} {server-mode}"

// moreDirectives returns the table entries of this file.
func moreDirectives() []*directive {
	str := func(name string, fl flag, p func(*Config) *string) *directive {
		return strD(name, "", fl, "", nil, p)
	}
	return []*directive{
		// General and OS knobs.
		boolD("set-proc-title", "", immutable, true, func(c *Config) *bool { return &c.SetProcTitle }),
		specialProcTitleTemplate(),
		boolD("disable-thp", "", immutable, true, func(c *Config) *bool { return &c.DisableTHP }),
		specialOOMScoreAdj(),
		specialOOMScoreAdjValues(),
		boolD("crash-log-enabled", "", 0, true, func(c *Config) *bool { return &c.CrashLogEnabled }),
		boolD("crash-memcheck-enabled", "", 0, true, func(c *Config) *bool { return &c.CrashMemcheckEnabled }),
		intD("watchdog-period", "", hidden, 0, intMax, 0, func(c *Config) *int { return &c.WatchdogPeriod }),
		specialShutdownOnSig("shutdown-on-sigint", func(c *Config) *int { return &c.ShutdownOnSigint }),
		specialShutdownOnSig("shutdown-on-sigterm", func(c *Config) *int { return &c.ShutdownOnSigterm }),
		intD("socket-mark-id", "", immutable, 0, uintMax, 0, func(c *Config) *int64 { return &c.SocketMarkID }),
		strD("ignore-warnings", "", 0, "", nil, func(c *Config) *string { return &c.IgnoreWarnings }),
		str("server_cpulist", immutable, func(c *Config) *string { return &c.ServerCPUList }),
		str("bio_cpulist", immutable, func(c *Config) *string { return &c.BioCPUList }),
		str("aof_rewrite_cpulist", immutable, func(c *Config) *string { return &c.AOFRewriteCPUList }),
		str("bgsave_cpulist", immutable, func(c *Config) *string { return &c.BgsaveCPUList }),
		boolD("aof-disable-auto-gc", "", 0, false, func(c *Config) *bool { return &c.AOFDisableAutoGC }),
		boolD("replica-ignore-disk-write-errors", "", 0, false, func(c *Config) *bool { return &c.ReplicaIgnoreDiskWriteErrors }),
		intD("cluster-announce-tls-port", "", 0, 0, 65535, 0, func(c *Config) *int { return &c.ClusterAnnounceTLSPort }),

		// ACL, and client tracking's table size.
		enumD("acl-pubsub-default", "", 0, aclPubsubNames, ACLPubsubResetChannels, func(c *Config) *int { return &c.ACLPubsubDefault }),
		str("aclfile", immutable, func(c *Config) *string { return &c.ACLFile }),
		intD("acllog-max-len", "", 0, 0, llongMax, 128, func(c *Config) *int64 { return &c.ACLLogMaxLen }),
		intD("tracking-table-max-keys", "", 0, 0, llongMax, 1000000, func(c *Config) *int64 { return &c.TrackingTableMaxKeys }),

		// Active defragmentation.
		intD("active-defrag-cycle-min", "", 0, 1, 99, 1, func(c *Config) *int { return &c.ActiveDefragCycleMin }),
		intD("active-defrag-cycle-max", "", 0, 1, 99, 25, func(c *Config) *int { return &c.ActiveDefragCycleMax }),
		intD("active-defrag-threshold-lower", "", 0, 0, 1000, 10, func(c *Config) *int { return &c.ActiveDefragThresholdLower }),
		intD("active-defrag-threshold-upper", "", 0, 0, 1000, 100, func(c *Config) *int { return &c.ActiveDefragThresholdUpper }),
		memD("active-defrag-ignore-bytes", "", 0, 1, llongMax, 100<<20, func(c *Config) *int64 { return &c.ActiveDefragIgnoreBytes }),
		intD("active-defrag-max-scan-fields", "", 0, 1, llongMax, 1000, func(c *Config) *int64 { return &c.ActiveDefragMaxScanFields }),

		// TLS.
		intD("tls-port", "", 0, 0, 65535, 0, func(c *Config) *int { return &c.TLSPort }),
		str("tls-cert-file", 0, func(c *Config) *string { return &c.TLSCertFile }),
		str("tls-key-file", 0, func(c *Config) *string { return &c.TLSKeyFile }),
		str("tls-key-file-pass", sensitive, func(c *Config) *string { return &c.TLSKeyFilePass }),
		str("tls-client-cert-file", 0, func(c *Config) *string { return &c.TLSClientCertFile }),
		str("tls-client-key-file", 0, func(c *Config) *string { return &c.TLSClientKeyFile }),
		str("tls-client-key-file-pass", sensitive, func(c *Config) *string { return &c.TLSClientKeyFilePass }),
		str("tls-dh-params-file", 0, func(c *Config) *string { return &c.TLSDHParamsFile }),
		str("tls-ca-cert-file", 0, func(c *Config) *string { return &c.TLSCACertFile }),
		str("tls-ca-cert-dir", 0, func(c *Config) *string { return &c.TLSCACertDir }),
		str("tls-protocols", 0, func(c *Config) *string { return &c.TLSProtocols }),
		str("tls-ciphers", 0, func(c *Config) *string { return &c.TLSCiphers }),
		str("tls-ciphersuites", 0, func(c *Config) *string { return &c.TLSCiphersuites }),
		enumD("tls-auth-clients", "", 0, tlsAuthNames, TLSAuthYes, func(c *Config) *int { return &c.TLSAuthClients }),
		boolD("tls-cluster", "", 0, false, func(c *Config) *bool { return &c.TLSCluster }),
		boolD("tls-replication", "", 0, false, func(c *Config) *bool { return &c.TLSReplication }),
		boolD("tls-prefer-server-ciphers", "", 0, false, func(c *Config) *bool { return &c.TLSPreferServerCiphers }),
		boolD("tls-session-caching", "", 0, true, func(c *Config) *bool { return &c.TLSSessionCaching }),
		intD("tls-session-cache-size", "", 0, 0, intMax, 20*1024, func(c *Config) *int { return &c.TLSSessionCacheSize }),
		intD("tls-session-cache-timeout", "", 0, 0, intMax, 300, func(c *Config) *int { return &c.TLSSessionCacheTimeout }),
	}
}

// specialOOMScoreAdj is an enum where "yes" and "relative" are one value.
func specialOOMScoreAdj() *directive {
	d := enumD("oom-score-adj", "", 0, oomScoreNames, OOMScoreAdjNo, func(c *Config) *int { return &c.OOMScoreAdj })
	set := d.set
	d.set = func(c *Config, args []string) string {
		if r := set(c, args); r != "" {
			return r
		}
		if c.OOMScoreAdj == 2 {
			c.OOMScoreAdj = OOMScoreAdjRelative
		}
		return ""
	}
	return d
}

// specialOOMScoreAdjValues takes exactly three integers in -2000..2000.
func specialOOMScoreAdjValues() *directive {
	return &directive{name: "oom-score-adj-values", multi: true, def: "0 200 800",
		set: func(c *Config, args []string) string {
			if len(args) != len(c.OOMScoreAdjValues) {
				return reasonArgs
			}
			var v [3]int
			for i, a := range args {
				n, ok := parseStrtoll(a)
				if !ok || n < -2000 || n > 2000 {
					return reasonOOMValues
				}
				v[i] = int(n)
			}
			c.OOMScoreAdjValues = v
			return ""
		},
		get: func(c *Config) string {
			v := c.OOMScoreAdjValues
			return strconv.Itoa(v[0]) + " " + strconv.Itoa(v[1]) + " " + strconv.Itoa(v[2])
		},
	}
}

// parseStrtoll reads s as C's strtoll(s, &end, 10) with *end required to
// be the terminating NUL: leading blanks and a sign are allowed, "" reads
// as 0, and a value out of range saturates.
func parseStrtoll(s string) (int64, bool) {
	if s == "" {
		return 0, true
	}
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	digits := strings.TrimLeft(t, "+-")
	if len(t)-len(digits) > 1 || digits == "" {
		return 0, false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(t, 10, 64)
	if err != nil {
		// Only a range error is left: saturate as strtoll does.
		if t[0] == '-' {
			return -llongMax - 1, true
		}
		return llongMax, true
	}
	return v, true
}

// specialShutdownOnSig is a set of SHUTDOWN flags: "default" (none) or any
// of save, nosave, now and force, in any order.
func specialShutdownOnSig(name string, p func(*Config) *int) *directive {
	names := make([]string, len(shutdownSigBits))
	for i, b := range shutdownSigBits {
		names[i] = b.name
	}
	reason := "argument(s) must be one of the following: " + strings.Join(names, ", ")
	return &directive{name: name, multi: true, def: "default",
		set: func(c *Config, args []string) string {
			if len(args) == 0 {
				return reason
			}
			v := 0
			for _, a := range args {
				found := false
				for _, b := range shutdownSigBits {
					if strings.EqualFold(a, b.name) {
						v |= b.bit
						found = true
						break
					}
				}
				if !found {
					return reason
				}
			}
			if v&ShutdownSave != 0 && v&ShutdownNoSave != 0 {
				return reasonSaveNoSave
			}
			*p(c) = v
			return ""
		},
		get: func(c *Config) string { return FormatShutdownFlags(*p(c)) },
	}
}

// FormatShutdownFlags renders a shutdown-on-sigint/sigterm value as
// CONFIG GET does: "default" for none, else the flag names in the order
// default, save, nosave, now, force.
func FormatShutdownFlags(v int) string {
	if v == 0 {
		return "default"
	}
	var parts []string
	for _, b := range shutdownSigBits {
		if b.bit != 0 && v&b.bit != 0 {
			parts = append(parts, b.name)
		}
	}
	return strings.Join(parts, " ")
}

// specialProcTitleTemplate refuses a template that does not expand, or
// expands to nothing but spaces, as Redis does; the variables are read
// from the configuration being changed.
func specialProcTitleTemplate() *directive {
	d := strD("proc-title-template", "", 0, DefaultProcTitleTemplate, nil, func(c *Config) *string { return &c.ProcTitleTemplate })
	d.set = func(c *Config, args []string) string {
		s, r := single(args)
		if r != "" {
			return r
		}
		if v, ok := c.ExpandProcTitle(s, ""); !ok || v == "" {
			return reasonProcTitle
		}
		c.ProcTitleTemplate = s
		return ""
	}
	return d
}

// ExpandProcTitle expands a proc-title-template as Redis does: "{{" is a
// literal '{', "{name}" a variable ({title}, {listen-addr},
// {server-mode}, {config-file}, {port}, {tls-port}, {unixsocket}), and
// the result is trimmed of spaces at both ends. It reports false for an
// unknown variable or an unterminated '{'.
func (c *Config) ExpandProcTitle(tmpl, title string) (string, bool) {
	var b strings.Builder
	for len(tmpl) > 0 {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		tmpl = tmpl[i+1:]
		if tmpl == "" {
			return "", false
		}
		if tmpl[0] == '{' {
			b.WriteByte('{')
			tmpl = tmpl[1:]
			continue
		}
		j := strings.IndexByte(tmpl, '}')
		if j < 0 {
			return "", false
		}
		v, ok := c.procTitleVar(tmpl[:j], title)
		if !ok {
			return "", false
		}
		b.WriteString(v)
		tmpl = tmpl[j+1:]
	}
	return strings.Trim(b.String(), " "), true
}

// procTitleVar is the value of one proc-title-template variable.
func (c *Config) procTitleVar(name, title string) (string, bool) {
	switch name {
	case "title":
		return title, true
	case "listen-addr":
		if c.Port == 0 && c.TLSPort == 0 {
			return "unixsocket:" + c.UnixSocket, true
		}
		addr := "*"
		if len(c.Bind) > 0 {
			addr = c.Bind[0]
		}
		port := c.Port
		if port == 0 {
			port = c.TLSPort
		}
		return addr + ":" + strconv.Itoa(port), true
	case "server-mode":
		if c.ClusterEnabled {
			return "[cluster]", true
		}
		return "", true
	case "config-file":
		return c.path, true
	case "port":
		return strconv.Itoa(c.Port), true
	case "tls-port":
		return strconv.Itoa(c.TLSPort), true
	case "unixsocket":
		return c.UnixSocket, true
	}
	return "", false
}
