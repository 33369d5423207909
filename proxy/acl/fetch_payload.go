package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/clienthello"
)

// The ClientHello fetches of tcp-mode content inspection: they read the
// bytes the client sent so far (RequestInfo.Payload) with HAProxy's
// rules (proxy/clienthello). Short of bytes, they give no value and tell
// the rule to wait for more while the inspect delay runs.
func init() {
	sint, str := haproxy.SampleSInt, haproxy.SampleStr
	helloType := fetchDef{out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, st := clienthello.HelloType(r.Payload)
		return payloadValue(r, st) && yield(value{t: haproxy.SampleSInt, i: int64(v)})
	})}
	version := fetchDef{out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, st := clienthello.Version(r.Payload, proxy.InspectBufSize)
		return payloadValue(r, st) && yield(value{t: haproxy.SampleSInt, i: int64(v)})
	})}
	sni := fetchDef{out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v, st := clienthello.SNI(r.Payload)
		return payloadValue(r, st) && yield(strValue(v))
	})}
	rows := map[string]fetchDef{
		"req.ssl_hello_type": helloType,
		"req_ssl_hello_type": helloType,
		"req.ssl_ver":        version,
		"req_ssl_ver":        version,
		"req.ssl_sni":        sni,
		"req_ssl_sni":        sni,
		// Each protocol the client offers, in its order (a sample takes
		// the first).
		"req.ssl_alpn": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			l, st := clienthello.ALPN(r.Payload)
			if !payloadValue(r, st) {
				return false
			}
			for _, p := range l {
				if yield(strValue(p)) {
					return true
				}
			}
			return false
		})},
		"req.ssl_ec_ext": {out: haproxy.SampleBool, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			ok, st := clienthello.ECExt(r.Payload)
			return payloadValue(r, st) && ok && yield(boolValue(true))
		})},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// payloadValue: a value is there (OK); short of bytes, the rule is told.
func payloadValue(r *proxy.RequestInfo, st clienthello.Status) bool {
	if st == clienthello.Short {
		r.PayloadShort()
	}
	return st == clienthello.OK
}
