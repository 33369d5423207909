package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// TestNPNPolicy: `npn` on a bind or an ssl server is inert (a warning)
// when its list has no h2, and refused when it offers h2, which HAProxy
// 2.6 would speak to a peer choosing it by NPN and Go's TLS cannot.
func TestNPNPolicy(t *testing.T) {
	dir := newTestPKI(t).Dir
	for _, c := range []struct {
		line    string
		refused bool
	}{
		{"    server s1 127.0.0.1:9 ssl verify none npn http/1.1", false},
		{"    server s1 127.0.0.1:9 ssl verify none npn h2,http/1.1", true},
		{"    server s1 127.0.0.1:9 npn h2", false}, // no TLS: no NPN either
		{"    bind 127.0.0.1:8 ssl crt " + dir + "/a.pem npn http/1.1,http/1.0", false},
		{"    bind 127.0.0.1:8 ssl crt " + dir + "/a.pem npn h2", true},
	} {
		fe, be := "", c.line
		if strings.HasPrefix(c.line, "    bind") {
			fe, be = c.line+"\n", "    server s1 127.0.0.1:9"
		}
		cfg := quickDefaults("http") +
			"frontend fe\n    bind 127.0.0.1:7\n" + fe + "    default_backend be\nbackend be\n" + be + "\n"
		res := haproxy.CheckBytes("npn.cfg", []byte(cfg), nil)
		if res.Exit != 0 {
			t.Fatalf("%s: exit %d %+v", c.line, res.Exit, res.Diags.List)
		}
		res.Diags.List = append(res.Diags.List, Build(res.Config).Notices.List...)
		refused := haproxy.ApplyPolicy(res, false)
		var texts []string
		for _, d := range res.Diags.List {
			texts = append(texts, d.Text)
		}
		all := strings.Join(texts, "\n")
		if refused != c.refused || !strings.Contains(all, "'"+map[bool]string{true: "bind", false: "server"}[fe != ""]+" option npn' has no effect in goha") {
			t.Errorf("%s: refused %v, want %v:\n%s", c.line, refused, c.refused, all)
		}
	}
}
