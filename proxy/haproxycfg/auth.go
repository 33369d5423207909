package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/crypt"
)

// checkUserlists reports the users whose password goha cannot check: a
// crypt(3) method other than MD5, SHA-256 and SHA-512 (DES, bcrypt,
// yescrypt, ...), or no password at all. The lists are kept as they are:
// a refused configuration does not run.
func (b *builder) checkUserlists(uls []haproxy.Userlist) []haproxy.Userlist {
	for _, ul := range uls {
		for _, u := range ul.Users {
			switch {
			case u.NoPassword:
				b.unsupported(u.Pos, "userlist user '"+u.Name+"' without a password")
			case !u.Insecure && !crypt.Supported(u.Password):
				b.unsupported(u.Pos, "userlist user '"+u.Name+"' password: a crypt(3) method other than $1$, $5$ or $6$")
			}
		}
	}
	return uls
}

// authRule maps `http-request auth [realm <realm>]`: HAProxy 2.6 answers
// with the proxy's 401 page (its errorfile for 401, else the built-in
// one) plus `www-authenticate: Basic realm="<realm>"` as the last header,
// the realm being the proxy's name by default. The answer is built once.
func authRule(args []string, px *haproxy.Proxy, ps *pageSet) (proxy.HeaderRule, error) {
	realm := px.Name
	switch {
	case len(args) == 0:
	case len(args) == 2 && args[0] == "realm":
		realm = args[1]
	default:
		return proxy.HeaderRule{}, errUnsupported("http-request auth " + strings.Join(args, " "))
	}
	if _, own := ps.pages[401]; !own && px.Kind == "backend" {
		// HAProxy answers with the backend's 401 page, else the
		// frontend's: the page is picked per request, the header
		// appended then (proxy/backend_rules.go).
		return proxy.HeaderRule{Action: proxy.Return, Status: 401, Name: "www-authenticate", Value: `Basic realm="` + realm + `"`}, nil
	}
	page, closes, _ := pageFor(ps, 401)
	return proxy.HeaderRule{Action: proxy.Return, Status: 401, Reply: withHeader(page, "www-authenticate", `Basic realm="`+realm+`"`), Close: closes}, nil
}

// withHeader appends one header to a whole response's head.
func withHeader(page []byte, name, value string) []byte {
	i := strings.Index(string(page), "\r\n\r\n")
	if i < 0 {
		return page
	}
	out := make([]byte, 0, len(page)+len(name)+len(value)+4)
	out = append(out, page[:i+2]...)
	out = append(out, name+": "+value+"\r\n"...)
	return append(out, page[i+2:]...)
}
