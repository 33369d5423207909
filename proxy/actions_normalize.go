package proxy

// NormalizeURI is http-request normalize-uri <normalizer>, Name holding
// the normalizer: "path-merge-slashes", "percent-to-uppercase" or
// "fragment-strip" (the others are refused by the config adapter).
const NormalizeURI RuleAction = 700

// normalizeURI rewrites the request target as the rule's normalizer does.
func (s *session) normalizeURI(r *HeaderRule) {
	src := s.info.Target
	out := normalizeTarget(nil, src, r.Name)
	s.target = append(s.target[:0], out...)
	s.info.Target = s.target
}

// normalizeTarget appends to dst the target with normalizer applied, as
// HAProxy 2.6's uri_normalizer functions rewrite the path (after any
// scheme and authority, which stay as they are).
func normalizeTarget(dst, target []byte, normalizer string) []byte {
	start := pathStart(target)
	dst = append(dst, target[:start]...)
	uri := target[start:]
	switch normalizer {
	case "path-merge-slashes":
		end := len(uri)
		for i, c := range uri {
			if c == '?' {
				end = i
				break
			}
		}
		for i := 0; i < end; i++ {
			if uri[i] == '/' && i > 0 && uri[i-1] == '/' {
				continue
			}
			dst = append(dst, uri[i])
		}
		return append(dst, uri[end:]...)
	case "percent-to-uppercase":
		for i := 0; i < len(uri); i++ {
			c := uri[i]
			if c == '%' && i+2 < len(uri) && isHex(uri[i+1]) && isHex(uri[i+2]) {
				dst = append(dst, '%', upperHex(uri[i+1]), upperHex(uri[i+2]))
				i += 2
				continue
			}
			dst = append(dst, c)
		}
		return dst
	case "fragment-strip":
		for i, c := range uri {
			if c == '#' {
				return append(dst, uri[:i]...)
			}
		}
	}
	return append(dst, uri...)
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}
