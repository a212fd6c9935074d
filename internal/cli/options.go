package cli

import (
	"os"
	"strconv"
	"strings"

	"shoal/internal/cli/clustertool"
	"shoal/internal/cli/format"
)

// Version is what -v prints: the Redis version whose redis-cli we follow.
const Version = "7.0.15"

// config is redis-cli's struct config, the parsed command line.
type config struct {
	host       string
	port       int
	socket     string
	auth       string
	hasAuth    bool
	user       string
	askpass    bool
	noAuthWarn bool
	dbnum      int // input_dbnum: the database asked for
	repeat     int64
	interval   float64 // seconds
	output     format.Mode
	mbDelim    string
	cmdDelim   string
	resp2      bool
	resp3      int // 1: -3, 2: implied by --json
	pushOutput bool
	stdinLast  bool
	stdinTag   string
	quoted     bool
	setErrcode bool
	cluster    bool
	verbose    bool

	latency, latencyHistory, latencyDist bool
	stat, scan, pipe, bigkeys, hotkeys   bool
	memkeys                              bool
	memkeysSamples                       int
	pattern                              string
	hasPattern                           bool
	count                                int
	pipeTimeout                          int
	localCluster                         bool
	rdbFile                              string
	functionsRDB                         bool
	eval                                 string

	clusterCmd clustertool.Options
	clusterSet bool
}

func defaultConfig(stdoutTTY bool) config {
	c := config{
		host: "127.0.0.1", port: 6379, repeat: 1,
		mbDelim: "\n", cmdDelim: "\n", pipeTimeout: 30,
		clusterCmd: clustertool.NewOptions(),
	}
	if !stdoutTTY && os.Getenv("FAKETTY") == "" {
		c.output = format.Raw
	} else {
		c.output = format.Standard
		c.pushOutput = true
	}
	return c
}

// exitCode unwinds to Main, which returns it: redis-cli's exit(n) from
// deep inside a mode.
type exitCode int

func (s *session) exit(code int) { panic(exitCode(code)) }

// parseOptions is redis-cli's parseOptions: it returns the index of the
// first command argument.
func (s *session) parseOptions(argv []string) int {
	c := &s.cfg
	i := 0
	for i = 0; i < len(argv); i++ {
		a := argv[i]
		last := i == len(argv)-1
		next := func() string { i++; return argv[i] }
		switch {
		case a == "-h" && !last:
			c.host = next()
		case a == "-h" && last, a == "--help":
			s.usage(0)
		case a == "-x":
			c.stdinLast = true
		case a == "-X" && !last:
			c.stdinTag = next()
		case a == "-p" && !last:
			c.port = atoi(next())
		case a == "-s" && !last:
			c.socket = next()
		case a == "-r" && !last:
			c.repeat = strtoll(next())
		case a == "-i" && !last:
			c.interval = atof(next())
		case a == "-n" && !last:
			c.dbnum = atoi(next())
		case a == "--no-auth-warning":
			c.noAuthWarn = true
		case a == "--askpass":
			c.askpass = true
		case (a == "-a" || a == "--pass") && !last:
			c.auth, c.hasAuth = next(), true
		case a == "--user" && !last:
			c.user = next()
		case a == "-u" && !last:
			s.parseURI(next())
		case a == "--raw":
			c.output = format.Raw
		case a == "--no-raw":
			c.output = format.Standard
		case a == "--quoted-input":
			c.quoted = true
		case a == "--csv":
			c.output = format.CSV
		case a == "--json", a == "--quoted-json":
			if c.resp3 == 0 {
				c.resp3 = 2
			}
			c.output = format.JSON
			if a == "--quoted-json" {
				c.output = format.QuotedJSON
			}
		case a == "--latency":
			c.latency = true
		case a == "--latency-dist":
			c.latencyDist = true
		case a == "--mono":
		case a == "--latency-history":
			c.latency, c.latencyHistory = true, true
		case a == "--stat":
			c.stat = true
		case a == "--scan":
			c.scan = true
		case a == "--pattern" && !last:
			c.pattern, c.hasPattern = next(), true
		case a == "--quoted-pattern" && !last:
			args, err := splitOne(next())
			if err != nil {
				s.errf("Invalid quoted string specified for --quoted-pattern.\n")
				s.exit(1)
			}
			c.pattern, c.hasPattern = args, true
		case a == "--count" && !last:
			c.count = atoi(next())
		case a == "--rdb" && !last:
			c.rdbFile = next()
		case a == "--functions-rdb" && !last:
			c.rdbFile, c.functionsRDB = next(), true
		case a == "--eval" && !last:
			c.eval = next()
		case a == "--pipe":
			c.pipe = true
		case a == "--pipe-timeout" && !last:
			c.pipeTimeout = atoi(next())
		case a == "--bigkeys":
			c.bigkeys = true
		case a == "--memkeys":
			c.memkeys, c.memkeysSamples = true, 0
		case a == "--memkeys-samples":
			c.memkeys = true
			if !last {
				c.memkeysSamples = atoi(next())
			}
		case a == "--hotkeys":
			c.hotkeys = true
		case a == "-c":
			c.cluster = true
		case a == "-d" && !last:
			c.mbDelim = next()
		case a == "-D" && !last:
			c.cmdDelim = next()
		case a == "-e":
			c.setErrcode = true
		case a == "--verbose":
			c.verbose = true
		case a == "--local-cluster":
			// shoal-cli's own: everything after it belongs to the
			// local-cluster command.
			c.localCluster = true
			return i + 1
		case a == "--cluster" && !last:
			if c.clusterSet {
				s.usage(1)
			}
			cmd := next()
			j := i
			for j < len(argv) && !strings.HasPrefix(argv[j], "-") {
				j++
			}
			if j > i {
				j--
			}
			c.clusterSet = true
			c.clusterCmd.Name = cmd
			c.clusterCmd.Argv = append([]string(nil), argv[i+1:j+1]...)
			if err := s.clusterStdinArg(); err != 0 {
				s.exit(err)
			}
			i = j
		case a == "--cluster" && last:
			s.usage(1)
		case a == "--cluster-only-masters":
			c.clusterCmd.Flags |= clustertool.FlagMastersOnly
		case a == "--cluster-only-replicas":
			c.clusterCmd.Flags |= clustertool.FlagSlavesOnly
		case a == "--cluster-replicas" && !last:
			c.clusterCmd.Replicas = atoi(next())
		case a == "--cluster-master-id" && !last:
			c.clusterCmd.MasterID = next()
		case a == "--cluster-from" && !last:
			c.clusterCmd.From = next()
		case a == "--cluster-to" && !last:
			c.clusterCmd.To = next()
		case a == "--cluster-from-user" && !last:
			c.clusterCmd.FromUser = next()
		case a == "--cluster-from-pass" && !last:
			c.clusterCmd.FromPass = next()
		case a == "--cluster-from-askpass":
		case a == "--cluster-weight" && !last:
			if c.clusterCmd.Weights != nil {
				s.errf("WARNING: you cannot use --cluster-weight more than once.\n" +
					"You can set more weights by adding them as a space-separated list, ie:\n" +
					"--cluster-weight n1=w n2=w\n")
				s.exit(1)
			}
			w := i + 1
			for ; w < len(argv); w++ {
				if strings.HasPrefix(argv[w], "--") || !strings.Contains(argv[w], "=") {
					break
				}
			}
			if w > i+1 {
				c.clusterCmd.Weights = append([]string(nil), argv[i+1:w]...)
				i = w - 1
			}
		case a == "--cluster-slots" && !last:
			c.clusterCmd.Slots = atoi(next())
		case a == "--cluster-timeout" && !last:
			c.clusterCmd.Timeout = atoi(next())
		case a == "--cluster-pipeline" && !last:
			c.clusterCmd.Pipeline = atoi(next())
		case a == "--cluster-threshold" && !last:
			c.clusterCmd.Threshold = atof(next())
		case a == "--cluster-yes":
			c.clusterCmd.Flags |= clustertool.FlagYes
		case a == "--cluster-simulate":
			c.clusterCmd.Flags |= clustertool.FlagSimulate
		case a == "--cluster-replace":
			c.clusterCmd.Flags |= clustertool.FlagReplace
		case a == "--cluster-copy":
			c.clusterCmd.Flags |= clustertool.FlagCopy
		case a == "--cluster-slave":
			c.clusterCmd.Flags |= clustertool.FlagSlave
		case a == "--cluster-use-empty-masters":
			c.clusterCmd.Flags |= clustertool.FlagEmptyMaster
		case a == "--cluster-search-multiple-owners":
			c.clusterCmd.Flags |= clustertool.FlagCheckOwners
		case a == "--cluster-fix-with-unreachable-masters":
			c.clusterCmd.Flags |= clustertool.FlagFixWithUnreachableMasters
		case a == "-v" || a == "--version":
			s.outf("shoal-cli %s\n", Version)
			s.exit(0)
		case a == "-2":
			c.resp2 = true
		case a == "-3":
			c.resp3 = 1
		case a == "--show-pushes" && !last:
			v := next()
			switch {
			case len(v) > 0 && (v[0] == 'n' || v[0] == 'N'):
				c.pushOutput = false
			case len(v) > 0 && (v[0] == 'y' || v[0] == 'Y'):
				c.pushOutput = true
			default:
				s.errf("Unknown --show-pushes value '%s' (valid: '[y]es', '[n]o')\n", v)
			}
		case c.clusterSet && !strings.HasPrefix(a, "-"):
			if len(c.clusterCmd.Argv) == 0 {
				j := i + 1
				for j < len(argv) && !strings.HasPrefix(argv[j], "-") {
					j++
				}
				c.clusterCmd.Argv = append([]string(nil), argv[i:j]...)
				if j-i > 1 {
					i = j - 1
				}
			}
		default:
			if strings.HasPrefix(a, "-") {
				s.errf("Unrecognized option or bad number of args for: '%s'\n", a)
				s.exit(1)
			}
			return s.checkOptions(i)
		}
	}
	return s.checkOptions(i)
}

func (s *session) checkOptions(i int) int {
	c := &s.cfg
	if c.socket != "" && c.cluster {
		s.errf("Options -c and -s are mutually exclusive.\n")
		s.exit(1)
	}
	if c.resp2 && c.resp3 == 1 {
		s.errf("Options -2 and -3 are mutually exclusive.\n")
		s.exit(1)
	}
	if !c.noAuthWarn && c.hasAuth {
		s.errf("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n")
	}
	if c.stdinLast && c.stdinTag != "" {
		s.errf("Options -x and -X are mutually exclusive.\n")
		s.exit(1)
	}
	return i
}

// clusterStdinArg adds stdin to a --cluster command's arguments for -x or
// -X, as createClusterManagerCommand.
func (s *session) clusterStdinArg() int {
	c := &s.cfg
	switch {
	case c.stdinLast:
		c.clusterCmd.Argv = append(c.clusterCmd.Argv, s.readStdin())
	case c.stdinTag != "":
		arg := s.readStdin()
		for i, a := range c.clusterCmd.Argv {
			if a == c.stdinTag {
				c.clusterCmd.Argv[i] = arg
				return 0
			}
		}
		s.errf("Using -X option but stdin tag not match.\n")
		return 1
	}
	return 0
}

// parseURI is parseRedisUri: redis://[[user:]pass@]host[:port][/db].
func (s *session) parseURI(uri string) {
	c := &s.cfg
	const scheme, tlsScheme = "redis://", "rediss://"
	switch {
	case len(uri) >= len(tlsScheme) && strings.EqualFold(uri[:len(tlsScheme)], tlsScheme):
		s.errf("rediss:// is only supported when shoal-cli is compiled with OpenSSL\n")
		s.exit(1)
	case len(uri) >= len(scheme) && strings.EqualFold(uri[:len(scheme)], scheme):
		uri = uri[len(scheme):]
	default:
		s.errf("Invalid URI scheme\n")
		s.exit(1)
	}
	if uri == "" {
		return
	}
	if at := strings.IndexByte(uri, '@'); at >= 0 {
		if colon := strings.IndexByte(uri, ':'); colon >= 0 && colon < at {
			c.user = percentDecode(uri[:colon])
			uri = uri[colon+1:]
			at -= colon + 1
		}
		c.auth, c.hasAuth = percentDecode(uri[:at]), true
		uri = uri[at+1:]
	}
	if uri == "" {
		return
	}
	path := strings.IndexByte(uri, '/')
	if uri[0] != '/' {
		host := uri
		if path >= 0 {
			host = uri[:path]
		}
		if colon := strings.IndexByte(uri, ':'); colon >= 0 {
			c.port = atoi(uri[colon+1:])
			host = uri[:colon]
		}
		c.host = host
	}
	if path < 0 {
		return
	}
	if rest := uri[path+1:]; rest != "" {
		c.dbnum = atoi(rest)
	}
}

func percentDecode(s string) string {
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(n))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// atoi is C's atoi: leading blanks, an optional sign, digits, the rest
// ignored; 0 when there are no digits.
func atoi(s string) int { return int(strtoll(s)) }

func strtoll(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		neg = s[i] == '-'
		i++
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + int64(s[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}

// atof is C's atof on the longest numeric prefix.
func atof(s string) float64 {
	s = strings.TrimLeft(s, " \t\n\v\f\r")
	for end := len(s); end > 0; end-- {
		if f, err := strconv.ParseFloat(s[:end], 64); err == nil {
			return f
		}
	}
	return 0
}
