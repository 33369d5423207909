package haproxy

import (
	"strings"
	"testing"
)

// unix-bind: HAProxy 2.6's messages (checked against haproxy -c) and the
// typed values.
func TestGlobalUnixBind(t *testing.T) {
	for _, tc := range []struct {
		line  string
		exit  int
		alert string
		want  UnixBind
	}{
		{line: "unix-bind"},
		{line: "unix-bind mode"},
		{line: "unix-bind prefix /x/ mode 600 uid 5 gid 6", want: UnixBind{Prefix: "/x/", Mode: "600", UID: "5", GID: "6"}},
		{line: "unix-bind prefix /a prefix /b", alert: "unix-bind 'prefix' already specified. Continuing.", want: UnixBind{Prefix: "/a"}},
		{line: "unix-bind foo", exit: 1, alert: "'unix-bind' only supports the 'prefix', 'mode', 'uid', 'gid', 'user' and 'group' options."},
		{line: "unix-bind prefix", exit: 1, alert: "unix_bind 'prefix' expects a path as an argument."},
		{line: "unix-bind user nosuchuser-goha", exit: 1, alert: "'unix-bind' : 'nosuchuser-goha' unknown user."},
		{line: "unix-bind group nosuchgrp-goha", exit: 1, alert: "'unix-bind' : 'nosuchgrp-goha' unknown group."},
	} {
		res := checkString(t, "global\n    "+tc.line+"\nlisten l\n    bind 127.0.0.1:8080\n    mode tcp\n    server s 127.0.0.1:1\n")
		var alerts []string
		for _, d := range res.Diags.List {
			if d.Severity == Alert {
				alerts = append(alerts, d.Text)
			}
		}
		if res.Exit != tc.exit || tc.alert != "" && !strings.Contains(strings.Join(alerts, "\n"), tc.alert) {
			t.Errorf("%q: exit %d, alerts %q, want exit %d and %q", tc.line, res.Exit, alerts, tc.exit, tc.alert)
			continue
		}
		if tc.exit == 0 && res.Config.Global.UnixBind != tc.want {
			t.Errorf("%q: %+v, want %+v", tc.line, res.Config.Global.UnixBind, tc.want)
		}
	}
}
