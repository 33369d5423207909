package haproxycfg

import (
	"maps"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// DynamicCheck is what a backend's health check is for a server `add
// server ... check` creates at run time: the check the backend's options
// make (httpchk, tcp-check, the protocol checks) with no server in it,
// and the timeouts its per-server timeouts are computed from
// (check.CheckTimeouts with the server's inter).
type DynamicCheck struct {
	Spec                  CheckSpec
	ConnectTimeout, Check time.Duration
}

// dynamicCheck records the backend's check for dynamic servers. A check
// the build would refuse for a configured server, or an external check,
// is left out (goha then refuses `add server ... check` there), and the
// refusal does not reach the configuration's notices: no server of the
// file asked for it.
func (b *builder) dynamicCheck(px *haproxy.Proxy) {
	notices, seen := len(b.plan.Notices.List), maps.Clone(b.seen)
	c := b.check(px, &haproxy.Server{Name: ""}, "")
	refused := len(b.plan.Notices.List) > notices
	b.plan.Notices.List, b.seen = b.plan.Notices.List[:notices], seen
	if refused || c.External != nil {
		return
	}
	if b.plan.DynamicChecks == nil {
		b.plan.DynamicChecks = map[string]DynamicCheck{}
	}
	b.plan.DynamicChecks[px.Name] = DynamicCheck{Spec: c, ConnectTimeout: px.Timeouts.Connect, Check: px.Timeouts.Check}
}
