package haproxycmd

import (
	"context"
	"net"
	"syscall"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/haproxycfg"
)

type dialFunc = func(context.Context, string, string) (net.Conn, error)

// resetOnClose makes d's connections close with a reset (SO_LINGER 0), as
// HAProxy 2.6's check connections do (their sockets' linger_risk) unless
// a `connect` rule says `linger`.
func resetOnClose(d *net.Dialer) {
	next := d.Control
	d.Control = func(network, address string, rc syscall.RawConn) error {
		if next != nil {
			if err := next(network, address, rc); err != nil {
				return err
			}
		}
		return rc.Control(func(fd uintptr) {
			_ = syscall.SetsockoptLinger(int(fd), syscall.SOL_SOCKET, syscall.SO_LINGER, &syscall.Linger{Onoff: 1, Linger: 0})
		})
	}
}

// connectDial is the dialer of a `connect` rule with options of its own
// (check.Connect.Own), as HAProxy 2.6's tcpcheck_eval_connect makes the
// connection: clear is the server's plain dialer (its source, namespace,
// socket options; linger: without the reset on close); the rule's
// via-socks4, send-proxy and ssl (sni, alpn) apply, and with `default`
// the server line's check-via-socks4, check-send-proxy, check-ssl,
// check-sni and check-alpn where the rule has no own.
func (w *worker) connectDial(spec *haproxycfg.CheckSpec, c check.Connect, clear func(linger bool) dialFunc) dialFunc {
	dial := clear(c.Linger)
	o := spec.Connects
	switch {
	case c.Socks4 && o.Socks4.IsValid():
		dial = proxy.Socks4Dial(o.Socks4, dial)
	case !c.Clear && spec.Socks4.IsValid():
		dial = proxy.Socks4Dial(spec.Socks4, dial)
	}
	switch {
	case c.SendProxy:
		dial = checkProxyDial(o.SendProxy, spec.SendProxyV2Addrs, dial)
	case !c.Clear && spec.SendProxy != 0:
		dial = checkProxyDial(spec.SendProxy, spec.SendProxyV2Addrs, dial)
	}
	cfg, keys := spec.TLS, spec.TLSKeys // the default connect's: check-ssl
	if c.Clear {
		cfg, keys = nil, nil
	}
	if c.SSL {
		cfg, keys = o.TLS, o.TLSKeys
	}
	if cfg == nil {
		return dial
	}
	cfg = cfg.Clone()
	if c.Clear { // check-sni and check-alpn are the default connect's
		cfg.ServerName, cfg.NextProtos = "", nil
	}
	if c.SNI != "" {
		cfg.ServerName = c.SNI
	}
	if c.ALPN != nil {
		cfg.NextProtos = c.ALPN
	}
	return countedTLSDial(w.px, check.TLSDial(dial, cfg, keys))
}

// withConnectDials gives each connect rule with options of its own its
// dialer; the rules are copied (a backend's probes share them).
func (w *worker) withConnectDials(spec *haproxycfg.CheckSpec, rules []check.TCPRule, clear func(bool) dialFunc) []check.TCPRule {
	var out []check.TCPRule
	for i, r := range rules {
		if r.Kind != check.RuleConnect || !r.Connect.Own() {
			continue
		}
		if out == nil {
			out = append([]check.TCPRule(nil), rules...)
		}
		out[i].Connect.Dial = w.connectDial(spec, r.Connect, clear)
	}
	if out == nil {
		return rules
	}
	return out
}
