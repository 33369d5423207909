package acl

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// HAProxy checks, when it reads the configuration, that each sample fetch
// can have a value where it is used, and refuses the configuration when
// not ("sample fetch <path]> may not be reliably used here because it
// needs 'HTTP request headers' which is not available here."). The rows
// below are what 2.6.12 answered for each place (haproxy -c): a
// frontend's http-request rules and use_backend have no backend yet, its
// http-response rules no longer have the request's headers, and a
// log-format line has neither message's headers, only the status and
// what was captured.

// use is what a fetch needs beyond the connection and the process.
type use uint8

const (
	useAny        use = iota
	useReqHeader      // the request's headers (path, req.hdr, ...)
	useBackend        // the chosen backend (be_name, be_id)
	useResHeader      // the response's headers (res.hdr, res.ver, ...)
	useResponse       // the response (status)
	useServer         // the server the transaction went to (srv_name)
	useServerAddr     // the connection to it (bc_src, bc_http_major)
	useServerConn     // the server-side connection (ssl_bc_*)
	useResBuffer      // the response's raw bytes (res.payload): tcp-response rules only
)

var useNames = [...]string{useReqHeader: "HTTP request headers", useBackend: "backend",
	useResHeader: "HTTP response headers", useResponse: "HTTP response", useServer: "server", useServerAddr: "server address",
	useServerConn: "server-side connection", useResBuffer: "response buffer"}

func unavailableMsg(sample string, u use) string {
	return fmt.Sprintf("sample fetch <%s> may not be reliably used here because it needs '%s' which is not available here.", sample, useNames[u])
}

// Place is where a sample is evaluated.
type Place uint8

const (
	// FrontRequest: a frontend's http-request rules and use_backend.
	FrontRequest Place = iota
	// ListenRequest: a listen section's http-request rules, which
	// HAProxy checks as both frontend and backend rules.
	ListenRequest
	// Response: http-response rules.
	Response
	// Log: log-format lines.
	Log
)

func (p Place) has(u use) bool {
	switch u {
	case useReqHeader:
		return p == FrontRequest || p == ListenRequest
	case useBackend:
		return p != FrontRequest
	case useResHeader:
		return p == Response
	case useResponse, useServer, useServerAddr, useServerConn:
		return p == Response || p == Log
	case useResBuffer:
		return false
	}
	return true
}

// The request fetches of fetch.go and fetch_more.go read the request's
// headers (method reads the start line, which HAProxy keeps for the
// response and the log).
func init() {
	for _, name := range []string{"path", "url", "query", "base", "hdr", "req.hdr", "req.fhdr",
		"hdr_cnt", "req.hdr_cnt", "req.fhdr_cnt", "url_param", "urlp", "cook", "req.cook",
		"pathq", "base32", "req.hdr_names", "req.cook_cnt", "req.ver", "cook_cnt",
		"req.body", "req.body_len", "req.body_size", "req.body_param"} {
		f := fetches[name]
		f.use = useReqHeader
		fetches[name] = f
	}
}

// processFetches are the fetches a global set-var may read: those that
// need no connection nor request (HAProxy 2.6 refuses the others there:
// "fetch method 'set-var(proc.x)' extracts information from 'client
// address', none of which is available here").
var processFetches = map[string]bool{"str": true, "int": true, "ipv4": true, "ipv6": true, "bool": true,
	"bin": true, "meth": true, "env": true, "hostname": true, "nbproc": true, "always_true": true,
	"always_false": true, "date": true, "rand": true, "uuid": true, "var": true}

// ProcessUnavailable names the first fetch of the sample expressions of
// a global set-var (expr) or set-var-fmt (a log-format text, format set)
// that reads a connection or a request, or "".
func ProcessUnavailable(text string, format bool) string {
	if !format {
		text = "%[" + text + "]"
	}
	for i := strings.Index(text, "%["); i >= 0; i = strings.Index(text, "%[") {
		end := closingBracket(text[i:])
		if end < 0 {
			return ""
		}
		if name := haproxy.ParseSample(text[i+2 : i+end]).Fetch.Name; !processFetches[name] {
			return name
		}
		text = text[i+end:]
	}
	return ""
}
