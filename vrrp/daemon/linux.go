package daemon

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"strconv"
	"sync"
	"syscall"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/vrrp/netio"
)

// LinuxEdge is the Edge of a real host: vrrp/netio sockets, netlink,
// nftables and processes, all in the calling thread's network namespace.
type LinuxEdge struct {
	mu    sync.Mutex
	users map[string]*syscall.Credential
	fifos map[string]*fifoFile // notify FIFOs, open for the daemon's lifetime

	hn        sync.Mutex // guards vmacRules
	vmacRules *netio.VMACFilter
}

// NewLinuxEdge returns the host edge.
func NewLinuxEdge() *LinuxEdge { return &LinuxEdge{users: map[string]*syscall.Credential{}} }

// LinuxPrimaryAddr is keepalived's default advert source: the interface's
// primary IPv4 address, or its first IPv6 link-local address.
func LinuxPrimaryAddr(ifname string, ipv6 bool) (netip.Addr, error) {
	l, err := netlink.LinkByName(ifname)
	if err != nil {
		return netip.Addr{}, err
	}
	fam := netlink.FAMILY_V4
	if ipv6 {
		fam = netlink.FAMILY_V6
	}
	addrs, err := netlink.AddrList(l, fam)
	if err != nil {
		return netip.Addr{}, err
	}
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if ipv6 && ip.Is6() && ip.IsLinkLocalUnicast() {
			return ip, nil
		}
		if !ipv6 && ip.Is4() && a.Flags&unix.IFA_F_SECONDARY == 0 {
			return ip, nil
		}
	}
	return netip.Addr{}, errors.New("no usable address")
}

type linuxConn struct{ c *netio.Conn }

func (l linuxConn) Send(p []byte, dst netip.Addr) error { return l.c.Send(p, dst) }
func (l linuxConn) Close() error                        { return l.c.Close() }
func (l linuxConn) Recv() ([]byte, RxMeta, error) {
	b, m, err := l.c.Recv()
	return b, RxMeta{Src: m.Src, Dst: m.Dst, TTL: m.TTL}, err
}

// Listen opens a netio.Conn.
func (e *LinuxEdge) Listen(s ConnSpec) (Conn, error) {
	c, err := netio.Listen(netio.ConnConfig{Interface: s.Interface, IPv6: s.IPv6, Group: s.Group, Unicast: s.Unicast, Src: s.Src})
	if err != nil {
		return nil, err
	}
	return linuxConn{c}, nil
}

type linuxAddrs struct{ a *netio.Addrs }

func toNetio(vips []VIP) []netio.VIP {
	out := make([]netio.VIP, len(vips))
	for i, v := range vips {
		out[i] = netio.VIP{Prefix: v.Prefix, Broadcast: v.Broadcast, Label: v.Label, Scope: v.Scope,
			Peer: v.Peer, DAD: v.DAD, PreferredLft: v.PreferredLft, HasPreferredLft: v.HasPreferredLft, Flags: v.Flags}
	}
	return out
}

func (l linuxAddrs) Add(v ...VIP) error { _, err := l.a.Add(toNetio(v)...); return err }
func (l linuxAddrs) Del(v ...VIP) error { _, err := l.a.Del(toNetio(v)...); return err }

// Addrs manages the VIPs of one interface.
func (e *LinuxEdge) Addrs(ifname string) (AddrSet, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, err
	}
	a, err := netio.NewAddrs(ifi.Index)
	if err != nil {
		return nil, err
	}
	return linuxAddrs{a}, nil
}

// Announcer opens the GARP/NA socket of one interface.
func (e *LinuxEdge) Announcer(ifname string) (Announcer, error) { return netio.NewAnnouncer(ifname) }

type linuxFirewall struct{ f *netio.Firewall }

func (l linuxFirewall) Add(a ...netip.Addr) error { _, err := l.f.Add(a...); return err }
func (l linuxFirewall) Del(a ...netip.Addr) error { _, err := l.f.Del(a...); return err }
func (l linuxFirewall) Close() error              { return l.f.Close() }

// Firewall opens the nftables connection (the table is built on first Add).
func (e *LinuxEdge) Firewall(table string, priority int) (Firewall, error) {
	p := int32(priority)
	f, err := netio.NewFirewall(netio.FirewallConfig{Table: table, Priority: &p})
	if err != nil {
		return nil, err
	}
	return linuxFirewall{f}, nil
}

// LinkUp reads whether the interface is up with carrier.
func (e *LinuxEdge) LinkUp(ifname string) (bool, error) {
	l, err := netlink.LinkByName(ifname)
	if err != nil {
		return false, err
	}
	f := l.Attrs().RawFlags
	return f&unix.IFF_UP != 0 && f&unix.IFF_RUNNING != 0, nil
}

// Links merges one netio.LinkWatcher per interface.
func (e *LinuxEdge) Links(ctx context.Context, names []string) (<-chan LinkEvent, error) {
	out := make(chan LinkEvent)
	var wg sync.WaitGroup
	for _, n := range names {
		w, err := netio.WatchLink(ctx, n)
		if err != nil {
			return nil, fmt.Errorf("watching %s: %w", n, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ev := range w.Events() {
				select {
				case out <- LinkEvent{Name: n, Up: ev.Up}:
				case <-ctx.Done():
					w.Close()
					return
				}
			}
		}()
	}
	go func() { wg.Wait(); close(out) }()
	return out, nil
}

// credential resolves a script user: "" means keepalived's default,
// keepalived_script when that user exists, else root (nil credential).
func (e *LinuxEdge) credential(name string) *syscall.Credential {
	if name == "" {
		name = "keepalived_script"
	}
	if name == "root" {
		return nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if c, ok := e.users[name]; ok {
		return c
	}
	var c *syscall.Credential
	if u, err := user.Lookup(name); err == nil {
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if uid != os.Geteuid() {
			c = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		}
	}
	e.users[name] = c
	return c
}

func (e *LinuxEdge) command(ctx context.Context, argv []string, usr string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: e.credential(usr), Setpgid: true}
	cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	return cmd
}

// Check runs a vrrp_script to completion and returns its exit status.
func (e *LinuxEdge) Check(ctx context.Context, argv []string, usr string) int {
	if len(argv) == 0 {
		return -1
	}
	cmd := e.command(ctx, argv, usr)
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee) && ee.ExitCode() >= 0:
		return ee.ExitCode()
	}
	return -1
}

// Spawn starts a notify script and reaps it in the background.
func (e *LinuxEdge) Spawn(argv []string, usr string) {
	if len(argv) == 0 {
		return
	}
	cmd := e.command(context.Background(), argv, usr)
	if err := cmd.Start(); err != nil {
		return
	}
	go cmd.Wait()
}

// OpenFIFO opens the notify FIFO for the daemon's lifetime, as keepalived
// 2.2.7 does at start (seen in a namespace): created with mode 0600 when
// missing (and then removed on stop), opened read-write so that a write
// never fails for want of a reader and a reader sees every line, not an end
// of file after each one.
func (e *LinuxEdge) OpenFIFO(path string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.fifos[path] != nil {
		return nil
	}
	created := false
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		if err := unix.Mkfifo(path, 0o600); err != nil {
			return fmt.Errorf("creating notify FIFO %s: %w", path, err)
		}
		created = true
	}
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NONBLOCK|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return fmt.Errorf("opening notify FIFO %s: %w", path, err)
	}
	if e.fifos == nil {
		e.fifos = map[string]*fifoFile{}
	}
	e.fifos[path] = &fifoFile{f: f, created: created}
	return nil
}

// WriteFIFO writes a line to the notify FIFO (opened on first use); a full
// pipe drops the line rather than stall the VRRP loop.
func (e *LinuxEdge) WriteFIFO(path, line string) {
	if err := e.OpenFIFO(path); err != nil {
		return
	}
	e.mu.Lock()
	ff := e.fifos[path]
	e.mu.Unlock()
	ff.f.WriteString(line)
}

// CloseFIFOs closes the notify FIFOs, removing those gokeepalived created.
func (e *LinuxEdge) CloseFIFOs() {
	e.mu.Lock()
	defer e.mu.Unlock()
	for path, ff := range e.fifos {
		ff.f.Close()
		if ff.created {
			os.Remove(path)
		}
	}
	e.fifos = nil
}

type fifoFile struct {
	f       *os.File
	created bool
}
