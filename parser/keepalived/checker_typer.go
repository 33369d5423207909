package keepalived

import (
	"math"
	"net/netip"
	"strconv"
	"strings"
)

// ipvs types the checker process's root nodes (virtual_server_group,
// virtual_server), reporting what keepalived's checker parser reports while
// reading them. The end-of-parse checks are IPVSConfig.Validate, run by
// completeIPVS.
func (t *typer) ipvs(nodes []*Node) *IPVSConfig {
	c := &IPVSConfig{Groups: map[string]*VSGroup{}}
	sslSeen := false
	for _, n := range nodes {
		if t.aborted {
			return c
		}
		switch n.Name() {
		case "virtual_server_group":
			if !t.need(n, 1) {
				return c
			}
			if g := t.vsGroup(n); g != nil {
				// a group defined twice: services use the first one
				if c.Groups[g.Name] == nil {
					c.Groups[g.Name] = g
				}
			}
		case "SSL":
			if sslSeen {
				t.errorf(n.Pos, "SSL context already specified - replacing")
			}
			sslSeen = true
			t.sslBlock(n)
		case "virtual_server":
			if vs := t.virtualServer(n); vs != nil {
				c.VirtualServers = append(c.VirtualServers, vs)
			}
		}
	}
	return c
}

// completeIPVS runs the checker's end-of-parse checks.
func (t *typer) completeIPVS(c *IPVSConfig) {
	if c == nil {
		return
	}
	for _, m := range c.Validate() {
		t.add(Pos{}, ClassGeneral, ipvsHint(m), "%s", m)
	}
}

// ipvsHints: goha's advice for the end-of-parse messages, by a phrase of
// keepalived's message.
var ipvsHints = []struct{ phrase, hint string }{
	{"has no real servers", "add a real_server block: keepalived ignores a service without one"},
	{"no protocol set", "add `protocol TCP` (or UDP, SCTP)"},
	{"zero port only valid", "give the service a port, or set persistence_timeout"},
	{"protocol specified for fwmark", "remove `protocol`: a fwmark service matches on the mark alone"},
	{"no scheduler set", "add `lb_algo` (rr wrr lc wlc lblc sh mh dh fo ovf lblcr sed nq)"},
	{"no forwarding method set", "add `lb_kind NAT`, `DR` or `TUN`"},
	{"is duplicated", "remove the repeated real_server"},
	{"exceeds total weight", "keep quorum at most the sum of the real servers' weights"},
	{"hysteresis", "keep hysteresis below quorum"},
	{"ports don't match", "with DR or TUN a real server answers on the service's port: drop its port or use lb_kind NAT"},
	{"has port specified", "with DR or TUN behind a fwmark a real server has no port of its own: drop it or use lb_kind NAT"},
	{"ha_suspend", "remove ha_suspend: it needs a virtual address to watch"},
	{"one packet scheduling", "ops needs protocol UDP"},
}

func ipvsHint(msg string) string {
	for _, h := range ipvsHints {
		if strings.Contains(msg, h.phrase) {
			return h.hint
		}
	}
	return ""
}

// vsGroup reads "virtual_server_group NAME { fwmark N [inet|inet6] |
// IP[-LAST] [PORT] ... }" with keepalived's messages for bad lines (which
// are skipped). A group left empty, or mixing IPv4, IPv6 and a fwmark of no
// family, is removed (reported at its closing brace) and nil returned.
func (t *typer) vsGroup(n *Node) *VSGroup {
	g := &VSGroup{Name: n.Arg(0), Pos: n.Pos}
	var have4, have6, fwmarkNoFamily bool
	for _, l := range n.Values {
		w := l.Tokens
		if w[0].Text == "fwmark" {
			// a value line has no node of its own: keepalived reads its
			// words the same way (a missing value ends the parse)
			if !t.need(&Node{Keyword: &Keyword{Name: "fwmark"}, Pos: l.Pos, Line: l, Args: w[1:]}, 1) {
				return nil
			}
			v, msg := readUnsigned(w[1].Text, 0, 4294967295)
			if msg != "" {
				t.number(l.Pos, msg)
				t.errorf(l.Pos, "(%s): fwmark '%s' must be in [0, 4294967295] - ignoring", g.Name, w[1].Text)
				continue
			}
			g.Fwmarks = append(g.Fwmarks, uint32(v))
			fam := ""
			if len(w) > 2 && (w[2].Text == "inet" || w[2].Text == "inet6") {
				fam = w[2].Text
			} else {
				fwmarkNoFamily = true
			}
			g.fwmarkFamily = append(g.fwmarkFamily, fam)
			continue
		}
		port := 0
		if len(w) > 1 && strings.Trim(w[1].Text, "0") != "" {
			// an all-zero port is no port
			v, msg := readUnsigned(w[1].Text, 1, 65535)
			if msg != "" {
				t.number(l.Pos, msg)
				t.errorf(l.Pos, "Invalid virtual server group IP address %s /port/%s - skipping", w[0].Text, w[1].Text)
				continue
			}
			port = int(v)
		}
		r, ok := t.vsgRange(l.Pos, w[0].Text, w)
		if !ok {
			continue
		}
		r.Port = port
		g.Ranges = append(g.Ranges, r)
		if r.Start.Is4() {
			have4 = true
		} else {
			have6 = true
		}
	}
	end := n.End
	if end.Line == 0 {
		end = n.Pos
	}
	switch {
	case len(g.Ranges) == 0 && len(g.Fwmarks) == 0:
		t.add(end, ClassGeneral, "give the group addresses (IP[-LAST] PORT) or `fwmark N` lines",
			"virtual server group %s has no entries - removing", g.Name)
		return nil
	case have4 && have6 && fwmarkNoFamily:
		t.add(end, ClassGeneral, "give the fwmark a family (`fwmark N inet` or `inet6`), or keep one address family per group",
			"virtual server group %s cannot have IPv4, IPv6 and fwmark without family - removing", g.Name)
		return nil
	}
	return g
}

// vsgRange reads a group's address or range, reporting what keepalived
// reports for bad ones.
func (t *typer) vsgRange(pos Pos, s string, w []Token) (VSGRange, bool) {
	addr, last, isRange := strings.Cut(s, "-")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		t.errorf(pos, "Invalid virtual server group IP address %s /port/%s - skipping", s, tokenText(w, 1))
		return VSGRange{}, false
	}
	if isRange {
		base, bits := 10, 8
		if !a.Is4() {
			base, bits = 16, 16
		}
		if _, err := strconv.ParseUint(last, base, bits); err != nil {
			t.errorf(pos, "Virtual server group range '%s' end '%s' too large", s, last)
			return VSGRange{}, false
		}
	}
	r, ok := parseVSGRange(s)
	if !ok {
		return VSGRange{}, false
	}
	if isRange && r.End.Compare(r.Start) <= 0 {
		t.errorf(pos, "Address range end is not greater than address range start - %s - skipping", s)
		return VSGRange{}, false
	}
	return r, true
}

func tokenText(w []Token, i int) string {
	if i < len(w) {
		return w[i].Text
	}
	return ""
}

// parseVSGRange reads "IP" or "IP-LAST": LAST replaces the address's last
// byte (IPv4, decimal) or last 16-bit group (IPv6, hexadecimal).
func parseVSGRange(s string) (VSGRange, bool) {
	addr, last, isRange := strings.Cut(s, "-")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return VSGRange{}, false
	}
	r := VSGRange{Start: a, End: a}
	if !isRange {
		return r, true
	}
	b := a.AsSlice()
	if a.Is4() {
		v, err := strconv.ParseUint(last, 10, 8)
		if err != nil {
			return VSGRange{}, false
		}
		b[3] = byte(v)
	} else {
		v, err := strconv.ParseUint(last, 16, 16)
		if err != nil {
			return VSGRange{}, false
		}
		b[14], b[15] = byte(v>>8), byte(v)
	}
	r.End, _ = netip.AddrFromSlice(b)
	return r, true
}

func parsePort(s string) int {
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0
	}
	return int(v)
}

// virtualServer reads "virtual_server (IP [PORT] | fwmark N | group NAME) { ... }".
func (t *typer) virtualServer(n *Node) *VirtualServer {
	if !t.need(n, 1) {
		return nil
	}
	vs := NewVirtualServer(n.Pos)
	switch n.Arg(0) {
	case "group":
		vs.Group = n.Arg(1)
		if vs.Group == "" {
			return nil
		}
	case "fwmark":
		if len(n.Args) < 2 {
			return nil // keepalived 2.2.7 crashes here
		}
		v, msg := readUnsigned(n.Arg(1), 0, 4294967295)
		if msg != "" {
			t.number(n.Pos, msg)
			t.errorf(n.Pos, "virtual server fwmark '%s' must be in [0, 4294967295] - ignoring", n.Arg(1))
			return nil
		}
		vs.IsFwmark, vs.Fwmark = true, uint32(v)
	default:
		a, err := netip.ParseAddr(n.Arg(0))
		port, perr := strconv.ParseUint(n.Arg(1), 10, 16)
		if err != nil || (len(n.Args) > 1 && perr != nil) {
			// keepalived skips the block (its lines are not read)
			if len(n.Args) > 1 {
				t.errorf(n.Pos, "Invalid virtual server IP address/port %s/%s - skipping", n.Arg(0), n.Arg(1))
			} else {
				t.errorf(n.Pos, "Invalid virtual server IP address %s - skipping", n.Arg(0))
			}
			return nil
		}
		vs.Addr = a.Unmap()
		vs.Port = int(port)
		vs.family = vs.Addr
	}
	for _, c := range n.Children {
		if t.aborted {
			return nil
		}
		switch c.Name() {
		case "lb_algo", "lvs_sched":
			if !t.need(c, 1) {
				return nil
			}
			if !ipvsSchedulers[c.Arg(0)] {
				t.add(c.Pos, ClassGeneral, "IPVS schedulers: rr wrr lc wlc lblc sh mh dh fo ovf lblcr sed nq (lower case)",
					"Invalid lvs_scheduler '%s' - ignoring", c.Arg(0))
				continue
			}
			vs.Scheduler = c.Arg(0)
		case "lb_kind", "lvs_method":
			if !t.need(c, 1) {
				return nil
			}
			if f, ok := t.forwarding(c, "virtual"); ok {
				vs.Forwarding = f
			}
		case "protocol":
			if !t.need(c, 1) {
				return nil
			}
			switch p := strings.ToLower(c.Arg(0)); p {
			case "tcp", "udp", "sctp":
				vs.Protocol = p
			default:
				t.errorf(c.Pos, "Unknown protocol %s - ignoring", c.Arg(0))
			}
		case "persistence_timeout":
			if len(c.Args) == 0 {
				vs.PersistenceTimeout = defaultPersistence
				continue
			}
			// at most 31 days (LVS_MAX_TIMEOUT)
			v, msg := readUnsigned(c.Arg(0), 1, 2678400)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "persistence_timeout invalid")
				continue
			}
			vs.PersistenceTimeout = int(v)
		case "ops", "flag-1", "flag-2", "flag-3":
			vs.Flags = append(vs.Flags, c.Name())
		case "hashed", "sh-port", "sh-fallback", "mh-port", "mh-fallback":
			// scheduler flags: keepalived takes them for sh and mh (whichever
			// of the two flag families) and names only sh otherwise
			if vs.Scheduler != "sh" && vs.Scheduler != "mh" {
				t.errorf(c.Pos, "%s only applies to sh scheduler - ignoring", c.Name())
				continue
			}
			vs.Flags = append(vs.Flags, c.Name())
		case "ha_suspend":
			vs.HASuspend = true
		case "weight":
			if !t.need(c, 1) {
				return nil
			}
			v, msg := readUnsigned(c.Arg(0), 1, math.MaxInt32)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "Virtual server weight %s is outside range 1-2147483647", c.Arg(0))
				continue
			}
			vs.Weight = int(v)
		case "quorum":
			if !t.need(c, 1) {
				return nil
			}
			v, msg := readUnsigned(c.Arg(0), 1, math.MaxUint32)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "Quorum %s must be in [1, 4294967295]. Setting to 1.", c.Arg(0))
				v = 1
			}
			vs.Quorum = uint32(v)
		case "hysteresis":
			if !t.need(c, 1) {
				return nil
			}
			v, msg := readUnsigned(c.Arg(0), 0, math.MaxUint32)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "Hysteresis %s must be in [0, 4294967295] - ignoring", c.Arg(0))
				continue
			}
			vs.Hysteresis = uint32(v)
		case "ip_family":
			if !t.need(c, 1) {
				return nil
			}
			var fam netip.Addr
			switch c.Arg(0) {
			case "inet":
				fam = netip.IPv4Unspecified()
			case "inet6":
				fam = netip.IPv6Unspecified()
			default:
				t.errorf(c.Pos, "unknown address family %s", c.Arg(0))
				continue
			}
			if vs.family.IsValid() && vs.family.Is4() != fam.Is4() {
				t.errorf(c.Pos, "Virtual server specified family %s conflicts with server family", c.Arg(0))
				continue
			}
			vs.family = fam
		case "sorry_server":
			if !t.need(c, 1) {
				return nil
			}
			a, err := netip.ParseAddr(c.Arg(0))
			if err != nil {
				t.errorf(c.Pos, "Invalid sorry server IP address %s - skipping", c.Arg(0))
				continue
			}
			vs.Sorry = &RealServer{Pos: c.Pos, Addr: a.Unmap(), Port: parsePort(c.Arg(1))}
		case "sorry_server_inhibit":
			if vs.Sorry == nil {
				t.errorf(c.Pos, "Ignoring sorry_server inhibit used before or without sorry_server")
			}
		case "sorry_server_lvs_method":
			// keepalived looks for the sorry server before reading the value
			if vs.Sorry == nil {
				t.errorf(c.Pos, "sorry_server forwarding used without sorry_server")
				continue
			}
			if !t.need(c, 1) {
				return nil
			}
			if f, ok := t.forwarding(c, "sorry"); ok {
				vs.Sorry.Forwarding = f
			}
		case "quorum_up", "quorum_down":
			if t.usableScript(rawArgs(c)) {
				t.checkScripts = true
			}
		case "real_server":
			rs := t.realServer(c, vs)
			if rs == nil {
				continue
			}
			// keepalived checks the family at the real server's closing
			// brace; a tunnel may cross families
			fwd := rs.Forwarding
			if fwd == "" {
				fwd = vs.Forwarding
			}
			if fwd != FwdTUN {
				if !vs.family.IsValid() {
					vs.family = rs.Addr
				} else if vs.family.Is4() != rs.Addr.Is4() {
					end := c.End
					if end.Line == 0 {
						end = c.Pos
					}
					t.errorf(end, "Address family of virtual server and real server %s don't match - skipping real server.", rs.Addr)
					continue
				}
			}
			vs.RealServers = append(vs.RealServers, rs)
		default:
			if !t.checkerValue(c, false) {
				return nil
			}
		}
	}
	return vs
}

// forwarding reads lb_kind/lvs_method/sorry_server_lvs_method (sType
// "virtual", "real" or "sorry" names the server in the messages). After TUN
// come tunnel options: type ipip|gue|gre, port N (gue only), nocsum|csum|
// remcsum. keepalived sets TUN before reading them, so a bad option is
// reported but the method stays.
func (t *typer) forwarding(c *Node, sType string) (string, bool) {
	m := c.Arg(0)
	switch m {
	case FwdNAT, FwdDR:
		return m, true
	case FwdTUN:
	default:
		t.add(c.Pos, ClassGeneral, "forwarding methods: NAT, DR, TUN (upper case)",
			"PARSER : unknown [%s] routing method for %s server.", m, sType)
		return "", false
	}
	tunType, port, csum := "ipip", uint64(0), "nocsum"
	for i := 1; i < len(c.Args); i++ {
		switch w := c.Arg(i); w {
		case "type":
			if i+1 >= len(c.Args) {
				t.errorf(c.Pos, "Missing tunnel type for %s server.", sType)
				return m, true
			}
			switch v := c.Arg(i + 1); v {
			case "ipip", "gue", "gre":
				tunType = v
			default:
				t.errorf(c.Pos, "Unknown tunnel type %s for %s server.", v, sType)
				return m, true
			}
			i++
		case "port":
			if i+1 >= len(c.Args) {
				t.errorf(c.Pos, "Missing port for %s server gue tunnel.", sType)
				return m, true
			}
			v, msg := readUnsigned(c.Arg(i+1), 1, 65535)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "Invalid gue tunnel port %s for %s server.", c.Arg(i+1), sType)
				return m, true
			}
			port = v
			i++
		case "nocsum", "csum", "remcsum":
			csum = w
		default:
			t.errorf(c.Pos, "Invalid tunnel option %s for %s server.", w, sType)
			return m, true
		}
	}
	switch {
	case (tunType == "gue") != (port != 0):
		t.errorf(c.Pos, "gue tunnels require port, otherwise cannot have port.")
	case tunType == "ipip" && csum != "nocsum":
		t.errorf(c.Pos, "ipip tunnels do not support checksum option.")
	case tunType == "gre" && csum == "remcsum":
		t.errorf(c.Pos, "gre tunnels do not support remote checksum option.")
	}
	return m, true
}

func (t *typer) realServer(n *Node, vs *VirtualServer) *RealServer {
	if !t.need(n, 1) {
		return nil
	}
	a, err := netip.ParseAddr(n.Arg(0))
	port, perr := strconv.ParseUint(n.Arg(1), 10, 16)
	if err != nil || (len(n.Args) > 1 && perr != nil) {
		if len(n.Args) > 1 {
			t.errorf(n.Pos, "Invalid real server ip address/port %s/%s - skipping", n.Arg(0), n.Arg(1))
		} else {
			t.errorf(n.Pos, "Invalid real server ip address %s - skipping", n.Arg(0))
		}
		return nil
	}
	rs := &RealServer{Pos: n.Pos, Addr: a.Unmap(), Port: int(port)}
	seen := map[string]bool{} // notify_up/notify_down given
	for _, c := range n.Children {
		if c.Name() == "weight" {
			if !t.need(c, 1) {
				return nil
			}
			v, msg := readUnsigned(c.Arg(0), 0, 2147483647)
			if msg != "" {
				t.number(c.Pos, msg)
				t.errorf(c.Pos, "Real server weight %s is outside range 0-2147483647", c.Arg(0))
				continue
			}
			w := int(v)
			rs.Weight = &w
			continue
		}
		if c.Keyword.Kind == kwBlock {
			if !t.healthCheck(c, vs, rs) {
				return nil
			}
			continue
		}
		if c.Name() == "notify_up" || c.Name() == "notify_down" {
			t.checkerNotify(c, vs, seen)
			continue
		}
		if c.Name() != "lvs_method" {
			if !t.checkerValue(c, true) {
				return nil
			}
			continue
		}
		if !t.need(c, 1) {
			return nil
		}
		if f, ok := t.forwarding(c, "real"); ok {
			rs.Forwarding = f
		}
	}
	return rs
}

// checkerNotify: a real server's notify_up/notify_down script. A second one
// is refused (keepalived names the service by its group name, "(null)"
// without one); an existing program makes the configuration run checker
// scripts (script security applies).
func (t *typer) checkerNotify(c *Node, vs *VirtualServer, seen map[string]bool) {
	if seen[c.Name()] {
		group := vs.Group
		if group == "" {
			group = "(null)"
		}
		t.errorf(c.Pos, "(%s) %s script already specified - ignoring %s", group, c.Name(), c.Arg(0))
		return
	}
	seen[c.Name()] = true
	if t.usableScript(rawArgs(c)) {
		t.checkScripts = true
	}
}

// sslBlock lints the SSL context of the HTTPS checkers: each file keyword
// needs its value and replaces an earlier one. The files themselves are
// not read at -t.
func (t *typer) sslBlock(n *Node) {
	what := map[string]string{"password": "password", "ca": "cafile", "certificate": "certfile", "key": "keyfile"}
	seen := map[string]bool{}
	for _, c := range n.Children {
		w := what[c.Name()]
		switch {
		case len(c.Args) == 0:
			t.errorf(c.Pos, "SSL %s missing", w)
			continue
		case seen[w]:
			t.errorf(c.Pos, "SSL %s already specified - replacing", w)
		}
		seen[w] = true
	}
}
