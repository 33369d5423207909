package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// dispatch maps `dispatch <address>:<port>`: in a backend without a
// balance algorithm (its own or its defaults'), HAProxy 2.6 sends every
// request to that address and logs no server name (<NOSRV>). With servers
// too it lists them with weight 0 and the backend DOWN while serving
// through the address (measured): refused. With a balance algorithm the
// parser has warned that the address is ignored.
func (b *builder) dispatch(px *haproxy.Proxy, be *proxy.Backend) {
	if px.Source != nil && px.Cap&haproxy.CapBackend != 0 {
		if b.plan.BackendSources == nil {
			b.plan.BackendSources = map[string]*proxy.ConnSource{}
		}
		b.plan.BackendSources[px.Name] = b.connSource(px, nil) // for servers added at run time
	}
	if px.Options["transparent"] && px.Cap&haproxy.CapBackend != 0 {
		b.transparent(px, be)
		return
	}
	if px.Dispatch.Raw == "" || px.Balance.Algorithm != "" {
		return
	}
	if len(px.Servers) > 0 {
		// HAProxy then lists the servers with weight 0 and the backend
		// DOWN while it serves through the address (measured): not
		// reproduced.
		b.unsupported(px.DispatchPos, "dispatch in a backend with servers and no balance line")
		return
	}
	addr, err := fixedServerAddr(px.Dispatch)
	if err != nil {
		b.unsupported(px.DispatchPos, "dispatch "+err.Error())
		return
	}
	be.Dispatch = &proxy.Server{Addr: addr, Weight: haproxy.DefaultServerWeight, Source: b.connSource(px, nil)}
}

// transparent maps `option transparent`: a backend without servers
// connects each request to the client's destination (TPROXY's original
// one, or what set-dst and set-dst-port made it), from its `source`, and
// logs <NOSRV>, as HAProxy 2.6 (measured): a dispatch to a server at
// 0.0.0.0 with no port (transparent.go). With servers, or with dispatch
// too, which one HAProxy uses is not pinned down: refused.
func (b *builder) transparent(px *haproxy.Proxy, be *proxy.Backend) {
	if len(px.Servers) > 0 || px.Dispatch.Raw != "" {
		b.unsupported(px.Pos, "option transparent in a backend with servers or dispatch")
		return
	}
	be.Dispatch = &proxy.Server{Addr: "0.0.0.0:0", AnyHost: true, MapPorts: true, Weight: haproxy.DefaultServerWeight,
		Source: b.connSource(px, nil)}
}
