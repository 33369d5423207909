package haproxycfg

import (
	"crypto/tls"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// TLS to servers: `server ... ssl` (and `check-ssl` for its health
// checks) becomes a crypto/tls client configuration (tlsconf.Upstream),
// with the global ssl-server-verify and ssl-default-server-* settings
// under the line's own options.

// serverDefaults are the global ssl-server-verify and
// ssl-default-server-* settings.
type serverDefaults struct {
	verify       string // "required" (HAProxy's default) or "none"
	versions     tlsconf.Versions
	ciphers      string
	cipherSuites string
	noTickets    bool
}

func (b *builder) serverTLSDefaults() serverDefaults {
	if b.srvTLSDefaults != nil {
		return *b.srvTLSDefaults
	}
	d := serverDefaults{verify: "required"}
	for _, st := range b.global.Raw {
		if len(st.Args) < 2 {
			continue
		}
		switch st.Args[0] {
		case "ssl-server-verify":
			d.verify = st.Args[1]
		case "ssl-default-server-ciphers":
			d.ciphers = st.Args[1]
		case "ssl-default-server-ciphersuites":
			d.cipherSuites = st.Args[1]
		case "ssl-default-server-options":
			b.defaultTLSOptions(st.Pos, st.Args, &d.versions, &d.noTickets)
		}
	}
	b.srvTLSDefaults = &d
	return d
}

// serverTLS sets sv's TLS (traffic) and returns the health checks' TLS
// configuration (nil: clear-text checks). Anything that cannot be
// honoured is reported and the server is not used in clear text: it is
// disabled instead.
//
// ruleTLS is the configuration of the `connect ... ssl` check rules of a
// proxy that has some (HAProxy prepares every server's TLS context then):
// the line's TLS settings with check-sni and check-alpn, which a rule
// without `default` drops (run_checkconnect.go).
func (b *builder) serverTLS(px *haproxy.Proxy, s *haproxy.Server, sv *proxy.Server) (checkTLS, ruleTLS *tls.Config) {
	_, checkSSL := s.Other["check-ssl"]
	ruleSSL := s.Check && px.SSLCheckConnect()
	if !s.SSL && !checkSSL && !ruleSSL {
		return nil, nil
	}
	d := b.serverTLSDefaults()
	b.certRegistry()
	u := tlsconf.Upstream{Tune: &b.global.TLS, Verify: d.verify, Ciphers: d.ciphers, CipherSuites: d.cipherSuites,
		NoTickets: d.noTickets, Versions: lineVersions(d.versions, s.Other), Registry: b.plan.Certs}
	if s.Verify != "" {
		u.Verify = s.Verify
	}
	for o, v := range s.Other {
		switch o {
		case "ca-file":
			u.CAFile = underBase(b.global, "ca-base", v)
		case "crl-file":
			u.CRLFile = underBase(b.global, "ca-base", v)
		case "crt":
			u.Crt = underBase(b.global, "crt-base", v)
		case "verifyhost":
			u.VerifyHost = v
		case "alpn":
			u.ALPN = v
		case "ciphers":
			u.Ciphers = v
		case "ciphersuites":
			u.CipherSuites = v
		case "no-ssl-reuse":
			u.NoReuse = true
		case "ssl-reuse":
			u.NoReuse = false
		case "no-tls-tickets":
			u.NoTickets = true
		case "tls-tickets":
			u.NoTickets = false
		default:
			applyVersionOption(&u.Versions, o, v)
		}
	}
	cfg, err := u.Client()
	if err != nil {
		b.unsupported(s.Pos, "server option ssl: "+err.Error())
		sv.Disabled = true
		return nil, nil
	}
	if ruleSSL {
		ruleTLS = b.checkTLSOf(s, cfg)
	}
	if !s.SSL && !checkSSL {
		return nil, ruleTLS
	}
	if s.SSL {
		if !b.serverKeys(s, u, cfg, sv) { // tls_session_fetch.go
			sv.Disabled = true
			return nil, nil
		}
		sv.TLS = cfg
		for _, p := range cfg.NextProtos {
			sv.H2ALPN = sv.H2ALPN || p == "h2"
		}
		if v, ok := s.Other["sni"]; ok {
			e, err := acl.CompileExpr(haproxy.ParseSample(v))
			if err != nil {
				b.unsupported(s.Pos, "server option sni "+v+": "+err.Error())
				sv.Disabled = true
			} else {
				sv.SNI = e.Text
			}
		}
	}
	if _, off := s.Other["no-check-ssl"]; off {
		return nil, ruleTLS
	}
	// Checks speak TLS with check-ssl, or when the server does and they
	// go to its traffic port (HAProxy's default).
	if !checkSSL && (s.Port != 0 || s.CheckAddr != "") {
		return nil, ruleTLS
	}
	if s.Check && b.global.TLS.MaxSSLConn > 0 {
		// HAProxy counts a check's TLS connection under maxsslconn and
		// fails the check at the limit; goha's checks are not counted.
		b.unsupported(s.Pos, "maxsslconn with a TLS health check (check-ssl)")
	}
	return b.checkTLSOf(s, cfg), ruleTLS
}

// checkTLSOf is the server's TLS configuration as its checks use it:
// check-sni and check-alpn offered, no session key kept (nil when
// check-alpn cannot be honoured).
func (b *builder) checkTLSOf(s *haproxy.Server, cfg *tls.Config) *tls.Config {
	cc := cfg.Clone()
	cc.KeyLogWriter = nil // checks keep no session key (serverKeys)
	cc.ServerName = s.Other["check-sni"]
	// Checks offer check-alpn's protocols, not the server's alpn (a
	// server choosing h2 for traffic is checked in HTTP/1.1 and
	// answers badly, as with HAProxy).
	cc.NextProtos = nil
	if v, ok := s.Other["check-alpn"]; ok {
		p, err := tlsconf.ALPN(v)
		if err != nil {
			b.unsupported(s.Pos, "server option check-alpn: "+err.Error())
			return nil
		}
		cc.NextProtos = p
	}
	return cc
}
