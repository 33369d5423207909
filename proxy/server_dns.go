package proxy

import "net/netip"

// ServerDNS is what a server follows in DNS: its name, its resolvers
// section and their options (HAProxy's `resolvers`, `resolve-*`,
// `init-addr`), or the SRV name of a server-template slot.
type ServerDNS struct {
	// FQDN is the server's name when its address was one ("" = an IP),
	// which its `resolvers` section, if any, keeps resolving; InitAddr are its `init-addr` methods in order
	// (nil: HAProxy's default "last,libc").
	FQDN     string
	InitAddr []string
	// AwaitDNS: the server starts without an address, in maintenance
	// until a DNS answer gives it one (init-addr none; MAINT (resolution)).
	AwaitDNS bool
	// Resolvers names the `resolvers` section that keeps FQDN resolved
	// (Config.Resolvers); PreferIPv4 is `resolve-prefer ipv4` (HAProxy
	// asks for AAAA first otherwise).
	Resolvers  string
	PreferIPv4 bool
	// ResolveNets are `resolve-net`'s networks, preferred among the
	// answer's addresses; AllowDupIP is `resolve-opts allow-dup-ip` (an
	// address another server of the backend holds may be taken);
	// IgnoreWeight is `resolve-opts ignore-weight` (SRV weights left
	// alone).
	ResolveNets  []netip.Prefix
	AllowDupIP   bool
	IgnoreWeight bool
	// SRV is the SRV name a server-template slot takes its target, port
	// and weight from (`server-template w 5 _http._tcp.example.local`);
	// "" = none. Such a slot starts without name nor address.
	SRV string
}
