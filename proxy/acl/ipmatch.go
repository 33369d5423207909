package acl

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// ipPattern is one -m ip pattern: an IPv4 address and mask (which need
// not be contiguous, as "255.0.255.0"), or an IPv6 prefix.
type ipPattern struct {
	v4         bool
	addr, mask uint32
	pfx        netip.Prefix
}

func parseIPPattern(p string) (ipPattern, error) {
	a, bits, hasMask := strings.Cut(p, "/")
	ip, err := netip.ParseAddr(a)
	if err != nil || !ip.Is4() {
		pfx, err := ParsePrefix(p)
		return ipPattern{pfx: pfx.Masked()}, err
	}
	mask := ^uint32(0)
	if hasMask {
		if m, err := netip.ParseAddr(bits); err == nil && m.Is4() {
			b := m.As4()
			mask = binary.BigEndian.Uint32(b[:])
		} else if n, err := strconv.Atoi(bits); err == nil && n >= 0 && n <= 32 {
			mask = uint32(uint64(^uint32(0)) << (32 - n))
		} else {
			return ipPattern{}, fmt.Errorf("mask %s", bits)
		}
	}
	b := ip.As4()
	return ipPattern{v4: true, addr: binary.BigEndian.Uint32(b[:]), mask: mask}, nil
}

// ipNets matches addresses as HAProxy 2.6's pat_match_ip (checked by
// TestACLFuzzDifferential): an IPv4 address against the IPv4 patterns,
// then as ::ffff:a.b.c.d against the IPv6 ones; an IPv6 address against
// the IPv6 patterns, then, when it carries an IPv4 address (::ffff:a.b.c.d,
// ::a.b.c.d or 6to4's 2002:aabb:ccdd::), that one against the IPv4
// patterns.
func ipNets(pats []string) (func(netip.Addr) bool, error) {
	var ps []ipPattern
	for _, p := range pats {
		ip, err := parseIPPattern(p)
		if err != nil {
			return nil, fmt.Errorf("address %s", p)
		}
		ps = append(ps, ip)
	}
	return func(a netip.Addr) bool {
		v4, has4 := embeddedIPv4(a)
		v6 := a
		if a.Is4() {
			v6 = netip.AddrFrom16(a.As16())
		}
		for _, p := range ps {
			if p.v4 {
				if has4 && (v4^p.addr)&p.mask == 0 {
					return true
				}
			} else if p.pfx.Contains(v6) {
				return true
			}
		}
		return false
	}, nil
}

// embeddedIPv4 is a's IPv4 address for the IPv4 patterns, if it has one.
func embeddedIPv4(a netip.Addr) (uint32, bool) {
	b := a.As16()
	if a.Is4() {
		return binary.BigEndian.Uint32(b[12:]), true
	}
	hi := binary.BigEndian.Uint64(b[:8])
	mid := binary.BigEndian.Uint32(b[8:12])
	switch {
	case hi == 0 && (mid == 0 || mid == 0xffff):
		return binary.BigEndian.Uint32(b[12:]), true
	case b[0] == 0x20 && b[1] == 0x02:
		return binary.BigEndian.Uint32(b[2:6]), true
	}
	return 0, false
}

// contiguous: the mask is ones then zeros (a prefix length).
func contiguous(mask uint32) bool { return mask+(mask&-mask) == 0 }

// prefix is a contiguous pattern as a netip.Prefix.
func (p ipPattern) prefix() netip.Prefix {
	if !p.v4 {
		return p.pfx
	}
	ones := 0
	for m := p.mask; m&(1<<31) != 0; m <<= 1 {
		ones++
	}
	return netip.PrefixFrom(addr4(p.addr), ones).Masked()
}

func addr4(v uint32) netip.Addr {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	return netip.AddrFrom4(b)
}
