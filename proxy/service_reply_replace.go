package proxy

import (
	"bytes"

	"github.com/goha-lb/goha/proxy/http1"
)

// replaceServiceFields runs a replace-header or replace-value rule on a
// service's reply as HAProxy 2.6 runs it on the applet's HTX message
// (measured: TestPromexResponseRulesMatchHAProxy): each field named
// r.Name is rewritten where it stands, the reply's own (its error
// page's) and those earlier rules added alike, and later fetches read
// the result. Its value is computed once, before the rule edits
// anything (replaceFields computes it at the first match, on the same
// message). The rule never meets the framing fields: haproxycfg refuses
// it on transfer-encoding and content-length.
func (s *session) replaceServiceFields(rep *ServiceReply, out *svcRules, r *HeaderRule) {
	rr := *r
	rr.Cond = nil
	rr.Value, rr.Format = r.value(&s.info), nil
	var e editedHeaders
	replace := func(value string) string {
		e.start([]http1.Header{{Name: []byte(rr.Name), Value: []byte(value)}})
		e.replaceFields(&rr, &s.info, nil)
		return string(e.list[0].Value)
	}
	if out.page != nil {
		out.page = replacePageFields(out.page, rr.Name, replace)
	} else {
		for i := range rep.Headers {
			if h := &rep.Headers[i]; http1.EqualFold([]byte(h.Name), lowerASCII(rr.Name)) {
				h.Value = replace(h.Value)
			}
		}
	}
	for i := range out.edits {
		if ed := &out.edits[i]; ed.Action != DelHeader && http1.EqualFold([]byte(ed.Name), lowerASCII(rr.Name)) {
			ed.Value = replace(ed.Value)
		}
	}
	// the head the fetches read
	e.start(s.resp.Headers)
	e.replaceFields(&rr, &s.info, nil)
	s.resp.Headers = append(s.resp.Headers[:0:0], e.list...)
}

// replacePageFields is page, a whole response, with the value of each
// field named name in its head passed through replace.
func replacePageFields(page []byte, name string, replace func(string) string) []byte {
	return eachPageHeadLine(page, func(out []byte, n int, line []byte) []byte {
		k, v, ok := bytes.Cut(line, []byte(":"))
		if line == nil || n == 0 || !ok || !http1.EqualFold(k, lowerASCII(name)) {
			return append(out, line...)
		}
		return appendHeader(out, k, []byte(replace(string(bytes.Trim(v, " \t\r\n")))))
	})
}
