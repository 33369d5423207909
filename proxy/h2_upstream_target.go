package proxy

import (
	"strings"

	"github.com/goha-lb/goha/proxy/http1"
)

// HAProxy 2.6's H2 mux sends a request to a server (mux_h2.c,
// h2s_bck_make_req_headers) from its HTX start line: a URI in absolute
// form (an HTTP/1.1 client's absolute-form target, or an HTTP/2
// client's request that carried :authority) gives :scheme as written,
// :authority up to the first '/', and the rest as :path ("/" when
// empty, "*" for OPTIONS), and the host field is not sent; any other URI
// (origin form) goes as :path with no :authority and the host field
// kept, :scheme "http" only for an HTTP/2 client's request that said
// :scheme http, else "https", whether the server is spoken to in clear
// or over TLS (measured on 2.6.12: TestH2ServerRequestBytesMatchHAProxy).

// target is the :scheme, :authority ("" for none) and :path of the
// request r for its server.
func (u *h2Upstream) target(r *http1.Request) (scheme, authority, path string) {
	uri := string(r.Target)
	switch {
	case u.fromH2 && u.clientAu != "":
		// The HTX URI is clientScheme://clientAu + the path, whose "*"
		// HAProxy leaves out.
		scheme, authority = u.clientScheme, u.clientAu
		if uri == "*" {
			uri = ""
		}
	case uri != "" && uri[0] != '/' && uri[0] != '*':
		if i := strings.IndexByte(uri, ':'); i > 0 && strings.HasPrefix(uri[i:], "://") {
			scheme, uri = uri[:i], uri[i+3:]
			j := strings.IndexByte(uri, '/')
			if j < 0 {
				j = len(uri)
			}
			authority, uri = uri[:j], uri[j:]
		}
	}
	if scheme == "" {
		scheme = "https"
		if u.fromH2 && strings.EqualFold(u.clientScheme, "http") {
			scheme = "http"
		}
	}
	if uri == "" {
		uri = "/"
		if string(r.Method) == "OPTIONS" {
			uri = "*"
		}
	}
	return scheme, authority, uri
}
