package proxy

import "strings"

// redirectPath is the part of a request target a server's `redir`
// prefix is followed by: from the path's first '/' on, query included,
// the scheme and authority of an absolute target dropped (HAProxy's
// http_parse_path); false when the target has no path ("*", an
// authority), which HAProxy forwards instead.
func redirectPath(target string) (string, bool) {
	if strings.HasPrefix(target, "/") {
		return target, true
	}
	scheme, rest, ok := strings.Cut(target, "://")
	if !ok || scheme == "" {
		return "", false
	}
	i := strings.IndexByte(rest, '/')
	if i < 0 {
		return "", false
	}
	return rest[i:], true
}

// serverRedirect is HAProxy's answer for a GET or HEAD request assigned
// to a server with `redir <prefix>`: a 302 to the prefix followed by the
// request's path, never a connection to the server ("/" as the prefix
// keeps the path alone), and the connection closes. It is logged with
// the server, no connect or response time, and the LC flags.
func serverRedirect(prefix, path string) []byte {
	if prefix == "/" {
		prefix = ""
	}
	return []byte("HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: " + prefix + path + "\r\n\r\n")
}

// redirectToServer answers the request with srv's redirect, which
// connect chose instead of connecting (clientAddrs.redirectPath).
func (s *session) redirectToServer(be *backend, srv *server, path string) bool {
	srv.stats.sessions.Add(1)
	srv.stats.redirected.Add(1)
	be.release(srv)
	s.fe.stats.countStatus(302)
	be.stats.countStatus(302)
	s.writeAnswer(serverRedirect(srv.cfg.Redir, path), true)
	// HAProxy puts "connection: close" in the HTX message itself here
	// (where its H1 output adds it to other replies), so the log counts it
	s.uncounted -= int64(len("connection") + len("close"))
	s.emitLog(be, srv, 302, term('L', 'C'))
	return false
}
