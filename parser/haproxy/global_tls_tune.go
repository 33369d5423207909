package haproxy

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The global TLS settings that change which certificate chain and files
// a bind or a server serves and how long TLS sessions resume
// (Global.TLS), and the TLS tuning goha accepts as inert, each checked as
// HAProxy 2.6 checks it (cfgparse-ssl.c).

// TLSTune are the global TLS settings read by proxy/haproxycfg
// (tls_tune.go) and proxy/tlsconf (loadopts.go).
type TLSTune struct {
	// Lifetime is tune.ssl.lifetime (0: not set, or 0: OpenSSL's
	// default session timeout, 7200 s): a session older than that is not
	// resumed.
	Lifetime time.Duration
	// CacheSize is tune.ssl.cachesize (nil: not set, HAProxy's 20000).
	CacheSize *int
	// NoExtra are the companion files ssl-load-extra-files does not
	// load beside a crt (zero: all of them, HAProxy's default).
	NoExtra ExtraFiles
	// DelExt is ssl-load-extra-del-ext: the companion of "x.crt" is
	// "x.key" (".ocsp", ...), not "x.crt.key".
	DelExt bool
	// Issuers are the chains of issuers-chain-path (the last one given),
	// that complete a certificate loaded without its chain.
	Issuers     []IssuerChain
	IssuersPath string
	// SkipSelfIssuedCA is ssl-skip-self-issued-ca: a self-issued CA is
	// left out of the chain sent.
	SkipSelfIssuedCA bool
	// DH is the statement that gives TLS binds DH parameters
	// (tune.ssl.default-dh-param or ssl-dh-param-file; "": none), which
	// makes HAProxy serve the DHE suites of its default cipher list
	// (proxy/haproxycfg tls_tune.go refuses a bind that would).
	DH string
	// MaxSSLRate is maxsslrate (0: none; global_limits.go), MaxSSLConn
	// maxsslconn (0: none): the proxy applies both (ssl_limits.go) and
	// `show info` shows them (MaxSslConns, SslRateLimit).
	MaxSSLRate, MaxSSLConn int
}

// ExtraFiles are the companion files of a crt (ssl-load-extra-files).
type ExtraFiles uint8

const (
	ExtraBundle ExtraFiles = 1 << iota // ".rsa", ".ecdsa", ".dsa" bundles
	ExtraSCTL                          // ".sctl"
	ExtraOCSP                          // ".ocsp"
	ExtraIssuer                        // ".issuer"
	ExtraKey                           // ".key"
	ExtraAll    = ExtraBundle | ExtraSCTL | ExtraOCSP | ExtraIssuer | ExtraKey
)

// IssuerChain is one file of issuers-chain-path: its certificates (DER,
// in file order), the first being the issuer found by its subject key
// identifier.
type IssuerChain struct {
	Path  string
	SKID  []byte
	Certs [][]byte
}

// CompanionPath is the path of a crt's companion file of extension ext
// (".key", ".ocsp", ".issuer", ".sctl"): "<crt><ext>", or with DelExt
// "<crt without .crt><ext>" when the crt ends in ".crt".
func (t TLSTune) CompanionPath(crt, ext string) string {
	if t.DelExt {
		if base, ok := strings.CutSuffix(crt, ".crt"); ok {
			return base + ext
		}
	}
	return crt + ext
}

// keyPath is where the private key of a crt without one is looked for
// ("": nowhere, ssl-load-extra-files without key).
func (t TLSTune) keyPath(crt string) string {
	if t.NoExtra&ExtraKey != 0 {
		return ""
	}
	return t.CompanionPath(crt, ".key")
}

// globalTLSInt is tune.ssl.cachesize, tune.ssl.maxrecord,
// tune.ssl.hard-maxrecord and maxsslconn: atoi's value, not negative.
func (s *state) globalTLSInt(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects an integer argument.", l.kw)
		return
	}
	n, _, _ := leadingInt(l.arg(1))
	if n < 0 {
		s.alert(l.p, "'%s' expects a positive numeric value.", l.kw)
		return
	}
	switch l.kw {
	case "tune.ssl.cachesize":
		// goha keeps no session-ID cache, with the line or without
		// (README, known differences): 0 is HAProxy's no cache.
		g.TLS.CacheSize = &n
	case "maxsslconn":
		g.TLS.MaxSSLConn = n // proxy ssl_limits.go
	default:
		s.globalUnsupported(g, l) // maxrecord, hard-maxrecord (inert)
	}
}

// globalTLSFlag is ssl-skip-self-issued-ca, ssl-load-extra-del-ext,
// ssl-mode-async (arguments ignored, as HAProxy does) and
// tune.ssl.force-private-cache (none allowed).
func (s *state) globalTLSFlag(g *Global, l *kwLine) {
	switch l.kw {
	case "tune.ssl.force-private-cache":
		if len(l.w) > 1 {
			s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[1])
			return
		}
		s.globalUnsupported(g, l)
	case "ssl-mode-async":
		s.globalUnsupported(g, l)
	case "ssl-skip-self-issued-ca":
		g.TLS.SkipSelfIssuedCA = true
	case "ssl-load-extra-del-ext":
		g.TLS.DelExt = true
	}
}

// globalTLSLifetime is tune.ssl.lifetime <time>, in seconds unless a
// unit is given.
func (s *state) globalTLSLifetime(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	v := l.arg(1)
	if v == "" {
		s.alert(l.p, "'%s' expects ssl sessions <lifetime> in seconds as argument.", l.kw)
		return
	}
	d, bad, over := secondsValue(v)
	switch {
	case over:
		s.alert(l.p, "timer overflow in argument '%s' to <%s> (maximum value is 2147483647 s or ~68 years).", v, l.kw)
		return
	case bad >= 0:
		s.alert(l.p, "unexpected character '%c' in argument to <%s>.", v[bad], l.kw)
		return
	}
	s.timerWarn(l.p, v)
	g.TLS.Lifetime = d
}

// secondsValue reads a time whose default unit is the second, as
// HAProxy's parse_time_err with TIME_UNIT_S: the whole seconds (a
// fraction is dropped), the index of a bad character (-1: none), or an
// overflow past 2^31-1 s.
func secondsValue(v string) (time.Duration, int, bool) {
	i := 0
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	if i == 0 {
		return 0, 0, false
	}
	n, err := strconv.ParseUint(v[:i], 10, 64)
	if err != nil {
		return 0, -1, true
	}
	unit := time.Second
	if i < len(v) {
		next := byte(0)
		if i+1 < len(v) {
			next = v[i+1]
		}
		switch {
		case v[i] == 'u' && next == 's':
			unit = time.Microsecond
		case v[i] == 'm' && next == 's':
			unit = time.Millisecond
		case v[i] == 'm':
			unit = time.Minute
		case v[i] == 's':
		case v[i] == 'h':
			unit = time.Hour
		case v[i] == 'd':
			unit = 24 * time.Hour
		default:
			return 0, i, false
		}
	}
	secs := n * uint64(unit) / uint64(time.Second)
	if n > uint64(1<<62)/uint64(unit) || secs > 2147483647 {
		return 0, -1, true
	}
	return time.Duration(secs) * time.Second, -1, false
}

// globalTLSExtraFiles is ssl-load-extra-files <none|all|bundle|sctl|
// ocsp|issuer|key>...
func (s *state) globalTLSExtraFiles(g *Global, l *kwLine) {
	const usage = "'%s' expects one or multiple arguments (none, all, bundle, sctl, ocsp, issuer)."
	if l.arg(1) == "" {
		s.alert(l.p, usage, l.kw)
		return
	}
	names := map[string]ExtraFiles{"bundle": ExtraBundle, "sctl": ExtraSCTL, "ocsp": ExtraOCSP, "issuer": ExtraIssuer, "key": ExtraKey}
	var on ExtraFiles
	for i, w := range l.w[1:] {
		if w == "none" || w == "all" {
			if i > 0 || len(l.w) > 2 {
				s.alert(l.p, "'%s' 'none' and 'all' can be only used alone", l.kw)
				return
			}
			if w == "all" {
				on = ExtraAll
			}
			break
		}
		f, ok := names[w]
		if !ok {
			s.alert(l.p, usage, l.kw)
			return
		}
		on |= f
	}
	g.TLS.NoExtra = ExtraAll &^ on
}

// globalTLSDHParamFile is ssl-dh-param-file <file>: HAProxy loads the
// DH parameters at once and fails without them; goha serves no DHE suite,
// so they are then inert.
func (s *state) globalTLSDHParamFile(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects a file path as an argument.", l.kw)
		return
	}
	// (a check without file access reads no content: readable is enough)
	if data, ok := s.lookups.readFile(l.arg(1)); ok && !HasDHParams(data) || !ok && !s.lookups.readable(l.arg(1)) {
		s.alert(l.p, "'%s': unable to load DH parameters from file <%s>.", l.kw, l.arg(1))
		return
	}
	g.TLS.DH = l.kw
	s.globalUnsupported(g, l)
}

// HasDHParams reports a PEM "DH PARAMETERS" (PKCS#3) or "X9.42 DH
// PARAMETERS" block holding a sequence that starts with two integers.
func HasDHParams(data []byte) bool {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return false
		}
		if b.Type != "DH PARAMETERS" && b.Type != "X9.42 DH PARAMETERS" {
			continue
		}
		var params struct {
			P, G asn1.RawValue
			Rest []asn1.RawValue `asn1:"optional"`
		}
		if _, err := asn1.Unmarshal(b.Bytes, &params); err == nil &&
			params.P.Tag == asn1.TagInteger && params.G.Tag == asn1.TagInteger {
			return true
		}
	}
}

// globalTLSDefaultDH is tune.ssl.default-dh-param <bits>, 1024 at least.
func (s *state) globalTLSDefaultDH(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects an integer argument.", l.kw)
		return
	}
	if n, _, _ := leadingInt(l.arg(1)); n < 1024 {
		s.alert(l.p, "'%s' expects a value >= 1024.", l.kw)
		return
	}
	if g.TLS.DH == "" {
		g.TLS.DH = l.kw
	}
	s.globalUnsupported(g, l)
}

// globalTLSIssuers is issuers-chain-path <dir>: every regular file of
// the directory, in name order, is a chain whose first certificate is
// found by its subject key identifier; HAProxy warns of a file without a
// certificate, without that identifier, or whose identifier an earlier
// file has. A later line replaces the chains (the same directory again
// keeps them).
func (s *state) globalTLSIssuers(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	dir := l.arg(1)
	fi, err := os.Stat(s.lookups.at(dir)) // (default-path: HAProxy's chdir)
	if dir == "" || err != nil {
		s.alert(l.p, "global statement '%s' expects a directory path as an argument.\n", l.kw)
		return
	}
	if !fi.IsDir() {
		s.alert(l.p, "global statement '%s': %s is not a directory.\n", l.kw, dir)
		return
	}
	dir = strings.TrimRight(dir, "/")
	if dir == g.TLS.IssuersPath {
		return
	}
	g.TLS.IssuersPath = dir
	g.TLS.Issuers = nil
	ents, err := os.ReadDir(s.lookups.at(dir))
	if err != nil {
		s.alert(l.p, "global statement '%s': unable to scan directory '%s' : %v.\n", l.kw, dir, err)
		return
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	warn := func(msg string) { s.d.Raw(Warning, l.p.File, l.p.Line, "config : "+msg) }
	for _, n := range names {
		fp := dir + "/" + n
		st, err := os.Stat(s.lookups.at(fp))
		if err != nil {
			warn(fmt.Sprintf("unable to stat certificate from file '%s' : %v.", fp, err))
			continue
		}
		if !st.Mode().IsRegular() {
			continue
		}
		data, err := os.ReadFile(s.lookups.at(fp))
		if err != nil {
			continue
		}
		certs := pemCerts(data)
		if len(certs) == 0 {
			warn(fmt.Sprintf("unable to load issuers-chain %s : pem certificate not found.", fp))
			continue
		}
		first, err := x509.ParseCertificate(certs[0])
		if err != nil {
			warn(fmt.Sprintf("unable to load issuers-chain %s : pem certificate not found.", fp))
			continue
		}
		if len(first.SubjectKeyId) == 0 {
			warn(fmt.Sprintf("unable to load issuers-chain %s : SubjectKeyIdentifier not found.", fp))
			continue
		}
		dup := ""
		for _, c := range g.TLS.Issuers {
			if bytes.Equal(c.SKID, first.SubjectKeyId) {
				dup = c.Path
			}
		}
		if dup != "" {
			warn(fmt.Sprintf("duplicate issuers-chain %s: %s already in store", fp, dup))
			continue
		}
		g.TLS.Issuers = append(g.TLS.Issuers, IssuerChain{Path: fp, SKID: first.SubjectKeyId, Certs: certs})
	}
}

// pemCerts are the DER certificates of a PEM file, in order.
func pemCerts(data []byte) [][]byte {
	var out [][]byte
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return out
		}
		if b.Type == "CERTIFICATE" || b.Type == "TRUSTED CERTIFICATE" {
			out = append(out, b.Bytes)
		}
	}
}

// globalTLSProvider is ssl-provider <name>, ssl-provider-path <dir> and
// ssl-propquery <query>. Loading "default" is what OpenSSL does without
// the line; another provider (or a property query) would change which
// implementations do the cryptography, which goha's Go TLS cannot follow.
func (s *state) globalTLSProvider(g *Global, l *kwLine) {
	what := map[string]string{"ssl-provider": "a valid engine provider name", "ssl-provider-path": "a directory path",
		"ssl-propquery": "a property string"}[l.kw]
	if l.arg(1) == "" {
		s.alert(l.p, "global statement '%s' expects %s as an argument.", l.kw, what)
		return
	}
	switch {
	case l.kw == "ssl-provider" && l.arg(1) == "default":
		g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
	case l.kw == "ssl-provider":
		g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
		s.d.Unsupported(l.p.File, l.p.Line, l.kw+" "+l.arg(1))
	default:
		s.globalUnsupported(g, l)
	}
}
