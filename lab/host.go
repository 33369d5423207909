package lab

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// Host is one network namespace of a lab.
type Host struct {
	lab    *Lab
	Name   string // short name given to AddHost ("lb1")
	NS     string // namespace name (<prefix>-<pid>-<name>)
	ns     netns.NsHandle
	handle *netlink.Handle
}

// Handle is a netlink handle operating inside the host's namespace.
func (h *Host) Handle() *netlink.Handle { return h.handle }

// NsHandle is an open handle of the host's namespace (owned by the lab).
func (h *Host) NsHandle() netns.NsHandle { return h.ns }

// Command returns a command that runs argv inside the host through
// `ip netns exec`, so it sees the host's /etc overlay. A nil ctx means no
// deadline.
func (h *Host) Command(ctx context.Context, argv ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", h.NS}, argv...)...)
}

// Run runs argv inside the host and returns its combined output. A non-zero
// exit is an error that includes the output.
func (h *Host) Run(ctx context.Context, argv ...string) (string, error) {
	if len(argv) == 0 {
		return "", errors.New("lab: Run needs a command")
	}
	out, err := h.Command(ctx, argv...).CombinedOutput()
	if err != nil {
		return string(out), fmt.Errorf("lab: %s: %s: %w: %s", h.Name, strings.Join(argv, " "), err, strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// Do runs fn on an OS thread switched into the host's namespace. Sockets
// fn opens stay in that namespace after Do returns. Goroutines fn starts do
// not inherit the namespace. The thread is discarded afterwards rather than
// switched back, so no other goroutine can ever run in the wrong namespace.
func (h *Host) Do(fn func() error) error {
	errc := make(chan error, 1)
	go func() {
		// Deliberately never unlocked: when this goroutine exits while
		// locked, the runtime terminates the thread.
		runtime.LockOSThread()
		if err := netns.Set(h.ns); err != nil {
			errc <- fmt.Errorf("lab: enter %s: %w", h.NS, err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}

// Addrs lists the addresses on ifname, read through netlink.
func (h *Host) Addrs(ifname string) ([]netip.Prefix, error) {
	link, err := h.handle.LinkByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("lab: %s: link %s: %w", h.Name, ifname, err)
	}
	addrs, err := h.handle.AddrList(link, netlink.FAMILY_ALL)
	if err != nil {
		return nil, fmt.Errorf("lab: %s: addresses of %s: %w", h.Name, ifname, err)
	}
	out := make([]netip.Prefix, 0, len(addrs))
	for _, a := range addrs {
		if p, ok := ipNetToPrefix(a.IPNet); ok {
			out = append(out, p)
		}
	}
	return out, nil
}

// HasAddr reports whether ifname carries addr (any prefix length).
func (h *Host) HasAddr(ifname string, addr netip.Addr) (bool, error) {
	ps, err := h.Addrs(ifname)
	if err != nil {
		return false, err
	}
	for _, p := range ps {
		if p.Addr() == addr {
			return true, nil
		}
	}
	return false, nil
}

// SetLink sets ifname administratively up or down.
func (h *Host) SetLink(ifname string, up bool) error {
	link, err := h.handle.LinkByName(ifname)
	if err != nil {
		return fmt.Errorf("lab: %s: link %s: %w", h.Name, ifname, err)
	}
	if up {
		err = h.handle.LinkSetUp(link)
	} else {
		err = h.handle.LinkSetDown(link)
	}
	if err != nil {
		return fmt.Errorf("lab: %s: set %s up=%v: %w", h.Name, ifname, up, err)
	}
	return nil
}

// Interface returns ifname's index and MAC address.
func (h *Host) Interface(ifname string) (index int, mac net.HardwareAddr, err error) {
	link, err := h.handle.LinkByName(ifname)
	if err != nil {
		return 0, nil, fmt.Errorf("lab: %s: link %s: %w", h.Name, ifname, err)
	}
	return link.Attrs().Index, link.Attrs().HardwareAddr, nil
}

// etcRoot is where iproute2 looks for per-namespace /etc overlays.
var etcRoot = "/etc/netns"

// EtcFile makes path (which must be under /etc) read content inside the
// host, for processes started with Run or Start. See the package
// documentation for how the overlay replaces the whole top-level /etc entry.
func (h *Host) EtcFile(path string, content []byte) error {
	clean := filepath.Clean(path)
	rel, ok := strings.CutPrefix(clean, "/etc/")
	if !ok || rel == "" || strings.HasPrefix(rel, "netns") {
		return fmt.Errorf("lab: EtcFile %q: path must be below /etc", path)
	}
	top := strings.SplitN(rel, "/", 2)[0]
	// iproute2 bind-mounts only over an existing /etc/<top>; fail here
	// rather than let the overlay be silently skipped.
	fi, err := os.Stat(filepath.Join("/etc", top))
	if err != nil {
		return fmt.Errorf("lab: EtcFile %q: /etc/%s must exist for ip netns exec to bind over it: %w", path, top, err)
	}
	if fi.IsDir() != strings.Contains(rel, "/") {
		return fmt.Errorf("lab: EtcFile %q: /etc/%s is a directory=%v, overlay would not match", path, top, fi.IsDir())
	}
	dst := filepath.Join(etcRoot, h.NS, rel)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return fmt.Errorf("lab: EtcFile: %w", err)
	}
	if err := os.WriteFile(dst, content, 0o644); err != nil {
		return fmt.Errorf("lab: EtcFile: %w", err)
	}
	return nil
}

// destroy releases the host's handles and deletes its namespace and overlay.
// The handles must go first: an open fd keeps the namespace, and so its
// interfaces, alive after the name is removed.
func (h *Host) destroy() error {
	if h.handle != nil {
		h.handle.Close()
		h.handle = nil
	}
	if h.ns.IsOpen() {
		h.ns.Close()
		h.ns = netns.None()
	}
	return deleteNamespace(h.NS)
}

func deleteNamespace(name string) error {
	var first error
	if _, err := os.Stat(filepath.Join(netnsRunDir, name)); err == nil {
		if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
			first = fmt.Errorf("lab: ip netns del %s: %v: %s", name, err, strings.TrimSpace(string(out)))
		}
	}
	if err := os.RemoveAll(filepath.Join(etcRoot, name)); err != nil && first == nil {
		first = err
	}
	return first
}

// netnsRunDir is where iproute2 keeps named namespaces.
const netnsRunDir = "/run/netns"
