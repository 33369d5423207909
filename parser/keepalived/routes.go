package keepalived

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Route is one virtual_routes / static_routes line as it goes into the
// kernel. Zero values mean "not given" (the kernel default), except where
// keepalived sets its own: protocol keepalived (18), scope universe and
// table main, all seen with `ip route show table all` next to the real
// keepalived 2.2.7 (a dev-only route has no "scope link" there).
type Route struct {
	Dst      netip.Prefix
	Src      netip.Addr
	Via      netip.Addr
	Dev      string
	Table    int // 0 = main
	Metric   int
	Scope    uint8 // rtnetlink RT_SCOPE_*
	Type     uint8 // rtnetlink RTN_*; RTNUnicast unless a type word was given
	Protocol uint8
	MTU      int
	AdvMSS   int
	InitCwnd int
	InitRwnd int
	TOS      int
	OnLink   bool
	NoTrack  bool   // tracking is not done by gokeepalived; kept for the dump
	Text     string // the line as written
	Pos      Pos
}

// Rule is one virtual_rules / static_rules line (ip rule).
type Rule struct {
	IPv6              bool
	From, To          netip.Prefix // invalid = all
	Table             int          // 0 = main (ip rule's default action)
	Priority          int          // -1 = not given (MapConfig assigns keepalived's default)
	TOS               int
	Mark              uint32
	Mask              *uint32
	Iif, Oif          string
	Goto              int // -1 none
	SuppressPrefixlen int // -1 none
	SuppressIfgroup   int // -1 none
	UIDRange          *[2]uint32
	Sport, Dport      *[2]uint16
	IPProto           int
	Invert            bool
	Type              uint8 // FR_ACT_*: 0 = lookup a table
	Protocol          uint8
	NoTrack           bool
	Text              string // the line as written
	Pos               Pos
}

// rtnetlink values used by the grammar (linux/rtnetlink.h, fib_rules.h);
// the exported ones are read by the runtime (netlink requests, data dump).
const (
	rtProtKeepalived = 18 // RTPROT_KEEPALIVED, "proto keepalived"
	RTNUnicast       = 1
	rtnLocal         = 2
	rtnBroadcast     = 3
	rtnAnycast       = 4
	rtnMulticast     = 5
	rtnBlackhole     = 6
	rtnUnreachable   = 7
	rtnProhibit      = 8
	rtnThrow         = 9
	rtnNAT           = 10
	FRActGoto        = 2
	FRActBlackhole   = 6
	FRActUnreachable = 7
	FRActProhibit    = 8
	FRActNop         = 3
	TableMain        = 254
)

// RouteTypeName is a route type's word ("blackhole"), "" for unicast or
// an unknown type.
func RouteTypeName(typ uint8) string {
	if typ == RTNUnicast {
		return ""
	}
	for name, t := range routeTypes {
		if t == typ {
			return name
		}
	}
	return ""
}

var routeTypes = map[string]uint8{
	"unicast": RTNUnicast, "local": rtnLocal, "broadcast": rtnBroadcast, "anycast": rtnAnycast,
	"multicast": rtnMulticast, "blackhole": rtnBlackhole, "unreachable": rtnUnreachable,
	"prohibit": rtnProhibit, "throw": rtnThrow, "nat": rtnNAT,
}

// UnsupportedOptionError names a route or rule option gokeepalived parses
// but cannot apply; the whole line is then left out (applying the rest
// would install something else than what was written).
type UnsupportedOptionError struct{ Option string }

func (e UnsupportedOptionError) Error() string {
	return fmt.Sprintf("option %q is not supported by gokeepalived", e.Option)
}

// unsupportedRouteOptions are iproute2/keepalived route options gokeepalived
// leaves out; each makes the line's notice name it.
var unsupportedRouteOptions = map[string]bool{
	"nexthop": true, "or": true, "from": true, "encap": true, "expires": true, "realms": true,
	"rtt": true, "rttvar": true, "reordering": true, "window": true, "cwnd": true, "ssthresh": true,
	"features": true, "quickack": true, "congctl": true, "pref": true, "fastopen_no_cookie": true,
	"rto_min": true, "hoplimit": true, "ttl-propagate": true, "lock": true, "nhid": true,
}

// ParseRoute parses the words of one route line, keepalived 2.2.7's
// grammar (a destination word or "to X", "default"; src, via/gw, dev/oif,
// table, metric/priority/preference, scope, proto/protocol, mtu, advmss,
// initcwnd, initrwnd, tos/dsfield, onlink, no_track, and a leading or
// trailing type word such as blackhole).
func ParseRoute(words []string) (Route, error) {
	r := Route{Type: RTNUnicast, Protocol: rtProtKeepalived, Text: strings.Join(words, " ")}
	scopeSet := false
	ow := &optionWords{words: words, what: "route"}
	for ; ow.i < len(words); ow.i++ {
		w, arg, num := words[ow.i], ow.arg, ow.num
		var err error
		switch {
		case w == "src":
			r.Src, err = addrArg(arg)
		case w == "via" || w == "gw":
			r.Via, err = addrArg(arg)
		case w == "dev" || w == "oif":
			r.Dev, err = arg()
		case w == "table":
			r.Table, err = tableArg(arg)
		case w == "metric" || w == "priority" || w == "preference":
			r.Metric, err = num(32)
		case w == "scope":
			var s string
			if s, err = arg(); err == nil {
				r.Scope, err = scopeArg(s)
				scopeSet = true
			}
		case w == "proto" || w == "protocol":
			var s string
			if s, err = arg(); err == nil {
				r.Protocol, err = protoArg(s)
			}
		case w == "mtu":
			r.MTU, err = num(32)
		case w == "advmss":
			r.AdvMSS, err = num(32)
		case w == "initcwnd":
			r.InitCwnd, err = num(32)
		case w == "initrwnd":
			r.InitRwnd, err = num(32)
		case w == "tos" || w == "dsfield":
			r.TOS, err = num(8)
		case w == "onlink":
			r.OnLink = true
		case w == "no_track":
			r.NoTrack = true
		case routeTypes[w] != 0:
			r.Type = routeTypes[w]
		case unsupportedRouteOptions[w]:
			return Route{}, UnsupportedOptionError{Option: w}
		case w == "to":
			var s string
			if s, err = arg(); err == nil {
				r.Dst, err = dstArg(s)
			}
		default:
			if r.Dst.IsValid() {
				return Route{}, fmt.Errorf("unknown route option %q", w)
			}
			r.Dst, err = dstArg(w)
		}
		if err != nil {
			return Route{}, err
		}
	}
	if !r.Dst.IsValid() {
		return Route{}, fmt.Errorf("route has no destination")
	}
	if r.Dst.Bits() == 0 && r.Dst.Addr().Is4() && (r.Via.Is6() || r.Src.Is6()) {
		// "default via fe80::1": the family comes from the other addresses.
		r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
	}
	for _, a := range []netip.Addr{r.Src, r.Via} {
		if a.IsValid() && a.Is4() != r.Dst.Addr().Is4() {
			return Route{}, fmt.Errorf("route mixes IPv4 and IPv6 addresses")
		}
	}
	if !scopeSet {
		switch r.Type {
		case rtnLocal, rtnNAT:
			r.Scope = 254 // host
		case rtnBroadcast, rtnMulticast, rtnAnycast:
			r.Scope = 253 // link
		}
	}
	return r, nil
}

// ParseRule parses the words of one rule line: from/to (prefix or all),
// table/lookup, preference/priority/order (keepalived 2.2.7 rejects
// "pref"), tos/dsfield, fwmark N[/M], iif, oif, goto, suppress_prefixlength,
// suppress_ifgroup, uidrange A-B, sport/dport N[-M], ipproto, not,
// protocol, no_track and the action words blackhole/prohibit/unreachable/nop.
func ParseRule(words []string) (Rule, error) {
	r := Rule{Priority: -1, Goto: -1, SuppressPrefixlen: -1, SuppressIfgroup: -1, Protocol: rtProtKeepalived,
		Text: strings.Join(words, " ")}
	famSet := false
	setFam := func(v6 bool) error {
		if famSet && r.IPv6 != v6 {
			return fmt.Errorf("rule mixes IPv4 and IPv6 addresses")
		}
		r.IPv6, famSet = v6, true
		return nil
	}
	ow := &optionWords{words: words, what: "rule"}
	for ; ow.i < len(words); ow.i++ {
		w, arg, num := words[ow.i], ow.arg, ow.num
		var err error
		switch w {
		case "from", "to":
			var s string
			if s, err = arg(); err != nil || s == "all" {
				break
			}
			var p netip.Prefix
			if p, err = prefixArg(s); err == nil {
				err = setFam(p.Addr().Is6())
			}
			if w == "from" {
				r.From = p
			} else {
				r.To = p
			}
		case "table", "lookup":
			r.Table, err = tableArg(arg)
		case "preference", "priority", "order":
			r.Priority, err = num(32)
		case "tos", "dsfield":
			r.TOS, err = num(8)
		case "fwmark":
			var s string
			if s, err = arg(); err == nil {
				m, mask, hasMask := strings.Cut(s, "/")
				var v uint64
				if v, err = strconv.ParseUint(m, 0, 32); err == nil {
					r.Mark = uint32(v)
					if hasMask {
						if v, err = strconv.ParseUint(mask, 0, 32); err == nil {
							mk := uint32(v)
							r.Mask = &mk
						}
					}
				}
				if err != nil {
					err = fmt.Errorf("invalid fwmark %q", s)
				}
			}
		case "iif":
			r.Iif, err = arg()
		case "oif":
			r.Oif, err = arg()
		case "goto":
			r.Goto, err = num(32)
			r.Type = FRActGoto
		case "suppress_prefixlength":
			r.SuppressPrefixlen, err = num(8)
		case "suppress_ifgroup":
			r.SuppressIfgroup, err = num(31)
		case "uidrange":
			var s string
			if s, err = arg(); err == nil {
				var lo, hi uint64
				a, b, ok := strings.Cut(s, "-")
				lo, err = strconv.ParseUint(a, 10, 32)
				hi = lo
				if err == nil && ok {
					hi, err = strconv.ParseUint(b, 10, 32)
				}
				if err != nil || hi < lo {
					err = fmt.Errorf("invalid uidrange %q", s)
				}
				r.UIDRange = &[2]uint32{uint32(lo), uint32(hi)}
			}
		case "sport", "dport":
			var s string
			if s, err = arg(); err == nil {
				var pr *[2]uint16
				if pr, err = portRange(s); err == nil {
					if w == "sport" {
						r.Sport = pr
					} else {
						r.Dport = pr
					}
				}
			}
		case "ipproto":
			var s string
			if s, err = arg(); err == nil {
				r.IPProto, err = ipProtoArg(s)
			}
		case "not":
			r.Invert = true
		case "protocol":
			var s string
			if s, err = arg(); err == nil {
				r.Protocol, err = protoArg(s)
			}
		case "no_track":
			r.NoTrack = true
		case "blackhole":
			r.Type = FRActBlackhole
		case "prohibit":
			r.Type = FRActProhibit
		case "unreachable":
			r.Type = FRActUnreachable
		case "nop":
			r.Type = FRActNop
		case "realms", "l3mdev", "tun_id", "type", "map-to", "nat", "flowid":
			return Rule{}, UnsupportedOptionError{Option: w}
		default:
			// keepalived 2.2.7 logs "Unknown rule option X" and drops the rule.
			return Rule{}, fmt.Errorf("Unknown rule option %s", w)
		}
		if err != nil {
			return Rule{}, err
		}
	}
	return r, nil
}

// optionWords walks the words of a route or rule line; at an option word,
// arg takes its value and num its value as an unsigned number of bits bits.
type optionWords struct {
	words []string
	i     int
	what  string // "route" or "rule", for messages
}

func (o *optionWords) arg() (string, error) {
	if o.i+1 >= len(o.words) {
		return "", fmt.Errorf("%s option %q needs a value", o.what, o.words[o.i])
	}
	o.i++
	return o.words[o.i], nil
}

func (o *optionWords) num(bits int) (int, error) {
	w := o.words[o.i]
	s, err := o.arg()
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseUint(s, 0, bits)
	if err != nil {
		return 0, fmt.Errorf("invalid %s %q", w, s)
	}
	return int(n), nil
}

func addrArg(arg func() (string, error)) (netip.Addr, error) {
	s, err := arg()
	if err != nil {
		return netip.Addr{}, err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("invalid address %q", s)
	}
	return a, nil
}

// dstArg reads a destination: a prefix, a bare address (host route) or
// "default".
func dstArg(s string) (netip.Prefix, error) {
	if s == "default" {
		return netip.PrefixFrom(netip.IPv4Unspecified(), 0), nil
	}
	return prefixArg(s)
}

func prefixArg(s string) (netip.Prefix, error) {
	if p, err := netip.ParsePrefix(s); err == nil {
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("invalid address %q", s)
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// tableArg reads a table number or one of the names every host has.
func tableArg(arg func() (string, error)) (int, error) {
	s, err := arg()
	if err != nil {
		return 0, err
	}
	switch s {
	case "main":
		return TableMain, nil
	case "local":
		return 255, nil
	case "default":
		return 253, nil
	}
	n, err := strconv.ParseUint(s, 0, 32)
	if err != nil || n == 0 {
		return 0, UnsupportedOptionError{Option: "table " + s + " (only numbers, main, local and default)"}
	}
	return int(n), nil
}

func scopeArg(s string) (uint8, error) {
	switch s {
	case "global", "universe":
		return 0, nil
	case "site":
		return 200, nil
	case "link":
		return 253, nil
	case "host":
		return 254, nil
	case "nowhere":
		return 255, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, fmt.Errorf("invalid scope %q", s)
	}
	return uint8(n), nil
}

func protoArg(s string) (uint8, error) {
	switch s {
	case "kernel":
		return 2, nil
	case "boot":
		return 3, nil
	case "static":
		return 4, nil
	case "keepalived":
		return rtProtKeepalived, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, fmt.Errorf("invalid protocol %q", s)
	}
	return uint8(n), nil
}

func ipProtoArg(s string) (int, error) {
	switch s {
	case "tcp":
		return 6, nil
	case "udp":
		return 17, nil
	case "icmp":
		return 1, nil
	case "ipv6-icmp", "icmpv6":
		return 58, nil
	case "sctp":
		return 132, nil
	}
	n, err := strconv.ParseUint(s, 0, 8)
	if err != nil {
		return 0, fmt.Errorf("invalid ipproto %q", s)
	}
	return int(n), nil
}

func portRange(s string) (*[2]uint16, error) {
	a, b, ok := strings.Cut(s, "-")
	lo, err := strconv.ParseUint(a, 10, 16)
	hi := lo
	if err == nil && ok {
		hi, err = strconv.ParseUint(b, 10, 16)
	}
	if err != nil || hi < lo {
		return nil, fmt.Errorf("invalid port range %q", s)
	}
	return &[2]uint16{uint16(lo), uint16(hi)}, nil
}
