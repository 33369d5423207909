package haproxycfg

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

const noCANamesConfig = pkiHead + `frontend fe
    bind B1 ssl crt a.pem ca-file ca.pem verify optional
    bind B2 ssl crt a.pem ca-file ca.pem verify optional no-ca-names
    bind B3 ssl crt a.pem ca-file ca.pem verify required no-ca-names
    bind B4 ssl crt a.pem ca-file ca.pem verify optional no-ca-names crt-ignore-err all
    http-request return status 200 content-type text/plain lf-string "verify=%[ssl_c_verify] used=%[ssl_c_used]"
`

// TestNoCANamesDifferential: no-ca-names beside HAProxy 2.6. For each bind
// and client (a certificate the ca-file signed, one it did not, none),
// the number of CA names in the server's certificate request and what the
// client gets (the answer, or the handshake's failure) are the same: the
// names are gone, the ca-file still decides.
func TestNoCANamesDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newIgnoreErrPKI(t)
	sameClientCAs(t, noCANamesConfig, pki, "good", "unknown issuer", "")
}

// sameClientCAs starts both sides on cfg (its binds at B1 to B4, its
// files under PKIDIR) and compares clientCAsAndAnswer for each bind and
// client.
func sameClientCAs(t *testing.T, cfg string, pki ignoreErrPKI, clients ...string) {
	t.Helper()
	var addrs [2][]string
	var cfgs [2]string
	for i := range cfgs {
		cfgs[i] = strings.ReplaceAll(cfg, "PKIDIR", pki.dir)
		for b := 1; b <= 4; b++ {
			a := loopback.FreeAddr(t)
			addrs[i] = append(addrs[i], a)
			cfgs[i] = strings.Replace(cfgs[i], fmt.Sprintf("B%d ", b), a+" ", 1)
		}
	}
	requireRuns(t, cfgs[1])
	difftest.StartHAProxy(t, cfgs[0], addrs[0][0])
	runPlan(t, cfgs[1])
	for b := 0; b < 4; b++ {
		for _, client := range clients {
			var got [2]string
			for i := range got {
				got[i] = clientCAsAndAnswer(t, addrs[i][b], pki, client)
			}
			if got[0] != got[1] {
				t.Errorf("bind %d, client %q: haproxy %q, goha %q", b+1, client, got[0], got[1])
			}
			t.Logf("bind %d, client %q: %s", b+1, client, got[0])
		}
	}
}

// clientCAsAndAnswer connects with chain (none for "") and returns the
// count of CA names asked for and the answer's first line and body.
func clientCAsAndAnswer(t *testing.T, addr string, pki ignoreErrPKI, chain string) string {
	names := -1
	cfg := &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
		GetClientCertificate: func(r *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			names = len(r.AcceptableCAs)
			if chain == "" {
				return &tls.Certificate{}, nil
			}
			c := pki.chains[chain]
			return &c, nil
		}}
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addr, cfg)
	if err != nil {
		return fmt.Sprintf("names=%d handshake failed", names)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
	b, err := io.ReadAll(c)
	if len(b) == 0 {
		return fmt.Sprintf("names=%d no answer (%v)", names, err)
	}
	s := string(b)
	status, _, _ := strings.Cut(s, "\r\n")
	_, body, _ := strings.Cut(s, "\r\n\r\n")
	return fmt.Sprintf("names=%d %s %s", names, status, body)
}

const caVerifyFileConfig = pkiHead + `frontend fe
    bind B1 ssl crt a.pem ca-file ca.pem ca-verify-file other.pem verify optional
    bind B2 ssl crt a.pem ca-verify-file other.pem verify optional
    bind B3 ssl crt a.pem ca-file ca.pem ca-verify-file other.pem verify required no-ca-names
    bind B4 ssl crt a.pem ca-verify-file ca.pem verify required
    http-request return status 200 content-type text/plain lf-string "verify=%[ssl_c_verify] used=%[ssl_c_used]"
`

// TestCAVerifyFileDifferential: ca-verify-file beside HAProxy 2.6: its CAs
// verify client certificates with ca-file's (a certificate of the other
// root passes) but are not named in the certificate request.
func TestCAVerifyFileDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newIgnoreErrPKI(t)
	other := pki.chains["unknown issuer, root sent"].Certificate[1]
	writePEMCert(t, pki.dir+"/other.pem", other)
	sameClientCAs(t, caVerifyFileConfig, pki, "good", "unknown issuer", "self-signed", "")
}

func writePEMCert(t *testing.T, path string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}
