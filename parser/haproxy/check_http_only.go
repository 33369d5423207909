package haproxy

import "fmt"

// httpOnlyWarnings reports HTTP settings in a non-HTTP proxy, which HAProxy
// ignores (httplog falls back to tcplog).
func (s *state) httpOnlyWarnings(px *Proxy) {
	if px.Monitor.URI != "" {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : monitor-uri will be ignored for %s '%s' (needs 'mode http').", kindWord(px), px.Name))
	}
	if px.HTTPUpgrade {
		// switch-mode http: HAProxy keeps these settings quietly
		return
	}
	if px.Stats.Enabled {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'stats' statement ignored for %s '%s' as it requires HTTP mode.", kindWord(px), px.Name))
	}
	if len(px.HTTPRequestRules) > 0 && px.Cap&CapFrontend != 0 {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'http-request' rules ignored for %s '%s' as they require HTTP mode.", kindWord(px), px.Name))
	}
	if len(px.HTTPResponseRules) > 0 {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'http-response' rules ignored for %s '%s' as they require HTTP mode.", kindWord(px), px.Name))
	}
	if len(px.HTTPAfterResponseRules) > 0 {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'http-after-response' rules ignored for %s '%s' as they require HTTP mode.", kindWord(px), px.Name))
	}
	if len(px.Redirects) > 0 {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'redirect' rules ignored for %s '%s' as they require HTTP mode.", kindWord(px), px.Name))
	}
	if px.Options["prefer-last-server"] && px.Cap&CapBackend != 0 {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'option prefer-last-server' ignored for %s '%s' as it requires HTTP mode.", kindWord(px), px.Name))
	}
	if px.Forwardfor != nil {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'option forwardfor' ignored for %s '%s' as it requires HTTP mode.", kindWord(px), px.Name))
	}
	if px.OriginalTo != nil {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'option originalto' ignored for %s '%s' as it requires HTTP mode.", kindWord(px), px.Name))
	}
	// HAProxy's HTTP-only options, in its table's order (measured on a
	// tcp frontend)
	for _, o := range []struct {
		name string
		cap  Capability
	}{{"http-buffer-request", CapFrontend | CapBackend}, {"http-ignore-probes", CapFrontend}, {"accept-invalid-http-request", CapFrontend}} {
		if px.Options[o.name] && px.Cap&o.cap != 0 {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'option %s' ignored for %s '%s' as it requires HTTP mode.", o.name, kindWord(px), px.Name))
		}
	}
}
