package acl

import (
	"fmt"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// The capture.* fetches read what the transaction captured (HAProxy's
// internal samples: available everywhere, the log line included): the
// capture slots by number, and the request line and response version as
// received.
func init() {
	str := haproxy.SampleStr
	rows := map[string]fetchDef{
		"capture.req.hdr": {out: str, build: captureSlot(false)},
		"capture.res.hdr": {out: str, build: captureSlot(true)},
		"capture.req.method": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			m, _, _ := r.RequestLine()
			return m != nil && yield(strValue(bstr(m)))
		})},
		"capture.req.uri": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			_, u, _ := r.RequestLine()
			return u != nil && yield(strValue(bstr(u)))
		})},
		"capture.req.ver": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			_, _, v := r.RequestLine()
			return v != nil && yield(strValue(bstr(v)))
		})},
		"capture.res.ver": {out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			v := r.ResponseVersion()
			return v != nil && yield(strValue(bstr(v)))
		})},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// captureSlot is the builder of capture.req.hdr(<n>)/capture.res.hdr(<n>).
func captureSlot(res bool) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) != 1 || args[0].Kind != haproxy.ArgSInt || args[0].Int < 0 {
			return nil, fmt.Errorf("expects one capture number")
		}
		slot := int(args[0].Int)
		return func(r *proxy.RequestInfo, yield func(value) bool) bool {
			v, ok := r.Capture(res, slot)
			return ok && yield(strValue(v))
		}, nil
	}
}

// unique-id is the transaction's unique-id (unique-id-format), made at
// its first use; no sample without a format.
func init() {
	fetches["unique-id"] = fetchDef{out: haproxy.SampleStr, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		id := r.UniqueID()
		return id != "" && yield(strValue(id))
	})}
}
