package haproxycfg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/gcfloor"
	"github.com/goha-lb/goha/internal/loopback"
)

// Full TLS handshakes through a bind built as gohaproxy builds it (the
// certificate read from one PEM file by `bind ... ssl crt`, the same
// options as scripts/bench-tls.sh's handshake binds: alpn http/1.1,
// no-tls-tickets), one HTTP/1.1 request with Connection: close per
// connection, as wrk -H 'Connection: close' does. The client runs in a
// child process (this test binary again, TestHandshakeClientProcess), so
// the process's CPU time and allocations are the proxy's (and the
// loopback backend's, a bare socket loop): server-cpu-ns/op is the CPU a
// handshake costs the proxy, allocs/op its allocations, goroutines/op
// the goroutines started (the backend's one included). The collector
// runs as in gohaproxy (internal/gcfloor, unless GOGC is set).

func BenchmarkHandshakeRSA2048TLS13(b *testing.B) { benchmarkHandshake(b, "rsa", tls.VersionTLS13) }
func BenchmarkHandshakeRSA2048TLS12(b *testing.B) { benchmarkHandshake(b, "rsa", tls.VersionTLS12) }
func BenchmarkHandshakeECDSAP256TLS13(b *testing.B) {
	benchmarkHandshake(b, "ecdsa", tls.VersionTLS13)
}
func BenchmarkHandshakeECDSAP256TLS12(b *testing.B) {
	benchmarkHandshake(b, "ecdsa", tls.VersionTLS12)
}

// With a header carrying ssl_fc_unique_id (TLS 1.3: the Finished read
// off the handshake's records) or ssl_fc_session_key (TLS 1.2: the key
// log's master secret), against the plain ones above: what keeping them
// costs a handshake.
func BenchmarkHandshakeECDSAP256TLS13UniqueID(b *testing.B) {
	benchmarkHandshakeWith(b, "ecdsa", tls.VersionTLS13, "", "    http-request set-header x-u %[ssl_fc_unique_id,hex]\n")
}
func BenchmarkHandshakeECDSAP256TLS12SessionKey(b *testing.B) {
	benchmarkHandshakeWith(b, "ecdsa", tls.VersionTLS12, " ssl-max-ver TLSv1.2", "    http-request set-header x-k %[ssl_fc_session_key,hex]\n")
}

// handshakeBenchName is the certificate's name, which the client sends
// as its server name: wrk sends the URL's host, and the bench's
// certificate is issued to it, so the bind picks it by SNI.
const handshakeBenchName = "bench.goha.test"

// handshakeBenchCert writes a self-signed certificate for 127.0.0.1 and
// its key (PKCS#8, as `openssl req -newkey` writes it) into one PEM file.
func handshakeBenchCert(tb testing.TB, kind string) string {
	tb.Helper()
	var key crypto.Signer
	var err error
	if kind == "rsa" {
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	} else {
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	}
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: handshakeBenchName},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		DNSNames: []string{handshakeBenchName},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		tb.Fatal(err)
	}
	k8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		tb.Fatal(err)
	}
	out := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: k8})...)
	p := filepath.Join(tb.TempDir(), kind+".pem")
	if err := os.WriteFile(p, out, 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// startHandshakeProxy starts gohaproxy's runtime on a TLS bind with the
// certificate of kind in front of a backend answering every request;
// bindOpts are added to the bind line, lines to the frontend.
func startHandshakeProxy(tb testing.TB, kind, bindOpts, lines string) string {
	tb.Helper()
	web := startAnswering(tb, []byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"))
	fe := loopback.FreeAddr(tb)
	cfg := "defaults\n    mode http\n    option http-keep-alive\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n" +
		"frontend https\n    bind " + fe + " ssl crt " + handshakeBenchCert(tb, kind) + " alpn http/1.1 no-tls-tickets" + bindOpts + "\n" + lines + "    default_backend servers\n" +
		"backend servers\n    server web1 " + web + "\n"
	_, px := gohaRun(tb, cfg, false, nil)
	return px.Addrs()[0].String()
}

func benchmarkHandshake(b *testing.B, kind string, version uint16) {
	benchmarkHandshakeWith(b, kind, version, "", "")
}

func benchmarkHandshakeWith(b *testing.B, kind string, version uint16, bindOpts, lines string) {
	defer gcfloor.Start(gcfloor.Floor)()
	addr := startHandshakeProxy(b, kind, bindOpts, lines)
	// one handshake checks the path before counting
	if err := handshakeClient(addr, version, 1); err != nil {
		b.Fatal(err)
	}
	var m0, m1 runtime.MemStats
	gs := []metrics.Sample{{Name: "/sched/goroutines-created:goroutines"}, {Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(gs)
	g0, gc0 := gs[0].Value.Uint64(), gs[1].Value.Uint64()
	runtime.ReadMemStats(&m0)
	cpu0 := processCPU()
	b.ResetTimer()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHandshakeClientProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), fmt.Sprintf("GOHA_HANDSHAKE_CLIENT=%s,%d,%d", addr, version, b.N))
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("client: %v\n%s", err, out)
	}
	b.StopTimer()
	cpu := processCPU() - cpu0
	runtime.ReadMemStats(&m1)
	b.ReportMetric(float64(cpu)/float64(b.N), "server-cpu-ns/op")
	b.ReportMetric(float64(m1.Mallocs-m0.Mallocs)/float64(b.N), "server-allocs/op")
	b.ReportMetric(float64(m1.TotalAlloc-m0.TotalAlloc)/float64(b.N), "server-B/op")
	metrics.Read(gs)
	b.ReportMetric(float64(gs[0].Value.Uint64()-g0)/float64(b.N), "server-goroutines/op")
	b.ReportMetric(float64(gs[1].Value.Uint64()-gc0)*1000/float64(b.N), "gc-cycles/1000op")
}

// TestHandshakeClientProcess is the benchmark's client when the
// environment names a proxy (GOHA_HANDSHAKE_CLIENT=addr,version,count);
// otherwise it does nothing.
func TestHandshakeClientProcess(t *testing.T) {
	v := os.Getenv("GOHA_HANDSHAKE_CLIENT")
	if v == "" {
		t.Skip("the handshake benchmarks' client process")
	}
	var addr string
	var version, n int
	for i, f := range strings.Split(v, ",") {
		switch i {
		case 0:
			addr = f
		case 1:
			version, _ = strconv.Atoi(f)
		case 2:
			n, _ = strconv.Atoi(f)
		}
	}
	if err := handshakeClient(addr, uint16(version), n); err != nil {
		t.Fatal(err)
	}
}

// handshakeClient makes n connections, each a full handshake and one
// request, one after the other. It offers what OpenSSL 3.0's clients
// (wrk, openssl s_time) offer that matters here: an X25519 key share
// first (no post-quantum share, which Go's own clients send), no
// session resumption, and a server name (as wrk sends the URL's host).
func handshakeClient(addr string, version uint16, n int) error {
	cfg := &tls.Config{
		InsecureSkipVerify: true, ServerName: handshakeBenchName, MinVersion: version, MaxVersion: version,
		CurvePreferences:       []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384},
		SessionTicketsDisabled: true, NextProtos: []string{"http/1.1"},
	}
	req := []byte("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
	buf := make([]byte, 4096)
	for range n {
		c, err := tls.Dial("tcp", addr, cfg)
		if err != nil {
			return err
		}
		if _, err := c.Write(req); err != nil {
			c.Close()
			return err
		}
		got := 0
		for {
			k, err := c.Read(buf[got:])
			got += k
			if err == io.EOF {
				break
			}
			if err != nil {
				c.Close()
				return err
			}
		}
		c.Close()
		if got < 12 || string(buf[9:12]) != "200" {
			return fmt.Errorf("response %q", buf[:got])
		}
	}
	return nil
}

// processCPU is the CPU time (user and system) the whole process has
// used, in nanoseconds: client, proxy and server together, the same in
// both rules benchmarks, so their difference is the rules' cost. On a
// shared machine it varies less than the wall time per request.
func processCPU() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}
