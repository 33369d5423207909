package daemon

import (
	"strings"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// VMACSpec is an instance's use_vmac interface.
type VMACSpec struct {
	Name   string // the macvlan (vrrp.VRID unless named)
	Parent string // the configured interface
	VRID   uint8
	IPv6   bool
	// XmitBase is vmac_xmit_base: adverts leave from Parent (its MAC),
	// VIPs and gratuitous ARPs stay on the VMAC.
	XmitBase bool
	// Table / Priority are the nftables table (global `nftables`) and
	// priority where keepalived keeps its VMAC rules (IGMP/MLD reports
	// sent from the parent, not with the virtual MAC).
	Table    string
	Priority int
}

// HostNet is the part of the Edge that changes the host's interfaces,
// routes and rules. "Exists" on add and "not found" on delete are not
// errors, so that stale leftovers of a crashed run are adopted or ignored.
type HostNet interface {
	// CreateVMAC creates the macvlan and adds it to the VMAC nftables
	// rules; DeleteVMAC takes it out of them and deletes it.
	CreateVMAC(VMACSpec) error
	DeleteVMAC(name string) error
	// SyncVMACRules re-installs the VMAC nftables rules after the no-accept
	// firewall rebuilt the table they share; CloseVMACRules deletes them
	// (clean stop, once every VMAC is gone).
	SyncVMACRules() error
	CloseVMACRules() error
	AddRoute(Route) error
	DelRoute(Route) error
	AddRule(Rule) error
	DelRule(Rule) error
	// PromoteSecondaries sets net.ipv4.conf.IF.promote_secondaries and
	// returns the value it had.
	PromoteSecondaries(ifname string, on bool) (was bool, err error)
}

// promoteSecondaries applies an instance's promote_secondaries as keepalived
// 2.2.7 (seen in a namespace): the interface's sysctl is set to 1 when the
// instance is created and put back to 0 on stop, unless it was already 1.
// A VMAC gets it with its other sysctls.
func (r *Runner) promoteSecondaries(spec *InstanceSpec) {
	if !spec.PromoteSecondaries || spec.VMAC != nil {
		return
	}
	if _, done := r.promoted[spec.Interface]; done {
		return
	}
	was, err := r.edge.PromoteSecondaries(spec.Interface, true)
	if err != nil {
		r.logf("(%s) setting promote_secondaries on %s: %v", spec.Name, spec.Interface, err)
		return
	}
	r.promoted[spec.Interface] = !was
}

// restorePromoteSecondaries undoes promoteSecondaries on stop.
func (r *Runner) restorePromoteSecondaries() {
	for ifname, changed := range r.promoted {
		if !changed {
			continue
		}
		if _, err := r.edge.PromoteSecondaries(ifname, false); err != nil {
			r.logf("resetting promote_secondaries on %s: %v", ifname, err)
		}
	}
	r.promoted = map[string]bool{}
}

// createVMAC brings up an instance's VMAC before its socket is opened.
func (r *Runner) createVMAC(spec *InstanceSpec) error {
	v := spec.VMAC
	if err := r.edge.CreateVMAC(*v); err != nil {
		r.logf("(%s): Failed creating VMAC interface %s: %v", spec.Name, v.Name, err)
		return err
	}
	// keepalived 2.2.7 logs the success lines, like the route and rule
	// steps below, only with -D (checked with and without it).
	r.detailf("(%s): Success creating VMAC interface %s", spec.Name, v.Name)
	return nil
}

func (r *Runner) deleteVMAC(spec *InstanceSpec) {
	v := spec.VMAC
	if err := r.edge.DeleteVMAC(v.Name); err != nil {
		r.logf("(%s): Failed removing VMAC interface %s: %v", spec.Name, v.Name, err)
		return
	}
	r.detailf("(%s): Success removing VMAC interface %s", spec.Name, v.Name)
}

// setRoutes installs an instance's virtual_routes then virtual_rules, as
// keepalived does right after the VIPs when it becomes MASTER.
func (r *Runner) setRoutes(in *inst) {
	s := &in.spec
	if len(s.Routes) > 0 {
		r.detailf("(%s) setting Virtual Routes", s.Name)
		for _, rt := range s.Routes {
			if err := r.edge.AddRoute(rt); err != nil {
				r.logf("(%s) cannot add route %s: %v", s.Name, rt.Text, err)
			}
		}
	}
	if len(s.Rules) > 0 {
		r.detailf("(%s) setting Virtual Rules", s.Name)
		for _, ru := range s.Rules {
			if err := r.edge.AddRule(ru); err != nil {
				r.logf("(%s) cannot add rule %s: %v", s.Name, ru.Text, err)
			}
		}
	}
	in.routesSet = true
}

// clearRoutes removes the rules then the routes, before the VIPs, whenever
// the instance releases them (leaving MASTER, stop) and at start, where
// keepalived clears what a previous run may have left.
func (r *Runner) clearRoutes(in *inst, routes []Route, rules []Rule) {
	name := in.spec.Name
	if len(rules) > 0 {
		r.detailf("(%s) removing Virtual Rules", name)
		for _, ru := range rules {
			if err := r.edge.DelRule(ru); err != nil {
				r.logf("(%s) cannot delete rule %s: %v", name, ru.Text, err)
			}
		}
	}
	if len(routes) > 0 {
		r.detailf("(%s) removing Virtual Routes", name)
		for _, rt := range routes {
			if err := r.edge.DelRoute(rt); err != nil {
				r.logf("(%s) cannot delete route %s: %v", name, rt.Text, err)
			}
		}
	}
	in.routesSet = false
}

// reloadRoutes removes, from a MASTER kept across a reload, the routes and
// rules the new configuration no longer has; the new ones are added by
// the "setting VIPs" of the reload.
func (r *Runner) reloadRoutes(in *inst, old InstanceSpec) {
	if !in.routesSet {
		return
	}
	var routes []Route
	for _, o := range old.Routes {
		if !containsFunc(in.spec.Routes, func(n Route) bool { return sameRoute(n, o) }) {
			routes = append(routes, o)
		}
	}
	var rules []Rule
	for _, o := range old.Rules {
		if !containsFunc(in.spec.Rules, func(n Rule) bool { return n.Text == o.Text && n.Priority == o.Priority }) {
			rules = append(rules, o)
		}
	}
	if len(routes) > 0 || len(rules) > 0 {
		r.clearRoutes(in, routes, rules)
		in.routesSet = true
	}
}

// sameRoute compares two routes as the kernel sees them: where they were
// written in the file does not matter.
func sameRoute(a, b Route) bool {
	a.Pos, b.Pos = ka.Pos{}, ka.Pos{}
	return a == b
}

func containsFunc[T any](s []T, f func(T) bool) bool {
	for _, x := range s {
		if f(x) {
			return true
		}
	}
	return false
}

// setStatic installs static_ipaddress, static_routes and static_rules at
// start, whatever the instances' states; keepalived 2.2.7 removes them all
// again on a clean stop (seen in a namespace).
func (r *Runner) setStatic() {
	for _, v := range r.cfg.StaticAddrs {
		set, err := r.addrSet(v.Dev)
		if err == nil {
			err = set.Add(v)
		}
		if err != nil {
			r.logf("cannot add static address %s on %s: %v", v.Prefix, v.Dev, err)
		}
	}
	for _, rt := range r.cfg.StaticRoutes {
		if err := r.edge.AddRoute(rt); err != nil {
			r.logf("cannot add static route %s: %v", rt.Text, err)
		}
	}
	for _, ru := range r.cfg.StaticRules {
		if err := r.edge.AddRule(ru); err != nil {
			r.logf("cannot add static rule %s: %v", ru.Text, err)
		}
	}
}

// clearStatic is setStatic undone, in reverse order.
func (r *Runner) clearStatic(cfg *Config) {
	for _, ru := range cfg.StaticRules {
		if err := r.edge.DelRule(ru); err != nil {
			r.logf("cannot delete static rule %s: %v", ru.Text, err)
		}
	}
	for _, rt := range cfg.StaticRoutes {
		if err := r.edge.DelRoute(rt); err != nil {
			r.logf("cannot delete static route %s: %v", rt.Text, err)
		}
	}
	for _, v := range cfg.StaticAddrs {
		set, err := r.addrSet(v.Dev)
		if err == nil {
			err = set.Del(v)
		}
		if err != nil {
			r.logf("cannot delete static address %s on %s: %v", v.Prefix, v.Dev, err)
		}
	}
}

// detailf logs a line keepalived prints only with -D.
func (r *Runner) detailf(format string, args ...any) {
	if r.opts.Detail {
		r.logf(format, args...)
	}
}

// isRemovingVIPs is the machine's "(name) removing VIPs." line: keepalived
// removes the virtual rules and routes just before it.
func isRemovingVIPs(text string) bool { return strings.HasSuffix(text, ") removing VIPs.") }

func vmacEqual(a, b *VMACSpec) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

// reloadStatic removes the static addresses, routes and rules the new
// configuration drops and installs the new ones ("exists" is fine).
func (r *Runner) reloadStatic(old, next *Config) {
	gone := &Config{}
	for _, v := range old.StaticAddrs {
		if !containsFunc(next.StaticAddrs, func(n VIP) bool { return n == v }) {
			gone.StaticAddrs = append(gone.StaticAddrs, v)
		}
	}
	for _, o := range old.StaticRoutes {
		if !containsFunc(next.StaticRoutes, func(n Route) bool { return sameRoute(n, o) }) {
			gone.StaticRoutes = append(gone.StaticRoutes, o)
		}
	}
	for _, o := range old.StaticRules {
		if !containsFunc(next.StaticRules, func(n Rule) bool { return n.Text == o.Text && n.Priority == o.Priority }) {
			gone.StaticRules = append(gone.StaticRules, o)
		}
	}
	r.clearStatic(gone)
	saved := r.cfg
	r.cfg = next
	r.setStatic()
	r.cfg = saved
	r.staticSet = true
}
