package haproxycfg

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// Header fetches read every occurrence the server will read, as HAProxy's
// do when an ACL evaluates them (each value is tried until one matches).
// Each row is checked against HAProxy 2.6 by TestHeaderOccurrenceDifferential
// (acl_occ_test.go); goha differs in one place only, marked *:
//
//	fetch             goha reads                                HAProxy 2.6 reads
//	hdr, req.hdr      every comma-separated value of every line same
//	  (and _beg _end _sub _reg _dom _dir _len, -m ...)
//	hdr(n,<occ>)      the occ-th value counting list elements   same
//	                  (1 first, -1 last, 0 none)
//	fhdr, req.fhdr    every full line, commas kept              same
//	req.fhdr(n,<occ>) the occ-th line                           same
//	hdr_cnt           number of comma-separated values          same
//	fhdr_cnt          number of lines                           same
//	cook, req.cook    every cookie of every Cookie line,        same
//	                  ';' and ',' separate (acl.go)
//	base              first Host (duplicates merged or refused  same
//	                  by the parser) + path
//	hdr(host) *       no Host, absolute URI: its authority      nothing
//	base *            no Host, absolute URI: authority + path   path only
//
// Without a name every header is read. (*) The server takes the host from
// an absolute URI when there is no Host (RFC 9112 §3.2.2): goha lets no
// rule see less than the server does.

// headerFetch compiles one of the header fetches above.
func headerFetch(fetch, arg string) (func(r *proxy.RequestInfo) ([]string, bool), error) {
	full := strings.Contains(fetch, "fhdr")
	count := strings.HasSuffix(fetch, "_cnt")
	name, occArg, hasOcc := strings.Cut(arg, ",")
	name = strings.ToLower(strings.TrimSpace(name))
	occ := 0
	if hasOcc {
		if count {
			return nil, fmt.Errorf("no occurrence argument")
		}
		n, err := strconv.Atoi(strings.TrimSpace(occArg))
		if err != nil {
			return nil, fmt.Errorf("occurrence %q", occArg)
		}
		occ = n
	}
	return func(r *proxy.RequestInfo) ([]string, bool) {
		vals := headerValues(r, name, !full)
		if count {
			return []string{strconv.Itoa(len(vals))}, true
		}
		if hasOcc {
			i := occ - 1
			if occ < 0 {
				i = len(vals) + occ
			}
			if occ == 0 || i < 0 || i >= len(vals) {
				return nil, false
			}
			return vals[i : i+1], true
		}
		return vals, len(vals) > 0
	}, nil
}

// headerValues lists the values of header name ("" = all headers), split
// on commas when split is set.
func headerValues(r *proxy.RequestInfo, name string, split bool) []string {
	var out []string
	add := func(v []byte) {
		if !split {
			out = append(out, string(v))
			return
		}
		for {
			i := bytes.IndexByte(v, ',')
			if i < 0 {
				out = append(out, string(bytes.Trim(v, " \t")))
				return
			}
			out = append(out, string(bytes.Trim(v[:i], " \t")))
			v = v[i+1:]
		}
	}
	for _, h := range r.Headers() {
		if name == "" || http1.EqualFold(h.Name, name) {
			add(h.Value)
		}
	}
	if out == nil && name == "host" && r.Authority() != nil {
		add(hostFor(r))
	}
	return out
}

// hostFor is the host the server reads: the first Host header (the parser
// merged identical ones and refused different ones), else the authority
// of an absolute-form target without its userinfo.
func hostFor(r *proxy.RequestInfo) []byte {
	if h := r.Header("host"); h != nil {
		return h
	}
	a := r.Authority()
	if i := bytes.LastIndexByte(a, '@'); i >= 0 {
		a = a[i+1:]
	}
	return a
}

// intMatcher matches integer samples (hdr_cnt) against HAProxy's integer
// patterns: "N", "N:M", ":M", "N:", or an operator "eq|ge|gt|le|lt N".
func intMatcher(pats []string) (func(string) bool, error) {
	type rng struct{ lo, hi int64 }
	var rs []rng
	const inf = int64(^uint64(0) >> 1)
	for i := 0; i < len(pats); i++ {
		p := pats[i]
		op := ""
		switch p {
		case "eq", "ge", "gt", "le", "lt":
			if i+1 == len(pats) {
				return nil, fmt.Errorf("operator %s without a value", p)
			}
			op, p = pats[i], pats[i+1]
			i++
		}
		if op != "" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, err
			}
			switch op {
			case "eq":
				rs = append(rs, rng{n, n})
			case "ge":
				rs = append(rs, rng{n, inf})
			case "gt":
				rs = append(rs, rng{n + 1, inf})
			case "le":
				rs = append(rs, rng{-inf, n})
			case "lt":
				rs = append(rs, rng{-inf, n - 1})
			}
			continue
		}
		lo, hi, err := intRange(p)
		if err != nil {
			return nil, err
		}
		rs = append(rs, rng{int64(lo), int64(hi)})
	}
	return func(v string) bool {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return false
		}
		for _, r := range rs {
			if n >= r.lo && n <= r.hi {
				return true
			}
		}
		return false
	}, nil
}
