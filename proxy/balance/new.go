package balance

import (
	"fmt"
	"strconv"
	"strings"
)

// New builds the balancer for a backend's `balance` line.
//
// algo is the algorithm word as written, optionally with its parenthesised
// argument: "roundrobin", "static-rr", "leastconn", "first", "source",
// "uri", "url_param", "hdr(Host)", "random", "random(3)". args are the words
// after it ("whole", "len", "12", "depth", "2", "path-only" for uri; the
// parameter name and "check_post" for url_param; "use_domain_only" for hdr).
// The parser's Balance.Args, which repeat the algorithm word first, are
// accepted too. An empty algo is an error: the configuration adapter fills
// HAProxy's default (parser/haproxy defaults.go), not the balancer.
//
// servers are in id order (Server.ID = position). opts carries hash-type and
// allbackups. The balancer reads each server's Up, Weight and Backup now and
// again on every Update; Conns and MaxConn are read live on each Pick.
func New(algo string, args []string, servers []*Server, opts Options) (Balancer, error) {
	if len(args) > 0 && args[0] == algo {
		args = args[1:]
	}
	base, param, hasParam := strings.Cut(algo, "(")
	if hasParam {
		var ok bool
		if param, ok = strings.CutSuffix(param, ")"); !ok {
			return nil, fmt.Errorf("balance %s: missing ')'", algo)
		}
	}
	switch base {
	case "":
		return nil, fmt.Errorf("balance: no algorithm")
	case "roundrobin":
		return newRoundRobin(servers, opts), nil
	case "static-rr":
		return &staticRR{w: newWeightMap(servers, opts.AllBackups)}, nil
	case "leastconn":
		return newLeastConn(servers, opts), nil
	case "first":
		return newFirst(servers, opts), nil
	case "random":
		// haproxy 2.6 accepts and ignores words after random[(draws)].
		draws := 2
		if hasParam {
			n, err := strconv.Atoi(param)
			if err != nil || n < 1 {
				return nil, fmt.Errorf("balance random: invalid number of draws %q", param)
			}
			draws = n
		}
		return newRandom(servers, opts, draws), nil
	case "source":
		return newHashed(servers, opts, sourceKey{}), nil
	case "uri":
		k, err := parseURIKey(args)
		if err != nil {
			return nil, err
		}
		return newHashed(servers, opts, k), nil
	case "hash":
		k, err := parseExprKey(args)
		if err != nil {
			return nil, err
		}
		return newHashed(servers, opts, k), nil
	case "url_param":
		if len(args) == 0 || args[0] == "" {
			return nil, fmt.Errorf("balance url_param requires an URL parameter name")
		}
		k := paramKey{name: args[0]}
		if len(args) > 1 {
			// 2.6 reads only this word; an old "check_post <max_wait>"
			// value after it is ignored.
			if args[1] != "check_post" {
				return nil, fmt.Errorf("balance url_param only accepts 'check_post' modifier (got '%s')", args[1])
			}
			k.checkPost = true
		}
		return newHashed(servers, opts, k), nil
	case "hdr":
		if param == "" {
			return nil, fmt.Errorf("balance hdr requires a header name: hdr(name)")
		}
		k := headerKey{name: strings.ToLower(param)}
		for _, a := range args {
			switch a {
			case "use_domain_only":
				k.domainOnly = true
			default:
				return nil, fmt.Errorf("balance %s only accepts 'use_domain_only' modifier (got '%s')", algo, a)
			}
		}
		return newHashed(servers, opts, k), nil
	}
	return nil, fmt.Errorf("balance %s: not supported", algo)
}

// IsDynamic reports whether a backend's algorithm takes weight changes at
// run time. HAProxy's static algorithms (static-rr and the map-based hashes)
// only accept a weight of 0 or the configured one: its runtime API answers
// "Backend is using a static LB algorithm and only accepts weights '0%' and
// '100%'." to anything else.
func IsDynamic(algo string, opts Options) bool {
	base, _, _ := strings.Cut(algo, "(")
	switch base {
	case "static-rr":
		return false
	case "source", "uri", "url_param", "hdr", "rdp-cookie", "hash":
		return opts.Consistent
	}
	return true
}
