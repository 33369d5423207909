package haproxycfg

import (
	"crypto/tls"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// TLS termination: a `bind ... ssl` line becomes a crypto/tls server
// configuration (proxy/tlsconf), with the global ssl-default-bind-*
// settings under the line's own. What Go cannot do as OpenSSL does is
// reported unsupported, never dropped.

// tlsDefaults are the global ssl-default-bind-* settings.
type tlsDefaults struct {
	versions     tlsconf.Versions
	ciphers      string
	cipherSuites string
	noTickets    bool
	curves       string
	preferClient bool // ssl-default-bind-options prefer-client-ciphers (prefer_client.go)
}

// versionFlags maps the no-*/force-* options to their version.
var versionFlags = map[string]string{
	"no-tlsv10": "TLSv1.0", "no-tlsv11": "TLSv1.1", "no-tlsv12": "TLSv1.2", "no-tlsv13": "TLSv1.3",
	"force-tlsv10": "TLSv1.0", "force-tlsv11": "TLSv1.1", "force-tlsv12": "TLSv1.2", "force-tlsv13": "TLSv1.3",
}

// applyVersionOption sets one version option; false when it is not one.
// no-sslv3 is honoured by Go never speaking SSLv3.
func applyVersionOption(v *tlsconf.Versions, o, val string) bool {
	switch {
	case o == "ssl-min-ver":
		v.Min = val
	case o == "ssl-max-ver":
		v.Max = val
	case o == "no-sslv3":
	case strings.HasPrefix(o, "no-tlsv") && versionFlags[o] != "":
		if v.No == nil {
			v.No = map[string]bool{}
		}
		v.No[versionFlags[o]] = true
	case strings.HasPrefix(o, "force-tlsv") && versionFlags[o] != "":
		if v.Force == nil {
			v.Force = map[string]bool{}
		}
		v.Force[versionFlags[o]] = true
	default:
		return false
	}
	return true
}

// globalTLS reads ssl-default-bind-options/-ciphers/-ciphersuites; an
// option of ssl-default-bind-options other than the version ones is
// reported unsupported.
func (b *builder) globalTLS(g *haproxy.Global) tlsDefaults {
	var d tlsDefaults
	for _, st := range g.Raw {
		if len(st.Args) < 2 {
			continue
		}
		switch st.Args[0] {
		case "ssl-default-bind-ciphers":
			d.ciphers = st.Args[1]
		case "ssl-default-bind-curves":
			d.curves = st.Args[1]
		case "ssl-default-bind-ciphersuites":
			d.cipherSuites = st.Args[1]
		case "ssl-default-bind-options":
			args := preferClientDefault(st.Args, &d) // prefer_client.go
			b.defaultTLSOptions(st.Pos, args, &d.versions, &d.noTickets)
		}
	}
	return d
}

// defaultTLSOptions applies the words of an ssl-default-bind-options or
// ssl-default-server-options line (args, the keyword first):
// no-tls-tickets and the version options (ssl-min-ver and ssl-max-ver
// take the next word); any other is reported unsupported.
func (b *builder) defaultTLSOptions(pos haproxy.Pos, args []string, versions *tlsconf.Versions, noTickets *bool) {
	a := args[1:]
	for i := 0; i < len(a); i++ {
		o, val := a[i], ""
		if o == "ssl-min-ver" || o == "ssl-max-ver" {
			if i+1 < len(a) {
				val = a[i+1]
			}
			i++
		}
		if o == "no-tls-tickets" {
			*noTickets = true
		} else if !applyVersionOption(versions, o, val) {
			b.unsupported(pos, args[0]+" "+o)
		}
	}
}

// bindTLS builds the TLS server configuration of a `bind ... ssl` line,
// and its client certificate verifier when it has ignore-err options;
// nil (reported) when it cannot be honoured.
func (b *builder) bindTLS(bd haproxy.Bind) (*tls.Config, *tlsconf.ClientVerify) {
	if b.tlsDefaults == nil {
		d := b.globalTLS(b.global)
		b.tlsDefaults = &d
	}
	d := *b.tlsDefaults
	v := lineVersions(d.versions, bd.Options)
	b.certRegistry()
	tb := tlsconf.Bind{Lifetime: b.global.TLS.Lifetime, Crts: bd.Crts, Versions: v, Ciphers: d.ciphers, CipherSuites: d.cipherSuites, NoTickets: d.noTickets, Curves: d.curves,
		Registry: b.plan.Certs, Where: fmt.Sprintf("%s:%d", bd.Pos.File, bd.Pos.Line), KeyLog: b.tlsCapture.KeyLog}
	tb.Warn = func(msg string) {
		// HAProxy loads a certificate once for all the binds naming it.
		if !b.seen["warn:"+msg] {
			b.seen["warn:"+msg] = true
			b.plan.Notices.Raw(haproxy.Warning, "", 0, "config : "+msg)
		}
	}
	for o, v := range bd.Options {
		switch o {
		case "alpn":
			tb.ALPN = v
		case "ciphers":
			tb.Ciphers = v
		case "ciphersuites":
			tb.CipherSuites = v
		case "no-tls-tickets":
			tb.NoTickets = true
		case "strict-sni":
			tb.StrictSNI = true
		case "no-ca-names":
			tb.NoCANames = true
		case "ca-verify-file":
			tb.CAVerifyFile = underBase(b.global, "ca-base", v)
		case "ca-file":
			tb.CAFile = underBase(b.global, "ca-base", v)
		case "verify":
			tb.Verify = v
		case "crl-file":
			tb.CRLFile = underBase(b.global, "ca-base", v)
		case "curves", "ecdhe":
			tb.Curves = v
		case "ca-ignore-err", "crt-ignore-err":
			codes, all, _ := haproxy.ParseIgnoreErr(o, v)
			set := &tlsconf.IgnoreSet{All: all}
			for _, c := range codes {
				set.Add(c)
			}
			if o == "ca-ignore-err" {
				tb.CAIgnore = set
			} else {
				tb.CrtIgnore = set
			}
		case "generate-certificates":
			ca, ok := bd.Options["ca-sign-file"]
			if !ok {
				b.unsupported(bd.Pos, "bind option generate-certificates without ca-sign-file")
				return nil, nil
			}
			tb.GenerateCA = underBase(b.global, "ca-base", ca)
			tb.GenerateCache = sslCtxCacheSize(b.global)
		case "tls-ticket-keys":
			keys, err := b.ticketKeys(v)
			if err != nil {
				b.unsupported(bd.Pos, "bind option tls-ticket-keys: "+err.Error())
				return nil, nil
			}
			tb.TicketKeys, tb.TicketFile = keys, v
		case "crt-list":
			l, err := tlsconf.LoadCrtList(v, baseOf(b.global, "crt-base"), baseOf(b.global, "ca-base"))
			if err != nil {
				b.unsupported(bd.Pos, "bind option crt-list: "+err.Error())
				return nil, nil
			}
			tb.List, tb.ListPath = l, v
		default:
			applyVersionOption(&tb.Versions, o, v)
		}
	}
	if len(tb.Crts) == 0 && len(tb.List) == 0 {
		b.unsupported(bd.Pos, "bind ssl without crt")
		return nil, nil
	}
	if (tb.CAIgnore != nil || tb.CrtIgnore != nil) && len(tb.List) > 0 {
		b.unsupported(bd.Pos, "bind option ca-ignore-err/crt-ignore-err with crt-list")
		return nil, nil
	}
	if !b.tls12Only(bd, tb) { // tls_session_fetch.go
		return nil, nil
	}
	if !b.preferClient(bd, d, &tb) { // prefer_client.go
		return nil, nil
	}
	if !b.dheFree(bd, tb) { // tls_tune.go
		return nil, nil
	}
	cfg, cv, err := tb.Server()
	if err != nil {
		b.unsupported(bd.Pos, "bind option ssl: "+err.Error())
		return nil, nil
	}
	return cfg, cv
}

// addTLS records a listener's TLS configuration (nil: clear text).
func (b *builder) addTLS(fe *proxy.Frontend, addr string, tc *tls.Config, v *tlsconf.ClientVerify) {
	if tc == nil {
		return
	}
	fe.TLSCapture = b.tlsCapture
	if fe.TLS == nil {
		fe.TLS = map[string]*tls.Config{}
	}
	fe.TLS[addr] = tc
	if v != nil {
		if fe.TLSVerify == nil {
			fe.TLSVerify = map[string]*tlsconf.ClientVerify{}
		}
		fe.TLSVerify[addr] = v
	}
}

// underBase applies global crt-base/ca-base to a relative file name, as
// HAProxy does for ca-file (the parser does it for crt).
func underBase(g *haproxy.Global, kw, name string) string {
	if strings.HasPrefix(name, "/") {
		return name
	}
	base := baseOf(g, kw)
	if base == "" {
		return name
	}
	return base + "/" + name
}

// baseOf is the value of global crt-base or ca-base ("" = none).
func baseOf(g *haproxy.Global, kw string) string {
	base := ""
	for _, st := range g.Raw {
		if len(st.Args) > 1 && st.Args[0] == kw {
			base = st.Args[1]
		}
	}
	return base
}

// ticketKeys are a tls-ticket-keys file's keys, the encrypting one
// first: those the check read, else (a check without file access) the
// file read and checked here as HAProxy checks it.
func (b *builder) ticketKeys(path string) ([][]byte, error) {
	if keys, ok := b.cfg.TicketKeys[path]; ok {
		return keys, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	keys, msg := haproxy.ParseTicketKeys(data)
	if msg != "" {
		return nil, fmt.Errorf("'%s' : %s", path, msg)
	}
	return keys, nil
}

// sslCtxCacheSize is global tune.ssl.ssl-ctx-cache-size, the forged
// certificates generate-certificates keeps (HAProxy's default 1000).
func sslCtxCacheSize(g *haproxy.Global) int {
	n := 1000
	for _, st := range g.Raw {
		if len(st.Args) > 1 && st.Args[0] == "tune.ssl.ssl-ctx-cache-size" {
			if v, err := strconv.Atoi(st.Args[1]); err == nil && v >= 0 {
				n = v
			}
		}
	}
	return n
}

// lineVersions is the version settings a bind or server line starts
// from: the defaults' (ssl-default-bind/server-options), whose no-* and
// force-* flags its own add to (HAProxy ORs them) and whose min/max its
// own replace. A force-tlsv1x of the line sets both ends over the
// defaults' min/max, as HAProxy's: a default ssl-max-ver TLSv1.2 and a
// line's force-tlsv13 speak TLS 1.3.
func lineVersions(d tlsconf.Versions, opts map[string]string) tlsconf.Versions {
	v := copyVersions(d)
	for o := range opts {
		if versionFlags[o] != "" && strings.HasPrefix(o, "force-") {
			v.Min, v.Max = "", ""
		}
	}
	return v
}

func copyVersions(v tlsconf.Versions) tlsconf.Versions {
	out := tlsconf.Versions{Min: v.Min, Max: v.Max, No: map[string]bool{}, Force: map[string]bool{}}
	for k := range v.No {
		out.No[k] = true
	}
	for k := range v.Force {
		out.Force[k] = true
	}
	return out
}
