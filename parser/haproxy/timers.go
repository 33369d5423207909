package haproxy

import "strings"

// timerWarnAfter gives timerWarn for the value after each of the named
// words of a statement kept raw (stick-table expire, cookie maxidle, ...).
func (s *state) timerWarnAfter(p Pos, w []string, names ...string) {
	for i := 1; i+1 < len(w); i++ {
		if contains(names, w[i]) {
			s.timerWarn(p, w[i+1])
		}
	}
}

// timerWarn gives HAProxy's warning for text after a time value ("15min");
// HAProxy prints it without a position (prefix, when given, is the server
// line context HAProxy puts before the first message of a server line).
func (s *state) timerWarn(p Pos, v string, prefix ...string) bool {
	msg := timerTrailingText(v)
	if msg == "" {
		return false
	}
	s.d.Raw(Warning, p.File, p.Line, "config : "+strings.Join(prefix, "")+msg)
	return true
}
