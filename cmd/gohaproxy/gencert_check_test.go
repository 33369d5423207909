package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestGenerateCertificatesCheckMatchesHAProxy: `-c` refuses a
// generate-certificates bind without a usable ca-sign-file with HAProxy
// 2.6's messages (no file configured, missing file, certificate without
// its key; ca-base applies), and accepts a usable one.
func TestGenerateCertificatesCheckMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	site, ca := selfSignedPEM(t), selfSignedPEM(t)
	data, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	// The CA's key under a pass phrase, in PKCS#8 and in OpenSSL's
	// traditional form: HAProxy 2.6.12 asks for it on the terminal
	// whatever ca-sign-pass says, and goes on without a key.
	ossl := testenv.LookPath(t, "openssl")
	encPKCS8, encTrad := filepath.Join(dir, "ca-enc8.pem"), filepath.Join(dir, "ca-enctrad.pem")
	for _, c := range []struct {
		path string
		args []string
	}{{encPKCS8, []string{"pkey", "-aes256"}}, {encTrad, []string{"pkey", "-aes256", "-traditional"}}} {
		cmd := exec.Command(ossl, append(c.args, "-in", ca, "-passout", "pass:secret")...)
		key, err := cmd.Output()
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(c.path, append([]byte(data[:strings.Index(string(data), "-----END CERTIFICATE-----")+len("-----END CERTIFICATE-----\n")]), key...), 0o600)
	}
	certOnly := filepath.Join(dir, "cert-only.pem")
	os.WriteFile(certOnly, []byte(data[:strings.Index(string(data), "-----END CERTIFICATE-----")+len("-----END CERTIFICATE-----\n")]), 0o600)
	os.WriteFile(filepath.Join(dir, "ca.pem"), data, 0o600)
	pid := regexp.MustCompile(`\((\d+)\)`)
	for _, opts := range []string{
		"generate-certificates",
		"generate-certificates ca-sign-file " + filepath.Join(dir, "missing.pem"),
		"generate-certificates ca-sign-file " + certOnly,
		"generate-certificates ca-sign-file ca.pem", // under ca-base
		"generate-certificates ca-sign-file " + ca,
		"ca-sign-file " + certOnly, // without generate-certificates: not loaded
		"generate-certificates ca-sign-file " + encPKCS8 + " ca-sign-pass secret",
		"generate-certificates ca-sign-file " + encTrad + " ca-sign-pass secret",
		"generate-certificates ca-sign-file " + encTrad,
	} {
		cfg := filepath.Join(dir, "g.cfg")
		os.WriteFile(cfg, []byte("global\n    ca-base "+dir+"\ndefaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"+
			"frontend fe\n    bind 127.0.0.1:0 ssl crt "+site+" "+opts+"\n"), 0o644)
		hc := exec.Command(hp, "-c", "-f", cfg)
		hc.Stdin = nil // no terminal for OpenSSL's pass phrase prompt
		out, _ := hc.CombinedOutput()
		code, gout, gerr := runArgs("-c", "-f", cfg)
		var want []string
		for _, l := range strings.SplitAfter(pid.ReplaceAllString(string(out), "(PID)"), "\n") {
			// OpenSSL's prompt for the pass phrase is HAProxy's alone.
			if !strings.Contains(l, "[NOTICE]") && !strings.HasPrefix(l, "Enter PEM pass phrase:") {
				want = append(want, l)
			}
		}
		var got []string
		for _, l := range strings.SplitAfter(pid.ReplaceAllString(gout+gerr, "(PID)"), "\n") {
			if !strings.Contains(l, "[NOTICE]") {
				got = append(got, l)
			}
		}
		if strings.Join(want, "") != strings.Join(got, "") {
			t.Errorf("%s (exit %d):\nhaproxy:\n%s\ngoha:\n%s", opts, code, strings.Join(want, ""), strings.Join(got, ""))
		}
	}
}
