package main

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/goha-lb/goha/proxy"
)

// resolveServers replaces server host names by their first address, once
// at startup as HAProxy's libc resolution does (after chroot there is no
// resolv.conf to read).
func resolveServers(cfg *proxy.Config) error {
	for _, b := range cfg.Backends {
		for _, s := range b.Servers {
			if s.Disabled && s.Addr == "" {
				continue
			}
			host, port, err := net.SplitHostPort(s.Addr)
			if err != nil {
				continue // reported by wire; the server is disabled
			}
			if _, err := netip.ParseAddr(host); err == nil {
				continue
			}
			addrs, err := net.LookupHost(host)
			if err != nil || len(addrs) == 0 {
				return fmt.Errorf("config : could not resolve address '%s' of server %s/%s.", host, b.Name, s.Name)
			}
			s.Addr = net.JoinHostPort(addrs[0], port)
		}
	}
	return nil
}
