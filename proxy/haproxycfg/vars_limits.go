package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
)

// varLimits maps tune.vars.txn-max-size, reqres-max-size and
// sess-max-size (proxy/vars_limits.go; the streams of an HTTP/2
// connection share its session variables and their size,
// proxy/vars_shared.go), and proc-max-size and global-max-size, with
// the 80 bytes of each proc variable named once a limit was set
// (proxy/vars_proc_limit.go).
func (b *builder) varLimits(g *haproxy.Global) proxy.VarLimits {
	l := g.VarLimits
	v := proxy.VarLimits{Txn: int64(l.Txn), ReqRes: int64(l.ReqRes), Sess: int64(l.Sess), Proc: int64(l.ProcLimit())}
	if v.Proc > 0 {
		for _, n := range g.ProcNames {
			if n.Counted {
				v.ProcNames += 80
			}
		}
	}
	return v
}

// checkVarLimit is the byte limit of a health check's variables:
// tune.vars.check-max-size and, over the check's own session,
// sess-max-size (proxy/check varlimit.go).
func (b *builder) checkVarLimit() int64 {
	l := b.global.VarLimits
	return check.VarLimit(int64(l.Check), int64(l.Sess))
}

// procLimitRefusals refuses what the process-wide limit cannot count as
// HAProxy does: health-check variables (they count there too, which
// proxy/check does not), a global set-var (its value's bytes count
// between the names the load meets, in file order), and a proc name the
// parser found that goha did not compile as a variable, or the reverse
// (HAProxy creates a variable for each name its parser reads as one).
func (b *builder) procLimitRefusals(cfg *haproxy.Config, compiled map[string]bool) {
	g := &cfg.Global
	if g.VarLimits.ProcLimit() == 0 {
		return
	}
	const why = ": goha cannot count it under tune.vars.proc-max-size or global-max-size as HAProxy does"
	for _, sv := range g.SetVars {
		b.unsupported(sv.Pos, "global set-var "+sv.Name+why)
	}
	for _, px := range cfg.Proxies {
		for _, rules := range [][]haproxy.CheckStep{px.TCPCheck.Rules, px.HTTPCheck.Rules} {
			for _, st := range rules {
				if st.Kind == haproxy.StepSetVar {
					b.unsupported(st.Pos, "check variable "+st.Var.Name+why)
				}
			}
		}
	}
	parsed := map[string]bool{}
	for _, n := range g.ProcNames {
		parsed[n.Name] = true
		if !compiled[n.Name] {
			b.unsupported(n.Pos, n.Name+" (a proc variable's name, or a string?)"+why)
		}
	}
	for name := range compiled {
		if !parsed[name] {
			b.unsupported(haproxy.Pos{}, "proc variable "+name+why)
		}
	}
}
