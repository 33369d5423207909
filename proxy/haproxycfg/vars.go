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
	if !isVar || (kw != "http-request" && kw != "http-response" && kw != "http-after-response") || msg != "" {
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

// tcpVarExec maps set-var, set-var-fmt and unset-var in tcp-request
// connection, session and content rules. Only samples with a value from
// the connection on (layer-4 fetches, variables) are taken: HAProxy
// refuses the others at the connection level, and at the content level
// would wait for data, which goha's set-var does not; the content rules
// also take the request head fetches. what names the
// rule in a notice; ok is false when it was reported.
func (b *builder) tcpVarExec(r haproxy.HTTPRule, what string) (func(*proxy.RequestInfo), bool) {
	va, _, msg := haproxy.ParseVarAction(r.Action)
	// a content rule's request head fetch reads the stream's bytes
	// parsed (acl/rawhttp.go): a head not complete yet gives no value,
	// as HAProxy's set-var takes no sample that may still change
	content := strings.HasPrefix(what, "tcp-request content ")
	var exec func(*proxy.RequestInfo)
	var err error
	switch {
	case msg != "":
		err = errors.New(msg)
	case va.Verb == "unset-var" && len(r.Args) == 0:
		exec, err = acl.CompileUnsetVar(va.Name)
	case va.Verb == "set-var" && len(r.Args) == 1 && haproxy.ParseSample(r.Args[0]).Fetch.Name == "http_first_req":
		// a set-var's sample, unlike a condition, does not make HAProxy
		// give a tcp stream a transaction: 2.6.12 then dereferences none
		// (measured: a segfault on the first connection)
		err = errors.New("sample 'http_first_req' of a tcp stream's set-var: HAProxy 2.6.12 crashes on it unless another HTTP sample of the proxy allocated the stream's transaction")
	case va.Verb == "set-var" && len(r.Args) == 1:
		if s := haproxy.ParseSample(r.Args[0]); !acl.Layer4(s) && !(content && acl.HeadFetch(s)) {
			err = errors.New("sample '" + r.Args[0] + "' is not a layer-4 one")
		} else {
			exec, err = acl.CompileSetVar(va.Name, va.Conds, s)
		}
	case va.Verb == "set-var-fmt" && len(r.Args) == 1:
		if !acl.FormatLayer4(r.Args[0]) {
			err = errors.New("format '" + r.Args[0] + "' reads more than layer-4 samples")
		} else {
			exec, err = acl.CompileSetVarFmt(va.Name, va.Conds, r.Args[0])
		}
	default:
		err = errors.New(strings.Join(r.Args, " "))
	}
	if err != nil {
		b.unsupported(r.Pos, what+": "+err.Error())
		return nil, false
	}
	return exec, true
}
