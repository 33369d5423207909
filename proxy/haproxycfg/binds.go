package haproxycfg

import (
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// expandBind turns one parsed address into net.Listen addresses, one per
// port. HAProxy binds "*:80" and ":80" on IPv4 only (0.0.0.0), "[::]:80" on
// IPv6 (v4-mapped as well, as Linux does by default). fd@N and sockpair@N
// are passed through as written, for an inherited-listener resolver; unix
// and abns sockets are not served.
func expandBind(a haproxy.Address) ([]string, error) {
	switch a.Family {
	case "fd", "sockpair":
		return []string{a.Family + "@" + strconv.Itoa(a.FD)}, nil
	case "unix", "abns", "uxst", "uxdg":
		return nil, fmt.Errorf("bind %s", a.Raw)
	case "udp", "udp4", "udp6", "quic4", "quic6":
		return nil, fmt.Errorf("bind %s", a.Raw)
	}
	host := a.Host
	if host == "" {
		host = "0.0.0.0"
		if a.Family == "ipv6" || a.Family == "tcp6" {
			host = "::"
		}
	}
	lo, hi := a.PortLow, a.PortHigh
	if lo == 0 {
		return nil, fmt.Errorf("bind %s", a.Raw)
	}
	if hi < lo {
		hi = lo
	}
	out := make([]string, 0, hi-lo+1)
	for p := lo; p <= hi; p++ {
		out = append(out, net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(p)))
	}
	return out, nil
}

// serverAddr is a server's "host:port" for net.Dial, or an error naming
// what gohaproxy cannot do with it (no port means "the port the client
// connected to", a +N/-N port is an offset from it: both need transparent
// proxying).
func serverAddr(a haproxy.Address) (string, error) {
	switch a.Family {
	case "", "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
	default:
		return "", fmt.Errorf("server address %s", a.Raw)
	}
	if !a.PortSet || a.PortRaw == "" || a.PortRaw[0] == '+' || a.PortRaw[0] == '-' || a.PortLow <= 0 {
		return "", fmt.Errorf("server address without a fixed port (%s)", a.Raw)
	}
	host := a.Host
	if host == "" || host == "*" {
		return "", fmt.Errorf("server address without a host (%s)", a.Raw)
	}
	return net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(a.PortLow)), nil
}
