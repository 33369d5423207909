package haproxycfg

import (
	"cmp"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
)

// httpCheck maps `option httpchk [meth] [uri] [ver]` and the typed
// `http-check send`/`expect`/`connect` steps to proxy/check's request,
// expects and connect; what they refuse is reported and left out. The parts
// of the request line neither gives are the defaults table's (OPTIONS /
// HTTP/1.0).
func (b *builder) httpCheck(px *haproxy.Proxy) (*check.ProbeRequest, []check.Expect, check.Connect) {
	hc := px.HTTPCheck
	req := check.OptionHTTPChk(cmp.Or(hc.Method, haproxy.DefaultHTTPCheckMethod),
		cmp.Or(hc.URI, haproxy.DefaultHTTPCheckURI), cmp.Or(hc.Version, haproxy.DefaultHTTPCheckVersion))
	var expects []check.Expect
	var connect check.Connect
	stepped := false // a send, expect or connect came before
	sent := false    // a send or expect came before
	// a comment line labels the rules that follow it, up to a rule of
	// another kind (as check.FinishTCPRules)
	comment, prev := "", haproxy.StepComment
	for _, st := range px.HTTPCheck.Rules {
		if st.Verb == "" {
			continue
		}
		if st.Kind != prev && prev != haproxy.StepComment {
			comment = ""
		}
		prev = st.Kind
		first := !stepped
		stepped = stepped || st.Kind == haproxy.StepSend || st.Kind == haproxy.StepExpect || st.Kind == haproxy.StepConnect
		// the line as the notices quote it: "http-check <verb> <args>"
		line := "http-check " + st.Text
		if st.Text == st.Verb {
			line += " "
		}
		switch st.Kind {
		case haproxy.StepComment:
			if st.Invalid != "" {
				b.unsupported(st.Pos, line)
			}
			comment = st.Comment
		case haproxy.StepSetVar:
			// run before the request is built: one after the send or an
			// expect (which would read the response) is reported
			if sent {
				b.unsupported(st.Pos, line+": a variable step after 'http-check send' or 'expect'")
				continue
			}
			if err := req.AddVarStep(st.Var); err != nil {
				b.unsupported(st.Pos, line+": "+err.Error())
			}
		case haproxy.StepSend:
			sent = true
			// the parts read before a refused word still apply, as before
			if err := req.ApplySend(st.Send); err != nil {
				b.unsupported(st.Pos, "http-check send: "+err.Error())
			}
			if st.Invalid != "" {
				b.unsupported(st.Pos, "http-check send: "+st.Invalid)
			}
		case haproxy.StepExpect:
			sent = true
			e, err := check.NewExpect(st.Expect)
			if st.Invalid != "" || err != nil {
				b.unsupported(st.Pos, line)
				continue
			}
			e.Comment = cmp.Or(st.Comment, comment)
			expects = append(expects, e)
		case haproxy.StepConnect:
			// proxy/check runs one connect, before anything is sent: a
			// rule sequence with a later or a second connect is reported.
			if !first || st.Invalid != "" || st.Connect.PortExpr != "" { // (an expression port: tcp-check's only)
				b.unsupported(st.Pos, line)
				continue
			}
			connect = check.NewConnect(st.Connect)
		case haproxy.StepDisableOn404: // see disableOn404
		case haproxy.StepSendState: // see sendState
		default:
			b.unsupported(st.Pos, "http-check "+st.Verb)
		}
	}
	if px.Options["h1-case-adjust-bogus-server"] {
		req.Case = b.global.H1CaseAdjust // HAProxy's H1 mux adjusts checks too
	}
	req.SetVarLimit(b.checkVarLimit()) // vars_limits.go
	return &req, expects, connect
}

// disableOn404 is `http-check disable-on-404`: a 404 answer drains an UP
// server instead of failing it (check.HTTPProbe.DisableOn404).
func disableOn404(px *haproxy.Proxy) bool {
	for _, st := range px.HTTPCheck.Rules {
		if st.Kind == haproxy.StepDisableOn404 {
			return true
		}
	}
	return false
}

// sendState is `http-check send-state`: every HTTP check carries
// HAProxy's X-Haproxy-Server-State header (check.Target.SendState).
func sendState(px *haproxy.Proxy) bool {
	for _, st := range px.HTTPCheck.Rules {
		if st.Kind == haproxy.StepSendState {
			return true
		}
	}
	return false
}

// tcpCheck maps the proxy's check option other than httpchk: `option
// tcp-check` with its tcp-check lines (the forms proxy/check cannot run
// are reported and left out), or a protocol check. The probe is built
// once per proxy.
func (b *builder) tcpCheck(px *haproxy.Proxy) *check.TCPCheckProbe {
	if p, ok := b.tcpChecks[px]; ok {
		return p
	}
	opt := px.TCPCheck.Option
	var p check.TCPCheckProbe
	if opt.Invalid != "" {
		b.unsupported(px.TCPCheck.Pos, "option "+opt.Text+": "+opt.Invalid)
	}
	switch opt.Name {
	case "tcp-check":
		var rules []check.TCPRule
		for i, st := range px.TCPCheck.Rules {
			r, err := check.NewTCPRule(st)
			if err != nil {
				b.unsupported(st.Pos, "tcp-check "+st.Text+": "+err.Error())
				continue
			}
			r.Index = i // HAProxy numbers steps over every tcp-check line
			rules = append(rules, r)
		}
		p = check.NewTCPCheck(rules)
		p.VarLimit = b.checkVarLimit() // vars_limits.go
	case "redis-check":
		p = check.RedisCheck()
	case "ssl-hello-chk":
		p = check.SSLHelloCheck(nil)
	case "smtpchk":
		p = check.SMTPCheck(opt.SMTPHello)
	case "ldap-check":
		p = check.LDAPCheck()
	case "pgsql-check":
		p = check.PgSQLCheck(opt.User) // the parser checked "user <name>"
	case "mysql-check":
		if opt.Invalid == "" {
			p = check.MySQLCheck(opt.User, opt.MySQLPre != 40)
		}
	}
	if b.tcpChecks == nil {
		b.tcpChecks = map[*haproxy.Proxy]*check.TCPCheckProbe{}
	}
	b.tcpChecks[px] = &p
	return &p
}
