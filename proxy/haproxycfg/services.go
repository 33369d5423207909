package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/promex"
)

// service maps `http-request use-service <name>` to the proxy's Service.
// Only HAProxy's prometheus-exporter is served; any other name (Lua
// services) is reported, so the configuration is refused (fail closed).
func (b *builder) service(r haproxy.HTTPRule, kw string) (proxy.Service, bool) {
	if kw != "http-request" || len(r.Args) != 1 || r.Args[0] != "prometheus-exporter" {
		b.unsupported(r.Pos, kw+" use-service "+strings.Join(r.Args, " "))
		return nil, false
	}
	if b.plan.Promex == nil {
		b.plan.Promex = promex.New()
	}
	return b.plan.Promex, true
}
