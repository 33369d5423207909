package acl

import (
	"encoding/base64"
	"fmt"
	"strings"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/internal/crypt"
)

// HTTP authentication against userlists, as HAProxy 2.6 reads it
// (http_fetch.c get_http_auth, auth.c check_user and pat_match_auth):
// the first value of the first Authorization field is "<scheme>
// <data>"; a scheme that is a case-insensitive prefix of "Basic" (even
// "B") is Basic, else one of "Bearer" is Bearer, anything else is no
// credentials. Basic data is base64 of "user:password", cut at a NUL as
// HAProxy's C strings are.

// authKind is the scheme of a request's credentials.
type authKind int

const (
	authNone authKind = iota
	authBasic
	authBearer
)

// credentials reads the request's Authorization field.
func credentials(r *proxy.RequestInfo) (kind authKind, user, pass string) {
	var v string
	found := false
	for _, h := range r.Headers() {
		if http1.EqualFold(h.Name, "authorization") {
			v, found = bstr(h.Value), true
			break
		}
	}
	if !found {
		return authNone, "", ""
	}
	// The first comma-separated value, trimmed (http_find_header without
	// "full"; a quoted comma separates nothing).
	v = v[:http1.ListElemEnd(v)]
	v = strings.Trim(v, " \t")
	scheme, data, ok := strings.Cut(v, " ")
	if !ok || scheme == "" {
		return authNone, "", ""
	}
	data = strings.TrimLeft(data, " ")
	switch {
	case len(scheme) <= len("Basic") && strings.EqualFold(scheme, "Basic"[:len(scheme)]):
		raw, err := base64.StdEncoding.DecodeString(data)
		if err != nil || strings.ContainsAny(data, "\r\n") {
			return authNone, "", ""
		}
		s := string(raw)
		if i := strings.IndexByte(s, 0); i >= 0 {
			s = s[:i]
		}
		user, pass, ok := strings.Cut(s, ":")
		if !ok {
			return authNone, "", ""
		}
		return authBasic, user, pass
	case len(scheme) <= len("Bearer") && strings.EqualFold(scheme, "Bearer"[:len(scheme)]):
		return authBearer, "", ""
	}
	return authNone, "", ""
}

// userlist is a compiled userlist: its users by name.
type userlist struct {
	users map[string]*haproxy.User
}

func compileUserlist(ul *haproxy.Userlist) *userlist {
	c := &userlist{users: make(map[string]*haproxy.User, len(ul.Users))}
	for i := range ul.Users {
		c.users[ul.Users[i].Name] = &ul.Users[i]
	}
	return c
}

// check is HAProxy's check_user: the user exists and the password is its
// clear text one (insecure-password) or hashes to its crypt(3) one.
func (l *userlist) check(user, pass string) (*haproxy.User, bool) {
	u := l.users[user]
	if u == nil || u.NoPassword {
		return nil, false
	}
	if u.Insecure {
		return u, pass == u.Password
	}
	return u, crypt.Verify(pass, u.Password)
}

// authenticated is the user the request's Basic credentials authenticate
// in l, or nil.
func (l *userlist) authenticated(r *proxy.RequestInfo) *haproxy.User {
	kind, user, pass := credentials(r)
	if kind != authBasic {
		return nil
	}
	u, ok := l.check(user, pass)
	if !ok {
		return nil
	}
	return u
}

// The fetches that need no userlist.
func init() {
	str := haproxy.SampleStr
	fetches["http_auth_type"] = fetchDef{out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		switch kind, _, _ := credentials(r); kind {
		case authBasic:
			return yield(strValue("Basic"))
		case authBearer:
			return yield(strValue("Bearer"))
		}
		return false
	})}
	fetches["http_auth_user"] = fetchDef{out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		kind, user, _ := credentials(r)
		return kind == authBasic && yield(strValue(user))
	})}
	fetches["http_auth_pass"] = fetchDef{out: str, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		kind, _, pass := credentials(r)
		return kind == authBasic && yield(strValue(pass))
	})}
}

// findUserlist compiles the userlist an http_auth or http_auth_group
// argument names.
func findUserlist(args []haproxy.Arg, uls []haproxy.Userlist) (*userlist, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("expects one userlist")
	}
	for i := range uls {
		if uls[i].Name == args[0].Str {
			return compileUserlist(&uls[i]), nil
		}
	}
	return nil, fmt.Errorf("unable to find userlist '%s'", args[0].Str)
}

// buildUserlists are the userlists of the configuration being built, for
// the http_auth and http_auth_group fetches of expressions and formats
// (%[http_auth(L)], set-var, ...), which have no Set to carry them; mu
// is held for the whole build (UseUserlists), so two builds never see
// each other's lists.
var buildUserlists struct {
	mu  sync.Mutex
	uls []haproxy.Userlist
}

// UseUserlists makes the expressions and formats compiled until release
// is called find the userlists of uls; it waits for another build's
// release first.
func UseUserlists(uls []haproxy.Userlist) (release func()) {
	buildUserlists.mu.Lock()
	buildUserlists.uls = uls
	return func() {
		buildUserlists.uls = nil
		buildUserlists.mu.Unlock()
	}
}

// authFetch is the row of http_auth(<userlist>) or
// http_auth_group(<userlist>) over the proxy's userlists; ok is false for
// another fetch.
func authFetch(name string, uls []haproxy.Userlist) (fetchDef, bool) {
	switch name {
	case "http_auth":
		return fetchDef{out: haproxy.SampleBool, build: func(args []haproxy.Arg) (fetchFunc, error) {
			l, err := findUserlist(args, uls)
			if err != nil {
				return nil, err
			}
			return func(r *proxy.RequestInfo, yield func(value) bool) bool {
				// Measured: no Basic credentials is no sample (%[...]
				// writes nothing), wrong ones are false.
				if kind, _, _ := credentials(r); kind != authBasic {
					return false
				}
				return yield(value{t: haproxy.SampleBool, i: b2i(l.authenticated(r) != nil)})
			}, nil
		}}, true
	case "http_auth_group":
		// As a sample: the authenticated user's name.
		return fetchDef{out: haproxy.SampleStr, build: func(args []haproxy.Arg) (fetchFunc, error) {
			l, err := findUserlist(args, uls)
			if err != nil {
				return nil, err
			}
			return func(r *proxy.RequestInfo, yield func(value) bool) bool {
				u := l.authenticated(r)
				return u != nil && yield(strValue(u.Name))
			}, nil
		}}, true
	}
	return fetchDef{}, false
}

// authGroupACL is `http_auth_group(<userlist>) <group> ...`: the request
// authenticates a user of the list who belongs to one of the groups.
type authGroupACL struct {
	l      *userlist
	groups []string
}

func (a *authGroupACL) Match(r *proxy.RequestInfo) bool {
	if !r.PrefetchHTTP() { // a tcp stream's head (rawhttp.go)
		return false
	}
	u := a.l.authenticated(r)
	if u == nil {
		return false
	}
	for _, g := range a.groups {
		if u.InGroup(g) {
			return true
		}
	}
	return false
}

// compileAuthGroup builds an http_auth_group ACL; HAProxy matches its
// patterns as group names only (no -m, no converters, no files).
func compileAuthGroup(a haproxy.ACL, uls []haproxy.Userlist) (proxy.Condition, error) {
	if a.Match.Method != haproxy.MatchDefault || len(a.Match.Files) > 0 || len(a.Sample.Converters) > 0 || a.Match.IgnoreCase {
		return nil, fmt.Errorf("%s: only group names are supported after http_auth_group", a.Sample.Text)
	}
	if len(a.Match.Patterns) == 0 {
		return nil, fmt.Errorf("http_auth_group(): no groups specified")
	}
	l, err := findUserlist(a.Sample.Fetch.Args, uls)
	if err != nil {
		return nil, err
	}
	return &authGroupACL{l: l, groups: a.Match.Patterns}, nil
}
