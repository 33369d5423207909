package haproxycfg

import (
	"regexp"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/fcgi"
)

// serverFCGI makes a `proto fcgi` server speak FastCGI for its
// backend's fcgi-app (the parser checked there is one). A backend with
// filters besides it is refused: HAProxy orders them against the fcgi
// filter, which goha does not.
func (b *builder) serverFCGI(px *haproxy.Proxy, s *haproxy.Server, sv *proxy.Server) {
	app := b.cfg.FCGIAppNamed(px.UseFCGIApp)
	if app == nil || px.Mode != "http" {
		b.unsupported(s.Pos, "server proto fcgi")
		return
	}
	if len(px.Filters) > 0 || px.Compression != nil {
		b.unsupported(px.UseFCGIAppPos, "use-fcgi-app in a proxy with filters or compression")
		return
	}
	a := &proxy.FCGIApp{KeepConn: app.KeepConn,
		App: fcgi.App{DocRoot: app.DocRoot, Index: app.Index, Software: "HAProxy " + haproxy.Version + "-goha"}}
	if app.PathInfo != "" {
		a.App.PathInfo = regexp.MustCompile(app.PathInfo) // the parser compiled it
	}
	user, err1 := acl.CompileFormat("%[http_auth_user]")
	typ, err2 := acl.CompileFormat("%[http_auth_type]")
	if err1 != nil || err2 != nil {
		b.unsupported(s.Pos, "server proto fcgi")
		return
	}
	a.AuthUser, a.AuthType = user, typ
	sv.FCGI = a
}
