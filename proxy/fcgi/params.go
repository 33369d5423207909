package fcgi

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// App is what a request's parameters take from its fcgi-app section.
type App struct {
	DocRoot string
	Index   string
	// PathInfo, when set, splits the decoded path: its first capture is
	// SCRIPT_NAME, its second PATH_INFO.
	PathInfo *regexp.Regexp
	// Software is SERVER_SOFTWARE ("HAProxy <version>" in HAProxy).
	Software string
}

// Request is the request as HAProxy's FastCGI mux sees it, once the
// rules ran and the fcgi-app's hidden headers left.
type Request struct {
	Method, URI, Version string
	Headers              []Param // name-value pairs of the header fields, in order
	// Sets are the set-param results, from SetParams.
	Sets []Param
	// ServerIDHeader, when set (http-send-name-header), is replaced by
	// ServerID after the other headers, as HAProxy's mux sends it.
	ServerIDHeader, ServerID string
	// BodyLen is the body's size when no content-length field gives it
	// (HAProxy counts the data it buffered: all of it, as the fcgi
	// filter waits for the whole body).
	BodyLen int64
	// The client connection: its destination (port and address) and
	// source, and whether it is TLS.
	DstAddr string
	DstPort int
	SrcAddr string
	SrcPort int
	HTTPS   bool
}

// ErrPath is a request whose path cannot make a SCRIPT_NAME: none, a
// bad percent-encoding, or a decoded CR/LF/NUL under a path-info regex.
var ErrPath = errors.New("fcgi: no valid path for SCRIPT_NAME")

// hidden are the header fields an fcgi-app never passes unless a
// pass-header rule names them (HAProxy's hop-by-hop list, authorization
// and httpoxy's proxy).
var hidden = []string{"authorization", "connection", "keep-alive", "proxy", "proxy-authenticate",
	"proxy-authorization", "te", "trailers", "transfer-encoding", "upgrade"}

// Hidden reports whether a header field (any case) is dropped when no
// pass-header rule that applies names it.
func Hidden(name string, passed func(lower string) bool) bool {
	l := strings.ToLower(name)
	for _, h := range hidden {
		if h == l {
			return passed == nil || !passed(l)
		}
	}
	return false
}

// SetName is a set-param name as HAProxy keys it: lower case, every
// byte that is not a letter or digit '_'.
func SetName(name string) string { return strings.ToLower(ParamName(name)) }

// SetParams orders the set-param rules that applied (in configuration
// order, the implicit REMOTE_USER and AUTH_TYPE first) as HAProxy sends
// them: one per name, the last rule's value, names in byte order, empty
// values left out.
func SetParams(rules []Param) []Param {
	last := map[string]string{}
	for _, r := range rules {
		last[SetName(r.Name)] = r.Value
	}
	out := make([]Param, 0, len(last))
	for n, v := range last {
		if v != "" {
			out = append(out, Param{Name: n, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// The defaults a set-param of the same (normalised) name replaces.
const (
	spGateway = 1 << iota
	spDocRoot
	spScriptName
	spPathInfo
	spReqURI
	spReqMeth
	spQS
	spSrvPort
	spSrvProto
	spSrvName
	spRemAddr
	spRemPort
	spScriptFile
	spPathTrans
	spContLen
	spHTTPS
	spSrvSoft
)

// setMask: note "request_meth", HAProxy's own name for it: a
// set-param REQUEST_METHOD does not replace the default.
var setMask = map[string]int{
	"gateway_interface": spGateway, "document_root": spDocRoot, "script_name": spScriptName,
	"path_info": spPathInfo, "request_uri": spReqURI, "request_meth": spReqMeth,
	"query_string": spQS, "server_name": spSrvName, "server_port": spSrvPort,
	"server_protocol": spSrvProto, "remote_addr": spRemAddr, "remote_port": spRemPort,
	"script_filename": spScriptFile, "path_translated": spPathTrans, "https": spHTTPS,
	"server_software": spSrvSoft,
}

// Params builds the PARAMS stream's pairs in HAProxy 2.6's order: the
// header fields (content-length and content-type as CONTENT_*, others
// as HTTP_*), the set-param ones, then the defaults no set-param
// replaced, empty values left out.
func Params(app *App, r *Request) ([]Param, error) {
	out := make([]Param, 0, len(r.Headers)+len(r.Sets)+16)
	mask := 0
	var srvName string
	docroot, scriptName, pathInfo, uri := app.DocRoot, "", "", r.URI
	for _, h := range r.Headers {
		l := strings.ToLower(h.Name)
		switch {
		case l == "content-length":
			mask |= spContLen
			out = append(out, Param{"CONTENT_LENGTH", h.Value})
		case l == "content-type":
			out = append(out, Param{"CONTENT_TYPE", h.Value})
		default:
			if l == "host" {
				srvName = h.Value
			}
			if r.ServerIDHeader != "" && l == strings.ToLower(r.ServerIDHeader) {
				continue
			}
			out = append(out, Param{ParamName("http_" + h.Name), h.Value})
		}
	}
	for _, s := range r.Sets {
		bit := setMask[s.Name]
		mask |= bit
		switch bit {
		case spDocRoot:
			docroot = s.Value
		case spScriptName:
			scriptName = s.Value
		case spPathInfo:
			pathInfo = s.Value
		case spReqURI:
			uri = s.Value
		}
		out = append(out, Param{ParamName(s.Name), s.Value})
	}
	if r.ServerIDHeader != "" {
		out = append(out, Param{ParamName("http_" + r.ServerIDHeader), r.ServerID})
	}
	if srvName == "" {
		srvName = r.DstAddr
	}
	qs := ""
	if mask&(spScriptName|spPathInfo|spQS) != spScriptName|spPathInfo|spQS {
		path := pathOf(uri)
		if mask&spScriptName == 0 && path == "" {
			return nil, ErrPath
		}
		if mask&spQS == 0 {
			if i := strings.IndexByte(path, '?'); i >= 0 {
				qs, path = path[i+1:], path[:i]
			}
		}
		if mask&spScriptName != 0 {
			// HAProxy 2.6 leaves here before it sets SERVER_SOFTWARE:
			// a set-param SCRIPT_NAME without PATH_INFO and
			// QUERY_STRING ones loses it (measured).
			mask |= spPathInfo | spSrvSoft
		} else {
			dec, ok := urlDecode(path)
			if !ok {
				return nil, ErrPath
			}
			scriptName = dec
			if app.PathInfo != nil {
				if strings.ContainsAny(dec, "\n\x00") {
					return nil, ErrPath
				}
				if m := app.PathInfo.FindStringSubmatchIndex(dec); len(m) >= 4 && m[2] >= 0 {
					scriptName = dec[m[2]:m[3]]
					if mask&spPathInfo == 0 && len(m) >= 6 && m[4] >= 0 {
						pathInfo = dec[m[4]:m[5]]
					}
				}
			}
			if app.Index != "" && strings.HasSuffix(scriptName, "/") {
				scriptName += app.Index
			}
		}
	}
	contLen := strconv.FormatInt(r.BodyLen, 10)
	add := func(bit int, name, value string) {
		if mask&bit == 0 && value != "" {
			out = append(out, Param{name, value})
		}
	}
	add(spGateway, "GATEWAY_INTERFACE", "CGI/1.1")
	add(spDocRoot, "DOCUMENT_ROOT", docroot)
	add(spScriptName, "SCRIPT_NAME", scriptName)
	add(spPathInfo, "PATH_INFO", pathInfo)
	add(spReqURI, "REQUEST_URI", uri)
	add(spReqMeth, "REQUEST_METHOD", r.Method)
	add(spQS, "QUERY_STRING", qs)
	add(spSrvName, "SERVER_NAME", srvName)
	add(spSrvPort, "SERVER_PORT", strconv.Itoa(r.DstPort))
	add(spSrvProto, "SERVER_PROTOCOL", r.Version)
	add(spRemAddr, "REMOTE_ADDR", r.SrcAddr)
	add(spRemPort, "REMOTE_PORT", strconv.Itoa(r.SrcPort))
	add(spScriptFile, "SCRIPT_FILENAME", docroot+scriptName)
	if pathInfo != "" {
		add(spPathTrans, "PATH_TRANSLATED", docroot+pathInfo)
	}
	add(spContLen, "CONTENT_LENGTH", contLen)
	if r.HTTPS {
		add(spHTTPS, "HTTPS", "on")
	}
	add(spSrvSoft, "SERVER_SOFTWARE", app.Software)
	return out, nil
}

// pathOf is the path (with its query) of a request target: all of an
// origin-form one, what follows the authority of an absolute one, ""
// for "*" or an authority alone.
func pathOf(uri string) string {
	if strings.HasPrefix(uri, "/") {
		return uri
	}
	if i := strings.Index(uri, "://"); i >= 0 {
		rest := uri[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
	}
	return ""
}

// urlDecode decodes %XX sequences ('+' stays), false on a bad one.
func urlDecode(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, true
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b = append(b, s[i])
			continue
		}
		if i+2 >= len(s) {
			return "", false
		}
		h, ok1 := unhex(s[i+1])
		l, ok2 := unhex(s[i+2])
		if !ok1 || !ok2 {
			return "", false
		}
		b = append(b, h<<4|l)
		i += 2
	}
	return string(b), true
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
