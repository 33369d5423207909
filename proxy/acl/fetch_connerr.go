package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// The client connection's error fetches of HAProxy 2.6: fc_err and
// fc_err_str (0 and "Success" on a connection that carried a stream,
// measured), ssl_fc_err (0 on an ssl bind, no value in clear text) and
// ssl_fc_err_str (no value without an error). A connection that failed
// before its session began carries its error in RequestInfo.ConnErr and
// SSLErr, for error-log-format. bc_err and bc_err_str are the server
// connection's (RequestInfo.ServerConnErr): 0 and "Success" once it is up,
// 34 "SSL handshake failure" after a server TLS handshake failed other
// than by timing out, no value otherwise (measured on HAProxy 2.6: a
// refused or timed-out connect leaves none).
func init() {
	sint, str := haproxy.SampleSInt, haproxy.SampleStr
	rows := map[string]fetchDef{
		"fc_err": {out: sint, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return yield(value{t: sint, i: int64(r.ConnErr)})
		})},
		"fc_err_str": {out: str, layer4: true, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			m := r.ConnErr.String()
			return m != "" && yield(strValue(m))
		})},
		"ssl_fc_err": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			return (r.TLS != nil || r.SSLFront) && yield(value{t: sint, i: int64(r.SSLErr)})
		})},
		"ssl_fc_err_str": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			m := proxy.SSLErrReason(r.SSLErr)
			return m != "" && yield(strValue(m))
		})},
	}
	for name, out := range map[string]haproxy.SampleType{"bc_err": sint, "bc_err_str": str} {
		rows[name] = fetchDef{out: out, use: useServerAddr, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			code, ok := r.ServerConnErr()
			if !ok {
				return false
			}
			if out == sint {
				return yield(value{t: sint, i: int64(code)})
			}
			return yield(strValue(code.String()))
		})}
	}
	for k, v := range rows {
		fetches[k] = v
	}
}
