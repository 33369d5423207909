package haproxycfg

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

const sessionFetchConfig = `global
    crt-base PKIDIR
KEYLOG
` + httpDefaults2s + `frontend fe
    bind ADDR ssl crt srv.pem ssl-max-ver TLSv1.2 alpn h2,http/1.1 TICKETS
    http-request return status 200 content-type text/plain lf-string "<%[ssl_fc_unique_id,hex]> <%[ssl_fc_session_key,hex]> <%[ssl_fc_client_traffic_secret_0]> <%[ssl_fc_is_resumed]>"
`

// TestTLSSessionFetchesDifferential: on a TLS 1.2 bind, ssl_fc_unique_id
// is the client's tls-unique and ssl_fc_session_key the master secret
// the client logged, through HAProxy 2.6 and goha alike, on a full and
// a resumed handshake (the session's master secret again), with and
// without tune.ssl.keylog (which does not change them, nor makes the
// TLS 1.3 secrets appear), with and without session tickets.
func TestTLSSessionFetchesDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	ask := func(addr string, tc *tls.Config) (got string, st tls.ConnectionState, master string) {
		got, st, kl, err := tlsGet(t, addr, tc)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(kl, "\n") {
			if f := strings.Fields(l); len(f) == 3 && f[0] == "CLIENT_RANDOM" {
				master = strings.ToUpper(f[2])
			}
		}
		return got, st, master
	}
	for _, keylog := range []string{"    tune.ssl.keylog on", ""} {
		for _, tickets := range []string{"", "no-tls-tickets"} {
			ha, gh := startTemplated(t, sessionFetchConfig, "ADDR", "PKIDIR", pki.Dir, "KEYLOG\n", keylog+"\n", "TICKETS", tickets)
			for _, d := range []struct{ name, addr string }{{"haproxy", ha}, {"goha", gh}} {
				tc := &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test",
					ClientSessionCache: tls.NewLRUClientSessionCache(4)}
				var session string // the master secret of the session
				for _, round := range []string{"full", "resumed"} {
					got, st, master := ask(d.addr, tc)
					if round == "full" {
						session = master
					}
					name := fmt.Sprintf("%q %q %s %s", keylog, tickets, d.name, round)
					// Without tickets Go's client cannot resume (HAProxy's
					// session IDs are not offered back by it, goha keeps none).
					resumed := round == "resumed" && tickets == ""
					if st.DidResume != resumed || st.Version != tls.VersionTLS12 || len(st.TLSUnique) == 0 || session == "" {
						t.Fatalf("%s: resumed %v version %x tls-unique %x master %q", name, st.DidResume, st.Version, st.TLSUnique, session)
					}
					want := fmt.Sprintf("<%X> <%s> <> <%d>", st.TLSUnique, session, map[bool]int{false: 0, true: 1}[resumed])
					if !resumed {
						want = fmt.Sprintf("<%X> <%s> <> <0>", st.TLSUnique, master)
					}
					t.Logf("%s: %s", name, got)
					if got != want {
						t.Errorf("%s:\ngot  %s\nwant %s", name, got, want)
					}
				}
				// Over HTTP/2: each stream sees its connection's values.
				var kl bytes.Buffer
				h2c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{ForceAttemptHTTP2: true,
					TLSClientConfig: &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", KeyLogWriter: &kl}}}
				resp, err := h2c.Get("https://" + d.addr + "/")
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				h2c.CloseIdleConnections()
				master := ""
				if f := strings.Fields(kl.String()); len(f) == 3 && f[0] == "CLIENT_RANDOM" {
					master = strings.ToUpper(f[2])
				}
				want := fmt.Sprintf("<%X> <%s> <> <0>", resp.TLS.TLSUnique, master)
				if resp.ProtoMajor != 2 || master == "" || string(b) != want {
					t.Errorf("%q %q %s h2: proto %d, got %s want %s", keylog, tickets, d.name, resp.ProtoMajor, b, want)
				}
			}
		}
	}
}

// TestTLSSessionFetchesRefusedWithTLS13: a bind that allows TLS 1.3 (or
// has a crt-list, whose entries may) is refused when the configuration
// reads ssl_fc_session_key anywhere, at the bind's line, saying why; a
// TLS 1.2 bind is not, nor is a TLS 1.3 bind when it is not read
// (ssl_fc_unique_id has its TLS 1.3 value: TestTLSUniqueIDDifferential).
func TestTLSSessionFetchesRefusedWithTLS13(t *testing.T) {
	pki := newFetchPKI(t)
	for _, c := range []struct {
		bind, use string
		want      []string
	}{
		{"ssl-max-ver TLSv1.2", "ssl_fc_session_key", nil},
		{"GLOBAL", "ssl_fc_session_key", nil}, // ssl-default-bind-options ssl-max-ver TLSv1.2
		{"force-tlsv12", "ssl_fc_session_key,hex] %[ssl_fc_unique_id", nil},
		{"", "ssl_fc_session_key", []string{"fetch ssl_fc_session_key with a bind allowing TLS 1.3 (add ssl-max-ver TLSv1.2)"}},
		{"ssl-min-ver TLSv1.3", "ssl_fc_session_key", []string{"fetch ssl_fc_session_key with a bind allowing TLS 1.3"}},
		{"ssl-max-ver TLSv1.2 crt-list LIST", "ssl_fc_session_key", []string{"fetch ssl_fc_session_key with a bind with a crt-list"}},
		{"", "ssl_fc_unique_id", nil},
		{"crt-list LIST", "ssl_fc_unique_id", nil},
		{"", "ssl_fc_sni", nil},
	} {
		global := ""
		if c.bind == "GLOBAL" {
			global, c.bind = "    ssl-default-bind-options ssl-max-ver TLSv1.2\n", ""
		}
		cfg := strings.NewReplacer("PKIDIR", pki.Dir, "BIND", strings.ReplaceAll(c.bind, "LIST", pki.Dir+"/list.txt"), "USE", c.use).Replace(`global
    crt-base PKIDIR
` + global + httpDefaults2s + `frontend fe
    bind 127.0.0.1:8443 ssl crt srv.pem BIND
    http-request return status 200 content-type text/plain lf-string "%[USE]"
`)
		if strings.Contains(c.bind, "crt-list") {
			if err := os.WriteFile(pki.Dir+"/list.txt", []byte(pki.Dir+"/srv.pem\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		got := strings.Join(notices(buildText(t, cfg)), "\n")
		for _, w := range c.want {
			if !strings.Contains(got, w) || !strings.Contains(got, "goha gives it in TLS 1.2 only") {
				t.Errorf("%q %q: notices %q lack %q", c.bind, c.use, got, w)
			}
		}
		if c.want == nil && strings.Contains(got, "TLS 1.2 only") {
			t.Errorf("%q %q: refused: %s", c.bind, c.use, got)
		}
	}
}
