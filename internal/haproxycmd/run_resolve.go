package haproxycmd

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/haproxycfg"
)

// resolveServers replaces server (and health-check `addr`) host names by
// their first address, once at startup as HAProxy's libc resolution does
// (after chroot there is no resolv.conf to read).
func resolveServers(cfg *proxy.Config, checks []haproxycfg.CheckSpec, last map[string]string) error {
	for i := range checks {
		t := &checks[i].Target
		host, port, err := net.SplitHostPort(t.Addr)
		if err != nil {
			continue
		}
		if _, err := netip.ParseAddr(host); err == nil || host == "" {
			continue // "": an SRV slot's check waits for its record
		}
		addrs, err := net.LookupHost(host)
		if err != nil || len(addrs) == 0 {
			return fmt.Errorf("config : could not resolve check address '%s' of server %s/%s.", host, t.Backend, t.Server)
		}
		t.Addr = net.JoinHostPort(addrs[0], port)
	}
	for _, b := range cfg.Backends {
		for _, s := range b.Servers {
			if s.Disabled && s.Addr == "" || s.SRV != "" {
				continue // an SRV slot waits for its record
			}
			host, port, err := net.SplitHostPort(s.Addr)
			if err != nil {
				continue // reported by wire; the server is disabled
			}
			if _, err := netip.ParseAddr(host); err == nil {
				continue
			}
			if !initAddr(s, host, port, last[b.Name+"/"+s.Name]) {
				return fmt.Errorf("config : could not resolve address '%s' of server %s/%s.", host, b.Name, s.Name)
			}
		}
	}
	return nil
}

// initAddr gives a server named by host its first address with its
// init-addr methods in order (HAProxy's default: last, then libc). "last"
// is the address the server-state file carried over (last, "" without
// one; run_state.go); "none" starts the server without an address, in
// resolution maintenance until its resolvers answer.
func initAddr(s *proxy.Server, host, port, last string) bool {
	methods := s.InitAddr
	if methods == nil {
		methods = []string{"last", "libc"}
	}
	for _, m := range methods {
		switch m {
		case "last":
			if ip, err := netip.ParseAddr(last); err == nil {
				s.Addr = net.JoinHostPort(ip.String(), port)
				return true
			}
		case "libc":
			if addrs, err := net.LookupHost(host); err == nil && len(addrs) > 0 {
				s.Addr = net.JoinHostPort(addrs[0], port)
				return true
			}
		case "none":
			s.Addr, s.AwaitDNS = net.JoinHostPort("", port), true
			return true
		default:
			if ip, err := netip.ParseAddr(m); err == nil {
				s.Addr = net.JoinHostPort(ip.String(), port)
				return true
			}
		}
	}
	return false
}
