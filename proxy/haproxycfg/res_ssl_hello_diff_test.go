package haproxycfg

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

const resHelloConfig = `defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
listen tl
    bind FE
    tcp-response inspect-delay 600ms
    tcp-response content reject if { res.ssl_hello_type 1 }
    tcp-response content accept if { rep_ssl_hello_type 2 }
    tcp-response content reject
    server s1 ECHO
`

// TestResSSLHelloTypeDifferential: res.ssl_hello_type and its old name
// rep_ssl_hello_type in tcp-response content rules beside HAProxy 2.6,
// with a server echoing what the client sends as its "hello": a whole
// ServerHello (type 2) is accepted, a ClientHello (type 1) and anything
// that is not a TLS handshake record (a bad version, a record too short
// for a handshake header, HTTP) rejected at once, and a record whose
// handshake message is not all there waited for until the inspect delay
// ends. What the client gets back, and whether the proxy waited, are
// compared.
func TestResSSLHelloTypeDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	echo := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.Copy(c, c)
	})
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.NewReplacer("ECHO", echo, "FE", ha).Replace(resHelloConfig), ha)
	runPlan(t, strings.NewReplacer("ECHO", echo, "FE", goha).Replace(resHelloConfig))
	const hello = "\x16\x03\x03\x00\x08\x02\x00\x00\x04abcd"
	cases := [][]string{
		{hello},
		{"\x16\x03\x03\x00\x08\x01\x00\x00\x04abcd"}, // a ClientHello
		{hello[:9], hello[9:]},
		{hello[:3], hello[3:]},
		{"\x16\x03\x00\x00\x08\x02\x00\x00\x04abcd"}, // SSLv3
		{"\xff\x03\x03\x00\x08\x02\x00\x00\x04abcd"},
		{"\x17\x03\x03\x00\x08\x02\x00\x00\x04abcd"}, // any record type 0x14-0x17
		{"\x16\x02\x00\x00\x08\x02\x00\x00\x04abcd"}, // below SSLv3
		{"\x16\x03\x03\x00\x03\x02\x00\x00\x00"},     // no room for a handshake header
		{"\x16\x03\x03\x00\x04\x02\x00\x00"},         // 8 bytes: short of the header
		{"\x16\x03\x03\x00\x08\x02\x00\x00\x10abcd"}, // the message is not all there
		{"\x16\x03"},
		{"GET / HTTP/1.0\r\n\r\n"},
		{},
	}
	samePartsAnswers(t, ha, goha, cases, delayedAnswer)

	// HTTP: HAProxy reads its HTX buffer there, which is no handshake
	// record: no value, the rule neither waits nor matches, and the
	// response goes through; its negation rejects it.
	web := loopback.StartWeb(t, "w").Addr
	for _, rule := range []string{"reject if { res.ssl_hello_type ge 0 }", "reject if !{ rep_ssl_hello_type ge 0 }"} {
		outs, hows := httpResponseRuleAnswers(t, web, rule)
		for i := range outs {
			outs[i] += " " + hows[i]
		}
		t.Logf("http %s: %q", rule, outs[0])
		if outs[0] != outs[1] {
			t.Errorf("http %s:\n haproxy %q\n goha    %q", rule, outs[0], outs[1])
		}
	}
}
