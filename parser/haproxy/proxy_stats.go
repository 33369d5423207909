package haproxy

import (
	"fmt"
	"strings"
)

// Handlers of the stats page keyword; its row is in proxyKeywordTable.

func (s *state) parseStats(px *Proxy, l *kwLine) bool {
	s.stats(px, l.p, l.w)
	return false
}

func (s *state) stats(px *Proxy, p Pos, w []string) {
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	if inherited := px.Stats.Pos.File != px.Pos.File || px.Stats.Pos.Line < px.Pos.Line; inherited {
		px.Stats.Pos = p // the first stats line of this section, where the policy reports
	}
	switch arg(1) {
	case "enable":
		px.Stats.Enabled = true
	case "uri":
		if arg(2) == "" {
			s.alert(p, "'uri' needs an URI prefix.")
			return
		}
		px.Stats.Enabled, px.Stats.URI = true, arg(2)
	case "realm":
		if arg(2) == "" {
			s.alert(p, "'realm' needs an realm name.")
			return
		}
		px.Stats.Enabled, px.Stats.Realm = true, arg(2)
	case "auth":
		px.Stats.Enabled = true
		px.Stats.Auth = append(px.Stats.Auth, arg(2))
	case "refresh":
		if arg(2) == "" {
			s.alert(p, "'stats refresh' expects <delay> as argument.")
			return
		}
		d, bad, err := ParseTime(arg(2))
		if err != nil {
			s.alertRaw(p.File, p.Line, fmt.Sprintf("unexpected character '%c' in argument to stats refresh interval.", arg(2)[bad]))
			s.fileFatal = true
			return
		}
		s.timerWarn(p, arg(2))
		if strings.Trim(arg(2), "0123456789") == "" {
			d *= 1000 // a bare number is seconds here (ParseTime's default unit is ms)
		}
		px.Stats.Enabled, px.Stats.Refresh = true, d
	case "admin":
		cond, err := parseCondition(tail(w, 2))
		if err != nil || cond == nil || len(w) < 3 {
			s.alert(p, "'stats admin' requires either 'if' or 'unless' followed by a condition.")
			return
		}
		px.Stats.Enabled, px.Stats.Admin = true, cond
	case "scope", "hide-version", "show-node", "show-desc", "show-legends", "show-modules", "bind-process", "http-request", "maxconn", "socket", "timeout":
		px.Stats.Raw = append(px.Stats.Raw, Statement{Pos: p, Args: w})
		if row, ok := ClassOf("proxy", "stats "+arg(1)); !ok || row.Class != Implemented {
			s.d.Unsupported(p.File, p.Line, "stats "+arg(1)) // the stats page reads the implemented ones from Raw
		}
	default:
		s.alertRaw(p.File, p.Line, fmt.Sprintf("unknown stats parameter '%s', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.", arg(1)))
		s.fileFatal = true
	}
}
