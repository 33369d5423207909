package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// On a tcp stream HAProxy 2.6 gives the HTTP sample fetches a value by
// parsing the stream's bytes as an HTTP request; goha does so for the
// request head fetches (path, hdr, method, url_param, ...: acl/rawhttp.go)
// and refuses the others there (body, response, http_first_req,
// http_auth_group). The conditions of a tcp proxy's content rules and
// use_backend rules are checked by their set (acl.Set.Compile with
// WithPayload); rawHTTPExpr and rawHTTPCond check the other samples a
// tcp proxy evaluates on its streams: a dynamic use_backend name, the
// stick rules' patterns and conditions, and `balance hash <expr>`. They
// report whether they refused.

// rawHTTPFormat refuses a log-format text (a dynamic backend name) of a
// tcp proxy that reads an HTTP fetch goha refuses there.
func (b *builder) rawHTTPFormat(px *haproxy.Proxy, p haproxy.Pos, what, text string) bool {
	if px.Mode == "http" {
		return false
	}
	if bad := acl.FormatReadsHTTPMessage(text); bad != "" {
		b.unsupported(p, what+": "+acl.RawHTTPMsg(bad))
		return true
	}
	return false
}

// rawHTTPExpr refuses a sample expression of a tcp proxy that reads an
// HTTP fetch goha refuses there.
func (b *builder) rawHTTPExpr(px *haproxy.Proxy, p haproxy.Pos, what, expr string) bool {
	return b.rawHTTPFormat(px, p, what, "%["+expr+"]")
}

// rawHTTPCond refuses a condition of a tcp proxy that reads an HTTP
// fetch goha refuses there (directly or through a named or predefined ACL).
func (b *builder) rawHTTPCond(px *haproxy.Proxy, acls *acl.Set, p haproxy.Pos, what string, c *haproxy.Condition) bool {
	if px.Mode == "http" || c == nil {
		return false
	}
	if bad := acls.ReadsHTTPMessage(c); bad != "" {
		b.unsupported(p, what+": "+acl.RawHTTPMsg(bad))
		return true
	}
	return false
}
