package proxy

// EarlyHint is http-request early-hint <name> <value>: an HTTP/1.1
// client gets a 103 Early Hints response carrying that one header, at
// once, before the rules go on (HAProxy 2.6 sends one 103 per rule run,
// as measured; an HTTP/1.0 client gets none; an HTTP/2 client's stream
// bridge sends it as a 103 HEADERS frame). Name is lower case.
const EarlyHint RuleAction = 500

// earlyHint sends the 103 of an EarlyHint rule.
func (s *session) earlyHint(r *HeaderRule) {
	if s.req.Minor < 1 {
		return
	}
	value := r.Value
	if r.Format != nil {
		value = r.Format(&s.info)
	}
	out := append(s.out[:0], "HTTP/1.1 103 Early Hints\r\n"...)
	out = append(out, r.Name...)
	out = append(out, ": "...)
	out = append(out, value...)
	out = append(out, "\r\n\r\n"...)
	s.out = out
	s.clientWriteMessage(out)
}
