package haproxycmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// testCert is a certificate made for a test, written as PEM.
type testCert struct {
	cert *x509.Certificate
	der  []byte
	key  any
}

func (c testCert) certPEM() string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der}))
}

func (c testCert) keyPEM(t *testing.T) string {
	b, err := x509.MarshalPKCS8PrivateKey(c.key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b}))
}

// makeCert signs a certificate for subject with the given DNS and IP
// names (parent nil: self-signed); rsaKey picks RSA 2048 over P-256.
func makeCert(t *testing.T, subject pkix.Name, dns []string, ips []net.IP, parent *testCert, rsaKey bool, serial int64) testCert {
	t.Helper()
	var key any
	var pub any
	if rsaKey {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		key, pub = k, &k.PublicKey
	} else {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key, pub = k, &k.PublicKey
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: subject, DNSNames: dns, IPAddresses: ips,
		NotBefore: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), NotAfter: time.Date(2036, 1, 2, 3, 4, 5, 0, time.UTC),
		BasicConstraintsValid: true, IsCA: parent == nil, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	signer, signKey := tpl, key
	if parent != nil {
		signer, signKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tpl, signer, pub, signKey)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return testCert{cert: c, der: der, key: key}
}

// sslCertFiles writes the certificates of the ssl cert tests into dir.
func sslCertFiles(t *testing.T, dir string) {
	t.Helper()
	name := func(cn string) pkix.Name { return pkix.Name{CommonName: cn} }
	a := makeCert(t, name("a.example.com"), []string{"a.example.com", "www.a.example.com"}, nil, nil, false, 0x1001)
	b := makeCert(t, name("b.example.com"), []string{"b.example.com", "www.b.example.com"}, nil, nil, false, 0x1002)
	c := makeCert(t, name("c.example.com"), []string{"c.example.com", "www.c.example.com"}, nil, nil, false, 0x1003)
	ca := makeCert(t, pkix.Name{Country: []string{"FR"}, Organization: []string{"Test CA"}, CommonName: "ca"}, nil, nil, nil, true, 0x2000)
	d := makeCert(t, pkix.Name{Country: []string{"FR"}, Organization: []string{"Org"}, CommonName: "d.example.com"},
		[]string{"d.example.com"}, []net.IP{net.IPv4(127, 0, 0, 1)}, &ca, true, 0xC0FFEE)
	files := map[string]string{
		"a.pem":     a.certPEM() + a.keyPEM(t),
		"b.pem":     b.certPEM() + b.keyPEM(t),
		"c.pem":     c.certPEM() + c.keyPEM(t),
		"conly.pem": c.certPEM(),
		"d.pem":     d.certPEM() + ca.certPEM() + d.keyPEM(t),
		"ca.pem":    ca.certPEM() + ca.keyPEM(t),
		"bad.pem":   "garbage\n",
		"list.txt":  dir + "/b.pem [alpn http/1.1] b.example.com\n",
	}
	for n, v := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// sslPair runs HAProxy and gohaproxy with two TLS binds each over the
// same certificate files: bind 1 serves a.pem and the crt-list, bind 2
// a.pem alone.
type sslPair struct {
	certs            string
	haSock, goSock   string
	haBinds, goBinds [2]string
}

func startSSLPair(t *testing.T) *sslPair {
	return startSSLPairWith(t, "crt %[4]s/a.pem crt-list %[4]s/list.txt", "crt %[4]s/a.pem", nil)
}

// startSSLPairWith runs the pair with the crt options of the two binds
// (%[4]s is the certificate directory); prep runs on that directory
// first.
func startSSLPairWith(t *testing.T, bind1, bind2 string, prep func(dir string)) *sslPair {
	testenv.LookPath(t, "haproxy")
	p := &sslPair{certs: t.TempDir()}
	sslCertFiles(t, p.certs)
	if prep != nil {
		prep(p.certs)
	}
	start := func(bin string) (string, [2]string) {
		dir := t.TempDir()
		binds := [2]string{loopback.FreeAddr(t), loopback.FreeAddr(t)}
		path := filepath.Join(dir, "s.cfg")
		os.WriteFile(path, []byte(fmt.Sprintf(`global
    stats socket %[1]s/s.sock level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    bind %[2]s ssl `+bind1+`
    bind %[3]s ssl `+bind2+`
    http-request return status 200 content-type text/plain string ok
`, dir, binds[0], binds[1], p.certs)), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, binds[0])
		loopback.WaitListen(t, binds[1])
		return filepath.Join(dir, "s.sock"), binds
	}
	p.haSock, p.haBinds = start("haproxy")
	p.goSock, p.goBinds = start(gohaproxy)
	return p
}

// cmd expands "<<file" at the end of a command into the file's payload.
func (p *sslPair) cmd(t *testing.T, line string) string {
	line = strings.ReplaceAll(line, "$D", p.certs)
	i := strings.LastIndex(line, "<<")
	if i < 0 || i+2 == len(line) {
		return line
	}
	data, err := os.ReadFile(filepath.Join(p.certs, line[i+2:]))
	if err != nil {
		t.Fatal(err)
	}
	return line[:i+2] + "\n" + strings.TrimRight(string(data), "\n") + "\n"
}

// same runs the commands on both daemons and compares the answers.
func (p *sslPair) same(t *testing.T, lines ...string) {
	t.Helper()
	for _, l := range lines {
		c := p.cmd(t, l)
		ha, goha := haproxytest.StatsCmd(t, p.haSock, c), haproxytest.StatsCmd(t, p.goSock, c)
		// Bind lines are named by their configuration file.
		ha = strings.ReplaceAll(ha, filepath.Dir(p.haSock)+"/s.cfg", "CFG")
		goha = strings.ReplaceAll(goha, filepath.Dir(p.goSock)+"/s.cfg", "CFG")
		if ha != goha {
			t.Errorf("%s\nhaproxy %q\n   goha %q", l, ha, goha)
		}
	}
}

// served is the subject CN each bind presents for each server name.
func served(t *testing.T, binds [2]string, names []string) string {
	t.Helper()
	var b strings.Builder
	for i, addr := range binds {
		for _, n := range names {
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addr,
				&tls.Config{ServerName: n, InsecureSkipVerify: true})
			if err != nil {
				fmt.Fprintf(&b, "bind%d %s: %v\n", i+1, n, err)
				continue
			}
			fmt.Fprintf(&b, "bind%d %s: %s\n", i+1, n, c.ConnectionState().PeerCertificates[0].Subject.CommonName)
			c.Close()
		}
	}
	return b.String()
}

// The certificate hot-update commands answer as HAProxy 2.6 does, byte
// for byte, through a whole lifecycle (transactions, commits, new and
// deleted certificates, crt-list lines added and removed), and after
// each commit both daemons serve the same certificate to the next
// handshake, without reload.
func TestSSLCertCommandsMatchHAProxy(t *testing.T) {
	p := startSSLPair(t)
	names := []string{"a.example.com", "b.example.com", "c.example.com", "d.example.com", "x.example.com", "other.test"}
	check := func(when string, want map[string]string) {
		t.Helper()
		ha, goha := served(t, p.haBinds, names), served(t, p.goBinds, names)
		if ha != goha {
			t.Errorf("%s: served certificates differ\nhaproxy:\n%s\ngoha:\n%s", when, ha, goha)
		}
		for k, v := range want {
			if !strings.Contains(goha, k+": "+v+"\n") {
				t.Errorf("%s: goha does not serve %s for %s:\n%s", when, v, k, goha)
			}
		}
	}
	check("start", map[string]string{"bind1 a.example.com": "a.example.com", "bind1 b.example.com": "b.example.com"})
	p.same(t, "show ssl cert", "show ssl cert $D/a.pem", "show ssl crt-list", "show ssl crt-list $D/list.txt",
		"show ssl crt-list -n $D/list.txt", "show ssl crt-list -n", "show ssl crt-list $D/nolist.txt",
		"set ssl cert", "set ssl cert $D/nosuch.pem <<c.pem", "set ssl cert $D/a.pem <<bad.pem",
		"set ssl cert $D/a.pem <<c.pem", "show ssl cert", "show ssl cert *$D/a.pem", "show ssl cert $D/a.pem",
		"commit ssl cert $D/b.pem", "abort ssl cert $D/b.pem", "del ssl cert $D/a.pem")
	check("before commit", map[string]string{"bind2 a.example.com": "a.example.com"})
	p.same(t, "commit ssl cert $D/a.pem", "commit ssl cert $D/a.pem", "show ssl cert $D/a.pem")
	check("after commit", map[string]string{"bind1 c.example.com": "c.example.com", "bind2 a.example.com": "c.example.com",
		"bind1 b.example.com": "b.example.com"})
	p.same(t, "set ssl cert $D/a.pem <<b.pem", "abort ssl cert $D/a.pem", "abort ssl cert $D/a.pem", "abort ssl cert",
		"commit ssl cert", "new ssl cert", "new ssl cert $D/a.pem", "new ssl cert $D/n.pem", "show ssl cert",
		"show ssl cert $D/n.pem", "add ssl crt-list $D/list.txt $D/n.pem", "set ssl cert $D/n.pem <<conly.pem",
		"commit ssl cert $D/n.pem", "abort ssl cert $D/n.pem", "set ssl cert $D/n.pem <<d.pem", "commit ssl cert $D/n.pem",
		"show ssl cert $D/n.pem", "del ssl cert", "add ssl crt-list", "add ssl crt-list $D/list.txt",
		"add ssl crt-list $D/nolist.txt $D/n.pem", "add ssl crt-list $D/list.txt $D/zz.pem",
		"add ssl crt-list $D/list.txt $D/n.pem", "show ssl crt-list -n $D/list.txt", "show ssl cert $D/n.pem")
	check("after add", map[string]string{"bind1 d.example.com": "d.example.com", "bind2 d.example.com": "c.example.com"})
	p.same(t, "del ssl crt-list $D/list.txt $D/n.pem", "del ssl crt-list $D/list.txt $D/n.pem", "del ssl crt-list",
		"del ssl crt-list $D/nolist.txt $D/n.pem", "del ssl cert $D/n.pem", "del ssl cert $D/n.pem", "show ssl cert")
	check("after del", map[string]string{"bind1 d.example.com": "c.example.com"})
	// A crt-list line with options and filters, given as a payload.
	os.WriteFile(filepath.Join(p.certs, "line.txt"), []byte(p.certs+"/d2.pem [alpn h2,http/1.1 ssl-min-ver TLSv1.2] !x.example.com *.example.com\n"), 0o600)
	p.same(t, "add ssl crt-list $D/list.txt <<line.txt", "new ssl cert $D/d2.pem", "set ssl cert $D/d2.pem <<d.pem",
		"commit ssl cert $D/d2.pem", "add ssl crt-list $D/list.txt <<line.txt", "show ssl crt-list $D/list.txt",
		"show ssl cert $D/d2.pem", "show ssl cert")
	check("after the payload line", map[string]string{"bind1 other.test": "c.example.com", "bind1 d.example.com": "d.example.com",
		"bind1 x.example.com": "c.example.com"})
	// A certificate without its key: kept only with a matching key.
	p.same(t, "set ssl cert $D/b.pem <<conly.pem", "show ssl cert *$D/b.pem", "commit ssl cert $D/b.pem",
		"abort ssl cert $D/b.pem", "show ssl cert $D/b.pem")
	// A certificate without subjectAltName (an RSA CA).
	p.same(t, "new ssl cert $D/ca2.pem", "set ssl cert $D/ca2.pem <<ca.pem", "commit ssl cert $D/ca2.pem",
		"show ssl cert $D/ca2.pem")
}

// A crt directory is a crt-list of its files, as in HAProxy: listed,
// numbered 0, extended with a file of the directory only, and its first
// file, the default certificate of the bind, cannot be deleted.
func TestSSLCrtDirCommandsMatchHAProxy(t *testing.T) {
	p := startSSLPairWith(t, "crt %[4]s/dir/ crt %[4]s/c.pem", "crt %[4]s/dir", func(dir string) {
		os.Mkdir(filepath.Join(dir, "dir"), 0o700)
		for from, to := range map[string]string{"a.pem": "dir/x.pem", "b.pem": "dir/y.pem"} {
			data, _ := os.ReadFile(filepath.Join(dir, from))
			os.WriteFile(filepath.Join(dir, to), data, 0o600)
		}
	})
	names := []string{"a.example.com", "b.example.com", "d.example.com", "other.test"}
	check := func(when string) {
		t.Helper()
		if ha, goha := served(t, p.haBinds, names), served(t, p.goBinds, names); ha != goha {
			t.Errorf("%s: served certificates differ\nhaproxy:\n%s\ngoha:\n%s", when, ha, goha)
		}
	}
	check("start")
	p.same(t, "show ssl crt-list", "show ssl crt-list $D/dir", "show ssl crt-list -n $D/dir/", "show ssl cert",
		"new ssl cert $D/dir/z.pem", "set ssl cert $D/dir/z.pem <<d.pem", "commit ssl cert $D/dir/z.pem",
		"add ssl crt-list $D/dir $D/dir/z.pem", "add ssl crt-list $D/dir $D/a.pem", "show ssl crt-list -n $D/dir",
		"del ssl crt-list $D/dir $D/dir/x.pem", "del ssl crt-list $D/dir $D/dir/y.pem", "show ssl crt-list $D/dir")
	check("after the changes")
}
