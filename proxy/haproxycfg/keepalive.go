package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// keepAlivePrefs maps `option prefer-last-server` (HTTP backends only, as
// HAProxy ignores it elsewhere with a warning) and `max-keep-alive-queue`.
func keepAlivePrefs(px *haproxy.Proxy) proxy.KeepAlivePrefs {
	return proxy.KeepAlivePrefs{
		PreferLast:     px.Mode == "http" && px.Options["prefer-last-server"],
		KeepAliveQueue: px.KeepAliveQueue,
	}
}

// sessionSrvConns is max-session-srv-conns as proxy.Frontend takes it.
func sessionSrvConns(px *haproxy.Proxy) int {
	switch {
	case !px.SessionSrvConnsSet:
		return 0
	case px.SessionSrvConns == 0:
		return -1
	}
	return px.SessionSrvConns
}
