package statspage

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// Options are a proxy's `stats` settings.
type Options struct {
	URI         string        // `stats uri` prefix (default "/haproxy?stats")
	Refresh     time.Duration // `stats refresh` (0: none)
	HideVersion bool          // `stats hide-version`
	ShowLegends bool          // `stats show-legends`
	ShowNode    bool          // `stats show-node [name]`
	Node        string        // its name ("" = the global node)
	ShowDesc    bool          // `stats show-desc [desc]`
	Desc        string        // its text (or the global description)
	Scope       []string      // `stats scope` names; "." is Self. Empty: all
	Self        string        // the proxy serving the page
	Realm       string        // `stats realm` ("" = "HAProxy Statistics")
	Auth        []string      // `stats auth user:password` entries
}

// DefaultURI is HAProxy's stats URI prefix when only `stats enable` is set.
const DefaultURI = "/haproxy?stats"

// Source is the data of the page: `show info` and `show stat`
// (runtimeapi.Source provides both).
type Source interface {
	Info() runtimeapi.Info
	Stats() []runtimeapi.Proxy
}

// Request is what the page needs of an HTTP request.
type Request struct {
	Method string
	URI    string // path and query, as received
	// Authorization is the Authorization header's value ("" if none).
	Authorization string
	// Admin: the `stats admin` condition holds for this request.
	Admin bool
	// Body is a POST's form (the admin actions).
	Body []byte
}

// Header is one response header, lower-case name as HAProxy sends it.
type Header struct{ Name, Value string }

// Response is the page's answer; the caller frames it.
type Response struct {
	Status  int
	Headers []Header
	Body    string
	// Streamed: HAProxy streams the page (chunked); its 401 and 503
	// replies carry a content-length.
	Streamed bool
}

// Matches says whether HAProxy would serve the stats page for this
// request: GET, HEAD or POST, with a URI starting with the stats prefix.
func (o *Options) Matches(method, uri string) bool {
	if method != "GET" && method != "HEAD" && method != "POST" {
		return false
	}
	return strings.HasPrefix(uri, o.uri())
}

func (o *Options) uri() string {
	if o.URI == "" {
		return DefaultURI
	}
	return o.URI
}

func (o *Options) realm() string {
	if o.Realm == "" {
		return "HAProxy Statistics"
	}
	return o.Realm
}

// challenge is HAProxy's 401 for the stats page.
func challenge(realm string) Response {
	return Response{Status: 401, Headers: []Header{
		{"cache-control", "no-cache"},
		{"content-type", "text/html"},
		{"www-authenticate", `Basic realm="` + realm + `"`},
	}, Body: unauthorized}
}

// forbidden is HAProxy's 403 for a `stats http-request deny`.
func forbidden() Response {
	return Response{Status: 403, Headers: []Header{{"cache-control", "no-cache"}, {"content-type", "text/html"}},
		Body: "<html><body><h1>403 Forbidden</h1>\nRequest forbidden by administrative rules.\n</body></html>\n"}
}

// unauthorized is HAProxy's 401 body for the stats page.
const unauthorized = "<html><body><h1>401 Unauthorized</h1>\nYou need a valid user and password to access this content.\n</body></html>\n"

// Authorized checks an Authorization header's Basic credentials against
// `stats auth` (passwords are clear text there, as in HAProxy's generated
// userlist); true without `stats auth`.
func (o *Options) Authorized(header string) bool {
	if len(o.Auth) == 0 {
		return true
	}
	scheme, cred, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return false
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(cred))
	if err != nil {
		return false
	}
	for _, a := range o.Auth {
		if a == string(raw) {
			return true
		}
	}
	return false
}

// Serve answers one stats request from src's current data.
func Serve(o *Options, r Request, src Source) Response {
	if !o.Authorized(r.Authorization) {
		return challenge(o.realm())
	}
	rest := r.URI[len(o.uri()):]
	v := &view{opt: o, hideDown: strings.Contains(rest, ";up")}
	v.noRefresh = o.Refresh > 0 && strings.Contains(rest, ";norefresh")
	if i := strings.Index(rest, "scope="); i >= 0 {
		s := rest[i+len("scope="):]
		if j := strings.IndexAny(s, "&;"); j >= 0 {
			s = s[:j]
		}
		if len(s) > 20 { // the form's maxlength
			s = s[:20]
		}
		v.scope = htmlEncode(s)
	}
	v.admin = r.Admin
	if i := strings.Index(rest, ";st="); i >= 0 && len(rest) >= i+8 {
		v.stCode = rest[i+4 : i+8]
	}
	if r.Method == "POST" {
		code := post(r.Admin, r.Body, src)
		if code == "" {
			// An action goha does not perform (health/agent forcing,
			// kill sessions): refused rather than reported as done.
			return Response{Status: 503, Headers: []Header{{"cache-control", "no-cache"}, {"content-type", "text/html"}},
				Body: "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n</body></html>\n"}
		}
		return Response{Status: 303, Headers: []Header{{"cache-control", "no-cache"}, {"content-type", "text/plain"},
			{"content-length", "0"}, {"location", o.uri() + ";st=" + code + v.upFlag() + v.noRefreshFlag() + v.scopeTxt()}}}
	}
	headers := []Header{{"cache-control", "no-cache"}}
	var body string
	switch {
	case strings.Contains(rest, ";json-schema"):
		headers = append(headers, Header{"content-type", "application/json"})
		body = runtimeapi.SchemaJSON + "\n" // the stats socket's `show schema json`
	case strings.Contains(rest, ";json"):
		headers = append(headers, Header{"content-type", "application/json"})
		body = runtimeapi.FormatStat(scoped(v, src.Stats()), runtimeapi.StatFilter{JSON: true, UpOnly: v.hideDown})
	case strings.Contains(rest, ";csv"):
		headers = append(headers, Header{"content-type", "text/plain"})
		body = runtimeapi.FormatStat(scoped(v, src.Stats()), runtimeapi.StatFilter{UpOnly: v.hideDown})
	default:
		headers = append(headers, Header{"content-type", "text/html"})
		info := src.Info()
		body = renderHTML(v, &info, runtimeapi.FormatStat(src.Stats(), runtimeapi.StatFilter{UpOnly: v.hideDown}))
	}
	if o.Refresh > 0 && !v.noRefresh {
		headers = append(headers, Header{"refresh", strconv.FormatInt(int64(o.Refresh/time.Second), 10)})
	}
	return Response{Status: 200, Headers: headers, Body: body, Streamed: true}
}

// scoped keeps the proxies the page's scope shows, for the CSV export.
func scoped(v *view, all []runtimeapi.Proxy) []runtimeapi.Proxy {
	out := all[:0:0]
	for i, p := range all {
		if v.inScope(p.Name) {
			if p.ID == 0 {
				p.ID = i + 2 // the id FormatStat would give it in the full list
			}
			out = append(out, p)
		}
	}
	return out
}
