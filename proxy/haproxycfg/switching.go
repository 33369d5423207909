package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// useBackends maps a frontend's use_backend rules: a literal name, or a
// log-format one (%[...]) the data path computes per request; conditions
// and samples that read what a frontend has not yet (the backend) are
// refused, as HAProxy refuses them.
func (b *builder) useBackends(px *haproxy.Proxy, acls *acl.Set) []proxy.UseBackend {
	var out []proxy.UseBackend
	for _, u := range px.UseBackends {
		ub := proxy.UseBackend{Backend: u.Backend}
		if strings.Contains(u.Backend, "%") {
			if b.rawHTTPFormat(px, u.Pos, "use_backend with a dynamic name", u.Backend) { // tcp_http_fetch.go
				continue
			}
			f, err := acl.CompileAppendFormat(u.Backend)
			if msg := acl.FormatUnavailable(u.Backend, acl.FrontRequest); err == nil && msg != "" {
				err = errors.New(msg)
			}
			if err != nil {
				b.unsupported(u.Pos, "use_backend with a dynamic name: "+err.Error())
				continue
			}
			ub.Dynamic = f
		}
		if u.Cond != nil {
			if msg := acls.Unavailable(u.Cond, acl.FrontRequest); msg != "" {
				b.unsupported(u.Pos, "use_backend condition: "+msg)
				continue
			}
			c, err := acls.Compile(u.Cond)
			if err != nil {
				b.unsupported(u.Pos, "use_backend condition: "+err.Error())
				continue
			}
			ub.Cond = c
		}
		out = append(out, ub)
	}
	return out
}
