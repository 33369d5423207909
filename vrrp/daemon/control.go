package daemon

import (
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// Reload applies a new configuration (SIGHUP), on the loop goroutine:
// instances whose socket is unchanged keep running and get their new
// configuration in place (a MASTER keeps its VIPs: no flap); removed ones
// stop as on SIGTERM; new ones start.
func (r *Runner) Reload(cfg *Config) {
	r.do(func(now time.Duration) { r.reload(cfg, now) })
}

func (r *Runner) reload(cfg *Config, now time.Duration) {
	r.logf("Reloading")
	for _, n := range cfg.Notices {
		r.logf("%s", n)
	}
	// Trackers restart with the new configuration; their state is kept.
	r.bgCancel()
	r.waitBackground()
	bgCtx, cancel := context.WithCancel(context.Background())
	r.bgCancel = cancel
	old := r.insts
	r.reloadStatic(r.cfg, cfg)
	r.cfg = cfg
	// keepalived rebuilds its GARP paces from the new configuration.
	r.paces = map[string]*garpPace{}
	want := map[string]InstanceSpec{}
	for _, s := range cfg.Instances {
		want[s.Name] = s
	}
	var keep []*inst
	for _, in := range old {
		s, ok := want[in.spec.Name]
		if ok && connSpecOf(&s) == in.conn.spec && vmacEqual(s.VMAC, in.spec.VMAC) {
			keep = append(keep, in)
			continue
		}
		// Gone from the file: notified as deleted (notify.go:notify).
		in.deleted = !ok
		r.removeInstance(in, now)
	}
	r.insts = keep
	var started []*inst
	for _, s := range cfg.Instances {
		if in := r.byName[s.Name]; in != nil {
			prev := in.spec
			in.spec = s
			r.reloadRoutes(in, prev)
			r.step(in, vrrp.Reload{Now: now, Config: s.InstanceConfig})
			continue
		}
		in, err := r.addInstance(s)
		if err != nil {
			r.logf("%v", err)
			continue
		}
		started = append(started, in)
	}
	// Keep the configuration's order for dumps.
	slices.SortStableFunc(r.insts, func(a, b *inst) int { return indexOf(cfg, a.spec.Name) - indexOf(cfg, b.spec.Name) })
	r.buildGroups()
	r.linkUp = map[string]bool{}
	if err := r.watchLinks(bgCtx); err != nil {
		r.logf("Link watch: %v", err)
	}
	r.startTrackers(bgCtx)
	for _, in := range r.insts {
		switch {
		case slices.Contains(started, in):
		case in.pending && !r.scriptsPending(in):
			// The script it waited for is gone from the configuration.
			r.startDeferred(in, now)
		case !in.pending:
			r.retrack(in, now)
		}
	}
	for _, in := range started {
		r.startInstance(in, now)
	}
	r.logf("Reload complete")
}

// waitBackground waits for the tracker goroutines while still serving the
// events they may be blocked posting.
func (r *Runner) waitBackground() {
	done := make(chan struct{})
	go func() { r.bg.Wait(); close(done) }()
	for {
		select {
		case <-done:
			return
		case ev := <-r.events:
			switch ev.(type) {
			case rxEvent:
				r.handle(ev, r.now())
			case ctrlEvent:
				r.handle(ev, r.now())
			}
		}
	}
}

func indexOf(cfg *Config, name string) int {
	for i, s := range cfg.Instances {
		if s.Name == name {
			return i
		}
	}
	return len(cfg.Instances)
}

func (r *Runner) removeInstance(in *inst, now time.Duration) {
	r.perform(in, in.m.Step(vrrp.Shutdown{Now: now}))
	delete(r.byName, in.spec.Name)
	cs := in.conn
	cs.insts = slices.DeleteFunc(cs.insts, func(x *inst) bool { return x == in })
	if len(cs.insts) == 0 {
		r.closeConn(cs)
	}
	if in.spec.VMAC != nil {
		r.deleteVMAC(&in.spec)
	}
}

// InstanceStatus is a snapshot of one instance for tests and dumps.
type InstanceStatus struct {
	Name     string
	State    vrrp.State
	Priority uint8
	Counters vrrp.Counters
	Stats    vrrp.Stats
}

// Status returns a snapshot of every instance (from the loop goroutine).
func (r *Runner) Status() []InstanceStatus {
	var out []InstanceStatus
	r.do(func(time.Duration) { out = r.status() })
	return out
}

func (r *Runner) status() []InstanceStatus {
	var out []InstanceStatus
	for _, in := range r.insts {
		out = append(out, InstanceStatus{Name: in.spec.Name, State: in.m.State(), Priority: in.m.Priority(),
			Counters: in.m.Counters, Stats: in.m.Stats})
	}
	return out
}

// Data is the USR1 dump (/tmp/keepalived.data), keepalived's layout for
// the fields gokeepalived has.
func (r *Runner) Data() string {
	var s string
	r.do(func(time.Duration) { s = r.data() })
	return s
}

func (r *Runner) data() string {
	var b strings.Builder
	b.WriteString("------< Global definitions >------\n")
	if r.cfg.RouterID != "" {
		fmt.Fprintf(&b, " Router ID = %s\n", r.cfg.RouterID)
	}
	r.mailDump(&b)
	fmt.Fprintf(&b, " Gratuitous ARP interval = %f\n", r.cfg.GarpInterval.Seconds())
	fmt.Fprintf(&b, " Gratuitous NA interval = %f\n", r.cfg.GnaInterval.Seconds())
	fmt.Fprintf(&b, " nftables table name = %s\n", r.cfg.FirewallTable)
	fmt.Fprintf(&b, " nftables base chain priority = %d\n", r.cfg.FirewallPriority)
	fmt.Fprintf(&b, " no_checker_emails = %d\n", boolInt(r.cfg.Email.NoCheckerEmails))
	if len(r.cfg.StaticAddrs) > 0 || len(r.cfg.StaticRoutes) > 0 || len(r.cfg.StaticRules) > 0 {
		r.staticDump(&b)
	}
	b.WriteString("------< VRRP Topology >------\n")
	for _, in := range r.insts {
		c := in.m.Config()
		fmt.Fprintf(&b, " VRRP Instance = %s\n", c.Name)
		fmt.Fprintf(&b, "   VRRP Version = %d\n", c.Version)
		fmt.Fprintf(&b, "   State = %s\n", in.m.State())
		fmt.Fprintf(&b, "   Master down timer = %d usecs\n", in.m.MasterDownInterval()/time.Microsecond)
		if in.spec.VMAC != nil {
			up, known := r.linkUp[c.Interface]
			in.vmacDump(&b, up || !known)
			fmt.Fprintf(&b, "   Interface = %s, vmac on %s\n", c.Interface, in.spec.VMAC.Parent)
		} else {
			fmt.Fprintf(&b, "   Interface = %s\n", c.Interface)
		}
		if c.SkipCheckAdvAddr {
			b.WriteString("   Skip checking advert IP addresses\n")
		}
		if in.spec.Strict {
			b.WriteString("   Enforcing strict VRRP compliance\n")
		}
		fmt.Fprintf(&b, "   Using src_ip = %s\n", c.SrcAddr)
		if len(c.UnicastPeers) > 0 {
			fmt.Fprintf(&b, "   Unicast Peers = %d\n", len(c.UnicastPeers))
			for _, p := range c.UnicastPeers {
				fmt.Fprintf(&b, "     %s\n", p)
			}
		} else {
			fmt.Fprintf(&b, "   Multicast address %s\n", in.spec.Group)
		}
		fmt.Fprintf(&b, "   Gratuitous ARP delay = %d\n", c.GarpMasterDelay/time.Second)
		fmt.Fprintf(&b, "   Gratuitous ARP repeat = %d\n", c.GarpMasterRepeat)
		fmt.Fprintf(&b, "   Gratuitous ARP refresh = %d\n", c.GarpMasterRefresh/time.Second)
		fmt.Fprintf(&b, "   Gratuitous ARP refresh repeat = %d\n", c.GarpMasterRefreshRepeat)
		fmt.Fprintf(&b, "   Gratuitous ARP lower priority delay = %d\n", c.GarpLowerPrioDelay/time.Second)
		fmt.Fprintf(&b, "   Gratuitous ARP lower priority repeat = %d\n", c.GarpLowerPrioRepeat)
		fmt.Fprintf(&b, "   Send advert after receive lower priority advert = %t\n", !c.LowerPrioNoAdvert)
		fmt.Fprintf(&b, "   Send advert after receive higher priority advert = %t\n", c.HigherPrioSendAdvert)
		fmt.Fprintf(&b, "   Virtual Router ID = %d\n", c.VRID)
		fmt.Fprintf(&b, "   Priority = %d\n", c.Priority)
		fmt.Fprintf(&b, "   Effective priority = %d\n", in.m.Priority())
		fmt.Fprintf(&b, "   Total priority = %d\n", in.m.Priority())
		if c.AdvertInterval%time.Second == 0 {
			fmt.Fprintf(&b, "   Advert interval = %d sec\n", c.AdvertInterval/time.Second)
		} else {
			fmt.Fprintf(&b, "   Advert interval = %d milli-sec\n", c.AdvertInterval/time.Millisecond)
		}
		fmt.Fprintf(&b, "   Accept = %s\n", enabled(!c.NoAccept))
		fmt.Fprintf(&b, "   Preempt = %s\n", enabled(!c.Nopreempt))
		if c.Version == 2 {
			fmt.Fprintf(&b, "   Authentication type = %s\n", authName(c.AuthType))
		}
		fmt.Fprintf(&b, "   Virtual IP (%d):\n", len(c.VIPs))
		for _, a := range c.VIPs {
			fmt.Fprintf(&b, "     %s\n", in.vipText(a))
		}
		in.routesDump(&b)
		fmt.Fprintf(&b, "   Using smtp notification = %s\n", yesNo(in.spec.SMTPAlert))
		if in.group != nil {
			fmt.Fprintf(&b, "   Sync group = %s\n", in.group.spec.Name)
		}
	}
	return b.String()
}

// vipText is a VIP as keepalived's dumps show it:
// "192.168.110.100/24 dev ens160 scope global set nftable_set".
func (in *inst) vipText(a netip.Addr) string {
	c := in.m.Config()
	v := in.spec.Addrs[a]
	if !v.Prefix.IsValid() {
		v.Prefix = netip.PrefixFrom(a, a.BitLen())
	}
	dev := v.Dev
	if dev == "" {
		dev = c.Interface
		if in.spec.VMAC != nil {
			dev += "@" + in.spec.VMAC.Parent // keepalived: "dev vrrp.51@ens160"
		}
	}
	s := fmt.Sprintf("%s dev %s scope %s", v.Prefix, dev, scopeName(v.Scope))
	if c.NoAccept && in.m.State() == vrrp.StateMaster {
		s += " set nftable_set"
	}
	return s
}

func scopeName(s uint8) string {
	switch s {
	case 254:
		return "host"
	case 253:
		return "link"
	case 200:
		return "site"
	case 255:
		return "nowhere"
	}
	return "global"
}

func enabled(b bool) string {
	if b {
		return "enabled"
	}
	return "disabled"
}

func authName(t vrrp.AuthType) string {
	if t == vrrp.AuthPass {
		return "SIMPLE_PASSWORD"
	}
	return "none"
}

// Stats is the USR2 dump (/tmp/keepalived.stats): keepalived's counters
// plus a line per gokeepalived drop reason.
func (r *Runner) Stats() string {
	var s string
	r.do(func(time.Duration) { s = r.stats() })
	return s
}

func (r *Runner) stats() string {
	var b strings.Builder
	for _, in := range r.insts {
		c, st := in.m.Counters, in.m.Stats
		fmt.Fprintf(&b, "VRRP Instance: %s\n", in.spec.Name)
		// gokeepalived's additions first, so that keepalived's own block
		// (Advertisements .. Priority Zero) stays intact and last, as
		// section-aware parsers of keepalived.stats expect.
		fmt.Fprintf(&b, "  State: %s\n  Effective priority: %d\n", in.m.State(), in.m.Priority())
		b.WriteString("  Drops by reason:\n")
		for reason := vrrp.DropLength; reason.String() != fmt.Sprintf("DropReason(%d)", uint8(reason)); reason++ {
			fmt.Fprintf(&b, "    %s: %d\n", reason, c[reason])
		}
		fmt.Fprintf(&b, "  Unknown VRID on socket: %d\n", in.conn.unknown)
		fmt.Fprintf(&b, "  Send errors: %d\n", in.sendErr)
		fmt.Fprintf(&b, "  Advertisements:\n    Received: %d\n    Sent: %d\n", c[vrrp.DropNone], st.AdvertsSent)
		fmt.Fprintf(&b, "  Became master: %d\n  Released master: %d\n", st.BecomeMaster, st.ReleaseMaster)
		fmt.Fprintf(&b, "  Packet Errors:\n    Length: %d\n    TTL: %d\n    Invalid Type: %d\n    Advertisement Interval: %d\n    Address List: %d\n",
			c[vrrp.DropLength], c[vrrp.DropTTL], c[vrrp.DropType], c[vrrp.DropIntervalMismatch], c[vrrp.DropAddrList]+c[vrrp.DropAddrCount])
		fmt.Fprintf(&b, "  Authentication Errors:\n    Invalid Type: %d\n    Type Mismatch: %d\n    Failure: %d\n",
			c[vrrp.DropInvalidAuthType], c[vrrp.DropAuthTypeMismatch], c[vrrp.DropAuthFailure])
		fmt.Fprintf(&b, "  Priority Zero:\n    Received: %d\n    Sent: %d\n", st.PriZeroRcvd, st.PriZeroSent)
	}
	return b.String()
}
