package haproxycfg

import (
	"errors"
	"regexp"
	"strings"

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
	a := &proxy.FCGIApp{Name: app.Name, KeepConn: app.KeepConn, LogStderr: b.fcgiLogs(app),
		App: fcgi.App{DocRoot: app.DocRoot, Index: app.Index, Software: "HAProxy " + haproxy.Version + "-goha"}}
	if app.PathInfo != "" {
		a.App.PathInfo = regexp.MustCompile(app.PathInfo) // the parser compiled it
	}
	// HAProxy's own first rules, then the section's.
	rules := append([]haproxy.FCGIRule{{Pos: app.Pos, Name: "REMOTE_USER", Value: "%[http_auth_user]"},
		{Pos: app.Pos, Name: "AUTH_TYPE", Value: "%[http_auth_type]"}}, app.SetParams...)
	acls := acl.NewSet(app.ACLs).WithUserlists(b.userlists)
	for _, r := range rules {
		f, err := acl.CompileFormat(r.Value)
		if msg := acl.FormatUnavailable(r.Value, acl.ListenRequest); err == nil && msg != "" {
			err = errors.New(msg)
		}
		if bad := acl.FormatReadsFetch(r.Value, readsReqBody); err == nil && bad != "" {
			err = errors.New(bodyWaitMsg(bad))
		}
		cond, cerr := b.fcgiCond(acls, r.Cond)
		if err != nil || cerr != nil {
			b.unsupported(r.Pos, "fcgi-app set-param "+r.Name+": "+errors.Join(err, cerr).Error())
			return
		}
		a.Sets = append(a.Sets, proxy.FCGISet{Name: r.Name, Value: f, Cond: cond})
	}
	for _, r := range app.PassHeaders {
		cond, err := b.fcgiCond(acls, r.Cond)
		if err != nil {
			b.unsupported(r.Pos, "fcgi-app pass-header "+r.Name+": "+err.Error())
			return
		}
		a.Pass = append(a.Pass, proxy.FCGIPass{Name: strings.ToLower(r.Name), Cond: cond})
	}
	sv.FCGI = a
}

// fcgiCond compiles a rule's condition as HAProxy's filter evaluates it:
// on the backend's request, its rules done, the server not chosen yet.
func (b *builder) fcgiCond(acls *acl.Set, c *haproxy.Condition) (proxy.Condition, error) {
	if c == nil {
		return nil, nil
	}
	if bad := acls.ReadsFetch(c, readsReqBody); bad != "" {
		return nil, errors.New(bodyWaitMsg(bad))
	}
	return acls.CompileAt(c, acl.ListenRequest)
}

// readsReqBody: HAProxy's fcgi filter waits for the request body before
// its rules run; goha sends the PARAMS with the head, before the body.
func readsReqBody(name string) bool { return strings.HasPrefix(name, "req.body") }

func bodyWaitMsg(sample string) string {
	return "sample " + sample + " reads the request body, which HAProxy's fcgi filter waits for and goha does not"
}

// fcgiLogs gives the plan an fcgi-app's log-stderr targets, once; false
// when it has none.
func (b *builder) fcgiLogs(app *haproxy.FCGIApp) bool {
	if ts, done := b.plan.FCGILogs[app.Name]; done {
		return len(ts) > 0
	}
	var ts []LogTarget
	for _, lt := range app.LogStderr {
		if lt.Global {
			ts = append(ts, b.plan.GlobalLogs...)
		} else if t, ok := b.logTarget(lt); ok {
			ts = append(ts, t)
		}
	}
	if b.plan.FCGILogs == nil {
		b.plan.FCGILogs = map[string][]LogTarget{}
	}
	b.plan.FCGILogs[app.Name] = ts
	return len(ts) > 0
}
