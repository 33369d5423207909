package haproxycfg

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// backendReqActions are the http-request actions a backend's list runs
// (proxy/backend_rules.go), besides the variable, map/acl and stick
// counter actions (backendRuns); the others are refused there. A backend
// has no capture slots of its own: its capture ... id fills the slot of
// whichever frontend the request came through (captures.go).
var backendReqActions = map[string]bool{
	"set-header": true, "add-header": true, "del-header": true, "replace-header": true, "replace-value": true,
	"set-path": true, "set-pathq": true, "set-query": true, "set-uri": true, "replace-path": true,
	"replace-pathq": true, "replace-uri": true, "set-method": true, "set-timeout": true, "set-log-level": true,
	"allow": true, "deny": true, "return": true, "redirect": true, "tarpit": true, "auth": true,
	"capture": true, "set-src": true, "set-src-port": true, "set-dst": true, "set-dst-port": true,
	"normalize-uri": true, "wait-for-body": true, "set-tos": true, "set-mark": true, "early-hint": true,
	"silent-drop": true, "reject": true, "disable-l7-retry": true, "set-priority-class": true,
	"set-priority-offset": true, "use-service": true, "cache-use": true,
}

// backendResActions are the http-response actions a backend's list runs,
// besides those of backendRuns.
var backendResActions = map[string]bool{
	"set-header": true, "add-header": true, "del-header": true, "replace-header": true, "replace-value": true,
	"set-status": true, "allow": true, "deny": true, "return": true, "redirect": true,
	"capture": true, "set-log-level": true, "set-tos": true, "set-mark": true, "silent-drop": true,
	"wait-for-body": true, "cache-store": true,
}

// backendRuns says whether a backend's rule list runs action, ok being
// its list of plain actions: set-var/set-var-fmt/unset-var, the map and
// acl actions and the stick counter ones (track-sc<n>, sc-inc-gpc*,
// sc-set-gpt*) run there too, as in a frontend.
func backendRuns(action string, ok map[string]bool) bool {
	if ok[action] || isVarAction(action) {
		return true
	}
	if _, _, isMap := haproxy.ParseMapAction(action); isMap {
		return true
	}
	_, isSC, _ := haproxy.ParseSCAction(action, nil)
	return isSC
}

// backendCaptureRule maps a backend's capture <sample> id <n>: as
// HAProxy 2.6's http_action_req/res_capture_by_id, the slot is the
// request's frontend's, looked up when the rule runs: a frontend without
// slot n captures nothing, and the value is cut to that frontend's slot
// length. The len form declares a slot, which only a frontend has
// (HAProxy refuses it in a backend: "proxy has no frontend capability").
func backendCaptureRule(r haproxy.HTTPRule, res bool, place acl.Place) (proxy.HeaderRule, error) {
	if r.Args[1] != "id" {
		return proxy.HeaderRule{}, fmt.Errorf("capture %s len %s in a backend, which has no capture slots of its own (HAProxy refuses it too)", r.Args[0], r.Args[2])
	}
	slot, err := strconv.Atoi(r.Args[2])
	if err != nil || slot < 0 {
		return proxy.HeaderRule{}, fmt.Errorf("capture id %q", r.Args[2])
	}
	e, err := acl.CompileExpr(haproxy.ParseSample(r.Args[0]))
	if err != nil {
		return proxy.HeaderRule{}, err
	}
	if msg := acl.FormatUnavailable("%["+r.Args[0]+"]", place); msg != "" {
		return proxy.HeaderRule{}, errors.New(msg)
	}
	return proxy.HeaderRule{Action: proxy.Capture, Exec: func(info *proxy.RequestInfo) {
		if !info.HasCaptureSlot(res, slot) {
			return
		}
		if v, ok := e.Text(info); ok {
			info.CaptureInto(res, slot, v)
		}
	}}, nil
}
