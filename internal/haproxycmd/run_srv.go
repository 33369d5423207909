package haproxycmd

import (
	"context"
	"net/netip"
	"sync"
	"time"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/resolve"
	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// srvGroup is one SRV resolution: the slots of the server-templates of a
// backend naming the same SRV record through the same section.
type srvGroup struct {
	sec     *dnsSection
	backend string
	name    string
	servers []*proxy.Server
	table   resolve.SRVTable
	// follow is, per slot, the cancel of the slot's own resolution of
	// its target (a record without additional address); nil: none.
	follow    []context.CancelFunc
	target    []string
	lastValid time.Time
}

// srvSlots is what `show servers state` tells of SRV slots: the target a
// slot took (srv_fqdn) and whether a record ever named it (HAProxy's
// SRV_ADMF_HMAINT, 0x40, kept once set).
type srvSlots struct {
	mu sync.Mutex
	m  map[string]srvSlotView
}

type srvSlotView struct {
	fqdn  string
	named bool
}

func (s *srvSlots) get(backend, server string) srvSlotView {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[backend+"/"+server]
}

func (s *srvSlots) set(backend, server string, v srvSlotView) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m == nil {
		s.m = map[string]srvSlotView{}
	}
	s.m[backend+"/"+server] = v
}

// startSRV runs one SRV resolution loop per record name and backend.
func (w *worker) startSRV(ctx context.Context, sections map[string]*dnsSection, wg *sync.WaitGroup) {
	byKey := map[string]*srvGroup{}
	var groups []*srvGroup
	for _, b := range w.plan.Proxy.Backends {
		for _, sv := range b.Servers {
			sec := sections[sv.Resolvers]
			if sv.SRV == "" || sec == nil || len(sec.ns) == 0 {
				continue
			}
			key := b.Name + "\x00" + sv.Resolvers + "\x00" + sv.SRV
			g := byKey[key]
			if g == nil {
				g = &srvGroup{sec: sec, backend: b.Name, name: sv.SRV}
				byKey[key] = g
				groups = append(groups, g)
			}
			g.servers = append(g.servers, sv)
			g.follow = append(g.follow, nil)
			g.target = append(g.target, "")
		}
	}
	// one loop per section, asking in configuration order as HAProxy's
	// resolvers task does: an answer is applied before the next is asked
	bySec := map[*dnsSection][]*srvGroup{}
	var order []*dnsSection
	for _, g := range groups {
		if bySec[g.sec] == nil {
			order = append(order, g.sec)
		}
		bySec[g.sec] = append(bySec[g.sec], g)
	}
	for _, sec := range order {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.srvLoop(ctx, sec, bySec[sec], wg)
		}()
	}
}

// srvLoop asks for each group's SRV records as resolveLoop asks for
// addresses and hands the answers to the slots; an error past its hold
// time empties every slot of the group. As HAProxy's resolvers task, it
// sends every group's question at once and applies the answers in
// configuration order once all are in: a slot's check started by one
// answer sees the slots the others filled.
func (w *worker) srvLoop(ctx context.Context, sec *dnsSection, groups []*srvGroup, wg *sync.WaitGroup) {
	every := max(sec.cfg.TimeoutResolve, time.Millisecond)
	answers := make([]srvAnswer, len(groups))
	for {
		var asked sync.WaitGroup
		for i, g := range groups {
			asked.Add(1)
			go func() {
				defer asked.Done()
				answers[i] = g.ask(ctx)
			}()
		}
		asked.Wait()
		if ctx.Err() != nil {
			return
		}
		var checks []func() // slots' checks, started once every answer is applied
		for i, g := range groups {
			w.srvRound(ctx, g, answers[i], wg, &checks)
		}
		for _, start := range checks {
			start()
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

// srvAnswer is the outcome of one SRV question.
type srvAnswer struct {
	out      resolve.Outcome
	answered bool
	recs     []resolve.SRVRecord
	extra    []resolve.Extra
}

// ask asks the group's SRV name once.
func (g *srvGroup) ask(ctx context.Context) srvAnswer {
	sec := g.sec
	var a srvAnswer
	a.out, _, a.answered = sec.exchange(ctx, func(id uint16) ([]byte, error) { return resolve.QuerySRV(id, g.name, sec.cfg.PayloadSize) },
		func(msg []byte, id uint16) (resolve.Outcome, error) {
			out, r, e, err := resolve.ReadSRV(msg, id, g.name)
			a.recs, a.extra = r, e
			return out, err
		})
	return a
}

// srvRound applies one answer to a group's slots.
func (w *worker) srvRound(ctx context.Context, g *srvGroup, a srvAnswer, wg *sync.WaitGroup, checks *[]func()) {
	sec := g.sec
	now := time.Now()
	hold := srvHold(a.out, a.answered)
	if hold == "" {
		g.lastValid = now
		w.srvApply(ctx, g, g.table.Update(len(g.servers), a.recs, a.extra, now, sec.cfg.Hold["obsolete"]), wg, checks)
	} else if g.lastValid.IsZero() || now.Sub(g.lastValid) > sec.cfg.Hold[hold] {
		w.srvApply(ctx, g, g.table.Clear(), wg, checks)
	}
}

// srvHold is the hold time an SRV outcome falls under ("": valid).
func srvHold(out resolve.Outcome, answered bool) string {
	switch {
	case !answered:
		return "timeout"
	case out == resolve.Valid:
		return ""
	case out == resolve.NX:
		return "nx"
	case out == resolve.Refused:
		return "refused"
	}
	return "other"
}

// srvRemoved is HAProxy's reason for a slot whose record went.
const srvRemoved = "entry removed from SRV record"

// srvApply carries out the table's actions on the slots, with HAProxy's
// lines: an address from the additional section ("by DNS additional
// record") brings the slot out of resolution maintenance at once; without
// one the slot resolves its target itself as a server with resolvers does.
// HAProxy may count the answer to a freed slot's own question, dropped
// while in flight, as outdated; goha's questions are never dropped so.
func (w *worker) srvApply(ctx context.Context, g *srvGroup, acts []resolve.SRVAction, wg *sync.WaitGroup, checks *[]func()) {
	src := &runtimeSource{w: w}
	for _, a := range acts {
		sv := g.servers[a.Slot]
		view := w.srvSlots.get(g.backend, sv.Name)
		if a.Removed {
			g.stopFollow(a.Slot)
			w.dnsMaint(g.backend, sv.Name, srvRemoved)
			src.SetServerAddr(g.backend, sv.Name, netip.Addr{}, 0)
			w.srvSlots.set(g.backend, sv.Name, srvSlotView{named: view.named})
			continue
		}
		cur, port := w.serverAddr(g.backend, sv.Name)
		was := cur
		if a.NewTarget {
			w.srvSlots.set(g.backend, sv.Name, srvSlotView{fqdn: a.Target, named: true})
		}
		if a.Addr.IsValid() {
			g.stopFollow(a.Slot)
			if a.Addr != cur {
				old := ""
				if cur.IsValid() {
					old = cur.String()
				}
				src.logEvent(g.backend, runtimeapi.DNSAddrEvent(g.backend, sv.Name, old, a.Addr.String(), "DNS additional record"))
			}
			cur = a.Addr
		}
		if cur != was || port != a.Port {
			src.SetServerAddr(g.backend, sv.Name, cur, a.Port) // and its check

		}
		if !a.Addr.IsValid() && (g.follow[a.Slot] == nil || g.target[a.Slot] != a.Target) {
			g.stopFollow(a.Slot)
			g.startFollow(ctx, w, a.Slot, a.Target, wg) // after the port is set: it keeps it
		}
		st, _ := w.px.ServerStatus(g.backend, sv.Name)
		switch {
		case cur.IsValid() && st.ResolvMaint:
			if start := w.leaveResolvMaint(g.backend, sv.Name); start != nil {
				*checks = append(*checks, start)
			}
			// only the first of a resolved server's two lines: the
			// SRV path does not say "administratively READY"
			src.logEvent(g.backend, runtimeapi.DNSReadyEvents(g.backend, sv.Name, a.Target, sv.Backup)[0])
		case !cur.IsValid() && !st.ResolvMaint:
			w.dnsMaint(g.backend, sv.Name, srvRemoved)
		}
		if !sv.IgnoreWeight {
			src.SetServerWeight(g.backend, sv.Name, a.Weight)
		}
	}
}

// startFollow resolves a slot's target as a server with resolvers does,
// until stopFollow.
func (g *srvGroup) startFollow(ctx context.Context, w *worker, slot int, target string, wg *sync.WaitGroup) {
	fctx, cancel := context.WithCancel(ctx)
	g.follow[slot], g.target[slot] = cancel, target
	sub := &dnsGroup{sec: g.sec, backend: g.backend, servers: []*proxy.Server{g.servers[slot]}, fqdn: target,
		held: make(resolve.Held, 1)}
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.resolveLoop(fctx, sub)
	}()
}

func (g *srvGroup) stopFollow(slot int) {
	if g.follow[slot] != nil {
		g.follow[slot]()
		g.follow[slot], g.target[slot] = nil, ""
	}
}
