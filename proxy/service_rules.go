package proxy

import (
	"bytes"

	"github.com/goha-lb/goha/proxy/http1"
)

// serviceResponseRules are the http-response rules svc's reply goes
// through: each list (a backend's, then the frontend's) up to its first
// allow whose condition holds, which ends that list (haproxycfg leaves
// only header edits, deny and allow there).
func serviceResponseRules(svc Service, info *RequestInfo, first, then []HeaderRule) []HeaderRule {
	if sk, ok := svc.(responseRulesSkipper); ok && sk.SkipsResponseRules() {
		return nil
	}
	first, then = upToAllow(first, info), upToAllow(then, info)
	switch {
	case len(first) == 0:
		return then
	case len(then) == 0:
		return first
	}
	return append(first[:len(first):len(first)], then...)
}

// upToAllow is rules up to its first allow whose condition holds.
func upToAllow(rules []HeaderRule, info *RequestInfo) []HeaderRule {
	for i := range rules {
		if r := &rules[i]; r.Action == Allow && ruleApplies(r, info) {
			return rules[:i]
		}
	}
	return rules
}

// appendServiceRuleHeaders appends the fields the header rules add to a
// reply the proxy makes (a service's, an error page), one rule after the
// other as HAProxy runs them: a set-header replaces what an earlier rule
// added under that name, a del-header removes it. (The reply's own fields
// a rule sets or deletes are left out by the caller: ruleTouches.)
func appendServiceRuleHeaders(out []byte, rules []HeaderRule, info *RequestInfo) []byte {
	type field struct{ name, value string }
	var added []field
	drop := func(name string) {
		kept := added[:0]
		for _, f := range added {
			if !http1.EqualFold([]byte(f.name), lowerASCII(name)) {
				kept = append(kept, f)
			}
		}
		added = kept
	}
	for i := range rules {
		r := &rules[i]
		if !ruleApplies(r, info) {
			continue
		}
		switch r.Action {
		case SetHeader, AddHeader:
			if r.Action == SetHeader {
				drop(r.Name)
			}
			v := r.Value
			if r.Format != nil {
				v = r.Format(info)
			}
			added = append(added, field{r.Name, v})
		case DelHeader:
			drop(r.Name)
		}
	}
	for _, f := range added {
		out = appendHeader(out, []byte(f.name), []byte(f.value))
	}
	return out
}

// withRuleHeaders is page, a whole response, with the header rules
// applied to its head: the fields they set or delete left out, theirs
// added at its end.
func withRuleHeaders(page []byte, rules []HeaderRule, info *RequestInfo) []byte {
	return eachPageHeadLine(page, func(out []byte, n int, line []byte) []byte {
		if line == nil {
			return appendServiceRuleHeaders(out, rules, info)
		}
		if name, _, _ := bytes.Cut(line, []byte(":")); n > 0 && ruleTouches(rules, info, name) {
			return out
		}
		return append(out, line...)
	})
}

// eachPageHeadLine is page, a whole response, its head rewritten line by
// line: line appends to out what stands for the head's line n (the status
// line is 0, each with its CRLF), then, called once more with a nil line,
// what ends the head; the blank line and the body follow as they were. A
// page without a complete head is returned as it is.
func eachPageHeadLine(page []byte, line func(out []byte, n int, line []byte) []byte) []byte {
	i := bytes.Index(page, []byte("\r\n\r\n"))
	if i < 0 {
		return page
	}
	head, body := page[:i+2], page[i+2:]
	out := make([]byte, 0, len(page)+64)
	n := 0
	for ; len(head) > 0; n++ {
		l := head
		if j := bytes.Index(head, []byte("\r\n")); j >= 0 {
			l, head = head[:j+2], head[j+2:]
		} else {
			head = nil
		}
		out = line(out, n, l)
	}
	out = line(out, n, nil)
	return append(out, body...)
}
