package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// A tcp frontend whose streams HAProxy 2.6 upgrades to HTTP (proxy.c
// stream_set_backend, tcp_act.c tcp_action_switch_stream_mode) runs in
// goha in one of two ways (upgradedFrontend says which):
//
//   - upgraded per connection (upgradePerConn, switch_conn.go,
//     proxy/switch_conn.go): the frontend stays a tcp one; each
//     connection is a tcp stream whose content rules run on its bytes
//     under the inspect delay, until a `switch-mode http` rule whose
//     condition holds upgrades it there (its STOP ends the content
//     rules; its switching rules then see the HTTP request), or its
//     switching rules choose a backend on the raw bytes: a tcp one keeps
//     the tcp stream, an http one upgrades it (that backend serves its
//     first request; the switching rules are not run again). The next
//     requests' content rules (a switch-mode one is an accept there) and
//     switching rules run on the HTTP message; one that chooses a tcp
//     backend is closed unanswered (a FIN), logged "be/<NOSRV> -1/-1/0 0
//     IR", that backend's be_conn kept one higher. This is the form of a
//     frontend that can reach both tcp and http backends, has a dynamic
//     use_backend while the configuration has an http backend, a
//     conditional switch-mode rule, content rules (before its
//     switch-mode rule, or upgraded by its backends) or conditional
//     use_backend rules in one upgraded by its backends. Its switching
//     rules must read what has the same value on the raw bytes and on
//     the HTTP message (acl.NotPerConn: layer-4 samples, variables,
//     req.proto_http), else they are refused: goha does not parse a tcp
//     stream's bytes as HTTP for path or hdr as HAProxy does, nor
//     measure req.len on an HTX message. A switch-mode rule's `proto h1`
//     turns the HTTP/2 upgrade off for the connection it switches;
//     `proto h2` is refused there.
//   - as an HTTP frontend (upgradeWhole): every connection upgraded at
//     its start: the copy of the parsed frontend that frontend() builds,
//     with mode http, in a frontend reaching http backends only, by name:
//     for an unconditional switch-mode rule first among the content
//     rules (or after others with `proto h2`, refused: firstContent),
//     and without switch-mode for one without content rules or
//     conditional use_backend rules.
//
// Measured on HAProxy 2.6.12 (switchmode_diff_test.go,
// switch_conn_diff_test.go), for both:
//
//   - every request of an upgraded connection is an HTTP transaction:
//     the H1 mux keeps the connection alive, a request it cannot parse
//     gets the 400 page and a "PR" line, and the frontend's
//     http-request, http-response and http-after-response rules run
//     (after the implicit upgrade too, although -c warns that they are
//     ignored);
//   - the log keeps the declared tcp mode's format: tcplog (option
//     httplog falls back to it), one line per request, as an http
//     frontend with option tcplog writes; show stat prints the frontend
//     as tcp (no hrsp_* cells; req_tot counts);
//   - a request HAProxy refuses on the connection's first stream (bad,
//     timed out, cut) is logged PR with %ST 0 and counts twice in the
//     frontend's ereq (the TCP stream and the H1 mux each count it; an
//     HTTP/2 preface refused under proto h1 once); after the implicit
//     upgrade it also counts a session on the backend, as does a
//     connection that goes on as HTTP/2 (proxy/switchmode.go); an
//     implicitly upgraded first request that never comes whole is
//     logged "fe/<NOSRV> ... PR";
//   - monitor-uri is ignored (warned about, switch-mode or not).
//
// The implicit upgrade (no switch-mode) drops what HAProxy's -c strips
// from a tcp frontend: option forwardfor and originalto, the stats page,
// and the options http-buffer-request, http-ignore-probes and
// accept-invalid-http-request (measured: an invalid header name gets a
// 400); its redirect rules run after its http-request rules; an answer
// of its rules to a connection's first request is logged with the
// backend's name and counts a session there, as HAProxy had set the
// backend before upgrading (proxy/log.go, http_rules.go;
// TestImplicitUpgradeRedirectDifferential). A frontend with a
// `tcp-request content switch-mode http` rule of its own keeps every
// HTTP setting, as HAProxy does (PR_O_HTTP_UPG), for the connections its
// backend upgrades too. Its `proto h1` turns the HTTP/2 upgrade on a
// preface off, `proto h2` speaks HTTP/2 from the first byte
// (switchProto). A switch-mode rule of the named defaults section the
// frontend starts from switches the same way, but with the settings the
// implicit upgrade strips stripped (switchFromDefaults).
//
// Content rules before the switch make the frontend upgraded per
// connection, but under `proto h2`, where they are refused
// (firstContent).
func (b *builder) upgradedFrontend(px *haproxy.Proxy) (*haproxy.Proxy, upgradeKind) {
	if px.Mode == "http" {
		return px, upgradeNone // switch-mode is an accept there (httpContentRules)
	}
	var sawHTTP, sawTCP, dynamic bool
	reach := func(name string) {
		if strings.Contains(name, "%[") {
			dynamic = true
			return
		}
		for _, be := range b.cfg.Proxies {
			if be.Name == name && be.Cap&haproxy.CapBackend != 0 {
				if be.Mode == "http" {
					sawHTTP = true
				} else {
					sawTCP = true
				}
			}
		}
	}
	def := px.DefaultBack
	if def == "" && px.Kind == "listen" {
		def = px.Name
	}
	if def != "" {
		reach(def)
	}
	for _, u := range px.UseBackends {
		reach(u.Backend)
	}
	inherited := switchFromDefaults(px)
	explicit := px.HTTPUpgrade || inherited
	if !explicit && !sawHTTP {
		if dynamic && b.hasHTTPBackend() {
			// HAProxy upgrades the stream to HTTP when the name is an
			// http backend's
			return b.perConnFrontend(px)
		}
		return px, upgradeNone // a tcp frontend
	}
	refuse := func(p haproxy.Pos, what string) (*haproxy.Proxy, upgradeKind) {
		b.unsupported(p, what)
		return px, upgradeNone
	}
	var sw *haproxy.HTTPRule // the first switch-mode rule
	for i, r := range px.TCPContentRules {
		if r.Action == "switch-mode" {
			sw = &px.TCPContentRules[i]
			break
		}
	}
	if dynamic || sawTCP || sw != nil && sw.Cond != nil {
		// a connection may stay a tcp stream, or reach a tcp backend
		return b.perConnFrontend(px) // switch_conn.go
	}
	up := *px
	up.Mode = "http"
	up.Monitor = haproxy.Monitor{} // ignored with a warning, switch-mode or not
	if explicit {
		if len(px.TCPContentRules) == 0 {
			return refuse(px.Pos, "tcp-request content switch-mode http from a defaults section")
		}
		// The rules before the switch run as an HTTP frontend's content
		// rules (httpContentRules), the switch ending them as an accept.
		at := 0
		for at < len(px.TCPContentRules) && px.TCPContentRules[at].Action != "switch-mode" {
			at++
		}
		if at == len(px.TCPContentRules) {
			return refuse(px.Pos, "tcp-request content switch-mode http from a defaults section")
		}
		first := px.TCPContentRules[at]
		if switchProto(px) == "h1" {
			// the H1 mux named: no HTTP/2 upgrade on a preface (measured:
			// a 400, as with option disable-h2-upgrade)
			opts := make(map[string]bool, len(px.Options)+1)
			for k, v := range px.Options {
				opts[k] = v
			}
			opts["disable-h2-upgrade"] = true
			up.Options = opts
		}
		var tracks []haproxy.HTTPRule
		for _, r := range px.TCPContentTracks {
			if posBefore(r.Pos, first.Pos) {
				tracks = append(tracks, r)
			}
		}
		if (at > 0 || len(tracks) > 0) && switchProto(px) != "h2" {
			// the rules before the switch wait for the bytes they read
			// under the inspect delay, on the TCP stream
			return b.perConnFrontend(px) // switch_conn.go
		}
		// The switch stops the content rules: those after it never run.
		up.TCPContentRules, up.TCPContentTracks = px.TCPContentRules[:at:at], tracks
		if at > 0 || len(tracks) > 0 {
			up.TCPContentRules = append(up.TCPContentRules, first) // an accept there
		}
		if inherited {
			// the frontend's own HTTP settings were stripped at -c, as
			// for the implicit upgrade (no PR_O_HTTP_UPG of its own)
			stripTCPHTTP(&up)
		}
		return &up, upgradeWhole
	}
	// Its content rules run as those before a switch-mode rule do
	// (firstContent).
	for _, u := range px.UseBackends {
		if u.Cond != nil {
			// for its first request HAProxy evaluates them on the raw
			// bytes before the upgrade, on the HTTP message for the next
			// ones
			return b.perConnFrontend(px)
		}
	}
	if len(px.TCPContentRules) > 0 || len(px.TCPContentTracks) > 0 {
		return b.perConnFrontend(px) // its content rules on the TCP stream
	}
	stripTCPHTTP(&up)
	return &up, upgradeWhole
}

// stripTCPHTTP drops from an upgraded frontend what HAProxy's -c strips
// from a tcp proxy without a switch-mode rule of its own: option
// forwardfor and originalto, the stats page, and the options
// http-buffer-request, http-ignore-probes and accept-invalid-http-request.
func stripTCPHTTP(up *haproxy.Proxy) {
	up.Forwardfor, up.OriginalTo = nil, nil
	up.Stats.Enabled = false // warned about by the parser
	opts := make(map[string]bool, len(up.Options))
	for k, v := range up.Options {
		opts[k] = v
	}
	for _, o := range []string{"http-buffer-request", "http-ignore-probes", "accept-invalid-http-request"} {
		delete(opts, o)
	}
	up.Options = opts
}

// switchFromDefaults says whether px's first content rule is the
// `switch-mode http` of the named defaults section it starts from
// (withDefaultsContent put it there): HAProxy 2.6 runs it in the
// frontend, which switches there as on its own rule, but the defaults'
// PR_O_HTTP_UPG is not inherited: -c warns about and strips the
// frontend's HTTP settings as for a tcp frontend (measured:
// TestSwitchModeFromDefaultsDifferential).
func switchFromDefaults(px *haproxy.Proxy) bool {
	return !px.HTTPUpgrade && px.Def != nil && px.Def.HTTPUpgrade && len(px.TCPContentRules) > 0 &&
		px.TCPContentRules[0].Action == "switch-mode" && fromDefaults(px, px.TCPContentRules[0].Pos)
}

func posBefore(a, b haproxy.Pos) bool {
	return a.File < b.File || a.File == b.File && a.Line < b.Line
}

// switchProto is the `proto` of a frontend's switch-mode rule ("" when
// it names none). With h2 every connection speaks HTTP/2 from its first
// byte, as on a `bind ... proto h2` (frontend() forces its binds), and
// HAProxy drops the TCP stream unlogged: none of the first-request
// counts of UpgradedFromTCP (measured).
func switchProto(px *haproxy.Proxy) string {
	for _, r := range px.TCPContentRules {
		if r.Action == "switch-mode" {
			if len(r.Args) > 2 && r.Args[1] == "proto" {
				return r.Args[2]
			}
			return ""
		}
	}
	return ""
}

// hasHTTPBackend says whether the configuration has a backend (or
// listen) in mode http.
func (b *builder) hasHTTPBackend() bool {
	for _, be := range b.cfg.Proxies {
		if be.Cap&haproxy.CapBackend != 0 && be.Mode == "http" {
			return true
		}
	}
	return false
}

// forceH2 makes every listener of fe speak HTTP/2 from the first byte.
func forceH2(fe *proxy.Frontend) {
	if fe.H2 == nil {
		fe.H2 = map[string]bool{}
	}
	for _, a := range fe.Binds {
		fe.H2[a] = true
	}
}

// dropOtherModeRoutes leaves out of a frontend its routes to backends of
// the other mode, which proxy.New refuses: what remains of a tcp frontend
// whose upgrade to HTTP was refused (upgradedFrontend gave the notice),
// run without it under --allow-unsupported.
func (b *builder) dropOtherModeRoutes(fe *proxy.Frontend) {
	if fe.UpgradesPerConn {
		return // both modes are reached (switch_conn.go)
	}
	other := func(name string) bool {
		for _, px := range b.cfg.Proxies {
			if px.Name == name && px.Cap&haproxy.CapBackend != 0 && !px.Disabled {
				return mode(px) != fe.Mode
			}
		}
		return false
	}
	if fe.DefaultBackend != "" && other(fe.DefaultBackend) {
		fe.DefaultBackend = ""
	}
	kept := fe.UseBackends[:0]
	for _, u := range fe.UseBackends {
		if u.Dynamic != nil || !other(u.Backend) {
			kept = append(kept, u)
		}
	}
	fe.UseBackends = kept
}

// firstContent refuses the content rules before the switch-mode rule
// of a tcp frontend upgraded whole with `proto h2` (up holds them, then
// the switch): its connections speak HTTP/2 from their first byte, and
// what HAProxy's TCP stream does with those rules there is not measured.
// Without proto h2 such a frontend is upgraded per connection
// (switch_conn.go).
func (b *builder) firstContent(declared, up *haproxy.Proxy) {
	if switchProto(declared) != "h2" || len(up.TCPContentRules) < 2 && len(up.TCPContentTracks) == 0 {
		return
	}
	b.unsupported(up.TCPContentRules[0].Pos, "tcp-request content rules before switch-mode http proto h2")
}
