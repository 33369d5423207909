package haproxycmd

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
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
	do  doResolutions // run_doresolve.go
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
	for _, n := range cfg.Nameservers { // resolv.conf's too, read by the parser
		add(n.Name, n.Addr)
	}
	return s
}

// ask sends one question to every nameserver, resolve_retries times at
// most, each time waiting `timeout retry` for the first answer. It
// returns the outcome and which nameserver gave it (-1: none answered).
func (s *dnsSection) ask(ctx context.Context, name string, aaaa bool) (resolve.Outcome, []netip.Addr, int, bool) {
	var addrs []netip.Addr
	out, i, ok := s.exchange(ctx, func(id uint16) ([]byte, error) { return resolve.Query(id, name, aaaa, s.cfg.PayloadSize) },
		func(msg []byte, id uint16) (resolve.Outcome, error) {
			out, a, err := resolve.Read(msg, id, name, aaaa)
			addrs = a
			return out, err
		})
	return out, addrs, i, ok
}

// exchange is ask's loop for any question: build makes the question with
// an id, read reads a message as the answer to it (its error: not ours).
func (s *dnsSection) exchange(ctx context.Context, build func(uint16) ([]byte, error),
	read func([]byte, uint16) (resolve.Outcome, error)) (resolve.Outcome, int, bool) {
	conn, err := net.ListenUDP("udp", nil)
	if err != nil {
		return resolve.Other, -1, false
	}
	defer conn.Close()
	buf := make([]byte, 65535)
	for try := 0; try < max(s.cfg.Retries, 1); try++ {
		id := uint16(rand.UintN(1 << 16))
		q, err := build(id)
		if err != nil {
			return resolve.Invalid, -1, false
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
				return resolve.Other, -1, false
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
			out, err := read(buf[:n], id)
			if resolve.IsForeign(err) {
				continue
			}
			s.count(i, outcomeCounter[out])
			return out, i, true
		}
		// no answer: HAProxy 2.6 counts nothing per nameserver (its
		// timeout counter stays 0; checked with a silent nameserver)
	}
	return resolve.Other, -1, false
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

// dnsGroup is one resolution HAProxy shares: the servers of a backend
// that resolve the same name through the same section (a server-template's
// slots), in configuration order.
type dnsGroup struct {
	sec     *dnsSection
	backend string
	servers []*proxy.Server
	fqdn    string // the name resolved
	// answers is the resolution's record tree and held the record each
	// server is attached to (resolve.Answers); only resolveLoop uses them.
	answers resolve.Answers
	held    resolve.Held
}

// startResolvers runs one resolution loop per name and backend.
func (w *worker) startResolvers() {
	sections := map[string]*dnsSection{}
	for _, r := range w.plan.Resolvers {
		sections[r.Name] = newDNSSection(r)
	}
	w.dns.Store(&sections) // show resolvers may read it from the stats socket at once
	var groups []*dnsGroup
	byKey := map[string]*dnsGroup{}
	for _, b := range w.plan.Proxy.Backends {
		for _, sv := range b.Servers {
			if sv.AwaitDNS {
				// HAProxy's health of a server that starts in maintenance:
				// 0, kept once it resolves (show servers state)
				w.setUncheckedHealth(b.Name, sv.Name, 0)
			}
			sec := sections[sv.Resolvers]
			if sv.FQDN == "" || sec == nil || len(sec.ns) == 0 {
				continue
			}
			key := fmt.Sprintf("%s\x00%s\x00%s\x00%v", b.Name, sv.Resolvers, strings.ToLower(sv.FQDN), sv.PreferIPv4)
			g := byKey[key]
			if g == nil {
				g = &dnsGroup{sec: sec, backend: b.Name, fqdn: sv.FQDN}
				byKey[key] = g
				groups = append(groups, g)
			}
			g.servers = append(g.servers, sv)
			g.held = append(g.held, netip.Addr{})
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	if w.plan.DNS != nil {
		w.plan.DNS.Set(&doResolver{ctx: ctx, sections: sections}) // the do-resolve rules ask them
	}
	var wg sync.WaitGroup
	for _, g := range groups {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.resolveLoop(ctx, g)
		}()
	}
	w.startSRV(ctx, sections, &wg)
	prev := w.stop
	w.stop = func() {
		cancel()
		wg.Wait()
		if prev != nil {
			prev()
		}
	}
}

// resolveLoop resolves the group's name whenever the last resolution is
// `hold valid` old, looking every `timeout resolve` (HAProxy's resolvers
// task), and applies the outcome to each server.
func (w *worker) resolveLoop(ctx context.Context, g *dnsGroup) {
	var lastValid time.Time
	sec := g.sec
	every := max(sec.cfg.TimeoutResolve, time.Millisecond)
	first := g.servers[0]
	for {
		addrs, ns, reason, hold := sec.resolution(ctx, g.fqdn, first.PreferIPv4)
		if ctx.Err() != nil {
			return
		}
		now := time.Now()
		if reason == "" {
			lastValid = now
			sec.serverAnswer(g.fqdn, first.PreferIPv4, addrs, now)
			w.dnsValid(g, ns, addrs)
		} else if lastValid.IsZero() || now.Sub(lastValid) > sec.cfg.Hold[hold] {
			for i, sv := range g.servers {
				g.held[i] = netip.Addr{}
				w.dnsMaint(g.backend, sv.Name, reason)
			}
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

// dnsValid hands the answer's addresses to the group's servers in order
// (resolve.Answers.Pick: each keeps its record while it lives, none takes
// one another server holds unless allow-dup-ip, resolve-net's networks
// first), takes the served ones out of resolution maintenance and
// puts a server left without an address into it, with HAProxy's lines.
// Only the first server's lines name the nameserver: HAProxy hands the
// others the answer "by DNS cache".
func (w *worker) dnsValid(g *dnsGroup, ns int, addrs []netip.Addr) {
	src := &runtimeSource{w: w}
	cur := make([]netip.Addr, len(g.servers))
	ports := make([]int, len(g.servers))
	for i, sv := range g.servers {
		cur[i], ports[i] = w.serverAddr(g.backend, sv.Name)
	}
	g.answers.Update(addrs, time.Now(), g.sec.cfg.Hold["obsolete"], g.held)
	picks := make([]netip.Addr, len(g.servers))
	for i, sv := range g.servers {
		by := g.sec.cfg.Name + "/" + g.sec.ns[ns].name
		if i > 0 {
			by = "DNS cache"
		}
		var v resolve.Verdict
		picks[i], v = g.answers.Pick(g.held, i, cur[i], resolve.Options{PreferIPv4: sv.PreferIPv4,
			Nets: sv.ResolveNets, AllowDup: sv.AllowDupIP})
		if v == resolve.NoIP {
			w.dnsMaint(g.backend, sv.Name, "No IP for server ")
			continue
		}
		if picks[i] != cur[i] {
			if src.SetServerAddr(g.backend, sv.Name, picks[i], ports[i]) == nil {
				if i == 0 {
					g.sec.count(ns, cUpdate) // HAProxy counts what the nameserver changed, not the cache
				}
				old := ""
				if cur[i].IsValid() {
					old = cur[i].String()
				}
				src.logEvent(g.backend, runtimeapi.DNSAddrEvent(g.backend, sv.Name, old, picks[i].String(), by))
			}
		}
		st, _ := w.px.ServerStatus(g.backend, sv.Name)
		if !st.ResolvMaint {
			continue
		}
		if start := w.leaveResolvMaint(g.backend, sv.Name); start != nil {
			start()
		}
		for _, ev := range runtimeapi.DNSReadyEvents(g.backend, sv.Name, g.fqdn, sv.Backup) {
			src.logEvent(g.backend, ev)
		}
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
	if w.checks != nil {
		w.checks.SetMaintenance(backend, server, true) // checks pause in maintenance
	}
	_, port := w.serverAddr(backend, server)
	w.px.SetServerAddr(backend, server, netip.Addr{}, port)
	c := w.backendCounts(backend, server)
	for _, ev := range runtimeapi.DNSMaintEvents(runtimeapi.Transition{Backend: backend, Server: server, Backup: backup,
		WasUsable: wasUsable, Down: !st.CheckUp && !st.Maint, Act: c.Active, Bck: c.Backup, Sessions: c.Sessions}, reason) {
		src.logEvent(backend, ev)
	}
}

// leaveResolvMaint takes the server out of resolution maintenance. As
// when it leaves forced maintenance, a checked server not also in forced
// maintenance is UP with a fresh health and is checked at once (HAProxy
// 2.6's srv_update_status): the returned func starts that check (nil: no
// check to start), which the caller may hold until it has applied the
// rest of an answer, as HAProxy's check task runs after the resolvers
// task.
func (w *worker) leaveResolvMaint(backend, server string) (startCheck func()) {
	checked := w.checks != nil && (w.planCheck(backend, server) != nil || w.dynamicCheck(backend, server) != nil)
	w.px.UpdateServerStatus(backend, server, func(s *proxy.ServerStatus) {
		s.ResolvMaint = false
		if !s.Maint && checked {
			s.CheckUp, s.CheckDrain = true, false
			startCheck = func() { w.checks.SetMaintenance(backend, server, false) }
		}
	})
	return startCheck
}

// resolversView is `show resolvers`: the configuration's sections with
// their counters.
func (w *worker) resolversView() []runtimeapi.Resolvers {
	var out []runtimeapi.Resolvers
	running := w.dns.Load()
	if running == nil {
		return nil
	}
	for _, r := range w.plan.Resolvers {
		sec := (*running)[r.Name]
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
