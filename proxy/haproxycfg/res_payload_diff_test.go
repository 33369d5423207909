package haproxycfg

import (
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

const resPayloadConfig = `defaults
    mode tcp
    timeout connect 2s
    timeout client 3s
    timeout server 3s
listen tl
    bind BIND
    tcp-response inspect-delay 600ms
    tcp-response content reject if { res.payload(0,3) -m bin 787878 }
    tcp-response content accept if { res.payload_lv(0,1) -m bin 616263 }
    tcp-response content reject if { res.payload_lv(0,2,+1) -m bin 6465 }
    tcp-response content reject if { res.payload(5,0) -m bin 717171 }
    tcp-response content set-var(txn.x) res.payload(1,2)
    tcp-response content accept if { var(txn.x) -m bin 5a5a }
    tcp-response content accept if { res.len ge 40 }
    tcp-response content reject
    server s1 ECHO
`

// echoServer sends back what each connection brings, for 5 s at most.
func echoServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.Copy(c, c)
	})
}

// TestResPayloadDifferential: res.payload, res.payload_lv and res.len in
// tcp-response content rules beside HAProxy 2.6, with a server echoing
// what the client sends: what the client gets back, and whether the
// proxy waited for more response bytes until the inspect delay ended
// (the client's bytes flow to the server meanwhile). On an HTTP stream
// they have no value: the rule does not wait and never matches.
func TestResPayloadDifferential(t *testing.T) {
	t.Parallel()
	ha, goha := startBoth(t, strings.ReplaceAll(resPayloadConfig, "ECHO", echoServer(t)))
	cases := [][]string{
		{"xxxy"},
		{"\x03abcQ"},
		{"\x00\x02Zde"},
		{"abcdef"},
		{"a"},
		{"ab", "cx"},
		{"\x00\x00\x00\x00\x00qqq"},
		{"\x00\x00\x00\x00\x00qq", "q"},
		{"\x02" + strings.Repeat("z", 30)},
		{"\x01" + strings.Repeat("k", 44)},
		{"\x01" + strings.Repeat("k", 20), strings.Repeat("k", 24)},
		{"aZZ"},
		{"a", "ZZ"},
		{},
	}
	samePartsAnswers(t, ha, goha, cases, delayedAnswer)

	// HTTP: HAProxy's buffers hold HTX there, and the fetch has no value:
	// the rule neither waits nor matches, and the response goes through.
	web := loopback.StartWeb(t, "w").Addr
	outs, _ := httpResponseRuleAnswers(t, web, "reject if { res.payload(0,4) -m bin 48545450 }")
	if !strings.HasPrefix(outs[0], "HTTP/1.1 200") || outs[0] != outs[1] {
		t.Errorf("http:\n haproxy %q\n goha    %q", outs[0], outs[1])
	}
}

// TestResPayloadLogsDifferential: the tcplog lines of sessions whose
// response the tcp-response rules read, beside HAProxy 2.6: a reject on
// the first bytes, a reject once the inspect delay is over, and an
// accept (the inspected bytes count in %B whatever the verdict).
func TestResPayloadLogsDifferential(t *testing.T) {
	t.Parallel()
	cfg := "global\n    log LOG local0\n" + strings.Replace(strings.ReplaceAll(resPayloadConfig, "ECHO", echoServer(t)),
		"defaults\n", "defaults\n    log global\n    option tcplog\n", 1)
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	mask := func(l string) string {
		f := strings.Fields(l)
		if len(f) > 8 { // actconn/feconn/beconn/srv_conn: what else runs
			if c := strings.Split(f[8], "/"); len(c) == 5 {
				f[8] = "A/F/B/S/" + c[4]
			}
		}
		return strings.Join(f, " ")
	}
	for _, data := range []string{"xxxy", "abcdef", "\x03abcQ"} {
		for _, addr := range []string{ha, goha} {
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			c.Write([]byte(data))
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			io.ReadAtLeast(c, make([]byte, 5), 5) // the accepted echo, or the end
			c.Close()
		}
		w, g := mask(nextLine(t, haLog, "haproxy")), mask(nextLine(t, goLog, "goha"))
		t.Logf("%q: %s", data, w)
		if w != g {
			t.Errorf("%q:\n haproxy %s\n goha    %s", data, w, g)
		}
	}
}

// httpResponseRuleAnswers starts both sides on a listen section in mode
// http whose tcp-response content rule (under an 800 ms inspect delay)
// is rule, before web, and returns what a GET closing its connection got
// from each (HAProxy's first) and how the connection ended; neither may
// wait for the inspect delay (700 ms at most).
func httpResponseRuleAnswers(t *testing.T, web, rule string) (outs, hows [2]string) {
	t.Helper()
	cfg := `defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
listen li
    bind BIND
    tcp-response inspect-delay 800ms
    tcp-response content ` + rule + `
    server s1 ` + web + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	raw := "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	for i, addr := range []string{ha, goha} {
		start := time.Now()
		out, how := exchangeFrom(t, "", addr, raw, 300*time.Millisecond)
		if took := time.Since(start); took > 700*time.Millisecond {
			t.Errorf("%s: waited %v", addr, took)
		}
		outs[i], hows[i] = string(out), how
	}
	return outs, hows
}
