package haproxycfg

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

const uniqueIDConfig = `global
    crt-base PKIDIR
    ca-base PKIDIR
KEYLOG
` + httpDefaults2s + `frontend fe
    bind ADDR ssl crt srv.pem ca-file ca.pem verify optional curves X25519:P-256
    http-request return status 200 content-type text/plain lf-string "ID=<%[ssl_fc_unique_id,hex]>=END S=<%[ssl_fc_client_handshake_traffic_secret]>"
`

// sClientFinished runs openssl s_client (its -msg trace shows the
// handshake messages in clear) with one request, and gives the body's
// ID=<...> value, the verify data of the Finished it sent and of the one
// it received, and whether the session was resumed. args are the
// version and suite options; sess is its session file, written by the
// first call and read by the next.
func sClientFinished(t *testing.T, addr, sess string, resume bool, args ...string) (id, sent, received string, resumed bool, body string) {
	t.Helper()
	a := []string{"s_client", "-connect", addr, "-servername", "a.example.test", "-msg", "-ign_eof"}
	if resume {
		a = append(a, "-sess_in", sess)
	} else {
		a = append(a, "-sess_out", sess)
	}
	cmd := exec.Command("openssl", append(a, args...)...)
	cmd.Stdin = strings.NewReader("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("s_client %v: %v\n%s", args, err, out)
	}
	lines := strings.Split(string(out), "\n")
	hexLine := regexp.MustCompile(`^\s+([0-9a-f]{2}( [0-9a-f]{2})*)\s*$`)
	for i, l := range lines {
		dir := ""
		switch {
		case strings.HasPrefix(l, ">>> ") && strings.HasSuffix(l, ", Finished"):
			dir = "sent"
		case strings.HasPrefix(l, "<<< ") && strings.HasSuffix(l, ", Finished"):
			dir = "received"
		default:
			continue
		}
		var b strings.Builder
		for _, h := range lines[i+1:] {
			m := hexLine.FindStringSubmatch(h)
			if m == nil {
				break
			}
			b.WriteString(strings.ReplaceAll(m[1], " ", ""))
		}
		v := strings.ToUpper(b.String())
		if len(v) < 8 {
			t.Fatalf("Finished cut: %q", v)
		}
		if dir == "sent" {
			sent = v[8:] // after the message's type and length
		} else {
			received = v[8:]
		}
	}
	m := regexp.MustCompile(`ID=<([0-9A-F]*)>=END S=<([0-9a-f]*)>`).FindStringSubmatch(string(out))
	if m == nil || sent == "" || received == "" {
		t.Fatalf("s_client %v: no value or Finished in\n%s", args, out)
	}
	hellos := 0 // a HelloRetryRequest shows as a first ServerHello
	for _, l := range lines {
		if strings.HasPrefix(l, "<<< ") && strings.HasSuffix(l, ", ServerHello") {
			hellos++
		}
	}
	return m[1], sent, received, strings.Contains(string(out), "\nReused, "), m[0] + fmt.Sprintf(" (%d ServerHello)", hellos)
}

// TestTLSUniqueIDDifferential: ssl_fc_unique_id is, through HAProxy 2.6
// and goha alike, the Finished the client sent on a full handshake and
// the one it received on a resumed one, as openssl s_client's trace
// shows them: tls-unique in TLS 1.2, and in TLS 1.3 with each suite,
// with a client certificate or not, after a HelloRetryRequest, with
// tune.ssl.keylog or not (whose secrets stay hidden without it).
func TestTLSUniqueIDDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newFetchPKI(t)
	var alice []byte
	alice = append(alice, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Alice.Certificate[0]})...)
	der, err := x509.MarshalPKCS8PrivateKey(pki.Alice.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	alice = append(alice, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})...)
	if err := os.WriteFile(pki.Dir+"/alice.pem", alice, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, keylog := range []string{"", "    tune.ssl.keylog on"} {
		ha, gh := startTemplated(t, uniqueIDConfig, "ADDR", "PKIDIR", pki.Dir, "KEYLOG\n", keylog+"\n")
		for _, opts := range [][]string{
			{"-tls1_2"},
			{"-tls1_2", "-cert", pki.Dir + "/alice.pem"},
			{"-tls1_3"},
			{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"},
			{"-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256"},
			{"-tls1_3", "-cert", pki.Dir + "/alice.pem"},
			{"-tls1_3", "-groups", "P-521:X25519"}, // a HelloRetryRequest first
		} {
			for _, d := range []struct{ name, addr string }{{"haproxy", ha}, {"goha", gh}} {
				sess := t.TempDir() + "/sess"
				for _, resume := range []bool{false, true} {
					opts := append([]string{"-CAfile", pki.Dir + "/ca.pem"}, opts...)
					id, sent, received, resumed, body := sClientFinished(t, d.addr, sess, resume, opts...)
					name := fmt.Sprintf("%q %v %s resume=%v", keylog, opts[2:], d.name, resume)
					if resumed != resume {
						t.Fatalf("%s: resumed %v", name, resumed)
					}
					want := sent
					if resumed {
						want = received
					}
					t.Logf("%s: %s", name, body)
					if hrr := strings.Contains(body, "(2 ServerHello)"); hrr != (len(opts) > 3 && opts[3] == "-groups") {
						t.Errorf("%s: HelloRetryRequest %v", name, hrr)
					}
					if id != want {
						t.Errorf("%s: ssl_fc_unique_id %s, want %s (sent %s, received %s)", name, id, want, sent, received)
					}
					hidden := !strings.Contains(body, "S=<>")
					if hidden != (keylog != "" && opts[2] == "-tls1_3") {
						t.Errorf("%s: the handshake secret given without tune.ssl.keylog on: %s", name, body)
					}
				}
			}
		}
	}
}
