package check

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"
)

// TCPCheckProbe runs a tcp-check ruleset the way HAProxy 2.6's
// tcpcheck_main does: `option tcp-check` with its `tcp-check` rules, or
// one of the protocol checks (redis-check, mysql-check, ...), which are
// preset rulesets (see protocols.go).
type TCPCheckProbe struct {
	// Rules, as FinishTCPRules returns them (a connect first).
	Rules []TCPRule
	// Generic is an `option tcp-check` ruleset (HAProxy's
	// TCPCHK_RULES_TCP_CHK): its failures say at which step, its successes
	// read "(tcp-check)". Protocol checks leave that out.
	Generic bool
	Dial    func(ctx context.Context, network, addr string) (net.Conn, error)
	// ClearDial dials the explicit connects without `default`
	// (Connect.Clear): the server's source, no TLS nor PROXY header
	// (nil: net.Dialer).
	ClearDial func(ctx context.Context, network, addr string) (net.Conn, error)
	// VarLimit caps the check variables' bytes (0: none; varlimit.go).
	VarLimit int64
}

// readChunk is how much one read asks for; the whole response a ruleset
// looks at is capped at maxCheckBody (HAProxy's check buffer).
const readChunk = 4096

func (p TCPCheckProbe) Probe(ctx context.Context, addr string, t Timeouts) Result {
	start := time.Now()
	deadline := start.Add(t.Total)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	var c net.Conn
	stop := func() bool { return false }
	defer func() {
		stop()
		if c != nil {
			c.Close()
		}
	}()
	done := func(r Result) Result {
		r.Duration = time.Since(start)
		return r
	}
	var buf []byte
	env := &checkEnv{vars: map[string]checkVal{}, limit: p.VarLimit}
	mustRead, last := true, false
	lastRule := -1
	for i := 0; i < len(p.Rules); i++ {
		r := &p.Rules[i]
		lastRule = i
		switch r.Kind {
		case RuleConnect:
			if c != nil {
				stop()
				c.Close()
				c = nil
			}
			a := addr
			if port := r.connectPort(env); port != 0 || r.Connect.Addr != "" {
				a = CheckAddr(addr, r.Connect.Addr, port)
			}
			ct := min(t.Connect, time.Until(deadline))
			nc, res, ok := dial(ctx, r.Connect.dialer(p.Dial, p.ClearDial), a, Timeouts{Connect: ct, Total: ct}, start)
			if !ok {
				if p.Generic {
					res.Info += r.stepText()
				}
				return done(res)
			}
			c = nc
			env.conn = newCheckConn(nc) // ssl_bc_*, bc_* (connfetch.go)
			c.SetDeadline(deadline)
			// Runner.Stop cancels ctx: cut a blocked read at once.
			stop = context.AfterFunc(ctx, func() { nc.Close() })
			buf, mustRead, last = nil, true, false
		case RuleSetVar:
			env.buf = buf
			r.varAct.run(env)
		case RuleSend:
			buf, mustRead = nil, true
			data := r.Data
			if r.build != nil {
				data = r.build()
			}
			if r.dataFmt != nil {
				env.buf = nil
				var ok bool
				if data, ok = r.sendData(env); !ok {
					return done(Result{Status: L7RSP, Info: fmt.Sprintf("tcp-check send : failed to build log-format string at step %d", r.step())})
				}
			}
			if _, err := c.Write(data); err != nil {
				return done(p.ioError(r, err))
			}
		case RuleExpect:
			if mustRead {
				res, stopped := p.read(c, r, &buf, &last)
				if stopped {
					return done(res)
				}
				mustRead = false
			}
			rule := r
			if r.usesVars() {
				rule = r.withEnv(env)
			}
			if r.patFmt != nil {
				env.buf = buf
				var bad *Result
				if rule, bad = rule.withPattern(env); bad != nil {
					return done(*bad)
				}
			}
			v, res := rule.evalExpect(buf, last, p.Generic, i == len(p.Rules)-1)
			switch v {
			case evalStop:
				return done(res)
			case evalWait:
				if last {
					return done(Result{Status: L7RSP, ShowCode: true})
				}
				res, stopped := p.read(c, &p.Rules[r.head], &buf, &last)
				if stopped {
					return done(res)
				}
				i = r.head - 1 // HAProxy resumes at the head of the expect chain
			}
		}
	}
	if lastRule < 0 {
		return done(Result{Status: L4OK})
	}
	lr := &p.Rules[lastRule]
	if lr.usesVars() {
		lr = lr.withEnv(env)
	}
	res := lr.successResult(buf, p.Generic)
	if _, ok := c.(*tls.Conn); ok && lr.Kind == RuleConnect {
		res.Status = L6OK // a ruleset ending on a TLS connect passes at layer 6, as HAProxy's
	}
	return done(res)
}

// read appends one read's worth of data to buf. It reports a result when
// the check ends there: a timeout, a connection error with nothing read,
// or an empty response.
func (p TCPCheckProbe) read(c net.Conn, r *TCPRule, buf *[]byte, last *bool) (Result, bool) {
	room := min(readChunk, maxCheckBody-len(*buf))
	if room <= 0 {
		*last = true
		return Result{}, false
	}
	tmp := make([]byte, room)
	n, err := c.Read(tmp)
	*buf = append(*buf, tmp[:n]...)
	if err != nil {
		switch {
		case isTimeout(err):
			return p.timeout(r), true
		case errors.Is(err, io.EOF):
			*last = true
		case len(*buf) == 0:
			return p.ioError(r, err), true
		default:
			*last = true // an error after data: the data decides
		}
	}
	if n == 0 && *last && len(*buf) == 0 {
		st := r.ErrStatus
		if st == statusUnset {
			st = L7RSP
		}
		info := fmt.Sprintf("TCPCHK got an empty response at step %d", r.step())
		if r.Comment != "" {
			info += fmt.Sprintf(" comment: '%s'", r.Comment)
		}
		return Result{Status: st, Info: info, ShowCode: true}, true
	}
	return Result{}, false
}

// timeout is chk_report_conn_err for an expired check on an established
// connection.
func (p TCPCheckProbe) timeout(r *TCPRule) Result {
	st := L7TOUT
	if r.Kind == RuleExpect && r.ToutStatus != statusUnset {
		st = r.ToutStatus
	}
	res := Result{Status: st}
	if p.Generic {
		res.Info = r.stepText()
	}
	return res
}

// ioError is chk_report_conn_err for an I/O error after the connection
// was established.
func (p TCPCheckProbe) ioError(r *TCPRule, err error) Result {
	if isTimeout(err) {
		return p.timeout(r)
	}
	res := Result{Status: SOCKERR, Info: errInfo(err)}
	if p.Generic {
		res.Info += r.stepText()
	}
	return res
}

// connectPort is a connect rule's port: its number, else its expression's
// value as an integer (HAProxy's cast; none, or 0: the address's or the
// server's check port, as with no port).
func (r *TCPRule) connectPort(env *checkEnv) int {
	if r.Connect.Port != 0 || r.portExpr == nil {
		return r.Connect.Port
	}
	v, ok := r.portExpr(env)
	if !ok {
		return 0
	}
	n := v.n
	if !v.isInt {
		var err error
		if n, err = strconv.ParseInt(string(v.b), 10, 64); err != nil {
			return 0
		}
	}
	return int(uint16(n)) // HAProxy stores it in 16 bits
}
