package haproxycmd

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestOCSPResponseCommandsMatchHAProxy: `show ssl ocsp-response [id]`
// and `set ssl ocsp-response` on a certificate stapled from its .ocsp
// file, beside haproxy 2.6: the same answers, and after `set` both
// staple the new response on the next handshake.
func TestOCSPResponseCommandsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA", Organization: []string{"goha"}},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(0x1234), Subject: pkix.Name{CommonName: "s"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}, ca, &k.PublicKey, caKey)
	kder, _ := x509.MarshalPKCS8PrivateKey(k)
	crt := filepath.Join(dir, "s.pem")
	os.WriteFile(crt, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...), 0o600)
	os.WriteFile(crt+".issuer", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)
	mk := func(serial int64, status int, next time.Duration) []byte {
		b, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: status, SerialNumber: big.NewInt(serial),
			ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(next), RevokedAt: now.Add(-30 * time.Minute),
			RevocationReason: ocsp.KeyCompromise}, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// a second certificate, without a response: not listed
	der2, _ := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(0x55), Subject: pkix.Name{CommonName: "t"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}, ca, &k.PublicKey, caKey)
	crt2 := filepath.Join(dir, "t.pem")
	os.WriteFile(crt2, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der2}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...), 0o600)
	first, fresh := mk(0x1234, ocsp.Good, time.Hour), mk(0x1234, ocsp.Good, 2*time.Hour)
	// single responses with nonces (critical or not), printed as OpenSSL does
	nonce, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(0x1234),
		ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour), ExtraExtensions: []pkix.Extension{
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Critical: true, Value: []byte{4, 4, 1, 2, 0xab, 4}},
			{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Value: []byte{4, 2, 0xfe, 0}}}}, caKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(crt+".ocsp", first, 0o600)

	start := func(bin string) (string, string) {
		d, bind := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(d, "f.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(adminHead+`frontend fe
    bind %s ssl crt %s crt %s
    http-request return status 200
`, d, bind, crt, crt2)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return bind, filepath.Join(d, "s.sock")
	}
	haBind, haSock := start("haproxy")
	goBind, goSock := start(gohaproxy)
	stapled := func(bind string) []byte {
		c, err := tls.Dial("tcp", bind, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		return c.ConnectionState().OCSPResponse
	}
	list := haproxytest.StatsCmd(t, haSock, "show ssl ocsp-response")
	m := regexp.MustCompile(`Certificate ID key : ([0-9a-f]+)`).FindStringSubmatch(list)
	if m == nil {
		t.Fatalf("haproxy: show ssl ocsp-response %q", list)
	}
	// a response carrying its signer's certificate (OpenSSL prints it)
	withCert, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(0x1234),
		ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour), Certificate: ca}, caKey)
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.StdEncoding.EncodeToString
	cmds := []string{"show ssl ocsp-response", "show ssl ocsp-response " + m[1], "show ssl ocsp-response 00ab", "user; show ssl ocsp-response",
		"set ssl ocsp-response", "set ssl ocsp-response !!!", "set ssl ocsp-response QUJD",
		"set ssl ocsp-response " + b64(mk(0x99, ocsp.Good, time.Hour)), "set ssl ocsp-response " + b64(mk(0x1234, ocsp.Good, -2*time.Hour)),
		"set ssl ocsp-response " + b64(mk(0x1234, ocsp.Unknown, time.Hour)),
		"set ssl ocsp-response " + b64(fresh), "show ssl ocsp-response " + m[1],
		"set ssl ocsp-response <<\n" + b64(first)[:20] + "\n" + b64(first)[20:] + "\n", "show ssl ocsp-response " + m[1],
		"set ssl ocsp-response " + b64(mk(0x1234, ocsp.Revoked, time.Hour)), "show ssl ocsp-response " + m[1],
		"set ssl ocsp-response " + b64(nonce), "show ssl ocsp-response " + m[1],
		"set ssl ocsp-response " + b64(withResponseNonce(t, first, caKey)), "show ssl ocsp-response " + m[1],
		"set ssl ocsp-response " + b64(withCert), "show ssl ocsp-response " + m[1],
		"user; set ssl ocsp-response " + b64(fresh), "show ssl ocsp-response", "show ssl cert " + crt, "show ssl cert " + crt2,
	}
	for i, c := range cmds {
		if ha, goha := haproxytest.StatsCmd(t, haSock, c), haproxytest.StatsCmd(t, goSock, c); ha != goha {
			t.Errorf("%d %.60s\nhaproxy %q\n   goha %q", i, c, ha, goha)
		}
	}
	// The last set gave fresh: the next handshakes staple it.
	if ha, goha := stapled(haBind), stapled(goBind); !bytes.Equal(ha, fresh) || !bytes.Equal(goha, fresh) {
		t.Errorf("stapled after set: haproxy fresh=%v goha fresh=%v", bytes.Equal(ha, fresh), bytes.Equal(goha, fresh))
	}
}

// withResponseNonce re-signs an OCSP response (ecdsa-with-SHA256) with a
// nonce among its responseExtensions, which x/crypto/ocsp cannot write.
func withResponseNonce(t *testing.T, der []byte, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	type responseData struct {
		Version     int `asn1:"optional,default:0,explicit,tag:0"`
		ResponderID asn1.RawValue
		ProducedAt  time.Time `asn1:"generalized"`
		Responses   asn1.RawValue
		Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
	}
	type basic struct {
		TBS       asn1.RawValue
		Algorithm pkix.AlgorithmIdentifier
		Signature asn1.BitString
	}
	type responseBytes struct {
		Type     asn1.ObjectIdentifier
		Response []byte
	}
	type response struct {
		Status asn1.Enumerated
		Bytes  responseBytes `asn1:"explicit,tag:0"`
	}
	var r response
	var b basic
	var d responseData
	if _, err := asn1.Unmarshal(der, &r); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(r.Bytes.Response, &b); err != nil {
		t.Fatal(err)
	}
	if _, err := asn1.Unmarshal(b.TBS.FullBytes, &d); err != nil {
		t.Fatal(err)
	}
	d.Extensions = []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 2}, Value: []byte{4, 3, 9, 8, 7}}}
	tbs, err := asn1.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(tbs)
	sig, err := ecdsa.SignASN1(rand.Reader, key, h[:])
	if err != nil {
		t.Fatal(err)
	}
	b.TBS = asn1.RawValue{FullBytes: tbs}
	b.Signature = asn1.BitString{Bytes: sig, BitLength: 8 * len(sig)}
	if r.Bytes.Response, err = asn1.Marshal(b); err != nil {
		t.Fatal(err)
	}
	out, err := asn1.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	return out
}
