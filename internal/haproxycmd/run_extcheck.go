package haproxycmd

import (
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
)

// externalProbe completes an external check with what only the running
// worker knows: HAProxy's proxy and server ids (as show stat numbers
// them), the server's maxconn, TLS and current connections.
func (w *worker) externalProbe(spec *haproxycfg.CheckSpec) check.ExternalProbe {
	p := *spec.External
	backend, server := spec.Target.Backend, spec.Target.Server
	proxyID, serverID := 0, 0
	for _, px := range (&runtimeSource{w: w}).Stats() {
		if px.Name != backend || px.Backend == nil {
			continue
		}
		proxyID = px.ID
		for _, sv := range px.Backend.Servers {
			if sv.Name == server {
				serverID = sv.ID
			}
		}
	}
	maxconn, ssl := 0, false
	for _, b := range w.plan.Proxy.Backends {
		for _, sv := range b.Servers {
			if b.Name == backend && sv.Name == server {
				maxconn, ssl = sv.MaxConn, sv.TLS != nil
			}
		}
	}
	proto := "tcp"
	if spec.HTTPMode {
		proto = "h1"
	}
	curconn := func() int {
		for _, b := range w.px.Backends() {
			for _, sv := range b.Servers {
				if b.Name == backend && sv.Name == server {
					return int(sv.Stats.CurSessions)
				}
			}
		}
		return 0
	}
	p.Env = check.ExternalEnv(backend, proxyID, p.ProxyAddr, p.ProxyPort, server, serverID, maxconn, proto, ssl, curconn)
	return p
}
