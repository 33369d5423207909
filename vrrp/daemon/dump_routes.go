package daemon

import (
	"fmt"
	"strings"

	ka "github.com/goha-lb/goha/parser/keepalived"
)

// routeDumpText is a route as keepalived 2.2.7's data dump (SIGUSR1) shows it,
// for the forms checked against the real dump: "prepend" for a route
// tracked through its interface, "add" and "no_track" for one without dev.
//
//	prepend 10.50.0.0/16 via inet 192.168.110.254 dev ens160 table 200 proto 18 metric 5
//	add unreachable 10.60.0.0/16 proto 18 no_track
func routeDumpText(r Route) string {
	var b strings.Builder
	tracked := r.Dev != "" && !r.NoTrack
	if tracked {
		b.WriteString("prepend ")
	} else {
		b.WriteString("add ")
	}
	if name := ka.RouteTypeName(r.Type); name != "" {
		b.WriteString(name + " ")
	}
	b.WriteString(r.Dst.String())
	if r.Src.IsValid() {
		fmt.Fprintf(&b, " src %s", r.Src)
	}
	if r.Via.IsValid() {
		fam := "inet"
		if r.Via.Is6() {
			fam = "inet6"
		}
		fmt.Fprintf(&b, " via %s %s", fam, r.Via)
	}
	if r.Dev != "" {
		fmt.Fprintf(&b, " dev %s", r.Dev)
	}
	if r.Table != 0 && r.Table != tableMain {
		fmt.Fprintf(&b, " table %d", r.Table)
	}
	fmt.Fprintf(&b, " proto %d", r.Protocol)
	if r.Scope != 0 {
		fmt.Fprintf(&b, " scope %s", scopeName(r.Scope))
	}
	if r.Metric != 0 {
		fmt.Fprintf(&b, " metric %d", r.Metric)
	}
	if r.MTU != 0 {
		fmt.Fprintf(&b, " mtu %d", r.MTU)
	}
	if !tracked {
		b.WriteString(" no_track")
	}
	return b.String()
}

// ruleDumpText is a rule as keepalived 2.2.7's data dump shows it:
//
//	from 10.80.0.0/16 priority 200 tos 0x0 protocol 18 lookup 200
func ruleDumpText(r Rule) string {
	var b strings.Builder
	if r.Invert {
		b.WriteString("not ")
	}
	if r.From.IsValid() {
		fmt.Fprintf(&b, "from %s ", r.From)
	}
	if r.To.IsValid() {
		fmt.Fprintf(&b, "to %s ", r.To)
	}
	fmt.Fprintf(&b, "priority %d tos %#x", r.Priority, r.TOS)
	if r.Mark != 0 || r.Mask != nil {
		fmt.Fprintf(&b, " fwmark %#x", r.Mark)
		if r.Mask != nil {
			fmt.Fprintf(&b, "/%#x", *r.Mask)
		}
	}
	if r.Iif != "" {
		fmt.Fprintf(&b, " iif %s", r.Iif)
	}
	if r.Oif != "" {
		fmt.Fprintf(&b, " oif %s", r.Oif)
	}
	fmt.Fprintf(&b, " protocol %d", r.Protocol)
	switch r.Type {
	case frActGoto:
		fmt.Fprintf(&b, " goto %d", r.Goto)
	case frActBlackhole:
		b.WriteString(" blackhole")
	case frActUnreachable:
		b.WriteString(" unreachable")
	case frActProhibit:
		b.WriteString(" prohibit")
	case frActNop:
		b.WriteString(" nop")
	default:
		t := r.Table
		if t == 0 {
			t = tableMain
		}
		fmt.Fprintf(&b, " lookup %d", t)
	}
	return b.String()
}

// staticDump is the dump's static sections.
func (r *Runner) staticDump(b *strings.Builder) {
	b.WriteString("------< Static Addresses >------\n")
	for _, v := range r.cfg.StaticAddrs {
		fmt.Fprintf(b, "     %s dev %s scope %s set\n", v.Prefix, v.Dev, scopeName(v.Scope))
	}
	b.WriteString("------< Static Routes >------\n")
	for _, rt := range r.cfg.StaticRoutes {
		fmt.Fprintf(b, "     %s\n", routeDumpText(rt))
	}
	b.WriteString("------< Static Rules >------\n")
	for _, ru := range r.cfg.StaticRules {
		fmt.Fprintf(b, "     %s\n", ruleDumpText(ru))
	}
}

// vmacDump and routesDump are an instance's lines in the dump.
func (in *inst) vmacDump(b *strings.Builder, up bool) {
	v := in.spec.VMAC
	fmt.Fprintf(b, "   Use VMAC, i/f name %s, is_up = %t, xmit_base = %t\n", v.Name, up, v.XmitBase)
}

func (in *inst) routesDump(b *strings.Builder) {
	if len(in.spec.Routes) > 0 {
		b.WriteString("   Virtual Routes :\n")
		for _, rt := range in.spec.Routes {
			fmt.Fprintf(b, "     %s\n", routeDumpText(rt))
		}
	}
	if len(in.spec.Rules) > 0 {
		b.WriteString("   Virtual Rules :\n")
		for _, ru := range in.spec.Rules {
			fmt.Fprintf(b, "     %s\n", ruleDumpText(ru))
		}
	}
}
