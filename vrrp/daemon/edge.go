package daemon

import (
	"context"
	"net/netip"
)

// Edge is the host the runner drives: sockets, addresses, frames, firewall,
// links and processes. The Linux implementation is NewLinuxEdge (netio);
// tests use fakes. Every method is called from the runner's loop goroutine
// except Conn.Recv (one reader goroutine per Conn) and the Scripts calls
// (their own goroutines).
type Edge interface {
	Listen(ConnSpec) (Conn, error)
	Addrs(ifname string) (AddrSet, error)
	Announcer(ifname string) (Announcer, error)
	Firewall(table string, priority int) (Firewall, error)
	// LinkUp says whether an interface is up now; the runner learns later
	// changes from Links.
	LinkUp(ifname string) (bool, error)
	// Links delivers link changes of the given interfaces until ctx ends.
	Links(ctx context.Context, ifnames []string) (<-chan LinkEvent, error)
	HostNet
	Scripts
}

// ConnSpec identifies one advert socket; instances with the same spec share it.
type ConnSpec struct {
	Interface string
	IPv6      bool
	Unicast   bool
	Group     netip.Addr // zero in unicast mode
	Src       netip.Addr
}

// Conn sends and receives VRRP payloads (no IP header).
type Conn interface {
	Send(payload []byte, dst netip.Addr) error
	// Recv blocks for the next advert; it fails once the Conn is closed.
	Recv() ([]byte, RxMeta, error)
	Close() error
}

// RxMeta is what the socket knows about a received advert.
type RxMeta struct {
	Src, Dst netip.Addr
	TTL      int // -1 when unknown
}

// AddrSet adds and removes VIPs on one interface; "exists" on Add and
// "not found" on Del are not errors.
type AddrSet interface {
	Add(vips ...VIP) error
	Del(vips ...VIP) error
}

// Announcer sends one gratuitous ARP (IPv4) or unsolicited NA (IPv6) per call.
type Announcer interface {
	Announce(addr netip.Addr) error
}

// Firewall is the no-accept drop set (nftables table keepalived).
type Firewall interface {
	Add(addrs ...netip.Addr) error
	Del(addrs ...netip.Addr) error
	// Close removes the table (clean stop).
	Close() error
}

// LinkEvent is an interface going up or down (Up false also for removal).
type LinkEvent struct {
	Name string
	Up   bool
}

// Scripts runs external programs.
type Scripts interface {
	// Check runs a vrrp_script check to completion (killed at the
	// timeout) and returns its exit status (-1 if it could not run or was killed).
	Check(ctx context.Context, argv []string, user string) int
	// Spawn starts a notify script and does not wait for it.
	Spawn(argv []string, user string)
	// OpenFIFO opens (creating it if missing) the notify FIFO at start;
	// WriteFIFO writes one line to it; CloseFIFOs closes it on stop.
	OpenFIFO(path string) error
	WriteFIFO(path, line string)
	CloseFIFOs()
}
