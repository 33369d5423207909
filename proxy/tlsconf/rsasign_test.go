package tlsconf

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/tlsconf/internal/osslrsa"
)

func pemRSACert(t *testing.T, cn string) (certPEM, keyPEM []byte) {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})
}

// wantKeyType: an RSA key loaded from a crt file or a `set ssl cert`
// payload signs by OpenSSL when libcrypto loads, by Go otherwise.
func wantRSASigner(t *testing.T, where string, c *tls.Certificate) {
	t.Helper()
	_, err := osslrsa.Version()
	switch c.PrivateKey.(type) {
	case *osslrsa.Key:
		if err != nil {
			t.Errorf("%s: an OpenSSL key without libcrypto (%v)", where, err)
		}
	case *rsa.PrivateKey:
		if err == nil {
			t.Errorf("%s: Go signs although libcrypto loaded", where)
		}
	default:
		t.Errorf("%s: key %T", where, c.PrivateKey)
	}
}

// handshake serves cfg to a Go client limited to version v and returns
// the client's error.
func handshake(cfg *tls.Config, pool *x509.CertPool, name string, v uint16) error {
	cc, sc := net.Pipe()
	defer cc.Close()
	defer sc.Close()
	go func() {
		s := tls.Server(sc, cfg)
		s.SetDeadline(time.Now().Add(5 * time.Second))
		s.Handshake()
	}()
	c := tls.Client(cc, &tls.Config{RootCAs: pool, ServerName: name, MinVersion: v, MaxVersion: v})
	c.SetDeadline(time.Now().Add(5 * time.Second))
	return c.Handshake()
}

// TestRSAKeysSignByOpenSSL: RSA keys from a crt file and from `set ssl
// cert` (with and without a new key) are OpenSSL signers, and a client
// that verifies the chain completes TLS 1.2 and 1.3 handshakes with them.
func TestRSAKeysSignByOpenSSL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.pem")
	certPEM, keyPEM := pemRSACert(t, "r.example.test")
	os.WriteFile(path, append(append([]byte{}, certPEM...), keyPEM...), 0o600)
	r := NewRegistry()
	cfg, _, err := Bind{Crts: []string{path}, Registry: r}.Server()
	if err != nil {
		t.Fatal(err)
	}
	check := func(where string, certPEM []byte) {
		t.Helper()
		c, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "r.example.test"})
		if err != nil {
			t.Fatalf("%s: %v", where, err)
		}
		wantRSASigner(t, where, c)
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(certPEM)
		for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
			if err := handshake(cfg, pool, "r.example.test", v); err != nil {
				t.Errorf("%s: handshake %s: %v", where, tls.VersionName(v), err)
			}
		}
	}
	check("crt file", certPEM)
	// A new certificate and key by the runtime API.
	cert2, key2 := pemRSACert(t, "r.example.test")
	if _, _, err := r.SetCert(path, append(append([]byte{}, cert2...), key2...)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CommitCert(path); err != nil {
		t.Fatal(err)
	}
	check("set ssl cert with a key", cert2)
	// The same certificate without its key keeps the loaded key.
	if _, _, err := r.SetCert(path, cert2); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CommitCert(path); err != nil {
		t.Fatal(err)
	}
	check("set ssl cert without a key", cert2)
	// A certificate whose key is not the loaded one cannot be committed.
	cert3, _ := pemRSACert(t, "r.example.test")
	if _, _, err := r.SetCert(path, cert3); err != nil {
		t.Fatal(err)
	}
	if _, err := r.CommitCert(path); err != ErrNoKey {
		t.Errorf("commit of a certificate without its key: %v", err)
	}
}

// TestProvidersTruthful: `show ssl providers` names libcrypto only when
// it signs.
func TestProvidersTruthful(t *testing.T) {
	p := Providers()
	_, err := osslrsa.Version()
	if !strings.HasPrefix(p[0], "go-crypto (") || (len(p) == 2) != (err == nil) || len(p) > 2 {
		t.Errorf("providers %q (libcrypto: %v)", p, err)
	}
	if s := RSASigner(); (err == nil) != strings.HasPrefix(s, "OpenSSL 3.") {
		t.Errorf("RSASigner %q (libcrypto: %v)", s, err)
	}
}

// TestRSAClientCertSignsByOpenSSL: a server line's `crt` with an RSA key
// is an OpenSSL signer too, and a server that requires and verifies a
// client certificate accepts its CertificateVerify in TLS 1.2 and 1.3.
func TestRSAClientCertSignsByOpenSSL(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "client.pem")
	certPEM, keyPEM := pemRSACert(t, "client.example.test")
	os.WriteFile(path, append(append([]byte{}, certPEM...), keyPEM...), 0o600)
	ccfg, err := Upstream{Verify: "none", Crt: path}.Client()
	if err != nil {
		t.Fatal(err)
	}
	wantRSASigner(t, "server crt", &ccfg.Certificates[0])
	srvCert, srvKey := pemRSACert(t, "srv.example.test")
	sc, err := tls.X509KeyPair(srvCert, srvKey)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		scfg := &tls.Config{Certificates: []tls.Certificate{sc}, ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: pool,
			MinVersion: v, MaxVersion: v, SessionTicketsDisabled: true} // net.Pipe: no ticket nobody reads
		cc, sconn := net.Pipe()
		errc := make(chan error, 1)
		go func() {
			s := tls.Server(sconn, scfg)
			s.SetDeadline(time.Now().Add(5 * time.Second))
			err := s.Handshake()
			if err == nil && len(s.ConnectionState().PeerCertificates) != 1 {
				err = errors.New("no client certificate")
			}
			errc <- err
			sconn.Close()
		}()
		c := tls.Client(cc, ccfg.Clone())
		c.SetDeadline(time.Now().Add(5 * time.Second))
		cerr := c.Handshake()
		if serr := <-errc; cerr != nil || serr != nil {
			t.Errorf("%s: client %v, server %v", tls.VersionName(v), cerr, serr)
		}
		cc.Close()
	}
}

// TestWeakRSAKeyRefused: a bind's certificate (a file, or in a directory)
// or a server's with a 1024-bit RSA key is refused as HAProxy 2.6 on
// Debian's OpenSSL 3 refuses it; a ca-sign-file CA is not checked.
func TestWeakRSAKeyRefused(t *testing.T) {
	dir := t.TempDir()
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "weak.example.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, _ := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	os.Mkdir(filepath.Join(dir, "d"), 0o755)
	path := filepath.Join(dir, "d", "weak.pem")
	os.WriteFile(path, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})...), 0o600)
	want := "unable to load SSL certificate into SSL Context '" + path + "'"
	for _, p := range []string{path, filepath.Join(dir, "d")} {
		if _, err := LoadCrt(p); err == nil || err.Error() != want {
			t.Errorf("LoadCrt(%s): %v", p, err)
		}
	}
	if _, err := (Upstream{Verify: "none", Crt: path}).Client(); err == nil || err.Error() != want {
		t.Errorf("server crt: %v", err)
	}
	if _, err := loadFile(path, nil); err != nil {
		t.Errorf("loadFile (ca-sign-file): %v", err)
	}
}
