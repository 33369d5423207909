package haproxycfg

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
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

const tlsGlobalsReply = "    http-request return status 200 content-type text/plain string ok\n"

// TestSSLLifetimeDifferential: with tune.ssl.lifetime 3 and
// tune.ssl.cachesize 0, a session offered at once resumes (ticket, TLS
// 1.2 and 1.3), one offered 6 s after it was made does not, and a TLS 1.2
// client without tickets (session ID only) never resumes, beside HAProxy
// 2.6. OpenSSL counts session ages in whole seconds: the margins hold
// whatever the rounding and a loaded machine's delays.
func TestSSLLifetimeDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	cfg := "global\n    crt-base PKIDIR\n    tune.ssl.lifetime 3\n    tune.ssl.cachesize 0\n" + httpDefaults2s +
		"frontend fe\n    bind ADDR ssl crt a.pem\n" + tlsGlobalsReply
	ha, goha := startTemplated(t, cfg, "ADDR", "PKIDIR", pki.Dir)
	dir := t.TempDir()
	daemons := []struct{ name, addr string }{{"haproxy", ha}, {"goha", goha}}
	versions := []string{"-tls1_2", "-tls1_3"}
	sess := func(d, v, when string) string { return filepath.Join(dir, d+strings.TrimPrefix(v, "-")+when) }
	first := func(d, addr, v, when string) {
		if r := sClientSession(addr, v, "-sess_out", sess(d, v, when)); r != "New" {
			t.Fatalf("%s %s: first handshake %s", d, v, r)
		}
	}
	// the sessions offered late, made first
	for _, v := range versions {
		for _, d := range daemons {
			first(d.name, d.addr, v, "late")
		}
	}
	made := time.Now()
	got := map[string]string{}
	for _, v := range versions {
		for _, d := range daemons {
			first(d.name, d.addr, v, "now")
			got[v+" now "+d.name] = sClientSession(d.addr, v, "-sess_in", sess(d.name, v, "now"))
		}
	}
	time.Sleep(time.Until(made.Add(6 * time.Second)))
	for _, v := range versions {
		for _, d := range daemons {
			got[v+" late "+d.name] = sClientSession(d.addr, v, "-sess_in", sess(d.name, v, "late"))
		}
	}
	for _, v := range versions {
		for _, when := range []string{"now", "late"} {
			h, g := got[v+" "+when+" haproxy"], got[v+" "+when+" goha"]
			t.Logf("%s %s: haproxy %s, goha %s", v, when, h, g)
			if h != g {
				t.Errorf("%s %s: haproxy %s, goha %s", v, when, h, g)
			}
		}
	}
	// Session IDs only (TLS 1.2 without tickets): no cache, no resumption.
	noTicket := map[string]string{}
	for _, d := range daemons {
		p := filepath.Join(dir, d.name+"_noticket")
		if r := sClientSession(d.addr, "-tls1_2", "-no_ticket", "-sess_out", p); r != "New" {
			t.Fatalf("%s no ticket: first handshake %s", d.name, r)
		}
		noTicket[d.name] = sClientSession(d.addr, "-tls1_2", "-no_ticket", "-sess_in", p)
	}
	// (s_client keeps no session it cannot resume: "failed" to read it)
	t.Logf("no ticket: haproxy %s", noTicket["haproxy"])
	if noTicket["haproxy"] != noTicket["goha"] || noTicket["goha"] == "Reused" {
		t.Errorf("session ID only, tune.ssl.cachesize 0: haproxy %s, goha %s", noTicket["haproxy"], noTicket["goha"])
	}
}

// chainPKI is a root CA, an intermediate CA it issued and a leaf
// (a.example.test) the intermediate issued, with subject and authority
// key identifiers, written under Dir: issuers/chain.pem (intermediate then
// root), bare.pem (leaf and key), own.pem (leaf, intermediate, key),
// full.pem (leaf, intermediate, root, key).
type chainPKI struct{ Dir string }

func newChainPKI(t *testing.T) chainPKI {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	mk := func(serial int64, cn string, ca bool, parent *x509.Certificate, parentKey *ecdsa.PrivateKey) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour)}
		if ca {
			tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
		} else {
			tmpl.DNSNames = []string{cn}
			tmpl.KeyUsage = x509.KeyUsageDigitalSignature
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
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
	root, rootKey, rootPEM := mk(1, "goha root", true, nil, nil)
	inter, interKey, interPEM := mk(2, "goha intermediate", true, root, rootKey)
	_, leafKey, leafPEM := mk(3, "a.example.test", false, inter, interKey)
	kder, _ := x509.MarshalPKCS8PrivateKey(leafKey)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	write := func(name string, parts ...[]byte) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		var b []byte
		for _, x := range parts {
			b = append(b, x...)
		}
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("issuers/chain.pem", interPEM, rootPEM)
	write("bare.pem", leafPEM, keyPEM)
	write("own.pem", leafPEM, interPEM, keyPEM)
	write("full.pem", leafPEM, interPEM, rootPEM, keyPEM)
	return chainPKI{Dir: dir}
}

// servedChain is the subjects (CNs) of the certificates a TLS server at
// addr sends, in order.
func servedChain(addr string) string {
	d := &net.Dialer{Timeout: 3 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: "a.example.test"})
	if err != nil {
		return "refused: " + err.Error()
	}
	defer c.Close()
	var cns []string
	for _, x := range c.ConnectionState().PeerCertificates {
		cns = append(cns, x.Subject.CommonName)
	}
	return strings.Join(cns, " / ")
}

// TestIssuersChainDifferential: issuers-chain-path completes the chain
// of a certificate loaded without one (not of one with its own), and
// ssl-skip-self-issued-ca leaves the root out of every chain sent, its
// own or completed, beside HAProxy 2.6: the certificates each bind sends.
func TestIssuersChainDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newChainPKI(t)
	binds := []string{"BARE", "OWN", "FULL"}
	for _, globals := range []string{
		"    issuers-chain-path PKIDIR/issuers\n",
		"    issuers-chain-path PKIDIR/issuers/\n    ssl-skip-self-issued-ca\n",
		"    ssl-skip-self-issued-ca\n",
		"",
	} {
		cfg := "global\n    crt-base PKIDIR\n" + globals + httpDefaults2s + "frontend fe\n" +
			"    bind BARE ssl crt bare.pem\n    bind OWN ssl crt own.pem\n    bind FULL ssl crt full.pem\n" + tlsGlobalsReply
		ha, goha := startTemplatedAddrs(t, cfg, binds, "PKIDIR", pki.Dir)
		for i, b := range binds {
			h, g := servedChain(ha[i]), servedChain(goha[i])
			t.Logf("%q %s: haproxy %s", globals, b, h)
			if h != g {
				t.Errorf("%q %s: haproxy sends %s, goha %s", globals, b, h, g)
			}
		}
	}
}

// extraPKI writes, under a new directory, certificates of one CA with
// their companion files: k.pem (certificate) + k.pem.key; d.crt + d.key;
// o.pem (certificate and key) + o.pem.ocsp (a good response) +
// o.pem.issuer (the CA); s.pem (certificate and key) + s.pem.sctl (two
// timestamps, opaque to the servers).
func extraPKI(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "extra CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour), IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	write := func(name string, b []byte) {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	issue := func(serial int64, cn string) (certPEM, keyPEM []byte) {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(serial),
			Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		kder, _ := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})
	}
	c, k := issue(2, "k.example.test")
	write("k.pem", c)
	write("k.pem.key", k)
	c, k = issue(3, "d.example.test")
	write("d.crt", c)
	write("d.key", k)
	c, k = issue(4, "o.example.test")
	write("o.pem", append(c, k...))
	write("o.pem.issuer", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}))
	resp, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(4),
		ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour)}, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write("o.pem.ocsp", resp)
	c, k = issue(5, "s.example.test")
	write("s.pem", append(c, k...))
	sct1, sct2 := []byte("\x00first timestamp"), []byte("\x00second")
	list := []byte{0, byte(len(sct1))}
	list = append(append(list, sct1...), 0, byte(len(sct2)))
	list = append(list, sct2...)
	write("s.pem.sctl", append([]byte{0, byte(len(list))}, list...))
	return dir
}

// servedExtras is what a TLS server at addr sends of a certificate: its
// CN, whether it staples an OCSP response, the timestamps it sends.
func servedExtras(addr string, version uint16) string {
	d := &net.Dialer{Timeout: 3 * time.Second}
	c, err := tls.DialWithDialer(d, "tcp", addr, &tls.Config{InsecureSkipVerify: true, MaxVersion: version})
	if err != nil {
		return "refused"
	}
	defer c.Close()
	st := c.ConnectionState()
	return fmt.Sprintf("%s ocsp=%d scts=%q", st.PeerCertificates[0].Subject.CommonName, len(st.OCSPResponse), st.SignedCertificateTimestamps)
}

// TestLoadExtraFilesDifferential: ssl-load-extra-files decides which of
// a crt's .key, .ocsp, .issuer and .sctl companions are read, and
// ssl-load-extra-del-ext names them without the crt's ".crt", beside
// HAProxy 2.6: the certificate each bind serves, its stapled OCSP
// response and its signed certificate timestamps; a configuration whose
// key cannot be found so is refused by both (-c exit code).
func TestLoadExtraFilesDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	dir := extraPKI(t)
	cases := []struct {
		globals string
		crts    []string
	}{
		{"", []string{"k.pem", "o.pem", "s.pem"}},
		{"    ssl-load-extra-files all\n", []string{"k.pem", "o.pem", "s.pem"}},
		{"    ssl-load-extra-files none\n", []string{"o.pem", "s.pem"}},
		{"    ssl-load-extra-files key sctl\n", []string{"k.pem", "o.pem", "s.pem"}},
		{"    ssl-load-extra-files ocsp issuer\n", []string{"o.pem", "s.pem"}},
		{"    ssl-load-extra-del-ext\n", []string{"d.crt", "k.pem", "o.pem", "s.pem"}},
	}
	for _, c := range cases {
		var keys []string
		cfg := "global\n    crt-base PKIDIR\n" + c.globals + httpDefaults2s + "frontend fe\n"
		for i, crt := range c.crts {
			k := fmt.Sprintf("ADDR%d_", i)
			keys = append(keys, k)
			cfg += fmt.Sprintf("    bind %s ssl crt %s\n", k, crt)
		}
		cfg += tlsGlobalsReply
		ha, goha := startTemplatedAddrs(t, cfg, keys, "PKIDIR", dir)
		for i, crt := range c.crts {
			for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
				h, g := servedExtras(ha[i], v), servedExtras(goha[i], v)
				t.Logf("%q %s %x: haproxy %s", c.globals, crt, v, h)
				if h != g {
					t.Errorf("%q %s %x: haproxy serves %s, goha %s", c.globals, crt, v, h, g)
				}
			}
		}
	}
	// Keys not found where the settings look: both refuse to start.
	for _, c := range []struct{ globals, crt string }{
		{"    ssl-load-extra-files none\n", "k.pem"},
		{"    ssl-load-extra-files ocsp sctl\n", "k.pem"},
		{"", "d.crt"},
		{"    ssl-load-extra-del-ext\n", "k.pem"},
		// an OCSP response whose issuer is not loaded
		{"    ssl-load-extra-files ocsp\n", "o.pem"},
	} {
		cfg := strings.ReplaceAll("global\n    crt-base PKIDIR\n"+c.globals+httpDefaults2s+"frontend fe\n    bind 127.0.0.1:0 ssl crt "+c.crt+"\n"+tlsGlobalsReply, "PKIDIR", dir)
		h, g := haproxyCheckExit(t, cfg), gohaCheckExit(cfg)
		if h != g || h == 0 {
			t.Errorf("%q %s: haproxy -c exit %d, goha %d", c.globals, c.crt, h, g)
		}
	}
}

// haproxyCheckExit is `haproxy -c`'s exit code on cfg.
func haproxyCheckExit(t *testing.T, cfg string) int {
	path := filepath.Join(t.TempDir(), "c.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	err := exec.Command("haproxy", "-c", "-f", path).Run()
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return 0
}

// gohaCheckExit is goha's verdict on cfg: the parser's, then 1 when the
// runtime adapter refuses a line (as gohaproxy -c).
func gohaCheckExit(cfg string) int {
	res := haproxy.CheckBytes("c.cfg", []byte(cfg), nil)
	if res.Exit != 0 || haproxy.ApplyPolicy(res, false) {
		return max(res.Exit, 1)
	}
	plan := Build(res.Config)
	r := haproxy.Result{Config: res.Config, Diags: plan.Notices}
	if haproxy.ApplyPolicy(&r, false) {
		return 1
	}
	return 0
}

// sClientCipher is the cipher an openssl s_client offering only cipher
// (TLS 1.2) gets from addr ("(NONE)": the handshake failed).
func sClientCipher(addr, cipher string) string {
	out, _ := sClientOut(addr, "", "-tls1_2", "-cipher", cipher)
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, "New, "); ok {
			return rest
		}
	}
	return "failed"
}

// TestDHParamsDifferential: DH parameters (tune.ssl.default-dh-param,
// ssl-dh-param-file, a DH block in the crt) let HAProxy serve DHE suites
// of its default cipher list, which Go's TLS does not have: goha refuses
// such a bind, and runs one whose ciphers are named (without DHE) or that
// speaks TLS 1.3 only, where a DHE-only client fails and an ECDHE one
// succeeds on both daemons.
func TestDHParamsDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	dh, err := os.ReadFile("../../testdata/haproxy/files/tls/dhparams.pem")
	if err != nil {
		t.Fatal(err)
	}
	crt, _ := os.ReadFile(filepath.Join(pki.Dir, "b.pem"))
	key, _ := os.ReadFile(filepath.Join(pki.Dir, "b.pem.key"))
	os.WriteFile(filepath.Join(pki.Dir, "bdh.pem"), append(append(crt, key...), dh...), 0o600)
	os.WriteFile(filepath.Join(pki.Dir, "dh.pem"), dh, 0o600)
	head := "global\n    crt-base PKIDIR\n"
	for _, c := range []struct {
		globals, bind string
		runs          bool
	}{
		{"    tune.ssl.default-dh-param 2048\n", "crt b.pem ciphers ECDHE-RSA-AES128-GCM-SHA256", true},
		{"    ssl-dh-param-file PKIDIR/dh.pem\n    ssl-default-bind-ciphers ECDHE-RSA-AES128-GCM-SHA256\n", "crt b.pem", true},
		{"", "crt bdh.pem ciphers ECDHE-RSA-AES128-GCM-SHA256", true},
		{"", "crt b.pem", true},
		{"    tune.ssl.default-dh-param 2048\n", "crt b.pem", false},
		{"    ssl-dh-param-file PKIDIR/dh.pem\n", "crt b.pem", false},
		{"", "crt bdh.pem", false},
	} {
		cfg := head + c.globals + httpDefaults2s + "frontend fe\n    bind ADDR ssl " + c.bind + "\n" + tlsGlobalsReply
		if !c.runs {
			if got := gohaCheckExit(strings.NewReplacer("ADDR", "127.0.0.1:0", "PKIDIR", pki.Dir).Replace(cfg)); got != 1 {
				t.Errorf("%q %s: goha -c exit %d, want 1", c.globals, c.bind, got)
			}
			// the reason: HAProxy serves DHE there
			addr := loopback.FreeAddr(t)
			difftest.StartHAProxy(t, strings.NewReplacer("ADDR", addr, "PKIDIR", pki.Dir).Replace(cfg), addr)
			if h := sClientCipher(addr, "DHE-RSA-AES128-GCM-SHA256"); h != "TLSv1.2, Cipher is DHE-RSA-AES128-GCM-SHA256" {
				t.Errorf("%q %s: haproxy serves a DHE-only client %s", c.globals, c.bind, h)
			}
			continue
		}
		ha, goha := startTemplated(t, cfg, "ADDR", "PKIDIR", pki.Dir)
		for _, cipher := range []string{"DHE-RSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256"} {
			h, g := sClientCipher(ha, cipher), sClientCipher(goha, cipher)
			t.Logf("%q %s, client %s: haproxy %s", c.globals, c.bind, cipher, h)
			if h != g {
				t.Errorf("%q %s, client %s: haproxy %s, goha %s", c.globals, c.bind, cipher, h, g)
			}
		}
	}
}
