package daemon

import (
	"net/netip"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// Gratuitous ARP / unsolicited NA pacing as keepalived 2.2.7 does it
// (vrrp_arp.c, vrrp_ndisc.c, vrrp_scheduler.c:vrrp_arp_thread), measured
// beside it in garpgroup_lab_test.go:
//   - one pace per physical interface, or one shared by every interface
//     of a garp_group; each family (ARP, NA) has its own interval and
//     next time;
//   - an announcement whose pace allows it leaves at once; otherwise only
//     the address is marked pending: the rounds of a burst that could not
//     leave collapse into one later announcement per address;
//   - one wake-up for all paces: set at queue time to now + interval
//     (unless sooner), then to the earliest pace an address still waits
//     for; at each wake-up the instances are walked in order, their
//     addresses in VIP order, and each pending address leaves if its pace
//     allows.

// garpPace is keepalived's garp_delay.
type garpPace struct {
	interval [2]time.Duration // [0] ARP, [1] NA; 0: not paced
	last     [2]time.Duration
	sent     [2]bool // last is valid
}

// due says whether an announcement of family fam may leave at now.
func (p *garpPace) due(fam int, now time.Duration) bool {
	return p.interval[fam] == 0 || !p.sent[fam] || now >= p.last[fam]+p.interval[fam]
}

func family(addr netip.Addr) int {
	if addr.Is6() && !addr.Is4In6() {
		return 1
	}
	return 0
}

// announceDev is the interface an announcement for addr leaves from, and
// the physical interface whose pace it follows (a VMAC's parent).
func announceDev(in *inst, addr netip.Addr) (dev, base string) {
	dev = in.spec.Interface
	if v, ok := in.spec.Addrs[addr]; ok && v.Dev != "" {
		dev = v.Dev
	}
	base = dev
	if in.spec.VMAC != nil && dev == in.spec.VMAC.Name {
		base = in.spec.VMAC.Parent
	}
	return dev, base
}

// pace is the pace of physical interface ifname: its garp_group's, else
// its own with vrrp_garp_interval / vrrp_gna_interval.
func (r *Runner) pace(ifname string) *garpPace {
	if p := r.paces[ifname]; p != nil {
		return p
	}
	for _, g := range r.cfg.GarpGroups {
		for _, i := range g.Interfaces {
			if i != ifname {
				continue
			}
			p := &garpPace{interval: [2]time.Duration{g.Garp, g.Gna}}
			for _, j := range g.Interfaces {
				r.paces[j] = p
			}
			return p
		}
	}
	p := &garpPace{interval: [2]time.Duration{r.cfg.GarpInterval, r.cfg.GnaInterval}}
	r.paces[ifname] = p
	return p
}

// queueGratuitous is keepalived's vrrp_send_link_update: Count rounds
// over the addresses, each sent now or marked pending.
func (r *Runner) queueGratuitous(in *inst, a vrrp.SendGratuitous) {
	now := r.now()
	in.garpOrder = a.Addrs
	for range a.Count {
		for _, addr := range a.Addrs {
			dev, base := announceDev(in, addr)
			p, fam := r.pace(base), family(addr)
			if p.due(fam, now) {
				r.announceAt(in, dev, p, addr, now)
				continue
			}
			if in.garpPending == nil {
				in.garpPending = map[netip.Addr]bool{}
			}
			in.garpPending[addr] = true
			if at := now + p.interval[fam]; !r.garpWakeSet || at < r.garpWake {
				r.garpWake, r.garpWakeSet = at, true
			}
		}
	}
}

// announceAt sends one announcement and starts its pace's interval.
func (r *Runner) announceAt(in *inst, dev string, p *garpPace, addr netip.Addr, now time.Duration) {
	fam := family(addr)
	p.last[fam], p.sent[fam] = now, true
	if r.announce(dev, fam == 1, addr) {
		in.garpsSent++
	}
}

// drainGarps is keepalived's vrrp_arp_thread, when its wake-up is due.
func (r *Runner) drainGarps(now time.Duration) {
	if !r.garpWakeSet || now < r.garpWake {
		return
	}
	r.garpWakeSet = false
	for _, in := range r.insts {
		if len(in.garpPending) == 0 {
			continue
		}
		if in.m.State() != vrrp.StateMaster {
			clear(in.garpPending)
			continue
		}
		for _, addr := range in.garpOrder {
			if !in.garpPending[addr] {
				continue
			}
			dev, base := announceDev(in, addr)
			p, fam := r.pace(base), family(addr)
			if p.due(fam, now) {
				delete(in.garpPending, addr)
				r.announceAt(in, dev, p, addr, now)
				continue
			}
			if at := p.last[fam] + p.interval[fam]; !r.garpWakeSet || at < r.garpWake {
				r.garpWake, r.garpWakeSet = at, true
			}
		}
	}
}

// announce sends one GARP / NA on ifname and says whether it left.
func (r *Runner) announce(ifname string, ipv6 bool, addr netip.Addr) bool {
	ann := r.anns[ifname]
	if ann == nil {
		var err error
		if ann, err = r.edge.Announcer(ifname); err != nil {
			r.logf("Error opening gratuitous ARP socket on %s: %v", ifname, err)
			return false
		}
		r.anns[ifname] = ann
	}
	if err := ann.Announce(addr); err != nil {
		r.logf("Error sending gratuitous ARP on %s for %s: %v", ifname, addr, err)
		return false
	}
	if r.opts.Detail {
		if ipv6 {
			r.logf("Sending unsolicited Neighbour Advert on %s for %s", ifname, addr)
		} else {
			r.logf("Sending gratuitous ARP on %s for %s", ifname, addr)
		}
	}
	return true
}

// dropQueuedGarps forgets the pending announcements of addresses the
// instance no longer holds: a late GARP from a backup would steal the VIP back.
func (r *Runner) dropQueuedGarps(in *inst, addrs []netip.Addr) {
	for _, a := range addrs {
		delete(in.garpPending, a)
	}
}
