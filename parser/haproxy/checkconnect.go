package haproxy

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// CheckConnect is `connect [default] [port <n>] [addr <a>] [send-proxy]
// [via-socks4] [ssl] [sni <sni>] [alpn <alpn>] [linger] [proto <name>]
// [comment <text>]` of a tcp-check or http-check ruleset.
type CheckConnect struct {
	Port int // 0: the server's check port
	// PortExpr is a sample expression `port` (its value, when not 0,
	// is the port; "": none).
	PortExpr string
	Addr     string // "": the server's check address
	// Default: the connection takes the server line's check settings
	// (check-ssl, check-send-proxy, check-via-socks4, check-alpn,
	// check-sni, check-proto); without it HAProxy 2.6 connects in clear
	// text without them. The rule's own options apply either way.
	Default bool
	// SSL: the connection speaks TLS with the server line's TLS settings
	// (verify, ca-file, crt, ...), offering SNI and ALPN (none when "").
	SSL       bool
	SNI       string
	ALPN      string // comma-delimited, as written
	SendProxy bool   // a PROXY header of the server's version (send-proxy-v2: 2)
	Socks4    bool   // through the server's `socks4` proxy (ignored without one)
	// Linger: the connection closes with a FIN; HAProxy resets the
	// others (its checks' sockets linger_risk).
	Linger bool
	// Proto is the mux protocol (`proto`): "h1" or "h2" (http-check),
	// "none" (tcp-check); "": the default (ALPN's choice over TLS).
	Proto   string
	Comment string
}

// ParseCheckConnect reads the words after `tcp-check connect` or
// `http-check connect` (kw is "tcp-check" or "http-check"). alert is
// HAProxy 2.6.12's complaint about the line (after "'<kw> connect' : ");
// err is goha's refusal of a line HAProxy accepts but goha cannot run.
func ParseCheckConnect(kw string, words []string) (c CheckConnect, alert string, err error) {
	arg := func(i int) string { return wordAt(words, i+1) }
	for i := 0; i < len(words); i++ {
		switch w := words[i]; w {
		case "default":
			c.Default = true
		case "send-proxy":
			c.SendProxy = true
		case "via-socks4":
			c.Socks4 = true
		case "linger":
			c.Linger = true
		case "ssl":
			c.SSL = true
		case "addr":
			if arg(i) == "" {
				return c, "'addr' expects <ipv4|ipv6> as argument..", nil
			}
			i++
			c.Addr = words[i]
			if msg, bad := checkConnectAddr(c.Addr); msg != "" {
				return c, msg, nil
			} else if bad {
				err = fmt.Errorf("%s connect: addr '%s' not supported (an IP address, with a port or not, is)", kw, c.Addr)
			}
		case "port":
			if arg(i) == "" {
				return c, "'port' expects a port number or a sample expression as argument..", nil
			}
			i++
			v := words[i]
			n, perr := strconv.ParseUint(v, 10, 64)
			switch {
			case perr != nil && !isDigitsOnly(v):
				// a sample expression, evaluated at each check (proxy/check
				// compiles it; http-check's is refused by proxy/haproxycfg)
				c.PortExpr = v
			case perr != nil || n < 1 || n > 65535:
				return c, fmt.Sprintf("expects a valid TCP port (from range 1 to 65535) or a sample expression, got %s..", v), nil
			default:
				c.Port = int(n)
			}
		case "proto":
			if arg(i) == "" {
				return c, "'proto' expects a MUX protocol as argument..", nil
			}
			i++
			c.Proto = words[i]
			mode, known := map[string]string{"h1": "http-check", "h2": "http-check", "fcgi": "http-check", "none": "tcp-check"}[c.Proto]
			switch {
			case !known:
				return c, fmt.Sprintf("'proto' : unknown MUX protocol '%s'..", c.Proto), nil
			case mode != kw:
				return c, fmt.Sprintf("'proto' : invalid MUX protocol '%s' for %s.", c.Proto, kw), nil
			case c.Proto == "fcgi":
				err = fmt.Errorf("%s connect: proto fcgi not supported", kw)
			}
		case "comment", "sni":
			if arg(i) == "" {
				return c, fmt.Sprintf("'%s' expects a string as argument..", w), nil
			}
			i++
			if w == "sni" {
				c.SNI = words[i]
			} else {
				c.Comment = words[i]
			}
		case "alpn":
			if msg := alpnProblem(arg(i)); msg != "" {
				return c, "'alpn' : " + msg + ".", nil
			}
			i++
			c.ALPN = words[i]
		default:
			return c, fmt.Sprintf("expects 'comment', 'port', 'addr', 'send-proxy', 'ssl', 'sni', 'alpn' or 'via-socks4', 'linger', 'default' but got '%s' as argument..", w), nil
		}
	}
	return c, "", err
}

// alpnProblem is HAProxy's ssl_sock_parse_alpn complaint about a
// comma-delimited protocol list ("" when it takes it; empty names pass).
func alpnProblem(v string) string {
	if v == "" {
		return "missing the comma-delimited ALPN protocol suite"
	}
	n := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' {
			if n > 255 {
				return fmt.Sprintf("ALPN protocol name too long : '%s'", v[i-n:i])
			}
			n = 0
			continue
		}
		n++
	}
	return ""
}

func isDigitsOnly(v string) bool {
	for i := 0; i < len(v); i++ {
		if !isDigit(v[i]) {
			return false
		}
	}
	return v != ""
}

// SSLCheckConnect: a tcp-check or http-check rule of px connects with
// `ssl` (HAProxy's PR_O_TCPCHK_SSL: every server gets a TLS context).
func (px *Proxy) SSLCheckConnect() bool {
	for _, rules := range [][]CheckStep{px.TCPCheck.Rules, px.HTTPCheck.Rules} {
		for i := range rules {
			if rules[i].Kind == StepConnect && rules[i].Connect.SSL {
				return true
			}
		}
	}
	return false
}

// checkConnectAddr is HAProxy's complaint about a connect rule's `addr`
// port part (a range or an offset), else bad when goha cannot connect to
// it as HAProxy would: anything but an IP address with or without a port
// (host names HAProxy resolves once at start, unix@ and other families).
func checkConnectAddr(v string) (msg string, bad bool) {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		// (HAProxy reads a bare IPv6 address's last colon as its port's)
		a, err := netip.ParseAddr(v)
		return "", err != nil || !a.Is4()
	}
	switch {
	case strings.HasPrefix(port, "+") || strings.HasPrefix(port, "-"):
		return fmt.Sprintf("'addr' : port offset not permitted here in '%s'..", v), false
	case strings.Contains(port, "-"):
		return fmt.Sprintf("'addr' : port range not permitted here in '%s'..", v), false
	}
	_, err = netip.ParseAddr(host)
	return "", err != nil || !isDigitsOnly(port)
}
