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

// addBindSocket records listener a's socket options and maxconn in fe.
func addBindSocket(fe *proxy.Frontend, a string, so listen.SockOpts, maxconn int) {
	if so != (listen.SockOpts{}) {
		if fe.BindSockOpts == nil {
			fe.BindSockOpts = map[string]listen.SockOpts{}
		}
		fe.BindSockOpts[a] = so
	}
	if maxconn > 0 {
		if fe.BindMaxConn == nil {
			fe.BindMaxConn = map[string]int{}
		}
		fe.BindMaxConn[a] = maxconn
	}
}
