package haproxycfg

import (
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// tcpKeepAlive maps one side's `option clitcpka|srvtcpka` (on) and its
// probe tuning; nil = HAProxy's default, no SO_KEEPALIVE.
func tcpKeepAlive(on bool, ka haproxy.TCPKeepAlive) *proxy.TCPKeepAlive {
	if !on {
		return nil
	}
	return &proxy.TCPKeepAlive{Count: ka.Count, Idle: time.Duration(ka.Idle) * time.Second, Interval: time.Duration(ka.Interval) * time.Second}
}

// checkKeepAlive is the keepalive of a backend's health-check and agent
// connections: HAProxy makes them as its traffic's (tcp_connect_server
// with the backend's srvtcpka).
func checkKeepAlive(px *haproxy.Proxy) *proxy.TCPKeepAlive {
	return tcpKeepAlive(px.Options["srvtcpka"], px.SrvTCPKA)
}
