package haproxy

import "fmt"

// ExternalCheck is a proxy's `option external-check` with its
// `external-check command` and `external-check path` (given in the proxy
// itself; the defaults' are not carried, see proxy/haproxycfg).
type ExternalCheck struct {
	Command string
	Path    string // PATH of the command's environment ("" when unset, as HAProxy)
}

// externalChecks types each proxy's external check and reports what
// HAProxy 2.6 refuses at the end of parsing: the check needs the global
// `external-check` and a command, and warns without `insecure-fork-wanted`.
// true = fatal.
func (s *state) externalChecks() bool {
	fatal := false
	global, fork := false, false
	for _, st := range s.cfg.Global.Raw {
		switch st.Args[0] {
		case "external-check":
			global = true
		case "insecure-fork-wanted":
			fork = true
		}
	}
	for _, px := range s.cfg.Proxies {
		if !px.Options["external-check"] {
			continue
		}
		ec := &ExternalCheck{}
		for _, st := range px.Raw {
			if len(st.Args) >= 3 && st.Args[0] == "external-check" {
				switch st.Args[1] {
				case "command":
					ec.Command = st.Args[2]
				case "path":
					ec.Path = st.Args[2]
				}
			}
		}
		px.ExternalCheck = ec
		if !global {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s' : 'option external-check' unable to find required 'global.external-check'.", px.Name))
			fatal = true
		}
		if !fork {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : Proxy '%s' : 'insecure-fork-wanted' not enabled in the global section, 'option external-check' will likely fail.", px.Name))
		}
		if global && ec.Command == "" && !s.defaultsHave("external-check") {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s' : 'option external-check' unable to find required 'external-check command'.", px.Name))
			fatal = true
		}
	}
	return fatal
}

// defaultsHave says whether a defaults section has a kw statement (kept
// raw: proxy/haproxycfg refuses what it cannot carry from there).
func (s *state) defaultsHave(kw string) bool {
	for _, d := range s.cfg.Defaults {
		for _, st := range d.Raw {
			if st.Args[0] == kw {
				return true
			}
		}
	}
	return false
}
