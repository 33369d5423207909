package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/proxy/balance"
)

// balanceLine builds a one-backend http configuration with the given
// balance line and returns the backend's spec and the notices.
func balanceLine(t *testing.T, line string) (balance.Spec, []string) {
	t.Helper()
	p := buildText(t, "defaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n"+
		"backend b\n    "+line+"\n    server s 127.0.0.1:1\n")
	return balanceOf(p, "b"), notices(p)
}

// Words the parser accepts but HAProxy 2.6 (or goha) refuses are reported
// as not supported and the backend balances round robin; the accepted
// lines reach proxy/balance typed, with the defaults table's values.
func TestBalanceWordsRefused(t *testing.T) {
	for line, msg := range map[string]string{
		"balance url_param a bogus":            "balance url_param only accepts 'check_post' modifier (got 'bogus')",
		"balance url_param a bogus check_post": "balance url_param only accepts 'check_post' modifier (got 'bogus')",
		"balance hdr(x) nope":                  "balance hdr(x) only accepts 'use_domain_only' modifier (got 'nope')",
		"balance hdr(host":                     "balance hdr(host: missing ')'",
		"balance hdr()":                        "balance hdr requires a header name",
		"balance hash path x":                  "balance hash: expects one sample expression",
		"balance hash req.hdr(host),lower":     "balance hash req.hdr(host),lower: converters and extra fetch arguments are not supported yet",
		"balance hash req.hdr(host,1)":         "converters and extra fetch arguments are not supported yet",
		"balance hash req.hdr()":               "balance hash req.hdr(): only req.hdr(<name>) is supported",
		"balance hash urlp()":                  "only urlp(<name>) is supported",
		"balance hash path(1)":                 "balance hash path(1): path takes no argument",
		"balance hash req.cook(s)":             "only the src, path, url, urlp(<name>) and req.hdr(<name>) fetches are supported yet",
		"balance hash urlp(id":                 "balance hash urlp(id: missing ')'",
	} {
		spec, n := balanceLine(t, line)
		if spec.Algorithm != "roundrobin" || len(n) != 1 || !strings.Contains(n[0], msg) {
			t.Errorf("%s: %s, notices %q, want roundrobin and %q", line, spec.Algorithm, n, msg)
		}
	}
	for line, want := range map[string]balance.Spec{
		"balance random":                             {Algorithm: "random", Draws: 2},
		"balance rdp-cookie":                         {Algorithm: "rdp-cookie", RDPCookie: "mstshash"},
		"balance rdp-cookie(user)":                   {Algorithm: "rdp-cookie", RDPCookie: "user"},
		"balance random(3) draws 3":                  {Algorithm: "random", Draws: 3},
		"balance url_param session_id check_post 64": {Algorithm: "url_param", URLParam: balance.URLParamParams{Name: "session_id", CheckPost: true}},
		"balance hdr(Host) use_domain_only":          {Algorithm: "hdr", Header: balance.HeaderParams{Name: "Host", UseDomainOnly: true}},
		"balance uri len 12 depth 2 whole path-only": {Algorithm: "uri", URI: balance.URIParams{Len: 12, Depth: 2, Whole: true, PathOnly: true}},
		"balance hash src":                           {Algorithm: "hash", Hash: balance.HashSample{Fetch: balance.FetchSrc}},
		"balance hash url":                           {Algorithm: "hash", Hash: balance.HashSample{Fetch: balance.FetchURL}},
		"balance hash url_param(id)":                 {Algorithm: "hash", Hash: balance.HashSample{Fetch: balance.FetchURLParam, Param: "id"}},
		"balance hash req.hdr(X-Key)":                {Algorithm: "hash", Hash: balance.HashSample{Fetch: balance.FetchReqHdr, Param: "X-Key"}},
		"balance hash hdr(host)":                     {Algorithm: "hash", Hash: balance.HashSample{Fetch: balance.FetchReqHdr, Param: "host"}},
	} {
		spec, n := balanceLine(t, line)
		spec.Options = balance.Options{}
		if spec.Algorithm != want.Algorithm || spec.URI != want.URI || spec.URLParam != want.URLParam ||
			spec.Header != want.Header || spec.Draws != want.Draws || spec.Hash != want.Hash || len(n) != 0 {
			t.Errorf("%s: %+v, notices %q, want %+v", line, spec, n, want)
		}
	}
}
