package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// addrExec compiles set-src, set-dst, set-src-port and set-dst-port
// <expr> (proxy/actions_addr.go, acl.CompileSetAddr).
func (b *builder) addrExec(r haproxy.HTTPRule, what string, layer4 bool, place acl.Place) (func(*proxy.RequestInfo), bool) {
	return b.sampleActionExec(r, what, layer4, place, acl.CompileSetAddr)
}

// sampleActionExec compiles an action taking one sample expression with
// compile. layer4 limits the sample to what a connection has before any
// byte is read (tcp-request connection and session rules, and tcp-mode
// content rules, whose actions do not wait for data): HAProxy accepts a
// request fetch there and finds no sample; goha reports it. place, when
// layer4 is false, is where the rule runs, for the fetches it lacks.
func (b *builder) sampleActionExec(r haproxy.HTTPRule, what string, layer4 bool, place acl.Place,
	compile func(verb string, expr haproxy.Sample) (func(*proxy.RequestInfo), error)) (func(*proxy.RequestInfo), bool) {
	full := strings.TrimSpace(what + " " + strings.Join(r.Args, " "))
	if len(r.Args) != 1 {
		b.unsupported(r.Pos, full)
		return nil, false
	}
	s := haproxy.ParseSample(r.Args[0])
	exec, err := compile(r.Action, s)
	switch {
	case err != nil:
	case layer4 && !acl.Layer4(s):
		err = errors.New("sample '" + r.Args[0] + "' is not a layer-4 one")
	case !layer4:
		if msg := acl.FormatUnavailable("%["+r.Args[0]+"]", place); msg != "" {
			err = errors.New(msg)
		}
	}
	if err != nil {
		b.unsupported(r.Pos, full+": "+err.Error())
		return nil, false
	}
	return exec, true
}

// addrRule maps an http-request (or an HTTP frontend's tcp-request
// content) set-src/set-dst(-port) rule.
func (b *builder) addrRule(r haproxy.HTTPRule, what string, place acl.Place) (proxy.HeaderRule, bool) {
	exec, ok := b.addrExec(r, what, false, place)
	return proxy.HeaderRule{Action: proxy.SetAddr, Exec: exec}, ok
}
