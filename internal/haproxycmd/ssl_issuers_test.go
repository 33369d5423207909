package haproxycmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestShowSSLCertIssuersChainMatchHAProxy: with issuers-chain-path and
// ssl-skip-self-issued-ca, `show ssl cert` of a certificate loaded
// without its chain names the issuers file ("Chain Filename") and lists
// its chain, root included, and that of one with its own chain lists the
// file's; a `set ssl cert` + `commit` of a bare certificate is completed
// the same way, beside HAProxy 2.6: the answers and the chain sent.
func TestShowSSLCertIssuersChainMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	now := time.Now()
	mk := func(serial int64, cn string, ca bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), IsCA: ca, BasicConstraintsValid: ca}
		if ca {
			tmpl.KeyUsage = x509.KeyUsageCertSign
		} else {
			tmpl.DNSNames = []string{cn}
		}
		if parent == nil {
			parent, parentKey = tmpl, k
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &k.PublicKey, parentKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, k, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	keyPEM := func(k *ecdsa.PrivateKey) []byte {
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	root, rootKey, rootPEM := mk(1, "root", true, nil, nil)
	inter, interKey, interPEM := mk(2, "inter", true, root, rootKey)
	_, k1, leaf1 := mk(3, "a.test", false, inter, interKey)
	_, k2, leaf2 := mk(4, "b.test", false, inter, interKey)
	os.MkdirAll(filepath.Join(dir, "issuers"), 0o755)
	os.WriteFile(filepath.Join(dir, "issuers", "chain.pem"), append(append([]byte{}, interPEM...), rootPEM...), 0o600)
	bare, full := filepath.Join(dir, "bare.pem"), filepath.Join(dir, "full.pem")
	os.WriteFile(bare, append(append([]byte{}, leaf1...), keyPEM(k1)...), 0o600)
	os.WriteFile(full, append(append(append(append([]byte{}, leaf1...), interPEM...), rootPEM...), keyPEM(k1)...), 0o600)
	start := func(bin string) (string, string) {
		d, b1 := t.TempDir(), loopback.FreeAddr(t)
		path := filepath.Join(d, "f.cfg")
		cfg := strings.Replace(fmt.Sprintf(adminHead, d), "global\n", "global\n    issuers-chain-path "+dir+"/issuers\n    ssl-skip-self-issued-ca\n", 1)
		os.WriteFile(path, []byte(cfg+fmt.Sprintf("frontend fe\n    bind %s ssl crt %s crt %s\n    http-request return status 200\n", b1, bare, full)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, b1)
		return b1, filepath.Join(d, "s.sock")
	}
	haBind, haSock := start("haproxy")
	goBind, goSock := start(gohaproxy)
	sent := func(addr string) string {
		c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: "b.test"})
		if err != nil {
			return err.Error()
		}
		defer c.Close()
		var cns []string
		for _, x := range c.ConnectionState().PeerCertificates {
			cns = append(cns, x.Subject.CommonName)
		}
		return strings.Join(cns, " / ")
	}
	cmds := []string{"show ssl cert " + bare, "show ssl cert " + full,
		"set ssl cert " + bare + " <<\n" + string(leaf2) + string(keyPEM(k2)), "show ssl cert *" + bare,
		"commit ssl cert " + bare, "show ssl cert " + bare}
	for i, c := range cmds {
		ha, goha := haproxytest.StatsCmd(t, haSock, c), haproxytest.StatsCmd(t, goSock, c)
		if ha != goha {
			t.Errorf("%d %.60s\nhaproxy %q\n   goha %q", i, c, ha, goha)
		}
		if (i == 0 || i == 5) && !strings.Contains(ha, "Chain Filename: "+dir+"/issuers/chain.pem\n") {
			t.Errorf("%d: haproxy names no issuers file: %q", i, ha)
		}
	}
	if h, g := sent(haBind), sent(goBind); h != g || h != "b.test / inter" {
		t.Errorf("chain sent after commit: haproxy %s, goha %s", h, g)
	}
}
