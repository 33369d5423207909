package haproxycmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"math/big"
	"testing"
	"time"
)

// The steps the check-target differential tests share: a throw-away
// certificate for their TLS targets, the wait for what each target
// recorded, and the comparison of HAProxy's and goha's records.

// throwawayCert is a self-signed P-256 certificate valid for an hour
// either side of now.
func throwawayCert(t *testing.T) tls.Certificate {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// awaitRecorded polls each of recorded (every 50 ms, wait at most: a
// busy machine delays the checks) until none says "", and returns what
// each says then ("" for one that never recorded).
func awaitRecorded(wait time.Duration, recorded ...func() string) []string {
	for deadline := time.Now().Add(wait); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		all := true
		for _, r := range recorded {
			all = all && r() != ""
		}
		if all {
			break
		}
	}
	out := make([]string, len(recorded))
	for i, r := range recorded {
		out[i] = r()
	}
	return out
}

// sameRecorded compares, target by target (names[i]), what HAProxy's
// checks (h) and goha's (g) sent it.
func sameRecorded(t *testing.T, names, h, g []string) {
	t.Helper()
	for i, name := range names {
		t.Logf("%s:\n haproxy   %q\n gohaproxy %q", name, h[i], g[i])
		if h[i] != g[i] {
			t.Errorf("%s: the server received\n haproxy   %q\n gohaproxy %q", name, h[i], g[i])
		}
	}
}
