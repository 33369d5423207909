package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Converters of HTTP values (HAProxy 2.6 http_conv.c and sample.c):
// host_only and port_only split a Host value, language picks the preferred
// language of an Accept-Language value, add_item joins list items.
func init() {
	str, sint := haproxy.SampleStr, haproxy.SampleSInt
	register(map[string]convDef{
		"host_only": {in: str, out: str, build: fixed(hostOnly)},
		"port_only": {in: str, out: sint, build: fixed(portOnly)},
		"language":  {in: str, out: str, args: []argKind{argStr, argStr}, min: 1, build: buildLanguage},
		"add_item":  {in: str, out: str, args: []argKind{argStr, argStr, argStr}, min: 2, rbuild: buildAddItem},
	})
}

// hostPort is the index of the ':' before a Host value's port, or -1:
// the last ':' not followed by a ']' (so "[::1]" has none), as
// HAProxy 2.6.12 finds it (TestConverterBreadthDifferential: "h:" gives
// host "h", ":80" gives port 80).
func hostPort(s string) int {
	for p := len(s) - 1; p >= 0; p-- {
		switch s[p] {
		case ':':
			return p
		case ']':
			return -1
		}
	}
	return -1
}

func hostOnly(v *value) bool {
	if p := hostPort(v.s); p >= 0 {
		v.s = v.s[:p]
	}
	v.s = asciiLower(v.s)
	return true
}

// portOnly is the port as an integer, 0 when there is none. Like
// HAProxy's unchecked decimal reading, every byte after the ':' counts as
// a digit (c-'0') in an unsigned 32-bit accumulator: "1.5}" gives 927
// and 99999999999 wraps to 1215752191, as HAProxy 2.6.12 answers.
func portOnly(v *value) bool {
	var n uint32
	if p := hostPort(v.s); p >= 0 {
		for i := p + 1; i < len(v.s); i++ {
			n = n*10 + uint32(v.s[i]) - '0'
		}
	}
	v.i = int64(n)
	return true
}

// buildAddItem is add_item(<delim>,[<var>][,<suffix>]): the delimiter
// goes after a non-empty sample only when something non-empty follows.
func buildAddItem(a convArgs) (convFunc, reqConvFunc, error) {
	delim, suffix := a.strs[0], a.strs[2]
	join := func(v *value, item string) {
		if v.s != "" && (item != "" || suffix != "") {
			v.s += delim
		}
		v.s = v.s + item + suffix
	}
	if a.strs[1] == "" {
		return func(v *value) bool { join(v, ""); return true }, nil, nil
	}
	ref, err := argVar(a.strs[1])
	if err != nil {
		return nil, nil, err
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		item, ok := loadVarAs(r, ref, haproxy.SampleStr)
		if !ok {
			item.s = ""
		}
		join(v, item.s)
		return true
	}, nil
}

func isSpace(c byte) bool { return c == ' ' || c >= '\t' && c <= '\r' }

// buildLanguage is language(<list>[,<default>]): <list> is
// ';'-separated; the entry of the list that the best-q language range of
// the input matches, else the default, else no sample.
func buildLanguage(a convArgs) (convFunc, error) {
	var list []string
	w := a.strs[0]
	for {
		i := 0
		for i < len(w) && w[i] != ';' {
			i++
		}
		list = append(list, w[:i])
		if i == len(w) {
			break
		}
		w = w[i+1:]
	}
	def, hasDef := a.strs[1], a.has(1)
	return func(v *value) bool {
		best := preferredLanguage(v.s, list)
		if best == "" && hasDef {
			best = def
		}
		v.s = best
		return best != ""
	}, nil
}

// preferredLanguage walks an Accept-Language value as HAProxy's
// sample_conv_q_preferred does (best effort on malformed parts).
func preferredLanguage(al string, list []string) string {
	var out string
	bestQ := 0
	p, end := 0, len(al)
	for {
		for p < end && isSpace(al[p]) {
			p++
		}
		if p >= end {
			break
		}
		tok := p
		for p < end && al[p] != ';' && al[p] != ',' && !isSpace(al[p]) {
			p++
		}
		match := ""
		found := false
		if p > tok {
			for _, w := range list {
				if languageRangeMatch(al[tok:p], w) {
					match, found = w, true
					break
				}
			}
		}
		if found {
			q := qAfter(al, &p)
			if q > bestQ {
				out = match
				if q >= 1000 {
					break
				}
				bestQ = q
			}
		}
		for p < end && al[p] != ',' {
			p++
		}
		if p >= end {
			break
		}
		p++
	}
	return out
}

// qAfter reads the optional ";q=<value>" after a language range: 1000
// when absent or unreadable, -1 when something else follows (the range
// is then ignored).
func qAfter(al string, pp *int) int {
	p, end := *pp, len(al)
	defer func() { *pp = p }()
	skip := func() bool {
		for p < end && isSpace(al[p]) {
			p++
		}
		return p >= end
	}
	if skip() || al[p] == ',' {
		return 1000
	}
	if al[p] != ';' {
		return -1
	}
	p++
	if skip() || al[p] != 'q' {
		return 1000
	}
	p++
	if skip() || al[p] != '=' {
		return 1000
	}
	p++
	if skip() {
		return 1000
	}
	return parseQValue(al, &p)
}

// parseQValue reads a q value in thousandths as HAProxy's
// http_parse_qvalue: "0", "1", "0.5", "0.123", capped at 1000; a value
// not starting with a digit is 1000.
func parseQValue(s string, pp *int) int {
	p := *pp
	defer func() { *pp = p }()
	digit := func() bool { return p < len(s) && s[p] >= '0' && s[p] <= '9' }
	if !digit() {
		return 1000
	}
	q := int(s[p]-'0') * 1000
	p++
	if p >= len(s) || s[p] != '.' {
		p++
		return min(q, 1000)
	}
	p++
	for _, m := range []int{100, 10, 1} {
		if !digit() {
			break
		}
		q += int(s[p]-'0') * m
		p++
	}
	return min(q, 1000)
}

// languageRangeMatch: the range equals the tag, or the range is the tag
// followed by "-..." (so "en-US" matches "en"; "en" does not match
// "en-US"), as HAProxy's http_language_range_match.
func languageRangeMatch(rng, tag string) bool {
	for i := 0; i < len(rng); i++ {
		if rng[i] == '-' && i == len(tag) {
			return true
		}
		if i >= len(tag) || rng[i] != tag[i] {
			return false
		}
	}
	return len(rng) == len(tag)
}

// capture-req(<id>) and capture-res(<id>) store the sample in the
// frontend's capture slot id, cut to the slot's length, and pass it on;
// no sample when the frontend has no such slot.
func init() {
	build := func(res bool) func(a convArgs) (convFunc, reqConvFunc, error) {
		return func(a convArgs) (convFunc, reqConvFunc, error) {
			slot := int(a.ints[0])
			return nil, func(r *proxy.RequestInfo, v *value) bool {
				return r != nil && r.CaptureInto(res, slot, v.s)
			}, nil
		}
	}
	str := haproxy.SampleStr
	register(map[string]convDef{
		"capture-req": {in: str, out: str, args: []argKind{argSInt}, min: 1, rbuild: build(false)},
		"capture-res": {in: str, out: str, args: []argKind{argSInt}, min: 1, rbuild: build(true)},
	})
}
