package haproxy

import "fmt"

// EmailAlert is a proxy's complete `email-alert` settings (from, to and
// mailers all given; HAProxy ignores an incomplete set with a warning).
// Level is a syslog level (1, alert, by default); MyHostname "" means
// the system's host name.
type EmailAlert struct {
	From, To, MyHostname string
	Mailers              string
	Level                int
	LevelPos             Pos // where `email-alert level` is, for an unknown level
	LevelName            string
}

// EmailAlertOf reads px's `email-alert` statements; nil when they are
// absent or incomplete.
func EmailAlertOf(px *Proxy) *EmailAlert {
	ea := &EmailAlert{Level: 1}
	set := map[string]bool{}
	for _, st := range px.Raw {
		if st.Args[0] != "email-alert" || len(st.Args) < 3 {
			continue
		}
		set[st.Args[1]] = true
		v := st.Args[2]
		switch st.Args[1] {
		case "from":
			ea.From = v
		case "to":
			ea.To = v
		case "mailers":
			ea.Mailers = v
		case "myhostname":
			ea.MyHostname = v
		case "level":
			ea.LevelPos, ea.LevelName, ea.Level = st.Pos, v, -1
			for i, l := range LogLevels {
				if l == v {
					ea.Level = i
				}
			}
		}
	}
	if !set["from"] || !set["to"] || !set["mailers"] {
		return nil
	}
	return ea
}

// unusedMailers warns about each mailers section no complete email-alert
// names, as HAProxy 2.6 does when it drops it.
func (s *state) unusedMailers() {
	used := map[string]bool{}
	for _, px := range s.cfg.Proxies {
		if ea := EmailAlertOf(px); ea != nil {
			used[ea.Mailers] = true
		}
	}
	for _, sec := range s.cfg.Others {
		if sec.Kind == "mailers" && !used[sec.Name] {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : Removing incomplete section 'mailers %s'.", sec.Name))
		}
	}
}
