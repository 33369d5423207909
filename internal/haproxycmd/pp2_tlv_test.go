package haproxycmd

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"hash/crc32"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/proxyproto"
)

// pp2Servers are the server lines whose PROXY v2 headers are compared.
// A TLS client asks for sni (default www.example.test), which picks the
// certificate the cert-sig and cert-key TLVs describe.
var pp2Servers = []struct{ name, opts, sni string }{
	{"ssl", "send-proxy-v2-ssl", ""},
	{"sslcn", "send-proxy-v2-ssl-cn", ""},
	{"all", "send-proxy-v2 proxy-v2-options crc32c,unique-id,ssl,authority,ssl-cipher,cert-cn,cert-sig,cert-key", ""},
	{"uid", "send-proxy-v2 proxy-v2-options unique-id", ""},
	{"alone", "proxy-v2-options ssl,crc32c", ""},
	{"plain", "send-proxy-v2", ""},
	{"cn", "send-proxy-v2 proxy-v2-options cert-cn", ""},
	{"sigec", "send-proxy-v2 proxy-v2-options cert-sig,cert-key", ""},
	{"sigrsa", "send-proxy-v2 proxy-v2-options cert-key,cert-sig", "rsa.example.test"},
	{"sigpss", "send-proxy-v2 proxy-v2-options cert-key,cert-sig", "pss.example.test"},
	{"sigp384", "send-proxy-v2 proxy-v2-options cert-sig,cert-key", "p384.example.test"},
	{"siged", "send-proxy-v2 proxy-v2-options cert-sig,cert-key", "ed.example.test"},
	// the no- forms clear v2 and their flags only, in line order: a flag
	// left alone still makes a v1 line; CN without SSL sends no SSL TLV
	{"nossl", "send-proxy-v2-ssl-cn no-send-proxy-v2-ssl", ""},
	{"nosslcn", "send-proxy-v2-ssl-cn no-send-proxy-v2-ssl-cn", ""},
	{"nov1", "send-proxy proxy-v2-options ssl,authority send-proxy-v2 no-send-proxy-v2-ssl", ""},
	{"cnonly", "proxy-v2-options cert-cn,ssl-cipher no-send-proxy-v2-ssl send-proxy-v2", ""},
	{"dflt", "no-send-proxy-v2-ssl-cn", ""},
	{"dflt2", "no-send-proxy-v2-ssl send-proxy-v2 proxy-v2-options crc32c", ""},
}

// pp2Defaults are default-server lines before some pp2Servers' server
// line: the no- forms cancel what they set, proxy-v2-options adds to it.
var pp2Defaults = map[string]string{
	"dflt":  "send-proxy-v2-ssl-cn proxy-v2-options authority",
	"dflt2": "send-proxy-v2-ssl proxy-v2-options cert-cn",
}

// send-proxy-v2-ssl, send-proxy-v2-ssl-cn and proxy-v2-options (their
// no- forms and a default-server's too), from a
// clear-text client and from a TLS 1.2 client with SNI and ALPN: the bytes each server receives before the request
// (the TLVs in HAProxy's order, the SSL TLV of a client without TLS, the
// unique-id, options alone sending a v1 line; over TLS the ALPN TLV
// always, the authority, the SSL TLV's version and cipher; cert-sig and
// cert-key of the served ECDSA P-256/P-384, RSA (PKCS#1 and PSS) and
// Ed25519 certificates, which implies ssl) are HAProxy's, ports and CRC
// aside (the CRC is checked on each side).
func TestPP2TLVsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	var mu sync.Mutex
	got := map[string][]byte{}
	web := func(name string) string {
		return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
			c.SetDeadline(time.Now().Add(3 * time.Second))
			br := bufio.NewReader(c)
			var buf []byte
			// the v2 signature starts with an empty line too
			for i := bytes.Index(buf, []byte("GET ")); i < 0 || !bytes.HasSuffix(buf[i:], []byte("\r\n\r\n")); i = bytes.Index(buf, []byte("GET ")) {
				b, err := br.ReadByte()
				if err != nil {
					return
				}
				buf = append(buf, b)
			}
			mu.Lock()
			got[name] = buf[:bytes.Index(buf, []byte("GET "))]
			mu.Unlock()
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		})
	}
	var backends strings.Builder
	for _, s := range pp2Servers {
		fmt.Fprintf(&backends, "backend %s\n", s.name)
		if d := pp2Defaults[s.name]; d != "" {
			fmt.Fprintf(&backends, "    default-server %s\n", d)
		}
		fmt.Fprintf(&backends, "    server s1 %s %s\n", web(s.name), s.opts)
	}
	crt := selfSignedPEM(t)
	for _, c := range []struct {
		name string
		key  crypto.Signer
		sig  x509.SignatureAlgorithm
	}{
		{"rsa.example.test", rsaKey(t), x509.SHA384WithRSA},
		{"pss.example.test", rsaKey(t), x509.SHA256WithRSAPSS},
		{"p384.example.test", must(ecdsa.GenerateKey(elliptic.P384(), rand.Reader)), x509.ECDSAWithSHA512},
		{"ed.example.test", edKey(t), x509.PureEd25519},
	} {
		crt += " crt " + certPEM(t, c.name, c.key, c.sig)
	}
	headers := func(ha, overTLS bool) map[string][]byte {
		tlsBind := loopback.FreeAddr(t)
		_, _, bind := serverOptsDaemon(t, ha, "    unique-id-format id-%[req.hdr(x-id)]\n",
			fmt.Sprintf("    use_backend %%[req.hdr(x-b)]\nbackend be\nfrontend ft\n    bind %s ssl crt %s alpn http/1.1\n"+
				"    use_backend %%[req.hdr(x-b)]\n%s", tlsBind, crt, backends.String()))
		loopback.WaitListen(t, tlsBind)
		mu.Lock()
		got = map[string][]byte{}
		mu.Unlock()
		for _, s := range pp2Servers {
			var c net.Conn
			var err error
			switch {
			case overTLS && s.sni != "":
				c, err = tls.Dial("tcp", tlsBind, &tls.Config{InsecureSkipVerify: true, ServerName: s.sni})
			case overTLS:
				c, err = tls.Dial("tcp", tlsBind, &tls.Config{InsecureSkipVerify: true, ServerName: "www.example.test",
					NextProtos: []string{"http/1.1"}, MaxVersion: tls.VersionTLS12,
					CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}})
			default:
				c, err = net.Dial("tcp", bind)
			}
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(3 * time.Second))
			fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: h\r\nX-B: %s\r\nX-Id: %s-7\r\nConnection: close\r\n\r\n", s.name, s.name)
			bufio.NewReader(c).ReadString('\n')
			c.Close()
		}
		mu.Lock()
		defer mu.Unlock()
		out := map[string][]byte{}
		for k, v := range got {
			out[k] = maskPP2(t, k, v)
		}
		return out
	}
	for _, overTLS := range []bool{false, true} {
		ha, goha := headers(true, overTLS), headers(false, overTLS)
		if len(ha) != len(pp2Servers) || !bytes.HasPrefix(ha["nossl"], []byte("PROXY TCP4 ")) || len(ha["nosslcn"]) != 0 ||
			!bytes.HasPrefix(ha["dflt"], []byte("PROXY TCP4 ")) || !bytes.HasPrefix(ha["cnonly"], proxyproto.Sig2) || overTLS && (!bytes.Contains(ha["all"], []byte("ECDHE-ECDSA-AES128-GCM-SHA256")) ||
			!bytes.Contains(ha["sigrsa"], []byte("RSA2048")) || !bytes.Contains(ha["sigec"], []byte("ecdsa-with-SHA256"))) {
			t.Fatalf("TLS %v: HAProxy's headers are not what the test expects: %q", overTLS, ha)
		}
		for _, s := range pp2Servers {
			if !bytes.Equal(ha[s.name], goha[s.name]) {
				t.Errorf("%s (%s), TLS %v:\nhaproxy %q\n   goha %q", s.name, s.opts, overTLS, ha[s.name], goha[s.name])
			}
		}
	}
}

// selfSignedPEM writes a throw-away ECDSA certificate and its key in one
// PEM file, as `bind ... ssl crt` reads it.
func selfSignedPEM(t *testing.T) string {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	return certPEM(t, "www.example.test", key, x509.ECDSAWithSHA256)
}

// certPEM writes a self-signed certificate for name, signed with sig by
// key, and the key in one PEM file.
func certPEM(t *testing.T, name string, key crypto.Signer, sig x509.SignatureAlgorithm) string {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name}, SignatureAlgorithm: sig,
		DNSNames: []string{name}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), name+".pem")
	os.WriteFile(path, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...), 0o600)
	return path
}

func rsaKey(t *testing.T) crypto.Signer {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func edKey(t *testing.T) crypto.Signer {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// maskPP2 checks a v2 header's CRC32C TLV, if any, and blanks it and the
// two ports (IPv4 addresses: both daemons listen on 127.0.0.1).
func maskPP2(t *testing.T, name string, h []byte) []byte {
	if bytes.HasPrefix(h, []byte("PROXY ")) {
		f := strings.Fields(string(h))
		return []byte(strings.Join(f[:len(f)-2], " ") + " P P")
	}
	if len(h) < 28 || !bytes.HasPrefix(h, proxyproto.Sig2) {
		return h
	}
	h = bytes.Clone(h)
	for off := 28; off+3 <= len(h); {
		typ, n := h[off], int(binary.BigEndian.Uint16(h[off+1:]))
		if typ == 0x03 && n == 4 && off+7 <= len(h) {
			want := binary.BigEndian.Uint32(h[off+3:])
			copy(h[off+3:off+7], []byte{0, 0, 0, 0})
			if crc32.Checksum(h, crc32.MakeTable(crc32.Castagnoli)) != want {
				t.Errorf("%s: bad CRC32C", name)
			}
		}
		off += 3 + n
	}
	copy(h[24:28], []byte{'P', 'P', 'P', 'P'})
	return h
}
