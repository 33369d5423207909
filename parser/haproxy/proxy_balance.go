package haproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// Handlers of the load-balancing keywords (balance, hash-type,
// hash-balance-factor); rows in proxyKeywordTable.

var balanceAlgos = map[string]bool{"roundrobin": true, "static-rr": true, "leastconn": true,
	"first": true, "source": true, "uri": true, "url_param": true, "hdr": true, "random": true,
	"rdp-cookie": true, "hash": true}

func (s *state) parseBalance(px *Proxy, l *proxyLine) bool {
	w := l.w
	if len(w) < 2 {
		return false // 2.6 silently keeps the previous algorithm
	}
	algo := l.arg(1)
	base := algo
	if i := strings.IndexByte(algo, '('); i > 0 {
		base = algo[:i]
	}
	if !balanceAlgos[base] || base == "hdr" && base == algo {
		s.alert(l.p, "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.")
		return false
	}
	if msg := checkBalanceArgs(base, algo, w[2:]); msg != "" {
		s.alert(l.p, "%s", msg)
		return false
	}
	px.Balance = Balance{Algorithm: base, Args: append([]string{algo}, w[2:]...)}
	return false
}

func (s *state) parseHashType(px *Proxy, l *proxyLine) bool {
	if l.arg(1) != "consistent" && l.arg(1) != "map-based" {
		s.alert(l.p, "'hash-type' only supports 'consistent' and 'map-based'.")
		return false
	}
	px.HashType = l.w[1:]
	return false
}

func (s *state) parseHashBalanceFactor(px *Proxy, l *proxyLine) bool {
	if msg := rawChecks[l.kw](l.w); msg != "" {
		s.alert(l.p, "%s", msg)
		return false
	}
	px.HashBalanceFactor, _, _ = leadingInt(l.arg(1)) // honoured by proxy/balance
	return false
}

// checkBalanceArgs validates the arguments of the algorithms that take some.
func checkBalanceArgs(base, algo string, args []string) string {
	switch base {
	case "uri":
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "len", "depth":
				v := ""
				if i+1 < len(args) {
					v = args[i+1]
				}
				if n, err := strconv.Atoi(v); err != nil || n < 0 {
					return fmt.Sprintf("balance uri : '%s' expects a positive integer (got '%s').", args[i], v)
				}
				i++
			case "whole", "path-only":
			default:
				return "balance uri only accepts parameters 'len', 'depth', 'path-only' and 'whole'."
			}
		}
	case "random":
		if rest, ok := strings.CutPrefix(algo, "random("); ok {
			n, end, okn := leadingInt(rest)
			if !okn || end >= len(rest) || rest[end] != ')' || n < 1 {
				bad := byte(')')
				if okn && end < len(rest) {
					bad = rest[end]
				} else if !okn && rest != "" {
					bad = rest[0]
				}
				return fmt.Sprintf("balance random : unexpected character '%c' after argument.", bad)
			}
		}
	case "url_param":
		if len(args) == 0 {
			return "balance url_param requires an URL parameter name."
		}
	}
	return ""
}
