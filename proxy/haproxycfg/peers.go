package haproxycfg

import (
	"net"
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/peers"
	"github.com/goha-lb/goha/proxy/peers/peernet"
	"github.com/goha-lb/goha/proxy/peers/stickpeer"
	"github.com/goha-lb/goha/proxy/stick"
)

// PeersNode is a peers section the worker runs: its local peer listens on
// Config.Listen and dials the other peers; Config.Tables are the stick
// tables declared with "peers <section>" and the section's "table" lines.
type PeersNode struct {
	Section string
	Pos     haproxy.Pos
	Config  peernet.Config
}

// peersNodes builds the stick tables of the peers sections' "table" lines
// (named "<section>/<table>", as HAProxy registers them) and one node per
// enabled peers section naming the local peer. It runs after stickTables:
// a proxy's table joins the node of its "peers" argument.
func (b *builder) peersNodes(cfg *haproxy.Config) {
	raw := map[string]*haproxy.Section{}
	for _, sec := range cfg.Others {
		if sec.Kind == "peers" {
			raw[sec.Name] = sec
		}
	}
	for _, ps := range cfg.Peers {
		if ps.Disabled {
			continue
		}
		if sec := raw[ps.Name]; sec != nil {
			b.peersOptions(sec, ps)
		}
		node := PeersNode{Section: ps.Name, Pos: ps.Pos, Config: peernet.Config{Local: ps.Local, Peers: map[string]string{}}}
		if addr, ok := peerAddr(ps.ListenAddr()); ok {
			node.Config.Listen = addr
			if cfg.Global.NoReusePort {
				// HAProxy hands a reloaded worker its peers listener with
				// the others; goha's worker binds it again, which takes
				// SO_REUSEPORT to succeed beside the old one
				b.unsupported(ps.Pos, "peers section with a local peer listening under global noreuseport")
			}
		} else {
			b.unsupported(ps.Pos, "peers local peer address "+ps.ListenAddr())
		}
		localListed := false
		for _, p := range ps.Peers {
			localListed = localListed || p.Name == ps.Local
		}
		if !localListed {
			node.Config.Order = append(node.Config.Order, ps.Local)
		}
		for _, p := range ps.Peers {
			node.Config.Order = append(node.Config.Order, p.Name)
			if p.Local || p.Addr == "" {
				continue
			}
			addr, ok := peerAddr(p.Addr)
			if !ok {
				b.unsupported(p.Pos, "peers peer address "+p.Addr)
				continue
			}
			node.Config.Peers[p.Name] = addr
		}
		for _, pt := range ps.Tables {
			if t, ok := b.peersTable(ps, pt); ok {
				node.Config.Tables = append(node.Config.Tables, t)
			}
		}
		for _, px := range cfg.Proxies {
			st := px.StickTable
			if px.Disabled || st == nil || st.Peers != ps.Name || b.tables[px.Name] == nil {
				continue
			}
			a, ok := stickpeer.New(b.tables[px.Name], px.Name, st.Type, st.KeyLen, proxy.StickNow)
			if !ok {
				b.unsupported(st.Pos, "stick-table peers with key type "+st.Type)
				continue
			}
			node.Config.Tables = append(node.Config.Tables, a)
		}
		b.plan.Peers = append(b.plan.Peers, node)
	}
}

// peersTable builds a peers section's "table" line.
func (b *builder) peersTable(ps *haproxy.PeersSection, pt haproxy.PeersTable) (peers.Table, bool) {
	st, msgs := haproxy.ParseStickTable("table", pt.Args, true)
	for _, m := range msgs {
		if !m.Warning { // the parser alerted already
			return nil, false
		}
	}
	if st.SrvKey == "addr" {
		b.unsupported(pt.Pos, "peers table srvkey addr")
	}
	c, ok := stickConfig(pt.ID, &st)
	if !ok {
		b.unsupported(pt.Pos, "peers table type "+st.Type)
		return nil, false
	}
	t, err := stick.New(c)
	if err != nil {
		b.unsupported(pt.Pos, "peers table: "+err.Error())
		return nil, false
	}
	a, ok := stickpeer.New(t, pt.WireName, st.Type, st.KeyLen, proxy.StickNow)
	if !ok {
		b.unsupported(pt.Pos, "peers table with key type "+st.Type)
		return nil, false
	}
	b.tables[pt.ID] = t
	b.plan.Proxy.Tables = append(b.plan.Proxy.Tables, t)
	return a, true
}

// peersOptions reports what a peers section's lines carry beyond a name
// and an address (ssl, bind options): the sessions are plain TCP.
func (b *builder) peersOptions(sec *haproxy.Section, ps *haproxy.PeersSection) {
	for _, st := range sec.Statements {
		switch st.Args[0] {
		case "peer", "server":
			if len(st.Args) > 3 {
				b.unsupported(st.Pos, "peers "+st.Args[0]+" option "+st.Args[3])
			}
		case "bind":
			if len(st.Args) > 2 {
				b.unsupported(st.Pos, "peers bind option "+st.Args[2])
			}
		case "default-server", "default-bind":
			// defaults for the lines above: only their options
			// (ssl, crt, verify...) would change anything
			if len(st.Args) > 1 {
				b.unsupported(st.Pos, "peers "+st.Args[0]+" option "+st.Args[1])
			}
		}
	}
}

// peerAddr maps a peer's "host:port" (an ipv4@/ipv6@ prefix allowed, "*"
// or an empty host for any address) to a Go address; a port range, a
// UNIX socket or a missing port is refused.
func peerAddr(s string) (string, bool) {
	a, err := haproxy.ParseAddress(s)
	if err != nil || !a.PortSet {
		return "", false
	}
	switch a.Family {
	case "", "ipv4", "ipv6":
	default:
		return "", false
	}
	port, err := strconv.Atoi(a.PortRaw)
	if err != nil || port < 1 || port > 65535 || strconv.Itoa(port) != a.PortRaw {
		return "", false
	}
	return net.JoinHostPort(a.Host, a.PortRaw), true
}
