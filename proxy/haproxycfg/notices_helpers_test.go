package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// quickDefaults is a defaults section in mode with 1 s timeouts, for
// configurations that are built, not run.
func quickDefaults(mode string) string {
	return "defaults\n    mode " + mode + "\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n"
}

// configNotices is what goha says of cfg without running it: Build's
// notices, then the parser's diagnostics, one a line.
func configNotices(cfg string) string {
	res := haproxy.CheckBytes("t.cfg", []byte(cfg), nil)
	var notes []string
	if res.Config != nil {
		for _, d := range Build(res.Config).Notices.List {
			notes = append(notes, d.Text)
		}
	}
	for _, d := range res.Diags.List {
		notes = append(notes, d.Text)
	}
	return strings.Join(notes, "\n")
}

// noticeIs reports whether the notices got are what want names: none
// for "", else notices with want in them.
func noticeIs(got, want string) bool {
	return (want == "") == (got == "") && strings.Contains(got, want)
}
