package keepalived

import "net/netip"

// virtual_routes/virtual_rules (and static_*) blocks: keepalived's checks
// at parse time (tracking, deprecations, preferences) and the typing of
// each line into a Route or Rule (grammar: routes.go).

// instVirtualRoutes types virtual_routes.
func instVirtualRoutes(t *typer, n *Node) {
	in := t.inst
	t.checkRoutes(n.Values)
	in.VirtualRoutes.add(n.Values)
}

// instVirtualRules types virtual_rules.
func instVirtualRules(t *typer, n *Node) {
	in := t.inst
	t.checkRules(n.Values)
	in.VirtualRules.add(n.Values)
}

// add types the lines of a routes block: keepalived's checks are
// reported by checkRoutes; here each line becomes a Route or, when it
// cannot be installed as written, a RejectedLine.
func (rl *RouteList) add(lines []Line) {
	for _, l := range lines {
		words := lineWords(l)
		r, err := ParseRoute(words)
		if err != nil {
			rl.Rejected = append(rl.Rejected, RejectedLine{Words: words, Pos: l.Pos, Err: err})
			continue
		}
		r.Pos = l.Pos
		rl.Routes = append(rl.Routes, r)
	}
}

// add types the lines of a rules block (see RouteList.add).
func (rl *RuleList) add(lines []Line) {
	for _, l := range lines {
		words := lineWords(l)
		r, err := ParseRule(words)
		if err != nil {
			rl.Rejected = append(rl.Rejected, RejectedLine{Words: words, Pos: l.Pos, Err: err})
			continue
		}
		r.Pos = l.Pos
		rl.Rules = append(rl.Rules, r)
	}
}

func lineWords(l Line) []string {
	out := make([]string, 0, len(l.Tokens))
	for _, tk := range l.Tokens {
		out = append(out, tk.Text)
	}
	return out
}

// checkRoutes reports routes keepalived cannot track (no interface).
// It is keepalived's own parse-time scan, kept apart from ParseRoute on
// purpose: keepalived makes these checks (and prints these messages) for
// every line, including the lines gokeepalived then rejects at the first
// option it cannot install, where ParseRoute stops.
func (t *typer) checkRoutes(lines []Line) {
	for _, l := range lines {
		dest, hasDev, nexthop := "", false, false
		for i := 0; i < len(l.Tokens); i++ {
			switch w := l.Tokens[i].Text; w {
			case "nexthop":
				// a nexthop's dev is not the route's: the route is
				// tracked only through its own dev (keepalived 2.2.7)
				nexthop = true
			case "dev", "oif", "no_track":
				if w != "no_track" && i+1 < len(l.Tokens) && !t.ifaces[l.Tokens[i+1].Text] {
					t.add(l.Pos, ClassGeneral, "check `ip link`: the interface must exist when gokeepalived starts",
						"WARNING - interface %s for VROUTE nexthop doesn't exist", l.Tokens[i+1].Text)
					t.diags[len(t.diags)-1].MissingInterface = true
					t.badIface = true
				}
				if !nexthop {
					hasDev = true
				}
				if w != "no_track" {
					i++
				}
			case "src", "via", "table", "metric", "proto", "scope", "mtu", "from":
				i++
			case "to":
				if i+1 < len(l.Tokens) && dest == "" {
					dest = l.Tokens[i+1].Text
				}
				i++
			case "blackhole", "unreachable", "prohibit", "throw", "unicast", "local", "broadcast", "multicast", "anycast", "nat":
			default:
				if dest == "" {
					dest = w
				}
			}
		}
		for _, tk := range l.Tokens {
			switch tk.Text {
			case "or":
				t.add(l.Pos, ClassDeprecated, "", "\"or\" for routes is deprecated. Please use \"nexthop\"")
			case "gw":
				t.add(l.Pos, ClassDeprecated, "", "\"gw\" for routes is deprecated. Please use \"via\"")
			}
		}
		if !hasDev {
			t.add(l.Pos, ClassWarning, "add `dev IF` (or `no_track`) to the route", "Warning - cannot track route %s with no interface specified, not tracking", dest)
		}
	}
}

// checkRules reports rules without a preference, as keepalived does.
func (t *typer) checkRules(lines []Line) {
	for _, l := range lines {
		found, bad := false, false
		for i, tk := range l.Tokens {
			switch tk.Text {
			case "preference", "priority", "pref", "order":
				found = true
			case "to", "from":
				if i+1 < len(l.Tokens) && l.Tokens[i+1].Text != "all" {
					a := l.Tokens[i+1].Text
					if _, err := netip.ParsePrefix(a); err != nil {
						if _, err := netip.ParseAddr(a); err != nil {
							t.errorf(l.Pos, "Invalid rule %s address %s", tk.Text, a)
							t.errorf(l.Pos, "VRRP parsed invalid IP %s. skipping IP...", a)
							bad = true
						}
					}
				}
			}
		}
		if bad {
			continue
		}
		if !found {
			t.add(l.Pos, ClassWarning, "add `preference N` to the rule", "Rule has no preference specified - setting to %d. This is probably not what you want.", t.rulePref)
			t.rulePref--
		}
	}
}
