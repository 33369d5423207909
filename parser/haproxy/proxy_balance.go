package haproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// Handlers of the load-balancing keywords (balance, hash-type,
// hash-balance-factor), rows in proxyKeywordTable, and their typed values.

// Balance is "balance <algorithm> [<arguments>]": the algorithm and its
// parameter, typed. The zero value is "no balance line": DefaultBalance.
type Balance struct {
	// Algorithm is the algorithm's name without its parenthesised
	// argument: "roundrobin", "static-rr", "leastconn", "first", "source",
	// "uri", "url_param", "hdr", "random", "rdp-cookie", "hash".
	Algorithm string
	URI       URIHashParams      // uri
	URLParam  URLParamHashParams // url_param
	Header    HeaderHashParams   // hdr(<name>)
	// Draws is random(<draws>): how many servers are drawn before the
	// least loaded is picked (DefaultRandomDraws without the argument).
	Draws int
	// RDPCookie is rdp-cookie(<name>) (DefaultRDPCookie without one).
	RDPCookie string
	// Expr is the sample expression of `balance hash <expr>`.
	Expr string
	// Args are the words as written from the algorithm on ("hdr(Host)",
	// "use_domain_only"): messages quote them, and proxy/haproxycfg hands
	// them to the balancer builder until that takes the typed fields.
	Args []string
}

// URIHashParams are `balance uri [len <n>] [depth <n>] [whole] [path-only]`
// (0 = no limit).
type URIHashParams struct {
	Len, Depth      int
	Whole, PathOnly bool
}

// URLParamHashParams are `balance url_param <name> [check_post]`. HAProxy
// 2.6 reads no <max_wait> after check_post any more (a value there is
// ignored), so there is no field for it.
type URLParamHashParams struct {
	Name      string
	CheckPost bool
}

// HeaderHashParams are `balance hdr(<name>) [use_domain_only]`.
type HeaderHashParams struct {
	Name          string
	UseDomainOnly bool
}

// Hash methods of `hash-type`.
const (
	HashMapBased   = "map-based"
	HashConsistent = "consistent"
)

// HashType is "hash-type <method> [<function> [<modifier>]]". The zero
// value is "no hash-type line": DefaultHashMethod, DefaultHashFunction,
// no avalanche.
type HashType struct {
	Method    string // HashMapBased or HashConsistent; "" = not given
	Function  string // "sdbm", "djb2", "wt6" or "crc32"
	Avalanche bool   // the avalanche modifier
	// Refused is the words after hash-type when the function or the
	// modifier is one HAProxy 2.6 does not know: goha reports the line
	// unsupported (proxy/haproxycfg) and hashes with the defaults.
	Refused string
}

// hashFunctions are the functions `hash-type` takes.
var hashFunctions = map[string]bool{"sdbm": true, "djb2": true, "wt6": true, "crc32": true}

var balanceAlgos = map[string]bool{"roundrobin": true, "static-rr": true, "leastconn": true,
	"first": true, "source": true, "uri": true, "url_param": true, "hdr": true, "random": true,
	"rdp-cookie": true, "hash": true}

func (s *state) parseBalance(px *Proxy, l *kwLine) bool {
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
	px.Balance = typedBalance(base, algo, w[2:])
	return false
}

// typedBalance reads the arguments checkBalanceArgs let through into the
// typed fields. Words HAProxy 2.6 refuses but the check does not (an
// unknown hdr modifier, ...) stay in Args only: proxy/haproxycfg reports
// them when it builds the balancer.
func typedBalance(base, algo string, args []string) Balance {
	b := Balance{Algorithm: base, Args: append([]string{algo}, args...)}
	_, param, _ := strings.Cut(algo, "(")
	param = strings.TrimSuffix(param, ")")
	switch base {
	case "uri":
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "len":
				i++
				b.URI.Len, _ = strconv.Atoi(args[i])
			case "depth":
				i++
				b.URI.Depth, _ = strconv.Atoi(args[i])
			case "whole":
				b.URI.Whole = true
			case "path-only":
				b.URI.PathOnly = true
			}
		}
	case "url_param":
		b.URLParam.Name = args[0]
		b.URLParam.CheckPost = len(args) > 1 && args[1] == "check_post"
	case "hdr":
		b.Header.Name = param
		b.Header.UseDomainOnly = len(args) > 0 && args[0] == "use_domain_only"
	case "random":
		b.Draws = DefaultRandomDraws
		if param != "" {
			b.Draws, _, _ = leadingInt(param)
		}
	case "rdp-cookie":
		b.RDPCookie = DefaultRDPCookie
		if param != "" {
			b.RDPCookie = param
		}
	case "hash":
		b.Expr = strings.Join(args, " ")
	}
	return b
}

func (s *state) parseHashType(px *Proxy, l *kwLine) bool {
	if l.arg(1) != "consistent" && l.arg(1) != "map-based" {
		s.alert(l.p, "'hash-type' only supports 'consistent' and 'map-based'.")
		return false
	}
	ht := HashType{Method: l.arg(1), Function: DefaultHashFunction}
	switch fn, mod := l.arg(2), l.arg(3); {
	case fn != "" && !hashFunctions[fn], mod != "" && mod != "avalanche":
		ht = HashType{Refused: strings.Join(l.w[1:], " ")}
	case fn == "":
		// consistent alone is sdbm with avalanche, map-based alone is not
		ht.Avalanche = ht.Method == HashConsistent && DefaultConsistentAvalanche
	default:
		ht.Function, ht.Avalanche = fn, mod == "avalanche"
	}
	px.HashType = ht
	return false
}

func (s *state) parseHashBalanceFactor(px *Proxy, l *kwLine) bool {
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
