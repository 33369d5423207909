package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// upgradeKind is how a tcp frontend's streams become HTTP ones.
type upgradeKind uint8

const (
	upgradeNone upgradeKind = iota // a tcp frontend
	// upgradeWhole: every connection is upgraded, at its start: built as
	// an HTTP frontend (upgradedFrontend).
	upgradeWhole
	// upgradePerConn: each connection is upgraded when its switching
	// rules choose an http backend (proxy/switch_conn.go), and stays a
	// tcp stream otherwise.
	upgradePerConn
)

// perConnFrontend is a tcp frontend that HAProxy upgrades per
// connection (it can reach backends of both modes, or names one with a
// dynamic use_backend while the configuration has http backends): the
// runtime decides at each connection's switching rules. What its HTTP
// streams run is what the implicit upgrade keeps of the frontend
// (stripTCPHTTP); monitor-uri is ignored (warned about).
func (b *builder) perConnFrontend(px *haproxy.Proxy) (*haproxy.Proxy, upgradeKind) {
	up := *px
	up.Monitor = haproxy.Monitor{}
	if !px.HTTPUpgrade {
		stripTCPHTTP(&up) // a switch-mode rule of its own keeps them (PR_O_HTTP_UPG)
	}
	for _, r := range px.TCPContentRules {
		// (proto h1: TCPConnRule.SwitchH1)
		if r.Action == "switch-mode" && len(r.Args) > 2 && r.Args[1] == "proto" && r.Args[2] != "h1" {
			b.unsupported(r.Pos, "tcp-request content switch-mode http proto "+r.Args[2]+" in a tcp frontend upgraded to HTTP per connection")
			return px, upgradeNone
		}
	}
	// The switching rules run on the connection's raw bytes for its
	// first request and on the HTTP message for the next ones: their
	// samples must have the same value on both (acl.NotPerConn).
	set := acl.NewSet(px.ACLs).WithUserlists(b.userlists)
	refused := false
	for _, u := range px.UseBackends {
		if strings.Contains(u.Backend, "%[") {
			if bad := acl.FormatNotPerConn(u.Backend); bad != "" {
				b.unsupported(u.Pos, "use_backend with a dynamic name reading "+bad+" in a tcp frontend upgraded to HTTP per connection")
				refused = true
			}
		}
		if bad := set.NotPerConn(u.Cond); bad != "" {
			b.unsupported(u.Pos, "use_backend condition reading "+bad+" in a tcp frontend upgraded to HTTP per connection")
			refused = true
		}
	}
	if refused {
		return px, upgradeNone
	}
	if b.perConn == nil {
		b.perConn = map[*haproxy.Proxy]bool{}
	}
	b.perConn[&up] = true // its switch-mode rules are tcp content rules (tcpContentRules)
	return &up, upgradePerConn
}

// perConnHTTP maps the HTTP half of a tcp frontend upgraded per
// connection: what its connections run once upgraded, as an implicitly
// upgraded frontend's (httpFrontend), with conditions compiled for an
// HTTP stream (no payload fetches). Its content rules run as tcp ones
// (TCPContentRules) on the connection's first request, which skips them
// in RequestRules (FirstContentSkip).
func (b *builder) perConnHTTP(px *haproxy.Proxy, fe *proxy.Frontend, pages *pageSet) {
	hp := *px
	hp.Mode = "http"
	b.httpFrontend(&hp, &hp, fe, acl.NewSet(px.ACLs).WithUserlists(b.userlists), pages)
}
