package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestWeakRSAKeyCheckMatchesHAProxy: `-c` refuses a bind's or a server's
// certificate with a 1024-bit RSA key as HAProxy 2.6.12 on Debian's OpenSSL
// 3 does (security level 2: "unable to load SSL certificate into SSL
// Context"), accepts 2048 bits, and accepts a 1024-bit ca-sign-file CA
// (not put into an SSL context). Same output lines and exit code.
func TestWeakRSAKeyCheckMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	ossl := testenv.LookPath(t, "openssl")
	dir := t.TempDir()
	pem := func(bits string) string {
		key, crt, p := filepath.Join(dir, "k"+bits), filepath.Join(dir, "c"+bits), filepath.Join(dir, "rsa"+bits+".pem")
		if out, err := exec.Command(ossl, "req", "-x509", "-newkey", "rsa:"+bits, "-nodes", "-days", "2", "-subj", "/CN=weak.example.test",
			"-keyout", key, "-out", crt).CombinedOutput(); err != nil {
			t.Fatalf("openssl: %v\n%s", err, out)
		}
		k, _ := os.ReadFile(key)
		c, _ := os.ReadFile(crt)
		os.WriteFile(p, append(c, k...), 0o600)
		return p
	}
	weak, strong := pem("1024"), pem("2048")
	head := "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"
	for name, body := range map[string]string{
		"bind 1024":         "frontend fe\n    bind 127.0.0.1:1 ssl crt " + weak + "\n",
		"bind 2048":         "frontend fe\n    bind 127.0.0.1:1 ssl crt " + strong + "\n",
		"server 1024":       "backend be\n    server s 127.0.0.1:1 ssl verify none crt " + weak + "\n",
		"server 2048":       "backend be\n    server s 127.0.0.1:1 ssl verify none crt " + strong + "\n",
		"ca-sign-file 1024": "frontend fe\n    bind 127.0.0.1:1 ssl crt " + strong + " generate-certificates ca-sign-file " + weak + "\n",
	} {
		cfg := filepath.Join(dir, "w.cfg")
		os.WriteFile(cfg, []byte(head+body), 0o644)
		hout, herr := exec.Command(hp, "-c", "-f", cfg).CombinedOutput()
		hcode := 0
		if ee, ok := herr.(*exec.ExitError); ok {
			hcode = ee.ExitCode()
		}
		code, gout, gerr := runArgs("-c", "-f", cfg)
		want, got := checkOutput(string(hout)), checkOutput(gout+gerr)
		if want != got || code != hcode {
			t.Errorf("%s: haproxy exit %d:\n%s\ngoha exit %d:\n%s", name, hcode, want, code, got)
		}
		if strings.HasSuffix(name, "1024") && !strings.HasPrefix(name, "ca-") && !strings.Contains(want, "unable to load SSL certificate into SSL Context") {
			t.Errorf("%s: haproxy accepted it:\n%s", name, want)
		}
	}
}
