package haproxycfg

import (
	"errors"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/internal/bytere"
)

// targetParts are the request-target rewrites and the part each replaces.
var targetParts = map[string]proxy.TargetPart{
	"set-pathq": proxy.PartPathQ, "set-query": proxy.PartQuery, "set-uri": proxy.PartURI,
	"replace-path": proxy.PartPath, "replace-pathq": proxy.PartPathQ, "replace-uri": proxy.PartURI,
}

// rewriteRule maps set-pathq, set-query, set-uri, replace-path,
// replace-pathq, replace-uri (http-request only) and replace-header,
// replace-value: log-format values and RE2 regexes (a PCRE-only
// construct is reported). ok is false when the rule was reported.
func (b *builder) rewriteRule(r haproxy.HTTPRule, kw string, place acl.Place) (hr proxy.HeaderRule, ok bool) {
	hr, err := rewriteRule(r, kw, place)
	if err != nil {
		b.unsupported(r.Pos, kw+" "+r.Action+": "+err.Error())
		return hr, false
	}
	return hr, true
}

func rewriteRule(r haproxy.HTTPRule, kw string, place acl.Place) (proxy.HeaderRule, error) {
	var hr proxy.HeaderRule
	args := r.Args
	want := 1 // the format
	switch {
	case r.Action == "replace-header" || r.Action == "replace-value":
		want = 3 // name, regex, format
		hr.Action, hr.Name = proxy.ReplaceHeader, ""
		if r.Action == "replace-value" {
			hr.Action = proxy.ReplaceValue
		}
	case strings.HasPrefix(r.Action, "replace-"):
		want = 2 // regex, format
		hr.Action = proxy.SetTarget
	default:
		hr.Action = proxy.SetTarget
	}
	if len(args) != want {
		return hr, fmt.Errorf("%d arguments where %d are expected", len(args), want)
	}
	if hr.Action == proxy.SetTarget {
		if kw != "http-request" {
			return hr, errors.New("only http-request rules rewrite the request target")
		}
		hr.Part = targetParts[r.Action]
	} else {
		hr.Name, args = args[0], args[1:]
	}
	if want > 1 {
		re, err := bytere.Compile(args[0])
		if err != nil {
			return hr, fmt.Errorf("regex '%s' is not supported by goha (RE2): %v", args[0], err)
		}
		hr.Regex, args = re, args[1:]
	}
	hr.Value = args[0]
	if strings.Contains(args[0], "%") {
		f, err := acl.CompileFormat(args[0])
		if msg := acl.FormatUnavailable(args[0], place); err == nil && msg != "" {
			err = errors.New(msg)
		}
		if err != nil {
			return hr, fmt.Errorf("log-format value: %v", err)
		}
		hr.Format = f
	}
	return hr, nil
}
