package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// priorityExec compiles set-priority-class and set-priority-offset <expr>
// (proxy/actions_priority.go), checked as sampleActionExec says.
func (b *builder) priorityExec(r haproxy.HTTPRule, what string, layer4 bool, place acl.Place) (func(*proxy.RequestInfo), bool) {
	return b.sampleActionExec(r, what, layer4, place, acl.CompileSetPriority)
}

// priorityRule maps an http-request (or an HTTP frontend's tcp-request
// content) set-priority-class/-offset rule.
func (b *builder) priorityRule(r haproxy.HTTPRule, what string, place acl.Place) (proxy.HeaderRule, bool) {
	exec, ok := b.priorityExec(r, what, false, place)
	return proxy.HeaderRule{Action: proxy.SetVar, Exec: exec}, ok
}

// strictRule maps http-request, http-response and http-after-response
// strict-mode on|off
// (proxy/actions_strict.go); the parser checked the word.
func strictRule(r haproxy.HTTPRule) proxy.HeaderRule {
	off := 0
	if strings.EqualFold(r.Args[0], "off") {
		off = 1
	}
	return proxy.HeaderRule{Action: proxy.StrictMode, Status: off}
}
