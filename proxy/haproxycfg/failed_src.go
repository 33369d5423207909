package haproxycfg

import (
	"reflect"

	"github.com/goha-lb/goha/parser/haproxy"
)

// readsFailedSrc says whether a proxy's rules, formats or ACLs read
// bc_src or bc_src_port: the backends then keep the local address of a
// failed server connect for them, as HAProxy shows it
// (proxy.Backend.FailedSrc, proxy/failed_src.go). Without them no dial
// pays for it.
func readsFailedSrc(cfg *haproxy.Config) bool {
	return mentions(reflect.ValueOf([2][]*haproxy.Proxy{cfg.Defaults, cfg.Proxies}), []string{"bc_src"}, map[uintptr]bool{})["bc_src"]
}
