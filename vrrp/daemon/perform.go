package daemon

import (
	"net/netip"
	"strings"

	"github.com/goha-lb/goha/vrrp"
)

// perform carries out a state machine's actions in order (vrrp/doc.go).
func (r *Runner) perform(in *inst, acts []vrrp.Action) {
	for _, a := range acts {
		switch a := a.(type) {
		case vrrp.SetTimer:
			in.timers[a.Kind] = a.At
		case vrrp.CancelTimer:
			in.timers[a.Kind] = -1
		case vrrp.SendAdvert:
			r.sendAdvert(in, a)
		case vrrp.AddVIPs:
			r.vips(in, a.Addrs, true)
			if in.m.State() == vrrp.StateMaster {
				r.setRoutes(in)
			}
		case vrrp.DelVIPs:
			if in.routesSet && in.m.State() != vrrp.StateMaster {
				r.clearRoutes(in, in.spec.Routes, in.spec.Rules)
			}
			r.dropQueuedGarps(in, a.Addrs)
			r.vips(in, a.Addrs, false)
		case vrrp.FirewallAddVIPs:
			r.firewall(a.Addrs, true)
		case vrrp.FirewallDelVIPs:
			r.firewall(a.Addrs, false)
		case vrrp.SendGratuitous:
			r.queueGratuitous(in, a)
		case vrrp.Notify:
			r.notify(in, a)
		case vrrp.Log:
			text := a.Text
			if in.stripInit {
				text = strings.TrimSuffix(text, " (init)")
			}
			if isRemovingVIPs(text) && (len(in.spec.Routes) > 0 || len(in.spec.Rules) > 0) {
				// Also at start: keepalived clears what a previous run left.
				r.clearRoutes(in, in.spec.Routes, in.spec.Rules)
			}
			if r.opts.Detail || !detailOnly(text) {
				r.opts.Log(text)
			}
		}
	}
}

func (r *Runner) sendAdvert(in *inst, a vrrp.SendAdvert) {
	dsts := in.spec.UnicastPeers
	if len(dsts) == 0 {
		dsts = []netip.Addr{in.spec.Group}
	}
	for _, dst := range dsts {
		ck := dst
		if a.ChecksumDst.IsValid() {
			ck = a.ChecksumDst
		}
		b, err := a.Advert.AppendMarshal(in.buf[:0], in.spec.SrcAddr, ck)
		if err != nil {
			r.logf("(%s) cannot build advert: %v", in.spec.Name, err)
			return
		}
		in.buf = b
		if err := in.conn.c.Send(b, dst); err != nil {
			in.sendErr++
			// keepalived says nothing when the priority-0 advert of a
			// FAULT caused by the link going down cannot leave.
			if up, known := r.linkUp[in.spec.Interface]; !known || up {
				r.logf("(%s) send advert error to %s: %v", in.spec.Name, dst, err)
			}
		}
	}
}

// vips adds or removes addresses, each on its own interface (`dev`).
func (r *Runner) vips(in *inst, addrs []netip.Addr, add bool) {
	byDev := map[string][]VIP{}
	var order []string
	for _, a := range addrs {
		v, ok := in.spec.Addrs[a]
		if !ok {
			v = VIP{Prefix: netip.PrefixFrom(a, a.BitLen())}
		}
		dev := v.Dev
		if dev == "" {
			dev = in.spec.Interface // the VMAC with use_vmac
		}
		if _, seen := byDev[dev]; !seen {
			order = append(order, dev)
		}
		byDev[dev] = append(byDev[dev], v)
	}
	for _, dev := range order {
		set, err := r.addrSet(dev)
		if err == nil {
			if add {
				err = set.Add(byDev[dev]...)
			} else {
				err = set.Del(byDev[dev]...)
			}
		}
		if err != nil {
			verb := "add"
			if !add {
				verb = "delete"
			}
			r.logf("(%s) cannot %s VIPs on %s: %v", in.spec.Name, verb, dev, err)
		}
	}
}

func (r *Runner) addrSet(dev string) (AddrSet, error) {
	if s := r.addrs[dev]; s != nil {
		return s, nil
	}
	s, err := r.edge.Addrs(dev)
	if err != nil {
		return nil, err
	}
	r.addrs[dev] = s
	return s, nil
}

// firewall keeps the drop set: an address stays while any instance wants it.
func (r *Runner) firewall(addrs []netip.Addr, add bool) {
	var change []netip.Addr
	for _, a := range addrs {
		k := a.String()
		if add {
			if r.fwAddrs[k] == 0 {
				change = append(change, a)
			}
			r.fwAddrs[k]++
		} else if r.fwAddrs[k] > 0 {
			r.fwAddrs[k]--
			if r.fwAddrs[k] == 0 {
				delete(r.fwAddrs, k)
				change = append(change, a)
			}
		}
	}
	if len(change) == 0 {
		return
	}
	if r.fw == nil {
		if !add {
			return // never built: nothing to remove
		}
		fw, err := r.edge.Firewall(r.cfg.FirewallTable, r.cfg.FirewallPriority)
		if err != nil {
			r.logf("nftables: cannot create table %s: %v", r.cfg.FirewallTable, err)
			return
		}
		r.fw = fw
	}
	var err error
	if add {
		err = r.fw.Add(change...)
	} else {
		err = r.fw.Del(change...)
	}
	if err != nil {
		r.logf("nftables: updating set vips of table %s: %v", r.cfg.FirewallTable, err)
	}
	if r.anyVMAC() {
		// The firewall may have rebuilt the table the VMAC rules share.
		if err := r.edge.SyncVMACRules(); err != nil {
			r.logf("nftables: VMAC rules of table %s: %v", r.cfg.FirewallTable, err)
		}
	}
}

func (r *Runner) anyVMAC() bool {
	for _, in := range r.insts {
		if in.spec.VMAC != nil {
			return true
		}
	}
	return false
}
