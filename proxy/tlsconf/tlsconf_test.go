package tlsconf

import (
	"crypto/tls"
	"strings"
	"testing"
)

func TestVersionsRange(t *testing.T) {
	no := func(v ...string) map[string]bool {
		m := map[string]bool{}
		for _, x := range v {
			m[x] = true
		}
		return m
	}
	cases := []struct {
		name   string
		v      Versions
		lo, hi uint16
		warn   bool
		err    bool
	}{
		{"default", Versions{}, tls.VersionTLS12, tls.VersionTLS13, false, false},
		{"min 1.0", Versions{Min: "TLSv1.0"}, tls.VersionTLS10, tls.VersionTLS13, false, false},
		{"max 1.2", Versions{Max: "TLSv1.2"}, tls.VersionTLS12, tls.VersionTLS12, false, false},
		{"min 1.3", Versions{Min: "TLSv1.3"}, tls.VersionTLS13, tls.VersionTLS13, false, false},
		{"no-tlsv12", Versions{No: no("TLSv1.2")}, tls.VersionTLS13, tls.VersionTLS13, false, false},
		{"no-tlsv13", Versions{No: no("TLSv1.3")}, tls.VersionTLS12, tls.VersionTLS12, false, false},
		{"no-* ignored beside min/max", Versions{Min: "TLSv1.2", No: no("TLSv1.2")}, tls.VersionTLS12, tls.VersionTLS13, true, false},
		{"force-tlsv12", Versions{Force: no("TLSv1.2")}, tls.VersionTLS12, tls.VersionTLS12, false, false},
		{"force-tlsv11", Versions{Force: no("TLSv1.1")}, tls.VersionTLS11, tls.VersionTLS11, false, false},
		{"force two", Versions{Force: no("TLSv1.2", "TLSv1.3")}, tls.VersionTLS12, tls.VersionTLS13, false, false},
		{"all off", Versions{No: no("TLSv1.2", "TLSv1.3")}, 0, 0, false, true},
		{"min above max", Versions{Min: "TLSv1.3", Max: "TLSv1.2"}, 0, 0, false, true},
		{"SSLv3", Versions{Min: "SSLv3"}, 0, 0, false, true},
	}
	for _, c := range cases {
		lo, hi, warn, err := c.v.Range()
		if (err != nil) != c.err || lo != c.lo || hi != c.hi || (warn != "") != c.warn {
			t.Errorf("%s: [%x,%x] warn %q err %v; want [%x,%x] warn %v err %v", c.name, lo, hi, warn, err, c.lo, c.hi, c.warn, c.err)
		}
	}
}

func TestCiphers(t *testing.T) {
	got, err := Ciphers("ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-GCM-SHA384:!ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256")
	if err != nil || len(got) != 1 || got[0] != tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 {
		t.Errorf("got %v %v", got, err)
	}
	for _, bad := range []string{"HIGH:!aNULL", "DHE-RSA-AES128-GCM-SHA256", "ECDHE+AESGCM", "!ECDHE-RSA-AES128-SHA", "ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=2"} {
		if _, err := Ciphers(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if n := OpenSSLName(tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256); n != "ECDHE-RSA-CHACHA20-POLY1305" {
		t.Errorf("OpenSSLName = %q", n)
	}
}

func TestCipherSuitesAndALPN(t *testing.T) {
	if err := CipherSuites("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"TLS_AES_128_GCM_SHA256", "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_CCM_SHA256"} {
		if CipherSuites(bad) == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if p, err := ALPN("http/1.1,http/1.0"); err != nil || strings.Join(p, ",") != "http/1.1,http/1.0" {
		t.Errorf("%v %v", p, err)
	}
	if p, err := ALPN("h2,http/1.1"); err != nil || strings.Join(p, ",") != "h2,http/1.1" {
		t.Errorf("h2: %v %v", p, err)
	}
	if _, err := ALPN("h3,http/1.1"); err == nil {
		t.Error("h3 accepted")
	}
}

// TestStoreCandidates: exact names first, a wildcard covers one label.
func TestStoreCandidates(t *testing.T) {
	certs := []Cert{{Names: []string{"a.example.test"}}, {Names: []string{"*.w.example.test", "b.example.test"}}}
	s, err := NewStore(certs)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"a.example.test": 0, "A.EXAMPLE.TEST.": 0, "b.example.test": 1, "x.w.example.test": 1,
		"y.x.w.example.test": -1, "w.example.test": -1, "": -1, "other": -1}
	for name, i := range want {
		c := s.Candidates(name)
		switch {
		case i < 0 && c != nil:
			t.Errorf("%q: %d candidates, want none", name, len(c))
		case i >= 0 && (len(c) != 1 || c[0] != &certs[i].TLS):
			t.Errorf("%q: wrong candidates", name)
		}
	}
}

// TestStoreGetAllocs: picking the certificate of a handshake by its
// server name (exact or wildcard, the default without one) allocates
// nothing.
func TestStoreGetAllocs(t *testing.T) {
	certs := []Cert{{Names: []string{"a.example.test"}}, {Names: []string{"*.w.example.test", "b.example.test"}}}
	s, err := NewStore(certs)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]*tls.Certificate{"a.example.test": &certs[0].TLS, "x.w.example.test": &certs[1].TLS, "": &certs[0].TLS} {
		h := &tls.ClientHelloInfo{ServerName: name}
		n := testing.AllocsPerRun(100, func() {
			if c, err := s.Get(h); err != nil || c != want {
				t.Fatalf("%q: %v", name, err)
			}
		})
		if n != 0 {
			t.Errorf("%q: %v allocations per pick, want 0", name, n)
		}
	}
}
