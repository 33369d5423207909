package haproxycmd

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/resolve"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// The `show resolvers` counters, in HAProxy's order.
const (
	cSent = iota
	cSndError
	cValid
	cUpdate
	cCname
	cCnameError
	cAnyErr
	cNX
	cTimeout
	cRefused
	cOther
	cInvalid
	cTooBig
	cTruncated
	cOutdated
	nCounters
)

// dnsSection is a running resolvers section: its nameservers and their
// counters.
type dnsSection struct {
	cfg *haproxy.ResolversSection
	mu  sync.Mutex
	ns  []dnsNameserver
}

type dnsNameserver struct {
	name string
	addr *net.UDPAddr
	c    [nCounters]int64
}

func (s *dnsSection) count(i, counter int) {
	s.mu.Lock()
	s.ns[i].c[counter]++
	s.mu.Unlock()
}

// newDNSSection opens nothing: each question uses its own socket.
func newDNSSection(cfg *haproxy.ResolversSection) *dnsSection {
	s := &dnsSection{cfg: cfg}
	add := func(name, addr string) {
		ua, err := net.ResolveUDPAddr("udp", addr)
		if err == nil {
			s.ns = append(s.ns, dnsNameserver{name: name, addr: ua})
		}
	}
	for _, n := range cfg.Nameservers {
		add(n.Name, n.Addr)
	}
	if cfg.ParseResolvConf {
		for _, a := range resolvConfNameservers("/etc/resolv.conf") {
			add(a, net.JoinHostPort(a, "53"))
		}
	}
	return s
}

// ask sends one question to every nameserver, resolve_retries times at
// most, each time waiting `timeout retry` for the first answer. It
// returns the outcome and which nameserver gave it (-1: none answered).
func (s *dnsSection) ask(ctx context.Context, name string, aaaa bool) (resolve.Outcome, []netip.Addr, int, bool) {
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		return resolve.Other, nil, -1, false
	}
	defer conn.Close()
	buf := make([]byte, 65535)
	for try := 0; try < max(s.cfg.Retries, 1); try++ {
		id := uint16(rand.UintN(1 << 16))
		q, err := resolve.Query(id, name, aaaa, s.cfg.PayloadSize)
		if err != nil {
			return resolve.Invalid, nil, -1, false
		}
		for i := range s.ns {
			s.count(i, cSent)
			if _, err := conn.WriteToUDP(q, s.ns[i].addr); err != nil {
				s.count(i, cSndError)
			}
		}
		deadline := time.Now().Add(s.cfg.TimeoutRetry)
		for {
			if ctx.Err() != nil {
				return resolve.Other, nil, -1, false
			}
			conn.SetReadDeadline(deadline)
			n, from, err := conn.ReadFromUDP(buf)
			if err != nil {
				break // timed out: count it, ask again
			}
			i := s.index(from)
			if i < 0 {
				continue
			}
			out, addrs, err := resolve.Read(buf[:n], id, name, aaaa)
			if resolve.IsForeign(err) {
				continue
			}
			s.count(i, outcomeCounter[out])
			return out, addrs, i, true
		}
		for i := range s.ns {
			s.count(i, cTimeout)
		}
	}
	return resolve.Other, nil, -1, false
}

var outcomeCounter = map[resolve.Outcome]int{resolve.Valid: cValid, resolve.NX: cNX, resolve.Refused: cRefused,
	resolve.Other: cOther, resolve.Invalid: cInvalid, resolve.Truncated: cTruncated, resolve.Empty: cAnyErr}

func (s *dnsSection) index(from *net.UDPAddr) int {
	for i := range s.ns {
		if s.ns[i].addr.IP.Equal(from.IP) && s.ns[i].addr.Port == from.Port {
			return i
		}
	}
	return -1
}

// resolution is one server's resolution: the preferred family first, the
// other when the name has no record of it (or does not exist for it), as
// HAProxy falls back. reason is HAProxy's words for a failure.
func (s *dnsSection) resolution(ctx context.Context, name string, preferIPv4 bool) (addrs []netip.Addr, ns int, reason, hold string) {
	reason, hold = "unspecified DNS error", "other"
	for _, aaaa := range []bool{!preferIPv4, preferIPv4} {
		out, a, i, answered := s.ask(ctx, name, aaaa)
		switch {
		case !answered:
			return nil, -1, "DNS timeout status", "timeout"
		case out == resolve.Valid:
			return a, i, "", ""
		case out == resolve.NX:
			reason, hold = "DNS NX status", "nx"
		case out == resolve.Empty:
		case out == resolve.Refused:
			return nil, i, "DNS refused status", "refused"
		default:
			return nil, i, "unspecified DNS error", "other"
		}
	}
	return nil, -1, reason, hold
}

// startResolvers runs one resolution loop per server with `resolvers`.
func (w *worker) startResolvers() {
	sections := map[string]*dnsSection{}
	for _, r := range w.plan.Resolvers {
		sections[r.Name] = newDNSSection(r)
	}
	w.dns = sections
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, b := range w.plan.Proxy.Backends {
		for _, sv := range b.Servers {
			if sv.AwaitDNS {
				// HAProxy's health of a server that starts in maintenance:
				// 0, kept once it resolves (show servers state)
				w.setUncheckedHealth(b.Name, sv.Name, 0)
			}
			if sec := sections[sv.Resolvers]; sv.FQDN != "" && sec != nil && len(sec.ns) > 0 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					w.resolveLoop(ctx, sec, b.Name, sv)
				}()
			}
		}
	}
	prev := w.stop
	w.stop = func() {
		cancel()
		wg.Wait()
		if prev != nil {
			prev()
		}
	}
}

// resolveLoop resolves the server's name whenever the last resolution is
// `hold valid` old, looking every `timeout resolve` (HAProxy's resolvers
// task), and applies the outcome.
func (w *worker) resolveLoop(ctx context.Context, sec *dnsSection, backend string, sv *proxy.Server) {
	var lastValid time.Time
	every := max(sec.cfg.TimeoutResolve, time.Millisecond)
	for {
		addrs, ns, reason, hold := sec.resolution(ctx, sv.FQDN, sv.PreferIPv4)
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		if reason == "" {
			lastValid = now
			w.dnsValid(sec, ns, backend, sv, addrs)
		} else if lastValid.IsZero() || now.Sub(lastValid) > sec.cfg.Hold[hold] {
			w.dnsMaint(backend, sv.Name, reason)
		}
		next := sec.cfg.Hold["valid"]
		wait := every * ((next + every - 1) / every)
		select {
		case <-ctx.Done():
			return
		case <-time.After(max(wait, every)):
		}
	}
}

// serverAddr is the server's current address (invalid: none) and port.
func (w *worker) serverAddr(backend, server string) (netip.Addr, int) {
	for _, b := range w.px.Backends() {
		for _, s := range b.Servers {
			if b.Name == backend && s.Name == server {
				ap, err := netip.ParseAddrPort(s.Addr)
				if err != nil {
					_, p, _ := net.SplitHostPort(s.Addr)
					port, _ := netip.ParseAddrPort("0.0.0.0:" + p)
					return netip.Addr{}, int(port.Port())
				}
				return ap.Addr(), int(ap.Port())
			}
		}
	}
	return netip.Addr{}, 0
}

// dnsValid moves the server to the answer's address (keeping its own
// while listed) and takes it out of resolution maintenance, with
// HAProxy's lines.
func (w *worker) dnsValid(sec *dnsSection, ns int, backend string, sv *proxy.Server, addrs []netip.Addr) {
	src := &runtimeSource{w: w}
	cur, port := w.serverAddr(backend, sv.Name)
	pick := resolve.Pick(cur, addrs)
	if pick != cur {
		if src.SetServerAddr(backend, sv.Name, pick, port) == nil {
			sec.count(ns, cUpdate)
			old := ""
			if cur.IsValid() {
				old = cur.String()
			}
			src.logEvent(backend, runtimeapi.DNSAddrEvent(backend, sv.Name, old, pick.String(), sec.cfg.Name, sec.ns[ns].name))
		}
	}
	st, _ := w.px.ServerStatus(backend, sv.Name)
	if !st.ResolvMaint {
		return
	}
	w.px.UpdateServerStatus(backend, sv.Name, func(s *proxy.ServerStatus) { s.ResolvMaint = false })
	for _, ev := range runtimeapi.DNSReadyEvents(backend, sv.Name, sv.FQDN, sv.Backup) {
		src.logEvent(backend, ev)
	}
}

// dnsMaint puts the server in resolution maintenance without an address
// (HAProxy forgets it), once.
func (w *worker) dnsMaint(backend, server, reason string) {
	st, _ := w.px.ServerStatus(backend, server)
	if st.ResolvMaint {
		return
	}
	src := &runtimeSource{w: w}
	wasUsable, backup := src.serverUsable(backend, server)
	w.px.UpdateServerStatus(backend, server, func(s *proxy.ServerStatus) { s.ResolvMaint = true })
	w.setUncheckedHealth(backend, server, 0)
	_, port := w.serverAddr(backend, server)
	w.px.SetServerAddr(backend, server, netip.Addr{}, port)
	c := w.backendCounts(backend, server)
	for _, ev := range runtimeapi.DNSMaintEvents(runtimeapi.Transition{Backend: backend, Server: server, Backup: backup,
		WasUsable: wasUsable, Act: c.Active, Bck: c.Backup, Sessions: c.Sessions}, reason) {
		src.logEvent(backend, ev)
	}
}

// resolversView is `show resolvers`: the configuration's sections with
// their counters.
func (w *worker) resolversView() []runtimeapi.Resolvers {
	var out []runtimeapi.Resolvers
	for _, r := range w.plan.Resolvers {
		sec := w.dns[r.Name]
		if sec == nil {
			continue
		}
		v := runtimeapi.Resolvers{Name: r.Name}
		sec.mu.Lock()
		for _, ns := range sec.ns {
			v.Nameservers = append(v.Nameservers, ns.name)
			v.Counters = append(v.Counters, ns.c[:])
		}
		sec.mu.Unlock()
		out = append(out, v)
	}
	return out
}
