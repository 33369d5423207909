package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
)

// httpCheck maps `option httpchk [meth] [uri] [ver]` and the `http-check
// send`/`expect` lines with proxy/check's readers; what they refuse is
// reported and left out.
func (b *builder) httpCheck(px *haproxy.Proxy) (*check.ProbeRequest, []check.Expect, check.Connect) {
	var args []string
	for _, a := range []string{px.HTTPCheck.Method, px.HTTPCheck.URI, px.HTTPCheck.Version} {
		if a != "" {
			args = append(args, a)
		}
	}
	req := check.OptionHTTPChk(args)
	var expects []check.Expect
	var connect check.Connect
	stepped := false // a send, expect or connect came before
	for _, st := range px.HTTPCheck.Rules {
		w := st.Args // "http-check", verb, ...
		if len(w) < 2 {
			continue
		}
		first := !stepped
		stepped = stepped || w[1] == "send" || w[1] == "expect" || w[1] == "connect"
		switch w[1] {
		case "send":
			if err := req.ApplySend(w[2:]); err != nil {
				b.unsupported(st.Pos, "http-check send: "+err.Error())
			}
		case "expect":
			e, err := check.ParseExpect(w[2:])
			if err != nil {
				b.unsupported(st.Pos, "http-check expect "+strings.Join(w[2:], " "))
				continue
			}
			expects = append(expects, e)
		case "connect":
			// proxy/check runs one connect, before anything is sent: a
			// rule sequence with a later or a second connect is reported.
			c, err := check.ParseConnect(w[2:])
			if !first || err != nil {
				b.unsupported(st.Pos, "http-check connect "+strings.Join(w[2:], " "))
				continue
			}
			connect = c
		case "disable-on-404": // see disableOn404
		default:
			b.unsupported(st.Pos, "http-check "+w[1])
		}
	}
	return &req, expects, connect
}

// disableOn404 is `http-check disable-on-404`: a 404 answer drains an UP
// server instead of failing it (check.HTTPProbe.DisableOn404).
func disableOn404(px *haproxy.Proxy) bool {
	for _, st := range px.HTTPCheck.Rules {
		if len(st.Args) >= 2 && st.Args[1] == "disable-on-404" {
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
	switch opt[0] {
	case "tcp-check":
		var rules []check.TCPRule
		for i, st := range px.TCPCheck.Rules {
			if v := st.Args[1]; strings.HasPrefix(v, "set-var") || strings.HasPrefix(v, "unset-var") {
				continue // the parser reported the action itself
			}
			r, err := check.ParseTCPCheckRule(st.Args[1:])
			if err != nil {
				b.unsupported(st.Pos, "tcp-check "+strings.Join(st.Args[1:], " ")+": "+err.Error())
				continue
			}
			r.Index = i // HAProxy numbers steps over every tcp-check line
			rules = append(rules, r)
		}
		p = check.NewTCPCheck(rules)
	case "redis-check":
		p = check.RedisCheck()
	case "ssl-hello-chk":
		p = check.SSLHelloCheck(nil)
	case "smtpchk":
		p = check.SMTPCheck(opt[1:])
	case "ldap-check":
		p = check.LDAPCheck()
	case "pgsql-check":
		p = check.PgSQLCheck(opt[len(opt)-1]) // the parser checked "user <name>"
	case "mysql-check":
		var err error
		if p, err = check.MySQLCheck(opt[1:]); err != nil {
			b.unsupported(px.TCPCheck.Pos, "option "+strings.Join(opt, " ")+": "+err.Error())
		}
	}
	if b.tcpChecks == nil {
		b.tcpChecks = map[*haproxy.Proxy]*check.TCPCheckProbe{}
	}
	b.tcpChecks[px] = &p
	return &p
}
