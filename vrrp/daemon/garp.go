package daemon

import (
	"net/netip"
	"slices"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// garpKey is one pacing queue: keepalived paces gratuitous ARPs and NAs
// separately on each interface (vrrp_garp_interval / vrrp_gna_interval).
type garpKey struct {
	ifname string
	ipv6   bool
}

// garpQueue holds the announcements not sent yet. With a zero interval
// everything goes out at once; otherwise one frame per interval, the first
// immediately when the interface has been quiet long enough.
type garpQueue struct {
	interval time.Duration
	pending  []garpItem
	last     time.Duration
	sent     bool // last is valid
}

// garpItem is one queued announcement and the instance it is sent for
// (whose GARP count it adds to once it leaves).
type garpItem struct {
	addr netip.Addr
	in   *inst
}

// next is when the head of the queue may go out.
func (q *garpQueue) next() (time.Duration, bool) {
	if len(q.pending) == 0 {
		return 0, false
	}
	if !q.sent || q.interval == 0 {
		return 0, true
	}
	return q.last + q.interval, true
}

// queueGratuitous splits a burst into the per-interface queues, in
// keepalived's order: Count rounds over the addresses.
func (r *Runner) queueGratuitous(in *inst, a vrrp.SendGratuitous) {
	for range a.Count {
		for _, addr := range a.Addrs {
			dev := in.spec.Interface
			if v, ok := in.spec.Addrs[addr]; ok && v.Dev != "" {
				dev = v.Dev
			}
			k := garpKey{ifname: dev, ipv6: addr.Is6() && !addr.Is4In6()}
			q := r.garps[k]
			if q == nil {
				q = &garpQueue{interval: r.cfg.GarpInterval}
				if k.ipv6 {
					q.interval = r.cfg.GnaInterval
				}
				r.garps[k] = q
			}
			q.pending = append(q.pending, garpItem{addr: addr, in: in})
		}
	}
	r.drainGarps(r.now())
}

// drainGarps sends whatever the pacing allows at now.
func (r *Runner) drainGarps(now time.Duration) {
	for k, q := range r.garps {
		for len(q.pending) > 0 {
			if t, _ := q.next(); t > now {
				break
			}
			it := q.pending[0]
			q.pending = q.pending[1:]
			q.last, q.sent = now, true
			if r.announce(k, it.addr) {
				it.in.garpsSent++
			}
		}
	}
}

// announce sends one GARP / NA and says whether it left.
func (r *Runner) announce(k garpKey, addr netip.Addr) bool {
	ann := r.anns[k.ifname]
	if ann == nil {
		var err error
		if ann, err = r.edge.Announcer(k.ifname); err != nil {
			r.logf("Error opening gratuitous ARP socket on %s: %v", k.ifname, err)
			return false
		}
		r.anns[k.ifname] = ann
	}
	if err := ann.Announce(addr); err != nil {
		r.logf("Error sending gratuitous ARP on %s for %s: %v", k.ifname, addr, err)
		return false
	}
	if r.opts.Detail {
		if k.ipv6 {
			r.logf("Sending unsolicited Neighbour Advert on %s for %s", k.ifname, addr)
		} else {
			r.logf("Sending gratuitous ARP on %s for %s", k.ifname, addr)
		}
	}
	return true
}

// dropQueuedGarps forgets queued announcements of addresses we no longer
// hold: a late GARP from a backup would steal the VIP back.
func (r *Runner) dropQueuedGarps(addrs []netip.Addr) {
	for _, q := range r.garps {
		q.pending = slices.DeleteFunc(q.pending, func(it garpItem) bool { return slices.Contains(addrs, it.addr) })
	}
}
