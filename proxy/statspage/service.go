package statspage

import (
	"strings"
	"sync/atomic"

	"github.com/goha-lb/goha/proxy"
)

// Service serves one proxy's stats page inside the proxy (HAProxy's
// <STATS> applet). Its data source is bound once the running proxy
// exists: the page shows the runtime's counters, which the configuration
// adapter building the Service cannot reach yet.
type Service struct {
	Options Options
	// Admin: requests this Service answers may use the admin form (the
	// `stats admin` condition held; haproxycfg puts that Service's rule
	// first).
	Admin bool
	src   atomic.Pointer[sourceBox]
}

type sourceBox struct{ Source }

// Bind sets the data source (an AdminSource for the admin form); until
// then the page answers 503.
func (s *Service) Bind(src Source) { s.src.Store(&sourceBox{src}) }

// LogName is the server name of the requests it answers in the logs.
func (s *Service) LogName() string { return "<STATS>" }

// SkipsResponseRules: HAProxy's http-response rules never see the stats
// page's replies (its http-after-response rules do).
func (s *Service) SkipsResponseRules() bool { return true }

// Serve answers a request the stats rule matched.
func (s *Service) Serve(r *proxy.ServiceRequest) proxy.ServiceReply {
	box := s.src.Load()
	if box == nil {
		return proxy.ServiceReply{Status: 503}
	}
	uri := r.Path
	if r.Query != "" {
		uri += "?" + r.Query
	}
	resp := Serve(&s.Options, Request{Method: r.Method, URI: uri, Authorization: string(r.Header("authorization")),
		Admin: s.Admin, Body: r.Body}, box.Source)
	rep := proxy.ServiceReply{Status: resp.Status, Body: []byte(resp.Body), Chunked: resp.Streamed, FramingLast: resp.Streamed}
	for _, h := range resp.Headers {
		rep.Headers = append(rep.Headers, proxy.ReplyHeader{Name: h.Name, Value: h.Value})
	}
	return rep
}

// Match is the condition of the stats rule: HAProxy serves the page for
// GET, HEAD and POST requests whose URI starts with the stats prefix.
func (s *Service) Match(r *proxy.RequestInfo) bool {
	return s.Options.Matches(string(r.Method), requestURI(r.Target))
}

// requestURI is the path and query of a request target; an absolute URI
// is reduced to them as HAProxy does before comparing with the prefix.
func requestURI(target []byte) string {
	t := string(target)
	if len(t) > 0 && t[0] != '/' {
		if _, rest, ok := strings.Cut(t, "://"); ok {
			if j := strings.IndexByte(rest, '/'); j >= 0 {
				return rest[j:]
			}
			return "/"
		}
	}
	return t
}

// Refusal answers a stats request its `stats http-request` rules refuse:
// deny's 403, or auth's 401 naming Realm ("" = the page's default).
type Refusal struct {
	Deny  bool
	Realm string
}

// LogName names the stats applet in the logs, as for the page.
func (r *Refusal) LogName() string { return "<STATS>" }

// Serve answers with the refusal.
func (r *Refusal) Serve(*proxy.ServiceRequest) proxy.ServiceReply {
	resp := forbidden()
	if !r.Deny {
		realm := r.Realm
		if realm == "" {
			realm = "HAProxy Statistics"
		}
		resp = challenge(realm)
	}
	rep := proxy.ServiceReply{Status: resp.Status, Body: []byte(resp.Body)}
	for _, h := range resp.Headers {
		rep.Headers = append(rep.Headers, proxy.ReplyHeader{Name: h.Name, Value: h.Value})
	}
	return rep
}
