package haproxycfg

import (
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// sockoptRule maps set-mark and set-tos <integer/hex value>
// (proxy/actions_sockopt.go); an HTTP/2 stream's set them on its
// connection's socket.
func (b *builder) sockoptRule(px *haproxy.Proxy, r haproxy.HTTPRule, kw string) (proxy.HeaderRule, bool) {
	full := strings.TrimSpace(kw + " " + r.Action + " " + strings.Join(r.Args, " "))
	v, ok := uintArg(r.Args)
	switch {
	case !ok:
		b.unsupported(r.Pos, full)
		return proxy.HeaderRule{}, false
	}
	act := proxy.SetMark
	if r.Action == "set-tos" {
		act = proxy.SetTOS
	}
	return proxy.HeaderRule{Action: act, Status: int(v)}, true
}

// uintArg reads the one argument as strtoul(..., 0) reads a whole word:
// decimal, 0x hex or 0 octal. Words Go alone would read (0b, 0o, _) and
// signs are left to the caller to report.
func uintArg(args []string) (uint32, bool) {
	if len(args) != 1 {
		return 0, false
	}
	s := args[0]
	if s == "" || strings.ContainsAny(s, "_oO+-") || strings.HasPrefix(s, "0b") || strings.HasPrefix(s, "0B") {
		return 0, false
	}
	v, err := strconv.ParseUint(s, 0, 32)
	return uint32(v), err == nil
}

// sockoptExec maps a TCP rule's set-mark or set-tos <integer/hex value>
// (tcp-request connection, session or content of a tcp frontend,
// tcp-response content) to its Exec on the client's socket. A value
// HAProxy would not read is reported.
func (b *builder) sockoptExec(r haproxy.HTTPRule, what string) (func(*proxy.RequestInfo), bool) {
	v, ok := uintArg(r.Args)
	if !ok {
		b.unsupported(r.Pos, strings.TrimSpace(what+" "+strings.Join(r.Args, " ")))
		return nil, false
	}
	act := proxy.SetMark
	if r.Action == "set-tos" {
		act = proxy.SetTOS
	}
	return proxy.SockoptExec(act, int(v)), true
}
