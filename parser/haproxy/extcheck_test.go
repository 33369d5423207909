package haproxy

import (
	"strings"
	"testing"
)

// What HAProxy 2.6.12 says about `option external-check` without its
// requirements (haproxy -c), and the typed check when they are met.
func TestExternalCheckRequirements(t *testing.T) {
	const body = `defaults
	timeout connect 1s
	timeout client 1s
	timeout server 1s
listen li
	mode tcp
	bind 127.0.0.1:18096
	option external-check
%s	server s1 127.0.0.1:18081 check
`
	const cmd = "\texternal-check command /bin/true\n\texternal-check path \"/usr/bin:/bin\"\n"
	for _, c := range []struct {
		global, cmd string
		exit        int
		want        []string
	}{
		{"\texternal-check\n\tinsecure-fork-wanted\n", cmd, 0, nil},
		{"\texternal-check\n", cmd, 0, []string{"config : Proxy 'li' : 'insecure-fork-wanted' not enabled in the global section, 'option external-check' will likely fail."}},
		{"\tinsecure-fork-wanted\n", cmd, 1, []string{"config : Proxy 'li' : 'option external-check' unable to find required 'global.external-check'."}},
		{"", cmd, 1, []string{"config : Proxy 'li' : 'option external-check' unable to find required 'global.external-check'.",
			"config : Proxy 'li' : 'insecure-fork-wanted' not enabled in the global section, 'option external-check' will likely fail."}},
		{"\texternal-check\n\tinsecure-fork-wanted\n", "", 1, []string{"config : Proxy 'li' : 'option external-check' unable to find required 'external-check command'."}},
	} {
		res := CheckBytes("x.cfg", []byte("global\n"+c.global+strings.Replace(body, "%s", c.cmd, 1)), func(string) (string, bool) { return "", false })
		var got []string
		for _, d := range res.Diags.List {
			if strings.Contains(d.Text, "external-check") {
				got = append(got, d.Text)
			}
		}
		if res.Exit != c.exit || strings.Join(got, "\n") != strings.Join(c.want, "\n") {
			t.Errorf("global %q command %q: exit %d\n%s\nwant exit %d\n%s", c.global, c.cmd, res.Exit, strings.Join(got, "\n"), c.exit, strings.Join(c.want, "\n"))
		}
		if c.exit == 0 {
			ec := res.Config.Proxies[0].ExternalCheck
			if ec == nil || ec.Command != "/bin/true" || ec.Path != "/usr/bin:/bin" {
				t.Errorf("typed: %+v", ec)
			}
		}
	}
}
