package interop

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/goha-lb/goha/lab"
)

// The lab's addresses: the seed's plan plus an injector host and IPv6
// unique-local addresses for the IPv6 variant.
const (
	LB1Addr  = "192.168.110.11"
	LB2Addr  = "192.168.110.22"
	InjAddr  = "192.168.110.66"
	VIP      = "192.168.110.100"
	VIP2     = "192.168.110.200" // the active-active extension's second VIP
	LB1Addr6 = "fd00:110::11"
	LB2Addr6 = "fd00:110::22"
	InjAddr6 = "fd00:110::66"
	VIP6     = "fd00:110::100"
)

// Group4 and Group6 are VRRP's multicast groups.
var (
	Group4 = netip.MustParseAddr("224.0.0.18")
	Group6 = netip.MustParseAddr("ff02::12")
)

// Pair is a lab with two load balancers and an injector, all on one
// isolated bridge.
type Pair struct {
	Lab           *lab.Lab
	LB1, LB2, Inj *Node
}

// Node is a lab host with private directories that its daemons see as
// /run, /tmp and /etc/keepalived.
type Node struct {
	*lab.Host
	Dir string
}

// privateDirs maps a node's private subdirectory to the system path it
// replaces inside the daemon's mount namespace.
var privateDirs = []struct{ sub, sys string }{
	{"run", "/run"},
	{"etc-keepalived", "/etc/keepalived"},
	{"tmp", "/tmp"}, // last: the sources live under the real /tmp
}

// NewPair builds the lab (prefix must be unique enough per package; the
// lab adds the PID).
func NewPair(prefix string) (p *Pair, err error) {
	l, err := lab.New(prefix)
	if err != nil {
		return nil, err
	}
	p = &Pair{Lab: l}
	defer func() {
		if err != nil {
			l.Close()
			p = nil
		}
	}()
	for _, h := range []struct {
		node  **Node
		name  string
		addrs []string
	}{
		{&p.LB1, "lb1", []string{LB1Addr + "/24", LB1Addr6 + "/64"}},
		{&p.LB2, "lb2", []string{LB2Addr + "/24", LB2Addr6 + "/64"}},
		{&p.Inj, "inj", []string{InjAddr + "/24", InjAddr6 + "/64"}},
	} {
		host, err := l.AddHost(h.name, h.addrs...)
		if err != nil {
			return nil, err
		}
		n := &Node{Host: host, Dir: filepath.Join(l.Dir(), h.name)}
		for _, d := range privateDirs {
			if err := os.MkdirAll(filepath.Join(n.Dir, d.sub), 0o755); err != nil {
				return nil, err
			}
		}
		*h.node = n
	}
	return p, nil
}

// Close stops every process of the lab (by PID) and deletes it.
func (p *Pair) Close() error { return p.Lab.Close() }

// Path is the real path of a system path (/run/..., /tmp/...,
// /etc/keepalived/...) in the node's private tree.
func (n *Node) Path(sys string) string {
	for _, d := range privateDirs {
		if rest, ok := strings.CutPrefix(sys, d.sys+"/"); ok {
			return filepath.Join(n.Dir, d.sub, rest)
		}
	}
	panic(fmt.Sprintf("interop: %s is not private to a node", sys))
}

// privateArgv wraps argv so it runs in a new private mount namespace with
// the node's directories bound over their system paths; nothing mounted
// there propagates back.
func (n *Node) privateArgv(argv ...string) []string {
	var s strings.Builder
	s.WriteString("set -e\n")
	for _, d := range privateDirs {
		fmt.Fprintf(&s, "mount --bind '%s' '%s'\n", filepath.Join(n.Dir, d.sub), d.sys)
	}
	s.WriteString(`exec "$@"`)
	return append([]string{"unshare", "--mount", "--propagation", "private", "sh", "-c", s.String(), "sh"}, argv...)
}

// ConfPath is where a node's daemon reads its configuration.
const ConfPath = "/etc/keepalived/keepalived.conf"

// Start writes conf as the node's keepalived.conf and starts impl on it in
// the foreground with console logging (-n -l -D).
func (n *Node) Start(impl Impl, conf []byte) (*Daemon, error) {
	if err := os.WriteFile(n.Path(ConfPath), conf, 0o644); err != nil {
		return nil, err
	}
	// Stale dumps of an earlier run would fool Stats/Data.
	os.Remove(n.Path(StatsPath))
	os.Remove(n.Path(DataPath))
	proc, err := n.Host.Start(n.privateArgv(impl.Path, "-n", "-l", "-D", "-f", ConfPath)...)
	if err != nil {
		return nil, err
	}
	d := &Daemon{Impl: impl, Node: n, Proc: proc, Started: time.Now()}
	// A runtime that is not there yet says so at once and exits.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) {
		if strings.Contains(d.Log(), "not wired yet") {
			d.Kill()
			return nil, fmt.Errorf("%w: %s on %s: %s", ErrNotWired, impl.Name, n.Name, strings.TrimSpace(d.Log()))
		}
		select {
		case <-proc.Done():
			return nil, fmt.Errorf("interop: %s on %s exited at start: %s", impl.Name, n.Name, lastLines(d.Log(), 10))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return d, nil
}

// HasVIP reports whether the node's ens160 carries addr.
func (n *Node) HasVIP(addr string) bool {
	ok, err := n.HasAddr(lab.HostIfName, netip.MustParseAddr(addr))
	return err == nil && ok
}

// Holders names the load balancers that carry addr right now.
func (p *Pair) Holders(addr string) []string {
	var out []string
	for _, n := range []*Node{p.LB1, p.LB2} {
		if n.HasVIP(addr) {
			out = append(out, n.Name)
		}
	}
	return out
}

// WaitHolder polls every 5 ms until addr is on want alone (want nil: on
// nobody) and returns when that was first seen.
func (p *Pair) WaitHolder(ctx context.Context, addr string, want *Node, timeout time.Duration) (time.Time, error) {
	deadline := time.Now().Add(timeout)
	for {
		h := p.Holders(addr)
		if (want == nil && len(h) == 0) || (want != nil && len(h) == 1 && h[0] == want.Name) {
			return time.Now(), nil
		}
		if time.Now().After(deadline) || ctx.Err() != nil {
			name := "nobody"
			if want != nil {
				name = want.Name
			}
			return time.Time{}, fmt.Errorf("interop: %s not on %s alone after %s: held by %v", addr, name, timeout, h)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
