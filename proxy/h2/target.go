package h2

import "strings"

// SplitAbsolute gives the :scheme, :authority and :path HAProxy 2.6's H2
// mux sends for a request URI (mux_h2.c): an absolute URI
// (scheme://authority/path) its scheme as written, its authority up to
// the first '/', the rest; any other its path, no authority and scheme
// "https". An empty path is "/", or "*" for OPTIONS.
func SplitAbsolute(uri, method string) (scheme, authority, path string) {
	path = uri
	if uri != "" && uri[0] != '/' && uri[0] != '*' {
		if i := strings.IndexByte(uri, ':'); i > 0 && strings.HasPrefix(uri[i:], "://") {
			scheme, path = uri[:i], uri[i+3:]
			j := strings.IndexByte(path, '/')
			if j < 0 {
				j = len(path)
			}
			authority, path = path[:j], path[j:]
		}
	}
	if scheme == "" {
		scheme = "https"
	}
	if path == "" {
		path = "/"
		if method == "OPTIONS" {
			path = "*"
		}
	}
	return scheme, authority, path
}
