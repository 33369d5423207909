package check

import (
	"fmt"
	"net"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Variables and log-format strings of HTTP checks: `http-check
// set-var(check.x)`, set-var-fmt and unset-var before the send, and the
// send's uri-lf, body-lf and header values (log-format strings in HAProxy
// 2.6) built from them at each check. The expressions are those of
// checkvars.go; before the request is sent there is no response to read.

// httpDyn is the part of a ProbeRequest built at each check.
type httpDyn struct {
	acts      []varAction
	uri, body checkFormat
	hdrs      map[int]checkFormat // by index in ProbeRequest.Headers
	limit     int64               // the variables' byte limit (varlimit.go)
}

// AddVarStep adds an `http-check set-var*`/`unset-var` step, run before
// the request is built.
func (r *ProbeRequest) AddVarStep(v haproxy.CheckVar) error {
	a, err := newVarAction(v)
	if err != nil {
		return fmt.Errorf("http-check %v", err)
	}
	r.dynamic().acts = append(r.dynamic().acts, a)
	return nil
}

func (r *ProbeRequest) dynamic() *httpDyn {
	if r.dyn == nil {
		r.dyn = &httpDyn{hdrs: map[int]checkFormat{}}
	}
	return r.dyn
}

// applySendFormats compiles the log-format parts of a send applied by
// ApplySend: uri-lf, body-lf and header values holding a '%'.
func (r *ProbeRequest) applySendFormats(s haproxy.CheckSend, firstHdr int) error {
	if s.URI != "" {
		if s.URILogFormat && strings.Contains(s.URI, "%") {
			f, err := parseCheckFormat(s.URI)
			if err != nil {
				return fmt.Errorf("uri-lf '%s': %v", s.URI, err)
			}
			r.dynamic().uri = f
		} else if r.dyn != nil {
			r.dyn.uri = nil
		}
	}
	if s.Body != "" {
		if s.BodyLogFormat && strings.Contains(s.Body, "%") {
			f, err := parseCheckFormat(s.Body)
			if err != nil {
				return fmt.Errorf("body-lf '%s': %v", s.Body, err)
			}
			r.dynamic().body = f
		} else if r.dyn != nil {
			r.dyn.body = nil
		}
	}
	for i, h := range s.Headers {
		if !strings.Contains(h.Value, "%") {
			continue
		}
		f, err := parseCheckFormat(h.Value)
		if err != nil {
			return fmt.Errorf("hdr %s '%s': %v", h.Name, h.Value, err)
		}
		r.dynamic().hdrs[firstHdr+i] = f
	}
	return nil
}

// built is the request of one check run: the variable steps run, the
// log-format parts built.
func (r ProbeRequest) built(c net.Conn) ProbeRequest {
	d := r.dyn
	if d == nil {
		return r
	}
	env := &checkEnv{vars: map[string]checkVal{}, conn: newCheckConn(c), limit: d.limit}
	for _, a := range d.acts {
		a.run(env)
	}
	if d.uri != nil {
		r.URI = string(d.uri(env))
	}
	if d.body != nil {
		r.Body = string(d.body(env))
	}
	if len(d.hdrs) > 0 {
		r.Headers = append([]Header(nil), r.Headers...)
		for i, f := range d.hdrs {
			r.Headers[i].Value = string(f(env))
		}
	}
	return r
}
