package haproxy

import "testing"

// TestLogTargetResolves: log hosts are resolved through the replaceable
// lookup (never for literals, paths, rings or stdout), and a failure gives
// HAProxy's message naming the host and the target as written.
func TestLogTargetResolves(t *testing.T) {
	var asked []string
	st := &state{lookups: systemLookups{Resolve: func(h string) bool {
		asked = append(asked, h)
		return h == "logs.example.com"
	}}, env: func(k string) (string, bool) {
		return map[string]string{"LOGHOST": "nohost.example.com"}[k], k == "LOGHOST"
	}}
	tests := map[string]string{
		"logs.example.com:514":       "",
		"udp@logs.example.com":       "",
		"nohost.example.com:514":     "log : invalid address: 'nohost.example.com' in 'nohost.example.com:514'",
		"tcp@nohost.example.com:514": "log : invalid address: 'nohost.example.com' in 'tcp@nohost.example.com:514'",
		"$LOGHOST:514":               "log : invalid address: 'nohost.example.com' in '$LOGHOST:514'",
		"300.1.1.1":                  "log : invalid address: '300.1.1.1' in '300.1.1.1'",
		"127.0.0.1:514":              "",
		"[::1]:514":                  "",
		"/dev/log":                   "",
		"stdout":                     "",
		"ring@buf":                   "",
		"fd@2":                       "",
	}
	for target, want := range tests {
		if got := st.logTargetResolves(target); got != want {
			t.Errorf("%q: %q, want %q", target, got, want)
		}
	}
	if len(asked) != 2 {
		t.Errorf("looked up %q, want each name once", asked)
	}
	for _, h := range asked {
		if h != "logs.example.com" && h != "nohost.example.com" {
			t.Errorf("looked up %q", h)
		}
	}
	if (systemLookups{}).resolve("syslog.example.invalid") {
		t.Error(".invalid resolved")
	}
}

// TestLogFormatLastWins: option httplog/tcplog replace a log-format given
// before them (or inherited), and a later log-format replaces them, as in
// HAProxy; the runtime logs with what remains.
func TestLogFormatLastWins(t *testing.T) {
	cfg := "defaults\n    mode http\n    log-format \"%ci\"\nfrontend a\n    bind :80\n    option httplog\n" +
		"frontend b\n    bind :81\n    option httplog\n    log-format \"%ci %r\"\n"
	res := CheckBytes("t.cfg", []byte(cfg), nil)
	a, b := res.Config.Frontends[0], res.Config.Frontends[1]
	if a.LogFormat != "" || !a.Options["httplog"] {
		t.Errorf("a: log-format %q httplog %v, want httplog only", a.LogFormat, a.Options["httplog"])
	}
	if b.LogFormat != "%ci %r" {
		t.Errorf("b: log-format %q, want the later log-format", b.LogFormat)
	}
}
