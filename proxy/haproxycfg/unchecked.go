package haproxycfg

import (
	"cmp"

	"github.com/goha-lb/goha/parser/haproxy"
)

// RiseFall is a server's configured rise and fall (HAProxy's defaults, 2
// and 3, where the server and default-server lines set none).
type RiseFall struct{ Rise, Fall int }

// noteUnchecked records the rise and fall of a server without `check`:
// HAProxy 2.6 shows its check health at rise (0 when `disabled`), and
// `set server ... health up` puts it at rise+fall-1.
func (b *builder) noteUnchecked(px *haproxy.Proxy, s *haproxy.Server) {
	if s.Check {
		return
	}
	if b.plan.Unchecked == nil {
		b.plan.Unchecked = map[string]RiseFall{}
	}
	b.plan.Unchecked[px.Name+"/"+s.Name] = RiseFall{cmp.Or(s.Rise, haproxy.DefaultCheckRise), cmp.Or(s.Fall, haproxy.DefaultCheckFall)}
}
