package haproxycfg

import (
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/listen"
)

// bindSockOpts is what a bind line asks of its listening sockets (v4v6,
// v6only, defer-accept, tcp-ut, interface, namespace), read as HAProxy
// 2.6 reads them; the parser has checked the values.
func bindSockOpts(bd haproxy.Bind) listen.SockOpts {
	var so listen.SockOpts
	has := func(o string) bool { _, ok := bd.Options[o]; return ok }
	switch {
	case has("v6only"): // stronger than v4v6, whatever their order
		so.V6 = listen.V6Only
	case has("v4v6"):
		so.V6 = listen.V4V6
	}
	so.DeferAccept = has("defer-accept")
	if v, ok := bd.Options["tcp-ut"]; ok {
		so.UserTimeout, _, _ = haproxy.ParseTime(v)
	}
	so.Interface = bd.Options["interface"]
	so.Namespace = bd.Options["namespace"]
	return so
}

// bindMaxConn is a bind line's maxconn (atol, as HAProxy reads it; 0 is
// the frontend's, which is no limit of the listener's own).
func bindMaxConn(bd haproxy.Bind) int {
	v := bd.Options["maxconn"]
	i := 0
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, err := strconv.Atoi(v[:i])
	if err != nil {
		return 0
	}
	return n
}

// bindCIPMagic is accept-netscaler-cip's magic, read as HAProxy's atol
// into a 32-bit field; ok is false without the option.
func bindCIPMagic(bd haproxy.Bind) (magic uint32, ok bool) {
	v, ok := bd.Options["accept-netscaler-cip"]
	if !ok {
		return 0, false
	}
	i := 0
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		i++
	}
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	n, _ := strconv.ParseInt(v[:i], 10, 64)
	return uint32(n), true
}

// addBindSocket records listener a's socket options, maxconn and
// NetScaler CIP magic in fe.
func addBindSocket(fe *proxy.Frontend, a string, bd haproxy.Bind) {
	bs := proxy.BindSocket{Sock: bindSockOpts(bd), MaxConn: bindMaxConn(bd)}
	bs.CIPMagic, bs.AcceptCIP = bindCIPMagic(bd)
	bs.Name = bd.Options["name"]
	if bs == (proxy.BindSocket{}) {
		return
	}
	if fe.BindSockets == nil {
		fe.BindSockets = map[string]proxy.BindSocket{}
	}
	fe.BindSockets[a] = bs
}
