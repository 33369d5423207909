package haproxycfg

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

const keylogConfig = `global
    crt-base PKIDIR
KEYLOG
` + httpDefaults2s + `frontend fe
    bind ADDR ssl crt srv.pem
    http-request return status 200 content-type text/plain lf-string "<%[ssl_fc_client_handshake_traffic_secret]> <%[ssl_fc_server_handshake_traffic_secret]> <%[ssl_fc_client_traffic_secret_0]> <%[ssl_fc_server_traffic_secret_0]> <%[ssl_fc_client_early_traffic_secret]> <%[ssl_fc_early_exporter_secret]>"
`

// TestTLSKeylogDifferential: with tune.ssl.keylog on, the TLS 1.3
// secrets fetches give the secrets the client's own key log recorded
// for that connection, through HAProxy 2.6 and goha alike, on a full
// and on a resumed handshake; none in TLS 1.2, none without the
// setting, and never the early ones (no 0-RTT).
func TestTLSKeylogDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	// ask returns what the proxy answered and what the client logged.
	ask := func(addr string, tc *tls.Config) (got, logged string, resumed bool) {
		b, st, kl, err := tlsGet(t, addr, tc)
		if err != nil {
			t.Fatal(err)
		}
		sec := map[string]string{}
		for _, l := range strings.Split(kl, "\n") {
			if f := strings.Fields(l); len(f) == 3 {
				sec[f[0]] = f[2]
			}
		}
		logged = fmt.Sprintf("<%s> <%s> <%s> <%s> <> <>", sec["CLIENT_HANDSHAKE_TRAFFIC_SECRET"], sec["SERVER_HANDSHAKE_TRAFFIC_SECRET"],
			sec["CLIENT_TRAFFIC_SECRET_0"], sec["SERVER_TRAFFIC_SECRET_0"])
		return b, logged, st.DidResume
	}
	const none = "<> <> <> <> <> <>"
	for _, keylog := range []string{"    tune.ssl.keylog on", "    tune.ssl.keylog off", ""} {
		ha, gh := startTemplated(t, keylogConfig, "ADDR", "PKIDIR", pki.Dir, "KEYLOG\n", keylog+"\n")
		on := strings.HasSuffix(keylog, " on")
		for _, ver := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
			for _, d := range []struct{ name, addr string }{{"haproxy", ha}, {"goha", gh}} {
				tc := &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", MaxVersion: ver,
					ClientSessionCache: tls.NewLRUClientSessionCache(4)}
				for _, round := range []string{"full", "resumed"} {
					got, logged, resumed := ask(d.addr, tc)
					want := none
					if on && ver == tls.VersionTLS13 {
						want = logged
					}
					t.Logf("%q %x %s %s: %.100s", keylog, ver, d.name, round, got)
					if resumed != (round == "resumed") {
						t.Errorf("%q %x %s %s: resumed %v", keylog, ver, d.name, round, resumed)
					}
					if on && ver == tls.VersionTLS13 && strings.Count(want, "<>") != 2 {
						t.Errorf("%q %s %s: the client logged %s", keylog, d.name, round, want)
					}
					if got != want {
						t.Errorf("%q %x %s %s:\ngot  %s\nwant %s", keylog, ver, d.name, round, got, want)
					}
				}
			}
		}
	}
}
