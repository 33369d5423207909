package haproxy

import (
	"strings"
)

// httpRequestActions is the list HAProxy 2.6 (Debian build) prints, in its
// order, when an http-request action is unknown; "(*)" marks prefixes.
var httpRequestActions = []string{"wait-for-handshake", "ot-group", "set-log-level", "set-nice", "use-service",
	"sc-inc-gpc(*)", "sc-inc-gpc0(*)", "sc-inc-gpc1(*)", "sc-set-gpt(*)", "sc-set-gpt0(*)", "send-spoe-group",
	"do-resolve(*)", "cache-use", "add-acl(*)", "add-header", "allow", "auth", "capture", "del-acl(*)",
	"del-header", "del-map(*)", "deny", "disable-l7-retry", "early-hint", "normalize-uri", "redirect", "reject",
	"replace-header", "replace-path", "replace-pathq", "replace-uri", "replace-value", "return", "set-header",
	"set-map(*)", "set-method", "set-path", "set-pathq", "set-query", "set-uri", "strict-mode", "tarpit",
	"track-sc(*)", "set-timeout", "wait-for-body", "set-var-fmt(*)", "set-var(*)", "unset-var(*)", "set-dst",
	"set-dst-port", "set-mark", "set-src", "set-src-port", "set-tos", "silent-drop", "set-priority-class",
	"set-priority-offset"}

// httpActionArity: actions taking an exact number of arguments before any
// condition.
var httpActionArity = map[string]int{"set-header": 2, "add-header": 2}

func knownHTTPRequestAction(a string) bool {
	for _, k := range httpRequestActions {
		if p, ok := strings.CutSuffix(k, "(*)"); ok {
			if strings.HasPrefix(a, p) {
				return true
			}
		} else if a == k {
			return true
		}
	}
	return false
}

func httpRequestActionList() string {
	q := make([]string, len(httpRequestActions))
	for i, a := range httpRequestActions {
		q[i] = "'" + a + "'"
	}
	return strings.Join(q, ", ")
}
