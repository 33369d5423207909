package haproxy

import (
	"net/netip"
	"strings"
)

// maxResolveNets is SRV_MAX_PREF_NET: the most networks resolve-net takes.
const maxResolveNets = 5

// serverResolveOpts is `resolve-opts`: a comma-separated list of
// allow-dup-ip, ignore-weight and prevent-dup-ip (the last of the dup-ip
// pair wins). HAProxy accepts the option without a value.
func serverResolveOpts(l *serverLine, o, v string) bool {
	for _, m := range strings.Split(v, ",") {
		switch m {
		case "allow-dup-ip", "ignore-weight", "prevent-dup-ip", "":
		default:
			l.alert("'resolve-opts' : unknown resolve-opts option '%s', supported methods are 'allow-dup-ip', 'ignore-weight', and 'prevent-dup-ip'..", m)
			return false
		}
	}
	l.opts.Other[o] = v
	return true
}

// serverResolveNet is `resolve-net`: up to five networks, IPv4 as
// a.b.c.d[/len|/mask] and IPv6 as addr[/len], kept as prefixes
// ("10.0.0.0/8,fd00::/8") for the runtime.
func serverResolveNet(l *serverLine, o, v string) bool {
	var out []string
	for _, n := range strings.Split(v, ",") {
		if len(out) >= maxResolveNets {
			l.alert("'resolve-net' exceed %d networks..", maxResolveNets)
			return false
		}
		p, ok := ParseNetwork(n)
		switch {
		case ok:
			n = p.String()
		case !holedMask(n):
			l.alert("'resolve-net' invalid network '%s'..", n)
			return false
		}
		// a mask with holes stays as written: HAProxy takes it, goha's
		// runtime refuses it (proxy/haproxycfg serverResolution)
		out = append(out, n)
	}
	l.opts.Other[o] = strings.Join(out, ",")
	return true
}

// ParseNetwork reads a network as HAProxy's str2net and str2net6 do: an
// address alone is a host network; IPv4 takes a length or a dotted
// mask. The prefix comes masked.
func ParseNetwork(s string) (netip.Prefix, bool) {
	addr, mask, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addr)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	bits := a.BitLen()
	if hasMask {
		if m, err := netip.ParseAddr(mask); err == nil && a.Is4() && m.Is4() {
			if bits = dottedMaskLen(m); bits < 0 {
				return netip.Prefix{}, false
			}
		} else if n, _, ok := leadingInt(mask); ok && len(mask) > 0 && isAllDigits(mask) && n <= a.BitLen() {
			bits = n
		} else {
			return netip.Prefix{}, false
		}
	}
	p, err := a.Prefix(bits)
	return p, err == nil
}

// holedMask says whether s is an IPv4 network with a valid dotted mask
// that is not contiguous (255.0.255.0).
func holedMask(s string) bool {
	addr, mask, ok := strings.Cut(s, "/")
	a, err1 := netip.ParseAddr(addr)
	m, err2 := netip.ParseAddr(mask)
	return ok && err1 == nil && err2 == nil && a.Is4() && m.Is4() && dottedMaskLen(m) < 0
}

func isAllDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// dottedMaskLen is the length of a contiguous dotted mask, -1 if it has
// holes.
func dottedMaskLen(m netip.Addr) int {
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	n := 0
	for n < 32 && v&(1<<(31-n)) != 0 {
		n++
	}
	if v<<n != 0 {
		return -1
	}
	return n
}
