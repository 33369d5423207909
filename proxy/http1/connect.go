package http1

// CONNECT requests, as HAProxy 2.6's H1 parser takes them (measured on
// 2.6.12): the request switches to tunnel mode at its head, so whatever
// follows the head is tunnel data, never a body. It is held until the
// server's answer: a 2xx makes the connection a tunnel, any other status
// leaves those bytes to be read as the next request.
//
//   - A Content-Length field is dropped from the request sent on (its
//     HTX message keeps it: ConnectCL).
//   - A Transfer-Encoding field stays, and the server is asked to close
//     (connection: close): the framing cannot be told.
//   - A 2xx answer's own Content-Length or Transfer-Encoding does not
//     frame anything either: what follows its head is tunnel data.

// IsConnect reports a CONNECT request (the method is case-sensitive, as
// HAProxy's method table is).
func (r *Request) IsConnect() bool { return string(r.Method) == "CONNECT" }

// connectFraming applies the tunnel mode to a CONNECT request's framing.
func (r *Request) connectFraming() {
	if r.Chunked {
		r.ConnectTE = true
	}
	if r.ContentLength >= 0 {
		hs := r.Headers[:0]
		for _, h := range r.Headers {
			if !EqualFold(h.Name, "content-length") {
				hs = append(hs, h)
			} else {
				r.ConnectCL += len(h.Name) + len(h.Value)
			}
		}
		r.Headers = hs
	}
	r.ContentLength, r.Chunked = -1, false
}
