package haproxycfg

import (
	"crypto/tls"
	"os"
	"path/filepath"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// certRegistry makes the configuration's certificate store on first use,
// loading certificates with the global companion-file and chain settings
// (ssl-load-extra-files, ssl-load-extra-del-ext, issuers-chain-path,
// ssl-skip-self-issued-ca: parser/haproxy TLSTune, proxy/tlsconf
// loadopts.go). tune.ssl.lifetime goes to each bind (bindTLS).
func (b *builder) certRegistry() *tlsconf.Registry {
	if b.plan.Certs == nil {
		b.plan.Certs = tlsconf.NewRegistry()
		b.plan.Certs.SetTune(&b.global.TLS)
	}
	return b.plan.Certs
}

// dheFree reports whether a TLS bind negotiates the same suites as
// HAProxy as far as DHE goes, and reports the bind when it does not:
// HAProxy serves the DHE suites of its default cipher list (OpenSSL's
// DEFAULT, for TLS 1.2 and older) once the bind has DH parameters, from
// tune.ssl.default-dh-param, ssl-dh-param-file or a "DH PARAMETERS" block
// in a crt file (measured: a client offering only DHE-RSA-AES128-GCM-SHA256
// gets a DHE handshake then, a handshake failure without them, as from
// goha); Go's TLS has no DHE. A bind with its own ciphers (or
// ssl-default-bind-ciphers: goha refuses DHE names there), or TLS 1.3
// only, never offers DHE: the parameters are inert there.
func (b *builder) dheFree(bd haproxy.Bind, tb tlsconf.Bind) bool {
	if lo, _, _, err := tb.Versions.Range(); err == nil && lo >= tls.VersionTLS13 {
		return true
	}
	check := func(ciphers string, crts ...string) bool {
		if ciphers != "" {
			return true
		}
		why := b.global.TLS.DH
		for _, c := range crts {
			if why == "" && crtHasDH(c) {
				why = "DH parameters in " + c
			}
		}
		if why == "" {
			return true
		}
		b.unsupported(bd.Pos, "bind ssl without ciphers: HAProxy serves the DHE suites of its default cipher list with "+why+
			", which Go's TLS does not implement (name the ciphers, without DHE, on the bind or in ssl-default-bind-ciphers)")
		return false
	}
	if !check(tb.Ciphers, tb.Crts...) {
		return false
	}
	for _, e := range tb.List {
		c := tb.Ciphers
		if v, ok := e.Options["ciphers"]; ok {
			c = v
		}
		if !check(c, e.Crt) {
			return false
		}
	}
	return true
}

// crtHasDH says whether a crt file, or a file of a crt directory, holds
// DH parameters.
func crtHasDH(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	files := []string{path}
	if fi.IsDir() {
		ents, _ := os.ReadDir(path)
		files = files[:0]
		for _, e := range ents {
			if !e.IsDir() {
				files = append(files, filepath.Join(path, e.Name()))
			}
		}
	}
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil && haproxy.HasDHParams(data) {
			return true
		}
	}
	return false
}
