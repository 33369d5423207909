package haproxy

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// UseSrc is how a `source ... usesrc` statement picks the foreign
// address server connections present (HAProxy's CO_SRC_TPROXY_*).
type UseSrc int

const (
	UseSrcNone     UseSrc = iota // no usesrc: the source address itself
	UseSrcAddr                   // usesrc <addr>[:<port>]
	UseSrcClient                 // usesrc client: the client's address and port
	UseSrcClientIP               // usesrc clientip: the client's address, a spare port
	UseSrcHdrIP                  // usesrc hdr_ip(<hdr>[,<occ>]): an IPv4 address from a header
)

// ConnSource is a `source` statement of a backend (or defaults) or the
// `source` option of a server line: the address connections to servers,
// and health checks, are made from.
type ConnSource struct {
	Pos Pos
	// Addr is the address bound before connecting (0.0.0.0 or :: leave
	// the choice to the system); Port a fixed port, or with PortHigh > 0
	// the first of a range HAProxy picks ports from (server lines only).
	Addr           netip.Addr
	Port, PortHigh int
	// UseSrc, UseAddr, Hdr and HdrOcc are the usesrc part: the foreign
	// address presented to servers (checks still use Addr).
	UseSrc  UseSrc
	UseAddr netip.AddrPort
	Hdr     string
	HdrOcc  int
	// Interface is `interface <name>` (SO_BINDTODEVICE).
	Interface string
}

// parseProxySource is the `source` statement, with HAProxy 2.6's messages
// (cfgparse-listen.c; measured with haproxy -c).
func (s *state) parseProxySource(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects <addr>[:<port>], and optionally 'usesrc' <addr>, and 'interface' <name>.", l.kw)
		return false
	}
	cs, msg, _ := parseConnSource(l.w[1:], false, "'source' only supports optional keywords 'interface' and 'usesrc'.",
		"'usesrc' expects <addr>[:<port>], 'client', or 'clientip' as argument.", "'source' : missing interface name.")
	if msg != "" {
		first, rest := splitMessage(msg)
		s.alert(l.p, "%s", first)
		if len(rest) > 0 {
			s.d.List[len(s.d.List)-1].Extra = rest
		}
		return false
	}
	cs.Pos = l.p
	px.Source = cs
	return false
}

// parseTransparent is the old `transparent` statement: HAProxy 2.6
// still reads it as `option transparent`, in any section, without
// arguments.
func (s *state) parseTransparent(px *Proxy, l *kwLine) bool {
	if len(l.w) > 1 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[1])
		return false
	}
	px.Options["transparent"] = true
	return false
}

// serverSource is the server option `source ...`: it takes the words
// after it that belong to it (usesrc, interface) and returns how many.
func (l *serverLine) serverSource(w []string) (int, bool) {
	if len(w) == 0 {
		l.alert("'source' expects <addr>[:<port>[-<port>]], and optionally 'usesrc' <addr>, and 'interface' <name> as argument..")
		return 0, false
	}
	n := 1
	for n < len(w) && (w[n] == "usesrc" || w[n] == "interface") {
		n += 2
	}
	n = min(n, len(w))
	cs, msg, at := parseConnSource(w[:n], true, "",
		"'usesrc' expects <addr>[:<port>], 'client', 'clientip', or 'hdr_ip(name,#)' as argument.", "'server' : missing interface name.")
	if msg != "" {
		l.alert("%s", strings.TrimSuffix(msg, "\n"))
		if at != "" { // HAProxy's server parser names the word it stopped at
			l.s.d.Raw(Alert, l.p.File, l.p.Line, fmt.Sprintf("config : error encountered while processing '%s'.", at))
		}
		return n, false
	}
	cs.Pos = l.p
	l.opts.Source = cs
	return n, true
}

// parseConnSource reads `<addr>[:<port>[-<high>]] [usesrc <how>]
// [interface <name>]` (w[0] is the address). The messages for an unknown
// word, a missing usesrc argument and a missing interface name differ
// between the proxy statement and the server option. at is the word an
// error in usesrc or interface was found after.
func parseConnSource(w []string, rangeOK bool, unknownMsg, usesrcMsg, ifaceMsg string) (cs *ConnSource, msg, at string) {
	cs = &ConnSource{}
	a, err := ParseAddress(w[0])
	if err != nil {
		return nil, fmt.Sprintf("'source %s' : %v\n", w[0], err), ""
	}
	if msg := sourceAddr(cs, a, "source "+w[0], rangeOK); msg != "" {
		return nil, msg, ""
	}
	for i := 1; i < len(w); i += 2 {
		switch w[i] {
		case "usesrc":
			if i+1 >= len(w) || w[i+1] == "" {
				return nil, usesrcMsg, w[i]
			}
			if msg := parseUseSrc(cs, w[i+1]); msg != "" {
				return nil, msg, w[i]
			}
		case "interface":
			if i+1 >= len(w) || w[i+1] == "" {
				return nil, ifaceMsg, w[i]
			}
			cs.Interface = w[i+1]
		default:
			return nil, unknownMsg, ""
		}
	}
	return cs, "", ""
}

// sourceAddr checks and stores the bound address: an IP literal (goha
// resolves no names at parse time) and a port or, where allowed, a range.
func sourceAddr(cs *ConnSource, a Address, what string, rangeOK bool) string {
	if a.Path != "" || a.FD > 0 || strings.HasPrefix(a.Family, "unix") || a.Family == "abns" {
		return fmt.Sprintf("'%s' : address family not supported\n", what)
	}
	host := a.Host
	if host == "" {
		host = "0.0.0.0"
		if a.Family == "ipv6" {
			host = "::"
		}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return fmt.Sprintf("'%s' : invalid address: '%s' in '%s'\n", what, a.Host, a.Raw)
	}
	cs.Addr = ip.Unmap()
	if !a.PortSet || a.PortRaw == "" {
		return ""
	}
	lo, hi, isRange := strings.Cut(a.PortRaw, "-")
	if isRange && !rangeOK {
		return fmt.Sprintf("'%s' : port range not permitted here in '%s'", what, a.Raw)
	}
	l, err := strconv.Atoi(lo)
	if err != nil || l < 0 || l > 65535 {
		return fmt.Sprintf("'%s' : invalid port '%s'\n", what, a.PortRaw)
	}
	cs.Port = l
	if isRange {
		h, err := strconv.Atoi(hi)
		if err != nil || l < 1 || h > 65535 || h < l {
			return fmt.Sprintf("'%s' : invalid port range '%s'.", what, a.PortRaw)
		}
		cs.PortHigh = h
	}
	return ""
}

// parseUseSrc reads usesrc's argument.
func parseUseSrc(cs *ConnSource, v string) string {
	switch {
	case v == "client":
		cs.UseSrc = UseSrcClient
	case v == "clientip":
		cs.UseSrc = UseSrcClientIP
	case strings.HasPrefix(v, "hdr_ip("):
		// HAProxy takes the name up to ',' or ')' and the occurrence
		// with atol, accepting any text (an empty name never matches,
		// occurrence 0 fails every connection).
		inner := v[len("hdr_ip("):]
		end := strings.IndexAny(inner, ",)")
		if end < 0 {
			end = len(inner)
		}
		cs.UseSrc, cs.Hdr, cs.HdrOcc = UseSrcHdrIP, inner[:end], -1
		if end < len(inner) && inner[end] == ',' {
			n, _, _ := leadingInt(inner[end+1:])
			cs.HdrOcc = n
		}
	default:
		a, err := ParseAddress(v)
		if err != nil {
			return fmt.Sprintf("'usesrc %s' : %v\n", v, err)
		}
		var tmp ConnSource
		if msg := sourceAddr(&tmp, a, "usesrc "+v, false); msg != "" {
			return msg
		}
		cs.UseSrc, cs.UseAddr = UseSrcAddr, netip.AddrPortFrom(tmp.Addr, uint16(tmp.Port))
	}
	return ""
}
