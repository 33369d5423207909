package daemon

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strings"
	"sync"
)

// fakeEdge records what the runner does to the host.
type fakeEdge struct {
	mu      sync.Mutex
	ops     []string // in order: "send ens160 224.0.0.18 <hex>", "add ens160 1.2.3.4/24", "garp ens160 1.2.3.4", "fw+ 1.2.3.4", "spawn ...", "fifo ..."
	conns   []*fakeConn
	links   map[string]bool
	checkRC map[string]int
	promote map[string]bool // promote_secondaries per interface
}

func newFakeEdge() *fakeEdge {
	return &fakeEdge{links: map[string]bool{"ens160": true, "ens161": true}, checkRC: map[string]int{}}
}

func (f *fakeEdge) record(format string, args ...any) {
	f.mu.Lock()
	f.ops = append(f.ops, fmt.Sprintf(format, args...))
	f.mu.Unlock()
}

// take returns and clears the recorded operations.
func (f *fakeEdge) take() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	o := f.ops
	f.ops = nil
	return o
}

type fakeConn struct {
	f      *fakeEdge
	spec   ConnSpec
	closed chan struct{}
	once   sync.Once
}

func (c *fakeConn) Send(p []byte, dst netip.Addr) error {
	c.f.record("send %s %s %x", c.spec.Interface, dst, p)
	return nil
}
func (c *fakeConn) Recv() ([]byte, RxMeta, error) {
	<-c.closed
	return nil, RxMeta{}, errors.New("closed")
}
func (c *fakeConn) Close() error { c.once.Do(func() { close(c.closed) }); return nil }

type fakeAddrs struct {
	f   *fakeEdge
	dev string
}

func (a fakeAddrs) Add(v ...VIP) error {
	for _, x := range v {
		a.f.record("add %s %s", a.dev, x.Prefix)
	}
	return nil
}
func (a fakeAddrs) Del(v ...VIP) error {
	for _, x := range v {
		a.f.record("del %s %s", a.dev, x.Prefix)
	}
	return nil
}

type fakeAnn struct {
	f   *fakeEdge
	dev string
}

func (a fakeAnn) Announce(x netip.Addr) error { a.f.record("garp %s %s", a.dev, x); return nil }

type fakeFW struct{ f *fakeEdge }

func (w fakeFW) Add(a ...netip.Addr) error { w.f.record("fw+ %v", a); return nil }
func (w fakeFW) Del(a ...netip.Addr) error { w.f.record("fw- %v", a); return nil }
func (w fakeFW) Close() error              { w.f.record("fw close"); return nil }

func (f *fakeEdge) Listen(s ConnSpec) (Conn, error) {
	c := &fakeConn{f: f, spec: s, closed: make(chan struct{})}
	f.conns = append(f.conns, c)
	return c, nil
}
func (f *fakeEdge) Addrs(dev string) (AddrSet, error)       { return fakeAddrs{f, dev}, nil }
func (f *fakeEdge) Announcer(dev string) (Announcer, error) { return fakeAnn{f, dev}, nil }
func (f *fakeEdge) Firewall(t string, p int) (Firewall, error) {
	f.record("fw open %s %d", t, p)
	return fakeFW{f}, nil
}
func (f *fakeEdge) LinkUp(n string) (bool, error) {
	up, ok := f.links[n]
	if !ok {
		return false, errors.New("no such link")
	}
	return up, nil
}
func (f *fakeEdge) Links(ctx context.Context, names []string) (<-chan LinkEvent, error) {
	return make(chan LinkEvent), nil
}
func (f *fakeEdge) Check(ctx context.Context, argv []string, user string) int {
	<-ctx.Done() // the tests feed script results themselves
	return -1
}
func (f *fakeEdge) Spawn(argv []string, user string) { f.record("spawn %s", strings.Join(argv, " ")) }
func (f *fakeEdge) OpenFIFO(path string) error       { f.record("fifo open %s", path); return nil }
func (f *fakeEdge) CloseFIFOs()                      { f.record("fifo close") }
func (f *fakeEdge) WriteFIFO(path, line string) {
	f.record("fifo %s %s", path, strings.TrimSuffix(line, "\n"))
}

func writeFile(p, s string) error { return os.WriteFile(p, []byte(s), 0o644) }

func (f *fakeEdge) CreateVMAC(v VMACSpec) error {
	f.record("vmac+ %s %s %d v6=%v base=%v", v.Name, v.Parent, v.VRID, v.IPv6, v.XmitBase)
	f.links[v.Name] = f.links[v.Parent] // a macvlan follows its parent's carrier
	return nil
}
func (f *fakeEdge) DeleteVMAC(name string) error { f.record("vmac- %s", name); return nil }
func (f *fakeEdge) SyncVMACRules() error         { f.record("vmac sync"); return nil }
func (f *fakeEdge) CloseVMACRules() error        { f.record("vmac close"); return nil }
func (f *fakeEdge) AddRoute(r Route) error       { f.record("route+ %s", r.Text); return nil }
func (f *fakeEdge) DelRoute(r Route) error       { f.record("route- %s", r.Text); return nil }
func (f *fakeEdge) AddRule(r Rule) error         { f.record("rule+ %d %s", r.Priority, r.Text); return nil }
func (f *fakeEdge) DelRule(r Rule) error         { f.record("rule- %d %s", r.Priority, r.Text); return nil }
func (f *fakeEdge) PromoteSecondaries(ifname string, on bool) (bool, error) {
	was := f.promote[ifname]
	if f.promote == nil {
		f.promote = map[string]bool{}
	}
	f.promote[ifname] = on
	f.record("promote_secondaries %s %v", ifname, on)
	return was, nil
}
