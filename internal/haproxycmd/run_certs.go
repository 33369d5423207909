package haproxycmd

import "github.com/goha-lb/goha/proxy/tlsconf"

// CertRegistry gives the runtime API's ssl commands the certificates the
// TLS binds serve (nil: no TLS bind).
func (s *runtimeSource) CertRegistry() *tlsconf.Registry { return s.w.plan.Certs }
