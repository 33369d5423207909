package daemon

import (
	"cmp"
	"errors"
	"fmt"
	"slices"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// routesAndRules parses an instance's (or the static) route and rule
// lines. A line gokeepalived cannot install as written is left out with a
// notice naming the line and the reason, never silently.
func routesAndRules(owner, routesKw, rulesKw string, routes, rules []ka.RawLine, notices *[]string) ([]Route, []Rule) {
	var outRoutes []Route
	var outRules []Rule
	for _, l := range routes {
		rt, err := ParseRoute(l.Words)
		if err != nil {
			*notices = append(*notices, lineNotice(owner, routesKw, "route", l, err))
			continue
		}
		rt.pos = l.Pos
		outRoutes = append(outRoutes, rt)
	}
	for _, l := range rules {
		ru, err := ParseRule(l.Words)
		if err != nil {
			*notices = append(*notices, lineNotice(owner, rulesKw, "rule", l, err))
			continue
		}
		ru.pos = l.Pos
		outRules = append(outRules, ru)
	}
	return outRoutes, outRules
}

func lineNotice(owner, kw, what string, l ka.RawLine, err error) string {
	where := ""
	if l.Pos.Line > 0 {
		where = fmt.Sprintf("(Line %d) ", l.Pos.Line)
	}
	if owner != "" {
		where += "(" + owner + ") "
	}
	reason := err.Error()
	var u UnsupportedOptionError
	if errors.As(err, &u) {
		reason = fmt.Sprintf("'%s' is parsed but not supported by gokeepalived yet", u.Option)
	}
	return fmt.Sprintf("goha: %s%s: %s %q is not installed: %s", where, kw, what, RouteLineText(l.Words), reason)
}

// RouteLineText is a route or rule line as written.
func RouteLineText(words []string) string {
	s := ""
	for i, w := range words {
		if i > 0 {
			s += " "
		}
		s += w
	}
	return s
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
		return cmp.Or(cmp.Compare(a.pos.File, b.pos.File), cmp.Compare(a.pos.Line, b.pos.Line))
	})
	for i, r := range missing {
		r.Priority = 16384 - i
	}
}

// RouteDiagnostics reports every route and rule line the daemon would
// leave out, as goha notices. A line keepalived itself rejects is a notice
// only; a line with an option gokeepalived cannot install is an
// unsupported feature (ka.Diagnostic.Unsupported): `-t` fails and the
// daemon refuses the file unless allow (the operator's
// --allow-unsupported), which makes it a warning.
func RouteDiagnostics(c *ka.Config, allow bool) []ka.Diagnostic {
	var out []ka.Diagnostic
	add := func(owner, kw, what string, l ka.RawLine, err error) {
		msg := lineNotice(owner, kw, what, ka.RawLine{Words: l.Words}, err)
		d := ka.Diagnostic{File: l.Pos.File, Line: l.Pos.Line, Severity: ka.SevWarning, GohaOnly: true,
			Message: msg[len("goha: "):]}
		var u UnsupportedOptionError
		if errors.As(err, &u) {
			d.Unsupported = true
			if allow {
				d.Message += ka.AllowedSuffix
			} else {
				d.Severity = ka.SevError
			}
		}
		out = append(out, d)
	}
	check := func(owner, routesKw, rulesKw string, routes, rules []ka.RawLine) {
		for _, l := range routes {
			if _, err := ParseRoute(l.Words); err != nil {
				add(owner, routesKw, "route", l, err)
			}
		}
		for _, l := range rules {
			if _, err := ParseRule(l.Words); err != nil {
				add(owner, rulesKw, "rule", l, err)
			}
		}
	}
	check("", "static_routes", "static_rules", c.StaticRoutes, c.StaticRules)
	for _, in := range c.Instances {
		check(in.Name, "virtual_routes", "virtual_rules", in.VirtualRoutes, in.VirtualRules)
	}
	return out
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
