package proxy

import (
	"strings"

	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/internal/expreplace"
)

// value is a rule's value for this request: Format's result, or Value.
func (r *HeaderRule) value(info *RequestInfo) string {
	if r.Format != nil {
		return r.Format(info)
	}
	return r.Value
}

// rewrite is a replace-path/-pathq/-uri rule on subject: when Regex
// matches it (anywhere, as PCRE's exec searches), the replacement of the
// whole subject, with the rule's value computed once the regex matched.
func (r *HeaderRule) rewrite(info *RequestInfo, subject []byte) (string, bool) {
	m := r.Regex.FindSubmatchIndex(subject)
	if m == nil {
		return "", false
	}
	return expand(string(subject), r.value(info), m), true
}

// expand is the replacement subst (an evaluated format) with its \N
// groups taken from the match m of src.
func expand(src, subst string, m []int) string {
	var out strings.Builder
	expreplace.Write(&out, src, subst, m)
	return out.String()
}

// replaceFields runs a replace-header or replace-value rule on the list:
// its value is computed once, on the message before the rule, then every
// field named r.Name whose value (replace-header) or comma-separated
// element (replace-value, without its surrounding blanks, which a
// replaced element loses, as in HAProxy 2.6) Regex matches is replaced
// whole. It reports whether a field named host changed. grows, when set,
// says whether the head has room to grow by a field's delta bytes: HAProxy
// replaces the fields one by one, and the first without room ends the
// rule, failed (ok false), the fields before it replaced.
func (e *editedHeaders) replaceFields(r *HeaderRule, info *RequestInfo, grows func(delta int) bool) (hostChanged, ok bool) {
	subst, computed := "", false
	for i := range e.list {
		h := &e.list[i]
		if !foldEqual(h.Name, r.Name) {
			continue
		}
		if r.Action == ReplaceHeader {
			m := r.Regex.FindSubmatchIndex(h.Value)
			if m == nil {
				continue
			}
			if !computed {
				subst, computed = r.value(info), true
			}
			v := expand(string(h.Value), subst, m)
			if grows != nil && !grows(len(v)-len(h.Value)) {
				return hostChanged, false
			}
			h.Value = e.keep(v)
			hostChanged = hostChanged || foldEqual(h.Name, "host")
			continue
		}
		var out strings.Builder
		changed := false
		for j, raw := range http1.SplitList(string(h.Value)) {
			if j > 0 {
				out.WriteByte(',')
			}
			elem := strings.Trim(raw, " \t")
			m := r.Regex.FindStringSubmatchIndex(elem)
			if m == nil {
				out.WriteString(raw)
				continue
			}
			if !computed {
				subst, computed = r.value(info), true
			}
			expreplace.Write(&out, elem, subst, m)
			changed = true
		}
		if changed {
			if grows != nil && !grows(out.Len()-len(h.Value)) {
				return hostChanged, false
			}
			h.Value = e.keep(out.String())
			hostChanged = hostChanged || foldEqual(h.Name, "host")
		}
	}
	return hostChanged, true
}
