package wire

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// httpCheck maps `option httpchk [meth] [uri] [ver]` and the `http-check
// send`/`expect` lines. HAProxy's defaults: OPTIONS / HTTP/1.0.
func (b *builder) httpCheck(px *haproxy.Proxy) *HTTPCheck {
	h := &HTTPCheck{Method: px.HTTPCheck.Method, URI: px.HTTPCheck.URI, Version: px.HTTPCheck.Version}
	for _, st := range px.HTTPCheck.Rules {
		w := st.Args // "http-check", verb, ...
		if len(w) < 2 {
			continue
		}
		switch w[1] {
		case "send":
			for i := 2; i+1 < len(w); i += 2 {
				switch w[i] {
				case "meth":
					h.Method = w[i+1]
				case "uri":
					h.URI = w[i+1]
				case "ver":
					h.Version = w[i+1]
				case "hdr":
					if i+2 < len(w) {
						h.Headers = append(h.Headers, [2]string{w[i+1], w[i+2]})
						i++
					}
				case "body":
					h.Body = w[i+1]
				case "comment":
				default:
					b.unsupported(st.Pos, "http-check send "+w[i])
				}
			}
		case "expect":
			args := w[2:]
			neg := false
			if len(args) > 0 && args[0] == "!" {
				neg, args = true, args[1:]
			}
			if len(args) > 0 && strings.HasPrefix(args[0], "!") {
				neg, args[0] = true, strings.TrimPrefix(args[0], "!")
			}
			if len(args) != 2 {
				b.unsupported(st.Pos, "http-check expect "+strings.Join(w[2:], " "))
				continue
			}
			switch args[0] {
			case "status", "rstatus", "string", "rstring":
				h.ExpectKind, h.ExpectValue, h.ExpectNegate = args[0], args[1], neg
			default:
				b.unsupported(st.Pos, "http-check expect "+args[0])
			}
		case "comment":
		default:
			b.unsupported(st.Pos, "http-check "+w[1])
		}
	}
	if h.Method == "" {
		h.Method = "OPTIONS"
	}
	if h.URI == "" {
		h.URI = "/"
	}
	if h.Version == "" {
		h.Version = "HTTP/1.0"
	}
	return h
}
