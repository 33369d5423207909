package haproxycfg

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/balance"
)

// balance maps the parser's typed `balance`, `hash-type` and `option
// allbackups` to a balance.Spec, filling their defaults from parser/haproxy's
// defaults table. An algorithm proxy/balance cannot build (hash <expr> with
// converters, ...) is reported and replaced by the default one. In mode
// http, rdp-cookie never finds its cookie (HAProxy looks for it at the
// start of its internal HTX message, which no client controls; goha's
// HTTP requests carry no Payload), so it balances round robin on its map,
// as HAProxy's does.
func (b *builder) balance(px *haproxy.Proxy) balance.Spec {
	spec := balance.Spec{Algorithm: haproxy.DefaultBalance}
	spec.Options = hashOptions(px.HashType)
	if px.HashType.Refused != "" {
		b.unsupported(px.Pos, "hash-type "+px.HashType.Refused)
	}
	spec.Options.AllBackups = px.Options["allbackups"]
	spec.Options.HashBalanceFactor = px.HashBalanceFactor
	pb := px.Balance
	if pb.Algorithm == "" {
		return spec
	}
	if px.Mode != "http" && (pb.Algorithm == "uri" || pb.Algorithm == "url_param" || pb.Algorithm == "hdr") {
		// HAProxy: "Layer 7 hash not possible for backend 'b' (needs 'mode
		// http'). Falling back to round robin." (the parser warns).
		return spec
	}
	if pb.Algorithm == "hash" && b.rawHTTPExpr(px, px.Pos, "balance hash "+pb.Expr, pb.Expr) { // tcp_http_fetch.go
		return spec
	}
	typed, msg := balanceSpec(pb)
	if msg == "" {
		typed.Options = spec.Options
		if _, err := balance.Build(typed, nil); err != nil {
			msg = err.Error()
		}
	}
	if msg != "" {
		if !strings.HasPrefix(msg, "balance ") {
			msg = "balance " + strings.Join(pb.Args, " ") + ": " + msg
		}
		b.unsupported(px.Pos, msg)
		return spec
	}
	return typed
}

// balanceSpec copies the parser's typed balance into a balance.Spec. The
// words the parser leaves untyped for this layer (Balance.Args: a hdr or
// url_param modifier HAProxy 2.6 refuses, an unclosed hdr( name) and the
// hash expressions proxy/balance does not support yet give a message for
// the unsupported notice instead.
func balanceSpec(pb haproxy.Balance) (balance.Spec, string) {
	spec := balance.Spec{Algorithm: pb.Algorithm, Draws: pb.Draws, RDPCookie: pb.RDPCookie,
		URI:      balance.URIParams{Len: pb.URI.Len, Depth: pb.URI.Depth, Whole: pb.URI.Whole, PathOnly: pb.URI.PathOnly},
		URLParam: balance.URLParamParams{Name: pb.URLParam.Name, CheckPost: pb.URLParam.CheckPost},
		Header:   balance.HeaderParams{Name: pb.Header.Name, UseDomainOnly: pb.Header.UseDomainOnly}}
	var algo string
	var args []string
	if len(pb.Args) > 0 {
		algo, args = pb.Args[0], pb.Args[1:]
	}
	switch pb.Algorithm {
	case "url_param":
		// 2.6 reads only this word; an old "check_post <max_wait>" value
		// after it is ignored.
		if len(args) > 1 && args[1] != "check_post" {
			return spec, fmt.Sprintf("balance url_param only accepts 'check_post' modifier (got '%s')", args[1])
		}
	case "hdr":
		if !strings.HasSuffix(algo, ")") {
			return spec, fmt.Sprintf("balance %s: missing ')'", algo)
		}
		for _, a := range args {
			if a != "use_domain_only" {
				return spec, fmt.Sprintf("balance %s only accepts 'use_domain_only' modifier (got '%s')", algo, a)
			}
		}
	case "hash":
		if len(args) != 1 {
			return spec, "balance hash: expects one sample expression"
		}
		var msg string
		spec.Hash, msg = hashSample(pb.Expr)
		return spec, msg
	}
	return spec, ""
}

// hashFetches are the fetches of `balance hash <expr>` proxy/balance
// hashes, by their names in the expression.
var hashFetches = map[string]balance.SampleFetch{"src": balance.FetchSrc, "path": balance.FetchPath,
	"url": balance.FetchURL, "urlp": balance.FetchURLParam, "url_param": balance.FetchURLParam,
	"req.hdr": balance.FetchReqHdr, "hdr": balance.FetchReqHdr}

// hashSample maps the sample expression of `balance hash` (one fetch, no
// converters: src, path, url, urlp(name), req.hdr(name)); anything else
// gives the message of the unsupported notice.
func hashSample(expr string) (balance.HashSample, string) {
	smp := haproxy.ParseSample(expr)
	if len(smp.Converters) > 0 || len(smp.Fetch.Args) > 1 {
		return balance.HashSample{}, fmt.Sprintf("balance hash %s: converters and extra fetch arguments are not supported yet", expr)
	}
	name := smp.Fetch.Name
	if strings.ContainsRune(name, '(') {
		return balance.HashSample{}, fmt.Sprintf("balance hash %s: missing ')'", expr)
	}
	fetch, ok := hashFetches[name]
	if !ok {
		return balance.HashSample{}, fmt.Sprintf("balance hash %s: only the src, path, url, urlp(<name>) and req.hdr(<name>) fetches are supported yet", expr)
	}
	h := balance.HashSample{Fetch: fetch}
	switch fetch {
	case balance.FetchSrc, balance.FetchPath, balance.FetchURL:
		if smp.Fetch.Args != nil {
			return h, fmt.Sprintf("balance hash %s: %s takes no argument", expr, name)
		}
	case balance.FetchURLParam, balance.FetchReqHdr:
		if len(smp.Fetch.Args) == 0 || smp.Fetch.Args[0].Str == "" {
			return h, fmt.Sprintf("balance hash %s: only %s(<name>) is supported", expr, name)
		}
		h.Param = smp.Fetch.Args[0].Str
	}
	return h, ""
}

// hashFuncs are the balance functions of the parser's hash-type names.
var hashFuncs = map[string]balance.HashFunc{"sdbm": balance.SDBM, "djb2": balance.DJB2, "wt6": balance.WT6, "crc32": balance.CRC32}

// hashOptions maps a typed `hash-type`; without one (or with a refused
// one) it is the defaults table's (map-based sdbm, no avalanche).
func hashOptions(ht haproxy.HashType) balance.Options {
	if ht.Method == "" || ht.Refused != "" {
		ht = haproxy.HashType{Method: haproxy.DefaultHashMethod, Function: haproxy.DefaultHashFunction}
	}
	return balance.Options{Consistent: ht.Method == haproxy.HashConsistent, Func: hashFuncs[ht.Function], Avalanche: ht.Avalanche}
}
