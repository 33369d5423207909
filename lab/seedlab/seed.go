package seedlab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/goha-lb/goha/lab"
)

// The seed's addresses.
const (
	BackendAddr = "192.168.110.33"
	LB1Addr     = "192.168.110.11"
	LB2Addr     = "192.168.110.22"
	ClientAddr  = "192.168.110.44"
	VIP         = "192.168.110.100"
)

// ErrUnavailable wraps failures to build the lab itself (no namespaces,
// no nginx): missing prerequisites rather than misbehaving daemons.
var ErrUnavailable = errors.New("lab unavailable")

// Prefix is the namespace-name prefix of seed labs (CleanupStale uses it).
const Prefix = "seed"

// Options configure a Seed.
type Options struct {
	LB1, LB2    Impl        // what runs on each load balancer
	Backend     BackendMode // nginx or a command calling ServeBackends
	BackendArgv []string    // for BackendCommand
	SeedDir     string      // testdata/seed; found from the working directory if empty
}

// Seed is the running seed topology.
type Seed struct {
	Lab                       *lab.Lab
	Backend, LB1, LB2, Client *Node
	Files                     Files
	// Logs are the proxies' syslog messages per load balancer (lb1, lb2).
	Logs map[string]*SyslogSink
	opts Options

	mu      sync.Mutex
	daemons []*Daemon
	closed  bool
}

// New cleans up stale seed labs, builds the four hosts and starts the
// backend. The load balancers' daemons are started by the caller.
func New(opts Options) (s *Seed, err error) {
	if opts.SeedDir == "" {
		root, err := FindRoot()
		if err != nil {
			return nil, err
		}
		opts.SeedDir = filepath.Join(root, "testdata", "seed")
	}
	files, err := LoadFiles(opts.SeedDir)
	if err != nil {
		return nil, err
	}
	for _, impl := range []Impl{opts.LB1, opts.LB2} {
		if err := impl.check(); err != nil {
			return nil, err
		}
	}
	if _, err := CleanupStale(); err != nil {
		return nil, err
	}
	l, err := lab.New(Prefix)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	s = &Seed{Lab: l, Files: files, opts: opts}
	defer func() {
		if err != nil {
			s.Close()
			s = nil
		}
	}()
	for _, h := range []struct {
		node   **Node
		name   string
		addr   string
		mounts []mount
	}{
		{&s.Backend, "backend", BackendAddr, backendMounts},
		{&s.LB1, "lb1", LB1Addr, lbMounts},
		{&s.LB2, "lb2", LB2Addr, lbMounts},
		{&s.Client, "client", ClientAddr, nil},
	} {
		host, err := l.AddHost(h.name, h.addr+"/24")
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		if *h.node, err = newNode(host, l.Dir(), h.mounts); err != nil {
			return nil, err
		}
	}
	s.Logs = map[string]*SyslogSink{}
	for _, n := range []*Node{s.LB1, s.LB2} {
		sink, err := ListenSyslog(n)
		if err != nil {
			return nil, fmt.Errorf("%w: syslog sink in %s: %v", ErrUnavailable, n.Name, err)
		}
		s.Logs[n.Name] = sink
		if err := n.WriteFile("/etc/haproxy/haproxy.cfg", files.Haproxy, 0o644); err != nil {
			return nil, err
		}
		if err := n.WriteFile(TrackScriptPath, []byte(TrackScript), 0o755); err != nil {
			return nil, err
		}
	}
	if err := s.startBackend(); err != nil {
		return nil, err
	}
	return s, nil
}

// Impl is the implementation configured for a load balancer node.
func (s *Seed) Impl(n *Node) Impl {
	if n == s.LB2 {
		return s.opts.LB2
	}
	return s.opts.LB1
}

func (s *Seed) track(d *Daemon) {
	s.mu.Lock()
	s.daemons = append(s.daemons, d)
	s.mu.Unlock()
}

func (s *Seed) startBackend() error {
	n := s.Backend
	var d *Daemon
	switch s.opts.Backend {
	case BackendNginx:
		if _, err := exec.LookPath("nginx"); err != nil {
			return fmt.Errorf("%w: seedlab: nginx backend: %v", ErrUnavailable, err)
		}
		if err := n.WriteFile("/etc/nginx/nginx.conf", []byte(nginxConf), 0o644); err != nil {
			return err
		}
		if err := n.WriteFile("/etc/nginx/conf.d/nginx-servers.conf", s.Files.NginxServers, 0o644); err != nil {
			return err
		}
		for i, b := range BackendPorts {
			p := fmt.Sprintf("/usr/share/nginx/html%d/index.html", i+1)
			if err := n.WriteFile(p, []byte(b.Body+"\n"), 0o644); err != nil {
				return err
			}
		}
		p, err := n.StartPrivate("nginx", "-g", "daemon off;")
		if err != nil {
			return err
		}
		d = &Daemon{Kind: "nginx", Impl: "nginx", Node: n, Proc: p, PidFiles: []string{"/run/nginx.pid"}, Started: time.Now()}
	case BackendCommand:
		if len(s.opts.BackendArgv) == 0 {
			return errors.New("seedlab: BackendCommand needs BackendArgv")
		}
		p, err := n.Start(s.opts.BackendArgv...)
		if err != nil {
			return err
		}
		d = &Daemon{Kind: "backend", Impl: "built-in", Node: n, Proc: p, Started: time.Now()}
	default:
		return fmt.Errorf("seedlab: unknown backend mode %d", s.opts.Backend)
	}
	s.track(d)
	return d.waitStarted(10*time.Second, func() bool {
		for _, b := range BackendPorts {
			if !n.listening(b.Port) {
				return false
			}
		}
		return true
	})
}

// listening reports whether something accepts TCP on 127.0.0.1:port in
// the node.
func (n *Node) listening(port int) bool {
	ok := false
	n.Do(func() error {
		c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), 200*time.Millisecond)
		if err == nil {
			c.Close()
			ok = true
		}
		return nil
	})
	return ok
}

// StartHaproxy starts the node's proxy with /etc/haproxy/haproxy.cfg (the
// seed's, unchanged: it daemonizes and writes /var/run/haproxy.pid in the
// node's private /run) and waits until it accepts on port 80.
func (s *Seed) StartHaproxy(n *Node) (*Daemon, error) {
	impl := s.Impl(n)
	os.Remove(n.Path("/run/haproxy.pid"))
	p, err := n.StartPrivate(impl.Haproxy, "-f", "/etc/haproxy/haproxy.cfg")
	if err != nil {
		return nil, err
	}
	d := &Daemon{Kind: "haproxy", Impl: impl.Name, Node: n, Proc: p, PidFiles: []string{"/run/haproxy.pid"}, Started: time.Now()}
	s.track(d)
	if err := d.waitStarted(10*time.Second, func() bool { return n.listening(80) }); err != nil {
		d.KillAll()
		return nil, err
	}
	return d, nil
}

// CheckHaproxy runs `haproxy -c -f /etc/haproxy/haproxy.cfg` (or
// gohaproxy's) in the node and returns its combined output and exit code.
func (s *Seed) CheckHaproxy(ctx context.Context, n *Node) (string, int) {
	out, err := n.Command(ctx, n.PrivateArgv(s.Impl(n).Haproxy, "-c", "-f", "/etc/haproxy/haproxy.cfg")...).CombinedOutput()
	code := 0
	if err != nil {
		code = -1
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		}
	}
	return string(out), code
}

// StartKeepalived writes conf as the node's /etc/keepalived/keepalived.conf
// and starts the VRRP daemon in the foreground (-n) logging to the console
// (-l -D), so its log lines are kept; its pidfiles are in the private /run.
func (s *Seed) StartKeepalived(n *Node, conf []byte) (*Daemon, error) {
	impl := s.Impl(n)
	if err := n.WriteFile("/etc/keepalived/keepalived.conf", conf, 0o644); err != nil {
		return nil, err
	}
	p, err := n.StartPrivate(impl.Keepalived, "-n", "-l", "-D")
	if err != nil {
		return nil, err
	}
	d := &Daemon{Kind: "keepalived", Impl: impl.Name, Node: n, Proc: p,
		PidFiles: []string{"/run/keepalived.pid", "/run/keepalived_vrrp.pid"}, Started: time.Now()}
	s.track(d)
	// Running for a moment without exiting or saying "not wired" is all
	// that can be checked before it decides on a state.
	begin := time.Now()
	if err := d.waitStarted(5*time.Second, func() bool { return time.Since(begin) > 300*time.Millisecond }); err != nil {
		d.KillAll()
		return nil, err
	}
	return d, nil
}

// HasVIP reports whether the node's ens160 carries vip.
func (n *Node) HasVIP(vip string) bool {
	ok, err := n.HasAddr(lab.HostIfName, netip.MustParseAddr(vip))
	return err == nil && ok
}

// Holders lists the load balancers holding vip, by name.
func (s *Seed) Holders(vip string) []string {
	var out []string
	for _, n := range []*Node{s.LB1, s.LB2} {
		if n.HasVIP(vip) {
			out = append(out, n.Name)
		}
	}
	return out
}

// WaitVIP waits until vip is on want and on no other load balancer, and
// returns when that was first seen.
func (s *Seed) WaitVIP(ctx context.Context, vip string, want *Node, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		h := s.Holders(vip)
		if len(h) == 1 && h[0] == want.Name {
			return time.Now(), nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			return time.Time{}, fmt.Errorf("seedlab: VIP %s not (only) on %s after %s: held by %v", vip, want.Name, timeout, h)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// IPAddr is `ip -br addr show ens160` in the node, as the tutorial shows it.
func (n *Node) IPAddr(ctx context.Context) string {
	out, _ := n.Run(ctx, "ip", "-4", "-br", "addr", "show", lab.HostIfName)
	return strings.TrimSpace(out)
}

// Ruleset is `nft list ruleset` in the node.
func (n *Node) Ruleset(ctx context.Context) string {
	out, err := n.Run(ctx, "nft", "list", "ruleset")
	if err != nil {
		return "error: " + err.Error()
	}
	return strings.TrimSpace(out)
}

// Close stops every daemon the seed started (by PID, including daemonized
// ones found through their pidfiles) and removes the lab.
func (s *Seed) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	ds := s.daemons
	s.mu.Unlock()
	for _, d := range ds {
		d.KillAll()
	}
	for _, sink := range s.Logs {
		sink.Close()
	}
	return s.Lab.Close()
}

// CleanupStale removes the seed labs of runs that died without cleaning
// up: first every process still inside their namespaces (daemonized
// proxies outlive the run that started them and keep a namespace alive),
// then the namespaces themselves.
func CleanupStale() ([]string, error) {
	ents, err := os.ReadDir("/run/netns")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	for _, e := range ents {
		pid, ok := stalePid(e.Name())
		if !ok || pidAlive(pid) {
			continue
		}
		out, err := exec.Command("ip", "netns", "pids", e.Name()).Output()
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(out)) {
			if p, err := strconv.Atoi(f); err == nil && p > 1 && p != os.Getpid() {
				syscall.Kill(p, syscall.SIGKILL)
			}
		}
	}
	return lab.CleanupStale(Prefix)
}

// stalePid extracts the pid of "seed-<pid>-<host>".
func stalePid(name string) (int, bool) {
	rest, ok := strings.CutPrefix(name, Prefix+"-")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(num)
	return pid, err == nil && pid > 0
}
