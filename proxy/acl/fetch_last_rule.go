package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// last_rule_file and last_rule_line: where the last rule that ended its
// list with a verdict was written (proxy/last_rule.go), no value before
// one ran or without a stream (connection and session rules).
func init() {
	fetches["last_rule_file"] = fetchDef{out: haproxy.SampleStr, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		o, ok := r.LastRule()
		return ok && yield(strValue(o.File))
	})}
	fetches["last_rule_line"] = fetchDef{out: haproxy.SampleSInt, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		o, ok := r.LastRule()
		return ok && yield(value{t: haproxy.SampleSInt, i: int64(o.Line)})
	})}
}
