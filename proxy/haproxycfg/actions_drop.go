package haproxycfg

import (
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// dropRule maps http-request reject and silent-drop, http-response
// silent-drop and set-status (proxy/actions_drop.go). A reject (a
// frontend's or a backend's) and a silent-drop kill an HTTP/2 client's
// whole connection, as HAProxy's; an http-response silent-drop silences
// it.
func (b *builder) dropRule(px *haproxy.Proxy, r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	what := kw + " " + r.Action
	full := strings.TrimSpace(what + " " + strings.Join(r.Args, " "))
	switch {
	case r.Action == "set-status" && (kw == "http-response" || kw == "http-after-response"):
		st, reason, ok := parseSetStatus(r.Args)
		if !ok {
			b.unsupported(r.Pos, full)
			return proxy.HeaderRule{}, false
		}
		return proxy.HeaderRule{Action: proxy.SetStatus, Status: st, Value: reason}, true
	case r.Action == "set-status", kw != "http-request" && !(kw == "http-response" && r.Action == "silent-drop"), len(r.Args) != 0:
		b.unsupported(r.Pos, full)
		return proxy.HeaderRule{}, false
	}
	if r.Action == "silent-drop" {
		return proxy.HeaderRule{Action: proxy.SilentDrop}, true
	}
	return proxy.HeaderRule{Action: proxy.Reject}, true
}

// parseSetStatus reads `<status> [reason <str>]` as HAProxy 2.6 does:
// a status from 100 to 999.
func parseSetStatus(args []string) (status int, reason string, ok bool) {
	if len(args) != 1 && !(len(args) == 3 && args[1] == "reason") {
		return 0, "", false
	}
	st, err := strconv.Atoi(args[0])
	if err != nil || st < 100 || st > 999 {
		return 0, "", false
	}
	if len(args) == 3 {
		reason = args[2]
	}
	return st, reason, true
}
