package haproxycmd

import (
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// syslogBody strips the syslog header (priority, date, tag and pid).
var syslogBody = regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)

// tlsGet sends one GET for path over TLS to addr (sni "" sends none) and
// reads the answer to its end.
func tlsGet(t *testing.T, addr, sni, path string, cfg *tls.Config) {
	t.Helper()
	cfg = cfg.Clone()
	cfg.InsecureSkipVerify, cfg.ServerName = true, sni
	c, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		t.Errorf("%s %s: %v", addr, path, err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", path)
	io.ReadAll(c)
}

// httpsLogLines runs bin on a config with `option httpslog` on a TLS
// frontend, on a clear-text one and on a tcp one (which falls back to
// tcplog), sends requests to each and returns the traffic lines, syslog
// header removed, sorted by request path.
func httpsLogLines(t *testing.T, bin, crt string) []string {
	t.Helper()
	web := loopback.StartWeb(t, "s1")
	syslog := loopback.ListenUDP(t)
	tlsBind, plainBind, tcpBind := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	startWithConfig(t, bin, syslogHTTPHead(syslog.LocalAddr())+fmt.Sprintf(`frontend fs
    bind %s ssl crt %s
    option httpslog
    capture request header Host len 20
    default_backend be
frontend fp
    bind %s
    option httpslog
    default_backend be
frontend ft
    mode tcp
    bind %s
    option httpslog
    default_backend bt
backend be
    server s1 %s
backend bt
    mode tcp
    server s1 %s
`, tlsBind, crt, plainBind, tcpBind, web.Addr, web.Addr), tlsBind, plainBind, tcpBind)
	tls12 := &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
	tlsGet(t, tlsBind, "", "/a-nosni", tls12)
	tlsGet(t, tlsBind, "a.example.com", "/b-sni", tls12)
	cache := tls.NewLRUClientSessionCache(4)
	tls12r := tls12.Clone()
	tls12r.ClientSessionCache = cache
	tlsGet(t, tlsBind, "a.example.com", "/c-first", tls12r)
	tlsGet(t, tlsBind, "a.example.com", "/d-resumed", tls12r)
	tlsGet(t, tlsBind, "a.example.com", "/e-tls13", &tls.Config{MinVersion: tls.VersionTLS13})
	if got := loopback.Get(t, plainBind); got != "200 s1" {
		t.Errorf("%s: clear-text frontend answered %q", bin, got)
	}
	if c, err := net.Dial("tcp", tcpBind); err == nil {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /tcp HTTP/1.0\r\n\r\n")
		io.ReadAll(c)
		c.Close()
	}
	var lines []string
	readSyslog(syslog, func(l string) bool {
		lines = append(lines, syslogBody.ReplaceAllString(strings.TrimSuffix(l, "\n"), ""))
		return len(lines) < 7
	})
	sort.Slice(lines, func(i, j int) bool { return pathOf(lines[i]) < pathOf(lines[j]) })
	return lines
}

// pathOf is a log line's request path ("~" for a tcp line, sorted last).
func pathOf(l string) string {
	if _, rest, ok := strings.Cut(l, `"GET `); ok {
		return rest
	}
	return "~" + l
}

// TestHTTPSLogMatchesHAProxy: `option httpslog` logs HAProxy 2.6's
// httpslog line: '~' after a TLS frontend's name, the connection's error
// codes (0, and ssl_fc_err as 16 hex digits), ssl_c_err, ssl_c_ca_err,
// resumption, SNI, version and cipher; '-' for the TLS fields in clear
// text; a tcp frontend falls back to tcplog. The TLS 1.3 cipher is
// masked: HAProxy's OpenSSL prefers AES-256, Go's AES-128.
func TestHTTPSLogMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	crt := exampleCertFile(t, 0x77)
	want := httpsLogLines(t, hp, crt)
	got := httpsLogLines(t, gohaproxy, crt)
	mask := func(l string) string {
		l = maskLogLine(l)
		l = regexp.MustCompile(` -?\d+/-?\d+/-?\d+ (\d+) --`).ReplaceAllString(l, " T/T/T $1 --") // tcplog timers
		// the connection counts: HAProxy may release the previous
		// request's connections a moment after its line
		l = regexp.MustCompile(` (\S\S|\S{4}) (AC/FC|\d+/\d+)/\d+/\d+/(\d+) `).ReplaceAllString(l, " $1 AC/FC/BC/SC/$3 ")
		l = regexp.MustCompile(`/TLSv1\.3/TLS_AES_\S+$`).ReplaceAllString(l, "/TLSv1.3/CIPHER")
		return regexp.MustCompile(`\{127\.0\.0\.1:\d+\}`).ReplaceAllString(l, "{127.0.0.1:P}")
	}
	if len(want) != 7 || len(got) != len(want) {
		t.Fatalf("lines:\n haproxy   %q\n gohaproxy %q", want, got)
	}
	sameMaskedLines(t, "line", want, got, mask)
}
