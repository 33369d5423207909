package haproxycfg

import (
	"fmt"
	"net"
	"net/netip"
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
// what gohaproxy cannot do with it. A server whose host is 0.0.0.0, ::, *
// or empty (anyHost), or whose port is missing, 0 or signed (mapPorts),
// connects to the client connection's destination (HAProxy's
// alloc_dst_address, SRV_F_MAPPORTS): the address kept is the one
// HAProxy shows, the unspecified host and the port or offset as written,
// and the runtime fills them in per connection (proxy/transparent.go).
func serverAddr(a haproxy.Address) (addr string, anyHost, mapPorts bool, err error) {
	switch a.Family {
	case "", "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
	default:
		return "", false, false, fmt.Errorf("server address %s", a.Raw)
	}
	host := strings.Trim(a.Host, "[]")
	if host == "" || host == "*" {
		host = "0.0.0.0"
		if a.Family == "ipv6" || a.Family == "tcp6" {
			host = "::"
		}
	}
	ip, perr := netip.ParseAddr(host)
	anyHost = perr == nil && ip.IsUnspecified()
	port := a.PortLow
	mapPorts = !a.PortSet || a.PortRaw == "" || a.PortRaw[0] == '+' || a.PortRaw[0] == '-' || port == 0
	if !a.PortSet || a.PortRaw == "" {
		port = 0
	}
	if mapPorts && perr != nil {
		// a name: its resolution would have to keep the offset
		return "", false, false, fmt.Errorf("server address without a fixed port (%s)", a.Raw)
	}
	return net.JoinHostPort(host, strconv.Itoa(port)), anyHost, mapPorts, nil
}

// fixedServerAddr is serverAddr for the addresses HAProxy connects to as
// written (dispatch, which keeps 0.0.0.0 literal) and those compared with
// a cookie (rdp-cookie): a port following the client's is refused.
func fixedServerAddr(a haproxy.Address) (string, error) {
	addr, _, mapPorts, err := serverAddr(a)
	if err == nil && mapPorts {
		err = fmt.Errorf("server address without a fixed port (%s)", a.Raw)
	}
	return addr, err
}
