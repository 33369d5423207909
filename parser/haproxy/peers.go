package haproxy

// PeersSection is a `peers` section, typed for the peers runtime
// (proxy/peers). Every statement also stays in Config.Others, raw; the
// runtime adapter (proxy/haproxycfg) reports what it cannot honour.
type PeersSection struct {
	Name string
	Pos  Pos
	// Disabled is "disabled" not followed by "enabled".
	Disabled bool
	// Local is the local peer's name the section was read with: global
	// "localpeer", else the host name.
	Local string
	// Peers are the "peer" and "server" lines, in file order.
	Peers []Peer
	// Bind is the local peer's listening address in the "bind" form ("" in
	// the "peer" form, where the local peer's own line gives it).
	Bind    string
	BindPos Pos
	Tables  []PeersTable
}

// Peer is a "peer NAME ADDR" or "server NAME [ADDR]" line.
type Peer struct {
	Pos  Pos
	Name string
	// Addr is "host:port", "" for a "server" line naming the local peer
	// (its address is the "bind" line's) or a bare "peer NAME".
	Addr string
	// Local is true for the line naming the local peer.
	Local bool
}

// PeersTable is a "table NAME ..." line. Its stick-table arguments stay
// raw here (Args, after the name): the stick-table parser types them.
type PeersTable struct {
	Pos  Pos
	Name string
	// ID is the table's name as HAProxy registers it ("show table",
	// "track-sc0 ... table <ID>"): "<section>/<name>".
	ID string
	// WireName is the name HAProxy 2.6 sends for it in the peers protocol:
	// "/<name>" (the section's name is left out; captured from 2.6.12,
	// see proxy/peers/testdata/haproxy26-defines.bin).
	WireName string
	Args     []string
}

// LocalPeer returns the line naming the local peer, nil when there is none
// (HAProxy then drops the section with a warning).
func (p *PeersSection) LocalPeer() *Peer {
	for i := range p.Peers {
		if p.Peers[i].Local {
			return &p.Peers[i]
		}
	}
	return nil
}

// ListenAddr returns where the local peer listens: the "bind" address, or
// the local peer line's.
func (p *PeersSection) ListenAddr() string {
	if p.Bind != "" {
		return p.Bind
	}
	if l := p.LocalPeer(); l != nil {
		return l.Addr
	}
	return ""
}

// typedPeers reads a peers section's statements (already checked) into a
// PeersSection for the local peer name local.
func typedPeers(sec *Section, local string) *PeersSection {
	ps := &PeersSection{Name: sec.Name, Pos: sec.Pos, Local: local}
	for _, st := range sec.Statements {
		arg := func(i int) string {
			if i < len(st.Args) {
				return st.Args[i]
			}
			return ""
		}
		switch st.Args[0] {
		case "disabled":
			ps.Disabled = true
		case "enabled":
			ps.Disabled = false
		case "bind":
			if ps.Bind == "" {
				ps.Bind, ps.BindPos = arg(1), st.Pos
			}
		case "peer", "server":
			if arg(1) == "" {
				continue
			}
			ps.Peers = append(ps.Peers, Peer{Pos: st.Pos, Name: arg(1), Addr: arg(2), Local: arg(1) == local})
		case "table":
			if arg(1) == "" {
				continue
			}
			ps.Tables = append(ps.Tables, PeersTable{Pos: st.Pos, Name: arg(1), ID: sec.Name + "/" + arg(1), WireName: "/" + arg(1), Args: append([]string(nil), st.Args[2:]...)})
		}
	}
	return ps
}
