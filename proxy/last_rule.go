package proxy

// RuleOrigin is where a rule was written: the configuration file as named
// on the command line and the line (last_rule_file, last_rule_line).
type RuleOrigin struct {
	File string
	Line int
}

// ranFinal records that the rule written at o ended its rule list with a
// verdict (accept, allow, deny, return, redirect, reject, close, an
// invalid URI, a failed strict rewrite): HAProxy 2.6 keeps the last such
// rule of the stream, whatever the list (tcp-request content,
// http-request, tcp-response content of an HTTP stream, http-response,
// http-after-response); the rules that let the next one run leave it, and
// so do the legacy redirect statements and, in a tcp stream, the
// tcp-response content rules (measured).
func (r *RequestInfo) ranFinal(o *RuleOrigin) {
	if o.File != "" {
		r.lastRule = o
	}
}

// LastRule is the last final rule the stream ran (false: none yet).
func (r *RequestInfo) LastRule() (RuleOrigin, bool) {
	if r.lastRule == nil {
		return RuleOrigin{}, false
	}
	return *r.lastRule, true
}
