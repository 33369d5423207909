package haproxy

import (
	"fmt"
	"strings"
)

// parseCounterWord reads the action word of a sticky-counter action that
// tracks nothing, as HAProxy 2.6 does (it looks the word up by its
// prefix): sc-inc-gpc(<idx>,<sc>), sc-inc-gpc0, sc-inc-gpc0(<sc>),
// sc-inc-gpc1[(<sc>)], sc-set-gpt(<idx>,<sc>), sc-set-gpt0[(<sc>)].
// The numbers are read as strtoul/strtol read them: what follows the
// closing parenthesis is ignored, no digits read 0. ok is false for a word
// without either prefix; msg is HAProxy's message (without the period its
// http rules add) for a word it refuses, or goha's for a negative counter
// ID, which HAProxy 2.6 takes and then reads outside its counters.
func parseCounterWord(action string) (verb string, idx, sc int, msg string, ok bool) {
	base, what, single := "sc-inc-gpc", "gpc", "01"
	rest, found := strings.CutPrefix(action, base)
	if !found {
		base, what, single = "sc-set-gpt", "gpt", "0"
		if rest, found = strings.CutPrefix(action, base); !found {
			return "", 0, 0, "", false
		}
	}
	// The ID forms' messages: sc-set-gpt0 quotes its word where
	// sc-inc-gpc0/1 do not.
	quoted := ""
	if what == "gpt" {
		quoted = fmt.Sprintf(" '%s'", action)
	}
	arrayForm := fmt.Sprintf("Expects %s(<%s ID>,<Track ID>)", base, strings.ToUpper(what))
	switch {
	case rest != "" && rest[0] == '(':
		i, r := cStrtol(rest[1:])
		if r == "" || r[0] != ',' {
			return base, 0, 0, fmt.Sprintf("Missing %s ID '%s'. %s", what, action, arrayForm), true
		}
		n, r := cStrtol(r[1:])
		if r == "" || r[0] != ')' {
			return base, 0, 0, fmt.Sprintf("invalid stick table track ID '%s'. %s", action, arrayForm), true
		}
		if m := counterIDRange(n, " '"+action+"'"); m != "" {
			return base, 0, 0, m, true
		}
		return base, int(uint32(i)), int(n), "", true
	case rest != "" && strings.IndexByte(single, rest[0]) >= 0:
		verb = base + rest[:1]
		r := rest[1:]
		if r == "" {
			return verb, 0, 0, "", true
		}
		expects := fmt.Sprintf("invalid stick table track ID%s. Expects %s(<Track ID>)", quoted, action)
		if what == "gpt" {
			expects = fmt.Sprintf("invalid stick table track ID '%s'. Expects %s(<Track ID>)", action, verb)
		}
		if r[0] != '(' {
			return verb, 0, 0, expects, true
		}
		n, r := cStrtol(r[1:])
		if r == "" || r[0] != ')' {
			return verb, 0, 0, expects, true
		}
		if m := counterIDRange(n, quoted); m != "" {
			return verb, 0, 0, m, true
		}
		return verb, 0, int(n), "", true
	}
	return base, 0, 0, fmt.Sprintf("invalid %s ID '%s'. %s", what, action, arrayForm), true
}

// counterIDRange is the message for a sticky counter ID out of range
// ("" when in range); quoted names the word where HAProxy's does.
func counterIDRange(n int64, quoted string) string {
	switch {
	case n >= maxStickCounters:
		return fmt.Sprintf("invalid stick table track ID%s. The max allowed ID is %d", quoted, maxStickCounters-1)
	case n < 0:
		return fmt.Sprintf("invalid stick table track ID%s: a negative ID is refused by goha (HAProxy 2.6 accepts it and then reads outside its sticky counters)", quoted)
	}
	return ""
}

// cStrtol reads a base-10 integer at the start of s as C's strtol does
// after its leading spaces: an optional sign, then digits; rest is what
// follows them, or s whole when there are none (the value is then 0). A
// value past a long's range is clamped to it, as strtol clamps.
func cStrtol(s string) (v int64, rest string) {
	i, neg := 0, false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	start, over := i, false
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if d := int64(s[i] - '0'); over || v > (1<<63-1-d)/10 {
			over = true
		} else {
			v = v*10 + d
		}
	}
	switch {
	case i == start:
		return 0, s
	case over && neg:
		return -1 << 63, s[i:]
	case over:
		return 1<<63 - 1, s[i:]
	case neg:
		return -v, s[i:]
	}
	return v, s[i:]
}

// badTCPActionWord alerts, in HAProxy 2.6's words, on a tcp-request
// connection, session or content rule or a tcp-response content rule (w:
// the line) whose sticky-counter or variable action word HAProxy refuses
// (sc-inc-gpc without its IDs, set-var without its name, ...), and
// reports whether it did. HAProxy's tcp rule parsers print the message
// as it is, without the period its http rules add.
func (s *state) badTCPActionWord(p Pos, w []string) bool {
	if len(w) < 3 || w[1] != "connection" && w[1] != "session" && w[1] != "content" {
		return false
	}
	msg := ""
	if _, _, _, m, ok := parseCounterWord(w[2]); ok {
		msg = m
	} else if _, ok, m := ParseVarAction(w[2]); ok && wordMessage(m) {
		msg = strings.TrimSuffix(m, ".")
	}
	if msg == "" {
		return false
	}
	s.alert(p, "%s", msg)
	return true
}

// wordMessage says whether a ParseVarAction message is about the action
// word's shape (what badTCPActionWord reports), not the variable's name.
func wordMessage(m string) bool {
	return strings.HasSuffix(m, varExpects+".") || strings.HasPrefix(m, "unset-var does not expect")
}
