package haproxy

import "strings"

// The actions HAProxy 2.6.12 knows in each tcp-request ruleset, as it
// lists them when a rule names another (measured with haproxy -c: the
// connection and session rulesets share one list, switch-mode among the
// content actions only). A "(*)" action takes its argument in
// parentheses; track-sc0 ... track-sc2 stand for the track-sc<n>
// actions.
const (
	tcpReqL4Actions = "'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', " +
		"'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', 'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', " +
		"'set-dst', 'set-dst-port', 'set-mark', 'set-src', 'set-src-port', 'set-tos', 'silent-drop'"
	tcpReqContentActions = "'accept', 'reject', 'capture', 'expect-proxy', 'expect-netscaler-cip', 'track-sc0' ... 'track-sc2', " +
		"'ot-group', 'set-log-level', 'set-nice', 'switch-mode', 'use-service', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', " +
		"'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'do-resolve(*)', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', " +
		"'set-src', 'set-src-port', 'set-dst', 'set-dst-port', 'set-mark', 'set-tos', 'silent-drop', 'set-priority-class', 'set-priority-offset'"
)

// badTCPRequestAction alerts, in HAProxy 2.6's words, on a tcp-request
// connection, session or content rule whose action the ruleset does not
// know (switch-mode in a session rule, a misspelt action, none at all),
// and reports whether it did. HAProxy's message ends with an empty line.
func (s *state) badTCPRequestAction(px *Proxy, p Pos, w []string) bool {
	if len(w) < 2 {
		return false
	}
	list := tcpReqL4Actions
	switch w[1] {
	case "connection", "session":
	case "content":
		list = tcpReqContentActions
	default:
		return false
	}
	got := ""
	if len(w) > 2 {
		got = w[2]
	}
	if got != "" && knownTCPRequestAction(list, got) {
		return false
	}
	registered := tcpReqL4Registered
	if w[1] == "content" {
		registered = tcpReqCntRegistered
	}
	s.alert(p, "'%s %s' expects %s in %s '%s' (got '%s').%s\n", w[0], w[1], list, kindWord(px), px.Name, got,
		actionDidYouMean(got, registered, tcpReqExtras))
	return true
}

// knownTCPRequestAction says whether an action word is one of list's.
func knownTCPRequestAction(list, a string) bool {
	if strings.HasPrefix(a, "track-sc") {
		return true // the track-sc<n> parser words its own errors
	}
	for _, q := range strings.Split(list, ", ") {
		name := strings.Trim(q, "'")
		if base, ok := strings.CutSuffix(name, "(*)"); ok {
			if strings.HasPrefix(a, base) { // matched as a prefix, as HAProxy does
				return true
			}
		} else if a == name {
			return true
		}
	}
	return false
}
