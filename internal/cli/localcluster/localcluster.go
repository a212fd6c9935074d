// Package localcluster runs a Redis Cluster on this machine in one
// command, as Redis's utils/create-cluster does in several: N nodes on
// consecutive ports, each with the tutorial's configuration in its own
// folder under one directory, joined by the --cluster create of
// cli/clustertool, ready when every node says cluster_state:ok.
//
// It imports cli/conn and cli/clustertool; it starts and stops processes
// but never imports the server.
package localcluster

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"shoal/internal/cli/clustertool"
	"shoal/internal/cli/conn"
)

// nodeConfig is the configuration of the cluster tutorial
// (https://redis.io/docs/management/scaling/), one file per node.
const nodeConfig = `port %d
cluster-enabled yes
cluster-config-file nodes.conf
cluster-node-timeout 5000
appendonly yes
`

// readyTimeout bounds how long start waits for cluster_state:ok.
const readyTimeout = 60 * time.Second

type options struct {
	dir      string
	port     int
	nodes    int
	replicas int
	server   string
	host     string
}

const usage = `Usage: shoal-cli --local-cluster <command> [options]

Commands:
  start     start the nodes; create the cluster the first time; wait for cluster_state:ok
  create    create the cluster on nodes already started
  stop      stop the nodes (their data stays)
  restart   stop, then start again with the same data
  status    show which nodes run and CLUSTER INFO's state
  watch     show CLUSTER NODES every second (Ctrl-C to quit)
  tail N    follow the log of node N (1-based)
  clean     stop the nodes and remove the directory

Options:
  --dir DIR        where the nodes' folders live (default ./local-cluster)
  --port P         first port (default 30001); nodes use P, P+1, ...
  --nodes N        number of nodes (default 6)
  --replicas R     replicas per master (default 1)
  --server BIN     the node binary (default: shoal-server beside shoal-cli)
`

// Main runs one local-cluster command and returns the exit status.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 1
	}
	cmd := args[0]
	fs := flag.NewFlagSet("local-cluster", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, usage) }
	o := options{}
	fs.StringVar(&o.dir, "dir", "local-cluster", "")
	fs.IntVar(&o.port, "port", 30001, "")
	fs.IntVar(&o.nodes, "nodes", 6, "")
	fs.IntVar(&o.replicas, "replicas", 1, "")
	fs.StringVar(&o.server, "server", "", "")
	o.host = "127.0.0.1"
	rest := args[1:]
	var pos []string
	for len(rest) > 0 {
		if err := fs.Parse(rest); err != nil {
			return 1
		}
		rest = fs.Args()
		if len(rest) > 0 {
			pos = append(pos, rest[0])
			rest = rest[1:]
		}
	}
	abs, err := filepath.Abs(o.dir)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	o.dir = abs
	lc := &cluster{o: o, out: stdout, errw: stderr}
	lc.load()
	var ok bool
	switch cmd {
	case "start":
		ok = lc.start()
	case "create":
		ok = lc.create() && lc.waitReady()
	case "stop":
		ok = lc.stop()
	case "restart":
		ok = lc.stop() && lc.start()
	case "status":
		ok = lc.status()
	case "watch":
		ok = lc.watch()
	case "tail":
		ok = lc.tail(pos)
	case "clean":
		ok = lc.stop() && lc.clean()
	default:
		fmt.Fprintf(stderr, "Unknown local-cluster command '%s'\n", cmd)
		fmt.Fprint(stderr, usage)
		return 1
	}
	if ok {
		return 0
	}
	return 1
}

type cluster struct {
	o     options
	out   io.Writer
	errw  io.Writer
	quiet bool // stop prints nothing (the probe of a binary without cluster mode)
}

// settings are what start remembers in the directory so that the next
// commands need no options: first port, node count, replicas, binary.
func (c *cluster) settingsFile() string { return filepath.Join(c.o.dir, "cluster.conf") }

func (c *cluster) load() {
	b, err := os.ReadFile(c.settingsFile())
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "port":
			c.o.port, _ = strconv.Atoi(v)
		case "nodes":
			c.o.nodes, _ = strconv.Atoi(v)
		case "replicas":
			c.o.replicas, _ = strconv.Atoi(v)
		case "server":
			if c.o.server == "" {
				c.o.server = v
			}
		}
	}
}

func (c *cluster) save() error {
	s := fmt.Sprintf("port %d\nnodes %d\nreplicas %d\nserver %s\n", c.o.port, c.o.nodes, c.o.replicas, c.o.server)
	return os.WriteFile(c.settingsFile(), []byte(s), 0o644)
}

func (c *cluster) ports() []int {
	p := make([]int, c.o.nodes)
	for i := range p {
		p[i] = c.o.port + i
	}
	return p
}

func (c *cluster) nodeDir(port int) string { return filepath.Join(c.o.dir, strconv.Itoa(port)) }

func (c *cluster) addr(port int) string { return c.o.host + ":" + strconv.Itoa(port) }

func (c *cluster) printf(f string, a ...any) {
	fmt.Fprintf(c.out, f, a...)
	if fl, ok := c.out.(interface{ Flush() error }); ok {
		fl.Flush()
	}
}

func (c *cluster) errorf(f string, a ...any) { fmt.Fprintf(c.errw, f, a...) }

// defaultServer is shoal-server beside the running shoal-cli, else on PATH.
func defaultServer() string {
	if exe, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(exe), "shoal-server")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("shoal-server"); err == nil {
		return p
	}
	return "shoal-server"
}

func (c *cluster) pid(port int) int {
	b, err := os.ReadFile(filepath.Join(c.nodeDir(port), "node.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	if pid <= 0 || syscall.Kill(pid, 0) != nil {
		return 0
	}
	return pid
}

// startNode launches one node in its folder, detached from this process
// (its own session), its output in node.log.
func (c *cluster) startNode(port int) error {
	dir := c.nodeDir(port)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	conf := filepath.Join(dir, "redis.conf")
	if _, err := os.Stat(conf); errors.Is(err, os.ErrNotExist) {
		if err := os.WriteFile(conf, []byte(fmt.Sprintf(nodeConfig, port)), 0o644); err != nil {
			return err
		}
	}
	log, err := os.OpenFile(filepath.Join(dir, "node.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(c.o.server, "redis.conf")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	pid := cmd.Process.Pid
	// Reap the node if it exits while this process runs (stop, or the
	// probe of the first node failing), so that it leaves no zombie behind.
	go cmd.Wait()
	return os.WriteFile(filepath.Join(dir, "node.pid"), []byte(strconv.Itoa(pid)+"\n"), 0o644)
}

func dial(addr string) (*conn.Conn, error) { return conn.Dial("tcp", addr, time.Second) }

// info returns field from INFO section of the node at addr.
func infoField(addr string, section, field string) (string, bool) {
	cn, err := dial(addr)
	if err != nil {
		return "", false
	}
	defer cn.Close()
	cn.Net().SetDeadline(time.Now().Add(2 * time.Second))
	args := []string{"INFO"}
	if section != "" {
		args = append(args, section)
	}
	if section == "cluster-info" {
		args = []string{"CLUSTER", "INFO"}
	}
	v, err := cn.Do(args...)
	if err != nil || v.Kind == '-' {
		return "", false
	}
	for _, line := range strings.Split(string(v.Str), "\r\n") {
		if val, ok := strings.CutPrefix(line, field+":"); ok {
			return val, true
		}
	}
	return "", false
}

func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// start starts every node not running, creates the cluster if the nodes
// are new, and waits for cluster_state:ok.
func (c *cluster) start() bool {
	if c.o.server == "" {
		c.o.server = defaultServer()
	}
	if err := os.MkdirAll(c.o.dir, 0o755); err != nil {
		c.errorf("%s\n", err)
		return false
	}
	fresh := true
	for _, p := range c.ports() {
		if _, err := os.Stat(filepath.Join(c.nodeDir(p), "nodes.conf")); err == nil {
			fresh = false
		}
	}
	// The first node tells whether the binary runs in cluster mode at all,
	// before five more are started.
	if !c.launch(c.ports()[:1]) {
		return false
	}
	if _, ok := infoField(c.addr(c.o.port), "cluster-info", "cluster_state"); !ok {
		c.quiet = true
		c.stop()
		c.quiet = false
		os.RemoveAll(c.nodeDir(c.o.port))
		c.errorf("%s does not run in cluster mode (CLUSTER INFO fails).\n", c.o.server)
		return false
	}
	if !c.launch(c.ports()) {
		return false
	}
	if err := c.save(); err != nil {
		c.errorf("%s\n", err)
		return false
	}
	if fresh && !c.create() {
		return false
	}
	return c.waitReady()
}

// launch starts the nodes that are not running and waits until each
// answers PING. A port or bus port already taken (the bus port, port+10000,
// may be held by any program's outgoing connection) is reported before
// anything starts.
func (c *cluster) launch(ports []int) bool {
	for _, p := range ports {
		if c.pid(p) != 0 {
			continue
		}
		for _, q := range []int{p, p + 10000} {
			l, err := net.Listen("tcp", ":"+strconv.Itoa(q))
			if err != nil {
				c.errorf("Port %d (node %d's %s) is in use: choose other ports with --port.\n", q, p, map[bool]string{true: "port", false: "cluster bus port"}[q == p])
				return false
			}
			l.Close()
		}
	}
	for _, p := range ports {
		if c.pid(p) != 0 {
			continue
		}
		if err := c.startNode(p); err != nil {
			c.errorf("Could not start %s on port %d: %s\n", c.o.server, p, err)
			return false
		}
	}
	for _, p := range ports {
		addr := c.addr(p)
		ok := waitFor(20*time.Second, func() bool {
			if c.pid(p) == 0 {
				return true
			}
			cn, err := dial(addr)
			if err != nil {
				return false
			}
			defer cn.Close()
			v, err := cn.Do("PING")
			return err == nil && v.Kind == '+'
		})
		if !ok || c.pid(p) == 0 {
			c.errorf("Node %d did not start; see %s\n", p, filepath.Join(c.nodeDir(p), "node.log"))
			return false
		}
	}
	if len(ports) == c.o.nodes {
		c.printf("Started %d nodes (%s) on ports %d-%d, data in %s\n", c.o.nodes, filepath.Base(c.o.server), c.o.port, c.o.port+c.o.nodes-1, c.o.dir)
	}
	return true
}

// create joins the running nodes with --cluster create.
func (c *cluster) create() bool {
	opt := clustertool.NewOptions()
	opt.Name = "create"
	opt.Replicas = c.o.replicas
	opt.Flags |= clustertool.FlagYes
	for _, p := range c.ports() {
		opt.Argv = append(opt.Argv, c.addr(p))
	}
	return clustertool.Run(opt, strings.NewReader(""), c.out, c.errw, false) == 0
}

// waitReady waits until every node reports cluster_state:ok and prints
// how to connect.
func (c *cluster) waitReady() bool {
	c.printf("Waiting for cluster_state:ok on every node...\n")
	ok := waitFor(readyTimeout, func() bool {
		for _, p := range c.ports() {
			if st, _ := infoField(c.addr(p), "cluster-info", "cluster_state"); st != "ok" {
				return false
			}
		}
		return true
	})
	if !ok {
		c.errorf("The cluster did not reach cluster_state:ok within %v; see the nodes' logs in %s\n", readyTimeout, c.o.dir)
		return false
	}
	c.printf("Cluster ready: %d nodes, cluster_state:ok everywhere.\n", c.o.nodes)
	c.printf("Connect with:  shoal-cli -c -p %d   (or redis-cli -c -p %d)\n", c.o.port, c.o.port)
	return true
}

// stop shuts every running node down at once (SHUTDOWN, which fsyncs
// the AOF; all together so that no master waits for a replica's ack), then
// waits for the processes to exit.
func (c *cluster) stop() bool { return c.stopPorts(c.ports()) }

// stopPorts shuts down the running nodes among ports: SHUTDOWN, or SIGTERM
// when a node does not answer, SIGKILL after 20 s.
func (c *cluster) stopPorts(ports []int) bool {
	var wg sync.WaitGroup
	var stopped atomic.Int32
	for _, p := range ports {
		pid := c.pid(p)
		if pid == 0 {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if cn, err := dial(c.addr(p)); err == nil {
				cn.Do("SHUTDOWN")
				cn.Close()
			} else {
				syscall.Kill(pid, syscall.SIGTERM)
			}
			if !waitFor(20*time.Second, func() bool { return syscall.Kill(pid, 0) != nil }) {
				syscall.Kill(pid, syscall.SIGKILL)
			}
			os.Remove(filepath.Join(c.nodeDir(p), "node.pid"))
			stopped.Add(1)
		}()
	}
	wg.Wait()
	if !c.quiet {
		c.printf("Stopped %d nodes.\n", stopped.Load())
	}
	return true
}

func (c *cluster) status() bool {
	for _, p := range c.ports() {
		pid := c.pid(p)
		if pid == 0 {
			c.printf("%d: not running\n", p)
			continue
		}
		st, _ := infoField(c.addr(p), "cluster-info", "cluster_state")
		role, _ := infoField(c.addr(p), "replication", "role")
		c.printf("%d: pid %d, %s, cluster_state:%s\n", p, pid, role, st)
	}
	return true
}

// watch prints CLUSTER NODES every second, as create-cluster watch.
func (c *cluster) watch() bool {
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	for {
		c.printf("\x1b[H\x1b[2J")
		for _, p := range c.ports() {
			cn, err := dial(c.addr(p))
			if err != nil {
				continue
			}
			v, err := cn.Do("CLUSTER", "NODES")
			cn.Close()
			if err == nil && v.Kind == '$' {
				lines := strings.Split(strings.TrimRight(string(v.Str), "\n"), "\n")
				if len(lines) > 30 {
					lines = lines[:30]
				}
				c.printf("%s\n", strings.Join(lines, "\n"))
				break
			}
		}
		select {
		case <-sig:
			return true
		case <-time.After(time.Second):
		}
	}
}

// tail follows node N's log.
func (c *cluster) tail(args []string) bool {
	if len(args) != 1 {
		c.errorf("Usage: shoal-cli --local-cluster tail <node number>\n")
		return false
	}
	n, err := strconv.Atoi(args[0])
	if err != nil || n < 1 || n > c.o.nodes {
		c.errorf("Node number must be between 1 and %d\n", c.o.nodes)
		return false
	}
	f, err := os.Open(filepath.Join(c.nodeDir(c.o.port+n-1), "node.log"))
	if err != nil {
		c.errorf("%s\n", err)
		return false
	}
	defer f.Close()
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt)
	defer signal.Stop(sig)
	r := bufio.NewReader(f)
	for {
		line, err := r.ReadString('\n')
		c.printf("%s", line)
		if err == io.EOF {
			select {
			case <-sig:
				return true
			case <-time.After(200 * time.Millisecond):
			}
		} else if err != nil {
			return false
		}
	}
}

func (c *cluster) clean() bool {
	// Nodes still running in the folder (any port: a start that failed
	// half-way, another --port) are stopped first; removing their folders
	// would leave them running orphaned.
	var running []int
	entries, _ := os.ReadDir(c.o.dir)
	for _, e := range entries {
		if p, err := strconv.Atoi(e.Name()); err == nil && e.IsDir() && c.pid(p) != 0 {
			running = append(running, p)
		}
	}
	if len(running) > 0 {
		c.stopPorts(running)
	}
	if err := os.RemoveAll(c.o.dir); err != nil {
		c.errorf("%s\n", err)
		return false
	}
	c.printf("Removed %s\n", c.o.dir)
	return true
}
