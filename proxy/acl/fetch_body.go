package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// The request body fetches: they read what is buffered of the body
// (proxy.RequestInfo.Body), which `option http-buffer-request` or an
// `http-request wait-for-body` rule fills before the rules that follow.
func init() {
	sint := haproxy.SampleSInt
	rows := map[string]fetchDef{
		"req.body": {out: haproxy.SampleBin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			b, ok := r.Body()
			return ok && yield(value{t: haproxy.SampleBin, s: bstr(b)})
		})},
		"req.body_len": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			b, ok := r.Body()
			return ok && yield(value{t: sint, i: int64(len(b))})
		})},
		"req.body_size": {out: sint, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			n, ok := r.BodySize()
			return ok && yield(value{t: sint, i: n})
		})},
		// The response body the http-response rules see (a wait-for-body
		// rule fills it; else what came with the head).
		"res.body": {out: haproxy.SampleBin, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			b, ok := r.ResBody()
			return ok && yield(value{t: haproxy.SampleBin, s: bstr(b)})
		})},
		"res.body_len": {out: sint, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			b, ok := r.ResBody()
			return ok && yield(value{t: sint, i: int64(len(b))})
		})},
		"res.body_size": {out: sint, use: useResHeader, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			n, ok := r.ResBodySize()
			return ok && yield(value{t: sint, i: n})
		})},
		"req.body_param": {out: haproxy.SampleStr, build: func(args []haproxy.Arg) (fetchFunc, error) {
			if len(args) > 1 {
				return nil, fmt.Errorf("expects at most one name")
			}
			name := ""
			if len(args) == 1 {
				name = args[0].Str
			}
			return func(r *proxy.RequestInfo, yield func(value) bool) bool {
				b, ok := r.Body()
				return ok && bodyParam(bstr(b), name, yield)
			}, nil
		}},
	}
	for k, v := range rows {
		fetches[k] = v
	}
}

// bodyParam yields the values of the parameters name of a form-encoded
// body, as HAProxy's req.body_param: parameters split on '&', a name
// matched case-sensitively and followed by '=', the value as written (not
// decoded). Without a name, every parameter's value.
func bodyParam(body, name string, yield func(value) bool) bool {
	for body != "" {
		var kv string
		if i := strings.IndexByte(body, '&'); i >= 0 {
			kv, body = body[:i], body[i+1:]
		} else {
			kv, body = body, ""
		}
		if name == "" {
			// Measured: without a name, each parameter's value.
			_, v, _ := strings.Cut(kv, "=")
			if yield(strValue(v)) {
				return true
			}
			continue
		}
		if !strings.HasPrefix(kv, name) || len(kv) <= len(name) || kv[len(name)] != '=' {
			continue
		}
		if yield(strValue(kv[len(name)+1:])) {
			return true
		}
	}
	return false
}
