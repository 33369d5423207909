package proxy

import (
	"strings"

	"github.com/goha-lb/goha/proxy/h2"
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
	if u.fromH2 && u.clientAu != "" {
		// The HTX URI is clientScheme://clientAu + the path, whose "*"
		// HAProxy leaves out.
		if uri == "*" {
			uri = ""
		}
		uri = u.clientScheme + "://" + u.clientAu + uri
	}
	scheme, authority, path = h2.SplitAbsolute(uri, string(r.Method))
	if authority == "" && u.fromH2 && strings.EqualFold(u.clientScheme, "http") {
		scheme = "http"
	}
	return scheme, authority, path
}
