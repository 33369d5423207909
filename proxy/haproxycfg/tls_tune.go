package haproxycfg

import "github.com/goha-lb/goha/proxy/tlsconf"

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
