package haproxy

import (
	"strings"
	"testing"
)

func TestApplyPolicy(t *testing.T) {
	cases := []struct {
		name  string
		cfg   string
		allow bool
		exit  int
		want  []string // severity tag + text of each goha diagnostic, in order
	}{
		{name: "inert only", cfg: "global\n cpu-map auto:1/1-2 0-1\n ssl-propquery x\nlisten l\n bind 127.0.0.1:1\n",
			exit: 0, want: []string{
				"[WARNING]  config : parsing [t.cfg:2] : 'cpu-map' has no effect in goha (CPU affinity: scheduling only).",
				"[WARNING]  config : parsing [t.cfg:3] : 'ssl-propquery' has no effect in goha (no bind or server uses TLS).",
			}},
		{name: "TLS default used by a TLS bind", cfg: "global\n ssl-propquery x\nlisten l\n bind 127.0.0.1:1 ssl crt /x.pem\n",
			exit: 1, want: []string{
				// (the bind options themselves are reported by proxy/haproxycfg)
				"[ALERT]    config : parsing [t.cfg:2] : 'ssl-propquery' is not supported by goha.",
			}},
		{name: "unsupported action", cfg: "listen l\n bind 127.0.0.1:1\n http-request send-spoe-group e g\n",
			exit: 1, want: []string{"[ALERT]    config : parsing [t.cfg:3] : 'http-request send-spoe-group' is not supported by goha."}},
		// (its row is "http-response track-sc": implemented)
		{name: "a rule named by its numbered form", cfg: "listen l\n bind 127.0.0.1:1\n stick-table type ip size 1\n http-response track-sc0 src\n",
			exit: 0},
		{name: "override", cfg: "listen l\n bind 127.0.0.1:1\n http-request send-spoe-group e g\n", allow: true,
			exit: 0, want: []string{"[WARNING]  config : parsing [t.cfg:3] : 'http-request send-spoe-group' is not supported by goha: running without it (--allow-unsupported)."}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := CheckBytes("t.cfg", []byte(c.cfg), nil)
			if r.Exit != 0 {
				t.Fatalf("parser verdict %d: %+v", r.Exit, r.Diags.List)
			}
			r.Stdout = []string{"Configuration file is valid"}
			refused := ApplyPolicy(r, c.allow)
			var got []string
			for _, d := range r.Diags.List {
				if d.Goha && d.File != "" {
					got = append(got, d.Severity.Tag()+" "+d.Text)
				}
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
			if r.Exit != c.exit || refused != (c.exit == 1) || (c.exit == 1) != (r.Stdout == nil) {
				t.Errorf("exit %d refused %v stdout %q, want exit %d", r.Exit, refused, r.Stdout, c.exit)
			}
			if c.exit == 1 && r.Diags.List[len(r.Diags.List)-1].Text != "config : Fatal errors found in configuration." {
				t.Errorf("last line %q", r.Diags.List[len(r.Diags.List)-1].Text)
			}
		})
	}
}

// Subjects no row names (a wire message, a new keyword) are unsupported:
// the policy fails closed.
func TestUnknownSubjectFailsClosed(t *testing.T) {
	for _, s := range []string{"log-format: variable '%fi'", "no such thing", "http-request condition: acl x: converter url_dec"} {
		if row, _ := lookupSubject(s); row.Class == Inert || row.Class == InertUnlessTLS {
			t.Errorf("%q classified %s", s, row.Class)
		}
	}
}
