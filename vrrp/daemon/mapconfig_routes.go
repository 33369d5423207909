package daemon

import (
	"cmp"
	"slices"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// routesAndRules takes an instance's (or the static) typed route and rule
// lines. A line gokeepalived cannot install as written is left out with a
// notice naming the line and the reason, never silently.
func routesAndRules(owner, routesKw, rulesKw string, routes ka.RouteList, rules ka.RuleList, notices *[]string) ([]Route, []Rule) {
	for _, l := range routes.Rejected {
		*notices = append(*notices, l.Notice(owner, routesKw, "route"))
	}
	for _, l := range rules.Rejected {
		*notices = append(*notices, l.Notice(owner, rulesKw, "rule"))
	}
	return slices.Clone(routes.Routes), slices.Clone(rules.Rules)
}

func mapStatic(c *ka.Config, out *Config) {
	for _, v := range c.StaticAddrs {
		if v.Dev == "" {
			// keepalived 2.2.7 puts it on default_interface, eth0 when
			// unset (seen in a namespace; it refuses the file when that
			// interface does not exist).
			v.Dev = cmp.Or(c.Global.DefaultInterface, "eth0")
		}
		out.StaticAddrs = append(out.StaticAddrs, mapVIP(v))
	}
	out.StaticRoutes, out.StaticRules = routesAndRules("", "static_routes", "static_rules", c.StaticRoutes, c.StaticRules, &out.Notices)
}

// assignRulePriorities gives each rule written without a preference the
// one keepalived assigns: 16384 for the first such rule of the file, one
// less for each next (its warning "Rule has no preference specified -
// setting to N").
func assignRulePriorities(c *ka.Config, out *Config) {
	var missing []*Rule
	collect := func(rules []Rule) {
		for i := range rules {
			if rules[i].Priority < 0 {
				missing = append(missing, &rules[i])
			}
		}
	}
	collect(out.StaticRules)
	for i := range out.Instances {
		collect(out.Instances[i].Rules)
	}
	slices.SortStableFunc(missing, func(a, b *Rule) int {
		return cmp.Or(cmp.Compare(a.Pos.File, b.Pos.File), cmp.Compare(a.Pos.Line, b.Pos.Line))
	})
	for i, r := range missing {
		r.Priority = 16384 - i
	}
}

// vipTrackers is keepalived's tracking of a VIP's interface: an address
// with `dev` on another interface (and no `no_track`) puts the instance in
// FAULT while that interface is down, like a route's (below).
func vipTrackers(spec *InstanceSpec, in *ka.Instance) []Tracker {
	var out []Tracker
	seen := map[string]bool{in.Interface: true, spec.Interface: true}
	for _, t := range spec.TrackInterfaces {
		seen[t.Name] = true
	}
	for _, v := range append(slices.Clip(in.VIPs), in.ExcludedVIPs...) {
		if v.Dev == "" || v.NoTrack || seen[v.Dev] {
			continue
		}
		seen[v.Dev] = true
		out = append(out, Tracker{Name: v.Dev})
	}
	return out
}

// routeTrackers is keepalived's tracking of a virtual route's interface:
// a route with `dev` (and no `no_track`) puts the instance in FAULT while
// that interface is down, like a track_interface of weight 0 (seen with
// keepalived 2.2.7: "Netlink reports ens161 down", "Entering FAULT STATE").
// The instance's own interfaces are tracked already.
func routeTrackers(spec *InstanceSpec, base string) []Tracker {
	var out []Tracker
	seen := map[string]bool{base: true, spec.Interface: true}
	for _, t := range spec.TrackInterfaces {
		seen[t.Name] = true
	}
	for _, rt := range spec.Routes {
		if rt.Dev == "" || rt.NoTrack || seen[rt.Dev] {
			continue
		}
		seen[rt.Dev] = true
		out = append(out, Tracker{Name: rt.Dev})
	}
	return out
}
