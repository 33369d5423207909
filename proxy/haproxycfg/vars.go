package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// varRule maps http-request set-var, set-var-fmt and unset-var to a rule
// the sample engine runs (proxy/acl vars.go); any other action, and these
// in other rule sets, are reported. ok is false when nothing was mapped.
func (b *builder) varRule(r haproxy.HTTPRule, kw string, place acl.Place) (proxy.HeaderRule, bool) {
	va, isVar, msg := haproxy.ParseVarAction(r.Action)
	if !isVar || (kw != "http-request" && kw != "http-response") || msg != "" {
		b.unsupported(r.Pos, kw+" "+r.Action)
		return proxy.HeaderRule{}, false
	}
	var exec func(*proxy.RequestInfo)
	var err error
	switch {
	case va.Verb == "unset-var" && len(r.Args) == 0:
		exec, err = acl.CompileUnsetVar(va.Name)
	case va.Verb == "set-var" && len(r.Args) == 1:
		exec, err = acl.CompileSetVar(va.Name, va.Conds, haproxy.ParseSample(r.Args[0]))
		if msg := acl.FormatUnavailable("%["+r.Args[0]+"]", place); err == nil && msg != "" {
			err = errors.New(msg)
		}
	case va.Verb == "set-var-fmt" && len(r.Args) == 1:
		exec, err = acl.CompileSetVarFmt(va.Name, va.Conds, r.Args[0])
		if msg := acl.FormatUnavailable(r.Args[0], place); err == nil && msg != "" {
			err = errors.New(msg)
		}
	default:
		b.unsupported(r.Pos, kw+" "+r.Action+" "+strings.Join(r.Args, " "))
		return proxy.HeaderRule{}, false
	}
	if err != nil {
		b.unsupported(r.Pos, kw+" "+r.Action+": "+err.Error())
		return proxy.HeaderRule{}, false
	}
	return proxy.HeaderRule{Action: proxy.SetVar, Exec: exec}, true
}

// procVars compiles the global set-var/set-var-fmt lines; an expression
// reading a connection or a request is refused, as HAProxy refuses it.
func (b *builder) procVars(g haproxy.Global) {
	for _, sv := range g.SetVars {
		kw := "set-var"
		if sv.Fmt {
			kw = "set-var-fmt"
		}
		if f := acl.ProcessUnavailable(sv.Expr, sv.Fmt); f != "" {
			b.unsupported(sv.Pos, kw+" "+sv.Name+": fetch '"+f+"' has no value in the global section")
			continue
		}
		var exec func(*proxy.RequestInfo)
		var err error
		if sv.Fmt {
			exec, err = acl.CompileSetVarFmt(sv.Name, nil, sv.Expr)
		} else {
			exec, err = acl.CompileSetVar(sv.Name, nil, haproxy.ParseSample(sv.Expr))
		}
		if err != nil {
			b.unsupported(sv.Pos, kw+" "+sv.Name+": "+err.Error())
			continue
		}
		b.plan.ProcVars = append(b.plan.ProcVars, exec)
	}
}
