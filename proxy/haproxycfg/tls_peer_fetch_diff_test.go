package haproxycfg

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// peerFetchConfig puts the ssl_f_* fetches (the bind's certificate, one
// of two by SNI) in a returned body and in response headers, and the
// ssl_s_*/ssl_bc_* fetches of the TLS connection to the server in
// response headers; ssl_s_der in an http-request rule has no server
// connection yet.
const peerFetchConfig = crtBaseHead + `frontend fe
    bind FE ssl crt srv.pem crt alice.pem
    http-request return status 200 content-type text/plain lf-string "s_dn=%[ssl_f_s_dn] cn=%[ssl_f_s_dn(CN)] i_dn=%[ssl_f_i_dn] i_rfc=%[ssl_f_i_dn(,0,rfc2253)] sha1=%[ssl_f_sha1,hex] serial=%[ssl_f_serial,hex] version=%[ssl_f_version] nb=%[ssl_f_notbefore] na=%[ssl_f_notafter] key=%[ssl_f_key_alg] sig=%[ssl_f_sig_alg] der=%[ssl_f_der,sha2,hex] early_s=%[ssl_s_der,length]\n" if { path /front }
    http-response set-header X-F-S-DN %[ssl_f_s_dn]
    http-response set-header X-F-Serial %[ssl_f_serial,hex]
    http-response set-header X-S-S-DN %[ssl_s_s_dn]
    http-response set-header X-S-CN %[ssl_s_s_dn(CN)]
    http-response set-header X-S-I-DN %[ssl_s_i_dn]
    http-response set-header X-S-I-O %[ssl_s_i_dn(O)]
    http-response set-header X-S-SHA1 %[ssl_s_sha1,hex]
    http-response set-header X-S-Serial %[ssl_s_serial,hex]
    http-response set-header X-S-Version %[ssl_s_version]
    http-response set-header X-S-NotBefore %[ssl_s_notbefore]
    http-response set-header X-S-NotAfter %[ssl_s_notafter]
    http-response set-header X-S-Key-Alg %[ssl_s_key_alg]
    http-response set-header X-S-Sig-Alg %[ssl_s_sig_alg]
    http-response set-header X-S-Der %[ssl_s_der,sha2,hex]
    http-response set-header X-S-Chain %[ssl_s_chain_der,sha2,hex]
    http-response set-header X-BC %[ssl_bc]
    http-response set-header X-BC-ALPN %[ssl_bc_alpn]
    http-response set-header X-BC-Cipher %[ssl_bc_cipher]
    http-response set-header X-BC-Proto %[ssl_bc_protocol]
    http-response set-header X-BC-Use-Keysize %[ssl_bc_use_keysize]
    http-response set-header X-BC-Alg-Keysize %[ssl_bc_alg_keysize]
    http-response set-header X-BC-Resumed %[ssl_bc_is_resumed]
    use_backend clear if { path /clear }
    use_backend h2 if { path /h2 }
    default_backend be
backend be
    server s1 WEB ssl verify none alpn http/1.1
backend clear
    server s1 CLEAR
backend h2
    server s1 WEB ssl verify none alpn h2
`

// TestTLSPeerFetchesDifferential: ssl_f_*, ssl_s_* and ssl_bc_* through
// HAProxy 2.6 and goha on the same certificates: the body an
// http-request return builds from the bind's certificate for two SNI
// names, and the response headers set from the bind's and the server's
// certificates and the server connection (TLS 1.2 with a fixed cipher,
// HTTP/1.1 and HTTP/2, and a server in clear text), byte for byte.
func TestTLSPeerFetchesDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	// alice.pem, a second bind certificate, selected by its CN.
	var ab []byte
	ab = append(ab, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: pki.Alice.Certificate[0]})...)
	kder, err := x509.MarshalPKCS8PrivateKey(pki.Alice.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	ab = append(ab, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...)
	if err := os.WriteFile(filepath.Join(pki.Dir, "alice.pem"), ab, 0o600); err != nil {
		t.Fatal(err)
	}
	web := startChainTLSWeb(t, pki.Dir)
	clear := loopback.StartWeb(t, "clear").Addr
	haFE, goFE := startTemplated(t, peerFetchConfig, "FE", "PKIDIR", pki.Dir, "WEB", web, "CLEAR", clear)
	get := func(addr, sni, path string) string {
		tc := &tls.Config{InsecureSkipVerify: true, ServerName: sni, NextProtos: []string{"http/1.1"}}
		resp, b, err := httpsGetOnce("https://"+addr+path, tc, 5*time.Second)
		if err != nil {
			return "error " + err.Error()
		}
		var hs []string
		for k, v := range resp.Header {
			if strings.HasPrefix(k, "X-") {
				hs = append(hs, k+": "+strings.Join(v, "|"))
			}
		}
		sort.Strings(hs)
		return fmt.Sprintf("%d\n%s\n%s", resp.StatusCode, strings.Join(hs, "\n"), b)
	}
	for _, c := range []struct{ sni, path string }{
		{"a.example.test", "/front"}, {"alice", "/front"},
		{"a.example.test", "/back"}, {"alice", "/back"}, {"a.example.test", "/clear"}, {"alice", "/h2"},
	} {
		want, got := get(haFE, c.sni, c.path), get(goFE, c.sni, c.path)
		t.Logf("%s %s: haproxy\n%s", c.sni, c.path, want)
		if want != got {
			t.Errorf("%s %s:\nhaproxy %q\ngoha    %q", c.sni, c.path, want, got)
		}
	}
}

// startChainTLSWeb is an HTTPS server presenting srv.pem with the CA
// after it, speaking TLS 1.2 with one cipher so that both proxies agree
// on it.
func startChainTLSWeb(t *testing.T, dir string) string {
	t.Helper()
	cert := pemCert(t, filepath.Join(dir, "srv.pem"))
	caPEM, err := os.ReadFile(filepath.Join(dir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(caPEM)
	cert.Certificate = append(cert.Certificate, blk.Bytes)
	ln := loopback.Listen(t)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "from the server\n") }),
		TLSConfig: &tls.Config{Certificates: []tls.Certificate{cert}, MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}, SessionTicketsDisabled: true},
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}
