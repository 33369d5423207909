package haproxy

import (
	"fmt"
	"os"
	"strings"
)

// httpRequestActions is the list HAProxy 2.6 (Debian build) prints, in its
// order, when an http-request action is unknown; "(*)" marks prefixes.
var httpRequestActions = []string{"wait-for-handshake", "ot-group", "set-log-level", "set-nice", "use-service",
	"sc-inc-gpc(*)", "sc-inc-gpc0(*)", "sc-inc-gpc1(*)", "sc-set-gpt(*)", "sc-set-gpt0(*)", "send-spoe-group",
	"do-resolve(*)", "cache-use", "add-acl(*)", "add-header", "allow", "auth", "capture", "del-acl(*)",
	"del-header", "del-map(*)", "deny", "disable-l7-retry", "early-hint", "normalize-uri", "redirect", "reject",
	"replace-header", "replace-path", "replace-pathq", "replace-uri", "replace-value", "return", "set-header",
	"set-map(*)", "set-method", "set-path", "set-pathq", "set-query", "set-uri", "strict-mode", "tarpit",
	"track-sc(*)", "set-timeout", "wait-for-body", "set-var-fmt(*)", "set-var(*)", "unset-var(*)", "set-dst",
	"set-dst-port", "set-mark", "set-src", "set-src-port", "set-tos", "silent-drop", "set-priority-class",
	"set-priority-offset"}

// httpResponseActions is the same list for http-response.
var httpResponseActions = []string{"ot-group", "set-log-level", "set-nice", "sc-inc-gpc(*)", "sc-inc-gpc0(*)",
	"sc-inc-gpc1(*)", "sc-set-gpt(*)", "sc-set-gpt0(*)", "send-spoe-group", "cache-store", "add-acl(*)", "add-header",
	"allow", "capture", "del-acl(*)", "del-header", "del-map(*)", "deny", "redirect", "replace-header",
	"replace-value", "return", "set-header", "set-map(*)", "set-status", "strict-mode", "track-sc(*)",
	"wait-for-body", "set-var-fmt(*)", "set-var(*)", "unset-var(*)", "set-mark", "set-tos", "silent-drop"}

// httpAfterResponseActions is the same list for http-after-response.
var httpAfterResponseActions = []string{"ot-group", "add-header", "allow", "capture", "del-header", "replace-header",
	"replace-value", "set-header", "set-status", "strict-mode", "set-var-fmt(*)", "set-var(*)", "unset-var(*)"}

// httpStatusCodes are the statuses deny/return/errorfile may use.
var httpStatusCodes = errorfileCodes

// checkRuleTail is HAProxy's short-form message for words left after an
// action's last argument (raw: "parsing [file:line]:" form).
func checkRuleTail(kw string, r HTTPRule) (msg string, raw bool) {
	want := 0
	switch verb, _, isMap := ParseMapAction(r.Action); {
	case r.Action == "replace-header" || r.Action == "replace-value":
		want = 3
	case isMap && verb == "set-map":
		want = 2
	case isMap, IsAddrAction(r.Action), IsPriorityAction(r.Action), r.Action == "strict-mode":
		want = 1
	case r.Action == "set-timeout":
		want = 2
	case r.Action == "cache-use", r.Action == "cache-store", IsDoResolve(r.Action):
		want = 1
	default:
		return "", false
	}
	if len(r.Args) > want {
		return fmt.Sprintf("'%s %s' expects either 'if' or 'unless' followed by a condition but found '%s'.",
			kw, r.Action, r.Args[want]), true
	}
	return "", false
}

// httpActionArity: actions taking an exact number of arguments before any
// condition.
var httpActionArity = map[string]int{"set-header": 2, "add-header": 2}

// checkHTTPRuleArgs validates the arguments of the typed actions.
func checkHTTPRuleArgs(r HTTPRule) string {
	if _, ok, msg := ParseSCAction(r.Action, r.Args); ok {
		return msg
	}
	if verb, _, ok := ParseMapAction(r.Action); ok {
		return checkMapActionArgs(verb, r.Args)
	}
	if IsDoResolve(r.Action) {
		if _, msg := ParseDoResolve(r.Action, len(r.Args)); msg != "" {
			return msg + "."
		}
		return ""
	}
	switch r.Action {
	case "strict-mode":
		if len(r.Args) == 0 {
			return "expects exactly 1 arguments."
		}
		if !strings.EqualFold(r.Args[0], "on") && !strings.EqualFold(r.Args[0], "off") {
			return fmt.Sprintf("Unexpected value '%s'. Only 'on' and 'off' are supported.", r.Args[0])
		}
	case "set-src", "set-dst", "set-src-port", "set-dst-port", "set-priority-class", "set-priority-offset":
		if len(r.Args) == 0 {
			return "missing fetch method."
		}
	case "wait-for-body":
		_, _, msg := ParseWaitForBody(r.Args)
		return msg
	case "set-timeout":
		return checkSetTimeout(r.Args)
	case "set-header", "add-header":
		if len(r.Args) == 2 {
			return checkLogFormat(r.Args[1])
		}
	case "set-path", "set-pathq", "set-query", "set-uri", "set-method":
		if len(r.Args) != 1 || r.Args[0] == "" {
			return "expects exactly 1 argument <format>."
		}
		return checkLogFormat(r.Args[0])
	case "replace-path", "replace-pathq", "replace-uri":
		if len(r.Args) != 2 || r.Args[0] == "" || r.Args[1] == "" {
			return "expects exactly 2 arguments <match-regex> and <replace-format>."
		}
		return checkLogFormat(r.Args[1])
	case "replace-header", "replace-value":
		if len(r.Args) < 3 || r.Args[0] == "" || r.Args[1] == "" || r.Args[2] == "" {
			return "expects exactly 3 arguments."
		}
		return checkLogFormat(r.Args[2])
	case "use-service":
		// HAProxy reads the word after use-service as the name, even
		// "if"; only the services of its Debian build are known (Lua ones
		// need lua-load, which goha does not support).
		if len(r.Args) == 0 {
			return "'use-service' expects a service name.."
		}
		if r.Args[0] != "prometheus-exporter" {
			return fmt.Sprintf("'%s' unknown service name..", r.Args[0])
		}
	case "del-header":
		if len(r.Args) < 1 {
			return "expects at least 1 argument."
		}
	case "auth":
		if len(r.Args) >= 1 && r.Args[0] == "realm" && len(r.Args) < 2 {
			return "missing realm value.\n."
		}
	case "redirect":
		if len(r.Args) == 0 || (r.Args[0] != "prefix" && r.Args[0] != "location" && r.Args[0] != "scheme") {
			return "redirection type expected ('prefix', 'location', or 'scheme')."
		}
		if len(r.Args) < 2 {
			return fmt.Sprintf("missing argument for '%s'.", r.Args[0])
		}
		for i := 2; i+1 < len(r.Args); i++ {
			if r.Args[i] == "code" {
				switch r.Args[i+1] {
				case "301", "302", "303", "307", "308":
				default:
					return fmt.Sprintf("'code': unsupported HTTP code '%s' (must be one of 301, 302, 303, 307 or 308).", r.Args[i+1])
				}
			}
		}
	case "deny", "return", "tarpit":
		for i := 0; i+1 < len(r.Args); i++ {
			if r.Args[i] == "deny_status" || r.Args[i] == "status" {
				n, end, ok := leadingInt(r.Args[i+1])
				bad := !ok || end != len(r.Args[i+1])
				if r.Action == "return" {
					bad = bad || n < 200 || n > 599
				} else {
					bad = bad || !httpStatusCodes[n]
				}
				if bad {
					return fmt.Sprintf("Unexpected status code '%s'.", r.Args[i+1])
				}
			}
		}
	}
	return ""
}

func knownHTTPAction(list []string, a string) bool {
	for _, k := range list {
		if p, ok := strings.CutSuffix(k, "(*)"); ok {
			if strings.HasPrefix(a, p) {
				return true
			}
		} else if a == k {
			return true
		}
	}
	return false
}

func httpActionList(list []string) string {
	q := make([]string, len(list))
	for i, a := range list {
		q[i] = "'" + a + "'"
	}
	return strings.Join(q, ", ")
}

// replyPayloadCheck is HAProxy 2.6's check of an http reply's payload
// and content-type (http_parse_http_reply): a non-empty string or file and
// any log-format payload need a content-type; a content-type beside an
// errorfile and the hdr names the reply sets itself are ignored with a
// warning. It returns the error message, if any.
func (s *state) replyPayloadCheck(p Pos, args []string) string {
	ctype, payload, value := "", "", ""
	var ignoredHdrs []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "hdr":
			if i+1 < len(args) {
				switch strings.ToLower(args[i+1]) {
				case "content-length", "transfer-encoding", "content-type":
					ignoredHdrs = append(ignoredHdrs, args[i+1])
				}
			}
			i += 2
		case "content-type":
			if i+1 < len(args) {
				ctype = args[i+1]
			}
			i++
		case "string", "lf-string", "file", "lf-file", "errorfile", "errorfiles":
			payload = args[i]
			if i+1 < len(args) {
				value = args[i+1]
			}
			i++
		case "default-errorfiles":
			payload = args[i]
		case "status", "deny_status":
			i++
		case "if", "unless":
			i = len(args)
		}
	}
	switch payload {
	case "errorfile", "errorfiles", "default-errorfiles":
		if ctype != "" {
			s.warn(p, "content-type '%s' ignored by the http reply when used with an erorrfile.", ctype)
		}
	case "lf-string", "lf-file":
		if ctype == "" {
			return "a content type must be defined with a log-format payload."
		}
	case "string", "file":
		nonEmpty := value != ""
		if payload == "file" {
			fi, err := os.Stat(value)
			nonEmpty = err == nil && fi.Size() > 0
		}
		if nonEmpty && ctype == "" {
			return "a content type must be defined when non-empty payload is configured."
		}
	}
	for _, h := range ignoredHdrs {
		s.warn(p, "header '%s' always ignored by the http reply.", h)
	}
	return ""
}

// ParseMapAction reads add-acl(<file>), del-acl(<file>), set-map(<file>)
// and del-map(<file>): the verb and the pattern file's name between the
// parentheses. An action without its closing parenthesis is not one
// (HAProxy would cut the name's last byte; goha reports the rule).
func ParseMapAction(action string) (verb, file string, ok bool) {
	for _, v := range []string{"add-acl", "del-acl", "set-map", "del-map"} {
		if rest, found := strings.CutPrefix(action, v+"("); found && strings.HasSuffix(rest, ")") {
			return v, rest[:len(rest)-1], true
		}
	}
	return "", "", false
}

// checkMapActionArgs checks a map/acl action's log-format key (and
// set-map's value), with HAProxy's messages.
func checkMapActionArgs(verb string, args []string) string {
	want := 1
	if verb == "set-map" {
		want = 2
	}
	if len(args) < want {
		return fmt.Sprintf("expects exactly %d arguments.", want)
	}
	for _, a := range args[:want] {
		if msg := checkLogFormat(a); msg != "" {
			return msg
		}
	}
	return ""
}

// IsAddrAction says whether an action is set-src, set-dst, set-src-port
// or set-dst-port (http-request and tcp-request rules).
func IsAddrAction(action string) bool {
	switch action {
	case "set-src", "set-dst", "set-src-port", "set-dst-port":
		return true
	}
	return false
}

// IsPriorityAction says whether an action is set-priority-class or
// set-priority-offset (http-request and tcp-request content rules).
func IsPriorityAction(action string) bool {
	return action == "set-priority-class" || action == "set-priority-offset"
}
