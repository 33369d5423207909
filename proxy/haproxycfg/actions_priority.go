package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// priorityExec compiles set-priority-class and set-priority-offset <expr>
// (proxy/actions_priority.go). layer4 limits the sample as addrExec
// does (tcp-mode content rules); place is where an http-request rule
// runs.
func (b *builder) priorityExec(r haproxy.HTTPRule, what string, layer4 bool, place acl.Place) (func(*proxy.RequestInfo), bool) {
	full := strings.TrimSpace(what + " " + strings.Join(r.Args, " "))
	if len(r.Args) != 1 {
		b.unsupported(r.Pos, full)
		return nil, false
	}
	s := haproxy.ParseSample(r.Args[0])
	exec, err := acl.CompileSetPriority(r.Action, s)
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

// priorityRule maps an http-request (or an HTTP frontend's tcp-request
// content) set-priority-class/-offset rule.
func (b *builder) priorityRule(r haproxy.HTTPRule, what string, place acl.Place) (proxy.HeaderRule, bool) {
	exec, ok := b.priorityExec(r, what, false, place)
	return proxy.HeaderRule{Action: proxy.SetVar, Exec: exec}, ok
}

// strictRule maps http-request strict-mode on|off
// (proxy/actions_strict.go); the parser checked the word.
func strictRule(r haproxy.HTTPRule) proxy.HeaderRule {
	off := 0
	if strings.EqualFold(r.Args[0], "off") {
		off = 1
	}
	return proxy.HeaderRule{Action: proxy.StrictMode, Status: off}
}
