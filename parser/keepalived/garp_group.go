package keepalived

import "time"

// The garp_group block: gratuitous ARP / unsolicited NA pacing shared by a
// set of interfaces, instead of vrrp_garp_interval / vrrp_gna_interval.
// The messages are keepalived 2.2.7's (measured with `keepalived -t`:
// testdata/keepalived/bad-garp-group-*.conf).

// GarpGroup is one garp_group that keeps at least one interval.
type GarpGroup struct {
	// GarpInterval / GnaInterval are the minimum gaps between two GARPs
	// (NAs) sent on any of the group's interfaces; HasGarp / HasGna say
	// whether they were given. A family without its interval is not paced
	// at all on these interfaces: the global interval does not apply.
	GarpInterval, GnaInterval time.Duration
	HasGarp, HasGna           bool
	// Interfaces are the group's interfaces (each in one group only).
	Interfaces []string
	// Aggregation is keepalived's aggregation group number (0 unless an
	// `interfaces` block was given), quoted by its messages.
	Aggregation int
	Pos         Pos
}

// garpGroup types one garp_group block; a group without any interval is
// removed at its end and its interfaces are free again, as keepalived does.
func (t *typer) garpGroup(n *Node) {
	g := &GarpGroup{Pos: n.Pos}
	t.vgarpGroup = g
	defer func() { t.vgarpGroup = nil }()
	for _, c := range n.Children {
		if t.aborted {
			return
		}
		if h := c.Keyword.handle; h != nil {
			h(t, c)
		}
	}
	if t.aborted {
		return
	}
	if !g.HasGarp && !g.HasGna {
		t.errorf(n.End, "garp group %d does not have any delay set - removing", g.Aggregation)
		for _, i := range g.Interfaces {
			delete(t.garpIfaces, i)
		}
		return
	}
	t.cfg.GarpGroups = append(t.cfg.GarpGroups, g)
}

// garpGroupInterval types garp_interval and gna_interval: keepalived's
// read_decimal_unsigned_strvec in microseconds (more than 6 decimals are
// reported, then rounded and kept). keepalived 2.2.7 names a refused
// garp_interval but says nothing more than the number's message for
// gna_interval.
func garpGroupInterval(t *typer, n *Node) {
	g := t.vgarpGroup
	if !t.need(n, 1) {
		return
	}
	r := n.Keyword.Range
	us, msgs, ok := readTimer(n.Arg(0), uint64(r.Min*1e6), uint64(r.Max*1e6))
	for _, m := range msgs {
		t.add(n.Pos, ClassInvalidNumber, "", "%s", m)
	}
	if !ok && n.Name() == "garp_interval" {
		t.errorf(n.Pos, "garp_group garp_interval '%s' invalid", n.Arg(0))
		return
	}
	if !ok {
		// keepalived 2.2.7 still counts the group as having a gna_interval
		// (no "does not have any delay set"), with a value it does not
		// tell: refused rather than guessed.
		g.HasGna = true
		t.refuse(n.Pos, "gna_interval", "give gna_interval a number of seconds (6 decimals at most)",
			"garp_group gna_interval '%s' is invalid and keepalived's pacing with it unknown: not supported by gokeepalived", n.Arg(0))
		return
	}
	d := time.Duration(us) * time.Microsecond
	if n.Name() == "garp_interval" {
		g.GarpInterval, g.HasGarp = d, true
	} else {
		g.GnaInterval, g.HasGna = d, true
	}
}

// garpGroupInterface types interface: one interface, words after it ignored.
func garpGroupInterface(t *typer, n *Node) {
	if !t.need(n, 1) {
		return
	}
	t.garpGroupAdd(n.Pos, n.Arg(0), n.Arg(0))
}

// garpGroupInterfaces types the interfaces block. keepalived numbers the
// group for aggregation first, and names the block's second word (not the
// one concerned) when an interface already has a group: a one-word block
// then reads a missing word and keepalived exits.
func garpGroupInterfaces(t *typer, n *Node) {
	g := t.vgarpGroup
	var words []string
	seq := n.Line.seq
	for _, l := range n.Values {
		for _, w := range l.Tokens {
			words = append(words, w.Text)
		}
		seq = l.seq
	}
	if len(words) == 0 {
		t.errorf(n.End, "Warning - empty garp_group interfaces block")
		return
	}
	g.Aggregation = 1
	for _, o := range t.cfg.GarpGroups {
		if o.Aggregation != 0 {
			g.Aggregation++
		}
	}
	for _, w := range words {
		if !t.ifaces[w] || t.garpIfaces[w] == nil {
			t.garpGroupAdd(n.End, w, "")
			continue
		}
		if len(words) < 2 {
			t.add(n.End, ClassAbort, "list the interface in one garp_group only",
				"*** Configuration line starting `%s` is missing a parameter after keyword `%s` at word position %d", words[0], words[len(words)-1], len(words)+1)
			t.aborted, t.abortSeq = true, seq
			return
		}
		t.garpGroupAdd(n.End, w, words[1])
	}
}

// garpGroupAdd puts ifname in the group being typed; named is the name
// keepalived's "already specified" message quotes.
func (t *typer) garpGroupAdd(pos Pos, ifname, named string) {
	g := t.vgarpGroup
	if !t.ifaces[ifname] {
		t.add(pos, ClassGeneral, "check `ip link`: the interface must exist when gokeepalived starts",
			"WARNING - interface %s specified for garp_group doesn't exist", ifname)
		t.badIface = true
		return
	}
	if t.garpIfaces[ifname] != nil {
		t.errorf(pos, "garp_group already specified for %s - ignoring", named)
		return
	}
	t.garpIfaces[ifname] = g
	g.Interfaces = append(g.Interfaces, ifname)
}
