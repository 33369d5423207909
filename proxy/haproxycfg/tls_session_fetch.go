package haproxycfg

import (
	"crypto/tls"
	"reflect"
	"slices"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// tls12Fetches are the fetches goha gives in TLS 1.2 (and before) only,
// and why not in TLS 1.3: a configuration that reads one is refused on
// every bind (ssl_fc_*) or server line (ssl_bc_*) that allows TLS 1.3,
// where HAProxy's answer cannot be had from crypto/tls.
var tls12Fetches = []struct{ name, why string }{
	{"ssl_fc_session_key", "in TLS 1.3 OpenSSL's session key is a secret derived from the resumption master secret, which crypto/tls does not expose"},
	{"ssl_bc_session_key", "in TLS 1.3 OpenSSL's session key is the resumption PSK of the session's last ticket, which goha tracks in health checks only"},
}

// tlsCaptureOf is tlsCapture of the global section, with what the
// fetches read in cfg's proxies ask the binds to keep: with
// ssl_fc_session_key, the master secrets of TLS 1.2 handshakes (the key
// log keeps them; the ClientHello is kept for the ticket of a resumed
// one); with ssl_fc_unique_id, the records and handshake secrets of
// TLS 1.3 handshakes, for their Finished. It also notes which of
// tls12Fetches, and whether ssl_bc_unique_id, cfg reads (b.tls12Used).
func (b *builder) tlsCaptureOf(cfg *haproxy.Config) {
	b.tlsCapture = tlsCapture(cfg.Global.Raw)
	names := []string{"ssl_fc_unique_id", "ssl_bc_unique_id"}
	for _, f := range tls12Fetches {
		names = append(names, f.name)
	}
	// The proxies' rules, formats and ACLs (defaults sections included):
	// where a fetch of the client connection can be read.
	used := mentions(reflect.ValueOf([2][]*haproxy.Proxy{cfg.Defaults, cfg.Proxies}), names, map[uintptr]bool{})
	b.tls12Used = nil
	for _, f := range tls12Fetches {
		if used[f.name] {
			b.tls12Used = append(b.tls12Used, f.name)
		}
	}
	if used["ssl_bc_unique_id"] {
		b.tls12Used = append(b.tls12Used, "ssl_bc_unique_id") // not refused anywhere: serverKeys
	}
	if used["ssl_fc_session_key"] {
		b.tlsCapture.SessionKey = true
		if b.tlsCapture.KeyLog == nil {
			b.tlsCapture.KeyLog = &tlsconf.KeyLog{}
		}
		b.tlsCapture.KeyLog.Master = true
	}
	if used["ssl_fc_unique_id"] {
		b.tlsCapture.TLSUniqueID = true
		if b.tlsCapture.KeyLog == nil {
			b.tlsCapture.KeyLog = &tlsconf.KeyLog{}
		}
		b.tlsCapture.KeyLog.Handshake = true
	}
}

// tls12Only refuses a bind that could negotiate TLS 1.3 (or, with a
// crt-list, whose entries may: their ssl-max-ver, also added at run
// time) when the configuration reads a fetch of tls12Fetches; false
// when refused.
func (b *builder) tls12Only(bd haproxy.Bind, tb tlsconf.Bind) bool {
	if len(b.tls12Used) == 0 {
		return true
	}
	_, hi, _, err := tb.Versions.Range()
	if err != nil {
		return true // refused by the bind's own build
	}
	if hi < tls.VersionTLS13 && len(tb.List) == 0 {
		return true
	}
	refused := false
	for _, name := range b.tls12Used {
		for _, f := range tls12Fetches {
			if f.name != name || !strings.HasPrefix(name, "ssl_fc_") {
				continue
			}
			refused = true
			what := "bind allowing TLS 1.3 (add ssl-max-ver TLSv1.2)"
			if hi < tls.VersionTLS13 {
				what = "bind with a crt-list (its entries may allow TLS 1.3)"
			}
			b.unsupported(bd.Pos, "fetch "+name+" with a "+what+": goha gives it in TLS 1.2 only; "+f.why)
		}
	}
	return !refused
}

// serverKeys makes a `server ... ssl` line keep what its connections
// show of ssl_bc_session_key and ssl_bc_unique_id when the configuration
// reads them (its handshakes log their secrets, its session cache notes
// those it stores, ssl_bc_unique_id taps the handshakes' bytes), or
// refuses the line, false, when it allows TLS 1.3 and ssl_bc_session_key
// is read. cfg is the line's client configuration, u what it was built
// from.
func (b *builder) serverKeys(s *haproxy.Server, u tlsconf.Upstream, cfg *tls.Config, sv *proxy.Server) bool {
	sk, uid := slices.Contains(b.tls12Used, "ssl_bc_session_key"), slices.Contains(b.tls12Used, "ssl_bc_unique_id")
	if !sk && !uid {
		return true
	}
	if _, hi, _, err := u.Versions.Range(); sk && err == nil && hi >= tls.VersionTLS13 {
		b.unsupported(s.Pos, "fetch ssl_bc_session_key with a server allowing TLS 1.3 (add ssl-max-ver TLSv1.2): goha gives it in TLS 1.2 only; "+tls12Fetches[1].why)
		return false
	}
	sv.TLSKeys = &tlsconf.ClientKeys{SessionKey: sk, UniqueID: uid}
	sv.TLSKeys.Install(cfg)
	return true
}

// mentions reports which of names occur in a string anywhere in v (the
// parsed configuration: a fetch read in a rule, a format, an ACL); seen
// guards against pointer cycles.
func mentions(v reflect.Value, names []string, seen map[uintptr]bool) map[string]bool {
	out := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.String:
			s := v.String()
			for _, n := range names {
				if strings.Contains(s, n) {
					out[n] = true
				}
			}
		case reflect.Pointer:
			if v.IsNil() || seen[v.Pointer()] {
				return
			}
			seen[v.Pointer()] = true
			walk(v.Elem())
		case reflect.Interface:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				walk(v.Field(i))
			}
		case reflect.Slice, reflect.Array:
			if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 {
				return // file contents, not configuration text
			}
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Map:
			it := v.MapRange()
			for it.Next() {
				walk(it.Key())
				walk(it.Value())
			}
		}
	}
	walk(v)
	return out
}
