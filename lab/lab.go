package lab

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// BridgeName is the bridge in the switch namespace every host is plugged into.
const BridgeName = "br0"

// HostIfName is the name of each host's interface on the lab bridge.
const HostIfName = "ens160"

// switchHost is the host-name part of the switch namespace's name.
const switchHost = "sw"

var validName = regexp.MustCompile(`^[a-z][a-z0-9]*$`)

// Lab is a set of namespaces joined by one bridge. It is safe for use by
// several goroutines.
type Lab struct {
	prefix string
	pid    int
	dir    string // logs and captures of this lab

	sw *Host

	mu     sync.Mutex
	hosts  []*Host
	procs  []*Proc
	closed bool
	nport  int // counter naming bridge ports p1, p2, ...
}

// New creates the switch namespace and its bridge. prefix must be a short
// lower-case word (letters and digits) so that namespace names stay readable.
func New(prefix string) (*Lab, error) {
	if !validName.MatchString(prefix) {
		return nil, fmt.Errorf("lab: prefix %q must match %s", prefix, validName)
	}
	dir, err := os.MkdirTemp("", "lab-"+prefix+"-")
	if err != nil {
		return nil, fmt.Errorf("lab: %w", err)
	}
	l := &Lab{prefix: prefix, pid: os.Getpid(), dir: dir}
	sw, err := l.newNamespace(switchHost)
	if err != nil {
		l.Close()
		return nil, err
	}
	l.sw = sw
	// No multicast snooping: VRRP multicast must reach every port whether or
	// not anyone sent an IGMP report. STP is off by default, so ports forward
	// as soon as they are up.
	snoop := false
	br := &netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: BridgeName}, MulticastSnooping: &snoop}
	if err := sw.handle.LinkAdd(br); err != nil {
		l.Close()
		return nil, fmt.Errorf("lab: add %s in %s: %w", BridgeName, sw.NS, err)
	}
	if err := sw.SetLink(BridgeName, true); err != nil {
		l.Close()
		return nil, err
	}
	return l, nil
}

// Dir is a directory private to this lab (process logs, captures). It is
// removed by Close.
func (l *Lab) Dir() string { return l.dir }

// NSName is the namespace name a host called host gets in this lab.
func (l *Lab) NSName(host string) string {
	return fmt.Sprintf("%s-%d-%s", l.prefix, l.pid, host)
}

// Switch is the namespace holding br0.
func (l *Lab) Switch() *Host { return l.sw }

// Hosts returns the hosts added so far, in order.
func (l *Lab) Hosts() []*Host {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*Host(nil), l.hosts...)
}

// newNamespace creates a named namespace with lo up and IPv6 duplicate
// address detection off (so addresses are usable at once).
func (l *Lab) newNamespace(host string) (*Host, error) {
	if !validName.MatchString(host) {
		return nil, fmt.Errorf("lab: host name %q must match %s", host, validName)
	}
	name := l.NSName(host)
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("lab: ip netns add %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	h := &Host{lab: l, Name: host, NS: name, ns: netns.None()}
	l.mu.Lock()
	l.hosts = append(l.hosts, h)
	l.mu.Unlock()
	ns, err := netns.GetFromName(name)
	if err != nil {
		return nil, fmt.Errorf("lab: open namespace %s: %w", name, err)
	}
	h.ns = ns
	h.handle, err = netlink.NewHandleAt(ns)
	if err != nil {
		return nil, fmt.Errorf("lab: netlink handle in %s: %w", name, err)
	}
	err = h.Do(func() error {
		for _, p := range []string{
			"/proc/sys/net/ipv6/conf/default/accept_dad",
			"/proc/sys/net/ipv6/conf/all/accept_dad",
		} {
			if err := os.WriteFile(p, []byte("0"), 0o644); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("lab: sysctl in %s: %w", name, err)
	}
	if err := h.SetLink("lo", true); err != nil {
		return nil, err
	}
	return h, nil
}

// AddHost creates a host namespace plugged into br0 through an interface
// named ens160 carrying the given addresses (CIDR notation, IPv4 or IPv6).
func (l *Lab) AddHost(name string, cidrs ...string) (*Host, error) {
	if name == switchHost {
		return nil, fmt.Errorf("lab: host name %q is reserved", name)
	}
	h, err := l.newNamespace(name)
	if err != nil {
		return nil, err
	}
	if err := l.AddLink(h, HostIfName, cidrs...); err != nil {
		return nil, err
	}
	return h, nil
}

// AddLink plugs one more interface named ifname of host h into br0 and
// assigns it cidrs. AddHost uses it for ens160.
func (l *Lab) AddLink(h *Host, ifname string, cidrs ...string) error {
	prefixes, err := parsePrefixes(cidrs)
	if err != nil {
		return err
	}
	l.mu.Lock()
	l.nport++
	peer := fmt.Sprintf("p%d", l.nport)
	l.mu.Unlock()
	// Created inside the host namespace, peer placed directly in the
	// switch namespace: no interface ever exists in the root namespace.
	veth := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: ifname},
		PeerName:      peer,
		PeerNamespace: netlink.NsFd(int(l.sw.ns)),
	}
	if err := h.handle.LinkAdd(veth); err != nil {
		return fmt.Errorf("lab: add veth %s/%s in %s: %w", ifname, peer, h.NS, err)
	}
	pl, err := l.sw.handle.LinkByName(peer)
	if err != nil {
		return fmt.Errorf("lab: find %s in %s: %w", peer, l.sw.NS, err)
	}
	br, err := l.sw.handle.LinkByName(BridgeName)
	if err != nil {
		return fmt.Errorf("lab: find %s: %w", BridgeName, err)
	}
	if err := l.sw.handle.LinkSetMaster(pl, br); err != nil {
		return fmt.Errorf("lab: enslave %s to %s: %w", peer, BridgeName, err)
	}
	if err := l.sw.handle.LinkSetUp(pl); err != nil {
		return fmt.Errorf("lab: set %s up: %w", peer, err)
	}
	link, err := h.handle.LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("lab: find %s in %s: %w", ifname, h.NS, err)
	}
	for _, p := range prefixes {
		if err := h.handle.AddrAdd(link, &netlink.Addr{IPNet: prefixToIPNet(p)}); err != nil {
			return fmt.Errorf("lab: add %s to %s in %s: %w", p, ifname, h.NS, err)
		}
	}
	if err := h.handle.LinkSetUp(link); err != nil {
		return fmt.Errorf("lab: set %s up in %s: %w", ifname, h.NS, err)
	}
	return nil
}

// Close kills every process the lab started (by PID), deletes every
// namespace (their interfaces go with them) and /etc/netns overlay, and
// removes Dir. It is idempotent and returns the first error met.
func (l *Lab) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	procs, hosts := l.procs, l.hosts
	l.mu.Unlock()

	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	for _, p := range procs {
		p.Kill()
		p.Wait()
	}
	// Hosts first, switch (hosts[0]) last: deleting a host ns removes its
	// veth pair, and with it the port in br0.
	for i := len(hosts) - 1; i >= 0; i-- {
		keep(hosts[i].destroy())
	}
	if l.dir != "" {
		keep(os.RemoveAll(l.dir))
	}
	return first
}

func (l *Lab) track(p *Proc) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return errors.New("lab: closed")
	}
	l.procs = append(l.procs, p)
	return nil
}

func (l *Lab) logPath(base string) string {
	return filepath.Join(l.dir, base)
}
